//! User exports of identity providers' admin consoles, as CSV: Okta, Microsoft Entra ID and
//! Google Workspace.
//!
//! Headers are matched case-insensitively, ignoring spaces, punctuation and bracketed notes
//! (`Email Address [Required]` is `emailaddress`, `Last Sign In [READ ONLY]` is
//! `lastsignin`), in any order; other columns are ignored. Quoted fields may hold commas and
//! line breaks; a UTF-8 byte-order mark is skipped. Only the account-name column is required.
//!
//! The columns read, by vendor (any one of the names listed):
//!
//! | field | Okta (Directory › People export, API profile names) | Entra ID (Users › Download users) | Google Workspace (Directory › Users › Download users) |
//! |---|---|---|---|
//! | account name (required) | `Username`, `login` | `userPrincipalName` | `Email Address [Required]`, `primaryEmail` |
//! | e-mail | `Primary email`, `email` | `mail` (else the UPN) | the account name |
//! | name | `First name`+`Last name`, `firstName`+`lastName`, `displayName` | `displayName`, `givenName`+`surname` | `First Name [Required]`+`Last Name [Required]` |
//! | status | `Status` | `accountEnabled` | `Status [READ ONLY]` |
//! | last use | `Last login`, `lastLogin` | `lastSignInDateTime`, `Last sign-in` | `Last Sign In [READ ONLY]`, `lastLoginTime` |
//! | created | `Created`, `created` | `createdDateTime` | `creationTime` |
//! | MFA | `MFA`, `mfaEnrolled` | `MFA`, `isMfaRegistered` | `2sv Enrolled [READ ONLY]`, `isEnrolledIn2Sv` |
//! | admin roles | `Admin roles`, `roles` | `roles`, `directoryRoles`, `assignedRoles` | `Admin role`, `Admin roles`, `isAdmin` (super admin), `isDelegatedAdmin` |
//! | groups | `Groups` | `groups`, `memberOf` | `Groups` |
//!
//! Mapping:
//! - an **account** is a row, named by the account-name column, kind `personal`. Status:
//!   Okta `ACTIVE`, `PROVISIONED` (pending activation), `RECOVERY`, `PASSWORD_EXPIRED` and
//!   `LOCKED_OUT` are active, `STAGED` (no credentials yet), `SUSPENDED` and `DEPROVISIONED`
//!   disabled; Entra `accountEnabled` true/false; Google `Active` is active, `Suspended` and
//!   `Archived` disabled. An unknown status is kept active, with one warning per value.
//!   `last_used` and `created` are the date part of the timestamp (`2026-11-20T08:01:00Z`,
//!   `2026/11/20 08:01:00`, `11/20/2026 8:01 AM`); `Never`, `Never logged in`, empty and the
//!   like mean none. MFA columns are true/false (`yes`/`no`, `enrolled`/`not enrolled`).
//! - **admin roles** (a list split on `;`, `,` or `|`; `isAdmin: true` is `Super Admin`)
//!   are direct grants `admin role NAME`: read when the name says read-only, reader, report or
//!   viewer (Okta `READ_ONLY_ADMIN`, Entra `Global Reader`); admin when it says admin or
//!   administrator (Okta `SUPER_ADMIN`, Entra `Global Administrator`, Google `Super Admin`);
//!   write otherwise.
//! - a **group** named in a groups column is a `group:NAME` account (kind `group`) with a
//!   `member of NAME` grant, at the directory rule set's level
//!   ([`crate::directory::group_level`]); the row's account is its member.
//! - a **grant** in the summary is a direct account→entitlement edge: a role or a membership.

use crate::directory::group_level;
use crate::reconcile::{Hints, Imported};
use handover_core::{Account, AccountKind, AccountStatus, Grant, Level};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    Okta,
    Entra,
    Google,
}

