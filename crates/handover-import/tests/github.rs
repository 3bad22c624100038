//! GitHub REST API bundle → records → reconcile, on a fixture and on a recorded API answer
//! in the shared corpus.

use handover_core::{AccountKind, Inventory, Kind, Level, Record};
use handover_import::github;
use handover_import::reconcile::{self, Imported};
use serde_json::json;
use std::path::Path;

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/example-org.json")).unwrap()
}

fn account<'a>(i: &'a Imported, name: &str) -> &'a handover_core::Account {
    &i.accounts.iter().find(|(a, _)| a.name == name).unwrap_or_else(|| panic!("no account {name}")).0
}

fn level(i: &Imported, account: &str, privilege: &str) -> Option<Level> {
    i.grants.iter().find(|g| g.account == account && g.privilege == privilege).map(|g| g.level)
}

#[test]
fn maps_owners_teams_repositories_and_2fa() {
    let i = github::parse("gh", "example-org.json", &fixture()).unwrap();
    let ada = account(&i, "ada-dev");
    assert_eq!((ada.mfa, &ada.member_of), (Some(true), &vec!["gh/team:platform-oncall".to_string()]));
    assert_eq!(level(&i, "gh/ada-dev", "org owner"), Some(Level::Admin));
    assert_eq!(level(&i, "gh/ada-dev", "org member"), None);
    assert_eq!(level(&i, "gh/ada-dev", "repo example/website: admin"), Some(Level::Admin));
    let bo = account(&i, "bo-k");
    assert_eq!((bo.mfa, &bo.member_of), (Some(false), &vec!["gh/team:platform".to_string()]), "2FA disabled");
    assert_eq!(level(&i, "gh/bo-k", "org member"), Some(Level::Read));
    assert_eq!(level(&i, "gh/bo-k", "repo example/website: triage"), Some(Level::Read));
    let bot = account(&i, "release-bot");
    assert_eq!(bot.kind, AccountKind::Service);
    assert_eq!(level(&i, "gh/release-bot", "repo example/website: maintain"), Some(Level::Write));
    let dee = account(&i, "dee-ext");
    assert_eq!(dee.mfa, None, "outside collaborators' 2FA was not asked for");
    assert_eq!(level(&i, "gh/dee-ext", "repo example/website: write"), Some(Level::Write), "from permissions.push");
    assert_eq!(level(&i, "gh/dee-ext", "org member"), None);
    // Teams: the child is a member of its parent; team repositories are the team's grants.
    assert_eq!(account(&i, "team:platform-oncall").member_of, vec!["gh/team:platform"]);
    assert_eq!(level(&i, "gh/team:platform", "repo example/infra: admin"), Some(Level::Admin));
    assert_eq!(level(&i, "gh/team:platform", "member of team Platform"), Some(Level::Read));
    assert_eq!(level(&i, "gh/team:platform-oncall", "repo example/runbooks: write"), Some(Level::Write));

    let mut inv = Inventory::new();
    for v in [
        json!({"key": "ada-lind", "name": "Ada Lind", "aliases": ["ada-dev"]}),
        json!({"key": "dee-extern", "name": "Dee Extern", "email": "dee@contractor.example.com"}),
    ] {
        inv.insert(Record::from_json(Kind::Person, v).unwrap());
    }
    inv.insert(Record::from_json(Kind::System, json!({"key": "gh", "name": "GitHub", "tier": 1})).unwrap());
    let r = reconcile::reconcile(&inv, "gh", i);
    assert!(r.target.validate().is_empty(), "{:?}", r.target.validate());
    assert_eq!((r.summary.accounts, r.summary.groups, r.summary.grants), (4, 2, 9), "{:?}", r.summary);
    assert_eq!((r.summary.people_linked, r.summary.unlinked), (2, 1), "ada by alias, dee by e-mail; the bot is a service");
    let again = reconcile::reconcile(&r.target, "gh", github::parse("gh", "example-org.json", &fixture()).unwrap());
    assert!(again.changes.is_empty());
}

#[test]
fn unknown_keys_are_warned_about_once() {
    let i = github::parse("gh", "b.json", br#"{"members": [{"login": "x"}], "hooks": [], "billing": {}}"#).unwrap();
    assert_eq!(i.warnings.iter().filter(|w| w.contains("unknown key")).count(), 2, "{:?}", i.warnings);
    let e = github::parse("gh", "b.json", br#"{"team_repos": {"core": [{"name": "api"}]}}"#).unwrap_err();
    assert_eq!(e.to_string(), "b.json:team_repos.core[0].permissions: needs `role_name` or `permissions`");
}

#[test]
fn reads_a_recorded_members_answer() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/identity/csv/pygithub-org-members-BeaverSoftware.json");
    let Ok(bytes) = std::fs::read(&path) else {
        assert!(std::env::var_os("CI").is_none(), "corpus file {} missing in CI", path.display());
        eprintln!("skipping: {} not found", path.display());
        return;
    };
    let i = github::parse("gh", "members.json", &bytes).unwrap();
    let names: Vec<&str> = i.accounts.iter().map(|(a, _)| a.name.as_str()).collect();
    assert_eq!(names, vec!["Lyloa", "cjuniet", "jacquev6"]);
    assert!(i.grants.iter().all(|g| g.privilege == "org member" && g.level == Level::Read));
    assert!(i.accounts.iter().all(|(a, _)| a.mfa.is_none() && a.kind == AccountKind::Personal));
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
}
