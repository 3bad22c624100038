//! Who alone holds what: single admins, single knowers, single secret holders, solo
//! critical roles, projects without a backup lead; plus access that should already be
//! gone, contracts about to lapse and plans overdue for review.

use crate::snapshot::{AccountNode, Ix, Snapshot};
use handover_core::{Inventory, Kind, PersonStatus, ProjectStatus};
use jiff::civil::Date;
use jiff::Unit;
use serde::Serialize;
use std::collections::BTreeMap;

/// How far ahead a contract end counts as "ending soon".
pub const CONTRACT_HORIZON_DAYS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub as_of: Date,
    /// Records per kind, keyed by the plural name.
    pub counts: BTreeMap<String, usize>,
    /// People on whom something depends alone: those leaving first, then most load-bearing.
    pub key_people: Vec<KeyPerson>,
    /// Systems (by key) with exactly one active admin.
    pub single_admin_systems: Vec<String>,
    /// People who left but still hold active accounts.
    pub lingering_access: Vec<LingeringAccess>,
    pub contracts: Vec<ContractAlert>,
    pub overdue_policies: Vec<PolicyAlert>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyPerson {
    pub person: String,
    pub name: String,
    pub title: Option<String>,
    pub status: PersonStatus,
    pub leaving_on: Option<Date>,
    /// Systems where they are the only active admin, most critical first.
    pub sole_admin: Vec<String>,
    /// Systems only they know (technical owner, doc author or admin), most critical first.
    pub sole_knower: Vec<String>,
    /// Credentials only they hold.
    pub sole_secrets: Vec<String>,
    /// Critical roles they hold alone with no deputy.
    pub solo_roles: Vec<String>,
    /// Live projects they lead with no backup lead.
    pub projects_without_backup: Vec<String>,
}

