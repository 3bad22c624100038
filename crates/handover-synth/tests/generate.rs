use handover_core::{AccountKind, AccountStatus, Inventory, Kind, Level, PersonKind, PersonStatus, PolicyKind, Record};
use handover_synth::{generate, generate_inventory, Spec};
use jiff::civil::{date, Date};
use std::collections::{BTreeSet, HashMap, HashSet};

const TODAY: Date = date(2026, 11, 26);

fn spec(people: usize, seed: u64) -> Spec {
    Spec { people, seed, today: TODAY }
}

fn records(spec: &Spec) -> Vec<Record> {
    let mut out = Vec::new();
    generate(spec, &mut |r| out.push(r));
    out
}

#[test]
fn same_spec_same_bytes() {
    for (people, seed) in [(1, 0), (7, 3), (400, 42)] {
        let a = records(&spec(people, seed));
        let b = records(&spec(people, seed));
        assert_eq!(a, b);
        let bytes = |rs: &[Record]| rs.iter().map(|r| r.to_json().to_string()).collect::<Vec<_>>().join("\n");
        assert_eq!(bytes(&a), bytes(&b));
    }
    assert_ne!(records(&spec(100, 1)), records(&spec(100, 2)), "the seed matters");
}

#[test]
fn zero_people_is_empty() {
    assert!(records(&spec(0, 1)).is_empty());
}

#[test]
fn valid_for_many_sizes_and_seeds() {
    let mut sizes: Vec<usize> = (1..=12).collect();
    sizes.extend([25, 41, 99, 100, 250]);
    for people in sizes {
        for seed in [0, 1, 7, u64::MAX] {
            let inv = generate_inventory(&spec(people, seed));
            let problems = inv.validate();
            assert!(problems.is_empty(), "{people} people, seed {seed}: {problems:#?}");
            assert_eq!(inv.count(Kind::Person), people);
        }
    }
    for (people, seed) in [(1000, 3), (2000, 11)] {
        let problems = generate_inventory(&spec(people, seed)).validate();
        assert!(problems.is_empty(), "{people} people: {:#?}", &problems[..problems.len().min(10)]);
    }
    // Extreme dates must not panic (dates saturate instead).
    for today in [Date::MIN, Date::MAX] {
        let inv = generate_inventory(&Spec { people: 30, seed: 5, today });
        assert_eq!(inv.count(Kind::Person), 30);
    }
}

/// Every record refers only to records emitted before it, and no key is emitted twice.
fn check_order(spec: &Spec) {
    let mut seen = Inventory::new();
    let mut n = 0;
    generate(spec, &mut |r| {
        for rf in r.refs() {
            assert!(
                seen.contains(rf.kind, rf.key),
                "{} {} refers to {} {} ({}) before it exists",
                r.kind(),
                r.key(),
                rf.kind,
                rf.key,
                rf.field
            );
        }
        let (kind, key) = (r.kind(), r.key());
        assert!(seen.insert(r).is_none(), "{kind} {key} emitted twice");
        n += 1;
    });
    let total: usize = Kind::ALL.iter().map(|k| seen.count(*k)).sum();
    assert_eq!(total, n);
}

#[test]
fn emitted_after_what_they_refer_to() {
    for (people, seed) in [(1, 1), (7, 2), (60, 3), (500, 4), (2000, 5)] {
        check_order(&spec(people, seed));
    }
}

