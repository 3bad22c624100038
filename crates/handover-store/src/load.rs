//! Turning the rows of the `records` table into an [`Inventory`], shared by the backends.
//!
//! A large organisation has millions of records, nearly all grants, so this is the
//! hot path of every command that analyses. The rows arrive in storage order; they are
//! parsed in parallel, grouped by kind with the key the store already holds (no key is
//! formatted again), and each group is sorted by key in parallel, so that building the
//! inventory's maps is a single pass over sorted input.

use crate::{Result, StoreError};
use handover_core::{Inventory, Kind, Record};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// One row as a backend reads it: (row id, kind, key, JSON body).
pub(crate) type RawRecord = (i64, String, String, String);

#[derive(Default)]
pub(crate) struct InventoryBuilder {
    groups: BTreeMap<Kind, Vec<(String, Record)>>,
}

impl InventoryBuilder {
    /// Parses a chunk of rows (in parallel) and files them by kind.
    pub(crate) fn add(&mut self, chunk: Vec<RawRecord>) -> Result<()> {
        let parsed: Vec<(Kind, String, Record)> = chunk
            .into_par_iter()
            .map(|(id, kind, key, body)| {
                let corrupt = |reason: String| StoreError::Corrupt { id, reason };
                let kind: Kind = kind.parse().map_err(corrupt)?;
                let record = Record::from_json_str(kind, &body).map_err(|e| corrupt(e.to_string()))?;
                Ok((kind, key, record))
            })
            .collect::<Result<_>>()?;
        for (kind, key, record) in parsed {
            self.groups.entry(kind).or_default().push((key, record));
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Inventory {
        // Keys are unique per kind (the table's UNIQUE constraint), so an unstable sort
        // gives the same order as a stable one.
        self.groups.par_iter_mut().for_each(|(_, records)| records.par_sort_unstable_by(|a, b| a.0.cmp(&b.0)));
        Inventory::from_sorted(self.groups)
    }
}
