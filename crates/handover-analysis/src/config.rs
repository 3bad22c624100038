//! Thresholds for the audit, read from `handover.toml` by the binary. Every field has a
//! documented default, so an empty or absent file means "the defaults".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// An active account not used for this many days is dormant (CIS 5.3 says 45).
    pub dormant_days: i64,
    /// A credential without its own rotation interval is stale after this many days.
    pub credential_max_age_days: i64,
    /// Documentation not reviewed for this many days is stale.
    pub docs_review_days: i64,
    /// Contracts ending within this many days are reported.
    pub contract_horizon_days: i64,
    /// Credentials expiring within this many days are reported.
    pub credential_expiry_days: i64,
    /// A system where more than this share of its people have admin has excessive admin…
    pub excessive_admin_share: f64,
    /// …if it has at least this many people with accounts (small systems are exempt).
    pub excessive_admin_min_people: usize,
    /// A person with admin on at least this many systems has accumulated too much.
    pub toxic_admin_systems: usize,
    /// Single-admin and single-knower findings cover systems of this tier or more critical.
    pub key_person_max_tier: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            dormant_days: 90,
            credential_max_age_days: 365,
            docs_review_days: 365,
            contract_horizon_days: 60,
            credential_expiry_days: 30,
            excessive_admin_share: 0.25,
            excessive_admin_min_people: 8,
            toxic_admin_systems: 6,
            key_person_max_tier: 2,
        }
    }
}

/// The whole `handover.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub thresholds: Thresholds,
}
