//! The first-class records. Field names are the org-file field names; every struct refuses
//! unknown fields so that a typo, or a secret pasted where it does not belong, is an error
//! and never silently stored.
//!
//! Optional and default-valued fields are left out when serialised, so exports stay short
//! and `export → apply → export` is byte-identical.

use crate::{Interval, Kind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A closed set of lower-case names, with its default variant.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? } default $default:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $s)] $variant,)+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s,)+ }
            }
        }
        impl Default for $name {
            fn default() -> Self { $name::$default }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(PersonKind { Employee => "employee", Contractor => "contractor", VendorStaff => "vendor_staff" } default Employee);
string_enum!(PersonStatus { Active => "active", Leaving => "leaving", Left => "left" } default Active);
string_enum!(SystemKind { Saas => "saas", Application => "application", Infrastructure => "infrastructure", Custom => "custom", Integration => "integration" } default Application);
string_enum!(PatchCadence { Weekly => "weekly", Monthly => "monthly", Quarterly => "quarterly", VendorManaged => "vendor_managed", AdHoc => "ad_hoc", None => "none" } default AdHoc);
string_enum!(
    /// `group` and `role` accounts hold grants that their members inherit: a group's
    /// members, or the identities allowed to assume a role.
    AccountKind { Personal => "personal", Shared => "shared", Service => "service", Group => "group", Role => "role" } default Personal
);
string_enum!(
    /// `removed`: the account vanished from its source at the last import (kept, not
    /// deleted, so history and verification can still see it).
    AccountStatus { Active => "active", Disabled => "disabled", Removed => "removed" } default Active
);

impl AccountKind {
    /// Groups and roles: accounts that stand for a set of others rather than a login.
    pub fn is_container(self) -> bool {
        matches!(self, AccountKind::Group | AccountKind::Role)
    }
}
string_enum!(
    /// How much a grant lets its holder do. Ordered: `Read < Write < Admin`.
    Level { Read => "read", Write => "write", Admin => "admin" } default Read
);
string_enum!(CredentialKind { Password => "password", ApiKey => "api_key", SshKey => "ssh_key", Certificate => "certificate", Token => "token", BreakGlass => "break_glass", Other => "other" } default Other);
string_enum!(VendorKind { Vendor => "vendor", Msp => "msp", Partner => "partner", Reseller => "reseller" } default Vendor);
string_enum!(ContractKind { Maintenance => "maintenance", Support => "support", License => "license", Subscription => "subscription", Msp => "msp", Other => "other" } default Other);
string_enum!(ProjectStatus { Planned => "planned", Active => "active", OnHold => "on_hold", Done => "done", Cancelled => "cancelled" } default Active);
string_enum!(Severity { Low => "low", Medium => "medium", High => "high", Critical => "critical" } default Medium);
string_enum!(PolicyKind { SecurityPolicy => "security_policy", DrPlan => "dr_plan", BackupPlan => "backup_plan", CrisisPlan => "crisis_plan", CommunicationPlan => "communication_plan", SuccessionPlan => "succession_plan", AcceptableUse => "acceptable_use", Other => "other" } default Other);

/// An employee, contractor or vendor's staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: PersonKind,
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: PersonStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaving_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Other usernames and emails this person is known by, for identity resolution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Public key escrow shares are encrypted to when they are a custodian: an age
    /// recipient (`age1…`) or an SSH public key. Public, never a private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrow_key: Option<String>,
}

/// A responsibility such as "DNS admin" or "incident commander".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub critical: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deputies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: VendorKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// The person inside the organisation who manages the relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_owner: Option<String>,
}

/// Someone outside the organisation: a vendor's engineer, an account manager, a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub key: String,
    pub name: String,
    pub vendor: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: ContractKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<Date>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub auto_renew: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<String>,
}

/// A link to documentation and when someone last checked it was still true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocLink {
    pub title: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patching {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub cadence: PatchCadence,
}

/// An application, piece of infrastructure, SaaS, custom solution or integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: SystemKind,
    /// Criticality: 1 is business-critical, 4 is low.
    pub tier: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The business owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technical_owners: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub docs: Vec<DocLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto: Option<Interval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo: Option<Interval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_contract: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patching: Option<Patching>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Set for a system bought or built outside IT (shadow IT) while it goes through intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake: Option<Intake>,
}

