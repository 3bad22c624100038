//! The event log's hash chain.
//!
//! Each event's hash is `SHA-256(previous hash ‖ "\n" ‖ canonical JSON of the event)`
//! (canonical: object keys sorted, no whitespace; the tests hold a reference encoder), so
//! changing, removing or reordering any event breaks every hash after it. The store appends
//! events; this module only defines what is hashed, so verification is the same code for
//! every backend.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
    pub fn parse(s: &str) -> Option<Action> {
        [Action::Create, Action::Update, Action::Delete].into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event before it is appended: what changed, who did it, when.
///
/// `before` and `after` are the record bodies as canonical JSON; `at` is an RFC 3339
/// timestamp kept as the exact string that was hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventDraft {
    pub at: String,
    pub actor: String,
    pub action: Action,
    pub kind: String,
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An appended event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub seq: i64,
    #[serde(flatten)]
    pub draft: EventDraft,
    pub prev_hash: String,
    pub hash: String,
}

impl EventDraft {
    /// The event recording one change of a change set, with the record bodies as stored.
    pub fn of_change(change: &crate::Change, at: &str, actor: &str, before: Option<String>, after: Option<String>) -> EventDraft {
        EventDraft {
            at: at.to_string(),
            actor: actor.to_string(),
            action: change.action(),
            kind: change.kind.as_str().to_string(),
            key: change.key.clone(),
            before,
            after,
        }
    }

    /// The hash of this event at position `seq` after an event whose hash is `prev_hash`:
    /// SHA-256 of `prev_hash`, a newline and the canonical JSON (sorted keys) of
    /// `{action, actor, after, at, before, key, kind, seq}`.
    ///
    /// The JSON is streamed into the hasher rather than built: this runs once per change,
    /// millions of times in a large import.
    pub fn chain_hash(&self, seq: i64, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(b"\n{");
        let fields: [(&str, Option<&str>); 7] = [
            ("action", Some(self.action.as_str())),
            ("actor", Some(&self.actor)),
            ("after", self.after.as_deref()),
            ("at", Some(&self.at)),
            ("before", self.before.as_deref()),
            ("key", Some(&self.key)),
            ("kind", Some(&self.kind)),
        ];
        for (name, value) in fields {
            hasher.update(b"\"");
            hasher.update(name.as_bytes());
            hasher.update(b"\":");
            match value {
                // Writing into a hasher cannot fail.
                Some(v) => serde_json::to_writer(HashWriter(&mut hasher), v).unwrap_or(()),
                None => hasher.update(b"null"),
            }
            hasher.update(b",");
        }
        hasher.update(format!("\"seq\":{seq}}}").as_bytes());
        hex(&hasher.finalize())
    }
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Why an event does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Break {
    /// `prev_hash` is not the hash of the event before it (an event was removed or reordered).
    BrokenLink { expected: String, found: String },
    /// The stored hash is not the hash of the stored content (the event was edited).
    ContentChanged { expected: String, found: String },
    /// Sequence numbers skip (an event was removed).
    Gap { expected: i64, found: i64 },
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Break::BrokenLink { .. } => {
                f.write_str("its prev_hash does not match the previous event's hash (an event before it was removed, inserted or edited)")
            }
            Break::ContentChanged { .. } => f.write_str("its content does not match its hash (the event was edited after it was written)"),
            Break::Gap { expected, found } => write!(f, "sequence jumps from {expected} to {found} (events were removed)"),
        }
    }
}

/// The first event of a chain that does not verify, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// Events that verified before this one.
    pub verified: u64,
    pub seq: i64,
    pub kind: String,
    pub key: String,
    pub reason: Break,
}

