//! What the analysis needs of grants, folded while loading.
//!
//! A large organisation holds millions of grants and the analysis reads only two facts
//! from them: how many there are, and the highest level each account holds directly
//! (inheritance through groups and roles is resolved from accounts). A store keeps the
//! number of grants per account and level (its `grant_levels` table) and hands those over
//! as a [`GrantDigest`] instead of a record per grant: most of the memory and time of
//! loading a large organisation would otherwise be its grants.

use crate::{Inventory, Level};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantDigest {
    /// Grants seen.
    pub count: usize,
    /// Each account holding grants, by key in order, with the highest level among its
    /// own grants. Sorted rather than hashed: it is built from a table already in key
    /// order and read alongside accounts in key order (see [`GrantDigest::sorted`]).
    highest: Vec<(String, Level)>,
}

/// The highest level among counts per level, if any is not zero.
fn highest_of(read: u64, write: u64, admin: u64) -> Option<Level> {
    [(admin, Level::Admin), (write, Level::Write), (read, Level::Read)].into_iter().find(|(n, _)| *n > 0).map(|(_, l)| l)
}

impl GrantDigest {
    /// The digest of the grants an inventory holds.
    pub fn of(inv: &Inventory) -> GrantDigest {
        let mut highest: BTreeMap<&str, Level> = BTreeMap::new();
        let mut count = 0;
        for g in inv.grants() {
            count += 1;
            let level = highest.entry(&g.account).or_insert(g.level);
            *level = (*level).max(g.level);
        }
        GrantDigest { count, highest: highest.into_iter().map(|(a, l)| (a.to_string(), l)).collect() }
    }

    /// The digest of grants as a store counts them: per account, how many at each level
    /// (read, write, admin), as the store's integers (a negative count, which only a
    /// hand-edited database could hold, counts as none). Accounts may come in any order,
    /// and more than once.
    pub fn from_counts(counts: impl IntoIterator<Item = (String, i64, i64, i64)>) -> GrantDigest {
        let mut count = 0;
        let mut highest: Vec<(String, Level)> = counts
            .into_iter()
            .filter_map(|(account, read, write, admin)| {
                let [read, write, admin] = [read, write, admin].map(|n| n.max(0) as u64);
                count += (read + write + admin) as usize;
                highest_of(read, write, admin).map(|level| (account, level))
            })
            .collect();
        if !highest.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable, so that of equal accounts the highest level can be kept below.
            highest.sort_by(|a, b| a.0.cmp(&b.0));
            highest.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 = kept.1.max(later.1);
                }
                same
            });
        }
        GrantDigest { count, highest }
    }

    /// The highest level `account` holds through its own grants, if any.
    pub fn highest(&self, account: &str) -> Option<Level> {
        self.highest.binary_search_by(|(a, _)| a.as_str().cmp(account)).ok().map(|i| self.highest[i].1)
    }

    /// Every account holding grants with its highest level, in key order.
    pub fn sorted(&self) -> &[(String, Level)] {
        &self.highest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_highest_level() {
        let d = GrantDigest::from_counts([
            ("erp/ann".into(), 1, 0, 0),
            ("erp/ann".into(), 0, 0, 1),
            ("erp/ann".into(), 0, 1, 0),
            ("dns/bob".into(), 0, 1, 0),
        ]);
        assert_eq!(d.sorted().iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["dns/bob", "erp/ann"]);
        assert_eq!(
            (d.count, d.highest("erp/ann"), d.highest("dns/bob"), d.highest("x")),
            (4, Some(Level::Admin), Some(Level::Write), None)
        );
    }

    #[test]
    fn counts_per_level_give_the_same_digest_as_the_grants() {
        let mut inv = Inventory::new();
        for (account, privilege, level) in
            [("erp/ann", "a", "read"), ("erp/ann", "b", "read"), ("erp/ann", "c", "write"), ("dns/bob", "a", "admin")]
        {
            let grant = serde_json::json!({"account": account, "privilege": privilege, "level": level});
            inv.insert(crate::Record::from_json(crate::Kind::Grant, grant).unwrap());
        }
        let counted = GrantDigest::from_counts([("erp/ann".into(), 2, 1, 0), ("dns/bob".into(), 0, 0, 1), ("vpn/eve".into(), -1, 0, 0)]);
        assert_eq!(counted, GrantDigest::of(&inv));
        assert_eq!((counted.count, counted.highest("vpn/eve")), (4, None));
    }
}