impl System {
    /// For a system in intake (shadow IT): what it still lacks before it can be accepted —
    /// a business owner, a technical owner, a vendor with a named contact, a maintenance
    /// agreement (or a recorded decision to go without), a patching owner and a real cadence,
    /// and documentation. Empty when nothing is missing.
    pub fn intake_gaps(&self, inv: &crate::Inventory) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.owner.is_none() {
            out.push("a business owner");
        }
        if self.technical_owners.is_empty() {
            out.push("a technical owner");
        }
        match &self.vendor {
            None => out.push("a vendor (the supplier, or whoever built it)"),
            Some(v) => {
                let has_contact = inv.contacts().any(|c| c.vendor.as_deref() == Some(v.as_str()));
                if !has_contact {
                    out.push("a named contact at the vendor");
                }
            }
        }
        let waived = self.intake.as_ref().is_some_and(|i| i.no_maintenance.is_some());
        if self.maintenance_contract.is_none() && !waived {
            out.push("a maintenance agreement, or a recorded decision to go without");
        }
        match &self.patching {
            Some(p) if p.owner.is_some() && !matches!(p.cadence, PatchCadence::None | PatchCadence::AdHoc) => {}
            _ => out.push("a patching owner and cadence"),
        }
        if self.docs.is_empty() {
            out.push("documentation");
        }
        out
    }
}

string_enum!(IntakeStatus { Pending => "pending", Accepted => "accepted" } default Pending);

/// A system taken in from outside IT (seeds 001, 002). It stays `pending` until it has a
/// business owner, a technical owner, a vendor contact, a maintenance agreement (or a
/// recorded decision to go without), a patching owner and cadence, and documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    pub requested_by: String,
    pub requested_on: Date,
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: IntakeStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_on: Option<Date>,
    /// The decision to run without a maintenance agreement, and who took the risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_maintenance: Option<Waiver>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub accepted_by: String,
    pub reason: String,
    pub on: Date,
}

/// An identity in one system. Its key is `SYSTEM/NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub system: String,
    pub name: String,
    /// The person this account belongs to; `None` means unlinked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: AccountKind,
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: AccountStatus,
    /// Whether MFA is enforced; `None` means unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Date>,
    /// Keys of the group and role accounts this account is a member of (or may assume);
    /// their grants are inherited, transitively.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_of: Vec<String>,
}

impl Account {
    /// An active account with nothing known yet about who holds it: what a source starts from.
    pub fn new(system: impl Into<String>, name: impl Into<String>, kind: AccountKind) -> Account {
        Account {
            system: system.into(),
            name: name.into(),
            person: None,
            kind,
            status: AccountStatus::Active,
            mfa: None,
            last_used: None,
            created: None,
            member_of: Vec::new(),
        }
    }

    pub fn key_of(system: &str, name: &str) -> String {
        format!("{system}/{name}")
    }
}

/// A privilege held by an account. Its key is `SYSTEM/NAME/PRIVILEGE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The key of the account holding the grant.
    pub account: String,
    pub privilege: String,
    pub level: Level,
    /// The group or role the grant is inherited through; `None` means direct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Grant {
    pub fn key_of(account_key: &str, privilege: &str) -> String {
        format!("{account_key}/{privilege}")
    }
}

/// A reference to a secret and facts about it. Never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: CredentialKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Where the secret lives (a vault path, a safe), so it can be found and rotated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Who knows or holds it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_interval: Option<Interval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRisk {
    pub description: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: ProjectStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_lead: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<ProjectRisk>,
}

/// A policy or plan: security policy, DR plan, crisis plan, succession plan…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: PolicyKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_interval: Option<Interval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<String>,
    /// Every recorded review, oldest first: who reviewed it and what they found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<PolicyReview>,
}

/// One review of a policy or plan: a named reviewer and their notes are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyReview {
    pub on: Date,
    pub reviewer: String,
    pub notes: String,
}

