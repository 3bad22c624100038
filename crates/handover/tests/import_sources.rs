//! `handover import aws-iam | k8s-rbac | github | csv`: the real binary on the library's
//! fixtures (and the shared corpus where it has the format), on the backend under test;
//! `import postgres` and `import scim --url` against the live servers `scripts/test` starts
//! (PostgreSQL, and scim2-server — a real SCIM 2.0 server from the python-scim project).

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

/// Roles and databases one test makes on the live PostgreSQL server, dropped when this is
/// dropped — also when the test fails. Roles belong to the whole server, so every name
/// starts with a prefix unique to this run.
struct PgScratch {
    admin: postgres::Config,
    prefix: String,
    databases: Vec<String>,
}

impl PgScratch {
    /// The server `scripts/test` starts, or `None` (loudly; never in CI) without one.
    fn new() -> Option<PgScratch> {
        let Ok(admin) = std::env::var("HANDOVER_TEST_PG_URL") else {
            assert!(std::env::var_os("CI").is_none(), "CI=true but HANDOVER_TEST_PG_URL is not set: scripts/test starts PostgreSQL");
            eprintln!("skipping: no PostgreSQL server (run ./scripts/test, which starts one and sets HANDOVER_TEST_PG_URL)");
            return None;
        };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let prefix = format!("ho{}x{nanos}", std::process::id());
        Some(PgScratch { admin: admin.parse().expect("HANDOVER_TEST_PG_URL is a PostgreSQL URL"), prefix, databases: Vec::new() })
    }

    fn client(&self, database: &str) -> postgres::Client {
        self.admin.clone().dbname(database).connect(postgres::NoTls).unwrap()
    }

    /// Runs SQL as the server's superuser; `{p}` stands for the prefix.
    fn sql(&self, database: &str, sql: &str) {
        let sql = sql.replace("{p}", &self.prefix);
        self.client(database).batch_execute(&sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }

    /// A new database, owned by `owner` or else by the superuser.
    fn create_database(&mut self, name: &str, owner: Option<&str>) -> String {
        let name = format!("{}_{name}", self.prefix);
        self.databases.push(name.clone());
        self.sql("postgres", &format!("CREATE DATABASE {name}{}", owner.map(|o| format!(" OWNER {o}")).unwrap_or_default()));
        name
    }

    /// A URL for `user` (a prefixed role) on `database`, on the same server.
    fn url(&self, user: &str, database: &str) -> String {
        let Some(postgres::config::Host::Tcp(host)) = self.admin.get_hosts().first() else {
            panic!("the test server is reached over TCP: {:?}", self.admin.get_hosts())
        };
        let port = self.admin.get_ports().first().copied().unwrap_or(5432);
        format!("postgres://{}_{user}@{host}:{port}/{database}", self.prefix)
    }
}

impl Drop for PgScratch {
    fn drop(&mut self) {
        let Ok(mut c) = self.admin.clone().dbname("postgres").connect(postgres::NoTls) else { return };
        for db in &self.databases {
            if let Err(e) = c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")) {
                eprintln!("cleanup: dropping database {db}: {e:?}");
            }
        }
        let like = format!("{}\\_%", self.prefix);
        let roles = c
            .query("SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1", &[&like])
            .map(|rows| rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>());
        for role in roles.unwrap_or_default() {
            if let Err(e) = c.batch_execute(&format!("DROP ROLE IF EXISTS {role}")) {
                eprintln!("cleanup: dropping role {role}: {e:?}");
            }
        }
    }
}

