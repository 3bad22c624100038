//! Properties that must hold for any organisation.

use handover_analysis::whatif::whatif;
use handover_analysis::Snapshot;
use handover_core::{Inventory, Kind, Record};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;

/// A random organisation: people (some left), systems, group accounts with random levels
/// and random (possibly cyclic) nesting, personal accounts with random direct levels and
/// group memberships.
fn org() -> impl Strategy<Value = Inventory> {
    let levels = prop_oneof![Just(None), Just(Some("read")), Just(Some("write")), Just(Some("admin"))];
    (
        2usize..8,
        1usize..4,
        prop::collection::vec((any::<bool>(), 0usize..8, 0usize..4, levels.clone(), 0usize..3, 0usize..3), 0..30),
        prop::collection::vec((levels, 0usize..3), 0..6),
    )
        .prop_map(|(people, systems, accounts, groups)| {
            let mut inv = Inventory::new();
            let add = |inv: &mut Inventory, kind: Kind, v: serde_json::Value| {
                inv.insert(Record::from_json(kind, v).unwrap());
            };
            for p in 0..people {
                let status = if p % 5 == 4 { json!({"status": "left"}) } else { json!({}) };
                let mut v = json!({"key": format!("p{p}"), "name": format!("P{p}")});
                v.as_object_mut().unwrap().extend(status.as_object().unwrap().clone());
                add(&mut inv, Kind::Person, v);
            }
            for s in 0..systems {
                add(&mut inv, Kind::System, json!({"key": format!("s{s}"), "name": format!("S{s}"), "tier": 1}));
                for (g, (level, parent)) in groups.iter().enumerate() {
                    let mut v = json!({"system": format!("s{s}"), "name": format!("g{g}"), "kind": "group"});
                    if *parent < groups.len() {
                        v["member_of"] = json!([format!("s{s}/g{parent}")]);
                    }
                    add(&mut inv, Kind::Account, v);
                    if let Some(level) = level {
                        add(&mut inv, Kind::Grant, json!({"account": format!("s{s}/g{g}"), "privilege": "p", "level": level}));
                    }
                }
            }
            for (i, (active, person, system, level, g1, g2)) in accounts.into_iter().enumerate() {
                let (person, system) = (person % people, system % systems);
                let mut v = json!({"system": format!("s{system}"), "name": format!("a{i}"), "person": format!("p{person}")});
                if !active {
                    v["status"] = json!("disabled");
                }
                let member_of: Vec<String> = [g1, g2].iter().filter(|g| **g < groups.len()).map(|g| format!("s{system}/g{g}")).collect();
                if !member_of.is_empty() {
                    v["member_of"] = json!(member_of);
                }
                add(&mut inv, Kind::Account, v);
                if let Some(level) = level {
                    add(&mut inv, Kind::Grant, json!({"account": format!("s{system}/a{i}"), "privilege": "p", "level": level}));
                }
            }
            assert!(inv.validate().is_empty(), "{:?}", inv.validate());
            inv
        })
}

proptest! {
    #[test]
    fn more_leavers_never_leave_fewer_systems_without_admin(inv in org(), leavers in prop::collection::vec(0u32..8, 0..4), extra in 0u32..8) {
        let snap = Snapshot::new(&inv);
        let n = snap.people.len() as u32;
        let mut base: Vec<u32> = leavers.into_iter().map(|p| p % n).collect();
        base.sort_unstable();
        base.dedup();
        let before: BTreeSet<String> = whatif(&snap, &base).systems_without_admin.into_iter().collect();
        let mut more = base.clone();
        more.push(extra % n);
        more.sort_unstable();
        more.dedup();
        let after: BTreeSet<String> = whatif(&snap, &more).systems_without_admin.into_iter().collect();
        prop_assert!(before.is_subset(&after), "{:?} ⊄ {:?}", before, after);
    }

    #[test]
    fn admin_is_inherited_exactly_through_membership(inv in org()) {
        // Reference: a naive fixed point over the membership graph.
        let snap = Snapshot::new(&inv);
        let n = snap.accounts.len();
        let mut level: Vec<Option<handover_core::Level>> = snap.accounts.iter().map(|a| a.direct).collect();
        loop {
            let mut changed = false;
            for i in 0..n {
                for &p in &snap.accounts[i].member_of {
                    if level[p as usize] > level[i] {
                        level[i] = level[p as usize];
                        changed = true;
                    }
                }
            }
            if !changed { break; }
        }
        for (i, a) in snap.accounts.iter().enumerate() {
            prop_assert_eq!(a.effective, level[i], "account {}", a.key);
        }
    }
}