impl Policy {
    /// The date the next review is due, if the policy has an interval and was ever reviewed.
    pub fn next_review(&self) -> Option<Date> {
        let interval = self.review_interval?;
        let days = i64::try_from(interval.days()).ok()?;
        self.last_reviewed?.checked_add(jiff::Span::new().try_days(days).ok()?).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    pub key: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who knows the code, from `handover git scan`; absent until scanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<crate::RepoScan>,
}

/// A break-glass secret held in escrow: encrypted under a key that is split among
/// custodians, any `threshold` of whom can open it (see `handover-escrow`). Only
/// ciphertexts are stored; the secret itself never is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escrow {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The system the secret opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub threshold: u8,
    /// Bumped at every rekey; shares of older generations no longer open it.
    pub generation: u32,
    pub sealed_on: Date,
    /// base64(nonce ‖ ChaCha20-Poly1305 ciphertext of the secret).
    pub ciphertext: String,
    pub shares: Vec<EscrowShare>,
    /// Every opening, with who took part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub openings: Vec<EscrowOpening>,
}

/// One custodian's share, encrypted to their public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscrowShare {
    pub custodian: String,
    /// The age recipient or SSH public key the share is encrypted to.
    pub recipient: String,
    /// The share, age-encrypted (ASCII armour).
    pub ciphertext: String,
    /// SHA-256 of the share text, to name a tampered share on opening.
    pub commitment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscrowOpening {
    pub on: Date,
    /// Who ran the opening.
    pub by: String,
    pub custodians: Vec<String>,
    pub reason: String,
}

impl Escrow {
    pub fn custodians(&self) -> impl Iterator<Item = &str> {
        self.shares.iter().map(|s| s.custodian.as_str())
    }
}

/// An accepted risk: a finding of `rule` about `subject` that someone with the authority
/// to do so decided to live with, for a reason, until a date. Audit shows it as accepted
/// instead of open until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub key: String,
    /// The audit rule id, e.g. `HO-KEY-001`.
    pub rule: String,
    /// The finding's subject as `KIND:KEY`, e.g. `system:erp` or `account:erp/sa`.
    pub subject: String,
    pub reason: String,
    pub accepted_by: String,
    pub expires: Date,
}

string_enum!(PlanMode { Friendly => "friendly", Hostile => "hostile" } default Friendly);
string_enum!(
    /// What a departure-plan task does; also its phase, in this order.
    TaskKind { Knowledge => "knowledge", Transfer => "transfer", Revoke => "revoke", Rotate => "rotate", Communicate => "communicate", Verify => "verify" } default Knowledge
);
string_enum!(TaskStatus { Open => "open", Done => "done", Skipped => "skipped" } default Open);

impl TaskKind {
    /// The phase heading a plan shows for this kind of task, numbered in plan order.
    pub fn phase_title(self) -> &'static str {
        match self {
            TaskKind::Knowledge => "1. Knowledge transfer",
            TaskKind::Transfer => "2. Transfers",
            TaskKind::Revoke => "3. Revoke access",
            TaskKind::Rotate => "4. Rotate secrets",
            TaskKind::Communicate => "5. Communicate",
            TaskKind::Verify => "6. Verify",
        }
    }
}

string_enum!(
    /// Whom an access review asks about each grant.
    ReviewerRule { Owner => "owner", Manager => "manager" } default Owner
);
string_enum!(ReviewStatus { Open => "open", Closed => "closed" } default Open);
string_enum!(
    /// A reviewer's decision on one grant.
    Decision { Keep => "keep", Revoke => "revoke", Modify => "modify" } default Keep
);

/// An access-review campaign (CIS 5.1, 6.1–6.2; ISO/IEC 27001 A.5.18): one item per grant in
/// scope, each assigned to a reviewer who is not its holder, decided keep / revoke / modify
/// with a reason. Closed campaigns are the auditor's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub key: String,
    pub name: String,
    /// `system:KEY`, `person:KEY` or `all-admin`.
    pub scope: String,
    pub reviewer_rule: ReviewerRule,
    pub started: Date,
    pub due: Date,
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: ReviewStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ReviewItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewItem {
    /// What is reviewed: a grant's key (`SYSTEM/ACCOUNT/PRIVILEGE`) or a membership
    /// (`SYSTEM/ACCOUNT member of SYSTEM/GROUP`), as at the start of the campaign.
    pub access: String,
    /// The account holding it.
    pub account: String,
    pub level: Level,
    /// The person holding it, if the account is linked to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// Who decides; never the holder. None when nobody but the holder could.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<Date>,
}

