//! The in-memory snapshot every analysis runs over: records indexed by compact ids, with
//! adjacency lists and inherited access already resolved.
//!
//! Built once from an [`Inventory`]; read-only afterwards, so analyses can share it across
//! threads.

use foldhash::HashMap;
use handover_core::{Account, AccountKind, AccountStatus, GrantDigest, Inventory, Kind, Level, Person, PersonStatus, Record, System};
use rayon::prelude::*;
use std::ops::Range;

/// A compact index into one of the snapshot's vectors.
pub type Ix = u32;

pub struct AccountNode<'a> {
    pub record: &'a Account,
    pub key: &'a str,
    pub system: Ix,
    pub person: Option<Ix>,
    /// The record's status and kind, copied: every rule asks, and at a million accounts
    /// reading them through `record` is a cache miss each time.
    pub status: AccountStatus,
    pub kind: AccountKind,
    pub member_of: Vec<Ix>,
    /// The highest level of the account's own grants.
    pub direct: Option<Level>,
    /// The highest level it holds, own or inherited through groups and roles.
    pub effective: Option<Level>,
    /// Where its admin comes from when inherited: the group or role account holding the
    /// admin grant.
    pub admin_via: Option<Ix>,
}

impl AccountNode<'_> {
    pub fn is_active(&self) -> bool {
        self.status == AccountStatus::Active
    }
    pub fn is_admin(&self) -> bool {
        self.effective == Some(Level::Admin)
    }
    /// Accounts that stand for a set of others rather than a login.
    pub fn is_container(&self) -> bool {
        self.kind.is_container()
    }
}

pub struct Snapshot<'a> {
    pub inv: &'a Inventory,
    pub people: Vec<&'a Person>,
    pub systems: Vec<&'a System>,
    pub accounts: Vec<AccountNode<'a>>,
    person_ix: HashMap<&'a str, Ix>,
    system_ix: HashMap<&'a str, Ix>,
    /// Every account's key, in order (as `accounts`).
    account_keys: Vec<&'a str>,
    /// How many grants the organisation holds.
    pub grants: usize,
    /// Per person: their accounts.
    pub person_accounts: Vec<Vec<Ix>>,
    /// Per system: its accounts, which are consecutive (see [`Snapshot::accounts_on`]).
    system_accounts: Vec<Range<Ix>>,
    /// Per system: (person, account) for every active account of a person still here
    /// that holds admin, own or inherited.
    pub system_admins: Vec<Vec<(Ix, Ix)>>,
    /// Per system: people still here who know it — technical owners, documentation
    /// authors, authors of its code and admins. Sorted, no duplicates.
    pub system_knowers: Vec<Vec<Ix>>,
    /// Per person: systems they administer (sorted, no duplicates).
    pub person_admin_systems: Vec<Vec<Ix>>,
    /// Per person: systems they know.
    pub person_known_systems: Vec<Vec<Ix>>,
    /// Per person: every record that names them, and in which field (`owner`,
    /// `holders[0]`, …) — except accounts, which are in `person_accounts`.
    pub person_refs: Vec<Vec<(Kind, &'a str, String)>>,
}

