//! Okta, Entra ID and Google Workspace user exports → records → reconcile.
//!
//! The shared corpus holds no vendor export (see its README), so these fixtures follow the
//! vendors' documented headers; `docs/import.md` lists them.

use handover_core::{AccountStatus, Inventory, Kind, Level, Record};
use handover_import::reconcile::{self, Imported};
use handover_import::vendor_csv::{self, Vendor};
use serde_json::json;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csv").join(name)).unwrap()
}

fn account<'a>(i: &'a Imported, name: &str) -> &'a handover_core::Account {
    &i.accounts.iter().find(|(a, _)| a.name == name).unwrap_or_else(|| panic!("no account {name}")).0
}

fn level(i: &Imported, account: &str, privilege: &str) -> Option<Level> {
    i.grants.iter().find(|g| g.account == account && g.privilege == privilege).map(|g| g.level)
}

fn date(s: &str) -> Option<jiff::civil::Date> {
    Some(s.parse().unwrap())
}

fn org() -> Inventory {
    let mut inv = Inventory::new();
    for v in [
        json!({"key": "ada-lovelace", "name": "Ada Lovelace", "email": "ada@example.com"}),
        json!({"key": "ben-okafor", "name": "Ben Okafor", "email": "ben@example.com"}),
        json!({"key": "dee-extern", "name": "Dee Extern", "email": "dee@contractor.example.com"}),
    ] {
        inv.insert(Record::from_json(Kind::Person, v).unwrap());
    }
    inv.insert(Record::from_json(Kind::System, json!({"key": "idp", "name": "Identity provider", "tier": 1})).unwrap());
    inv
}

#[test]
fn okta_export() {
    let i = vendor_csv::parse(Vendor::Okta, "idp", "okta-users.csv", &fixture("okta-users.csv")).unwrap();
    let ada = account(&i, "ada@example.com");
    assert_eq!((ada.status, ada.last_used, ada.created), (AccountStatus::Active, date("2026-11-24"), date("2024-02-01")));
    assert_eq!(ada.member_of, vec!["idp/group:Engineering", "idp/group:Everyone"]);
    assert_eq!(level(&i, "idp/ada@example.com", "admin role SUPER_ADMIN"), Some(Level::Admin));
    let ben = account(&i, "ben.okafor@example.com");
    assert_eq!(ben.status, AccountStatus::Disabled, "SUSPENDED");
    assert_eq!(level(&i, "idp/ben.okafor@example.com", "admin role READ_ONLY_ADMIN"), Some(Level::Read));
    let cora = account(&i, "cora@example.com");
    assert_eq!((cora.status, cora.last_used), (AccountStatus::Active, None), "PASSWORD_EXPIRED can still recover");
    let hints = &i.accounts.iter().find(|(a, _)| a.name == "cora@example.com").unwrap().1;
    assert_eq!(hints.display_name.as_deref(), Some("Cora Nguyen\n(née Lee)"), "a quoted field with a line break");
    assert_eq!(level(&i, "idp/group:Admins", "member of Admins"), Some(Level::Admin));
    let r = reconcile::reconcile(&org(), "idp", i);
    assert!(r.target.validate().is_empty(), "{:?}", r.target.validate());
    // ben links by the Primary email column, not the Username.
    assert_eq!((r.summary.accounts, r.summary.groups, r.summary.people_linked), (3, 3, 2), "{:?}", r.summary);
    // ada 2 groups + 1 role, ben 1 + 1, cora 2.
    assert_eq!(r.summary.grants, 7);
}

#[test]
fn entra_export() {
    let i = vendor_csv::parse(Vendor::Entra, "idp", "entra-users.csv", &fixture("entra-users.csv")).unwrap();
    assert_eq!(i.accounts.len(), 3);
    assert_eq!(account(&i, "old.account@example.onmicrosoft.com").status, AccountStatus::Disabled);
    let guest = "guest_dee.contractor.example.com#EXT#@example.onmicrosoft.com";
    assert_eq!(account(&i, guest).status, AccountStatus::Active);
    let r = reconcile::reconcile(&org(), "idp", i);
    assert!(r.target.validate().is_empty(), "{:?}", r.target.validate());
    let person = |name: &str| r.target.accounts().find(|a| a.name == name).and_then(|a| a.person.clone());
    assert_eq!(person("ada@example.onmicrosoft.com").as_deref(), Some("ada-lovelace"), "by `mail`, not the UPN");
    assert_eq!(person(guest).as_deref(), Some("dee-extern"));
    assert_eq!((r.summary.accounts, r.summary.groups, r.summary.grants), (3, 0, 0));
}

#[test]
fn entra_roles_and_sign_ins_when_present() {
    let csv = "\u{feff}UserPrincipalName,Display Name,Account Enabled,Last sign-in,Roles\n\
               ada@example.com,Ada,TRUE,11/24/2026 4:00 PM,\"Global Administrator; Global Reader\"\n";
    let i = vendor_csv::parse(Vendor::Entra, "idp", "entra.csv", csv.as_bytes()).unwrap();
    assert_eq!(account(&i, "ada@example.com").last_used, date("2026-11-24"));
    assert_eq!(level(&i, "idp/ada@example.com", "admin role Global Administrator"), Some(Level::Admin));
    assert_eq!(level(&i, "idp/ada@example.com", "admin role Global Reader"), Some(Level::Read));
}

#[test]
fn google_export() {
    let i = vendor_csv::parse(Vendor::Google, "idp", "google-users.csv", &fixture("google-users.csv")).unwrap();
    let ada = account(&i, "ada@example.com");
    assert_eq!((ada.status, ada.mfa, ada.last_used), (AccountStatus::Active, Some(true), date("2026-11-24")));
    assert_eq!(level(&i, "idp/ada@example.com", "admin role Super Admin"), Some(Level::Admin));
    let ben = account(&i, "ben@example.com");
    assert_eq!((ben.status, ben.mfa), (AccountStatus::Disabled, Some(false)));
    let cora = account(&i, "cora@example.com");
    assert_eq!(cora.last_used, None, "Never logged in");
    assert_eq!(level(&i, "idp/cora@example.com", "admin role Groups Reader"), Some(Level::Read));
    let r = reconcile::reconcile(&org(), "idp", i);
    assert!(r.target.validate().is_empty(), "{:?}", r.target.validate());
    assert_eq!((r.summary.accounts, r.summary.people_linked, r.summary.grants), (3, 2, 2));
    let again =
        reconcile::reconcile(&r.target, "idp", vendor_csv::parse(Vendor::Google, "idp", "g.csv", &fixture("google-users.csv")).unwrap());
    assert!(again.changes.is_empty());
}

#[test]
fn a_bad_row_is_named_by_line_and_column() {
    let csv = "Email Address [Required],Status [READ ONLY],2sv Enrolled [READ ONLY]\na@example.com,Active,True\n\"b@example.com\",Active,perhaps\n";
    let e = vendor_csv::parse(Vendor::Google, "idp", "g.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "g.csv:3: column \"2sv Enrolled [READ ONLY]\": \"perhaps\" is neither true nor false");
    let csv = "login,status\nann@example.com,ACTIVE\n,ACTIVE\n";
    let e = vendor_csv::parse(Vendor::Okta, "idp", "o.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "o.csv:3: column \"login\": the account name is empty");
}
