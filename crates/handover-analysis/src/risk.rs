//! `handover risk`: key-person risk per system, departure impact per person, and the
//! organisation's bus factor.

use crate::snapshot::{Ix, Snapshot};
use crate::whatif::{rank_all, Ranked};
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemRisk {
    pub system: String,
    pub name: String,
    pub tier: u8,
    /// People still here who hold it up: admins and knowers.
    pub held_up_by: Vec<String>,
    pub admins: Vec<String>,
    /// How many people must leave before no one can administer or knows it.
    pub bus_factor: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// Critical systems (tier ≤ `max_tier`), weakest first.
    pub systems: Vec<SystemRisk>,
    /// The fewest people whose departure leaves some critical system with no admin and no
    /// knower — exactly the holders of the weakest critical system.
    pub bus_factor: usize,
    pub bus_factor_people: Vec<String>,
    /// Truck-factor style (Avelino et al.): remove greedily the person holding up the most
    /// critical systems until more than half have no one; how many were removed, and who.
    pub truck_factor: usize,
    pub truck_factor_people: Vec<String>,
    /// People by departure impact.
    pub people: Vec<Ranked>,
}

fn holders(snap: &Snapshot, s: Ix) -> Vec<Ix> {
    let mut h: Vec<Ix> = snap.admin_people(s);
    h.extend(snap.system_knowers[s as usize].iter().copied());
    h.sort_unstable();
    h.dedup();
    h
}

pub fn risk(snap: &Snapshot, max_tier: u8) -> Risk {
    let critical: Vec<Ix> = (0..snap.systems.len() as Ix).filter(|s| snap.systems[*s as usize].tier <= max_tier).collect();
    let held: Vec<Vec<Ix>> = critical.iter().map(|s| holders(snap, *s)).collect();
    let mut systems: Vec<SystemRisk> = critical
        .iter()
        .zip(&held)
        .map(|(s, h)| {
            let sys = snap.systems[*s as usize];
            SystemRisk {
                system: sys.key.clone(),
                name: sys.name.clone(),
                tier: sys.tier,
                held_up_by: h.iter().map(|p| snap.person_key(*p).to_string()).collect(),
                admins: snap.admin_people(*s).iter().map(|p| snap.person_key(*p).to_string()).collect(),
                bus_factor: h.len(),
            }
        })
        .collect();
    systems.sort_by(|a, b| a.bus_factor.cmp(&b.bus_factor).then(a.tier.cmp(&b.tier)).then_with(|| a.system.cmp(&b.system)));
    let (bus_factor, bus_factor_people) = systems.first().map_or((0, Vec::new()), |s| (s.bus_factor, s.held_up_by.clone()));

    // Greedy truck factor over critical systems.
    let mut removed: Vec<Ix> = Vec::new();
    let mut gone: HashSet<Ix> = HashSet::new();
    let uncovered = |gone: &HashSet<Ix>| held.iter().filter(|h| h.iter().all(|p| gone.contains(p))).count();
    while !critical.is_empty() && 2 * uncovered(&gone) <= critical.len() {
        let mut counts: std::collections::HashMap<Ix, usize> = std::collections::HashMap::new();
        for h in &held {
            if h.iter().any(|p| !gone.contains(p)) {
                for p in h.iter().filter(|p| !gone.contains(p)) {
                    *counts.entry(*p).or_default() += 1;
                }
            }
        }
        let Some((&best, _)) = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else { break };
        gone.insert(best);
        removed.push(best);
    }
    Risk {
        systems,
        bus_factor,
        bus_factor_people,
        truck_factor: removed.len(),
        truck_factor_people: removed.iter().map(|p| snap.person_key(*p).to_string()).collect(),
        people: rank_all(snap),
    }
}
