//! The backup file: a gzip-compressed stream of JSON lines.
//!
//! ```text
//! {"handover_backup":1,"created_at":"…"}          header
//! {"t":"meta",…} {"t":"record",…} {"t":"event",…}  one DumpItem per line
//! {"end":{"meta":m,"records":r,"events":e,"chain_head":"…","sha256":"…"}}
//! ```
//!
//! `sha256` covers every byte of the uncompressed stream before the end line, and the
//! counts and chain head must match what came before it. A file cut short anywhere — a
//! backup killed mid-way, a truncated copy — has no valid end line (or no valid gzip
//! trailer) and is refused; so is one with a single changed byte. Restore reads the file
//! as a stream into one transaction, so a refused file writes nothing.

use crate::{DumpItem, Restored, Result, Store, StoreError};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    handover_backup: u32,
    created_at: String,
}

/// The summary at the end of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct End {
    pub meta: u64,
    pub records: u64,
    pub events: u64,
    /// Web users and API tokens (absent from backups made before they existed).
    #[serde(default)]
    pub users: u64,
    #[serde(default)]
    pub tokens: u64,
    /// The hash of the last event (the chain head); empty for an empty log.
    pub chain_head: String,
    pub sha256: String,
}

impl End {
    fn empty() -> End {
        End { meta: 0, records: 0, events: 0, users: 0, tokens: 0, chain_head: String::new(), sha256: String::new() }
    }