#[test]
fn postgres_roles_memberships_and_privileges_from_a_live_server() {
    let Some(mut pg) = PgScratch::new() else { return };
    pg.sql(
        "postgres",
        "CREATE ROLE {p}_owner NOLOGIN;
         CREATE ROLE {p}_dba LOGIN SUPERUSER;
         CREATE ROLE {p}_app_rw NOLOGIN;
         CREATE ROLE {p}_ada LOGIN IN ROLE {p}_app_rw;
         CREATE ROLE {p}_reader LOGIN;
         COMMENT ON ROLE {p}_reader IS 'Ben Okafor <ben@example.com>';
         GRANT pg_read_all_data TO {p}_reader;
         CREATE ROLE {p}_gone LOGIN VALID UNTIL '2020-01-01';
         CREATE ROLE {p}_hr LOGIN CREATEROLE;
         CREATE ROLE {p}_locked LOGIN CONNECTION LIMIT 0;
         CREATE ROLE {p}_etl_svc LOGIN;
         GRANT {p}_app_rw TO {p}_etl_svc WITH ADMIN OPTION;
         CREATE ROLE {p}_importer LOGIN PASSWORD 'importer-secret-123';",
    );
    let shop = pg.create_database("shop", Some("{p}_owner"));
    let reports = pg.create_database("reports", None);
    pg.sql(
        &shop,
        "SET ROLE {p}_owner;
         CREATE SCHEMA sales;
         CREATE TABLE sales.orders (id int);
         CREATE TABLE sales.customers (id int);
         GRANT USAGE ON SCHEMA sales TO {p}_app_rw, {p}_reader;
         GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA sales TO {p}_app_rw;
         GRANT SELECT ON ALL TABLES IN SCHEMA sales TO {p}_reader;
         GRANT SELECT ON sales.orders TO {p}_etl_svc WITH GRANT OPTION;",
    );
    pg.sql(
        &reports,
        "CREATE SCHEMA reports;
         CREATE TABLE reports.daily (day date);
         GRANT USAGE ON SCHEMA reports TO {p}_reader;
         GRANT SELECT ON reports.daily TO {p}_reader;
         GRANT CREATE ON DATABASE {p}_reports TO {p}_hr;",
    );

    let f = Fixture::new("pgprod");
    let p = pg.prefix.clone();
    f.run().args(["person", "add", "ada-pg", "name=Ada Pg", &format!("email={p}_ada@example.com")]).assert().success();
    // The importing role is a plain LOGIN role: the catalogs are readable by every role.
    let password = f.file("pg-password", "importer-secret-123\n");
    let url = pg.url("importer", &shop);
    let import = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["import", "postgres", "--url", &url, "--database", &shop, "--database", &reports, "--system", "pgprod"];
        args.extend_from_slice(extra);
        args.push("--password-file");
        args.into_iter().map(String::from).collect()
    };
    let out = f.run().args(import(&["--dry-run"])).arg(&password).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Would import into pgprod: "), "{}", String::from_utf8_lossy(&out.stdout));
    let ours = |f: &Fixture| -> Vec<Value> {
        let all = f.json(&["account", "list", "--format", "json"], &[]);
        all.as_array().unwrap().iter().filter(|a| a["name"].as_str().unwrap().contains(&p)).cloned().collect()
    };
    assert!(ours(&f).is_empty(), "a dry run stores nothing");

    let json_args = import(&["--format", "json"]);
    let json_args: Vec<&str> = json_args.iter().map(String::as_str).collect();
    let summary = f.json(&json_args, &[&password]);
    assert_eq!(summary["system"], "pgprod");
    assert_eq!(summary["warnings"], serde_json::json!([]), "{summary}");
    assert!(changes(&summary).0 > 0, "{summary}");

    // Exactly our roles, with kind, status, memberships and linked person.
    let row = |a: &Value| {
        let s = |k: &str| a[k].as_str().unwrap_or("").replace(&p, "P");
        let member_of: Vec<String> =
            a["member_of"].as_array().map_or(vec![], |m| m.iter().map(|x| x.as_str().unwrap().replace(&p, "P")).collect());
        (s("name"), s("kind"), s("status"), s("person"), member_of.join(" "))
    };
    let got: Vec<_> = ours(&f).iter().map(row).collect();
    let want: Vec<(String, String, String, String, String)> = [
        ("P_ada", "", "", "ada-pg", "pgprod/role:P_app_rw pgprod/role:public"),
        ("P_dba", "", "", "", "pgprod/role:public"),
        ("P_etl_svc", "service", "", "", "pgprod/role:P_app_rw pgprod/role:public"),
        ("P_gone", "", "disabled", "", "pgprod/role:public"),
        ("P_hr", "", "", "", "pgprod/role:public"),
        ("P_importer", "", "", "", "pgprod/role:public"),
        ("P_locked", "", "disabled", "", "pgprod/role:public"),
        ("P_reader", "", "", "ben-okafor", "pgprod/role:pg_read_all_data pgprod/role:public"),
        ("role:P_app_rw", "group", "", "", ""),
        ("role:P_owner", "group", "", "", ""),
    ]
    .iter()
    .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c.to_string(), d.to_string(), e.to_string()))
    .collect();
    assert_eq!(got, want);

    // Exactly their grants and levels.
    let grants = f.json(&["grant", "list", "--format", "json"], &[]);
    let mut got: Vec<String> = grants
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["account"].as_str().unwrap().contains(&p) || g["account"] == "pgprod/role:public")
        .map(|g| {
            format!("{} | {} | {}", g["account"].as_str().unwrap(), g["privilege"].as_str().unwrap(), g["level"].as_str().unwrap())
                .replace(&p, "P")
        })
        .collect();
    got.sort();
    let want = [
        "pgprod/P_dba | SUPERUSER | admin",
        "pgprod/P_etl_svc | role P_app_rw WITH ADMIN OPTION | write",
        "pgprod/P_etl_svc | some tables in P_shop.sales: SELECT* | read",
        "pgprod/P_hr | CREATEROLE | admin",
        "pgprod/P_hr | database P_reports: CREATE | admin",
        "pgprod/P_reader | schema P_reports.reports: USAGE | read",
        "pgprod/P_reader | schema P_shop.sales: USAGE | read",
        "pgprod/P_reader | tables in P_reports.reports: SELECT | read",
        "pgprod/P_reader | tables in P_shop.sales: SELECT | read",
        "pgprod/role:P_app_rw | schema P_shop.sales: USAGE | read",
        "pgprod/role:P_app_rw | tables in P_shop.sales: INSERT, UPDATE | write",
        "pgprod/role:P_owner | owner of database P_shop | admin",
        "pgprod/role:P_owner | owner of schema P_shop.public | write",
        "pgprod/role:P_owner | owner of schema P_shop.sales | write",
        "pgprod/role:P_owner | owner of tables in P_shop.sales | write",
        "pgprod/role:public | database P_reports: CONNECT, TEMPORARY | read",
        "pgprod/role:public | database P_shop: CONNECT, TEMPORARY | read",
        "pgprod/role:public | schema P_reports.public: USAGE | read",
        "pgprod/role:public | schema P_shop.public: USAGE | read",
    ];
    assert_eq!(got, want);
    assert_eq!(f.grant_level("pgprod/role:pg_read_all_data", "predefined role pg_read_all_data").as_deref(), Some("read"));

    // Passwords are never read, so never stored.
    let export = f.run().arg("export").output().unwrap();
    let export = String::from_utf8_lossy(&export.stdout);
    assert!(export.contains(&format!("{p}_importer")) && !export.contains("importer-secret-123") && !export.contains("SCRAM-SHA-256"));

    // Re-import: nothing changes. Then what changed on the server, and nothing else, does.
    assert_eq!(changes(&f.json(&json_args, &[&password])), (0, 0, 0));
    pg.sql("postgres", "REVOKE {p}_app_rw FROM {p}_ada; DROP ROLE {p}_locked;");
    assert_eq!(changes(&f.json(&json_args, &[&password])), (0, 1, 1));
    assert_eq!(f.account(&format!("pgprod/{p}_locked"))["status"], "removed");

    // Failures name the server, never the password, and change nothing.
    let bad = format!("postgres://{p}_nobody:hunter2@127.0.0.1:1/x");
    f.run().args(["import", "postgres", "--url", &bad, "--system", "pgprod"]).assert().failure().stderr(
        predicate::str::contains(format!("error[source_error]: postgres://{p}_nobody:***@127.0.0.1:1/x: cannot connect"))
            .and(predicate::str::contains("hunter2").not()),
    );
    pg.sql("postgres", &format!("REVOKE CONNECT ON DATABASE {reports} FROM PUBLIC"));
    f.run()
        .args(import(&[]))
        .arg(&password)
        .assert()
        .failure()
        .stderr(predicate::str::contains("permission denied for database").and(predicate::str::contains("needs LOGIN and CONNECT")));
    f.run()
        .args(["import", "postgres", "--url", "host=localhost password=x", "--system", "pgprod"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[invalid_field]").and(predicate::str::contains("password=x").not()));
}

/// Issue 6's proof of a lock-out: `plan verify` stays red while the leaver's PostgreSQL role
/// exists and turns green once the role is dropped and the server re-imported.
#[test]
fn plan_verify_turns_green_only_after_the_postgres_role_is_dropped_and_reimported() {
    let Some(mut pg) = PgScratch::new() else { return };
    pg.sql("postgres", "CREATE ROLE {p}_ada LOGIN SUPERUSER; CREATE ROLE {p}_importer LOGIN PASSWORD 'importer-secret-123';");
    let db = pg.create_database("ledger", None);
    let p = pg.prefix.clone();
    let f = Fixture::new("pgprod");
    f.run().args(["person", "set", "ada-lovelace", &format!("aliases=ada,ada-dev,{p}_ada")]).assert().success();
    let password = f.file("pg-password", "importer-secret-123\n");
    let url = pg.url("importer", &db);
    let import = || {
        let out =
            f.run().args(["import", "postgres", "--url", &url, "--system", "pgprod", "--password-file"]).arg(&password).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    import();
    let account = format!("pgprod/{p}_ada");
    assert_eq!(f.account(&account)["person"], "ada-lovelace", "the role is linked to Ada by her alias");

    f.run()
        .args(["plan", "create", "ada-lovelace", "--mode", "hostile", "--leaving-at", "2026-12-04T16:00", "--owner", "ben-okafor"])
        .assert()
        .success();
    let plan = "ada-lovelace-2026-12-04";
    let revoke = f.json(&["plan", "show", plan, "--format", "json"], &[]);
    assert!(revoke["tasks"].as_array().unwrap().iter().any(|t| t["kind"] == "revoke" && t["targets"][0] == format!("account:{account}")));
    f.run().args(["plan", "verify", plan]).assert().failure().stdout(predicate::str::contains(format!("still active: account {account}")));

    pg.sql("postgres", "DROP ROLE {p}_ada;");
    // Until the source is re-read, handover cannot know: still red.
    f.run().args(["plan", "verify", plan]).assert().failure();
    import();
    assert_eq!(f.account(&account)["status"], "removed");
    f.run().args(["plan", "verify", plan]).assert().success().stdout(predicate::str::contains("Verified: no active account"));
}

/// A tenant of the real SCIM 2.0 server `scripts/test` starts (scim2-server, from the
/// python-scim project, with `--dynamic-tenants`): each test gets its own, loaded through the
/// server's own API, so runs on SQLite and PostgreSQL never see each other's resources.
struct ScimTenant {
    base: String,
    token_file: PathBuf,
    token: String,
}

impl ScimTenant {
    /// A fresh tenant, or `None` (loudly; never in CI) without the server.
    fn new() -> Option<ScimTenant> {
        let (Ok(url), Ok(token_file)) = (std::env::var("HANDOVER_TEST_SCIM_URL"), std::env::var("HANDOVER_TEST_SCIM_TOKEN_FILE")) else {
            assert!(std::env::var_os("CI").is_none(), "CI=true but HANDOVER_TEST_SCIM_URL is not set: scripts/test starts scim2-server");
            eprintln!("skipping: no SCIM server (run ./scripts/test, which starts scim2-server and sets HANDOVER_TEST_SCIM_URL)");
            return None;
        };
        let token = std::fs::read_to_string(&token_file).unwrap().trim().to_string();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let base = format!("{}/t{}x{nanos}/v2", url.trim_end_matches('/'), std::process::id());
        Some(ScimTenant { base, token_file: token_file.into(), token })
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        ureq::request(method, &format!("{}/{path}", self.base))
            .set("Authorization", &format!("Bearer {}", self.token))
            .set("Content-Type", "application/scim+json")
    }

    /// Creates a resource through the server's API; returns its server-assigned id.
    fn post(&self, endpoint: &str, body: Value) -> String {
        let created: Value = self
            .request("POST", endpoint)
            .send_json(body.clone())
            .unwrap_or_else(|e| panic!("POST {endpoint} {body}: {e}"))
            .into_json()
            .unwrap();
        created["id"].as_str().unwrap().to_string()
    }

    fn user(&self, user_name: &str, email: Option<&str>, active: bool) -> String {
        let mut user = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "active": active,
        });
        if let Some(email) = email {
            user["emails"] = serde_json::json!([{"value": "old@example.com"}, {"value": email, "primary": true}]);
        }
        self.post("Users", user)
    }

    fn group(&self, name: &str, members: &[(&str, &str)]) -> String {
        let members: Vec<Value> = members.iter().map(|(id, kind)| serde_json::json!({"value": id, "type": kind})).collect();
        self.post(
            "Groups",
            serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": members}),
        )
    }
}

