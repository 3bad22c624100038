//! What the analysis needs of grants, folded while loading.
//!
//! A large organisation holds millions of grants and the analysis reads only two facts
//! from them: how many there are, and the highest level each account holds directly
//! (inheritance through groups and roles is resolved from accounts). A store can fold
//! grants into a [`GrantDigest`] as it reads them instead of building a record for each:
//! most of the memory and time of loading a large organisation is its grants.

use crate::{Inventory, Level};
use foldhash::HashMap;
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantDigest {
    /// Grants seen.
    pub count: usize,
    /// Account key → the highest level among its own grants.
    highest: HashMap<String, Level>,
}

/// The two fields read from a grant's JSON; the others are skipped, not parsed.
#[derive(Deserialize)]
struct LevelOf<'a> {
    #[serde(borrow)]
    account: Cow<'a, str>,
    level: Level,
}

impl GrantDigest {
    /// The digest of the grants an inventory holds.
    pub fn of(inv: &Inventory) -> GrantDigest {
        let mut digest = GrantDigest::default();
        for g in inv.grants() {
            digest.add(&g.account, g.level);
        }
        digest
    }

    pub fn add(&mut self, account: &str, level: Level) {
        self.count += 1;
        match self.highest.get_mut(account) {
            Some(highest) => *highest = (*highest).max(level),
            None => {
                self.highest.insert(account.to_string(), level);
            }
        }
    }

    /// Reads the account and level of a grant stored as JSON, without building the grant.
    pub fn parse(body: &str) -> Result<(Cow<'_, str>, Level), serde_json::Error> {
        let LevelOf { account, level } = serde_json::from_str(body)?;
        Ok((account, level))
    }

    /// The highest level `account` holds through its own grants, if any.
    pub fn highest(&self, account: &str) -> Option<Level> {
        self.highest.get(account).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_needs_and_keeps_the_highest_level() {
        let (account, level) = GrantDigest::parse(r#"{"account":"erp\/ann","privilege":"x","level":"admin","via":"g"}"#).unwrap();
        assert_eq!((account.as_ref(), level), ("erp/ann", Level::Admin));
        let mut d = GrantDigest::default();
        d.add("erp/ann", Level::Read);
        d.add("erp/ann", Level::Admin);
        d.add("erp/ann", Level::Write);
        d.add("dns/bob", Level::Write);
        assert_eq!(
            (d.count, d.highest("erp/ann"), d.highest("dns/bob"), d.highest("x")),
            (4, Some(Level::Admin), Some(Level::Write), None)
        );
        assert!(GrantDigest::parse(r#"{"account":"a"}"#).is_err());
    }
}