/// Accounts come system by system in key order, each system's group and role accounts
/// first and the others by name, each followed by its grants by privilege: the order a
/// store clustered by key appends in.
#[test]
fn accounts_come_in_key_order() {
    for (people, seed) in [(7, 2), (500, 4), (2000, 5)] {
        let mut systems: Vec<String> = Vec::new();
        let mut last_name: Option<String> = None;
        let mut account: Option<(String, Option<String>)> = None; // key, last privilege
        let mut names = 0;
        generate(&spec(people, seed), &mut |r| match &r {
            Record::Account(a) => {
                if systems.last() != Some(&a.system) {
                    assert!(!systems.contains(&a.system), "{} comes back after other systems", a.system);
                    systems.push(a.system.clone());
                    last_name = None;
                }
                if !matches!(a.kind, AccountKind::Group | AccountKind::Role) {
                    assert!(last_name.as_deref().is_none_or(|n| n < a.name.as_str()), "{}/{} after {last_name:?}", a.system, a.name);
                    last_name = Some(a.name.clone());
                    names += 1;
                }
                account = Some((r.key(), None));
            }
            Record::Grant(g) => {
                let (key, last) = account.as_mut().expect("a grant after its account");
                assert_eq!(&g.account, key, "grant {} away from its account", r.key());
                assert!(last.as_deref().is_none_or(|p| p < g.privilege.as_str()), "{} after {last:?}", r.key());
                *last = Some(g.privilege.clone());
            }
            _ => account = None,
        });
        assert!(systems.windows(2).all(|w| w[0] < w[1]), "systems in key order: {systems:?}");
        assert!(names > people, "{names} accounts checked");
    }
}

