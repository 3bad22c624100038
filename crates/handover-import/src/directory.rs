//! Directory entries (LDIF today, live LDAP next) → accounts, groups and grants of one
//! system.
//!
//! What counts as what:
//! - an **account** is an entry that can authenticate: an object class whose name contains
//!   `person` or `account` (`inetOrgPerson`, `organizationalPerson`, `posixAccount`,
//!   `shadowAccount`, `OpenLDAPperson` …); its name is `uid` (else `cn`). Kind `service` when `uidNumber` is below 1000 (system
//!   users such as `bin`), `personal` otherwise. Disabled when `pwdAccountLockedTime` or
//!   `nsAccountLock: true` is set, or `shadowExpire` has passed.
//! - a **group** is `posixGroup`, `groupOfNames`, `groupOfUniqueNames` or
//!   `groupOfMembers`; it becomes a `group` account named `cn=CN` (so a group and a user
//!   of the same name, like `root`, stay apart), holding one grant
//!   `member of CN`. Members come from `memberUid` (names), `member`/`uniqueMember` (DNs, so
//!   groups nest) and each account's primary `gidNumber`.
//! - **levels** (the documented rule set): a group named like `admin`, `admins`,
//!   `administrators`, `domain admins`, `wheel`, `sudo`, `root`, or with `gidNumber: 0`,
//!   grants admin; other groups grant read. `uidNumber: 0` is itself an admin grant.
//! - a **grant** in the summary is a direct account→entitlement edge: a membership or a
//!   direct grant.
//!
//! Passwords (`userPassword`) and every attribute not named here are never read.

use crate::ldif::{normalize_dn, Entry};
use crate::reconcile::{Hints, Imported};
use handover_core::{Account, AccountKind, AccountStatus, Grant, Level};
use jiff::civil::Date;
use std::collections::{BTreeSet, HashMap};

const GROUP_CLASSES: [&str; 4] = ["posixgroup", "groupofnames", "groupofuniquenames", "groupofmembers"];
const ADMIN_GROUPS: [&str; 8] = ["admin", "admins", "administrators", "domain admins", "wheel", "sudo", "root", "sysadmin"];

fn is_any(e: &Entry, classes: &[&str]) -> bool {
    classes.iter().any(|c| e.has_class(c))
}

/// The level a group grants, by the rule set above.
pub fn group_level(cn: &str, gid: Option<&str>) -> Level {
    if gid.map(str::trim) == Some("0") || ADMIN_GROUPS.contains(&cn.trim().to_lowercase().as_str()) {
        Level::Admin
    } else {
        Level::Read
    }
}

fn disabled(e: &Entry, today: Date) -> bool {
    let epoch = Date::constant(1970, 1, 1);
    let expired = e
        .first("shadowexpire")
        .and_then(|d| d.trim().parse::<i64>().ok())
        .filter(|d| *d >= 0)
        .is_some_and(|days| epoch.checked_add(jiff::Span::new().days(days.min(3_000_000))).is_ok_and(|d| d <= today));
    expired || e.first("pwdaccountlockedtime").is_some() || e.first("nsaccountlock").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Maps directory entries to the records of `system`.
pub fn to_records(system: &str, entries: &[Entry], today: Date) -> Imported {
    let mut out = Imported::default();
    // Names by normalised DN, so `member:` DNs resolve whatever their spelling.
    let mut by_dn: HashMap<String, String> = HashMap::new();
    let mut by_uid: HashMap<String, String> = HashMap::new();
    let mut by_gid: HashMap<String, String> = HashMap::new();
    let mut accounts: Vec<(Account, Hints, Option<String>)> = Vec::new();
    let mut groups: Vec<(Account, &Entry)> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for e in entries {
        let is_group = is_any(e, &GROUP_CLASSES);
        let is_account = e.all("objectclass").any(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("person") || c.contains("account")
        });
        let name = if is_group {
            e.first("cn").map(|cn| format!("cn={}", cn.trim()))
        } else {
            e.first("uid").or_else(|| e.first("cn")).map(|n| n.trim().to_string())
        };
        let Some(name) = name.filter(|n| !n.is_empty() && n != "cn=") else { continue };
        let name = name.as_str();
        if !is_group && !is_account {
            continue;
        }
        if !seen.insert(name.to_string()) {
            out.warnings.push(format!("entry {} (line {}): a second entry named {name:?}; the first one is kept", e.dn, e.line));
            continue;
        }
        let key = Account::key_of(system, name);
        by_dn.insert(normalize_dn(&e.dn), key.clone());
        let account = Account::new(system, name.to_string(), AccountKind::Personal);
        if is_group {
            if let Some(gid) = e.first("gidnumber") {
                by_gid.insert(gid.trim().to_string(), key.clone());
            }
            groups.push((Account { kind: AccountKind::Group, ..account }, e));
        } else {
            by_uid.insert(name.to_string(), key.clone());
            let uid_number = e.first("uidnumber").and_then(|u| u.trim().parse::<i64>().ok());
            let kind = if uid_number.is_some_and(|u| u < 1000) { AccountKind::Service } else { AccountKind::Personal };
            let status = if disabled(e, today) { AccountStatus::Disabled } else { AccountStatus::Active };
            if uid_number == Some(0) {
                out.grants.push(Grant {
                    account: key.clone(),
                    privilege: "uidNumber 0 (superuser)".into(),
                    level: Level::Admin,
                    via: None,
                });
            }
            let hints = Hints {
                email: e.first("mail").map(|m| m.trim().to_string()),
                display_name: e.first("displayname").or_else(|| e.first("cn")).map(str::to_string),
            };
            accounts.push((Account { kind, status, ..account }, hints, e.first("gidnumber").map(|g| g.trim().to_string())));
        }
    }
    // Memberships: member_of edges from each member to its group.
    let mut member_of: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut unknown_members = 0usize;
    for (group, e) in &groups {
        let group_key = Account::key_of(system, &group.name);
        let members = e.all("memberuid").filter_map(|u| by_uid.get(u.trim()).cloned()).chain(
            e.all("member").chain(e.all("uniquemember")).filter_map(|dn| {
                // uniqueMember may carry an optional `#'0101'B` unique id after the DN.
                let dn = dn.split('#').next().unwrap_or(dn);
                let found = by_dn.get(&normalize_dn(dn)).cloned();
                if found.is_none() {
                    unknown_members += 1;
                }
                found
            }),
        );
        for m in members.collect::<Vec<_>>() {
            if m != group_key {
                member_of.entry(m).or_default().insert(group_key.clone());
            }
        }
        let cn = group.name.trim_start_matches("cn=");
        out.grants.push(Grant {
            account: group_key,
            privilege: format!("member of {cn}"),
            level: group_level(cn, e.first("gidnumber")),
            via: None,
        });
    }
    if unknown_members > 0 {
        out.warnings.push(format!("{unknown_members} member DNs name no account or group in the file (kept out)"));
    }
    for (mut account, hints, gid) in accounts {
        let key = Account::key_of(system, &account.name);
        let mut groups_of: BTreeSet<String> = member_of.remove(&key).unwrap_or_default();
        if let Some(primary) = gid.and_then(|g| by_gid.get(&g).cloned()) {
            groups_of.insert(primary);
        }
        account.member_of = groups_of.into_iter().collect();
        out.accounts.push((account, hints));
    }
    for (mut group, _) in groups {
        let key = Account::key_of(system, &group.name);
        group.member_of = member_of.remove(&key).unwrap_or_default().into_iter().collect();
        out.accounts.push((group, Hints::default()));
    }
    out
}
