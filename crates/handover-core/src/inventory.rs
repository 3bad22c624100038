//! A whole inventory in memory: validation across records and the diff between two
//! inventories. `apply`, the CLI's edits and (later) imports all end as a [`ChangeSet`]
//! computed here, so there is one way records change.

use crate::kind::is_slug;
use crate::records::*;
use crate::{ErrorCode, Kind, Problem};
use std::collections::{BTreeMap, HashMap};

/// Every record, by kind and key. Iteration is in key order, so output built from an
/// inventory is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    records: BTreeMap<Kind, BTreeMap<String, Record>>,
}

macro_rules! typed_view {
    ($fn:ident, $variant:ident, $ty:ty) => {
        pub fn $fn(&self) -> impl Iterator<Item = &$ty> + '_ {
            self.of(Kind::$variant).filter_map(|r| match r {
                Record::$variant(x) => Some(std::borrow::Borrow::<$ty>::borrow(x)),
                _ => None,
            })
        }
    };
}

impl Inventory {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an inventory from records in any order, in bulk (much faster than inserting
    /// one by one). Of records with the same kind and key, the last wins.
    pub fn from_records(records: Vec<Record>) -> Inventory {
        let mut by_kind: BTreeMap<Kind, Vec<(String, Record)>> = BTreeMap::new();
        for r in records {
            by_kind.entry(r.kind()).or_default().push((r.key(), r));
        }
        Inventory { records: by_kind.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect() }
    }

    /// Builds an inventory from records already grouped by kind with their keys, each
    /// group sorted by key (what a store's load produces): the maps are then built in one
    /// pass, with no key formatted or compared more than once. Unsorted input is still
    /// correct, only slower; of equal keys the last wins.
    pub fn from_sorted(groups: BTreeMap<Kind, Vec<(String, Record)>>) -> Inventory {
        Inventory { records: groups.into_iter().map(|(kind, records)| (kind, records.into_iter().collect())).collect() }
    }

    /// Consumes the inventory into the change set that creates all of it in an empty store.
    pub fn into_creations(self) -> ChangeSet {
        let changes = self
            .records
            .into_iter()
            .flat_map(|(kind, records)| records.into_iter().map(move |(key, r)| Change { kind, key, before: None, after: Some(r) }))
            .collect();
        ChangeSet { changes }
    }

    /// Adds or replaces a record; returns the one it replaced.
    pub fn insert(&mut self, record: Record) -> Option<Record> {
        self.records.entry(record.kind()).or_default().insert(record.key(), record)
    }

    pub fn remove(&mut self, kind: Kind, key: &str) -> Option<Record> {
        self.records.get_mut(&kind)?.remove(key)
    }

    pub fn get(&self, kind: Kind, key: &str) -> Option<&Record> {
        self.records.get(&kind)?.get(key)
    }

    pub fn contains(&self, kind: Kind, key: &str) -> bool {
        self.get(kind, key).is_some()
    }

    /// Records of one kind, in key order.
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Record> + '_ {
        self.records.get(&kind).into_iter().flat_map(|m| m.values())
    }