#[test]
fn realistic_proportions_at_1000_people() {
    let people = 1000;
    let inv = generate_inventory(&spec(people, 9));
    let grants = inv.count(Kind::Grant);
    let per_person = grants as f64 / people as f64;
    assert!((35.0..=65.0).contains(&per_person), "{per_person} grants per person");

    // People: one CEO at the top, managers before reports, a small IT team, contractors.
    let ps: Vec<_> = inv.people().collect();
    assert_eq!(ps.iter().filter(|p| p.manager.is_none()).count(), 1);
    let it = ps.iter().filter(|p| p.department.as_deref() == Some("IT")).count();
    assert!((10..=25).contains(&it), "{it} in IT");
    let departments: BTreeSet<_> = ps.iter().filter_map(|p| p.department.as_deref()).collect();
    assert!((8..=12).contains(&departments.len()), "{departments:?}");
    let contractors = ps.iter().filter(|p| p.kind == PersonKind::Contractor).count();
    assert!((20..=90).contains(&contractors), "{contractors} contractors");
    let left: HashSet<&str> = ps.iter().filter(|p| p.status == PersonStatus::Left).map(|p| p.key.as_str()).collect();
    assert!((8..=40).contains(&left.len()), "{} left", left.len());
    for p in &ps {
        if let Some(d) = p.left_on {
            assert!(d < TODAY && d >= TODAY.checked_sub(jiff::Span::new().days(365)).unwrap());
        }
        if let Some(d) = p.leaving_on {
            assert!(d > TODAY && d <= TODAY.checked_add(jiff::Span::new().days(90)).unwrap());
        }
    }

    // Accounts: people who left with active accounts, nested groups, roles, admins without MFA.
    let accounts: HashMap<String, _> = inv.accounts().map(|a| (handover_core::Account::key_of(&a.system, &a.name), a)).collect();
    let left_active =
        inv.accounts().filter(|a| a.status == AccountStatus::Active && a.person.as_deref().is_some_and(|p| left.contains(p))).count();
    assert!(left_active > 0);
    let nested = inv
        .accounts()
        .filter(|a| a.kind == AccountKind::Group && a.member_of.iter().any(|m| accounts[m].kind == AccountKind::Group))
        .count();
    assert!(nested > 0);
    assert!(inv.accounts().any(|a| a.kind == AccountKind::Role));
    assert!(inv.accounts().any(|a| a.kind == AccountKind::Personal && a.member_of.iter().any(|m| accounts[m].kind == AccountKind::Role)));
    assert!(inv.accounts().any(|a| a.kind == AccountKind::Service && a.person.is_none()));
    assert!(inv.accounts().any(|a| a.kind == AccountKind::Shared));
    assert!(inv.accounts().any(|a| a.kind == AccountKind::Personal && a.person.is_none()));
    let admin_accounts: HashSet<&str> = inv.grants().filter(|g| g.level == Level::Admin).map(|g| g.account.as_str()).collect();
    let admins_without_mfa = accounts
        .iter()
        .filter(|(k, a)| a.kind == AccountKind::Personal && a.mfa == Some(false) && admin_accounts.contains(k.as_str()))
        .count();
    assert!(admins_without_mfa > 0);
    let admin_grants = inv.grants().filter(|g| g.level == Level::Admin).count();
    assert!(admin_grants * 50 < grants, "admin is rare: {admin_grants} of {grants}");
    assert!(inv.grants().any(|g| g.via.is_some()));
    let personal: Vec<_> = inv.accounts().filter(|a| a.kind == AccountKind::Personal).collect();
    let share = |f: &dyn Fn(&&handover_core::Account) -> bool| personal.iter().filter(|a| f(a)).count() as f64 / personal.len() as f64;
    let dormant = share(&|a| a.last_used.is_some_and(|d| d < TODAY.checked_sub(jiff::Span::new().days(120)).unwrap()));
    assert!((0.02..0.15).contains(&dormant), "dormant {dormant}");
    let disabled = share(&|a| a.status == AccountStatus::Disabled);
    assert!((0.01..0.08).contains(&disabled), "disabled {disabled}");
    let no_mfa = share(&|a| a.mfa == Some(false));
    assert!((0.05..0.2).contains(&no_mfa), "mfa false {no_mfa}");

    // Everything else.
    assert_eq!(inv.count(Kind::System), 25);
    assert!(inv.count(Kind::Role) >= 5);
    assert!(
        inv.roles().any(|r| r.critical && r.holders.len() == 1 && r.deputies.is_empty())
            || inv.roles().any(|r| r.critical && !r.deputies.is_empty())
    );
    assert!(inv.count(Kind::Credential) >= 8);
    assert!(inv.count(Kind::Project) >= 10);
    let kinds: BTreeSet<PolicyKind> = inv.policies().map(|p| p.kind).collect();
    for k in [
        PolicyKind::SecurityPolicy,
        PolicyKind::DrPlan,
        PolicyKind::BackupPlan,
        PolicyKind::CrisisPlan,
        PolicyKind::CommunicationPlan,
        PolicyKind::SuccessionPlan,
        PolicyKind::AcceptableUse,
    ] {
        assert!(kinds.contains(&k), "{k}");
    }
    assert!(inv.policies().any(|p| p.owner.is_none()));
    assert!(inv.policies().any(|p| p.next_review().is_some_and(|d| d < TODAY)), "some policy overdue");
    assert!(inv.count(Kind::Repository) >= 1);
    assert!(inv.systems().any(|s| s.tags.iter().any(|t| t == "identity-provider")));
    assert!(inv.systems().any(|s| s.tier == 1 && s.technical_owners.len() == 1) || inv.systems().any(|s| s.technical_owners.is_empty()));
}

#[test]
fn systems_scale_and_tiers_skew() {
    let inv = generate_inventory(&spec(2000, 4));
    let systems: Vec<_> = inv.systems().collect();
    assert_eq!(systems.len(), 50);
    let tier = |t: u8| systems.iter().filter(|s| s.tier == t).count();
    assert!(tier(3) >= tier(1), "tier 3 is the most common");
    for s in &systems {
        assert!((1..=4).contains(&s.tier));
    }
    assert!(systems.iter().any(|s| s.docs.is_empty()));
    assert!(systems.iter().any(|s| !s.depends_on.is_empty()));
    assert!(systems.iter().filter(|s| s.maintenance_contract.is_some()).count() * 2 > systems.len());
    let grants = inv.count(Kind::Grant) as f64 / 2000.0;
    assert!((35.0..=65.0).contains(&grants), "{grants}");
}
