//! Each account's situation: who, if anyone, stands behind it.

use handover_core::{Account, AccountKind, Inventory, PersonStatus};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// Linked to a person still with the organisation.
    Linked,
    /// A personal account no person was found for.
    Unlinked,
    /// Linked to a person who has left: access that should be gone.
    Orphaned,
    /// One login used by several people.
    Shared,
    /// Non-human: a service or integration.
    Service,
    /// A group or role: holds grants for its members, nobody signs in as it.
    Group,
}

impl Situation {
    pub const ALL: &'static [Situation] =
        &[Situation::Linked, Situation::Unlinked, Situation::Orphaned, Situation::Shared, Situation::Service, Situation::Group];

    pub fn as_str(self) -> &'static str {
        match self {
            Situation::Linked => "linked",
            Situation::Unlinked => "unlinked",
            Situation::Orphaned => "orphaned",
            Situation::Shared => "shared",
            Situation::Service => "service",
            Situation::Group => "group",
        }
    }
}

pub fn situation(inv: &Inventory, account: &Account) -> Situation {
    match account.kind {
        AccountKind::Group | AccountKind::Role => Situation::Group,
        AccountKind::Service => Situation::Service,
        AccountKind::Shared => Situation::Shared,
        AccountKind::Personal => match account.person.as_deref().and_then(|p| inv.person(p)) {
            None => Situation::Unlinked,
            Some(p) if p.status == PersonStatus::Left => Situation::Orphaned,
            Some(_) => Situation::Linked,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handover_core::{Kind, Record};
    use serde_json::json;

    #[test]
    fn situations() {
        let mut inv = Inventory::new();
        inv.insert(Record::from_json(Kind::Person, json!({"key": "ann", "name": "Ann"})).unwrap());
        inv.insert(Record::from_json(Kind::Person, json!({"key": "bob", "name": "Bob", "status": "left"})).unwrap());
        let acc = |v: serde_json::Value| match Record::from_json(Kind::Account, v).unwrap() {
            Record::Account(a) => a,
            _ => unreachable!(),
        };
        let s = |v| situation(&inv, &acc(v));
        assert_eq!(s(json!({"system": "x", "name": "a", "person": "ann"})), Situation::Linked);
        assert_eq!(s(json!({"system": "x", "name": "b", "person": "bob"})), Situation::Orphaned);
        assert_eq!(s(json!({"system": "x", "name": "c"})), Situation::Unlinked);
        assert_eq!(s(json!({"system": "x", "name": "d", "kind": "shared", "person": "ann"})), Situation::Shared);
        assert_eq!(s(json!({"system": "x", "name": "e", "kind": "service"})), Situation::Service);
        assert_eq!(s(json!({"system": "x", "name": "f", "kind": "role"})), Situation::Group);
    }
}