    /// Counts one item (the writer and the reader count the same way).
    fn count(&mut self, item: &DumpItem) {
        match item {
            DumpItem::Meta { .. } => self.meta += 1,
            DumpItem::Record { .. } => self.records += 1,
            DumpItem::Event { hash, .. } => {
                self.events += 1;
                self.chain_head.clone_from(hash);
            }
            DumpItem::User { .. } => self.users += 1,
            DumpItem::Token { .. } => self.tokens += 1,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndLine {
    end: End,
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn bad(message: impl Into<String>) -> StoreError {
    StoreError::Backup(message.into())
}

/// Writes a backup of `store` to `out`; returns the end summary.
pub fn write(store: &dyn Store, out: impl Write, created_at: &str) -> Result<End> {
    let mut gz = GzEncoder::new(out, flate2::Compression::new(6));
    let mut hasher = Sha256::new();
    let mut end = End::empty();
    let line = |gz: &mut GzEncoder<_>, hasher: &mut Sha256, text: String| -> Result<()> {
        hasher.update(text.as_bytes());
        hasher.update(b"\n");
        gz.write_all(text.as_bytes()).and_then(|()| gz.write_all(b"\n")).map_err(|e| bad(format!("cannot write the backup: {e}")))
    };
    let header = serde_json::to_string(&Header { handover_backup: FORMAT_VERSION, created_at: created_at.to_string() })
        .map_err(|e| bad(e.to_string()))?;
    line(&mut gz, &mut hasher, header)?;
    store.dump(&mut |item| {
        end.count(&item);
        let text = serde_json::to_string(&item).map_err(|e| bad(e.to_string()))?;
        line(&mut gz, &mut hasher, text)
    })?;
    end.sha256 = hex(&hasher.finalize());
    let text = serde_json::to_string(&EndLine { end: end.clone() }).map_err(|e| bad(e.to_string()))?;
    gz.write_all(text.as_bytes()).and_then(|()| gz.write_all(b"\n")).map_err(|e| bad(format!("cannot write the backup: {e}")))?;
    gz.finish().and_then(|mut w| w.flush()).map_err(|e| bad(format!("cannot write the backup: {e}")))?;
    Ok(end)
}

/// Reads a backup's items, checking everything as it goes; yields an error (and stops)
/// at the first problem, including a missing end line.
pub struct Reader<R: Read> {
    lines: BufReader<GzDecoder<R>>,
    name: String,
    line_no: u64,
    hasher: Sha256,
    seen: End,
    finished: Option<End>,
    failed: bool,
}

impl<R: Read> Reader<R> {
    pub fn new(name: &str, input: R) -> Result<Reader<R>> {
        let mut reader = Reader {
            lines: BufReader::new(GzDecoder::new(input)),
            name: name.to_string(),
            line_no: 0,
            hasher: Sha256::new(),
            seen: End::empty(),
            finished: None,
            failed: false,
        };
        let header = reader.next_line()?.ok_or_else(|| reader.error("empty: not a handover backup"))?;
        let header: Header = serde_json::from_str(&header).map_err(|_| reader.error("not a handover backup (no header line)"))?;
        if header.handover_backup != FORMAT_VERSION {
            return Err(
                reader.error(&format!("backup format {} is not one this handover reads ({FORMAT_VERSION})", header.handover_backup))
            );
        }
        Ok(reader)
    }

    /// The end summary, once every item has been read and checked.
    pub fn end(&self) -> Option<&End> {
        self.finished.as_ref()
    }

    fn error(&self, message: &str) -> StoreError {
        bad(format!("{} (line {}): {message}; nothing was restored", self.name, self.line_no))
    }

    /// The next line without its newline, hashed; None at the end of the stream.
    fn next_line(&mut self) -> Result<Option<String>> {
        let mut text = String::new();
        let n = self.lines.read_line(&mut text).map_err(|e| {
            // gzip reports a stream cut short as an unexpected end of file.
            bad(format!("{} (after line {}): the file is truncated or corrupt ({e}); nothing was restored", self.name, self.line_no))
        })?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if !text.ends_with('\n') {
            return Err(self.error("the last line is cut short: the backup did not finish"));
        }
        self.hasher.update(text.as_bytes());
        text.pop();
        Ok(Some(text))
    }

    fn read_item(&mut self) -> Result<Option<DumpItem>> {
        let before = self.hasher.clone();
        let Some(text) = self.next_line()? else {
            return Err(self.error("no end line: the backup was cut short (killed or truncated)"));
        };
        if text.starts_with("{\"end\"") {
            let end: EndLine = serde_json::from_str(&text).map_err(|_| self.error("the end line is unreadable"))?;
            let expected = End { sha256: hex(&before.finalize()), ..self.seen.clone() };
            if end.end != expected {
                return Err(self.error("the checksum or counts in the end line do not match the contents: the file was altered"));
            }
            if self.next_line()?.is_some() {
                return Err(self.error("data after the end line"));
            }
            self.finished = Some(end.end);
            return Ok(None);
        }
        let item: DumpItem = serde_json::from_str(&text).map_err(|e| self.error(&format!("unreadable item: {e}")))?;
        self.seen.count(&item);
        Ok(Some(item))
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Result<DumpItem>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.finished.is_some() {
            return None;
        }
        match self.read_item() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Restores a backup into `store` (which must be empty): one transaction, all or nothing.
pub fn restore(store: &mut dyn Store, name: &str, input: impl Read) -> Result<(Restored, End)> {
    let mut reader = Reader::new(name, input)?;
    let restored = store.restore(&mut reader)?;
    let end = reader.end().cloned().ok_or_else(|| bad(format!("{name}: the backup ended early; nothing was restored")))?;
    Ok((restored, end))
}

/// Reads a whole backup and checks it without restoring it.
pub fn verify(name: &str, input: impl Read) -> Result<End> {
    let mut reader = Reader::new(name, input)?;
    for item in reader.by_ref() {
        item?;
    }
    reader.end().cloned().ok_or_else(|| bad(format!("{name}: the backup ended early")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use handover_core::{Inventory, Record};

    fn store_with_data() -> SqliteStore {
        let mut store = SqliteStore::in_memory().unwrap();
        let mut inv = Inventory::new();
        for i in 0..50 {
            inv.insert(
                Record::from_json(handover_core::Kind::Person, serde_json::json!({"key": format!("p{i}"), "name": format!("P {i}")}))
                    .unwrap(),
            );
        }
        inv.insert(
            Record::from_json(handover_core::Kind::System, serde_json::json!({"key": "erp", "name": "ERP", "tier": 2, "owner": "p1"}))
                .unwrap(),
        );
        store.apply(&Inventory::new().diff(&inv, &handover_core::Kind::ALL), "test").unwrap();
        store.set_meta("origin", "test").unwrap();
        store
    }

    fn backup_bytes(store: &SqliteStore) -> Vec<u8> {
        let mut out = Vec::new();
        write(store, &mut out, "2026-11-26T00:00:00Z").unwrap();
        out
    }

    #[test]
    fn round_trip_keeps_records_events_and_the_chain() {
        let store = store_with_data();
        let bytes = backup_bytes(&store);
        let mut copy = SqliteStore::in_memory().unwrap();
        let (restored, end) = restore(&mut copy, "b", bytes.as_slice()).unwrap();
        assert_eq!((restored.records, restored.events, restored.meta), (51, 51, end.meta));
        assert_eq!(copy.load().unwrap(), store.load().unwrap());
        let v = copy.verify_log().unwrap();
        assert!(v.first_broken.is_none());
        assert_eq!(v.head, store.verify_log().unwrap().head);
        assert_eq!(Some(end.chain_head), v.head);
        assert_eq!(copy.meta("origin").unwrap().as_deref(), Some("test"));
        // References were rebuilt: the owner cannot be removed while the system names them.
        let mut target = copy.load().unwrap();
        target.remove(handover_core::Kind::Person, "p1");
        assert!(copy.apply(&copy.load().unwrap().diff(&target, &handover_core::Kind::ALL), "t").is_err());
    }

    #[test]
    fn every_truncation_is_refused_and_writes_nothing() {
        let bytes = backup_bytes(&store_with_data());
        for cut in (0..bytes.len()).step_by(7) {
            let mut copy = SqliteStore::in_memory().unwrap();
            let e = restore(&mut copy, "b", &bytes[..cut]).expect_err(&format!("cut at {cut} of {}", bytes.len()));
            let e = e.to_string();
            assert!(e.starts_with('b') && e.contains("nothing was restored"), "the file is named and nothing restored: {e}");
            assert!(copy.load().unwrap().is_empty(), "nothing restored after a refused file (cut {cut})");
            assert_eq!(copy.verify_log().unwrap().verified, 0);
        }
    }

    #[test]
    fn a_changed_byte_is_refused() {
        let store = store_with_data();
        let mut plain = String::new();
        GzDecoder::new(backup_bytes(&store).as_slice()).read_to_string(&mut plain).unwrap();
        let altered = plain.replacen("P 7", "P 9", 1);
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(altered.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let mut copy = SqliteStore::in_memory().unwrap();
        let e = restore(&mut copy, "b", bytes.as_slice()).unwrap_err().to_string();
        assert!(e.contains("altered") || e.contains("broken"), "{e}");
        assert!(copy.load().unwrap().is_empty());
    }

    #[test]
    fn restore_refuses_a_store_with_data() {
        let store = store_with_data();
        let bytes = backup_bytes(&store);
        let mut other = store_with_data();
        let e = restore(&mut other, "b", bytes.as_slice()).unwrap_err();
        assert!(matches!(e, StoreError::NotEmpty { .. }), "{e}");
    }

    #[test]
    fn garbage_is_not_a_backup() {
        let mut copy = SqliteStore::in_memory().unwrap();
        assert!(restore(&mut copy, "b", &b"hello"[..]).is_err());
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"something\":1}\n").unwrap();
        assert!(restore(&mut copy, "b", gz.finish().unwrap().as_slice()).unwrap_err().to_string().contains("not a handover backup"));
    }
}
