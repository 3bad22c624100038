//! `handover whatif`: what breaks if these people leave together.

use crate::snapshot::{Ix, Snapshot};
use handover_core::{Kind, ProjectStatus};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub leavers: Vec<String>,
    /// Systems that have admins today and would have none.
    pub systems_without_admin: Vec<String>,
    /// Systems that someone knows today and no one would.
    pub systems_without_knower: Vec<String>,
    /// Roles whose every holder and deputy leaves.
    pub roles_without_holder: Vec<String>,
    /// Live projects whose lead leaves with no backup lead staying.
    pub projects_without_lead: Vec<String>,
    /// Vendors whose internal relationship owner leaves.
    pub vendors_without_contact: Vec<String>,
    /// Credentials only the leavers hold: transfer before, rotate after.
    pub secrets_only_they_hold: Vec<String>,
    /// Every credential they hold or know: rotate after they leave.
    pub secrets_to_rotate: Vec<String>,
    /// What they own and must hand over, as `KIND:KEY (field)`.
    pub to_transfer: Vec<String>,
    /// Active accounts to revoke, per system: `(accounts, of which admin)`.
    pub access_to_revoke: BTreeMap<String, (usize, usize)>,
    /// Repositories whose truck factor would drop to zero (needs `handover git scan`).
    pub repos_without_author: Vec<String>,
    /// Escrows they hold a share of: rekey among those staying.
    pub escrows_to_rekey: Vec<String>,
    /// A weight of the damage, for ranking people (see `score`).
    pub score: u64,
}

fn tier_weight(tier: u8) -> u64 {
    match tier {
        1 => 10,
        2 => 5,
        3 => 2,
        _ => 1,
    }
}

/// The impact of `leavers` leaving at once.
pub fn whatif(snap: &Snapshot, leavers: &[Ix]) -> Impact {
    let gone: HashSet<Ix> = leavers.iter().copied().collect();
    let stays = |p: Ix| snap.is_present(p) && !gone.contains(&p);
    let stays_key = |k: &str| snap.person(k).is_some_and(stays);
    let mut imp = Impact { leavers: leavers.iter().map(|p| snap.person_key(*p).to_string()).collect(), ..Impact::default() };
    let mut score = 0;

    let mut admin_systems: BTreeSet<Ix> = BTreeSet::new();
    let mut known_systems: BTreeSet<Ix> = BTreeSet::new();
    for &p in leavers {
        admin_systems.extend(snap.person_admin_systems[p as usize].iter().copied());
        known_systems.extend(snap.person_known_systems[p as usize].iter().copied());
    }
    for s in admin_systems {
        if !snap.system_admins[s as usize].iter().any(|(p, _)| stays(*p)) {
            imp.systems_without_admin.push(snap.system_key(s).to_string());
            score += tier_weight(snap.systems[s as usize].tier);
        }
    }
    for s in known_systems {
        if !snap.system_knowers[s as usize].iter().any(|p| stays(*p)) {
            imp.systems_without_knower.push(snap.system_key(s).to_string());
            score += tier_weight(snap.systems[s as usize].tier) * 8 / 10;
        }
    }

    // Everything else that names them: look only at those records.
    let mut named: BTreeSet<(Kind, &str)> = BTreeSet::new();
    for &p in leavers {
        for (kind, key, field) in &snap.person_refs[p as usize] {
            named.insert((*kind, key));
            if matches!(
                (kind, field.as_str()),
                (Kind::System, "owner")
                    | (Kind::Policy, "owner")
                    | (Kind::Contract, "owner")
                    | (Kind::Vendor, "relationship_owner")
                    | (Kind::Project, "lead")
            ) || (*kind == Kind::System && field.starts_with("technical_owners"))
                || (*kind == Kind::Role && field.starts_with("holders"))
            {
                imp.to_transfer.push(format!("{kind}:{key} ({field})"));
            }
        }
    }
    for (kind, key) in named {
        let Some(record) = snap.inv.get(kind, key) else { continue };
        match record {
            handover_core::Record::Role(r) if !r.holders.is_empty() && !r.holders.iter().chain(&r.deputies).any(|h| stays_key(h)) => {
                imp.roles_without_holder.push(r.key.clone());
                score += if r.critical { 8 } else { 3 };
            }
            handover_core::Record::Project(p) if matches!(p.status, ProjectStatus::Active | ProjectStatus::Planned) => {
                let lead_leaves = p.lead.as_deref().is_some_and(|l| !stays_key(l));
                if lead_leaves && !p.backup_lead.as_deref().is_some_and(stays_key) {
                    imp.projects_without_lead.push(p.key.clone());
                    score += 4;
                }
            }
            handover_core::Record::Vendor(v) if v.relationship_owner.as_deref().is_some_and(|o| !stays_key(o)) => {
                imp.vendors_without_contact.push(v.key.clone());
                score += 2;
            }
            handover_core::Record::Repository(r) => {
                let Some(scan) = &r.scan else { continue };
                let before = scan.truck_factor_without(&snap.repo_authors_gone(scan, &[])).value;
                if before > 0 && scan.truck_factor_without(&snap.repo_authors_gone(scan, leavers)).value == 0 {
                    imp.repos_without_author.push(r.key.clone());
                    score +=
                        r.system.as_deref().and_then(|s| snap.system(s)).map_or(1, |s| tier_weight(snap.systems[s as usize].tier)) / 2 + 1;
                }
            }
            handover_core::Record::Escrow(e) => {
                imp.escrows_to_rekey.push(e.key.clone());
                score += 3;
            }
            handover_core::Record::Credential(c) => {
                imp.secrets_to_rotate.push(c.key.clone());
                if !c.holders.iter().any(|h| stays_key(h)) {
                    imp.secrets_only_they_hold.push(c.key.clone());
                    score += 5;
                }
            }
            _ => {}
        }
    }
    for &p in leavers {
        for &a in &snap.person_accounts[p as usize] {
            let acc = &snap.accounts[a as usize];
            if acc.is_active() {
                let e = imp.access_to_revoke.entry(snap.system_key(acc.system).to_string()).or_default();
                e.0 += 1;
                e.1 += usize::from(acc.is_admin());
            }
        }
    }
    imp.score = score;
    imp
}

/// One line of `whatif --all`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    pub person: String,
    pub name: String,
    pub score: u64,
    pub systems_without_admin: usize,
    pub systems_without_knower: usize,
    pub roles_without_holder: usize,
    pub projects_without_lead: usize,
    pub secrets_only_they_hold: usize,
    pub accounts_to_revoke: usize,
}

/// Every person still here, ranked by the impact of their leaving alone (in parallel).
pub fn rank_all(snap: &Snapshot) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = (0..snap.people.len() as Ix)
        .into_par_iter()
        .filter(|p| snap.is_present(*p))
        .map(|p| {
            let imp = whatif(snap, &[p]);
            Ranked {
                person: snap.person_key(p).to_string(),
                name: snap.people[p as usize].name.clone(),
                score: imp.score,
                systems_without_admin: imp.systems_without_admin.len(),
                systems_without_knower: imp.systems_without_knower.len(),
                roles_without_holder: imp.roles_without_holder.len(),
                projects_without_lead: imp.projects_without_lead.len(),
                secrets_only_they_hold: imp.secrets_only_they_hold.len(),
                accounts_to_revoke: imp.access_to_revoke.values().map(|(n, _)| n).sum(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.person.cmp(&b.person)));
    out
}
