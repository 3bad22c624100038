//! The org file: handover's declarative inventory, read by `apply` and written by
//! `export`. The format is documented in `docs/org-file.md`.
//!
//! Reading never stops at the first mistake: every record is checked and every problem is
//! reported with `file:line:column`, the record, the field and what to do.

use crate::yaml::{self, Pos};
use handover_core::{Account, ErrorCode, Inventory, Kind, Problem, Record};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The org-file format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// Reports past this many are dropped: a wrong file usually repeats one mistake.
const MAX_DIAGNOSTICS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem found in (or caused by) an org file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: ErrorCode,
    /// Where in the file; `None` when the problem is with a record that is only in the
    /// store (for example an imported account that names a person the file removes).
    pub location: Option<Location>,
    pub record: Option<(Kind, String)>,
    /// The field path inside the record, or inside the file when there is no record.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: ")?,
            None => f.write_str("(in the database, not in the file): ")?,
        }
        if let Some((kind, key)) = &self.record {
            write!(f, "{kind} {key:?}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        write!(f, "{} [{}]", self.message, self.code)
    }
}

/// A parsed org file.
#[derive(Debug, Clone)]
pub struct OrgFile {
    pub name: String,
    pub inventory: Inventory,
    /// The kinds the file manages: those whose section is present. Grants are managed with
    /// accounts, because they are written inside them.
    pub managed: Vec<Kind>,
    positions: HashMap<String, Pos>,
    record_paths: HashMap<(Kind, String), String>,
}

impl OrgFile {
    /// Reads an org file. `name` is used in messages (usually the path).
    pub fn parse(name: &str, text: &str) -> Result<OrgFile, Vec<Diagnostic>> {
        let doc = yaml::parse(text).map_err(|e| {
            vec![Diagnostic {
                code: ErrorCode::InvalidSyntax,
                location: Some(Location { file: name.to_string(), line: e.pos.line, column: e.pos.column }),
                record: None,
                field: e.path,
                message: e.message,
            }]
        })?;
        let mut file = OrgFile {
            name: name.to_string(),
            inventory: Inventory::new(),
            managed: Vec::new(),
            positions: doc.positions,
            record_paths: HashMap::new(),
        };
        let mut diags = Vec::new();
        match doc.value {
            Value::Object(top) => file.read_sections(top, &mut diags),
            Value::Null => {}
            _ => diags.push(file.at(
                "",
                ErrorCode::InvalidSyntax,
                None,
                "",
                "an org file is a mapping of sections (people:, systems:, ...)".into(),
            )),
        }
        diags.truncate(MAX_DIAGNOSTICS);
        if diags.is_empty() {
            Ok(file)
        } else {
            Err(diags)
        }
    }

    fn location(&self, path: &str) -> Location {
        // Walk up the path until something has a position: a missing field is reported
        // where its record starts.
        let mut p = path;
        let pos = loop {
            if let Some(pos) = self.positions.get(p) {
                break *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => break self.positions.get("").copied().unwrap_or(Pos { line: 1, column: 1 }),
            }
        };
        Location { file: self.name.clone(), line: pos.line, column: pos.column }
    }

    fn at(&self, path: &str, code: ErrorCode, record: Option<(Kind, String)>, field: &str, message: String) -> Diagnostic {
        Diagnostic { code, location: Some(self.location(path)), record, field: field.to_string(), message }
    }