impl ReviewItem {
    /// Whether the access this item names still exists, active, in `inv`.
    pub fn still_active(&self, inv: &crate::Inventory) -> bool {
        let Some(Record::Account(a)) = inv.get(crate::Kind::Account, &self.account) else { return false };
        if a.status != AccountStatus::Active {
            return false;
        }
        match self.access.split_once(" member of ") {
            Some((_, group)) => a.member_of.iter().any(|g| g == group),
            None => inv.contains(crate::Kind::Grant, &self.access),
        }
    }

    /// The key of the grant this item reviews; `None` for a membership.
    pub fn grant_key(&self) -> Option<&str> {
        (!self.access.contains(" member of ")).then_some(self.access.as_str())
    }
}

impl Review {
    /// Items decided, of all.
    pub fn progress(&self) -> (usize, usize) {
        (self.items.iter().filter(|i| i.decision.is_some()).count(), self.items.len())
    }
}

string_enum!(IncidentStatus { Open => "open", Closed => "closed" } default Open);
string_enum!(
    /// What a timeline entry records.
    EntryKind { Note => "note", Decision => "decision", Action => "action" } default Note
);

/// An incident and its timeline (seed 004): who led it, what happened when, what was
/// decided and done — written as it happens, kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub key: String,
    pub title: String,
    /// ransomware, breach, outage, key-person, disaster, or anything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    pub started: jiff::civil::DateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commander: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: IncidentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<jiff::civil::DateTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    pub at: jiff::civil::DateTime,
    pub by: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: EntryKind,
    pub text: String,
}

/// A departure or lock-out plan for one person: an ordered, timed runbook. Generated by
/// `handover-plan`; its tasks change state as people do them, and every change is an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub key: String,
    /// The person leaving.
    pub person: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub mode: PlanMode,
    /// When they leave (hostile: when the lock-out window opens), local time.
    pub leaving_at: jiff::civil::DateTime,
    /// Hostile mode: every revocation falls within this long after `leaving_at`.
    pub window: Interval,
    /// Who runs the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub created: Date,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<Task>,
    /// How often the transition is checked in on (seed 000 §9: regular check-ins, adjust).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkin_every: Option<Interval>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkins: Vec<CheckIn>,
}

/// One check-in on a transition: what was found, decided and changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    pub on: Date,
    /// Who held it; never the person leaving.
    pub by: String,
    pub notes: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjustments: Vec<String>,
}

impl Plan {
    /// When the next check-in is due: the last one (or the plan's creation) plus the interval.
    pub fn next_checkin(&self) -> Option<Date> {
        let every = self.checkin_every?;
        let last = self.checkins.iter().map(|c| c.on).max().unwrap_or(self.created);
        last.checked_add(jiff::Span::new().days(i64::try_from(every.days()).ok()?)).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Stable across re-generation (e.g. `revoke/entra-id/dana@example.com`), so a plan
    /// regenerated after new imports keeps what was already done.
    pub id: String,
    pub kind: TaskKind,
    pub title: String,
    /// The records it acts on, as `KIND:KEY`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Who does it: never the person leaving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    pub due: jiff::civil::DateTime,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// What proves it done.
    pub evidence_required: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<String>,
    /// Why this task, or why this assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Communication tasks: the message handover drafted from the plan (who takes over
    /// what, from when, whom to ask), to check and send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: TaskStatus,
    /// The evidence given when done, or the reason when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
}

/// Any record. The store and the generic CLI work with this; analysis uses the typed views
/// on [`crate::Inventory`].
///
/// Grants are by far the most numerous records (millions in a large organisation), so
/// they are held inline and every other kind is boxed: a `Record` is the size of a grant,
/// which keeps the store's load and the inventory's maps small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Record {
    Person(Box<Person>),
    Role(Box<Role>),
    Vendor(Box<Vendor>),
    Contact(Box<Contact>),
    Contract(Box<Contract>),
    System(Box<System>),
    Account(Box<Account>),
    Grant(Grant),
    Credential(Box<Credential>),
    Project(Box<Project>),
    Policy(Box<Policy>),
    Repository(Box<Repository>),
    Acceptance(Box<Acceptance>),
    Plan(Box<Plan>),
    Escrow(Box<Escrow>),
    Review(Box<Review>),
    Incident(Box<Incident>),
}

