//! A YAML reader that turns a document into JSON values and remembers, for every value,
//! where in the text it was written.
//!
//! Built on yaml-rust2's event parser (pure Rust, fuzzed upstream). Only what an inventory
//! needs: mappings with string keys, sequences and scalars resolved by the YAML 1.2 core
//! schema. Anchors and aliases work, with a cap on expansion so a "billion laughs" file is
//! an error rather than an out-of-memory.

use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(m: &Marker) -> Pos {
        // yaml-rust2 counts lines from 1 and columns from 0.
        Pos { line: m.line().max(1), column: m.col() + 1 }
    }
}

/// A parsed document: the value, and the position of every value by its path
/// (`people[3].email`; the root is the empty path).
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub value: Value,
    pub positions: HashMap<String, Pos>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub path: String,
    pub message: String,
}

/// Caps that keep hostile input from exhausting memory or stack.
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 5_000_000;

pub fn parse(text: &str) -> Result<Document, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let scanned = parser.load(&mut builder, false);
    if let Some(e) = builder.error.take() {
        return Err(e);
    }
    if let Err(e) = scanned {
        return Err(YamlError { pos: Pos::of(e.marker()), path: String::new(), message: e.info().to_string() });
    }
    let root = builder.root.take().unwrap_or(Node { value: NodeValue::Null, pos: Pos { line: 1, column: 1 }, size: 1 });
    let mut doc = Document::default();
    let mut counted = 0;
    doc.value = to_json(&root, String::new(), 0, &mut counted, &mut doc.positions)?;
    Ok(doc)
}

/// Every document of a multi-document stream (`---` separated), each with positions in the
/// whole text. Empty documents are left out. The caps apply to the stream as a whole.
pub fn parse_all(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut builder = Builder { multi: true, ..Builder::default() };
    let mut parser = Parser::new_from_str(text);
    let scanned = parser.load(&mut builder, true);
    if let Some(e) = builder.error.take() {
        return Err(e);
    }
    if let Err(e) = scanned {
        return Err(YamlError { pos: Pos::of(e.marker()), path: String::new(), message: e.info().to_string() });
    }
    let mut counted = 0;
    let mut docs = Vec::new();
    for root in builder.documents.drain(..).filter(|n| !matches!(n.value, NodeValue::Null)) {
        let mut doc = Document::default();
        doc.value = to_json(&root, String::new(), 0, &mut counted, &mut doc.positions)?;
        docs.push(doc);
    }
    Ok(docs)
}

#[derive(Debug, Clone)]
struct Node {
    value: NodeValue,
    pos: Pos,
    /// Nodes in this subtree, itself included: what expanding an alias to it costs.
    size: usize,
}

#[derive(Debug, Clone)]
enum NodeValue {
    Null,
    Scalar(Value),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Node, usize)>,
    /// A key waiting for its value, per open mapping (parallel to `stack`).
    pending_keys: Vec<Option<Node>>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    /// Nodes built so far, aliases counted as expanded.
    nodes: usize,
    error: Option<YamlError>,
    /// Reading a stream: each document's root moves here when the document ends.
    multi: bool,
    documents: Vec<Node>,
}

impl Builder {
    fn fail(&mut self, pos: Pos, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(YamlError { pos, path: String::new(), message: message.into() });
        }
    }

    fn push_value(&mut self, node: Node, anchor: usize) {
        if let Some((parent, _)) = self.stack.last_mut() {
            parent.size += node.size;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some((parent, _)) => match &mut parent.value {
                NodeValue::Seq(items) => items.push(node),
                NodeValue::Map(entries) => {
                    let slot = self.pending_keys.last_mut().expect("pending_keys parallels stack");
                    match slot.take() {
                        None => *slot = Some(node),
                        Some(key) => entries.push((key, node)),
                    }
                }
                _ => {}
            },
        }
    }
}

