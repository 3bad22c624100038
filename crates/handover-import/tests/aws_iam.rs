//! AWS IAM authorization details + credential report → records → reconcile, on a fixture and
//! on the real samples in the shared corpus.

use handover_core::{AccountKind, AccountStatus, Inventory, Kind, Level, Record};
use handover_import::{aws_iam, reconcile};
use serde_json::json;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-iam").join(name)).unwrap()
}

/// A corpus file, or `None` (loudly, and never in CI) when the corpus is not beside the repo.
fn corpus(name: &str) -> Option<Vec<u8>> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/identity/iam").join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "corpus file {} missing in CI", path.display());
            eprintln!("skipping: {} not found", path.display());
            None
        }
    }
}

fn org() -> Inventory {
    let mut inv = Inventory::new();
    for v in [
        json!({"key": "ada-lovelace", "name": "Ada Lovelace", "aliases": ["ada"]}),
        json!({"key": "ben-okafor", "name": "Ben Okafor", "email": "ben@example.com", "aliases": ["ben"]}),
    ] {
        inv.insert(Record::from_json(Kind::Person, v).unwrap());
    }
    inv.insert(Record::from_json(Kind::System, json!({"key": "aws", "name": "AWS production", "tier": 1})).unwrap());
    inv
}

fn grant_level(imported: &handover_import::reconcile::Imported, account: &str, privilege: &str) -> Option<Level> {
    imported.grants.iter().find(|g| g.account == account && g.privilege == privilege).map(|g| g.level)
}

fn account<'a>(imported: &'a handover_import::reconcile::Imported, name: &str) -> &'a handover_core::Account {
    &imported.accounts.iter().find(|(a, _)| a.name == name).unwrap_or_else(|| panic!("no account {name}")).0
}

#[test]
fn maps_users_groups_roles_policies_and_the_report() {
    let details = fixture("authorization-details.json");
    let report = fixture("credential-report.csv");
    let i = aws_iam::parse("aws", "details.json", &details, Some(("report.csv", &report))).unwrap();
    let date = |s: &str| Some(s.parse::<jiff::civil::Date>().unwrap());

    let ada = account(&i, "ada");
    assert_eq!(
        (ada.kind, ada.status, ada.mfa, ada.last_used),
        (AccountKind::Personal, AccountStatus::Active, Some(true), date("2026-11-24"))
    );
    assert_eq!(ada.member_of, vec!["aws/group:Admins"]);
    assert_eq!(account(&i, "group:Admins").member_of, vec!["aws/policy:AdministratorAccess"]);
    assert_eq!(grant_level(&i, "aws/policy:AdministratorAccess", "policy AdministratorAccess"), Some(Level::Admin));
    assert_eq!(grant_level(&i, "aws/group:Admins", "member of Admins"), Some(Level::Read));

    let ben = account(&i, "ben");
    assert_eq!((ben.mfa, ben.last_used, ben.created), (Some(false), date("2026-10-01"), date("2024-03-05")));
    assert_eq!(ben.member_of, vec!["aws/group:Developers", "aws/policy:ReadOnlyAccess"]);
    assert_eq!(grant_level(&i, "aws/ben", "inline policy ben-can-grant-himself"), Some(Level::Admin), "URL-encoded iam:PutUserPolicy on *");
    assert_eq!(grant_level(&i, "aws/policy:ReadOnlyAccess", "policy ReadOnlyAccess"), Some(Level::Read), "judged by name");
    assert_eq!(grant_level(&i, "aws/policy:AmazonEC2FullAccess", "policy AmazonEC2FullAccess"), Some(Level::Write));
    assert_eq!(grant_level(&i, "aws/group:Developers", "inline policy s3-dev-buckets"), Some(Level::Write));

    let bot = account(&i, "deploy-bot");
    assert_eq!((bot.kind, bot.last_used), (AccountKind::Service, date("2026-11-25")), "no password, an active key");
    assert_eq!(grant_level(&i, "aws/policy:deploy-artifacts", "policy deploy-artifacts"), Some(Level::Write), "the default version, v2");

    let cora = account(&i, "cora");
    assert_eq!((cora.status, cora.mfa, cora.last_used), (AccountStatus::Disabled, Some(true), date("2024-01-15")));
    assert_eq!(cora.member_of, vec!["aws/group:Developers", "aws/role:OrgAdmin"], "trusted by the role");

    let role = account(&i, "role:OrgAdmin");
    assert_eq!((role.kind, role.last_used), (AccountKind::Role, date("2026-11-02")));
    assert_eq!(role.member_of, vec!["aws/policy:AdministratorAccess"]);
    let other = account(&i, "arn:aws:iam::444455556666:root");
    assert_eq!((other.kind, &other.member_of), (AccountKind::Shared, &vec!["aws/role:OrgAdmin".to_string()]));
    let lambda = account(&i, "service:lambda.amazonaws.com");
    assert_eq!((lambda.kind, &lambda.member_of), (AccountKind::Service, &vec!["aws/role:lambda-thumbnails".to_string()]));
    assert_eq!(grant_level(&i, "aws/role:lambda-thumbnails", "inline policy read-uploads"), Some(Level::Read));

    let root = account(&i, "<root_account>");
    assert_eq!((root.kind, root.mfa, root.last_used), (AccountKind::Shared, Some(false), date("2025-12-24")));
    assert_eq!(grant_level(&i, "aws/<root_account>", "account root user"), Some(Level::Admin));

    let r = reconcile::reconcile(&org(), "aws", i);
    assert!(r.target.validate().is_empty(), "{:?}", r.target.validate());
    // 4 users, the root user, 2 roles, 2 trusted principals; 2 groups and 4 managed policies.
    assert_eq!((r.summary.accounts, r.summary.groups, r.summary.people_linked), (9, 6, 2), "{:?}", r.summary);
    // ada 1, ben 2 + 1 inline, bot 1, cora 2, root 1, roles 1 + 1 inline, trusted 2.
    assert_eq!(r.summary.grants, 12, "{:?}", r.summary);
    let again =
        reconcile::reconcile(&r.target, "aws", aws_iam::parse("aws", "details.json", &details, Some(("report.csv", &report))).unwrap());
    assert!(again.changes.is_empty(), "re-importing changes nothing");
}

