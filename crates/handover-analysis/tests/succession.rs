//! Succession gaps and role descriptions, computed from access and knowledge.

use handover_analysis::succession::{describe, gaps};
use handover_analysis::Snapshot;
use handover_import::OrgFile;

const ORG: &str = r#"
version: 1
people:
  - { key: ann, name: Ann Alder, title: Head of IT }
  - { key: bo, name: Bo Birch }
  - { key: cy, name: Cy Cedar }
  - { key: di, name: Di Dogwood, status: leaving, leaving_on: 2026-12-18 }
systems:
  - { key: dns, name: DNS, tier: 1, technical_owners: [ann] }
  - { key: fw, name: Firewall, tier: 1 }
vendors:
  - { key: isp, name: ISP Ltd, relationship_owner: ann }
roles:
  - { key: dns-admin, name: DNS administrator, critical: true, holders: [ann], deputies: [bo], systems: [dns] }
  - { key: fw-admin, name: Firewall administrator, critical: true, holders: [ann], deputies: [cy], systems: [fw] }
  - { key: backup, name: Backup operator, critical: true, holders: [di], systems: [fw] }
  - { key: coffee, name: Coffee, holders: [bo] }
accounts:
  - { system: dns, name: ann, person: ann, grants: [{ privilege: Owner, level: admin }] }
  - { system: dns, name: bo, person: bo, grants: [{ privilege: Editor, level: write }] }
  - { system: fw, name: ann, person: ann, grants: [{ privilege: super_admin, level: admin }] }
  - { system: fw, name: cy, person: cy, grants: [{ privilege: super_admin, level: admin }] }
"#;

fn load() -> handover_core::Inventory {
    let file = OrgFile::parse("org.yaml", ORG).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(file.inventory.validate().is_empty(), "{:?}", file.inventory.validate());
    file.inventory
}

#[test]
fn gaps_name_what_each_deputy_lacks() {
    let inv = load();
    let snap = Snapshot::new(&inv);
    let found = gaps(&snap);
    let by_role = |k: &str| found.iter().find(|g| g.role == k);
    // Bo can edit DNS but not administer it, and does not know it.
    let dns = by_role("dns-admin").expect("dns-admin has a gap");
    assert_eq!(
        dns.problems,
        vec!["Bo Birch has no admin on DNS", "Bo Birch does not know DNS (not a technical owner, doc or code author, or admin)"]
    );
    // Cy administers the firewall (and so knows it): ready, no gap.
    assert!(by_role("fw-admin").is_none(), "{found:?}");
    // The backup role: its holder is leaving and there is no deputy.
    assert_eq!(by_role("backup").unwrap().problems, vec!["Di Dogwood is leaving", "no deputy is named"]);
    // Roles that are not critical are not checked.
    assert!(by_role("coffee").is_none());
}

#[test]
fn a_description_lists_what_the_holder_holds() {
    let inv = load();
    let snap = Snapshot::new(&inv);
    let d = describe(&snap, "dns-admin").unwrap();
    assert_eq!(d.title, "DNS administrator");
    assert_eq!(d.administers, vec!["DNS (tier 1)", "Firewall (tier 1)"]);
    assert_eq!(d.vendors, vec!["ISP Ltd"]);
    assert_eq!(d.roles, vec!["DNS administrator", "Firewall administrator"]);
    let md = d.markdown();
    assert!(md.starts_with("# DNS administrator — responsibilities (draft)"), "{md}");
    assert!(md.contains("## Vendor relationships\n\n- ISP Ltd\n"), "{md}");
    let person = describe(&snap, "ann").unwrap();
    assert_eq!(person.title, "Head of IT");
    assert_eq!(person.owns, vec!["DNS (technical owner)"]);
    assert!(describe(&snap, "nobody").is_none());
}