    /// Records of one kind with their keys, in key order.
    pub fn keyed(&self, kind: Kind) -> impl Iterator<Item = (&str, &Record)> + '_ {
        self.records.get(&kind).into_iter().flat_map(|m| m.iter().map(|(k, r)| (k.as_str(), r)))
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.records.get(&kind).map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.records.values().all(|m| m.is_empty())
    }

    typed_view!(people, Person, Person);
    typed_view!(roles, Role, Role);
    typed_view!(vendors, Vendor, Vendor);
    typed_view!(contacts, Contact, Contact);
    typed_view!(contracts, Contract, Contract);
    typed_view!(systems, System, System);
    typed_view!(accounts, Account, Account);
    typed_view!(grants, Grant, Grant);
    typed_view!(credentials, Credential, Credential);
    typed_view!(projects, Project, Project);
    typed_view!(policies, Policy, Policy);
    typed_view!(repositories, Repository, Repository);
    typed_view!(escrows, Escrow, Escrow);
    typed_view!(acceptances, Acceptance, Acceptance);
    typed_view!(plans, Plan, Plan);
    typed_view!(reviews, Review, Review);
    typed_view!(incidents, Incident, Incident);

    pub fn person(&self, key: &str) -> Option<&Person> {
        match self.get(Kind::Person, key)? {
            Record::Person(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    pub fn system(&self, key: &str) -> Option<&System> {
        match self.get(Kind::System, key)? {
            Record::System(s) => Some(s.as_ref()),
            _ => None,
        }
    }

    /// This inventory with the records of `kinds` replaced by those in `other`: what the
    /// store should hold after applying a file that manages those kinds.
    pub fn with_kinds_from(&self, other: &Inventory, kinds: &[Kind]) -> Inventory {
        let mut out = self.clone();
        for kind in kinds {
            match other.records.get(kind) {
                Some(records) => out.records.insert(*kind, records.clone()),
                None => out.records.remove(kind),
            };
        }
        out
    }

    /// Records that refer to `(kind, key)`, with the referring field.
    pub fn referrers(&self, kind: Kind, key: &str) -> Vec<(Kind, String, String)> {
        let mut out = Vec::new();
        for records in self.records.values() {
            for r in records.values() {
                for rf in r.refs() {
                    if rf.kind == kind && rf.key == key {
                        out.push((r.kind(), r.key(), rf.field));
                    }
                }
            }
        }
        out
    }

    /// Every problem with the inventory as a whole: field rules, key formats, unique
    /// emails and references that do not resolve. Empty means it may be stored.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut emails: HashMap<String, &str> = HashMap::new();
        for records in self.records.values() {
            for r in records.values() {
                validate_record(r, &mut problems);
                for rf in r.refs() {
                    if !self.contains(rf.kind, rf.key) {
                        problems.push(Problem::new(
                            ErrorCode::DanglingReference,
                            r.kind(),
                            r.key(),
                            rf.field,
                            format!("refers to {} {:?}, which does not exist", rf.kind, rf.key),
                        ));
                    }
                }
                if let Record::Person(p) = r {
                    if let Some(email) = &p.email {
                        if let Some(other) = emails.insert(email.to_lowercase(), &p.key) {
                            problems.push(Problem::new(
                                ErrorCode::DuplicateEmail,
                                Kind::Person,
                                &p.key,
                                "email",
                                format!("{email} is already the email of person {other:?}; each person needs their own"),
                            ));
                        }
                    }
                }
            }
        }
        problems
    }

    /// The changes that turn `self` into `target`, for the kinds in `managed` only.
    ///
    /// Creations and updates come first in kind order (people before the roles that name
    /// them), removals last in reverse order (grants before their accounts).
    pub fn diff(&self, target: &Inventory, managed: &[Kind]) -> ChangeSet {
        let empty = BTreeMap::new();
        let mut changes = Vec::new();
        let mut removals = Vec::new();
        for kind in Kind::ALL.into_iter().filter(|k| managed.contains(k)) {
            let now = self.records.get(&kind).unwrap_or(&empty);
            let want = target.records.get(&kind).unwrap_or(&empty);
            for (key, after) in want {
                match now.get(key) {
                    None => changes.push(Change { kind, key: key.clone(), before: None, after: Some(after.clone()) }),
                    Some(before) if before != after => {
                        changes.push(Change { kind, key: key.clone(), before: Some(before.clone()), after: Some(after.clone()) })
                    }
                    Some(_) => {}
                }
            }
            for (key, before) in now {
                if !want.contains_key(key) {
                    removals.push(Change { kind, key: key.clone(), before: Some(before.clone()), after: None });
                }
            }
        }
        removals.sort_by(|a, b| b.kind.cmp(&a.kind).then_with(|| a.key.cmp(&b.key)));
        changes.extend(removals);
        ChangeSet { changes }
    }

    /// Applies a change set to this in-memory inventory (the store does the same durably).
    pub fn apply(&mut self, changes: &ChangeSet) {
        for c in &changes.changes {
            match &c.after {
                Some(r) => {
                    self.insert(r.clone());
                }
                None => {
                    self.remove(c.kind, &c.key);
                }
            }
        }
    }
}

fn require(problems: &mut Vec<Problem>, r: &Record, field: &str, value: &str) {
    if value.trim().is_empty() {
        problems.push(Problem::new(ErrorCode::MissingField, r.kind(), r.key(), field, format!("`{field}` must not be empty")));
    }
}

/// Problems with one record on its own (no references, no uniqueness across records).
pub fn validate_record(r: &Record, problems: &mut Vec<Problem>) {
    let kind = r.kind();
    let key = r.key();
    let invalid = |field: &str, message: String| Problem::new(ErrorCode::InvalidField, kind, key.clone(), field, message);
    if kind.has_slug_key() && !is_slug(&key) {
        problems.push(Problem::new(
            ErrorCode::InvalidKey,
            kind,
            &key,
            "key",
            "keys are lower-case slugs: letters a-z, digits, '.', '_' and '-', starting with a letter or digit (e.g. dana-whitfield)",
        ));
    }
    match r {
        Record::Person(p) => {
            require(problems, r, "name", &p.name);
            if let Some(email) = &p.email {
                let ok = email
                    .split_once('@')
                    .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace));
                if !ok {
                    problems.push(invalid("email", format!("{email:?} is not an email address")));
                }
            }
            match p.status {
                PersonStatus::Leaving if p.leaving_on.is_none() => problems.push(Problem::new(
                    ErrorCode::MissingField,
                    kind,
                    &key,
                    "leaving_on",
                    "a person who is leaving needs `leaving_on` (their last day)",
                )),
                PersonStatus::Active if p.leaving_on.is_some() => {
                    problems.push(invalid("leaving_on", "`leaving_on` is set but status is active; set status: leaving".into()))
                }
                _ => {}
            }
            if p.left_on.is_some() && p.status != PersonStatus::Left {
                problems.push(invalid("left_on", "`left_on` is set but status is not left".into()));
            }
            if p.manager.as_deref() == Some(p.key.as_str()) {
                problems.push(invalid("manager", "a person cannot be their own manager".into()));
            }
        }
        Record::Role(x) => require(problems, r, "name", &x.name),
        Record::Vendor(x) => require(problems, r, "name", &x.name),
        Record::Contact(x) => require(problems, r, "name", &x.name),
        Record::Contract(c) => {
            require(problems, r, "name", &c.name);
            if let (Some(s), Some(e)) = (c.starts, c.ends) {
                if e < s {
                    problems.push(invalid("ends", format!("the contract ends ({e}) before it starts ({s})")));
                }
            }
        }
        Record::System(s) => {
            require(problems, r, "name", &s.name);
            if !(1..=4).contains(&s.tier) {
                problems.push(invalid("tier", format!("tier is {}, but must be 1 (critical) to 4 (low)", s.tier)));
            }
            if s.depends_on.contains(&s.key) {
                problems.push(invalid("depends_on", "a system cannot depend on itself".into()));
            }
            for (i, d) in s.docs.iter().enumerate() {
                require(problems, r, &format!("docs[{i}].url"), &d.url);
            }
        }
        Record::Account(a) => {
            require(problems, r, "system", &a.system);
            require(problems, r, "name", &a.name);
            if a.kind == AccountKind::Personal && a.person.is_none() {
                // Allowed: an unlinked account is a finding for analysis, not an input error.
            }
        }
        Record::Grant(g) => require(problems, r, "privilege", &g.privilege),
        Record::Credential(c) => require(problems, r, "name", &c.name),
        Record::Project(p) => {
            require(problems, r, "name", &p.name);
            if p.lead.is_some() && p.lead == p.backup_lead {
                problems.push(invalid("backup_lead", "the backup lead must be someone other than the lead".into()));
            }
        }
        Record::Policy(p) => {
            require(problems, r, "name", &p.name);
            for (i, review) in p.reviews.iter().enumerate() {
                require(problems, r, &format!("reviews[{i}].notes"), &review.notes);
            }
            if let (Some(last), Some(review)) = (p.last_reviewed, p.reviews.last()) {
                if review.on > last {
                    problems.push(invalid("last_reviewed", format!("the latest review is of {}, after last_reviewed ({last})", review.on)));
                }
            }
        }
        Record::Repository(x) => {
            require(problems, r, "url", &x.url);
            if let Some((i, a)) = x.scan.as_ref().and_then(|s| s.dangling_author_index()) {
                problems.push(invalid(&format!("scan.author_sets[{i}].authors"), format!("author {a} is not in scan.authors")));
            }
        }
        Record::Escrow(e) => {
            require(problems, r, "name", &e.name);
            require(problems, r, "ciphertext", &e.ciphertext);
            let custodians: std::collections::HashSet<&str> = e.custodians().collect();
            if custodians.len() != e.shares.len() {
                problems.push(invalid("shares", "each custodian holds exactly one share".into()));
            }
            if e.threshold < 2 || usize::from(e.threshold) > e.shares.len() {
                problems.push(invalid(
                    "threshold",
                    format!("threshold {} must be at least 2 and at most the number of custodians ({})", e.threshold, e.shares.len()),
                ));
            }
        }
        Record::Plan(p) => {
            let mut ids = std::collections::HashSet::new();
            for (i, t) in p.tasks.iter().enumerate() {
                if t.assignee.as_deref() == Some(p.person.as_str()) {
                    problems.push(invalid(
                        &format!("tasks[{i}].assignee"),
                        "the person leaving cannot be assigned a task of their own plan".into(),
                    ));
                }
                if !ids.insert(t.id.as_str()) {
                    problems.push(invalid(&format!("tasks[{i}].id"), format!("task id {:?} appears twice", t.id)));
                }
            }
            if p.owner.as_deref() == Some(p.person.as_str()) {
                problems.push(invalid("owner", "the person leaving cannot own their own plan".into()));
            }
            for (i, c) in p.checkins.iter().enumerate() {
                if c.by == p.person {
                    problems
                        .push(invalid(&format!("checkins[{i}].by"), "the person leaving cannot hold check-ins on their own plan".into()));
                }
                if c.notes.trim().is_empty() {
                    problems.push(invalid(&format!("checkins[{i}].notes"), "a check-in needs notes".into()));
                }
            }
        }
        Record::Incident(x) => {
            require(problems, r, "title", &x.title);
            for (n, e) in x.timeline.iter().enumerate() {
                if e.text.trim().is_empty() {
                    problems.push(invalid(&format!("timeline[{n}].text"), "a timeline entry needs its text".into()));
                }
                if e.at < x.started {
                    problems
                        .push(invalid(&format!("timeline[{n}].at"), format!("{} is before the incident started ({})", e.at, x.started)));
                }
            }
            if x.closed.is_some_and(|c| c < x.started) {
                problems.push(invalid("closed", "an incident cannot close before it starts".into()));
            }
        }
        Record::Review(v) => {
            require(problems, r, "name", &v.name);
            let scope_ok = v.scope == "all-admin"
                || v.scope.strip_prefix("system:").or(v.scope.strip_prefix("person:")).is_some_and(|k| !k.is_empty());
            if !scope_ok {
                problems.push(invalid("scope", format!("{:?} is not system:KEY, person:KEY or all-admin", v.scope)));
            }
            if v.due < v.started {
                problems.push(invalid("due", "a review cannot be due before it starts".into()));
            }
            let mut seen = std::collections::HashSet::new();
            for (n, item) in v.items.iter().enumerate() {
                if !seen.insert(item.access.as_str()) {
                    problems.push(invalid(&format!("items[{n}].access"), format!("{:?} appears twice", item.access)));
                }
                if item.reviewer.is_some() && item.reviewer == item.holder {
                    problems.push(invalid(&format!("items[{n}].reviewer"), "nobody reviews their own access".into()));
                }
                if item.decided_by.is_some() && item.decided_by == item.holder {
                    problems.push(invalid(&format!("items[{n}].decided_by"), "nobody decides on their own access".into()));
                }
                if item.decision.is_some() && item.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    problems.push(invalid(&format!("items[{n}].reason"), "a decision needs its reason".into()));
                }
            }
        }
        Record::Acceptance(a) => {
            require(problems, r, "rule", &a.rule);
            require(problems, r, "reason", &a.reason);
            let well_formed = a.subject.split_once(':').is_some_and(|(k, key)| k.parse::<Kind>().is_ok() && !key.is_empty());
            if !well_formed {
                problems.push(invalid("subject", format!("{:?} is not KIND:KEY (e.g. system:erp)", a.subject)));
            }
        }
    }
}