macro_rules! into_record {
    ($($ty:ident => $wrap:expr),+ $(,)?) => {
        $(impl From<$ty> for Record {
            fn from(r: $ty) -> Record { $wrap(r) }
        })+
    };
}

into_record!(
    Person => |r| Record::Person(Box::new(r)),
    Role => |r| Record::Role(Box::new(r)),
    Vendor => |r| Record::Vendor(Box::new(r)),
    Contact => |r| Record::Contact(Box::new(r)),
    Contract => |r| Record::Contract(Box::new(r)),
    System => |r| Record::System(Box::new(r)),
    Account => |r| Record::Account(Box::new(r)),
    Grant => Record::Grant,
    Credential => |r| Record::Credential(Box::new(r)),
    Project => |r| Record::Project(Box::new(r)),
    Policy => |r| Record::Policy(Box::new(r)),
    Repository => |r| Record::Repository(Box::new(r)),
    Acceptance => |r| Record::Acceptance(Box::new(r)),
    Plan => |r| Record::Plan(Box::new(r)),
    Escrow => |r| Record::Escrow(Box::new(r)),
    Review => |r| Record::Review(Box::new(r)),
    Incident => |r| Record::Incident(Box::new(r)),
);

/// A reference from one record to another: which field, which kind, which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref<'a> {
    pub field: String,
    pub kind: Kind,
    pub key: &'a str,
}

fn one<'a>(out: &mut Vec<Ref<'a>>, field: &str, kind: Kind, key: &'a Option<String>) {
    if let Some(key) = key {
        out.push(Ref { field: field.to_string(), kind, key });
    }
}

