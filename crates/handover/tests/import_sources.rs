//! `handover import aws-iam | k8s-rbac | github | csv`: the real binary on the library's
//! fixtures (and the shared corpus where it has the format), on the backend under test.

mod common;

use assert_cmd::Command;
use common::{handover, new_database};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A library fixture (`crates/handover-import/tests/fixtures/…`).
fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../handover-import/tests/fixtures").join(path)
}

/// A shared-corpus file, or `None` (loudly; never in CI) when the corpus is absent.
fn corpus(path: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/identity").join(path);
    if p.exists() {
        return Some(p);
    }
    assert!(std::env::var_os("CI").is_none(), "corpus file {} missing in CI", p.display());
    eprintln!("skipping: {} not found", p.display());
    None
}

struct Fixture {
    dir: tempfile::TempDir,
    db: String,
}

impl Fixture {
    /// A new store with one system and a few people to link to.
    fn new(system: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = new_database(dir.path(), "handover.db");
        let f = Fixture { dir, db };
        f.run().arg("init").assert().success();
        f.run().args(["system", "add", system, "name=Imported system", "tier=1"]).assert().success();
        f.run()
            .args(["person", "add", "ada-lovelace", "name=Ada Lovelace", "email=ada@example.com", "aliases=ada,ada-dev"])
            .assert()
            .success();
        f.run().args(["person", "add", "ben-okafor", "name=Ben Okafor", "email=ben@example.com", "aliases=ben"]).assert().success();
        f
    }
    fn run(&self) -> Command {
        handover(&self.db)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    /// Runs the command, expects success, and parses what it printed as JSON.
    fn json(&self, args: &[&str], paths: &[&Path]) -> Value {
        let out = self.run().args(args).args(paths).output().unwrap();
        assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }
    fn account(&self, key: &str) -> Value {
        self.json(&["account", "show", key, "--format", "json"], &[])["record"].clone()
    }
    fn grant_level(&self, account: &str, privilege: &str) -> Option<String> {
        let grants = self.json(&["grant", "list", "--format", "json"], &[]);
        grants
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["account"] == account && g["privilege"] == privilege)
            .map(|g| g["level"].as_str().unwrap().to_string())
    }
}

fn changes(summary: &Value) -> (u64, u64, u64) {
    let c = &summary["changes"];
    (c["added"].as_u64().unwrap(), c["changed"].as_u64().unwrap(), c["removed"].as_u64().unwrap())
}

#[test]
fn aws_iam_with_the_credential_report() {
    let f = Fixture::new("aws");
    let details = fixture("aws-iam/authorization-details.json");
    let report = fixture("aws-iam/credential-report.csv");
    let args = ["import", "aws-iam", "--system", "aws", "--format", "json", "--credential-report"];
    let summary = f.json(&args, &[&report, &details]);
    assert_eq!(
        (&summary["accounts"], &summary["groups"], &summary["grants"], &summary["people_linked"]),
        (&Value::from(9), &Value::from(6), &Value::from(12), &Value::from(2)),
        "{summary}"
    );
    let ada = f.account("aws/ada");
    assert_eq!((&ada["person"], &ada["mfa"], &ada["last_used"]), (&"ada-lovelace".into(), &true.into(), &"2026-11-24".into()));
    assert_eq!(f.account("aws/cora")["status"], "disabled");
    assert_eq!(f.account("aws/role:OrgAdmin")["kind"], "role");
    assert_eq!(f.grant_level("aws/policy:AdministratorAccess", "policy AdministratorAccess").as_deref(), Some("admin"));
    // The audit sees what the import derived: admin without MFA (ben's self-granting inline
    // policy, the root user) and another AWS account trusted by an admin role.
    let audit = f.json(&["audit", "--format", "json"], &[]);
    let found = |rule: &str, subject: &str| audit.as_array().unwrap().iter().any(|x| x["rule"] == rule && x["subject"] == subject);
    assert!(found("HO-ACCESS-004", "account:aws/ben"), "{audit}");
    assert!(found("HO-ACCESS-004", "account:aws/<root_account>"), "{audit}");
    assert!(found("HO-ACCESS-005", "account:aws/arn:aws:iam::444455556666:root"), "{audit}");
    assert!(!found("HO-ACCESS-004", "account:aws/ada"), "ada has MFA: {audit}");
    // Re-import: nothing changes, no event.
    assert_eq!(changes(&f.json(&args, &[&report, &details])), (0, 0, 0));
    // A bad report names the file, the line and the column, and changes nothing.
    let bad = f.file("bad-report.csv", "user,arn,mfa_active\nada,arn:aws:iam::1:user/ada,sometimes\n");
    f.run().args(["import", "aws-iam", "--system", "aws", "--credential-report"]).arg(&bad).arg(&details).assert().failure().stderr(
        predicate::str::contains("bad-report.csv:line 2, column mfa_active").and(predicate::str::contains("error[invalid_syntax]")),
    );
}

