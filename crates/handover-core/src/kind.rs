//! The record kinds and their names in files, on the command line and in the store.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of first-class record. The order of the variants is the order in which the org
/// file lists sections and in which exports write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Person,
    Role,
    Vendor,
    Contact,
    Contract,
    System,
    Account,
    Grant,
    Credential,
    Project,
    Policy,
    Repository,
    Acceptance,
    Plan,
    Escrow,
    Review,
    Incident,
}

impl Kind {
    pub const ALL: [Kind; 17] = [
        Kind::Person,
        Kind::Role,
        Kind::Vendor,
        Kind::Contact,
        Kind::Contract,
        Kind::System,
        Kind::Account,
        Kind::Grant,
        Kind::Credential,
        Kind::Project,
        Kind::Policy,
        Kind::Repository,
        Kind::Acceptance,
        Kind::Plan,
        Kind::Escrow,
        Kind::Review,
        Kind::Incident,
    ];

    /// Singular name: the CLI noun (`handover person list`) and the store's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Role => "role",
            Kind::Vendor => "vendor",
            Kind::Contact => "contact",
            Kind::Contract => "contract",
            Kind::System => "system",
            Kind::Account => "account",
            Kind::Grant => "grant",
            Kind::Credential => "credential",
            Kind::Project => "project",
            Kind::Policy => "policy",
            Kind::Repository => "repository",
            Kind::Acceptance => "acceptance",
            Kind::Plan => "plan",
            Kind::Escrow => "escrow",
            Kind::Review => "review",
            Kind::Incident => "incident",
        }
    }

    /// Plural name: the org-file section and the key in `stats --format json`.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Person => "people",
            Kind::Role => "roles",
            Kind::Vendor => "vendors",
            Kind::Contact => "contacts",
            Kind::Contract => "contracts",
            Kind::System => "systems",
            Kind::Account => "accounts",
            Kind::Grant => "grants",
            Kind::Credential => "credentials",
            Kind::Project => "projects",
            Kind::Policy => "policies",
            Kind::Repository => "repositories",
            Kind::Acceptance => "acceptances",
            Kind::Plan => "plans",
            Kind::Escrow => "escrows",
            Kind::Review => "reviews",
            Kind::Incident => "incidents",
        }
    }

    /// Whether the key is chosen by the user (a slug) rather than derived from other fields.
    pub fn has_slug_key(self) -> bool {
        !matches!(self, Kind::Account | Kind::Grant)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s || k.plural() == s).ok_or_else(|| format!("unknown record kind {s:?}"))
    }
}

/// Whether `s` is a valid slug key: lower-case ASCII letters and digits, then also `.`, `_`
/// and `-`; at most 128 characters.
pub fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.len() <= 128
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_both_names() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
            assert_eq!(k.plural().parse::<Kind>().unwrap(), k);
        }
        assert!("peoples".parse::<Kind>().is_err());
    }

    #[test]
    fn slugs() {
        assert!(is_slug("dana-whitfield"));
        assert!(is_slug("m365"));
        assert!(is_slug("a.b_c-d"));
        assert!(!is_slug(""));
        assert!(!is_slug("-dana"));
        assert!(!is_slug("Dana"));
        assert!(!is_slug("dana whitfield"));
        assert!(!is_slug(&"a".repeat(129)));
    }
}
