//! Turning the rows of the `records` table into an [`Inventory`], shared by the backends.
//!
//! A large organisation has millions of records, nearly all grants, so this is the
//! hot path of every command that analyses. Rows are copied in storage order into
//! [`RawChunk`]s — one text buffer per chunk, reused, so reading allocates nothing per
//! row — and each chunk is parsed in parallel. Records are grouped by kind with the key
//! the store already holds (no key is formatted again) and each group is sorted by key
//! in parallel unless it came sorted (SQLite stores records in key order), so building
//! the inventory's maps is one pass over sorted input. For
//! analysis, grants are not read at all: the backends read their `grant_levels` table
//! into a [`handover_core::GrantDigest`] instead.

use crate::{Result, StoreError};
use handover_core::{Inventory, Kind, Record};
use rayon::prelude::*;
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
    /// Per kind, the records of each chunk: joined once at the end, at their exact size,
    /// rather than grown (and copied) again and again.
    groups: BTreeMap<Kind, Vec<Vec<(String, Record)>>>,
}

fn corrupt(id: i64) -> impl Fn(String) -> StoreError {
    move |reason| StoreError::Corrupt { id, reason }
}

impl InventoryBuilder {
    /// Parses a chunk of rows (in parallel) and files them by kind.
    pub(crate) fn add(&mut self, chunk: &RawChunk) -> Result<()> {
        let parsed: Vec<Record> = chunk
            .rows
            .par_iter()
            .map(|row| Record::from_json_str(row.kind, &chunk.text[row.body.clone()]).map_err(|e| corrupt(row.id)(e.to_string())))
            .collect::<Result<_>>()?;
        let mut by_kind: BTreeMap<Kind, Vec<(String, Record)>> = BTreeMap::new();
        for (row, record) in chunk.rows.iter().zip(parsed) {
            by_kind.entry(row.kind).or_default().push((chunk.text[row.key.clone()].to_string(), record));
        }
        for (kind, records) in by_kind {
            self.groups.entry(kind).or_default().push(records);
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Inventory {
        let mut groups: BTreeMap<Kind, Vec<(String, Record)>> = self
            .groups
            .into_iter()
            .map(|(kind, chunks)| {
                let mut all = Vec::with_capacity(chunks.iter().map(Vec::len).sum());
                chunks.into_iter().for_each(|mut c| all.append(&mut c));
                (kind, all)
            })
            .collect();
        // A store that keeps its rows in key order (SQLite) has nothing to sort: one pass
        // says so. Keys are unique per kind (the table's key constraint), so an unstable
        // sort gives the same order as a stable one.
        groups.par_iter_mut().filter(|(_, records)| !records.is_sorted_by(|a, b| a.0 < b.0)).for_each(|(_, records)| {
            records.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        });
        Inventory::from_sorted(groups)
    }
}
