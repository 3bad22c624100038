//! Deterministic synthetic organisations for scale tests and benchmarks.
//!
//! [`generate`] invents a whole organisation — people in a manager hierarchy, vendors and
//! their contracts, systems, group/role/service/shared/personal accounts and their grants,
//! roles, credentials, projects, contacts, policies and repositories — and hands every
//! record to a callback, so even a 100,000-person organisation (about five million grants)
//! never has to be held in memory at once. The same [`Spec`] always yields the same records
//! in the same order, and the result always passes [`handover_core::Inventory::validate`].
//!
//! Everything is fictional: names are drawn from word lists, emails live under
//! `synth.example`, vendors under `<vendor>.example`. The data deliberately contains what
//! handover exists to find — people who left with active accounts, admins without MFA,
//! dormant accounts, systems with one technical owner or none, stale docs, single-holder
//! secrets, contracts about to end, overdue policies.
#![forbid(unsafe_code)]

mod accounts;
mod org;
mod people;
mod rng;
mod systems;
mod words;

use handover_core::{Inventory, Record};
use jiff::civil::Date;

use people::Pn;
use rng::Rng;
use systems::{Sys, Vd};
use words::DeptDef;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Number of people (the organisation's size; everything else scales from it).
    pub people: usize,
    /// Different seeds give different organisations of the same shape.
    pub seed: u64,
    /// The reference date: "recently used", "left last month" and "ends in 60 days" are
    /// relative to it.
    pub today: Date,
}

impl Spec {
    pub fn new(people: usize, seed: u64, today: Date) -> Spec {
        Spec { people, seed, today }
    }
}

/// Calls `emit` once per record, in an order where every record is emitted after the
/// records it refers to: people (managers before their reports), vendors, contracts,
/// systems (dependencies first), roles, accounts (system by system in key order, each
/// system's group and role accounts before their members and the others by name, each
/// account followed by its grants by key), credentials, projects, contacts, policies,
/// repositories. Keys are unique, so every record is emitted exactly once.
///
/// Generates nothing for zero people.
pub fn generate(spec: &Spec, emit: &mut dyn FnMut(Record)) {
    if spec.people == 0 {
        return;
    }
    let mut g = Gen::new(spec);
    g.people(emit);
    g.vendors(emit);
    g.contracts(emit);
    g.systems(emit);
    g.roles(emit);
    g.accounts(emit);
    g.credentials(emit);
    g.projects(emit);
    g.contacts(emit);
    g.policies(emit);
    g.repositories(emit);
}

/// [`generate`] collected into an [`Inventory`].
pub fn generate_inventory(spec: &Spec) -> Inventory {
    let mut inv = Inventory::new();
    generate(spec, &mut |r| {
        inv.insert(r);
    });
    inv
}

/// How much a person's access on one system is: decides the levels of their grants and
/// which groups they join. Ordered from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Profile {
    Regular,
    Support,
    Power,
    Admin,
}

pub(crate) struct Dept {
    pub def: &'static DeptDef,
    /// People in the department, head first, then team leads, then staff (heap order:
    /// member `j` reports to member `(j - 1) / 8`).
    pub members: Vec<u32>,
    /// `members[1..leads_end]` are the team leads.
    pub leads_end: usize,
}

/// The state shared by the phases of one generation run.
pub(crate) struct Gen {
    pub seed: u64,
    pub today: Date,
    pub n: usize,
    /// 0 is Leadership (the CEO), 1 is IT, then the other departments.
    pub depts: Vec<Dept>,
    pub people: Vec<Pn>,
    /// IT head, IT leads and IT administrators: who owns, patches and administers systems.
    pub tech_pool: Vec<u32>,
    pub it_support: Vec<u32>,
    /// Systems each person owns: technical (`Admin`) or business (`Power`).
    pub owns: Vec<Vec<(u32, Profile)>>,
    pub vendors: Vec<Vd>,
    pub contract_keys: Vec<String>,
    pub systems: Vec<Sys>,
    pub project_keys: Vec<String>,
    /// Company-wide well-known systems and the share of staff using each.
    pub everyone: Vec<(u32, f64)>,
    /// Company-wide generic tools.
    pub company: Vec<u32>,
    /// Systems used by each department (index as `depts`).
    pub dept_pool: Vec<Vec<u32>>,
    /// Every departmental system.
    pub any_pool: Vec<u32>,
    /// Infrastructure, cloud and integration systems run by IT.
    pub it_pool: Vec<u32>,
}