/// One record's change. `before: None` is a creation, `after: None` a removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub key: String,
    pub before: Option<Record>,
    pub after: Option<Record>,
}

impl Change {
    /// One line for people: `+ kind key`, `- kind key`, or `~ kind key: field: old → new; …`.
    pub fn describe(&self) -> String {
        match self.action() {
            crate::Action::Create => format!("+ {} {}", self.kind, self.key),
            crate::Action::Delete => format!("- {} {}", self.kind, self.key),
            crate::Action::Update => {
                let (before, after) = (self.before.as_ref().map(|r| r.to_json()), self.after.as_ref().map(|r| r.to_json()));
                let empty = serde_json::Map::new();
                let b = before.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
                let a = after.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
                let mut fields: Vec<&String> = a.keys().chain(b.keys()).collect();
                fields.sort();
                fields.dedup();
                let parts: Vec<String> = fields
                    .into_iter()
                    .filter(|f| a.get(*f) != b.get(*f))
                    .map(|f| format!("{f}: {} → {}", short(b.get(f)), short(a.get(f))))
                    .collect();
                format!("~ {} {}: {}", self.kind, self.key, parts.join("; "))
            }
        }
    }

    pub fn action(&self) -> crate::Action {
        match (&self.before, &self.after) {
            (None, _) => crate::Action::Create,
            (Some(_), Some(_)) => crate::Action::Update,
            (Some(_), None) => crate::Action::Delete,
        }
    }
}

