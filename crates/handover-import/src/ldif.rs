//! LDIF (RFC 2849) content records: folded lines, base64 values (`::`), comments, options
//! on attribute names. `:<` URL values are refused (an import must not read files the
//! LDIF names); change records (`changetype:`) are skipped with a warning.
//!
//! Pure: bytes in, entries out, every error naming the file, the line and the attribute.

use base64::Engine;
use std::fmt;

/// One directory entry: its DN and attributes (names lower-cased, options dropped), with
/// the line each started on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub dn: String,
    pub line: usize,
    pub attrs: Vec<(String, String)>,
}

impl Entry {
    /// All values of an attribute (name in lower case).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attrs.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }
    pub fn first(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
    pub fn has_class(&self, class: &str) -> bool {
        self.all("objectclass").any(|c| c.eq_ignore_ascii_case(class))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdifError {
    pub file: String,
    pub line: usize,
    pub attribute: String,
    pub message: String,
}

impl fmt::Display for LdifError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if !self.attribute.is_empty() {
            write!(f, "attribute `{}`: ", self.attribute)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for LdifError {}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ldif {
    pub entries: Vec<Entry>,
    pub warnings: Vec<String>,
}

/// Unfolds lines: a line starting with one space continues the previous one. Returns
/// each logical line with the number of the physical line it started on.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match (line.strip_prefix(' '), out.last_mut()) {
            (Some(rest), Some((_, prev))) if !prev.is_empty() => prev.push_str(rest),
            _ => out.push((i + 1, line.to_string())),
        }
    }
    out
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<Ldif, LdifError> {
    let err = |line: usize, attribute: &str, message: String| LdifError {
        file: file.to_string(),
        line,
        attribute: attribute.to_string(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        err(line, "", "not UTF-8 text (binary values must be base64, written `attr:: …`)".into())
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Ldif::default();
    let mut current: Option<Entry> = None;
    let mut skipping: Option<usize> = None;
    let mut first_record = true;
    let flush = |current: &mut Option<Entry>, out: &mut Ldif| {
        if let Some(e) = current.take() {
            out.entries.push(e);
        }
    };
    for (line_no, line) in logical_lines(text) {
        if line.is_empty() {
            flush(&mut current, &mut out);
            skipping = None;
            continue;
        }
        if line.starts_with('#') || skipping.is_some() {
            continue;
        }
        let Some(colon) = line.find(':') else {
            return Err(err(line_no, "", format!("expected `attribute: value`, found {:?}", truncate(&line))));
        };
        let (raw_name, rest) = line.split_at(colon);
        let name = raw_name.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !valid_name(&name) {
            return Err(err(line_no, raw_name, "not a valid attribute name".into()));
        }
        let rest = &rest[1..];
        let value = if let Some(b64) = rest.strip_prefix(':') {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim().as_bytes())
                .map_err(|e| err(line_no, &name, format!("invalid base64 value: {e}")))?;
            String::from_utf8_lossy(&bytes).into_owned()
        } else if rest.starts_with('<') {
            return Err(err(line_no, &name, "values read from URLs (`:<`) are refused: put the value in the file".into()));
        } else {
            rest.trim_start_matches(' ').to_string()
        };
        if first_record && current.is_none() && name == "version" {
            if value.trim() != "1" {
                return Err(err(line_no, "version", format!("LDIF version {value:?} is not supported (only 1)")));
            }
            continue;
        }
        match &mut current {
            None if name == "dn" => {
                first_record = false;
                current = Some(Entry { dn: value, line: line_no, attrs: Vec::new() });
            }
            None => return Err(err(line_no, &name, "a record must start with `dn:`".into())),
            Some(_) if name == "changetype" => {
                out.warnings.push(format!("{file}:{line_no}: change record ({}) skipped: only content records are imported", value.trim()));
                current = None;
                skipping = Some(line_no);
            }
            Some(entry) => entry.attrs.push((name, value)),
        }
    }
    flush(&mut current, &mut out);
    Ok(out)
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A DN in a form two spellings of the same DN share: lower case, no spaces around `,`
/// and `=` (directories compare attribute values case-insensitively for the usual naming
/// attributes).
pub fn normalize_dn(dn: &str) -> String {
    let mut out = String::with_capacity(dn.len());
    normalize_dn_into(dn, &mut out);
    out
}

/// [`normalize_dn`] into a buffer the caller reuses (a directory has a DN per member).
pub fn normalize_dn_into(dn: &str, out: &mut String) {
    out.clear();
    for (i, rdn) in dn.split(',').enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, part) in rdn.split('=').enumerate() {
            if j > 0 {
                out.push('=');
            }
            out.push_str(part.trim());
        }
    }
    if out.is_ascii() {
        out.make_ascii_lowercase();
    } else {
        *out = out.to_lowercase();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_folded_base64_and_options() {
        let text = "version: 1\n\n# comment\ndn: uid=ann,ou=People,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn;lang-en: Ann\n Example\ndescription:: aMOpbGxv\nmail: ann@example.com\n\ndn: cn=x,dc=example,dc=com\nchangetype: delete\n\n";
        let l = parse("t.ldif", text.as_bytes()).unwrap();
        assert_eq!(l.entries.len(), 1);
        let e = &l.entries[0];
        assert_eq!(e.line, 4);
        assert_eq!(e.first("cn"), Some("AnnExample"));
        assert_eq!(e.first("description"), Some("héllo"));
        assert!(e.has_class("INETORGPERSON"));
        assert_eq!(l.warnings.len(), 1);
    }

    #[test]
    fn errors_name_line_and_attribute() {
        let e = parse("t.ldif", b"dn: cn=a\ncn: a\nphoto:< file:///etc/shadow\n").unwrap_err();
        assert_eq!((e.line, e.attribute.as_str()), (3, "photo"));
        assert!(e.to_string().starts_with("t.ldif:3: attribute `photo`"));
        let e = parse("t.ldif", b"cn: a\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("t.ldif", b"dn: cn=a\njpeg:: !!!\n").unwrap_err();
        assert_eq!((e.line, e.attribute.as_str()), (2, "jpeg"));
        let e = parse("t.ldif", b"dn: cn=a\nno colon here\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn dns_compare_by_normal_form() {
        assert_eq!(normalize_dn("uid=User1, ou=People ,dc=Example,dc=com"), normalize_dn("uid=user1,ou=people,dc=example,dc=com"));
        assert_eq!(normalize_dn(" CN = Zoë Ünal , O=Ex"), "cn=zoë ünal,o=ex");
        assert_eq!(normalize_dn(""), "");
    }

    #[test]
    fn reads_the_openldap_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/identity/ldif");
        for (name, entries) in [("nis_sample.ldif", 1265), ("test-ordered.ldif", 19), ("its4184-adds.ldif", 11)] {
            let path = dir.join(name);
            let Ok(bytes) = std::fs::read(&path) else {
                assert!(std::env::var_os("CI").is_none(), "corpus file {} missing in CI", path.display());
                eprintln!("skipping: {} not found", path.display());
                continue;
            };
            let l = parse(name, &bytes).unwrap();
            assert_eq!(l.entries.len(), entries, "{name}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse("fuzz.ldif", &bytes);
        }

        #[test]
        fn never_panics_on_ldif_like_text(s in "(dn|cn|objectClass|member|version|changetype|#|:|::|:<| |\n|[a-zA-Z0-9=,+/]{1,8}){0,80}") {
            let _ = parse("fuzz.ldif", s.as_bytes());
        }
    }
}