#[test]
fn scim_from_a_live_server_page_by_page() {
    let Some(scim) = ScimTenant::new() else { return };
    let ada = scim.user("ada.l", Some("ada@example.com"), true);
    let ben = scim.user("ben", None, true);
    let cora = scim.user("cora@example.com", Some("cora@example.com"), false);
    // More users than fit on one page of 5.
    let staff: Vec<String> = (1..=9).map(|i| scim.user(&format!("staff{i:02}"), Some(&format!("staff{i:02}@example.com")), true)).collect();
    let admins = scim.group("Admins", &[(&ada, "User")]);
    let mut engineering: Vec<(&str, &str)> = vec![(&ben, "User"), (&admins, "Group")];
    engineering.extend(staff[..6].iter().map(|s| (s.as_str(), "User")));
    scim.group("Engineering", &engineering);
    scim.group("Former staff", &[(&cora, "User")]);

    let f = Fixture::new("idp");
    let import = |extra: &[&str]| -> Value {
        let mut args = vec!["import", "scim", "--url", &scim.base, "--system", "idp", "--format", "json"];
        args.extend_from_slice(extra);
        f.json(&args, &[])
    };
    let with_token = ["--token-file", scim.token_file.to_str().unwrap()];
    let summary = import(&[&with_token[..], &["--page-size", "5"]].concat());
    assert_eq!(
        summary,
        serde_json::json!({
            "system": "idp", "accounts": 12, "groups": 3, "grants": 9, "people_linked": 2, "unlinked": 10,
            "warnings": [], "changes": {"added": 18, "changed": 0, "removed": 0}
        })
    );
    let accounts = f.json(&["account", "list", "--format", "json"], &[]);
    let got: Vec<String> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap_or("-").to_string();
            let member_of: Vec<&str> = a["member_of"].as_array().map_or(vec![], |m| m.iter().map(|x| x.as_str().unwrap()).collect());
            format!("{} {} {} {} [{}]", s("name"), s("kind"), s("status"), s("person"), member_of.join(" "))
        })
        .collect();
    let mut want = vec![
        "ada.l - - ada-lovelace [idp/group:Admins]".to_string(),
        "ben - - ben-okafor [idp/group:Engineering]".into(),
        "cora@example.com - disabled - [idp/group:Former staff]".into(),
        "group:Admins group - - [idp/group:Engineering]".into(),
        "group:Engineering group - - []".into(),
        "group:Former staff group - - []".into(),
    ];
    want.extend((1..=9).map(|i| format!("staff{i:02} - - - [{}]", if i <= 6 { "idp/group:Engineering" } else { "" })));
    assert_eq!(got, want);
    assert_eq!(f.grant_level("idp/group:Admins", "member of Admins").as_deref(), Some("admin"));

    // Re-import, one default-sized page: nothing changes, no event.
    assert_eq!(changes(&import(&with_token)), (0, 0, 0));
    // The file path maps the same resources the same way.
    let dump = |endpoint: &str| -> Vec<Value> {
        let page: Value = scim.request("GET", &format!("{endpoint}?count=1000")).call().unwrap().into_json().unwrap();
        page["Resources"].as_array().unwrap().clone()
    };
    let file = f.file("tenant.json", &Value::Array([dump("Users"), dump("Groups")].concat()).to_string());
    f.run().args(["system", "add", "idp-file", "name=Same IdP from a file", "tier=1"]).assert().success();
    let from_file = f.json(&["import", "scim", "--system", "idp-file", "--format", "json"], &[&file]);
    for k in ["accounts", "groups", "grants", "people_linked"] {
        assert_eq!(from_file[k], summary[k], "{k}: {from_file}");
    }

    // What changed on the server, and nothing else, changes.
    scim.request("DELETE", &format!("Users/{}", staff[8])).call().unwrap();
    assert_eq!(changes(&import(&[&with_token[..], &["--page-size", "2"]].concat())), (0, 0, 1));
    assert_eq!(f.account("idp/staff09")["status"], "removed");

    // Failures name the page and the server's answer, never the token, and change nothing.
    let before = f.json(&["account", "list", "--format", "json"], &[]);
    let wrong = f.file("wrong-token", "  not-the-token-42\n");
    f.run().args(["import", "scim", "--url", &scim.base, "--system", "idp", "--token-file"]).arg(&wrong).assert().failure().stderr(
        predicate::str::contains(format!(
            "error[source_error]: {}/Users?startIndex=1&count=100: HTTP 401: Authorization failure",
            scim.base
        ))
        .and(predicate::str::contains("not-the-token-42").not())
        .and(predicate::str::contains(&scim.token).not()),
    );
    let missing = format!("{}/Nope", scim.base);
    f.run()
        .args(["import", "scim", "--url", &missing, "--system", "idp", "--token-file"])
        .arg(&scim.token_file)
        .assert()
        .failure()
        .stderr(predicate::str::contains("HTTP 404"));
    f.run()
        .args(["import", "scim", "--url", "https://user:pw@idp.example.com/scim/v2", "--system", "idp"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("must not hold credentials").and(predicate::str::contains("pw@").not()));
    f.run().args(["import", "scim", "--url", &scim.base, "--system", "idp"]).arg(&file).assert().failure();
    f.run().args(["import", "scim", "--system", "idp"]).assert().failure();
    assert_eq!(f.json(&["account", "list", "--format", "json"], &[]), before);
}