impl Vendor {
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Okta => "okta",
            Vendor::Entra => "entra",
            Vendor::Google => "google",
        }
    }

    /// The header names (normalised) each field is read from, in order of preference.
    fn columns(self, field: Field) -> &'static [&'static str] {
        use Field::*;
        match (self, field) {
            (Vendor::Okta, Name) => &["username", "login"],
            (Vendor::Okta, Email) => &["primaryemail", "email"],
            (Vendor::Okta, First) => &["firstname"],
            (Vendor::Okta, Last) => &["lastname"],
            (Vendor::Okta, Display) => &["displayname"],
            (Vendor::Okta, Status) => &["status"],
            (Vendor::Okta, LastUsed) => &["lastlogin"],
            (Vendor::Okta, Created) => &["created"],
            (Vendor::Okta, Mfa) => &["mfa", "mfaenrolled"],
            (Vendor::Okta, Roles) => &["adminroles", "roles"],
            (Vendor::Entra, Name) => &["userprincipalname"],
            (Vendor::Entra, Email) => &["mail"],
            (Vendor::Entra, First) => &["givenname"],
            (Vendor::Entra, Last) => &["surname"],
            (Vendor::Entra, Display) => &["displayname"],
            (Vendor::Entra, Status) => &["accountenabled"],
            (Vendor::Entra, LastUsed) => &["lastsignindatetime", "lastsignin"],
            (Vendor::Entra, Created) => &["createddatetime"],
            (Vendor::Entra, Mfa) => &["mfa", "ismfaregistered"],
            (Vendor::Entra, Roles) => &["roles", "directoryroles", "assignedroles"],
            (Vendor::Google, Name) => &["emailaddress", "primaryemail"],
            (Vendor::Google, Email) => &[],
            (Vendor::Google, First) => &["firstname"],
            (Vendor::Google, Last) => &["lastname"],
            (Vendor::Google, Display) => &["fullname"],
            (Vendor::Google, Status) => &["status"],
            (Vendor::Google, LastUsed) => &["lastsignin", "lastlogintime"],
            (Vendor::Google, Created) => &["creationtime"],
            (Vendor::Google, Mfa) => &["2svenrolled", "isenrolledin2sv"],
            (Vendor::Google, Roles) => &["adminrole", "adminroles"],
            (_, Groups) => &["groups", "memberof"],
        }
    }
}

impl std::str::FromStr for Vendor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "okta" => Ok(Vendor::Okta),
            "entra" | "azure" | "azuread" => Ok(Vendor::Entra),
            "google" | "workspace" => Ok(Vendor::Google),
            other => Err(format!("unknown CSV format {other:?} (okta, entra or google)")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Email,
    First,
    Last,
    Display,
    Status,
    LastUsed,
    Created,
    Mfa,
    Roles,
    Groups,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub file: String,
    pub line: u64,
    /// The column, as its header is written; empty for errors about the whole row.
    pub column: String,
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if !self.column.is_empty() {
            write!(f, "column {:?}: ", self.column)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for CsvError {}

/// `Email Address [Required]` → `emailaddress`.
fn normalise(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// The date part of the timestamps these exports write; `Ok(None)` for "never" and blanks.
fn date(v: &str) -> Result<Option<Date>, String> {
    let v = v.trim();
    if v.is_empty() || !v.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(None);
    }
    let head: String = v.chars().take_while(|c| c.is_ascii_digit() || *c == '-' || *c == '/' || *c == '.').collect();
    let parts: Vec<&str> = head.split(['-', '/', '.']).filter(|p| !p.is_empty()).collect();
    let num = |s: &str| s.parse::<i16>().ok();
    let ymd = match parts.as_slice() {
        [y, m, d, ..] if y.len() == 4 => (num(y), num(m).and_then(|m| i8::try_from(m).ok()), num(d).and_then(|d| i8::try_from(d).ok())),
        [m, d, y, ..] if y.len() == 4 => (num(y), num(m).and_then(|m| i8::try_from(m).ok()), num(d).and_then(|d| i8::try_from(d).ok())),
        _ => (None, None, None),
    };
    match ymd {
        (Some(y), Some(m), Some(d)) => Date::new(y, m, d).map(Some).map_err(|_| format!("{v:?} is not a valid date")),
        _ => Err(format!("{v:?} is not a date (expected e.g. 2026-11-20T08:01:00Z)")),
    }
}

fn flag(v: &str) -> Result<Option<bool>, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "n/a" | "unknown" => Ok(None),
        "true" | "yes" | "y" | "1" | "enrolled" | "enabled" | "on" => Ok(Some(true)),
        "false" | "no" | "n" | "0" | "not enrolled" | "disabled" | "off" => Ok(Some(false)),
        other => Err(format!("{other:?} is neither true nor false")),
    }
}

/// The level an admin role grants, by its name.
pub fn role_level(role: &str) -> Level {
    let r = role.to_ascii_lowercase().replace(['_', '-'], " ");
    if ["read only", "readonly", "reader", "report", "viewer"].iter().any(|w| r.contains(w)) {
        Level::Read
    } else if r.contains("admin") {
        Level::Admin
    } else {
        Level::Write
    }
}

enum Status {
    Active,
    Disabled,
    Unknown,
}