fn resolve_plain(s: &str) -> Value {
    match Yaml::from_str(s) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::Real(r) => r.parse::<f64>().ok().and_then(Number::from_f64).map_or_else(|| Value::String(s.to_string()), Value::Number),
        _ => Value::String(s.to_string()),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        if self.nodes > MAX_NODES {
            self.fail(Pos::of(&mark), "the document has too many values");
            return;
        }
        let pos = Pos::of(&mark);
        match ev {
            Event::Scalar(s, style, anchor, tag) => {
                let value = if tag.is_some() {
                    self.fail(pos, "YAML tags (`!something`) are not supported");
                    return;
                } else if style == TScalarStyle::Plain {
                    resolve_plain(&s)
                } else {
                    Value::String(s)
                };
                let value = if value.is_null() { NodeValue::Null } else { NodeValue::Scalar(value) };
                self.nodes += 1;
                self.push_value(Node { value, pos, size: 1 }, anchor);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(pos, format!("nesting deeper than {MAX_DEPTH} levels"));
                    return;
                }
                let value = if matches!(ev, Event::SequenceStart(..)) { NodeValue::Seq(Vec::new()) } else { NodeValue::Map(Vec::new()) };
                self.nodes += 1;
                self.stack.push((Node { value, pos, size: 1 }, anchor));
                self.pending_keys.push(None);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, anchor)) = self.stack.pop() {
                    self.pending_keys.pop();
                    self.push_value(node, anchor);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(_) if self.nodes + self.anchors[&id].size > MAX_NODES => {
                    self.fail(pos, "the document is too large once aliases are expanded")
                }
                Some(mut node) => {
                    self.nodes += node.size;
                    node.pos = pos;
                    self.push_value(node, 0);
                }
                None => self.fail(pos, "alias to an unknown anchor"),
            },
            Event::DocumentEnd if self.multi => {
                if let Some(root) = self.root.take() {
                    self.documents.push(root);
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn to_json(node: &Node, path: String, depth: usize, counted: &mut usize, positions: &mut HashMap<String, Pos>) -> Result<Value, YamlError> {
    *counted += 1;
    if *counted > MAX_NODES || depth > MAX_DEPTH {
        return Err(YamlError { pos: node.pos, path, message: "the document is too large once aliases are expanded".into() });
    }
    // A block mapping's own mark is at its first `:`; its first key is where a reader looks.
    let pos = match &node.value {
        NodeValue::Map(entries) if !entries.is_empty() => entries[0].0.pos,
        _ => node.pos,
    };
    positions.entry(path.clone()).or_insert(pos);
    Ok(match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Scalar(v) => v.clone(),
        NodeValue::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(to_json(item, format!("{path}[{i}]"), depth + 1, counted, positions)?);
            }
            Value::Array(out)
        }
        NodeValue::Map(entries) => {
            let mut out = Map::new();
            for (k, v) in entries {
                let key = match &k.value {
                    NodeValue::Scalar(Value::String(s)) => s.clone(),
                    NodeValue::Scalar(other) => other.to_string(),
                    _ => return Err(YamlError { pos: k.pos, path, message: "mapping keys must be plain names".into() }),
                };
                let child = join(&path, &key);
                if out.contains_key(&key) {
                    return Err(YamlError { pos: k.pos, path: child, message: format!("`{key}` appears twice in the same mapping") });
                }
                // The field's position is where its name is written: that is where a reader looks.
                positions.insert(child.clone(), k.pos);
                let value = to_json(v, child, depth + 1, counted, positions)?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
    })
}

/// Writes a JSON value as block-style YAML that [`parse`] reads back to the same value.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => write_seq(a, 0, &mut out),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Object(m) if !m.is_empty()) && !matches!(v, Value::Array(a) if !a.is_empty())
}

fn write_map(m: &Map<String, Value>, level: usize, out: &mut String) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        let key = string_text(k);
        // YAML allows an implicit key (`key:`) of at most 1024 characters; a longer one is
        // written as an explicit `? key` on its own line.
        if key.len() > 1000 {
            out.push_str("? ");
            out.push_str(&key);
            out.push('\n');
            indent(out, level);
        } else {
            out.push_str(&key);
        }
        out.push(':');
        write_value(v, level, out);
    }
}