// Stream numbers: each phase (and each person, system) draws from its own stream.
const S_PEOPLE: u64 = 1;
const S_VENDORS: u64 = 2;
const S_CONTRACTS: u64 = 3;
const S_SYSTEMS: u64 = 4;
const S_ROLES: u64 = 5;
const S_CREDENTIALS: u64 = 6;
const S_PROJECTS: u64 = 7;
const S_CONTACTS: u64 = 8;
const S_POLICIES: u64 = 9;
const S_REPOSITORIES: u64 = 10;
const S_UNLINKED: u64 = 11;
const S_SYSTEM_ACCOUNTS: u64 = 1 << 32;
const S_PERSON_ACCOUNTS: u64 = 2 << 32;

impl Gen {
    fn new(spec: &Spec) -> Gen {
        Gen {
            seed: spec.seed,
            today: spec.today,
            n: spec.people,
            depts: Vec::new(),
            people: Vec::with_capacity(spec.people),
            tech_pool: Vec::new(),
            it_support: Vec::new(),
            owns: Vec::new(),
            vendors: Vec::new(),
            contract_keys: Vec::new(),
            systems: Vec::new(),
            project_keys: Vec::new(),
            everyone: Vec::new(),
            company: Vec::new(),
            dept_pool: Vec::new(),
            any_pool: Vec::new(),
            it_pool: Vec::new(),
        }
    }

    pub(crate) fn rng(&self, stream: u64) -> Rng {
        Rng::new(self.seed, stream)
    }

    pub(crate) fn pkey(&self, p: u32) -> String {
        self.people.get(p as usize).map(|p| p.key.clone()).unwrap_or_default()
    }

    /// `today` moved by `days` (negative: in the past). Stays put at the ends of the
    /// calendar rather than failing.
    pub(crate) fn day(&self, days: i64) -> Date {
        shift(self.today, days)
    }

    /// The head of department `d` or one of its team leads; the CEO if it has no people.
    pub(crate) fn dept_manager(&self, rng: &mut Rng, d: usize) -> u32 {
        match self.depts.get(d) {
            Some(dept) if !dept.members.is_empty() => {
                let leads = dept.members.get(1..dept.leads_end).unwrap_or(&[]);
                if !leads.is_empty() && rng.chance(0.4) {
                    *rng.pick(leads).unwrap_or(&dept.members[0])
                } else {
                    dept.members[0]
                }
            }
            _ => 0,
        }
    }

    /// The head of department `d`, if it has people.
    pub(crate) fn head(&self, d: usize) -> Option<u32> {
        self.depts.get(d).and_then(|dept| dept.members.first().copied())
    }

    /// Someone technical: an IT administrator (usually) or support technician.
    pub(crate) fn techie(&self, rng: &mut Rng) -> u32 {
        let pool =
            if self.tech_pool.is_empty() || (!self.it_support.is_empty() && rng.chance(0.1)) { &self.it_support } else { &self.tech_pool };
        rng.pick(pool).copied().unwrap_or(0)
    }

    /// A random person.
    pub(crate) fn anyone(&self, rng: &mut Rng) -> u32 {
        rng.below(self.people.len()) as u32
    }

    /// Indices of departments that have people, other than Leadership.
    pub(crate) fn active_depts(&self) -> impl Iterator<Item = usize> + '_ {
        (1..self.depts.len()).filter(|d| !self.depts[*d].members.is_empty())
    }

    pub(crate) fn dept_by_slug(&self, slug: &str) -> Option<usize> {
        self.depts.iter().position(|d| d.def.slug == slug && !d.members.is_empty())
    }
}

pub(crate) fn shift(d: Date, days: i64) -> Date {
    jiff::Span::new().try_days(days).ok().and_then(|s| d.checked_add(s).ok()).unwrap_or(d)
}

pub(crate) fn interval_days(days: u64) -> handover_core::Interval {
    handover_core::Interval::from_minutes(days * 24 * 60)
}