    fn read_sections(&mut self, top: Map<String, Value>, diags: &mut Vec<Diagnostic>) {
        for (section, value) in top {
            if section == "version" {
                if value.as_u64() != Some(FORMAT_VERSION) {
                    diags.push(self.at(
                        "version",
                        ErrorCode::InvalidField,
                        None,
                        "version",
                        format!("this handover reads org-file version {FORMAT_VERSION}; the file says {value}"),
                    ));
                }
                continue;
            }
            let kind = match section.parse::<Kind>() {
                Ok(kind) if kind.plural() == section && kind != Kind::Grant => kind,
                _ => {
                    let known: Vec<_> = Kind::ALL.iter().filter(|k| **k != Kind::Grant).map(|k| k.plural()).collect();
                    diags.push(self.at(
                        &section,
                        ErrorCode::UnknownField,
                        None,
                        &section,
                        format!("unknown section; sections are: version, {} (grants are written inside accounts)", known.join(", ")),
                    ));
                    continue;
                }
            };
            self.managed.push(kind);
            if kind == Kind::Account {
                self.managed.push(Kind::Grant);
            }
            let items = match value {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                _ => {
                    diags.push(self.at(
                        &section,
                        ErrorCode::InvalidField,
                        None,
                        &section,
                        format!("`{section}` must be a list (each item starting with `- `)"),
                    ));
                    continue;
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let path = format!("{section}[{i}]");
                if kind == Kind::Account {
                    self.read_account(&path, item, diags);
                } else {
                    self.read_record(kind, &path, item, diags);
                }
            }
        }
        self.managed.sort();
    }

    fn read_account(&mut self, path: &str, mut item: Value, diags: &mut Vec<Diagnostic>) {
        let grants = item.as_object_mut().and_then(|m| m.remove("grants"));
        let Some(account) = self.read_record(Kind::Account, path, item, diags) else { return };
        let account_key = account.key();
        let grants = match grants {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(g)) => g,
            Some(_) => {
                let field_path = format!("{path}.grants");
                diags.push(self.at(
                    &field_path,
                    ErrorCode::InvalidField,
                    Some((Kind::Account, account_key)),
                    "grants",
                    "`grants` must be a list".into(),
                ));
                return;
            }
        };
        for (j, mut grant) in grants.into_iter().enumerate() {
            let grant_path = format!("{path}.grants[{j}]");
            if let Some(m) = grant.as_object_mut() {
                if m.contains_key("account") {
                    let field_path = format!("{grant_path}.account");
                    diags.push(self.at(
                        &field_path,
                        ErrorCode::UnknownField,
                        None,
                        "account",
                        "a grant written inside an account takes its account from there; remove `account`".into(),
                    ));
                    continue;
                }
                m.insert("account".into(), Value::String(account_key.clone()));
            }
            self.read_record(Kind::Grant, &grant_path, grant, diags);
        }
    }

    fn read_record(&mut self, kind: Kind, path: &str, item: Value, diags: &mut Vec<Diagnostic>) -> Option<Record> {
        if !item.is_object() {
            diags.push(self.at(
                path,
                ErrorCode::InvalidField,
                None,
                "",
                format!("each item of `{}` must be a mapping of fields", kind.plural()),
            ));
            return None;
        }
        let hint = record_hint(kind, &item);
        let record = match deserialize(kind, item) {
            Ok(r) => r,
            Err((code, field, message)) => {
                let full = if field.is_empty() { path.to_string() } else { format!("{path}.{field}") };
                diags.push(self.at(&full, code, hint.map(|k| (kind, k)), &field, message));
                return None;
            }
        };
        let key = record.key();
        if let Some(first) = self.record_paths.get(&(kind, key.clone())) {
            let first_at = self.location(first);
            diags.push(self.at(
                path,
                ErrorCode::DuplicateKey,
                Some((kind, key.clone())),
                "key",
                format!("another {kind} with this key is at line {}; keys must be unique", first_at.line),
            ));
            return None;
        }
        self.record_paths.insert((kind, key), path.to_string());
        self.inventory.insert(record.clone());
        Some(record)
    }

    /// Places problems found by validating an inventory built from this file (and
    /// possibly records already in the store) at their lines in the file.
    pub fn diagnose(&self, problems: &[Problem]) -> Vec<Diagnostic> {
        problems
            .iter()
            .take(MAX_DIAGNOSTICS)
            .map(|p| {
                let location = self.record_paths.get(&(p.kind, p.key.clone())).map(|path| {
                    let field_path = if p.field.is_empty() { path.clone() } else { format!("{path}.{}", p.field) };
                    self.location(&field_path)
                });
                Diagnostic {
                    code: p.code,
                    location,
                    record: Some((p.kind, p.key.clone())),
                    field: p.field.clone(),
                    message: p.message.clone(),
                }
            })
            .collect()
    }
}