fn write_seq(a: &[Value], level: usize, out: &mut String) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => write_map(m, level + 2, out),
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                indent(out, level + 2);
                write_seq(inner, level + 2, out);
            }
            scalar => {
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:` — inline for scalars and short lists of plain words, on the
/// next lines otherwise.
fn write_value(v: &Value, level: usize, out: &mut String) {
    if is_scalar(v) {
        out.push(' ');
        out.push_str(&scalar_text(v));
        out.push('\n');
        return;
    }
    match v {
        Value::Array(a) if a.iter().all(|x| matches!(x, Value::String(s) if is_flow_safe(s))) && flow_len(a) <= 60 => {
            let items: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            out.push_str(&format!(" [{}]\n", items.join(", ")));
        }
        Value::Array(a) => {
            out.push('\n');
            indent(out, level + 2);
            write_seq(a, level + 2, out);
        }
        Value::Object(m) => {
            out.push('\n');
            indent(out, level + 2);
            write_map(m, level + 2, out);
        }
        _ => unreachable!("scalars handled above"),
    }
}

/// Whether `s` can be an unquoted item of a flow sequence (`[a, b]`): plain-safe, no flow
/// indicators, and not ending in `-`, which readers take as `-` before `,` or `]`.
fn is_flow_safe(s: &str) -> bool {
    is_plain_safe(s) && !s.contains([',', '[', ']', '{', '}']) && !s.ends_with('-')
}

fn flow_len(a: &[Value]) -> usize {
    a.iter().filter_map(Value::as_str).map(|s| s.len() + 2).sum()
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_text(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn string_text(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        // A JSON string literal is a valid YAML double-quoted scalar.
        Value::String(s.to_string()).to_string()
    }
}

/// Whether `s` can be written unquoted and read back as the same string, by this reader
/// and by YAML 1.1 readers (so `yes`, `on` and `no` are quoted too).
fn is_plain_safe(s: &str) -> bool {
    const YAML11_BOOLS: [&str; 8] = ["y", "n", "yes", "no", "on", "off", "true", "false"];
    let Some(first) = s.chars().next() else { return false };
    !"-?:,[]{}#&*!|>'\"%@` ".contains(first)
        && !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(|c| c.is_control() || c == '\u{feff}')
        && !YAML11_BOOLS.contains(&s.to_ascii_lowercase().as_str())
        && matches!(resolve_plain(s), Value::String(ref back) if back == s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn a_flow_item_ending_in_a_dash_is_quoted_and_reads_back() {
        // Found by the fuzz target: `[a -]` does not read back.
        let v = json!({"items": ["apiVe   - pods - pods/attach -", "x"]});
        let written = to_yaml(&v);
        assert_eq!(parse(&written).unwrap().value, v, "{written}");
    }

    #[test]
    fn records_positions_of_fields_and_items() {
        let doc = parse("people:\n  - key: ann\n    email: ann@example.com\n  - key: bob\n").unwrap();
        assert_eq!(doc.value, json!({"people": [{"key": "ann", "email": "ann@example.com"}, {"key": "bob"}]}));
        assert_eq!(doc.positions["people[0].email"], Pos { line: 3, column: 5 });
        assert_eq!(doc.positions["people[1]"], Pos { line: 4, column: 5 });
    }

    #[test]
    fn resolves_scalars_by_the_core_schema() {
        let doc = parse("a: 1\nb: true\nc: ~\nd: 2026-01-01\ne: '1'\nf: yes\ng: 1.5\n").unwrap();
        assert_eq!(doc.value, json!({"a": 1, "b": true, "c": null, "d": "2026-01-01", "e": "1", "f": "yes", "g": 1.5}));
    }

    #[test]
    fn refuses_duplicate_keys_tags_and_alias_bombs() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((e.pos.line, e.path.as_str()), (3, "a"));
        assert!(parse("a: !secret x\n").is_err());
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        assert!(parse(&bomb).is_err());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("people:\n  - key: ann\n   bad: [\n").unwrap_err();
        assert!(e.pos.line >= 3, "{e:?}");
    }

    #[test]
    fn writes_readable_yaml() {
        let v = json!({"people": [{"key": "ann", "aliases": ["a1", "a2"], "docs": [{"title": "Runbook: DNS", "url": "https://x.example/a#b"}]}], "empty": []});
        let text = to_yaml(&v);
        assert_eq!(
            text,
            "people:\n  - key: ann\n    aliases: [a1, a2]\n    docs:\n      - title: \"Runbook: DNS\"\n        url: https://x.example/a#b\nempty: []\n"
        );
        assert_eq!(parse(&text).unwrap().value, v);
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<String>().prop_map(Value::String),
            "[a-z0-9 :#,'\"-]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn a_key_too_long_for_an_implicit_key_reads_back() {
        // Found by the yaml fuzz target: a key of control characters grew past YAML's limit of
        // 1024 characters for `key:` once escaped.
        let long = "\u{1c}".repeat(200);
        let v = json!({
            long.clone(): "scalar",
            "nested": [{ long.clone(): { long.clone(): [1, 2] }, "after": true }],
            "a": { long.clone(): [] },
        });
        let text = to_yaml(&v);
        let back = parse(&text).unwrap_or_else(|e| panic!("{e:?} in\n{text}"));
        assert_eq!(back.value, v, "text was:\n{text}");
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(s in ".{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_yamlish_text(s in "[-a-z:\\[\\]{}&*!|>'\" \n#,0-9]{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn written_yaml_reads_back_identically(v in json_value()) {
            let text = to_yaml(&v);
            let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?} in\n{text}")))?;
            prop_assert_eq!(back.value, v, "text was:\n{}", text);
        }
    }
}