/// Walks a chain in order; returns how many events verified, or the first that does not.
///
/// `events` must be ordered by `seq`; it is consumed lazily so a store can stream it.
pub fn verify_chain<I>(events: I) -> Result<u64, ChainBreak>
where
    I: IntoIterator<Item = Event>,
{
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut count = 0;
    for (expected_seq, e) in (1..).zip(events) {
        let reason = if e.seq != expected_seq {
            Some(Break::Gap { expected: expected_seq, found: e.seq })
        } else if e.prev_hash != prev_hash {
            Some(Break::BrokenLink { expected: prev_hash.clone(), found: e.prev_hash.clone() })
        } else {
            let computed = e.draft.chain_hash(e.seq, &e.prev_hash);
            (computed != e.hash).then(|| Break::ContentChanged { expected: computed, found: e.hash.clone() })
        };
        if let Some(reason) = reason {
            return Err(ChainBreak { verified: count, seq: e.seq, kind: e.draft.kind, key: e.draft.key, reason });
        }
        prev_hash = e.hash;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Event> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let draft = EventDraft {
                    at: "2026-11-26T00:00:00Z".into(),
                    actor: "test".into(),
                    action: Action::Create,
                    kind: "person".into(),
                    key: format!("p{seq}"),
                    before: None,
                    after: Some(format!(r#"{{"key":"p{seq}"}}"#)),
                };
                let hash = draft.chain_hash(seq, &prev);
                let e = Event { seq, draft, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                e
            })
            .collect()
    }

    /// Canonical JSON, the definition of what is hashed: object keys sorted at every depth,
    /// no insignificant whitespace. The streamed hash must equal the hash of this.
    fn to_canonical_string(value: &serde_json::Value) -> String {
        use serde_json::Value;
        fn write(value: &Value, out: &mut String) {
            match value {
                Value::Object(map) => {
                    let mut entries: Vec<_> = map.iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                    out.push('{');
                    for (i, (k, v)) in entries.into_iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&Value::String(k.clone()).to_string());
                        out.push(':');
                        write(v, out);
                    }
                    out.push('}');
                }
                Value::Array(items) => {
                    out.push('[');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write(v, out);
                    }
                    out.push(']');
                }
                scalar => out.push_str(&scalar.to_string()),
            }
        }
        let mut out = String::new();
        write(value, &mut out);
        out
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v = serde_json::json!({"b": 1, "a": {"d": [ {"z": 1, "y": "line\nbreak"} ], "c": null}});
        assert_eq!(to_canonical_string(&v), r#"{"a":{"c":null,"d":[{"y":"line\nbreak","z":1}]},"b":1}"#);
    }

    #[test]
    fn streamed_hash_is_the_canonical_json_hash() {
        use sha2::{Digest, Sha256};
        let draft = EventDraft {
            at: "2026-11-26T00:00:00Z".into(),
            actor: "ann \"the admin\"\n".into(),
            action: Action::Update,
            kind: "person".into(),
            key: "ann/ü".into(),
            before: Some(r#"{"key":"ann","name":"A\u0000"}"#.into()),
            after: None,
        };
        let content = serde_json::json!({
            "seq": 42, "at": draft.at, "actor": draft.actor, "action": "update",
            "kind": draft.kind, "key": draft.key, "before": draft.before, "after": draft.after,
        });
        let mut h = Sha256::new();
        h.update(b"prev\n");
        h.update(to_canonical_string(&content).as_bytes());
        let expected: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(draft.chain_hash(42, "prev"), expected);
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(chain(5)), Ok(5));
        assert_eq!(verify_chain(Vec::new()), Ok(0));
    }

    #[test]
    fn edited_content_is_named() {
        let mut c = chain(5);
        c[2].draft.after = Some(r#"{"key":"mallory"}"#.into());
        let b = verify_chain(c).unwrap_err();
        assert_eq!(b.seq, 3);
        assert!(matches!(b.reason, Break::ContentChanged { .. }));
    }

    #[test]
    fn rehashed_edit_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].draft.actor = "mallory".into();
        c[2].hash = c[2].draft.chain_hash(3, &c[2].prev_hash);
        let b = verify_chain(c).unwrap_err();
        assert_eq!(b.seq, 4);
        assert!(matches!(b.reason, Break::BrokenLink { .. }));
    }

    #[test]
    fn removed_event_is_a_gap() {
        let mut c = chain(5);
        c.remove(1);
        let b = verify_chain(c).unwrap_err();
        assert_eq!(b.seq, 3);
        assert_eq!(b.reason, Break::Gap { expected: 2, found: 3 });
        assert_eq!(b.verified, 1);
    }
}