#[test]
fn aws_iam_on_the_cloudsplaining_example() {
    let Some(details) = corpus("iam/cloudsplaining-example.json") else { return };
    let f = Fixture::new("aws");
    let summary = f.json(&["import", "aws-iam", "--system", "aws", "--format", "json"], &[&details]);
    // 44 users, 78 roles, and the principals outside the file that trust policies name.
    assert!(summary["accounts"].as_u64().unwrap() > 44 + 78, "{summary}");
    assert_eq!(f.account("aws/obama")["member_of"], serde_json::json!(["aws/group:admin", "aws/policy:AdministratorAccess"]));
}

#[test]
fn k8s_rbac_from_several_files() {
    let f = Fixture::new("k8s");
    let (roles, bindings) = (fixture("k8s-rbac/roles.yaml"), fixture("k8s-rbac/bindings.yaml"));
    let summary = f.json(&["import", "k8s-rbac", "--system", "k8s", "--format", "json"], &[&roles, &bindings]);
    assert_eq!((&summary["accounts"], &summary["groups"], &summary["grants"]), (&4.into(), &6.into(), &6.into()), "{summary}");
    assert_eq!(f.account("k8s/nora@example.com")["member_of"], serde_json::json!(["k8s/clusterrole:platform-operator"]));
    assert_eq!(f.grant_level("k8s/lee", "clusterrole admin in namespace shop").as_deref(), Some("write"));
    assert_eq!(f.account("k8s/system:serviceaccount:shop:ci")["kind"], "service");
    let bad = f.file(
        "bad.yaml",
        "kind: ClusterRoleBinding\nmetadata:\n  name: x\nroleRef:\n  kind: ClusterRole\n  name: view\nsubjects:\n- name: someone\n",
    );
    f.run()
        .args(["import", "k8s-rbac", "--system", "k8s"])
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.yaml:8:3: subjects[0].kind: a subject needs `kind`"));
    let Some(corpus_roles) = corpus("k8s/cluster-roles.yaml") else { return };
    let Some(corpus_bindings) = corpus("k8s/cluster-role-bindings.yaml") else { return };
    let summary = f.json(&["import", "k8s-rbac", "--system", "k8s", "--format", "json"], &[&corpus_roles, &corpus_bindings]);
    assert_eq!(summary["groups"], 27 + 3, "27 cluster roles and 3 groups: {summary}");
    assert_eq!(f.account("k8s/nora@example.com")["status"], "removed", "gone from the new files");
}

#[test]
fn github_bundle_and_members_array() {
    let f = Fixture::new("gh");
    let summary = f.json(&["import", "github", "--system", "gh", "--format", "json"], &[&fixture("github/example-org.json")]);
    assert_eq!((&summary["accounts"], &summary["groups"], &summary["grants"]), (&4.into(), &2.into(), &9.into()), "{summary}");
    let ada = f.account("gh/ada-dev");
    assert_eq!((&ada["person"], &ada["mfa"]), (&"ada-lovelace".into(), &true.into()));
    assert_eq!(f.account("gh/bo-k")["mfa"], false);
    assert_eq!(f.grant_level("gh/ada-dev", "org owner").as_deref(), Some("admin"));
    let Some(members) = corpus("csv/pygithub-org-members-BeaverSoftware.json") else { return };
    let summary = f.json(&["import", "github", "--system", "gh", "--format", "json"], &[&members]);
    assert_eq!((&summary["accounts"], &summary["groups"]), (&3.into(), &0.into()), "{summary}");
    assert_eq!(changes(&summary).0, 3 + 3, "three members and their org grants");
}

#[test]
fn csv_exports_of_three_vendors() {
    let f = Fixture::new("idp");
    let okta = fixture("csv/okta-users.csv");
    let summary = f.json(&["import", "csv", "--format", "okta", "--system", "idp", "--format", "json"], &[&okta]);
    assert_eq!((&summary["accounts"], &summary["people_linked"]), (&3.into(), &2.into()), "{summary}");
    assert_eq!(f.account("idp/ben.okafor@example.com")["status"], "disabled");
    assert_eq!(f.grant_level("idp/ada@example.com", "admin role SUPER_ADMIN").as_deref(), Some("admin"));
    let google = fixture("csv/google-users.csv");
    let summary = f.json(&["import", "csv", "--vendor", "google", "--system", "idp", "--format", "json"], &[&google]);
    assert_eq!(summary["accounts"], 3, "{summary}");
    assert_eq!(f.account("idp/ada@example.com")["mfa"], true);
    let entra = fixture("csv/entra-users.csv");
    let out = f.run().args(["import", "csv", "--format", "entra", "--system", "idp", "--dry-run"]).arg(&entra).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Would import into idp: 3 accounts"), "{}", String::from_utf8_lossy(&out.stdout));
    f.run()
        .args(["import", "csv", "--system", "idp"])
        .arg(&entra)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--format okta, --format entra or --format google"));
    let bad = f.file("bad.csv", "Username,Status,Last login\nzed@example.com,ACTIVE,yesterday-ish 2\nx@example.com,ACTIVE,2026-99-01\n");
    f.run()
        .args(["import", "csv", "--format", "okta", "--system", "idp"])
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.csv:3: column \"Last login\"").and(predicate::str::contains("error[invalid_syntax]")));
}