/// The key of a record that failed to parse, if it can be seen, so the message can name it.
fn record_hint(kind: Kind, item: &Value) -> Option<String> {
    let field = |f: &str| item.get(f).and_then(Value::as_str);
    match kind {
        Kind::Account => Some(Account::key_of(field("system")?, field("name")?)),
        Kind::Grant => Some(format!("{}/{}", field("account")?, field("privilege")?)),
        _ => field("key").map(str::to_string),
    }
}

fn deserialize(kind: Kind, item: Value) -> Result<Record, (ErrorCode, String, String)> {
    let mut track = serde_path_to_error::Track::new();
    let result = Record::deserialize(kind, serde_path_to_error::Deserializer::new(item, &mut track));
    result.map_err(|e| {
        let path = track.path();
        let mut field = String::new();
        for seg in path.iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => field.push_str(&format!("[{index}]")),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    if !field.is_empty() {
                        field.push('.');
                    }
                    field.push_str(key);
                }
                Segment::Unknown => {}
            }
        }
        let message = e.to_string();
        let code = if message.starts_with("unknown field") {
            // Depending on the container, the path may stop at the parent; point at the field.
            if let Some(name) = message.split('`').nth(1).filter(|n| !field.ends_with(n)) {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(name);
            }
            ErrorCode::UnknownField
        } else if message.starts_with("missing field") {
            ErrorCode::MissingField
        } else {
            ErrorCode::InvalidField
        };
        (code, field, message)
    })
}

/// Writes an inventory as an org file. Deterministic: the same inventory always gives the
/// same bytes, so exports can be diffed and `export → apply → export` is identical.
pub fn render(inventory: &Inventory) -> String {
    let mut out = String::from("# handover org file: the whole inventory, one section per kind of record.\n# Apply with `handover apply -f FILE`; see docs/org-file.md for every field.\n");
    out.push_str(&yaml::to_yaml(&to_value(inventory)));
    out
}

