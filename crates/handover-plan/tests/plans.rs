//! Plans over generated organisations: nothing missed, nothing out of order.

use handover_analysis::Snapshot;
use handover_core::{AccountStatus, Interval, PersonStatus, PlanMode, TaskKind, TaskStatus};
use handover_plan::{generate, PlanSpec};
use jiff::civil::{date, DateTime};
use proptest::prelude::*;

fn spec(person: &str, mode: PlanMode, leaving_at: DateTime) -> PlanSpec {
    PlanSpec { person: person.into(), mode, leaving_at, window: "15m".parse::<Interval>().unwrap(), owner: None, today: date(2026, 11, 26) }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_active_account_is_revoked_in_order_inside_the_window(people in 20usize..90, seed in 0u64..1000, pick in 0usize..1000, hostile in any::<bool>()) {
        let inv = handover_synth::generate_inventory(&handover_synth::Spec { people, seed, today: date(2026, 11, 26) });
        let snap = Snapshot::new(&inv);
        let present: Vec<u32> = (0..snap.people.len() as u32).filter(|p| snap.is_present(*p)).collect();
        let leaver = present[pick % present.len()];
        let key = snap.person_key(leaver).to_string();
        let t0 = date(2026, 12, 15).at(8, 0, 0, 0);
        let mode = if hostile { PlanMode::Hostile } else { PlanMode::Friendly };
        let plan = generate(&snap, &spec(&key, mode, t0), "p", None).unwrap();

        // No account missed.
        for a in inv.accounts().filter(|a| a.person.as_deref() == Some(key.as_str()) && a.status == AccountStatus::Active) {
            let target = format!("account:{}/{}", a.system, a.name);
            prop_assert!(plan.tasks.iter().any(|t| t.kind == TaskKind::Revoke && t.targets.contains(&target)), "no revoke task for {}", target);
        }
        // Every secret they hold is rotated.
        for c in inv.credentials().filter(|c| c.holders.contains(&key)) {
            let target = format!("credential:{}", c.key);
            prop_assert!(plan.tasks.iter().any(|t| t.kind == TaskKind::Rotate && t.targets.contains(&target)));
        }
        // Never assigned to the leaver or to anyone gone or going.
        for t in &plan.tasks {
            if let Some(a) = t.assignee.as_deref() {
                prop_assert_ne!(a, key.as_str());
                let p = inv.person(a).unwrap();
                prop_assert_eq!(p.status, PersonStatus::Active, "{} assigned to {}", t.id, a);
            }
        }
        // Hostile: every revocation inside [t0, t0 + window], most dangerous first.
        let revokes: Vec<_> = plan.tasks.iter().filter(|t| t.kind == TaskKind::Revoke).collect();
        if hostile {
            let end = t0.checked_add(jiff::Span::new().minutes(15)).unwrap();
            for t in &revokes {
                prop_assert!(t.due >= t0 && t.due <= end, "{} due {} outside the window", t.id, t.due);
            }
            // Identity-provider accounts come before everything else.
            let idp = |t: &&handover_core::Task| {
                let system = t.targets[0].trim_start_matches("account:").split('/').next().unwrap();
                inv.system(system).unwrap().tags.iter().any(|x| x == "identity-provider")
            };
            if let Some(first_other) = revokes.iter().position(|t| !idp(t)) {
                prop_assert!(revokes[first_other..].iter().all(|t| !idp(t)), "identity provider revoked after other systems");
            }
            // The person is told only after the lock-out.
            let told = plan.tasks.iter().find(|t| t.id == "communicate/person").unwrap();
            prop_assert!(revokes.iter().all(|r| r.due <= told.due));
        }
        // Every communication task has its message drafted; the team's names every
        // successor of every transfer.
        for t in plan.tasks.iter().filter(|t| t.kind == TaskKind::Communicate) {
            prop_assert!(t.message.as_deref().is_some_and(|m| m.starts_with("Subject: ")), "{} has no message", t.id);
        }
        let team = plan.tasks.iter().find(|t| t.id == "communicate/team").unwrap().message.clone().unwrap();
        for t in plan.tasks.iter().filter(|t| t.kind == TaskKind::Transfer) {
            if let Some(a) = t.assignee.as_deref() {
                let name = &inv.person(a).unwrap().name;
                prop_assert!(team.contains(name.as_str()), "the team message does not name {}", name);
            }
        }
        // Stored plans must validate (refs resolve, no task for the leaver).
        let mut with_plan = inv.clone();
        with_plan.insert(handover_core::Record::from(plan));
        prop_assert!(with_plan.validate().is_empty(), "{:?}", with_plan.validate());
    }
}

#[test]
fn regenerating_keeps_closed_tasks() {
    let inv = handover_synth::generate_inventory(&handover_synth::Spec { people: 40, seed: 7, today: date(2026, 11, 26) });
    let snap = Snapshot::new(&inv);
    let it = inv.people().find(|p| p.department.as_deref() == Some("IT") && p.status == PersonStatus::Active).unwrap();
    let s = spec(&it.key, PlanMode::Friendly, date(2026, 12, 31).at(17, 0, 0, 0));
    let mut first = generate(&snap, &s, "p", None).unwrap();
    first.tasks[0].status = TaskStatus::Done;
    first.tasks[0].evidence = Some("done it".into());
    let again = generate(&snap, &s, "p", Some(&first)).unwrap();
    let kept = again.tasks.iter().find(|t| t.id == first.tasks[0].id).unwrap();
    assert_eq!(kept.status, TaskStatus::Done);
    assert_eq!(kept.evidence.as_deref(), Some("done it"));
    assert_eq!(again.tasks.len(), first.tasks.len());
}
