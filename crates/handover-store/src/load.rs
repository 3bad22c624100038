//! Turning the rows of the `records` table into an [`Inventory`], shared by the backends.
//!
//! A large organisation has millions of records, nearly all grants, so this is the
//! hot path of every command that analyses. Rows are copied in storage order into
//! [`RawChunk`]s — one text buffer per chunk, reused, so reading allocates nothing per
//! row — and each chunk is parsed in parallel. Records are grouped by kind with the key
//! the store already holds (no key is formatted again) and each group is sorted by key
//! in parallel, so building the inventory's maps is one pass over sorted input. For
//! analysis, grants are folded into a [`GrantDigest`] instead of becoming records.

use crate::{Result, StoreError};
use handover_core::{GrantDigest, Inventory, Kind, Level, Record};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

/// Rows as read, before parsing: their key and body side by side in one buffer.
#[derive(Default)]
pub(crate) struct RawChunk {
    text: String,
    rows: Vec<RawRow>,
}

struct RawRow {
    id: i64,
    kind: Kind,
    key: Range<usize>,
    body: Range<usize>,
}

impl RawChunk {
    pub(crate) fn push(&mut self, id: i64, kind: &str, key: &str, body: &str) -> Result<()> {
        let kind: Kind = kind.parse().map_err(corrupt(id))?;
        let key_at = self.text.len();
        self.text.push_str(key);
        let body_at = self.text.len();
        self.text.push_str(body);
        self.rows.push(RawRow { id, kind, key: key_at..body_at, body: body_at..self.text.len() });
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Empties the chunk, keeping its buffers for the next rows.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
    }
}

#[derive(Default)]
pub(crate) struct InventoryBuilder {
    groups: BTreeMap<Kind, Vec<(String, Record)>>,
    /// Set when grants are folded rather than kept.
    digest: Option<GrantDigest>,
}

fn corrupt(id: i64) -> impl Fn(String) -> StoreError {
    move |reason| StoreError::Corrupt { id, reason }
}

enum Parsed<'c> {
    Record(Record),
    Grant(Cow<'c, str>, Level),
}

impl InventoryBuilder {
    /// A builder that folds grants into a digest instead of keeping them.
    pub(crate) fn digesting() -> InventoryBuilder {
        InventoryBuilder { groups: BTreeMap::new(), digest: Some(GrantDigest::default()) }
    }

    /// Parses a chunk of rows (in parallel) and files them by kind.
    pub(crate) fn add(&mut self, chunk: &RawChunk) -> Result<()> {
        let digesting = self.digest.is_some();
        let parsed: Vec<Parsed> = chunk
            .rows
            .par_iter()
            .map(|row| {
                let body = &chunk.text[row.body.clone()];
                let fail = |e: serde_json::Error| corrupt(row.id)(e.to_string());
                Ok(if digesting && row.kind == Kind::Grant {
                    let (account, level) = GrantDigest::parse(body).map_err(fail)?;
                    Parsed::Grant(account, level)
                } else {
                    Parsed::Record(Record::from_json_str(row.kind, body).map_err(fail)?)
                })
            })
            .collect::<Result<_>>()?;
        for (row, parsed) in chunk.rows.iter().zip(parsed) {
            match parsed {
                Parsed::Grant(account, level) => self.digest.get_or_insert_with(GrantDigest::default).add(&account, level),
                Parsed::Record(record) => self.groups.entry(row.kind).or_default().push((chunk.text[row.key.clone()].to_string(), record)),
            }
        }
        Ok(())
    }

    /// The inventory, and the digest of its grants when they were folded.
    pub(crate) fn finish(mut self) -> (Inventory, Option<GrantDigest>) {
        // Keys are unique per kind (the table's UNIQUE constraint), so an unstable sort
        // gives the same order as a stable one.
        self.groups.par_iter_mut().for_each(|(_, records)| records.par_sort_unstable_by(|a, b| a.0.cmp(&b.0)));
        (Inventory::from_sorted(self.groups), self.digest)
    }
}