fn many<'a>(out: &mut Vec<Ref<'a>>, field: &str, kind: Kind, keys: &'a [String]) {
    for (i, key) in keys.iter().enumerate() {
        out.push(Ref { field: format!("{field}[{i}]"), kind, key });
    }
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Person(_) => Kind::Person,
            Record::Role(_) => Kind::Role,
            Record::Vendor(_) => Kind::Vendor,
            Record::Contact(_) => Kind::Contact,
            Record::Contract(_) => Kind::Contract,
            Record::System(_) => Kind::System,
            Record::Account(_) => Kind::Account,
            Record::Grant(_) => Kind::Grant,
            Record::Credential(_) => Kind::Credential,
            Record::Project(_) => Kind::Project,
            Record::Policy(_) => Kind::Policy,
            Record::Repository(_) => Kind::Repository,
            Record::Acceptance(_) => Kind::Acceptance,
            Record::Plan(_) => Kind::Plan,
            Record::Escrow(_) => Kind::Escrow,
            Record::Review(_) => Kind::Review,
            Record::Incident(_) => Kind::Incident,
        }
    }

    /// The human key: a slug, or `SYSTEM/NAME[/PRIVILEGE]` for accounts and grants.
    pub fn key(&self) -> String {
        match self {
            Record::Person(r) => r.key.clone(),
            Record::Role(r) => r.key.clone(),
            Record::Vendor(r) => r.key.clone(),
            Record::Contact(r) => r.key.clone(),
            Record::Contract(r) => r.key.clone(),
            Record::System(r) => r.key.clone(),
            Record::Account(r) => Account::key_of(&r.system, &r.name),
            Record::Grant(r) => Grant::key_of(&r.account, &r.privilege),
            Record::Credential(r) => r.key.clone(),
            Record::Project(r) => r.key.clone(),
            Record::Policy(r) => r.key.clone(),
            Record::Repository(r) => r.key.clone(),
            Record::Acceptance(r) => r.key.clone(),
            Record::Plan(r) => r.key.clone(),
            Record::Escrow(r) => r.key.clone(),
            Record::Review(r) => r.key.clone(),
            Record::Incident(r) => r.key.clone(),
        }
    }

    /// A short human label for tables and messages.
    pub fn label(&self) -> String {
        match self {
            Record::Person(r) => r.name.clone(),
            Record::Role(r) => r.name.clone(),
            Record::Vendor(r) => r.name.clone(),
            Record::Contact(r) => r.name.clone(),
            Record::Contract(r) => r.name.clone(),
            Record::System(r) => r.name.clone(),
            Record::Account(r) => r.name.clone(),
            Record::Grant(r) => format!("{} ({})", r.privilege, r.level),
            Record::Credential(r) => r.name.clone(),
            Record::Project(r) => r.name.clone(),
            Record::Policy(r) => r.name.clone(),
            Record::Repository(r) => r.url.clone(),
            Record::Acceptance(r) => format!("{} on {}", r.rule, r.subject),
            Record::Plan(r) => format!("{} plan for {}", r.mode, r.person),
            Record::Escrow(r) => r.name.clone(),
            Record::Review(r) => r.name.clone(),
            Record::Incident(r) => r.title.clone(),
        }
    }

    /// Every reference this record makes to another record.
    pub fn refs(&self) -> Vec<Ref<'_>> {
        let mut out = Vec::new();
        let o = &mut out;
        match self {
            Record::Person(r) => one(o, "manager", Kind::Person, &r.manager),
            Record::Role(r) => {
                many(o, "holders", Kind::Person, &r.holders);
                many(o, "deputies", Kind::Person, &r.deputies);
                many(o, "systems", Kind::System, &r.systems);
            }
            Record::Vendor(r) => one(o, "relationship_owner", Kind::Person, &r.relationship_owner),
            Record::Contact(r) => {
                one(o, "vendor", Kind::Vendor, &r.vendor);
                many(o, "systems", Kind::System, &r.systems);
                many(o, "projects", Kind::Project, &r.projects);
            }
            Record::Contract(r) => {
                o.push(Ref { field: "vendor".into(), kind: Kind::Vendor, key: &r.vendor });
                one(o, "owner", Kind::Person, &r.owner);
                many(o, "systems", Kind::System, &r.systems);
            }
            Record::System(r) => {
                one(o, "owner", Kind::Person, &r.owner);
                many(o, "technical_owners", Kind::Person, &r.technical_owners);
                if let Some(intake) = &r.intake {
                    o.push(Ref { field: "intake.requested_by".into(), kind: Kind::Person, key: &intake.requested_by });
                    one(o, "intake.accepted_by", Kind::Person, &intake.accepted_by);
                    if let Some(w) = &intake.no_maintenance {
                        o.push(Ref { field: "intake.no_maintenance.accepted_by".into(), kind: Kind::Person, key: &w.accepted_by });
                    }
                }
                one(o, "vendor", Kind::Vendor, &r.vendor);
                for (i, d) in r.docs.iter().enumerate() {
                    one(o, &format!("docs[{i}].author"), Kind::Person, &d.author);
                }
                one(o, "maintenance_contract", Kind::Contract, &r.maintenance_contract);
                if let Some(p) = &r.patching {
                    one(o, "patching.owner", Kind::Person, &p.owner);
                }
                many(o, "depends_on", Kind::System, &r.depends_on);
            }
            Record::Account(r) => {
                o.push(Ref { field: "system".into(), kind: Kind::System, key: &r.system });
                one(o, "person", Kind::Person, &r.person);
                many(o, "member_of", Kind::Account, &r.member_of);
            }
            Record::Grant(r) => o.push(Ref { field: "account".into(), kind: Kind::Account, key: &r.account }),
            Record::Credential(r) => {
                one(o, "system", Kind::System, &r.system);
                many(o, "holders", Kind::Person, &r.holders);
            }
            Record::Project(r) => {
                one(o, "lead", Kind::Person, &r.lead);
                one(o, "backup_lead", Kind::Person, &r.backup_lead);
                many(o, "systems", Kind::System, &r.systems);
                for (i, risk) in r.risks.iter().enumerate() {
                    one(o, &format!("risks[{i}].owner"), Kind::Person, &risk.owner);
                }
            }
            Record::Policy(r) => {
                one(o, "owner", Kind::Person, &r.owner);
                many(o, "systems", Kind::System, &r.systems);
                for (i, review) in r.reviews.iter().enumerate() {
                    o.push(Ref { field: format!("reviews[{i}].reviewer"), kind: Kind::Person, key: &review.reviewer });
                }
            }
            Record::Repository(r) => {
                one(o, "system", Kind::System, &r.system);
                for (i, a) in r.scan.iter().flat_map(|s| s.authors.iter().enumerate()) {
                    one(o, &format!("scan.authors[{i}].person"), Kind::Person, &a.person);
                }
            }
            Record::Acceptance(r) => o.push(Ref { field: "accepted_by".into(), kind: Kind::Person, key: &r.accepted_by }),
            Record::Escrow(r) => {
                one(o, "system", Kind::System, &r.system);
                for (i, share) in r.shares.iter().enumerate() {
                    o.push(Ref { field: format!("shares[{i}].custodian"), kind: Kind::Person, key: &share.custodian });
                }
            }
            Record::Incident(r) => {
                one(o, "commander", Kind::Person, &r.commander);
                many(o, "systems", Kind::System, &r.systems);
                for (i, e) in r.timeline.iter().enumerate() {
                    o.push(Ref { field: format!("timeline[{i}].by"), kind: Kind::Person, key: &e.by });
                }
            }
            Record::Review(r) => {
                for (i, item) in r.items.iter().enumerate() {
                    one(o, &format!("items[{i}].reviewer"), Kind::Person, &item.reviewer);
                }
            }
            Record::Plan(r) => {
                o.push(Ref { field: "person".into(), kind: Kind::Person, key: &r.person });
                one(o, "owner", Kind::Person, &r.owner);
                for (i, c) in r.checkins.iter().enumerate() {
                    o.push(Ref { field: format!("checkins[{i}].by"), kind: Kind::Person, key: &c.by });
                }
                for (i, t) in r.tasks.iter().enumerate() {
                    one(o, &format!("tasks[{i}].assignee"), Kind::Person, &t.assignee);
                }
            }
        }
        out
    }

    /// The record as a JSON value, fields in declaration order.
    pub fn to_json(&self) -> serde_json::Value {
        // Serialising these plain structs cannot fail: no maps with non-string keys.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Reads a record of `kind` from any serde deserializer, refusing unknown fields.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(kind: Kind, d: D) -> Result<Record, D::Error> {
        Ok(match kind {
            Kind::Person => Record::Person(Deserialize::deserialize(d)?),
            Kind::Role => Record::Role(Deserialize::deserialize(d)?),
            Kind::Vendor => Record::Vendor(Deserialize::deserialize(d)?),
            Kind::Contact => Record::Contact(Deserialize::deserialize(d)?),
            Kind::Contract => Record::Contract(Deserialize::deserialize(d)?),
            Kind::System => Record::System(Deserialize::deserialize(d)?),
            Kind::Account => Record::Account(Deserialize::deserialize(d)?),
            Kind::Grant => Record::Grant(Deserialize::deserialize(d)?),
            Kind::Credential => Record::Credential(Deserialize::deserialize(d)?),
            Kind::Project => Record::Project(Deserialize::deserialize(d)?),
            Kind::Policy => Record::Policy(Deserialize::deserialize(d)?),
            Kind::Repository => Record::Repository(Deserialize::deserialize(d)?),
            Kind::Acceptance => Record::Acceptance(Deserialize::deserialize(d)?),
            Kind::Plan => Record::Plan(Deserialize::deserialize(d)?),
            Kind::Escrow => Record::Escrow(Deserialize::deserialize(d)?),
            Kind::Review => Record::Review(Deserialize::deserialize(d)?),
            Kind::Incident => Record::Incident(Deserialize::deserialize(d)?),
        })
    }

    /// Reads a record of `kind` from JSON text (the store's load path: no `Value` between).
    pub fn from_json_str(kind: Kind, text: &str) -> Result<Record, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(text);
        let record = Record::deserialize(kind, &mut d)?;
        d.end()?;
        Ok(record)
    }

    /// Reads a record of `kind` from a JSON value.
    pub fn from_json(kind: Kind, value: serde_json::Value) -> Result<Record, serde_json::Error> {
        Record::deserialize(kind, value)
    }
}