/// An ordered list of changes, applied by the store in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub changes: Vec<Change>,
}

impl ChangeSet {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// `(created, updated, removed)` per kind, for summaries.
    pub fn counts(&self) -> BTreeMap<Kind, (usize, usize, usize)> {
        let mut out: BTreeMap<Kind, (usize, usize, usize)> = BTreeMap::new();
        for c in &self.changes {
            let e = out.entry(c.kind).or_default();
            match c.action() {
                crate::Action::Create => e.0 += 1,
                crate::Action::Update => e.1 += 1,
                crate::Action::Delete => e.2 += 1,
            }
        }
        out
    }
}

/// A field's value for a one-line diff, cut at 60 characters.
fn short(v: Option<&serde_json::Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 60 {
                format!("{}…", s.chars().take(59).collect::<String>())
            } else {
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(key: &str, email: Option<&str>) -> Record {
        Record::from(Person {
            key: key.into(),
            name: key.to_uppercase(),
            email: email.map(Into::into),
            kind: PersonKind::Employee,
            status: PersonStatus::Active,
            leaving_on: None,
            left_on: None,
            title: None,
            department: None,
            manager: None,
            aliases: vec![],
            escrow_key: None,
        })
    }

    fn system(key: &str, owner: Option<&str>) -> Record {
        Record::from_json(Kind::System, serde_json::json!({"key": key, "name": key, "tier": 1, "owner": owner})).unwrap()
    }

    #[test]
    fn finds_dangling_references_and_duplicate_emails() {
        let mut inv = Inventory::new();
        inv.insert(person("ann", Some("ann@example.com")));
        inv.insert(person("bob", Some("ANN@example.com")));
        inv.insert(system("erp", Some("carol")));
        let problems = inv.validate();
        let codes: Vec<_> = problems.iter().map(|p| (p.code, p.key.as_str(), p.field.as_str())).collect();
        assert!(codes.contains(&(ErrorCode::DanglingReference, "erp", "owner")), "{problems:?}");
        assert!(codes.contains(&(ErrorCode::DuplicateEmail, "bob", "email")), "{problems:?}");
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn leaving_needs_a_date_and_keys_are_slugs() {
        let mut inv = Inventory::new();
        let Record::Person(mut p) = person("Ann Smith", None) else { unreachable!() };
        p.status = PersonStatus::Leaving;
        inv.insert(Record::Person(p));
        let codes: Vec<_> = inv.validate().iter().map(|p| (p.code, p.field.clone())).collect();
        assert!(codes.contains(&(ErrorCode::InvalidKey, "key".into())));
        assert!(codes.contains(&(ErrorCode::MissingField, "leaving_on".into())));
    }

    #[test]
    fn diff_orders_creations_before_removals_and_respects_managed_kinds() {
        let mut now = Inventory::new();
        now.insert(person("ann", None));
        now.insert(system("old", Some("ann")));
        let mut want = Inventory::new();
        want.insert(person("ann", None));
        want.insert(person("bob", None));
        want.insert(system("erp", Some("bob")));
        let cs = now.diff(&want, &Kind::ALL);
        let got: Vec<_> = cs.changes.iter().map(|c| (c.action(), c.kind, c.key.as_str())).collect();
        use crate::Action::*;
        assert_eq!(got, vec![(Create, Kind::Person, "bob"), (Create, Kind::System, "erp"), (Delete, Kind::System, "old")]);
        let only_people = now.diff(&want, &[Kind::Person]);
        assert_eq!(only_people.len(), 1);
        let mut applied = now.clone();
        applied.apply(&cs);
        assert_eq!(applied, want);
        assert!(applied.diff(&want, &Kind::ALL).is_empty());
    }

    #[test]
    fn records_stay_small() {
        // Millions of accounts and grants are held at once; see the note on `Record`.
        assert!(std::mem::size_of::<Record>() <= 80, "{}", std::mem::size_of::<Record>());
    }

    #[test]
    fn referrers_name_the_field() {
        let mut inv = Inventory::new();
        inv.insert(person("ann", None));
        inv.insert(system("erp", Some("ann")));
        assert_eq!(inv.referrers(Kind::Person, "ann"), vec![(Kind::System, "erp".to_string(), "owner".to_string())]);
    }
}
