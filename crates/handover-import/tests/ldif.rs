//! LDIF → records → reconcile, on a fixture and on the OpenLDAP corpus.

use handover_core::{AccountKind, AccountStatus, Inventory, Kind, Level, Record};
use handover_import::{directory, ldif, reconcile};
use serde_json::json;
use std::path::Path;

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ldif/quillstone.ldif")).unwrap()
}

fn today() -> jiff::civil::Date {
    "2026-11-26".parse().unwrap()
}

fn people() -> Inventory {
    let mut inv = Inventory::new();
    for v in [
        json!({"key": "oliver-grant", "name": "Oliver Grant", "email": "oliver@quillstone.example"}),
        json!({"key": "mei-lin", "name": "Mei Lin", "aliases": ["mei"]}),
        json!({"key": "priya-shah", "name": "Priya Shah"}),
    ] {
        inv.insert(Record::from_json(Kind::Person, v).unwrap());
    }
    inv.insert(Record::from_json(Kind::System, json!({"key": "dir", "name": "Directory", "tier": 1})).unwrap());
    inv
}

fn import(inv: &Inventory, bytes: &[u8]) -> (Inventory, reconcile::Summary) {
    let parsed = ldif::parse("quillstone.ldif", bytes).unwrap();
    let r = reconcile::reconcile(inv, "dir", directory::to_records("dir", &parsed.entries, today()));
    (r.target, r.summary)
}

fn account<'a>(inv: &'a Inventory, name: &str) -> &'a handover_core::Account {
    inv.accounts().find(|a| a.name == name).unwrap_or_else(|| panic!("no account {name}"))
}

#[test]
fn maps_users_groups_nesting_and_levels() {
    let (inv, summary) = import(&people(), &fixture());
    assert!(inv.validate().is_empty(), "{:?}", inv.validate());
    assert_eq!((summary.accounts, summary.groups), (6, 3));
    // Nested: oliver ∈ IT ∈ Domain Admins (admin by name); DN spelled differently still matches.
    assert_eq!(account(&inv, "oliver").member_of, vec!["dir/cn=IT", "dir/cn=staff"]);
    assert_eq!(account(&inv, "cn=IT").member_of, vec!["dir/cn=Domain Admins"]);
    let admins: Vec<&str> = inv.grants().filter(|g| g.level == Level::Admin).map(|g| g.account.as_str()).collect();
    assert_eq!(admins, vec!["dir/cn=Domain Admins", "dir/root"]);
    // Identity: email (case-insensitive), alias, and a same-name match that is only proposed.
    assert_eq!(account(&inv, "oliver").person.as_deref(), Some("oliver-grant"));
    assert_eq!(account(&inv, "mei").person.as_deref(), Some("mei-lin"));
    assert_eq!(account(&inv, "temp1").person, None);
    assert!(summary.warnings.iter().any(|w| w.contains("dir/temp1 may be person priya-shah")), "{:?}", summary.warnings);
    assert!(summary.warnings.iter().any(|w| w.contains("1 member DNs")), "{:?}", summary.warnings);
    // Status and kind.
    assert_eq!(account(&inv, "sam").status, AccountStatus::Disabled);
    assert_eq!(account(&inv, "temp1").status, AccountStatus::Disabled, "shadowExpire 19000 is in 2022");
    assert_eq!(account(&inv, "backup").kind, AccountKind::Service);
    assert_eq!(account(&inv, "cn=staff").kind, AccountKind::Group);
    // Nothing of the password survives.
    let everything = format!("{:?}", inv);
    assert!(!everything.contains("never-read"));
}

#[test]
fn reimport_is_idempotent_and_vanished_accounts_are_kept_as_removed() {
    let (first, _) = import(&people(), &fixture());
    let (again, summary) = import(&first, &fixture());
    assert_eq!(again, first);
    assert_eq!((summary.changes.added, summary.changes.changed, summary.changes.removed), (0, 0, 0));
    // A link made by hand survives a re-import.
    let mut linked = first.clone();
    let mut temp = account(&first, "temp1").clone();
    temp.person = Some("priya-shah".into());
    linked.insert(Record::from(temp));
    let (after, _) = import(&linked, &fixture());
    assert_eq!(account(&after, "temp1").person.as_deref(), Some("priya-shah"));
    // Mei leaves the directory: her account is kept as removed, her grants go.
    let text = String::from_utf8(fixture()).unwrap();
    let without_mei = text.replace("dn: uid=mei,ou=People,dc=quillstone,dc=example\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nuid: mei\ncn: Mei Lin\nuidNumber: 1002\ngidNumber: 100\n\n", "");
    assert_ne!(without_mei, text);
    let (after, summary) = import(&first, without_mei.as_bytes());
    assert_eq!(account(&after, "mei").status, AccountStatus::Removed);
    assert!(
        account(&after, "mei").member_of.contains(&"dir/cn=staff".to_string()),
        "memberships to groups still present are kept for history"
    );
    assert_eq!(summary.changes.removed, 1);
    assert!(after.validate().is_empty());
}

#[test]
fn imports_the_openldap_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/identity/ldif");
    let Ok(bytes) = std::fs::read(dir.join("nis_sample.ldif")) else {
        assert!(std::env::var_os("CI").is_none(), "corpus missing in CI");
        eprintln!("skipping: corpus not found");
        return;
    };
    let (inv, summary) = import(&people(), &bytes);
    assert!(inv.validate().is_empty(), "{:?}", inv.validate());
    // 25 posixAccount entries, one of them a second `uid=nobody` (the file has duplicate
    // DNs), and 16 posixGroups (`cn=root` is a group, `root` a user: both kept apart);
    // root (uid 0) and the gid-0 groups are admin.
    assert_eq!((summary.accounts, summary.groups), (24, 16));
    assert_eq!(summary.warnings.iter().filter(|w| w.contains("a second entry named")).count(), 1);
    assert!(inv.grants().any(|g| g.account == "dir/root" && g.level == Level::Admin));
    assert!(inv.grants().any(|g| g.account == "dir/cn=sys" && g.level == Level::Admin), "gidNumber 0");
}