fn status(vendor: Vendor, v: &str) -> Result<Status, String> {
    let s = v.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    Ok(match vendor {
        Vendor::Entra => match flag(v)? {
            Some(true) | None => Status::Active,
            Some(false) => Status::Disabled,
        },
        Vendor::Okta => match s.as_str() {
            "active" | "provisioned" | "recovery" | "password_expired" | "locked_out" | "" => Status::Active,
            "staged" | "suspended" | "deprovisioned" => Status::Disabled,
            _ => Status::Unknown,
        },
        Vendor::Google => match s.as_str() {
            "active" | "" => Status::Active,
            "suspended" | "archived" => Status::Disabled,
            _ => Status::Unknown,
        },
    })
}

fn list(v: &str) -> impl Iterator<Item = &str> {
    v.split([';', ',', '|', '\n']).map(str::trim).filter(|s| !s.is_empty())
}

/// Reads a vendor's user export as the access of `system`.
pub fn parse(vendor: Vendor, system: &str, file: &str, bytes: &[u8]) -> Result<Imported, CsvError> {
    let err = |line: u64, column: &str, message: String| CsvError { file: file.to_string(), line, column: column.to_string(), message };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers().map_err(|e| err(1, "", format!("cannot read the header: {e}")))?.clone();
    // The first column of a name wins when a header repeats.
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        by_name.entry(normalise(h)).or_insert(i);
    }
    let column = |field: Field| vendor.columns(field).iter().find_map(|c| by_name.get(*c).copied());
    let Some(name_col) = column(Field::Name) else {
        return Err(err(
            1,
            "",
            format!(
                "no account-name column for a {} export (expected one of: {})",
                vendor.as_str(),
                vendor.columns(Field::Name).join(", ")
            ),
        ));
    };
    let cols: Vec<(Field, Option<usize>)> = [
        Field::Email,
        Field::First,
        Field::Last,
        Field::Display,
        Field::Status,
        Field::LastUsed,
        Field::Created,
        Field::Mfa,
        Field::Roles,
        Field::Groups,
    ]
    .into_iter()
    .map(|f| (f, column(f)))
    .collect();
    let col = |f: Field| cols.iter().find(|(g, _)| *g == f).and_then(|(_, c)| *c);
    // Google's boolean admin columns, when there is no role column.
    let is_admin = by_name.get("isadmin").copied();
    let is_delegated = by_name.get("isdelegatedadmin").copied();

    let mut out = Imported::default();
    let mut accounts: BTreeMap<String, (Account, Hints)> = BTreeMap::new();
    let mut groups: BTreeSet<String> = BTreeSet::new();
    let mut grants: Vec<Grant> = Vec::new();
    let mut unknown_status: BTreeSet<String> = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| err(e.position().map_or(0, |p| p.line()), "", format!("cannot read the row: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let header = |i: usize| headers.get(i).unwrap_or("").to_string();
        let get = |f: Field| col(f).and_then(|i| record.get(i)).map(str::trim).filter(|v| !v.is_empty());
        let at = |f: Field, e: String| err(line, &col(f).map(header).unwrap_or_default(), e);
        let name = record
            .get(name_col)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| err(line, &header(name_col), "the account name is empty".into()))?;
        let key = Account::key_of(system, name);
        if accounts.contains_key(&key) {
            out.warnings.push(format!("{file}:{line}: a second row for {name:?}; the first is kept"));
            continue;
        }
        let status = match get(Field::Status) {
            None => AccountStatus::Active,
            Some(v) => match status(vendor, v).map_err(|e| at(Field::Status, e))? {
                Status::Active => AccountStatus::Active,
                Status::Disabled => AccountStatus::Disabled,
                Status::Unknown => {
                    unknown_status.insert(v.to_string());
                    AccountStatus::Active
                }
            },
        };
        let last_used = get(Field::LastUsed).map(date).transpose().map_err(|e| at(Field::LastUsed, e))?.flatten();
        let created = get(Field::Created).map(date).transpose().map_err(|e| at(Field::Created, e))?.flatten();
        let mfa = get(Field::Mfa).map(flag).transpose().map_err(|e| at(Field::Mfa, e))?.flatten();
        let display = get(Field::Display).map(str::to_string).or_else(|| {
            let full = [get(Field::First), get(Field::Last)].into_iter().flatten().collect::<Vec<_>>().join(" ");
            (!full.is_empty()).then_some(full)
        });
        let email = get(Field::Email).or((vendor != Vendor::Okta && name.contains('@')).then_some(name)).map(str::to_string);
        let mut roles: Vec<String> = get(Field::Roles).map(|v| list(v).map(str::to_string).collect()).unwrap_or_default();
        for (c, role) in [(is_admin, "Super Admin"), (is_delegated, "Delegated Admin")] {
            let Some(v) = c.and_then(|i| record.get(i)) else { continue };
            if flag(v).map_err(|e| err(line, &header(c.unwrap_or(0)), e))? == Some(true) {
                roles.push(role.to_string());
            }
        }
        for role in roles {
            let privilege = format!("admin role {role}");
            if !grants.iter().any(|g| g.account == key && g.privilege == privilege) {
                grants.push(Grant { account: key.clone(), privilege, level: role_level(&role), via: None });
            }
        }
        let member_of: BTreeSet<String> = get(Field::Groups)
            .map(|v| {
                list(v)
                    .map(|g| {
                        groups.insert(g.to_string());
                        Account::key_of(system, &format!("group:{g}"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let account = Account {
            system: system.to_string(),
            name: name.to_string(),
            person: None,
            kind: AccountKind::Personal,
            status,
            mfa,
            last_used,
            created,
            member_of: member_of.into_iter().collect(),
        };
        accounts.insert(key, (account, Hints { email, display_name: display }));
    }
    for v in unknown_status {
        out.warnings.push(format!("{file}: status {v:?} is not one a {} export uses; kept active", vendor.as_str()));
    }
    for g in groups {
        let name = format!("group:{g}");
        let key = Account::key_of(system, &name);
        if accounts.contains_key(&key) {
            continue;
        }
        grants.push(Grant { account: key.clone(), privilege: format!("member of {g}"), level: group_level(&g, None), via: None });
        let group = Account::new(system, name, AccountKind::Group);
        accounts.insert(key, (group, Hints::default()));
    }
    out.accounts = accounts.into_values().collect();
    out.grants = grants;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn headers_and_values_are_read_loosely() {
        assert_eq!(normalise("Email Address [Required]"), "emailaddress");
        assert_eq!(normalise("Last Sign In [READ ONLY]"), "lastsignin");
        assert_eq!(normalise("userPrincipalName"), "userprincipalname");
        assert_eq!(normalise("2sv Enrolled [READ ONLY]"), "2svenrolled");
        let d = |s: &str| date(s).unwrap().map(|d| d.to_string());
        assert_eq!(d("2026-11-20T08:01:00.000Z").as_deref(), Some("2026-11-20"));
        assert_eq!(d("2026/11/20 08:01:00").as_deref(), Some("2026-11-20"));
        assert_eq!(d("11/20/2026 8:01 AM").as_deref(), Some("2026-11-20"));
        assert_eq!(d("Never logged in"), None);
        assert!(date("2026-13-40").is_err());
        assert_eq!(role_level("SUPER_ADMIN"), Level::Admin);
        assert_eq!(role_level("READ_ONLY_ADMIN"), Level::Read);
        assert_eq!(role_level("Global Reader"), Level::Read);
        assert_eq!(role_level("Global Administrator"), Level::Admin);
        assert_eq!(role_level("Helpdesk"), Level::Write);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let csv = "login,email,status,lastLogin\nann@example.com,ann@example.com,ACTIVE,2026-01-01\nbob@example.com,bob@example.com,ACTIVE,2026-02-31\n";
        let e = parse(Vendor::Okta, "idp", "okta.csv", csv.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "okta.csv:3: column \"lastLogin\": \"2026-02-31\" is not a valid date");
        let e = parse(Vendor::Entra, "idp", "entra.csv", b"mail,displayName\na@example.com,A\n").unwrap_err();
        assert_eq!(e.to_string(), "entra.csv:1: no account-name column for a entra export (expected one of: userprincipalname)");
    }

    proptest! {
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            for v in [Vendor::Okta, Vendor::Entra, Vendor::Google] {
                let _ = parse(v, "idp", "fuzz.csv", &bytes);
            }
        }

        #[test]
        fn never_panics_on_export_like_csv(s in "(login|userPrincipalName|Email Address \\[Required\\]|Status|accountEnabled|Last Sign In|lastLogin|Admin role|isAdmin|Groups|2sv Enrolled|ACTIVE|True|false|2026-01-01|11/20/2026|a@example.com|Super Admin|\"|,|;|\n|\u{feff}|x){0,50}") {
            for v in [Vendor::Okta, Vendor::Entra, Vendor::Google] {
                let _ = parse(v, "idp", "fuzz.csv", s.as_bytes());
            }
        }
    }
}
