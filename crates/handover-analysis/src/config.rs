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
    /// Where `handover notify` sends its e-mail; absent means it can only `--dry-run`.
    pub smtp: Option<Smtp>,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is then required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a test sink.
    None,
}

/// The `[smtp]` section. The password is never in the file itself: it is read from
/// `password_file` or the environment variable named by `password_env`, so the file can
/// be shared and committed and the secret never appears in a command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    /// Defaults to 587 (starttls), 465 (tls) or 25 (none).
    #[serde(default)]
    pub port: Option<u16>,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password_file: Option<std::path::PathBuf>,
    #[serde(default)]
    pub password_env: Option<String>,
}

impl Smtp {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        })
    }
}