/// `examples/sources/`: the demo organisation, partly, in every file format — each file
/// imports into its demo system, links most of its accounts to the demo's people, and
/// imports again without a change. The table in its README states the same counts.
#[test]
fn the_demo_loads_from_the_example_source_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_database(dir.path(), "demo.db");
    handover(&db).arg("demo").assert().success();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sources");
    let file = |name: &str| examples.join(name).display().to_string();
    let imports: [(&str, Vec<String>, u64, u64); 6] = [
        ("file-server", vec!["ldif".into(), file("file-server.ldif")], 5, 4),
        ("password-manager", vec!["scim".into(), file("password-manager.scim.json")], 9, 8),
        (
            "aws-prod",
            vec![
                "aws-iam".into(),
                file("aws-prod.authorization-details.json"),
                "--credential-report".into(),
                file("aws-prod.credential-report.csv"),
            ],
            7,
            2,
        ),
        ("ordering-portal", vec!["k8s-rbac".into(), file("ordering-portal.k8s-rbac.yaml")], 7, 6),
        ("github", vec!["github".into(), file("github.json")], 4, 2),
        ("entra-id", vec!["csv".into(), "--format".into(), "entra".into(), file("entra-id.users.csv")], 64, 59),
    ];
    let mut covered: Vec<String> = Vec::new();
    for (system, args, accounts, linked) in &imports {
        let run = || -> Value {
            let out = handover(&db).arg("import").args(args).args(["--system", system, "--format", "json"]).output().unwrap();
            assert!(out.status.success(), "{system}: {}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let summary = run();
        assert_eq!((&summary["accounts"], &summary["people_linked"]), (&(*accounts).into(), &(*linked).into()), "{system}: {summary}");
        assert_eq!(summary["warnings"], serde_json::json!([]), "{system}: {summary}");
        assert_eq!(changes(&run()), (0, 0, 0), "{system}: importing again changes nothing");
        covered.extend(args.iter().filter(|a| a.contains("examples/sources/")).map(|a| a.rsplit('/').next().unwrap().to_string()));
    }
    // Every source file here is imported above.
    let mut files: Vec<String> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "README.md")
        .collect();
    files.sort();
    covered.sort();
    assert_eq!(files, covered);
    // The audit sees what the files say: the portal's cluster still binds a leaver.
    let orphaned = handover(&db).args(["accounts", "--situation", "orphaned", "--format", "json"]).output().unwrap();
    let orphaned: Value = serde_json::from_slice(&orphaned.stdout).unwrap();
    assert!(orphaned.as_array().unwrap().iter().any(|a| a["account"] == "ordering-portal/laura.pike"), "{orphaned}");
}