/// The org file as a JSON value (what `export --format json` prints).
pub fn to_value(inventory: &Inventory) -> Value {
    let mut grants_by_account: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for g in inventory.grants() {
        let mut v = Record::Grant(g.clone()).to_json();
        if let Some(m) = v.as_object_mut() {
            m.remove("account");
        }
        grants_by_account.entry(g.account.as_str()).or_default().push(v);
    }
    let mut top = Map::new();
    top.insert("version".into(), Value::from(FORMAT_VERSION));
    for kind in Kind::ALL.into_iter().filter(|k| *k != Kind::Grant) {
        let items: Vec<Value> = inventory
            .of(kind)
            .map(|r| {
                let mut v = r.to_json();
                if let (Record::Account(_), Some(m)) = (r, v.as_object_mut()) {
                    if let Some(grants) = grants_by_account.remove(r.key().as_str()) {
                        m.insert("grants".into(), Value::Array(grants));
                    }
                }
                v
            })
            .collect();
        top.insert(kind.plural().into(), Value::Array(items));
    }
    Value::Object(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
version: 1
people:
  - key: ann
    name: Ann Example
    email: ann@example.com
systems:
  - key: erp
    name: ERP
    tier: 1
    owner: ann
    rto: 4h
accounts:
  - system: erp
    name: ann
    person: ann
    mfa: false
    grants:
      - privilege: Administrator
        level: admin
        via: ERP Admins
";

    #[test]
    fn reads_records_and_nested_grants() {
        let f = OrgFile::parse("org.yaml", GOOD).unwrap();
        assert_eq!(f.inventory.count(Kind::Person), 1);
        assert_eq!(f.inventory.count(Kind::Grant), 1);
        assert_eq!(f.inventory.grants().next().unwrap().account, "erp/ann");
        assert_eq!(f.managed, vec![Kind::Person, Kind::System, Kind::Account, Kind::Grant]);
        assert!(f.inventory.validate().is_empty());
    }

    #[test]
    fn render_reads_back_to_the_same_inventory() {
        let f = OrgFile::parse("org.yaml", GOOD).unwrap();
        let text = render(&f.inventory);
        let back = OrgFile::parse("export.yaml", &text).unwrap();
        assert_eq!(back.inventory, f.inventory);
        assert_eq!(render(&back.inventory), text);
        assert_eq!(back.managed, Kind::ALL.to_vec());
    }

    fn first_error(text: &str) -> Diagnostic {
        OrgFile::parse("org.yaml", text).unwrap_err().remove(0)
    }

    #[test]
    fn type_errors_point_at_the_field() {
        let d = first_error(&GOOD.replace("tier: 1", "tier: high"));
        assert_eq!(d.code, ErrorCode::InvalidField);
        assert_eq!(d.field, "tier");
        assert_eq!(d.record, Some((Kind::System, "erp".into())));
        assert_eq!(d.location.as_ref().map(|l| (l.line, l.column)), Some((9, 5)));
        assert!(d.to_string().starts_with("org.yaml:9:5: system \"erp\": field `tier`"), "{d}");
    }

    #[test]
    fn unknown_fields_are_refused_where_they_are_written() {
        let d = first_error(&GOOD.replace("    mfa: false\n", "    mfa: false\n    password: hunter2\n"));
        assert_eq!((d.code, d.field.as_str()), (ErrorCode::UnknownField, "password"));
        assert_eq!(d.location.unwrap().line, 17);
        let d = first_error(&GOOD.replace("        via: ERP Admins\n", "        via: ERP Admins\n        expires: soon\n"));
        assert_eq!((d.code, d.field.as_str()), (ErrorCode::UnknownField, "expires"));
        assert_eq!(d.location.unwrap().line, 21);
    }

    #[test]
    fn missing_fields_point_at_the_record() {
        let d = first_error(&GOOD.replace("    name: ERP\n", ""));
        assert_eq!(d.code, ErrorCode::MissingField);
        assert_eq!(d.location.unwrap().line, 7);
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let text = GOOD.replace("systems:\n", "  - key: ann\n    name: Ann Again\nsystems:\n");
        let d = first_error(&text);
        assert_eq!(d.code, ErrorCode::DuplicateKey);
        assert_eq!(d.location.unwrap().line, 6);
        assert!(d.message.contains("line 3"), "{}", d.message);
    }

    #[test]
    fn validation_problems_are_placed_in_the_file() {
        let f = OrgFile::parse("org.yaml", &GOOD.replace("owner: ann", "owner: bob")).unwrap();
        let diags = f.diagnose(&f.inventory.validate());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, ErrorCode::DanglingReference);
        assert_eq!(diags[0].location.as_ref().unwrap().line, 10);
    }

    #[test]
    fn reports_every_bad_record_not_just_the_first() {
        let text = GOOD.replace("tier: 1", "tier: x").replace("level: admin", "level: root");
        assert_eq!(OrgFile::parse("org.yaml", &text).unwrap_err().len(), 2);
    }

    #[test]
    fn unknown_sections_and_versions_are_errors() {
        assert_eq!(first_error("version: 2\n").code, ErrorCode::InvalidField);
        assert_eq!(first_error("peeple: []\n").code, ErrorCode::UnknownField);
        assert_eq!(first_error("grants: []\n").code, ErrorCode::UnknownField);
        assert_eq!(first_error("- a\n").code, ErrorCode::InvalidSyntax);
        assert!(OrgFile::parse("empty.yaml", "").unwrap().inventory.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "(people|systems|accounts|grants|key|name|tier|version|: |- |\n|  |[a-z0-9@.]{1,6}|\\[|\\]){0,60}") {
            let _ = OrgFile::parse("fuzz.yaml", &s);
        }
    }
}