#[test]
fn errors_name_the_file_and_where() {
    let e = aws_iam::parse("aws", "d.json", b"{\"UserDetailList\": [\n {\"UserName\": }", None).unwrap_err();
    assert!(e.to_string().starts_with("d.json:2:"), "{e}");
    let e = aws_iam::parse("aws", "d.json", br#"{"UserDetailList": [{"UserName": "a"}, {"Arn": "x"}]}"#, None).unwrap_err();
    assert_eq!(e.to_string(), "d.json:UserDetailList[1]: a user needs a `UserName`");
    let e =
        aws_iam::parse("aws", "d.json", br#"{"RoleDetailList": [{"RoleName": "r", "AttachedManagedPolicies": [{}]}]}"#, None).unwrap_err();
    assert_eq!(e.to_string(), "d.json:RoleDetailList[0].AttachedManagedPolicies[0]: needs a `PolicyName`");
    let e = aws_iam::parse("aws", "d.json", br#"{"Policies": {}}"#, None).unwrap_err();
    assert_eq!(e.to_string(), "d.json:Policies: `Policies` must be a list");
    let bad_date = "user,arn,password_last_used\nann,arn:aws:iam::1:user/ann,yesterday\n";
    let e = aws_iam::parse("aws", "d.json", b"{}", Some(("r.csv", bad_date.as_bytes()))).unwrap_err();
    assert_eq!(e.to_string(), "r.csv:line 2, column password_last_used: \"yesterday\" is not a date");
}

#[test]
fn reads_the_cloudsplaining_example() {
    let Some(details) = corpus("cloudsplaining-example.json") else { return };
    let i = aws_iam::parse("aws", "cloudsplaining-example.json", &details, None).unwrap();
    let count = |kind: AccountKind, prefix: &str| i.accounts.iter().filter(|(a, _)| a.kind == kind && a.name.starts_with(prefix)).count();
    assert_eq!(count(AccountKind::Role, "role:"), 78);
    assert_eq!(count(AccountKind::Group, "group:"), 5);
    assert_eq!(count(AccountKind::Personal, ""), 44 + 1, "44 users and one SSO session named by e-mail");
    // 84 policies in `Policies`, plus those attached without a document there.
    assert!(count(AccountKind::Group, "policy:") >= 84);
    // obama is in `admin`, which has AdministratorAccess, and has it attached directly too.
    assert_eq!(account(&i, "obama").member_of, vec!["aws/group:admin", "aws/policy:AdministratorAccess"]);
    assert_eq!(account(&i, "group:admin").member_of, vec!["aws/policy:AdministratorAccess"]);
    assert_eq!(grant_level(&i, "aws/policy:AdministratorAccess", "policy AdministratorAccess"), Some(Level::Admin));
    assert_eq!(grant_level(&i, "aws/policy:IAMFullAccess", "policy IAMFullAccess"), Some(Level::Admin));
    assert_eq!(grant_level(&i, "aws/policy:ReadOnlyAccess", "policy ReadOnlyAccess"), Some(Level::Read));
    assert_eq!(grant_level(&i, "aws/policy:PowerUserAccess", "policy PowerUserAccess"), Some(Level::Write));
    assert_eq!(
        grant_level(&i, "aws/policy:privesc8-AttachGroupPolicy", "policy privesc8-AttachGroupPolicy"),
        Some(Level::Admin),
        "escalation"
    );
    // Trust: a user, a role chain, an SSO session, another account, services.
    assert!(account(&i, "privesc-sre-user").member_of.iter().any(|r| r.starts_with("aws/role:")));
    let sso = i.accounts.iter().find(|(a, _)| a.name.ends_with("/elad@codsec.io")).unwrap();
    assert_eq!(sso.1.email.as_deref(), Some("elad@codsec.io"));
    assert_eq!(sso.0.member_of.len(), 40);
    assert_eq!(account(&i, "service:ssm.amazonaws.com").member_of.len(), 19);
    assert_eq!(account(&i, "arn:aws:iam::072528804237:root").kind, AccountKind::Shared);
    let r = reconcile::reconcile(&org(), "aws", i);
    assert!(r.target.validate().is_empty(), "{:?}", r.target.validate());
    assert_eq!(r.summary.groups, count_groups(&r.target));
}

fn count_groups(inv: &Inventory) -> usize {
    inv.accounts().filter(|a| a.kind == AccountKind::Group).count()
}

#[test]
fn reads_the_custodian_credential_reports() {
    let Some(csv) = corpus("custodian-account-credential-report.csv") else { return };
    let rows = aws_iam::credential_report("report.csv", &csv).unwrap();
    let root = rows.iter().find(|r| r.user == "<root_account>").unwrap();
    assert_eq!((root.mfa_active, root.password_enabled), (Some(true), None));
    let andrew = rows.iter().find(|r| r.user == "andrew").unwrap();
    assert_eq!((andrew.password_enabled, andrew.mfa_active, andrew.access_keys_active), (Some(true), Some(false), true));
    assert_eq!(andrew.last_used, Some("2016-11-16".parse().unwrap()), "the latest of password and key use");
    // The recorded API answer (JSON around the report) reads the same.
    let Some(answer) = corpus("custodian-account-credential-report.GetCredentialReport_1.json") else { return };
    assert_eq!(aws_iam::credential_report("answer.json", &answer).unwrap(), rows);
    // The report alone (empty authorization details): the root user is admin, users come from it.
    let i = aws_iam::parse("aws", "empty.json", b"{}", Some(("report.csv", &csv))).unwrap();
    assert_eq!(i.accounts.len(), rows.len() - 1, "christopher is on two rows");
    let christopher = account(&i, "christopher");
    assert_eq!(christopher.last_used, Some("2016-11-21".parse().unwrap()), "the row with the latest use");
    assert!(i.warnings.iter().any(|w| w.contains("line 10: a second row for \"christopher\"")), "{:?}", i.warnings);
    assert_eq!(grant_level(&i, "aws/<root_account>", "account root user"), Some(Level::Admin));
    assert!(i.warnings.iter().any(|w| w.contains("in the credential report but not in the authorization details")), "{:?}", i.warnings);
    let Some(unused) = corpus("custodian-unused-keys-credential-report.csv") else { return };
    let rows = aws_iam::credential_report("unused.csv", &unused).unwrap();
    let charmworld = rows.iter().find(|r| r.user == "charmworld").unwrap();
    assert_eq!((charmworld.password_enabled, charmworld.access_keys_active, charmworld.last_used), (Some(false), true, None));
    let i = aws_iam::parse("aws", "empty.json", b"{}", Some(("unused.csv", &unused))).unwrap();
    assert_eq!(account(&i, "charmworld").kind, AccountKind::Service);
}