impl KeyPerson {
    /// A rough weight of what rests on this person, used only to order the list.
    pub fn load(&self) -> usize {
        2 * self.sole_admin.len()
            + self.sole_knower.len()
            + self.sole_secrets.len()
            + 2 * self.solo_roles.len()
            + self.projects_without_backup.len()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LingeringAccess {
    pub person: String,
    pub name: String,
    pub left_on: Option<Date>,
    /// Active account keys.
    pub accounts: Vec<String>,
    /// Those of them with an admin grant.
    pub admin_accounts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractAlert {
    pub contract: String,
    pub name: String,
    pub ends: Date,
    /// Negative once it has ended.
    pub days_left: i64,
    pub auto_renew: bool,
    /// Systems that name it as their maintenance contract.
    pub maintains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyAlert {
    pub policy: String,
    pub name: String,
    pub owner: Option<String>,
    pub last_reviewed: Option<Date>,
    /// When the review was due; `None` when it was never reviewed or has no interval.
    pub due: Option<Date>,
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until((Unit::Day, to)).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

pub fn summarize(inv: &Inventory, today: Date) -> Summary {
    summary_of(&Snapshot::new(inv), today)
}

/// The summary from a snapshot already built (the same facts, without indexing again).
pub fn summary_of(snap: &Snapshot, today: Date) -> Summary {
    let inv = snap.inv;
    let active = |key: &str| snap.person(key).is_some_and(|p| snap.is_present(p));
    let tier = |system: &str| inv.system(system).map_or(9, |s| s.tier);
    // Admins (own or inherited through groups and roles) and knowers per system, counting
    // only people still here: the same facts the audit uses.
    let admins: BTreeMap<&str, Vec<&str>> = (0..snap.systems.len() as Ix)
        .map(|s| (snap.system_key(s), snap.admin_people(s).into_iter().map(|p| snap.person_key(p)).collect()))
        .collect();
    let knowers: BTreeMap<&str, Vec<&str>> = (0..snap.systems.len() as Ix)
        .map(|s| (snap.system_key(s), snap.system_knowers[s as usize].iter().map(|p| snap.person_key(*p)).collect()))
        .collect();

    let mut people: BTreeMap<String, KeyPerson> = BTreeMap::new();
    let mut single_admin_systems = Vec::new();
    for (system, set) in &admins {
        if set.len() == 1 {
            single_admin_systems.push(system.to_string());
            if let Some(kp) = set.first().and_then(|p| key_person(&mut people, inv, p)) {
                kp.sole_admin.push(system.to_string());
            }
        }
    }
    for (system, set) in &knowers {
        if set.len() == 1 {
            if let Some(kp) = set.first().and_then(|p| key_person(&mut people, inv, p)) {
                kp.sole_knower.push(system.to_string());
            }
        }
    }
    for c in inv.credentials() {
        let holders: Vec<_> = c.holders.iter().filter(|p| active(p)).collect();
        if let [only] = holders.as_slice() {
            if let Some(kp) = key_person(&mut people, inv, only) {
                kp.sole_secrets.push(c.key.clone());
            }
        }
    }
    for r in inv.roles().filter(|r| r.critical) {
        let holders: Vec<_> = r.holders.iter().filter(|p| active(p)).collect();
        if let ([only], false) = (holders.as_slice(), r.deputies.iter().any(|d| active(d))) {
            if let Some(kp) = key_person(&mut people, inv, only) {
                kp.solo_roles.push(r.key.clone());
            }
        }
    }
    for p in inv.projects().filter(|p| matches!(p.status, ProjectStatus::Active | ProjectStatus::Planned)) {
        if let (Some(lead), None) = (p.lead.as_deref(), p.backup_lead.as_deref().filter(|b| active(b))) {
            if let Some(kp) = key_person(&mut people, inv, lead) {
                kp.projects_without_backup.push(p.key.clone());
            }
        }
    }
    let mut key_people: Vec<KeyPerson> = people.into_values().collect();
    for kp in &mut key_people {
        kp.sole_admin.sort_by_key(|s| (tier(s), s.clone()));
        kp.sole_knower.sort_by_key(|s| (tier(s), s.clone()));
    }
    // Someone already leaving is the most urgent, whatever else rests on others.
    key_people.sort_by(|a, b| {
        let leaving = |k: &KeyPerson| k.status != PersonStatus::Leaving;
        leaving(a).cmp(&leaving(b)).then(b.load().cmp(&a.load())).then_with(|| a.person.cmp(&b.person))
    });
    single_admin_systems.sort_by_key(|s| (tier(s), s.clone()));

    Summary {
        as_of: today,
        counts: Kind::ALL.iter().map(|k| (k.plural().to_string(), inv.count(*k))).collect(),
        key_people,
        single_admin_systems,
        lingering_access: lingering_access(snap),
        contracts: contract_alerts(inv, today),
        overdue_policies: overdue_policies(inv, today),
    }
}

fn key_person<'a>(people: &'a mut BTreeMap<String, KeyPerson>, inv: &Inventory, key: &str) -> Option<&'a mut KeyPerson> {
    let p = inv.person(key)?;
    Some(people.entry(p.key.clone()).or_insert_with(|| KeyPerson {
        person: p.key.clone(),
        name: p.name.clone(),
        title: p.title.clone(),
        status: p.status,
        leaving_on: p.leaving_on,
        sole_admin: vec![],
        sole_knower: vec![],
        sole_secrets: vec![],
        solo_roles: vec![],
        projects_without_backup: vec![],
    }))
}

fn lingering_access(snap: &Snapshot) -> Vec<LingeringAccess> {
    let mut out: Vec<LingeringAccess> = Vec::new();
    for (ix, p) in snap.people.iter().enumerate().filter(|(_, p)| p.status == PersonStatus::Left) {
        let active: Vec<&AccountNode> =
            snap.person_accounts[ix].iter().map(|a| &snap.accounts[*a as usize]).filter(|a| a.is_active()).collect();
        if active.is_empty() {
            continue;
        }
        let accounts = active.iter().map(|a| a.key.to_string()).collect();
        let admin = active.iter().filter(|a| a.is_admin()).map(|a| a.key.to_string()).collect();
        out.push(LingeringAccess { person: p.key.clone(), name: p.name.clone(), left_on: p.left_on, accounts, admin_accounts: admin });
    }
    out.sort_by(|a, b| {
        b.admin_accounts.len().cmp(&a.admin_accounts.len()).then(b.accounts.len().cmp(&a.accounts.len())).then(a.person.cmp(&b.person))
    });
    out
}

fn contract_alerts(inv: &Inventory, today: Date) -> Vec<ContractAlert> {
    let mut out: Vec<ContractAlert> = Vec::new();
    for c in inv.contracts() {
        let Some(ends) = c.ends else { continue };
        let days_left = days_between(today, ends);
        let maintains: Vec<String> =
            inv.systems().filter(|s| s.maintenance_contract.as_deref() == Some(c.key.as_str())).map(|s| s.key.clone()).collect();
        // Ending soon matters unless it renews itself; having ended matters while systems
        // still rely on it.
        let soon = (0..=CONTRACT_HORIZON_DAYS).contains(&days_left) && !c.auto_renew;
        let lapsed = days_left < 0 && !maintains.is_empty();
        if soon || lapsed {
            out.push(ContractAlert { contract: c.key.clone(), name: c.name.clone(), ends, days_left, auto_renew: c.auto_renew, maintains });
        }
    }
    out.sort_by_key(|c| (c.days_left, c.contract.clone()));
    out
}

fn overdue_policies(inv: &Inventory, today: Date) -> Vec<PolicyAlert> {
    let mut out: Vec<PolicyAlert> = inv
        .policies()
        .filter_map(|p| {
            let due = p.next_review();
            let overdue = p.owner.is_none() || p.last_reviewed.is_none() || due.is_some_and(|d| d < today);
            overdue.then(|| PolicyAlert {
                policy: p.key.clone(),
                name: p.name.clone(),
                owner: p.owner.clone(),
                last_reviewed: p.last_reviewed,
                due,
            })
        })
        .collect();
    out.sort_by_key(|p| (p.due.unwrap_or(Date::MIN), p.policy.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use handover_core::{Kind, Record};
    use serde_json::json;

    fn inv(records: &[(Kind, serde_json::Value)]) -> Inventory {
        let mut inv = Inventory::new();
        for (k, v) in records {
            inv.insert(Record::from_json(*k, v.clone()).unwrap());
        }
        assert!(inv.validate().is_empty(), "{:?}", inv.validate());
        inv
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn single_admins_ignore_people_who_left_and_disabled_accounts() {
        let inv = inv(&[
            (Kind::Person, json!({"key": "ann", "name": "Ann"})),
            (Kind::Person, json!({"key": "bob", "name": "Bob", "status": "left"})),
            (Kind::Person, json!({"key": "cy", "name": "Cy"})),
            (Kind::System, json!({"key": "dns", "name": "DNS", "tier": 1})),
            (Kind::System, json!({"key": "erp", "name": "ERP", "tier": 2})),
            (Kind::Account, json!({"system": "dns", "name": "ann", "person": "ann"})),
            (Kind::Account, json!({"system": "dns", "name": "bob", "person": "bob"})),
            (Kind::Account, json!({"system": "erp", "name": "ann", "person": "ann"})),
            (Kind::Account, json!({"system": "erp", "name": "cy", "person": "cy", "status": "disabled"})),
            (Kind::Grant, json!({"account": "dns/ann", "privilege": "admin", "level": "admin"})),
            (Kind::Grant, json!({"account": "dns/bob", "privilege": "admin", "level": "admin"})),
            (Kind::Grant, json!({"account": "erp/ann", "privilege": "admin", "level": "admin"})),
            (Kind::Grant, json!({"account": "erp/cy", "privilege": "admin", "level": "admin"})),
        ]);
        let s = summarize(&inv, date("2026-11-26"));
        assert_eq!(s.single_admin_systems, vec!["dns", "erp"]);
        assert_eq!(s.key_people.len(), 1);
        assert_eq!(s.key_people[0].sole_admin, vec!["dns", "erp"]);
        assert_eq!(s.lingering_access.len(), 1);
        assert_eq!(s.lingering_access[0].admin_accounts, vec!["dns/bob"]);
    }

    #[test]
    fn contracts_and_policies_by_date() {
        let inv = inv(&[
            (Kind::Vendor, json!({"key": "v", "name": "V"})),
            (Kind::Contract, json!({"key": "soon", "name": "Soon", "vendor": "v", "ends": "2026-12-15"})),
            (Kind::Contract, json!({"key": "renews", "name": "Renews", "vendor": "v", "ends": "2026-12-15", "auto_renew": true})),
            (Kind::Contract, json!({"key": "lapsed", "name": "Lapsed", "vendor": "v", "ends": "2026-09-30"})),
            (Kind::Contract, json!({"key": "gone", "name": "Gone", "vendor": "v", "ends": "2025-01-01"})),
            (Kind::System, json!({"key": "fw", "name": "FW", "tier": 1, "maintenance_contract": "lapsed"})),
            (Kind::Person, json!({"key": "ann", "name": "Ann"})),
            (Kind::Policy, json!({"key": "dr", "name": "DR", "owner": "ann", "review_interval": "365d", "last_reviewed": "2024-03-18"})),
            (Kind::Policy, json!({"key": "ok", "name": "OK", "owner": "ann", "review_interval": "365d", "last_reviewed": "2026-03-18"})),
            (Kind::Policy, json!({"key": "orphan", "name": "Orphan", "review_interval": "365d", "last_reviewed": "2026-03-18"})),
        ]);
        let s = summarize(&inv, date("2026-11-26"));
        let got: Vec<_> = s.contracts.iter().map(|c| (c.contract.as_str(), c.days_left)).collect();
        assert_eq!(got, vec![("lapsed", -57), ("soon", 19)]);
        let overdue: Vec<_> = s.overdue_policies.iter().map(|p| p.policy.as_str()).collect();
        assert_eq!(overdue, vec!["dr", "orphan"]);
    }
}
