//! Counts per kind and generation time for a synthetic organisation.
//!
//! `cargo run --release -p handover-synth --example counts -- 5000 [SEED] [--validate] [--time-only]`
//!
//! `--time-only` stops after the timed run (for measuring peak memory of generation alone);
//! `--validate` also builds the whole inventory and validates it.

use handover_core::{AccountKind, AccountStatus, Kind, Level, PersonStatus, Record};
use handover_synth::{generate, generate_inventory, Spec};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let people: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let validate = args.iter().any(|a| a == "--validate");
    let time_only = args.iter().any(|a| a == "--time-only");
    let today = jiff::civil::date(2026, 11, 26);
    let spec = Spec { people, seed, today };

    // 1. Generation alone, with a no-op emit.
    let start = Instant::now();
    let mut total = 0usize;
    generate(&spec, &mut |r| {
        std::hint::black_box(&r);
        total += 1;
    });
    let noop = start.elapsed();
    if time_only {
        println!("people={people} seed={seed} records={total}");
        println!("generation (no-op emit): {:.3} s", noop.as_secs_f64());
        return;
    }

    // 2. Again, counting and measuring.
    let mut counts: HashMap<Kind, usize> = HashMap::new();
    let mut left = HashSet::new();
    let mut left_with_active = HashSet::new();
    let mut admin_accounts = HashSet::new();
    let mut tiers = [0usize; 4];
    let (mut it_people, mut it_accounts, mut it_admin_grants) = (HashSet::new(), HashSet::new(), 0);
    let mut no_mfa = HashSet::new();
    let (mut personal, mut disabled, mut dormant, mut mfa_false, mut mfa_unknown, mut nested, mut admin_grants) = (0, 0, 0, 0, 0, 0, 0);
    let dormant_before = today.checked_sub(jiff::Span::new().days(120)).unwrap();
    generate(&spec, &mut |r| {
        *counts.entry(r.kind()).or_default() += 1;
        match &r {
            Record::Person(p) if p.status == PersonStatus::Left => {
                left.insert(p.key.clone());
            }
            Record::Account(a) => {
                if a.person.as_ref().is_some_and(|p| it_people.contains(p)) {
                    it_accounts.insert(r.key());
                }
                if a.kind == AccountKind::Group && !a.member_of.is_empty() {
                    nested += 1;
                }
                if a.kind == AccountKind::Personal {
                    personal += 1;
                    disabled += usize::from(a.status == AccountStatus::Disabled);
                    dormant += usize::from(a.last_used.is_some_and(|d| d < dormant_before));
                    mfa_false += usize::from(a.mfa == Some(false));
                    mfa_unknown += usize::from(a.mfa.is_none());
                    if a.mfa == Some(false) {
                        no_mfa.insert(r.key());
                    }
                    if a.status == AccountStatus::Active && a.person.as_ref().is_some_and(|p| left.contains(p)) {
                        left_with_active.insert(a.person.clone().unwrap());
                    }
                }
            }
            Record::System(s) => tiers[usize::from(s.tier.clamp(1, 4)) - 1] += 1,
            Record::Person(p) if p.department.as_deref() == Some("IT") => {
                it_people.insert(p.key.clone());
            }
            Record::Grant(g) if g.level == Level::Admin => {
                admin_grants += 1;
                it_admin_grants += usize::from(it_accounts.contains(&g.account));
                admin_accounts.insert(g.account.clone());
            }
            _ => {}
        }
    });

    println!("people={people} seed={seed} records={total}");
    println!("generation (no-op emit): {:.3} s", noop.as_secs_f64());
    for kind in Kind::ALL {
        println!("  {:<13} {:>10}", kind.plural(), counts.get(&kind).copied().unwrap_or(0));
    }
    let grants = counts.get(&Kind::Grant).copied().unwrap_or(0);
    let pct = |x: usize| 100.0 * x as f64 / personal.max(1) as f64;
    println!("systems by tier 1/2/3/4: {tiers:?}");
    println!("grants per person: {:.1}", grants as f64 / people as f64);
    println!(
        "admin grants: {admin_grants} ({:.2}% of grants; {:.0}% of them on IT people's accounts, IT is {} people)",
        100.0 * admin_grants as f64 / grants.max(1) as f64,
        100.0 * it_admin_grants as f64 / admin_grants.max(1) as f64,
        it_people.len()
    );
    println!(
        "personal accounts: {personal}; disabled {:.1}%, dormant (>120 d) {:.1}%, mfa false {:.1}%, mfa unknown {:.1}%",
        pct(disabled),
        pct(dormant),
        pct(mfa_false),
        pct(mfa_unknown)
    );
    println!("people who left: {}, of whom with an active account: {}", left.len(), left_with_active.len());
    println!("nested groups: {nested}; accounts with an admin grant and mfa false: {}", admin_accounts.intersection(&no_mfa).count());

    if validate {
        let start = Instant::now();
        let inv = generate_inventory(&spec);
        let built = start.elapsed();
        let problems = inv.validate();
        println!("inventory built in {:.3} s, validate: {} problems", built.as_secs_f64(), problems.len());
        for p in problems.iter().take(10) {
            println!("  {p:?}");
        }
    }
}
