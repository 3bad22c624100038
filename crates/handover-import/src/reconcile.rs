//! Imported access of one system → the store's next state, with identity resolution.
//!
//! Re-importing the same data changes nothing. An account that vanished from the source is
//! kept with status `removed` (its grants go), so history and plan verification still see
//! it; a link to a person made by hand survives re-imports.

use handover_core::{Account, AccountKind, AccountStatus, ChangeSet, Grant, Inventory, Kind, Record};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// What a source says about who an account is, used to find its person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    pub email: Option<String>,
    pub display_name: Option<String>,
}

/// The access records a source yields for one system.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub accounts: Vec<(Account, Hints)>,
    pub grants: Vec<Grant>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

/// The summary every import prints (`--format json` prints exactly this).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub system: String,
    /// Principals that can authenticate or act (every kind but `group`: roles such as IAM
    /// roles act with their own sessions).
    pub accounts: usize,
    /// Entitlement containers (`group` accounts: groups, teams, managed policies, k8s roles).
    pub groups: usize,
    /// Direct account→entitlement edges (memberships and direct grants).
    pub grants: usize,
    pub people_linked: usize,
    pub unlinked: usize,
    pub warnings: Vec<String>,
    pub changes: Changes,
}

/// People by the names an account may carry: emails, aliases, keys.
struct Directory<'a> {
    by_email: HashMap<String, &'a str>,
    by_username: HashMap<String, &'a str>,
    by_name: HashMap<String, Vec<&'a str>>,
}

impl<'a> Directory<'a> {
    fn new(inv: &'a Inventory) -> Self {
        let mut d = Directory { by_email: HashMap::new(), by_username: HashMap::new(), by_name: HashMap::new() };
        for p in inv.people() {
            if let Some(e) = &p.email {
                d.by_email.insert(e.to_lowercase(), &p.key);
                if let Some((local, _)) = e.split_once('@') {
                    d.by_username.entry(local.to_lowercase()).or_insert(&p.key);
                }
            }
            for alias in &p.aliases {
                if alias.contains('@') {
                    d.by_email.insert(alias.to_lowercase(), &p.key);
                } else {
                    d.by_username.insert(alias.to_lowercase(), &p.key);
                }
            }
            d.by_username.entry(p.key.clone()).or_insert(&p.key);
            d.by_name.entry(p.name.to_lowercase()).or_default().push(&p.key);
        }
        d
    }

    /// Email first, then username; a matching display name is only a proposal.
    fn resolve(&self, account: &Account, hints: &Hints) -> (Option<&'a str>, Option<&'a str>) {
        let email =
            hints.email.as_deref().map(str::to_lowercase).or_else(|| account.name.contains('@').then(|| account.name.to_lowercase()));
        if let Some(p) = email.and_then(|e| self.by_email.get(&e).copied()) {
            return (Some(p), None);
        }
        if let Some(p) = self.by_username.get(&account.name.to_lowercase()).copied() {
            return (Some(p), None);
        }
        let proposal =
            hints.display_name.as_deref().and_then(|n| self.by_name.get(&n.to_lowercase())).filter(|v| v.len() == 1).map(|v| v[0]);
        (None, proposal)
    }
}

/// The outcome of reconciling one import.
#[derive(Debug, Clone)]
pub struct Reconciled {
    /// The inventory after the import.
    pub target: Inventory,
    /// What turns the current inventory into `target` (accounts and grants only).
    pub changes: ChangeSet,
    pub summary: Summary,
}

/// The inventory after importing `imported` as the whole truth about `system`'s access.
pub fn reconcile(current: &Inventory, system: &str, imported: Imported) -> Reconciled {
    let dir = Directory::new(current);
    let mut summary = Summary { system: system.to_string(), warnings: imported.warnings, ..Summary::default() };
    let existing: HashMap<String, &Account> =
        current.accounts().filter(|a| a.system == system).map(|a| (Account::key_of(&a.system, &a.name), a)).collect();
    let mut target = current.clone();
    for key in existing.keys() {
        target.remove(Kind::Account, key);
    }
    let old_grants: Vec<String> =
        current.grants().filter(|g| existing.contains_key(&g.account)).map(|g| Grant::key_of(&g.account, &g.privilege)).collect();
    for key in old_grants {
        target.remove(Kind::Grant, &key);
    }
    let mut present: BTreeSet<String> = BTreeSet::new();
    for (mut account, hints) in imported.accounts {
        let key = Account::key_of(&account.system, &account.name);
        let previous = existing.get(&key);
        // Roles (IAM roles) act with their own sessions: they count as accounts, not groups.
        let is_container = account.kind == AccountKind::Group;
        if is_container {
            summary.groups += 1;
        } else {
            summary.accounts += 1;
            summary.grants += account.member_of.len();
        }
        // A link made by hand wins; then email, then username.
        let manual = previous.and_then(|p| p.person.clone());
        let (found, proposal) = if account.kind == AccountKind::Personal { dir.resolve(&account, &hints) } else { (None, None) };
        account.person = manual.or_else(|| found.map(str::to_string));
        if account.kind == AccountKind::Personal && !is_container {
            match (&account.person, proposal) {
                (Some(_), _) => summary.people_linked += 1,
                (None, Some(p)) => {
                    summary.unlinked += 1;
                    summary
                        .warnings
                        .push(format!("{key} may be person {p} (same name); confirm with `handover account set {key} person={p}`"));
                }
                (None, None) => summary.unlinked += 1,
            }
        }
        // Keep what the source does not say but handover knows.
        if let Some(prev) = previous {
            account.created = account.created.or(prev.created);
            account.last_used = account.last_used.or(prev.last_used);
            account.mfa = account.mfa.or(prev.mfa);
        }
        present.insert(key);
        target.insert(Record::from(account));
    }
    for g in imported.grants {
        if present.contains(&g.account) {
            if !target.get(Kind::Account, &g.account).is_some_and(|a| matches!(a, Record::Account(x) if x.kind == AccountKind::Group)) {
                summary.grants += 1;
            }
            target.insert(Record::Grant(g));
        }
    }
    // Vanished accounts stay, marked removed, without their grants.
    for (key, old) in &existing {
        if !present.contains(key) {
            let mut kept = (*old).clone();
            kept.status = AccountStatus::Removed;
            kept.member_of.retain(|g| present.contains(g));
            target.insert(Record::from(kept));
        }
    }
    let changes = current.diff(&target, &[Kind::Account, Kind::Grant]);
    for c in &changes.changes {
        match (c.kind, c.action()) {
            (_, handover_core::Action::Create) => summary.changes.added += 1,
            (_, handover_core::Action::Delete) => summary.changes.removed += 1,
            (Kind::Account, handover_core::Action::Update)
                if matches!(&c.after, Some(Record::Account(a)) if a.status == AccountStatus::Removed)
                    && !matches!(&c.before, Some(Record::Account(a)) if a.status == AccountStatus::Removed) =>
            {
                summary.changes.removed += 1
            }
            _ => summary.changes.changed += 1,
        }
    }
    Reconciled { target, changes, summary }
}
