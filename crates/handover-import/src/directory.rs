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

use crate::ldif::{normalize_dn_into, Entry};
use crate::reconcile::{Hints, Imported};
use handover_core::{Account, AccountKind, AccountStatus, Grant, Level};
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};

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
    // Every account and group gets a number (its place in `keys`); lookups and memberships
    // use numbers, so a million memberships copy no strings.
    let mut keys: Vec<String> = Vec::new();
    // By normalised DN, so `member:` DNs resolve whatever their spelling.
    let mut by_dn: HashMap<String, u32> = HashMap::new();
    let mut by_uid: HashMap<&str, u32> = HashMap::new();
    let mut by_gid: HashMap<&str, u32> = HashMap::new();
    let mut accounts: Vec<(u32, Account, Hints, Option<&str>)> = Vec::new();
    let mut groups: Vec<(u32, Account, &Entry)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut dn = String::new();
    for e in entries {
        let is_group = is_any(e, &GROUP_CLASSES);
        let is_account = e.all("objectclass").any(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("person") || c.contains("account")
        });
        // An account's login name, also what `memberUid` values name.
        let uid = e.first("uid").or_else(|| e.first("cn")).map(str::trim);
        let name = if is_group { e.first("cn").map(|cn| format!("cn={}", cn.trim())) } else { uid.map(str::to_string) };
        let Some(name) = name.filter(|n| !n.is_empty() && n != "cn=") else { continue };
        if !is_group && !is_account {
            continue;
        }
        if !seen.insert(name.clone()) {
            out.warnings.push(format!("entry {} (line {}): a second entry named {name:?}; the first one is kept", e.dn, e.line));
            continue;
        }
        let ix = keys.len() as u32;
        keys.push(Account::key_of(system, &name));
        normalize_dn_into(&e.dn, &mut dn);
        by_dn.insert(dn.clone(), ix);
        if is_group {
            if let Some(gid) = e.first("gidnumber") {
                by_gid.insert(gid.trim(), ix);
            }
            groups.push((ix, Account::new(system, name, AccountKind::Group), e));
        } else {
            if let Some(uid) = uid {
                by_uid.insert(uid, ix);
            }
            let uid_number = e.first("uidnumber").and_then(|u| u.trim().parse::<i64>().ok());
            let kind = if uid_number.is_some_and(|u| u < 1000) { AccountKind::Service } else { AccountKind::Personal };
            let status = if disabled(e, today) { AccountStatus::Disabled } else { AccountStatus::Active };
            if uid_number == Some(0) {
                out.grants.push(Grant {
                    account: keys[ix as usize].clone(),
                    privilege: "uidNumber 0 (superuser)".into(),
                    level: Level::Admin,
                    via: None,
                });
            }
            let hints = Hints {
                email: e.first("mail").map(|m| m.trim().to_string()),
                display_name: e.first("displayname").or_else(|| e.first("cn")).map(str::to_string),
            };
            accounts.push((ix, Account { status, ..Account::new(system, name, kind) }, hints, e.first("gidnumber").map(str::trim)));
        }
    }
    // Memberships: member_of edges from each member to its group.
    let mut member_of: Vec<Vec<u32>> = vec![Vec::new(); keys.len()];
    let mut unknown_members = 0usize;
    for (group_ix, group, e) in &groups {
        for u in e.all("memberuid") {
            if let Some(&m) = by_uid.get(u.trim()) {
                member_of[m as usize].push(*group_ix);
            }
        }
        for member_dn in e.all("member").chain(e.all("uniquemember")) {
            // uniqueMember may carry an optional `#'0101'B` unique id after the DN.
            normalize_dn_into(member_dn.split('#').next().unwrap_or(member_dn), &mut dn);
            match by_dn.get(&dn) {
                // A group listing itself is no membership.
                Some(&m) if m != *group_ix => member_of[m as usize].push(*group_ix),
                Some(_) => {}
                None => unknown_members += 1,
            }
        }
        let cn = group.name.trim_start_matches("cn=");
        out.grants.push(Grant {
            account: keys[*group_ix as usize].clone(),
            privilege: format!("member of {cn}"),
            level: group_level(cn, e.first("gidnumber")),
            via: None,
        });
    }
    if unknown_members > 0 {
        out.warnings.push(format!("{unknown_members} member DNs name no account or group in the file (kept out)"));
    }
    // Each member's groups by key, in order, once.
    let groups_of = |parents: &mut Vec<u32>| -> Vec<String> {
        let mut names: Vec<&str> = parents.iter().map(|p| keys[*p as usize].as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.into_iter().map(str::to_string).collect()
    };
    for (ix, mut account, hints, gid) in accounts {
        let parents = &mut member_of[ix as usize];
        if let Some(&primary) = gid.and_then(|g| by_gid.get(g)) {
            parents.push(primary);
        }
        account.member_of = groups_of(parents);
        out.accounts.push((account, hints));
    }
    for (ix, mut group, _) in groups {
        group.member_of = groups_of(&mut member_of[ix as usize]);
        out.accounts.push((group, Hints::default()));
    }
    out
}