impl<'a> Snapshot<'a> {
    /// The snapshot of an inventory that holds its grants.
    pub fn new(inv: &'a Inventory) -> Snapshot<'a> {
        Snapshot::with_grants(inv, &GrantDigest::of(inv))
    }

    /// The snapshot of an inventory whose grants come as a digest (see
    /// `Store::load_for_analysis`); grants in `inv` itself are not read.
    pub fn with_grants(inv: &'a Inventory, grants: &GrantDigest) -> Snapshot<'a> {
        let people: Vec<&Person> = inv.people().collect();
        let person_ix: HashMap<&str, Ix> = people.iter().enumerate().map(|(i, p)| (p.key.as_str(), i as Ix)).collect();
        let systems: Vec<&System> = inv.systems().collect();
        let system_ix: HashMap<&str, Ix> = systems.iter().enumerate().map(|(i, s)| (s.key.as_str(), i as Ix)).collect();

        // Accounts are in key order, and so is the digest: each account's direct level is
        // found by walking along both. Building the nodes and resolving memberships (by
        // binary search over the sorted keys) run in parallel: at a million accounts this
        // is memory-bound work that a second core halves.
        let keyed: Vec<(&'a str, &'a Account)> = inv
            .keyed(Kind::Account)
            .filter_map(|(key, record)| match record {
                Record::Account(a) => Some((key, &**a)),
                _ => None,
            })
            .collect();
        let mut digest = grants.sorted().iter().peekable();
        let direct: Vec<Option<Level>> = keyed
            .iter()
            .map(|(key, _)| {
                while digest.next_if(|(account, _)| account.as_str() < *key).is_some() {}
                digest.next_if(|(account, _)| account == key).map(|(_, level)| *level)
            })
            .collect();
        let account_keys: Vec<&'a str> = keyed.iter().map(|(key, _)| *key).collect();
        // Memberships point at groups and roles: a few thousand accounts among a million,
        // whose map stays in cache, where each step of a binary search over every key is
        // a miss. Any other account named is still found by the search.
        let containers: HashMap<&str, Ix> =
            keyed.iter().enumerate().filter(|(_, (_, a))| a.kind.is_container()).map(|(i, (key, _))| (*key, i as Ix)).collect();
        let find = |key: &str| containers.get(key).copied().or_else(|| account_keys.binary_search(&key).ok().map(|i| i as Ix));
        // An account's key is `SYSTEM/NAME` and system keys are slugs (no '/'), so each
        // system's accounts are one run of the sorted keys, found by two binary searches:
        // no account's own system field is read (at a million accounts each read is a
        // cache miss, and they were a third of building the nodes).
        let mut system_of: Vec<Ix> = vec![0; account_keys.len()];
        let system_accounts: Vec<Range<Ix>> = systems
            .iter()
            .enumerate()
            .map(|(ix, system)| {
                let (from, to) = (format!("{}/", system.key), format!("{}0", system.key));
                let run = account_keys.partition_point(|k| *k < from.as_str())..account_keys.partition_point(|k| *k < to.as_str());
                system_of[run.clone()].fill(ix as Ix);
                run.start as Ix..run.end as Ix
            })
            .collect();
        let mut accounts: Vec<AccountNode> = keyed
            .par_iter()
            .zip(direct)
            .zip(system_of)
            .map(|((&(key, a), direct), system)| AccountNode {
                record: a,
                key,
                system,
                status: a.status,
                kind: a.kind,
                // Validation guarantees these resolve; an unresolved one is treated as absent.
                person: a.person.as_deref().and_then(|p| person_ix.get(p).copied()),
                member_of: a.member_of.iter().filter_map(|k| find(k)).collect(),
                direct,
                effective: None,
                admin_via: None,
            })
            .collect();
        resolve_inheritance(&mut accounts);

        let mut snap = Snapshot {
            inv,
            person_accounts: vec![Vec::new(); people.len()],
            system_accounts,
            system_admins: vec![Vec::new(); systems.len()],
            system_knowers: vec![Vec::new(); systems.len()],
            person_admin_systems: vec![Vec::new(); people.len()],
            person_known_systems: vec![Vec::new(); people.len()],
            person_refs: vec![Vec::new(); people.len()],
            people,
            systems,
            accounts,
            person_ix,
            system_ix,
            account_keys,
            grants: grants.count,
        };
        for (ix, a) in snap.accounts.iter().enumerate() {
            if let Some(p) = a.person {
                snap.person_accounts[p as usize].push(ix as Ix);
                if a.is_active() && a.is_admin() && snap.is_present(p) && !a.is_container() {
                    snap.system_admins[a.system as usize].push((p, ix as Ix));
                }
            }
        }
        // Authors of a system's code (from `handover git scan`) know it too.
        let mut code_authors: HashMap<&str, Vec<&str>> = HashMap::default();
        for r in inv.repositories() {
            if let (Some(system), Some(scan)) = (&r.system, &r.scan) {
                code_authors.entry(system.as_str()).or_default().extend(scan.authors.iter().filter_map(|a| a.person.as_deref()));
            }
        }
        for (s, system) in snap.systems.iter().enumerate() {
            let mut knowers: Vec<Ix> = snap.system_admins[s].iter().map(|(p, _)| *p).collect();
            let named = system
                .technical_owners
                .iter()
                .map(String::as_str)
                .chain(system.docs.iter().filter_map(|d| d.author.as_deref()))
                .chain(code_authors.get(system.key.as_str()).into_iter().flatten().copied());
            knowers.extend(named.filter_map(|k| snap.person(k)).filter(|p| snap.is_present(*p)));
            knowers.sort_unstable();
            knowers.dedup();
            for p in &knowers {
                snap.person_known_systems[*p as usize].push(s as Ix);
            }
            snap.system_knowers[s] = knowers;
            for p in snap.admin_people(s as Ix) {
                snap.person_admin_systems[p as usize].push(s as Ix);
            }
        }
        for kind in Kind::ALL.into_iter().filter(|k| !matches!(k, Kind::Account | Kind::Grant)) {
            for record in inv.of(kind) {
                let key: &'a str = record_key(record);
                for rf in record.refs().into_iter().filter(|r| r.kind == Kind::Person) {
                    if let Some(p) = snap.person(rf.key) {
                        snap.person_refs[p as usize].push((kind, key, rf.field));
                    }
                }
            }
        }
        snap
    }

    pub fn person(&self, key: &str) -> Option<Ix> {
        self.person_ix.get(key).copied()
    }
    pub fn system(&self, key: &str) -> Option<Ix> {
        self.system_ix.get(key).copied()
    }
    pub fn account(&self, key: &str) -> Option<Ix> {
        self.account_keys.binary_search(&key).ok().map(|i| i as Ix)
    }

    /// A system's accounts with their indexes: one run of the accounts, which are in key
    /// order, and an account's key starts with its system's — so a rule that looks at one
    /// system reads its accounts, not every account of the organisation.
    pub fn accounts_on(&self, s: Ix) -> impl Iterator<Item = (Ix, &AccountNode<'a>)> + '_ {
        let run = self.system_accounts[s as usize].clone();
        run.clone().zip(&self.accounts[run.start as usize..run.end as usize])
    }

    /// Still with the organisation (active or leaving, not yet left).
    pub fn is_present(&self, p: Ix) -> bool {
        self.people[p as usize].status != PersonStatus::Left
    }

    /// People who hold admin on a system, sorted, without duplicates.
    pub fn admin_people(&self, s: Ix) -> Vec<Ix> {
        let mut out: Vec<Ix> = self.system_admins[s as usize].iter().map(|(p, _)| *p).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Per author of a scanned repository: gone (left, or in `leavers`) or not. Authors
    /// not matched to a person count as staying: nothing says they left.
    pub fn repo_authors_gone(&self, scan: &handover_core::RepoScan, leavers: &[Ix]) -> Vec<bool> {
        scan.authors
            .iter()
            .map(|a| a.person.as_deref().and_then(|k| self.person(k)).is_some_and(|p| !self.is_present(p) || leavers.contains(&p)))
            .collect()
    }

    pub fn person_key(&self, p: Ix) -> &str {
        &self.people[p as usize].key
    }
    pub fn system_key(&self, s: Ix) -> &str {
        &self.systems[s as usize].key
    }
}

/// The key of a slug-keyed record, borrowed from it.
fn record_key(r: &Record) -> &str {
    match r {
        Record::Person(x) => &x.key,
        Record::Role(x) => &x.key,
        Record::Vendor(x) => &x.key,
        Record::Contact(x) => &x.key,
        Record::Contract(x) => &x.key,
        Record::System(x) => &x.key,
        Record::Credential(x) => &x.key,
        Record::Project(x) => &x.key,
        Record::Policy(x) => &x.key,
        Record::Repository(x) => &x.key,
        Record::Acceptance(x) => &x.key,
        Record::Plan(x) => &x.key,
        Record::Escrow(x) => &x.key,
        Record::Review(x) => &x.key,
        Record::Incident(x) => &x.key,
        Record::Account(x) => &x.name,
        Record::Grant(x) => &x.privilege,
    }
}

/// Fills `effective` and `admin_via` by walking `member_of` edges: iterative depth-first
/// with memoisation, so deep or cyclic nesting costs linear time and no stack.
fn resolve_inheritance(accounts: &mut [AccountNode]) {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; accounts.len()];
    let mut stack: Vec<(Ix, usize)> = Vec::new();
    for root in 0..accounts.len() {
        if state[root] != NEW {
            continue;
        }
        stack.push((root as Ix, 0));
        state[root] = OPEN;
        while let Some(&mut (ix, ref mut next)) = stack.last_mut() {
            let node = &accounts[ix as usize];
            if let Some(&parent) = node.member_of.get(*next) {
                *next += 1;
                if state[parent as usize] == NEW {
                    state[parent as usize] = OPEN;
                    stack.push((parent, 0));
                }
                continue;
            }
            // All parents done (or open: a cycle, whose members share what is resolved so far).
            let mut effective = node.direct;
            let mut via = (node.direct == Some(Level::Admin)).then_some(ix);
            for &parent in &node.member_of {
                let p = &accounts[parent as usize];
                if p.effective > effective {
                    effective = p.effective;
                }
                if via.is_none() && p.effective == Some(Level::Admin) {
                    via = p.admin_via.or(Some(parent));
                }
            }
            let node = &mut accounts[ix as usize];
            node.effective = effective;
            node.admin_via = via.filter(|v| *v != ix);
            state[ix as usize] = DONE;
            stack.pop();
        }
    }
    // Members of a cycle (group A in B in A) were resolved before all of the cycle was: relax
    // to the fixed point. Levels only rise and there are three, so this ends quickly.
    let mut changed = true;
    while changed {
        changed = false;
        for ix in 0..accounts.len() {
            let (mut effective, mut via) = (accounts[ix].effective, accounts[ix].admin_via);
            for &parent in &accounts[ix].member_of {
                let p = &accounts[parent as usize];
                if p.effective > effective {
                    effective = p.effective;
                    via = if p.direct == Some(Level::Admin) { Some(parent) } else { p.admin_via };
                }
            }
            if effective != accounts[ix].effective {
                accounts[ix].effective = effective;
                accounts[ix].admin_via = via.filter(|v| *v as usize != ix);
                changed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each account finds its system from the run of sorted keys it is in, even when other
    /// systems' keys start with the same letters and sort around it (`-` and `.` before
    /// `/`, letters after) and the account's name holds a `/` of its own.
    #[test]
    fn every_account_gets_the_system_its_record_names() {
        let mut inv = Inventory::new();
        for key in ["erp", "erp-hr", "erp.x", "erpx", "e"] {
            inv.insert(Record::from_json(Kind::System, json!({"key": key, "name": key, "tier": 2})).unwrap());
        }
        for (system, name) in [
            ("erp", "ann"),
            ("erp", "cn=a/b"),
            ("erp", "zoe"),
            ("erp", "Ürsula"),
            ("erp-hr", "bob"),
            ("erp.x", "cy"),
            ("erpx", "dee"),
            ("e", "rp"),
        ] {
            inv.insert(Record::from_json(Kind::Account, json!({"system": system, "name": name})).unwrap());
        }
        let snap = Snapshot::with_grants(&inv, &GrantDigest::default());
        assert_eq!(snap.accounts.len(), 8);
        for a in &snap.accounts {
            assert_eq!(snap.systems[a.system as usize].key, a.record.system, "{}", a.key);
        }
        for s in 0..snap.systems.len() as Ix {
            let on: Vec<&str> = snap
                .accounts_on(s)
                .map(|(ix, a)| {
                    assert_eq!(snap.accounts[ix as usize].key, a.key);
                    a.key
                })
                .collect();
            let want: Vec<&str> = snap.accounts.iter().filter(|a| a.system == s).map(|a| a.key).collect();
            assert_eq!(on, want, "{}", snap.systems[s as usize].key);
        }
    }
}
