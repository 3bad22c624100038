//! The real binary, run the way a user runs it.

mod common;

use assert_cmd::Command;
use common::{create_pg_database, handover, new_database, postgres_admin_url};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const EXAMPLE: &str = include_str!("../../../examples/org.yaml");

/// Whether the database holds anything at all (a file exists / a schema exists).
fn database_exists(db: &str) -> bool {
    handover_store::Location::parse(db).exists().unwrap()
}

/// Runs SQL directly on the database, as an attacker with file or superuser access would.
fn raw_sql(db: &str, sql: &str) -> Result<(), String> {
    match handover_store::Location::parse(db) {
        handover_store::Location::Sqlite(path) => rusqlite::Connection::open(path).unwrap().execute_batch(sql).map_err(|e| e.to_string()),
        handover_store::Location::Postgres(url) => {
            postgres::Client::connect(&url, postgres::NoTls).unwrap().batch_execute(sql).map_err(|e| e.to_string())
        }
    }
}

/// Whether `text` appears anywhere in what the database stores.
fn stored_anywhere(db: &str, text: &str) -> bool {
    match handover_store::Location::parse(db) {
        handover_store::Location::Sqlite(path) => std::fs::read(path).unwrap().windows(text.len()).any(|w| w == text.as_bytes()),
        handover_store::Location::Postgres(url) => {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let like = format!("%{text}%");
            let n: i64 = c
                .query_one(
                    "SELECT (SELECT count(*) FROM records WHERE body LIKE $1) + (SELECT count(*) FROM events WHERE coalesce(after, '') LIKE $1 \
                     OR coalesce(before, '') LIKE $1) + (SELECT count(*) FROM meta WHERE value LIKE $1)",
                    &[&like],
                )
                .unwrap()
                .get(0);
            n > 0
        }
    }
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs the command, expects success, and parses what it printed as JSON.
fn json(cmd: &mut Command) -> serde_json::Value {
    let out = stdout(cmd);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

struct Fixture {
    dir: tempfile::TempDir,
    db: String,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = new_database(dir.path(), "handover.db");
        Fixture { dir, db }
    }
    /// The database (`HANDOVER_DB`): a file path or a PostgreSQL URL.
    fn db(&self) -> String {
        self.db.clone()
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    fn run(&self) -> Command {
        handover(&self.db())
    }
    fn export(&self) -> String {
        stdout(self.run().arg("export"))
    }
    fn with_example() -> Self {
        let f = Fixture::new();
        let path = f.file("org.yaml", EXAMPLE);
        f.run().args(["apply", "-f"]).arg(path).assert().success();
        f
    }
}

#[test]
fn demo_tells_who_alone_holds_what() {
    let f = Fixture::new();
    let out = stdout(f.run().arg("demo")).replace(&f.db(), "[DB]");
    insta::assert_snapshot!("demo", out);
    // Running it again changes nothing and says so.
    let again = stdout(f.run().arg("demo"));
    assert!(again.starts_with("The demo organisation was already loaded"), "{again}");
    let events = stdout(f.run().args(["log", "--format", "json"]));
    let events: serde_json::Value = serde_json::from_str(&events).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 768, "the second demo must append no events");
}

#[test]
fn demo_json_names_the_single_points_of_failure() {
    let f = Fixture::new();
    let out = json(f.run().args(["demo", "--format", "json"]));
    let people = out["key_people"].as_array().unwrap();
    let dana = people.iter().find(|p| p["person"] == "dana-whitfield").unwrap();
    assert_eq!(dana["sole_admin"].as_array().unwrap().len(), 10);
    assert!(dana["solo_roles"].as_array().unwrap().contains(&"dns-admin".into()));
    assert_eq!(people[0]["person"], "sanjay-mehta", "the person already leaving comes first");
    let contracts: Vec<_> = out["contracts"].as_array().unwrap().iter().map(|c| c["contract"].as_str().unwrap()).collect();
    assert!(contracts.contains(&"brightpath-msa-2025"));
    assert_eq!(out["lingering_access"][0]["person"], "kevin-doyle");
}

#[test]
fn demo_refuses_a_database_with_real_data() {
    let f = Fixture::with_example();
    let before = f.export();
    f.run().arg("demo").assert().failure().stderr(predicate::str::contains("error[conflict]"));
    assert_eq!(f.export(), before);
}

#[test]
fn stats_json_counts_every_kind() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let stats = json(f.run().args(["stats", "--format", "json"]));
    assert_eq!(stats["people"], 59);
    assert_eq!(stats["systems"], 31);
    assert_eq!(stats["accounts"], 253);
    assert_eq!(stats["grants"], 337);
    assert_eq!(stats.as_object().unwrap().len(), 17);
}

#[test]
fn export_apply_export_is_byte_identical() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let first = f.export();
    let exported = f.file("export.yaml", &first);
    let g = Fixture::new();
    g.run().args(["apply", "-f"]).arg(&exported).assert().success();
    assert_eq!(g.export(), first);
    // And the JSON form round-trips too (YAML readers read JSON).
    let json = stdout(f.run().args(["export", "--format", "json"]));
    let h = Fixture::new();
    h.run().args(["apply", "-f"]).arg(f.file("export.json", &json)).assert().success();
    assert_eq!(h.export(), first);
    // Applying the export to the database it came from changes nothing.
    let out = stdout(f.run().args(["apply", "-f"]).arg(&exported));
    assert!(out.contains("No changes"), "{out}");
}

#[test]
fn dry_run_prints_the_diff_and_changes_nothing() {
    let f = Fixture::with_example();
    let before = f.export();
    let changed = EXAMPLE
        .replace("    tier: 1\n    tags: [backup]", "    tier: 2\n    tags: [backup]")
        .replace("repositories:\n", "repositories:\n  - key: scripts\n    url: https://git.quillstone.example/it/scripts.git\n");
    let changed = changed.replace("  - key: sam-okoro\n    name: Sam Okoro\n", "  - key: sam-okoro\n    name: Samuel Okoro\n");
    let path = f.file("changed.yaml", &changed);
    let out = stdout(f.run().args(["apply", "--dry-run", "-f"]).arg(&path));
    assert!(out.contains("~ person sam-okoro: name: \"Sam Okoro\" → \"Samuel Okoro\""), "{out}");
    assert!(out.contains("~ system nas: tier: 1 → 2"), "{out}");
    assert!(out.contains("+ repository scripts"), "{out}");
    assert!(out.contains("Would apply: 1 created, 2 updated, 0 removed."), "{out}");
    assert_eq!(f.export(), before);
    // Removing a section's record removes it; leaving a section out leaves it alone.
    let only_people =
        "people:\n  - key: priya-shah\n    name: Priya Shah\n    email: priya@quillstone.example\n    title: Managing Partner\n";
    let out = f.run().args(["apply", "--dry-run", "-f"]).arg(f.file("people.yaml", only_people)).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("error[dangling_reference]") && err.contains("(in the database, not in the file)"), "{err}");
}

/// Each bad file: the exit status, the error code, the `file:line:column`, and an
/// unchanged database.
#[test]
fn bad_files_are_refused_with_location_and_code_and_change_nothing() {
    let cases: &[(&str, String, &str, &str)] = &[
        ("syntax", EXAMPLE.replace("    title: Architect\n", "    title: [Architect\n"), "invalid_syntax", ""),
        ("type", EXAMPLE.replace("    tier: 1\n    tags: [backup]", "    tier: high\n    tags: [backup]"), "invalid_field", "field `tier`"),
        (
            "unknown field",
            EXAMPLE.replace("    kind: password\n", "    kind: password\n    value: hunter2\n"),
            "unknown_field",
            "field `value`",
        ),
        (
            "dangling",
            EXAMPLE.replace("    holders: [oliver-grant, sam-okoro]", "    holders: [oliver-grant, sam-okoro, nobody]"),
            "dangling_reference",
            "field `holders[2]`",
        ),
        (
            "duplicate email",
            EXAMPLE.replace("email: sam@okoro-it.example", "email: Oliver@quillstone.example"),
            "duplicate_email",
            "field `email`",
        ),
        ("duplicate key", EXAMPLE.replace("  - key: sam-okoro\n", "  - key: mei-lin\n"), "duplicate_key", "person \"mei-lin\""),
        ("bad date", EXAMPLE.replace("leaving_on: 2027-02-28", "leaving_on: 2027-02-30"), "invalid_field", "field `leaving_on`"),
        ("bad duration", EXAMPLE.replace("rto: 4h", "rto: 4 hours"), "invalid_field", "field `rto`"),
    ];
    let f = Fixture::with_example();
    let before = f.export();
    for (name, text, code, detail) in cases {
        let path = f.file("bad.yaml", text);
        let out = f.run().args(["apply", "-f"]).arg(&path).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: should fail");
        assert!(err.contains(&format!("error[{code}]")), "{name}: wanted {code} in\n{err}");
        assert!(err.contains(detail), "{name}: wanted {detail:?} in\n{err}");
        let located = regex_like_location(&err, &path);
        assert!(located, "{name}: no file:line:column in\n{err}");
        assert_eq!(f.export(), before, "{name}: the database changed");
    }
}

fn regex_like_location(err: &str, path: &Path) -> bool {
    let prefix = format!("{}:", path.display());
    err.lines().any(|l| {
        l.trim_start().strip_prefix(&prefix).is_some_and(|rest| {
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().is_some_and(|p| p.parse::<usize>().is_ok());
            let col = parts.next().is_some_and(|p| p.parse::<usize>().is_ok());
            line && col
        })
    })
}

#[test]
fn record_commands_add_set_show_rm() {
    let f = Fixture::with_example();
    f.run()
        .args(["person", "add", "ada-park", "name=Ada Park", "email=ada@quillstone.example", "manager=priya-shah"])
        .assert()
        .success()
        .stdout("+ person ada-park\n");
    f.run()
        .args(["person", "add", "ada-park", "name=Ada Again"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[duplicate_key]"));
    f.run()
        .args(["person", "add", "bo", "name=Bo", "email=ada@quillstone.example"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[duplicate_email]"));
    f.run()
        .args(["person", "add", "cy", "name=Cy", "shoe_size=9"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[unknown_field]"));
    f.run()
        .args(["person", "set", "ada-park", "status=leaving", "leaving_on=2027-01-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains("status: (none) → \"leaving\""));
    f.run()
        .args(["person", "set", "ada-park", "status=leaving", "leaving_on="])
        .assert()
        .failure()
        .stderr(predicate::str::contains("leaving_on"));
    f.run().args(["system", "set", "nas", "technical_owners=oliver-grant,ada-park", "patching.owner=ada-park"]).assert().success();
    let show = json(f.run().args(["person", "show", "ada-park", "--format", "json"]));
    assert_eq!(show["record"]["status"], "leaving");
    let refs: Vec<_> = show["referenced_by"].as_array().unwrap().iter().map(|r| r["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(refs, vec!["technical_owners[1]", "patching.owner"]);
    f.run()
        .args(["person", "rm", "ada-park"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[record_in_use]").and(predicate::str::contains("system \"nas\"")));
    f.run().args(["account", "add", "system=nas", "name=ada", "person=ada-park"]).assert().success().stdout("+ account nas/ada\n");
    f.run().args(["grant", "add", "account=nas/ada", "privilege=users", "level=write"]).assert().success();
    f.run().args(["account", "rm", "nas/ada"]).assert().success().stdout("- grant nas/ada/users\n- account nas/ada\n");
    f.run().args(["person", "show", "nobody"]).assert().failure().stderr(predicate::str::contains("error[record_not_found]"));
    let log = stdout(f.run().args(["log", "--kind", "person", "--key", "ada-park"]));
    assert_eq!(log.lines().filter(|l| l.contains("person ada-park")).count(), 2, "{log}");
    assert!(log.contains("tester"), "{log}");
}

#[test]
fn log_verify_detects_a_tampered_row() {
    let f = Fixture::with_example();
    let out = stdout(f.run().args(["log", "verify"]));
    assert!(out.contains("verifies: 21 events"), "{out}");
    assert!(raw_sql(&f.db(), "UPDATE events SET actor = 'mallory' WHERE seq = 7").is_err(), "append-only trigger");
    let drop_trigger =
        if postgres_admin_url().is_some() { "DROP TRIGGER events_no_change ON events" } else { "DROP TRIGGER events_no_update" };
    raw_sql(&f.db(), &format!("{drop_trigger}; UPDATE events SET actor = 'mallory', after = NULL WHERE seq = 7;")).unwrap();
    f.run()
        .args(["log", "verify"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[log_chain_broken]").and(predicate::str::contains("broken at event 7")));
    let json: serde_json::Value =
        serde_json::from_str(&String::from_utf8(f.run().args(["log", "verify", "--format", "json"]).output().unwrap().stdout).unwrap())
            .unwrap();
    assert_eq!(json["first_broken"]["seq"], 7);
    assert_eq!(json["verified"], 6);
}

#[test]
fn commands_on_a_missing_database_say_what_to_do() {
    let f = Fixture::new();
    f.run().args(["person", "list"]).assert().failure().stderr(predicate::str::contains("run `handover init`"));
    assert!(!database_exists(&f.db()), "reading must not create a database");
}

#[test]
fn help_teaches_the_fields() {
    let f = Fixture::new();
    f.run()
        .args(["system", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("maintenance_contract").and(predicate::str::contains("1 critical")));
    f.run().arg("--help").assert().success().stdout(predicate::str::contains("handover demo"));
}

/// A file big enough that applying it takes a while: `n` people, each with an account and
/// a grant on one system, on top of the example organisation.
fn large_org(n: usize) -> String {
    let mut text = EXAMPLE
        .replace("people:\n", "people:\n__PEOPLE__")
        .replace("accounts:                      # an identity in a system; its key is SYSTEM/NAME\n", "accounts:\n__ACCOUNTS__");
    let mut people = String::new();
    let mut accounts = String::new();
    for i in 0..n {
        people.push_str(&format!("  - key: p{i}\n    name: Person {i}\n    email: p{i}@quillstone.example\n"));
        accounts.push_str(&format!("  - system: m365\n    name: p{i}@quillstone.example\n    person: p{i}\n    grants:\n      - privilege: Member\n        level: write\n"));
    }
    text = text.replace("__PEOPLE__", &people).replace("__ACCOUNTS__", &accounts);
    text
}

/// Starts the real binary on the fixture's database and returns once it has printed a line
/// containing `marker` on standard error (the child keeps running).
fn spawn_until(f: &Fixture, args: &[&str], marker: &str) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("handover"))
        .env("HANDOVER_DB", f.db())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains(marker) {
        line.clear();
    }
    assert!(line.contains(marker), "the child ended without printing {marker:?}");
    (child, line)
}

#[test]
fn killing_apply_midway_leaves_the_database_as_it_was() {
    let f = Fixture::with_example();
    let before = f.export();
    let path = f.file("large.yaml", &large_org(40_000));
    // The binary prints this line just before it starts writing its one transaction.
    let (mut child, line) = spawn_until(&f, &["apply", "-f", path.to_str().unwrap()], "applying");
    assert!(line.contains("applying 120000 changes"), "unexpected: {line}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "apply finished before it could be killed; make the file larger");

    if postgres_admin_url().is_none() {
        let conn = rusqlite::Connection::open(f.db()).unwrap();
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok");
    }
    assert_eq!(f.export(), before, "a killed apply must leave the previous content");
    stdout(f.run().args(["log", "verify"]));
    // And the same file applies completely when left alone.
    f.run().args(["apply", "-f"]).arg(&path).assert().success();
    let stats = json(f.run().args(["stats", "--format", "json"]));
    assert_eq!(stats["people"], 40_004);
}

#[test]
fn audit_of_the_demo_puts_the_cto_first_with_reasons() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let md = stdout(f.run().args(["audit", "--format", "markdown"]));
    let depends = md.split("## Who the organisation depends on").nth(1).unwrap();
    let first = depends.lines().find(|l| l.starts_with("- **")).unwrap();
    assert!(first.starts_with("- **Dana Whitfield**") && first.contains("10 systems with no admin"), "{first}");
    let findings = json(f.run().args(["audit", "--format", "json"]));
    let findings = findings.as_array().unwrap();
    let has = |rule: &str, subject: &str| findings.iter().any(|x| x["rule"] == rule && x["subject"] == subject);
    assert!(has("HO-KEY-001", "system:entra-id"));
    assert!(has("HO-ACCESS-001", "person:kevin-doyle"));
    assert!(has("HO-VENDOR-001", "contract:brightpath-msa-2025"));
    assert!(has("HO-SHADOW-001", "system:erp-edi-bridge"));
    assert!(has("HO-GOV-001", "policy:dr-plan"));
    for f in findings {
        assert!(!f["controls"].as_array().unwrap().is_empty(), "every finding maps to controls: {f}");
        assert!(!f["evidence"].as_array().unwrap().is_empty(), "every finding has evidence: {f}");
    }
    // Filters.
    let high = json(f.run().args(["audit", "--severity", "high", "--rule", "HO-KEY-001", "--format", "json"]));
    assert!(high.as_array().unwrap().iter().all(|x| x["rule"] == "HO-KEY-001" && (x["severity"] == "high" || x["severity"] == "critical")));
    f.run().args(["audit", "--rule", "HO-NOPE-1"]).assert().failure().stderr(predicate::str::contains("error[invalid_field]"));
}

#[test]
fn an_accepted_risk_shows_as_accepted_until_it_expires() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    f.run()
        .args([
            "acceptance",
            "add",
            "edi-admin",
            "rule=HO-KEY-001",
            "subject=system:erp-edi-bridge",
            "reason=Replaced by the ERP upgrade",
            "accepted_by=tom-askew",
            "expires=2027-03-31",
        ])
        .assert()
        .success();
    let accepted = |today: &str| -> bool {
        let out = stdout(f.run().env("HANDOVER_TODAY", today).args(["audit", "--rule", "HO-KEY-001", "--format", "json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v.as_array().unwrap().iter().find(|x| x["subject"] == "system:erp-edi-bridge").unwrap()["accepted"].is_object()
    };
    assert!(accepted("2026-11-26"));
    assert!(!accepted("2027-04-01"), "an expired acceptance no longer covers the finding");
}

#[test]
fn config_file_thresholds_apply_and_bad_config_is_located() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let count = |args: &[&str]| -> usize {
        let v = json(f.run().args(args));
        v.as_array().unwrap().len()
    };
    let default = count(&["audit", "--rule", "HO-ACCESS-003", "--format", "json"]);
    let cfg = f.file("handover.toml", "[thresholds]\ndormant_days = 400\n");
    let strict = count(&["--config", cfg.to_str().unwrap(), "audit", "--rule", "HO-ACCESS-003", "--format", "json"]);
    assert!(strict < default, "{strict} < {default}");
    let bad = f.file("bad.toml", "[thresholds]\ndormant_dayz = 4\n");
    f.run()
        .arg("--config")
        .arg(&bad)
        .arg("audit")
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.toml:2:1").and(predicate::str::contains("dormant_dayz")));
}

#[test]
fn whatif_and_risk_answer_for_the_demo() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let w = json(f.run().args(["whatif", "dana-whitfield", "--format", "json"]));
    let without_admin: Vec<&str> = w["systems_without_admin"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(without_admin.contains(&"entra-id") && without_admin.contains(&"aws-prod"), "{without_admin:?}");
    assert!(w["projects_without_lead"].as_array().unwrap().contains(&"erp-upgrade".into()));
    let both = json(f.run().args(["whatif", "dana-whitfield", "raj-patel", "--format", "json"]));
    assert!(both["systems_without_admin"].as_array().unwrap().len() > without_admin.len());
    let all = json(f.run().args(["whatif", "--all", "--format", "json"]));
    assert_eq!(all[0]["person"], "dana-whitfield");
    let risk = json(f.run().args(["risk", "--format", "json"]));
    assert_eq!(risk["bus_factor"], 1);
    assert!(risk["truck_factor_people"].as_array().unwrap().contains(&"dana-whitfield".into()));
    f.run().args(["whatif", "nobody"]).assert().failure().stderr(predicate::str::contains("error[record_not_found]"));
}

#[test]
fn generate_and_bench_work_on_a_small_synthetic_organisation() {
    let f = Fixture::new();
    f.run().args(["generate", "--people", "120", "--seed", "3"]).assert().success().stdout(predicate::str::contains("for 120 people"));
    let stats = json(f.run().args(["stats", "--format", "json"]));
    assert_eq!(stats["people"], 120);
    assert!(stats["grants"].as_u64().unwrap() > 120 * 30);
    f.run().args(["generate", "--people", "10"]).assert().failure().stderr(predicate::str::contains("error[conflict]"));
    let findings = json(f.run().args(["audit", "--format", "json"]));
    assert!(findings.as_array().unwrap().iter().any(|f| f["rule"] == "HO-ACCESS-001"), "leavers with access are generated and found");
    stdout(f.run().arg("log").arg("verify"));

    let report = json(f.run().args(["bench", "--people", "60", "--format", "json"]));
    let whats: Vec<&str> = report["figures"].as_array().unwrap().iter().map(|x| x["what"].as_str().unwrap()).collect();
    for what in [
        "generate + store (one transaction)",
        "load snapshot (read + parse + index)",
        "full audit incl. load",
        "one whatif (mean of 20)",
        "whatif --all",
    ] {
        assert!(whats.contains(&what), "{what} missing from {whats:?}");
    }
    assert_eq!(report["people"], 60);
    assert!(report["findings"].as_u64().unwrap() > 0);
}

#[test]
fn a_hostile_plan_is_run_and_verified_end_to_end() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let key = "sanjay-mehta-2027-01-15";
    f.run()
        .args(["plan", "create", "sanjay-mehta", "--mode", "hostile", "--leaving-at", "2027-01-15T08:00", "--owner", "tom-askew"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Created plan {key}")));
    f.run()
        .args(["plan", "create", "sanjay-mehta", "--leaving-at", "2027-01-15T08:00", "--owner", "sanjay-mehta"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot run their own plan"));
    let plan = json(f.run().args(["plan", "show", key, "--format", "json"]));
    let tasks = plan["tasks"].as_array().unwrap();
    let revokes: Vec<&serde_json::Value> = tasks.iter().filter(|t| t["kind"] == "revoke").collect();
    assert_eq!(revokes.len(), 7, "one per active account of Sanjay");
    assert!(revokes[0]["targets"][0].as_str().unwrap().starts_with("account:entra-id/"), "identity provider first: {}", revokes[0]);
    assert!(tasks.iter().all(|t| t["assignee"] != "sanjay-mehta"));
    let md = stdout(f.run().args(["plan", "show", key, "--format", "markdown"]));
    for heading in [
        "## 1. Knowledge transfer",
        "## 2. Transfers",
        "## 3. Revoke access",
        "## 4. Rotate secrets",
        "## 5. Communicate",
        "## 6. Verify",
        "Confidential",
    ] {
        assert!(md.contains(heading), "{heading} missing");
    }
    let ics = stdout(f.run().args(["plan", "show", key, "--format", "ics"]));
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.matches("BEGIN:VEVENT").count() == tasks.len());
    // Messages drafted per audience: the leaver after the lock-out, the team with who takes
    // over what, vendors with their new contact; in the printable page too.
    let message = |id: &str| tasks.iter().find(|t| t["id"] == id).and_then(|t| t["message"].as_str()).unwrap_or_default().to_string();
    assert!(message("communicate/person").contains("your access to company systems was closed on"));
    let team = message("communicate/team");
    assert!(team.starts_with("Subject: Sanjay Mehta is leaving") && team.contains("- ERP administrator (role): Dana Whitfield"), "{team}");
    let html = stdout(f.run().args(["plan", "show", key, "--format", "html"]));
    assert!(html.starts_with("<!doctype html>") && html.contains("Confidential") && html.contains("<pre>Subject: Sanjay Mehta is leaving"));
    assert_eq!(html.matches("<li class=").count(), tasks.len());

    // Not verified while access remains.
    f.run().args(["plan", "verify", key]).assert().failure().stdout(predicate::str::contains("still active: account entra-id/"));
    // The leaver cannot tick their own tasks; someone else can, with evidence.
    f.run().env("HANDOVER_ACTOR", "sanjay-mehta").args(["plan", "task", "done", key, "1", "--evidence", "x"]).assert().failure();
    f.run().args(["plan", "task", "done", key, "1", "--evidence", "screenshot 08:00"]).assert().success();
    f.run().args(["plan", "task", "skip", key, "2", "--reason", "not needed"]).assert().success();
    f.run()
        .args(["plan", "task", "done", key, "1", "--evidence", "again"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already done"));
    // Regenerating keeps what is closed.
    f.run()
        .args(["plan", "create", "sanjay-mehta", "--mode", "hostile", "--leaving-at", "2027-01-15T08:00", "--owner", "tom-askew"])
        .assert()
        .success();
    let status = json(f.run().args(["plan", "status", key, "--format", "json"]));
    let closed: u64 = status["phases"].as_array().unwrap().iter().map(|p| p["closed"].as_u64().unwrap()).sum();
    assert_eq!(closed, 2);

    // Lock out: disable every account, rotate every secret; then it verifies.
    for t in &revokes {
        let account = t["targets"][0].as_str().unwrap().trim_start_matches("account:");
        f.run().args(["account", "set", account, "status=disabled"]).assert().success();
    }
    for t in tasks.iter().filter(|t| t["kind"] == "rotate" && t["id"].as_str().unwrap().starts_with("rotate/")) {
        let credential = t["targets"][0].as_str().unwrap().trim_start_matches("credential:");
        f.run().args(["credential", "set", credential, "last_rotated=2026-11-26"]).assert().success();
    }
    f.run().args(["plan", "verify", key]).assert().success().stdout(predicate::str::contains("Verified"));
    // Every change to the plan is in the tamper-evident log: created, one task done, one
    // skipped (regenerating with nothing new changed nothing, so it logged nothing).
    let log = stdout(f.run().args(["log", "--kind", "plan", "--key", key]));
    assert_eq!(log.lines().filter(|l| l.contains(key)).count(), 3, "{log}");
    stdout(f.run().args(["log", "verify"]));
}

const LDIF: &str = include_str!("../../handover-import/tests/fixtures/ldif/quillstone.ldif");

#[test]
fn ldif_import_feeds_audit_and_plan_verification() {
    let f = Fixture::new();
    f.run().arg("init").assert().success();
    f.run().args(["system", "add", "dir", "name=Directory", "tier=1"]).assert().success();
    f.run().args(["person", "add", "oliver-grant", "name=Oliver Grant", "email=oliver@quillstone.example"]).assert().success();
    f.run().args(["person", "add", "mei-lin", "name=Mei Lin", "aliases=mei"]).assert().success();
    let path = f.file("dir.ldif", LDIF);
    f.run()
        .args(["import", "ldif"])
        .arg(&path)
        .args(["--system", "nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[record_not_found]"));
    let summary = json(f.run().args(["import", "ldif"]).arg(&path).args(["--system", "dir", "--format", "json"]));
    let keys: Vec<&str> = summary.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["system", "accounts", "groups", "grants", "people_linked", "unlinked", "warnings", "changes"]);
    assert_eq!((summary["accounts"].as_u64(), summary["groups"].as_u64(), summary["people_linked"].as_u64()), (Some(6), Some(3), Some(2)));
    let events = |f: &Fixture| {
        serde_json::from_str::<serde_json::Value>(&stdout(f.run().args(["log", "--format", "json"]))).unwrap().as_array().unwrap().len()
    };
    let before = events(&f);
    let again = json(f.run().args(["import", "ldif"]).arg(&path).args(["--system", "dir", "--format", "json"]));
    assert_eq!(again["changes"], serde_json::json!({"added": 0, "changed": 0, "removed": 0}));
    assert_eq!(events(&f), before, "re-importing the same file appends no event");

    // Oliver is admin through IT ⊂ Domain Admins: the audit sees inherited admin.
    let findings = json(f.run().args(["audit", "--rule", "HO-KEY-001", "--format", "json"]));
    assert!(findings[0]["evidence"][0].as_str().unwrap().contains("through dir/cn=Domain Admins"), "{findings}");

    // Mei leaves: the plan is verified only once a re-import shows her account locked.
    f.run().args(["person", "set", "mei-lin", "status=leaving", "leaving_on=2026-12-31"]).assert().success();
    f.run().args(["plan", "create", "mei-lin", "--leaving-at", "2026-12-31T17:00", "--owner", "oliver-grant"]).assert().success();
    f.run()
        .args(["plan", "verify", "mei-lin-2026-12-31"])
        .assert()
        .failure()
        .stdout(predicate::str::contains("still active: account dir/mei"));
    let locked = LDIF.replace("uid: mei\ncn: Mei Lin\n", "uid: mei\ncn: Mei Lin\npwdAccountLockedTime: 20261231170500Z\n");
    let changed = f.file("dir-after.ldif", &locked);
    let summary: serde_json::Value = json(f.run().args(["import", "ldif"]).arg(&changed).args(["--system", "dir", "--format", "json"]));
    assert_eq!(summary["changes"]["changed"], 1);
    f.run().args(["plan", "verify", "mei-lin-2026-12-31"]).assert().success();

    // A broken file is refused with file and line, and changes nothing.
    let exported = f.export();
    let bad = f.file("bad.ldif", &LDIF.replace("cn: IT\n", "cn:< file:///etc/passwd\n"));
    f.run()
        .args(["import", "ldif"])
        .arg(&bad)
        .args(["--system", "dir"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.ldif:").and(predicate::str::contains("attribute `cn`")));
    assert_eq!(f.export(), exported);
}

#[test]
fn bench_ldif_imports_a_generated_directory() {
    let f = Fixture::new();
    f.run()
        .args(["bench-ldif", "--users", "200", "--groups", "20", "--per-user", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("200 users, 20 groups, 600 memberships"));
}

#[test]
fn accounts_by_situation_and_link() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let orphaned = json(f.run().args(["accounts", "--situation", "orphaned", "--format", "json"]));
    let people: std::collections::BTreeSet<&str> = orphaned.as_array().unwrap().iter().map(|a| a["person"].as_str().unwrap()).collect();
    assert_eq!(people.into_iter().collect::<Vec<_>>(), ["kevin-doyle", "laura-pike", "martin-greaves"]);
    let unlinked = |f: &Fixture| -> Vec<String> {
        let v = json(f.run().args(["accounts", "--situation", "unlinked", "--format", "json"]));
        v.as_array().unwrap().iter().map(|a| a["account"].as_str().unwrap().to_string()).collect()
    };
    assert!(unlinked(&f).contains(&"erp-edi-bridge/owen".to_string()));
    f.run()
        .args(["link", "erp-edi-bridge/owen", "gareth-lloyd"])
        .assert()
        .success()
        .stdout(predicate::str::contains("person: (none) → \"gareth-lloyd\""));
    assert!(!unlinked(&f).contains(&"erp-edi-bridge/owen".to_string()));
    f.run()
        .args(["link", "erp-edi-bridge/nobody", "gareth-lloyd"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[record_not_found]"));
}

/// The live-LDAP settings `scripts/test` exports after starting slapd, or `None` (and a
/// printed reason) when run without it outside CI.
fn live_ldap() -> Option<[String; 4]> {
    let vars = ["HANDOVER_TEST_LDAP_URL", "HANDOVER_TEST_LDAP_BIND_DN", "HANDOVER_TEST_LDAP_PASSWORD_FILE", "HANDOVER_TEST_LDAP_BASE"];
    match vars.map(std::env::var).into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(v) => Some([v[0].clone(), v[1].clone(), v[2].clone(), v[3].clone()]),
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "CI=true but no slapd: scripts/test starts one and exports HANDOVER_TEST_LDAP_*");
            eprintln!("skipping: no live LDAP server (run ./scripts/test, which starts slapd)");
            None
        }
    }
}

#[test]
fn live_ldap_import_from_a_real_slapd() {
    let Some([url, bind_dn, password_file, base]) = live_ldap() else { return };
    let f = Fixture::new();
    f.run().arg("init").assert().success();
    f.run().args(["system", "add", "dir", "name=Directory", "tier=1"]).assert().success();
    f.run().args(["person", "add", "oliver-grant", "name=Oliver Grant", "email=oliver@quillstone.example"]).assert().success();
    let args = [
        "import",
        "ldap",
        "--url",
        &url,
        "--bind-dn",
        &bind_dn,
        "--password-file",
        &password_file,
        "--base",
        &base,
        "--system",
        "dir",
        "--format",
        "json",
    ];
    let summary = json(f.run().args(args));
    assert_eq!(
        (summary["accounts"].as_u64(), summary["groups"].as_u64(), summary["people_linked"].as_u64()),
        (Some(3), Some(3), Some(1)),
        "{summary}"
    );
    // Nested membership through the live server's DNs; expired shadow account disabled.
    let oliver = json(f.run().args(["account", "show", "dir/oliver", "--format", "json"]));
    assert_eq!(oliver["record"]["member_of"], serde_json::json!(["dir/cn=IT", "dir/cn=staff"]));
    let temp = json(f.run().args(["account", "show", "dir/temp1", "--format", "json"]));
    assert_eq!(temp["record"]["status"], "disabled");
    let again = json(f.run().args(args));
    assert_eq!(again["changes"], serde_json::json!({"added": 0, "changed": 0, "removed": 0}));
    // Wrong credentials: a clear error and nothing changed.
    let before = f.export();
    let wrong = f.file("wrong-password", "not-the-password\n");
    let mut bad = args.map(str::to_string);
    bad[7] = wrong.display().to_string();
    f.run()
        .args(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("error[source_error]").and(predicate::str::contains("invalidCredentials")));
    assert_eq!(f.export(), before);
}

#[test]
fn scim_import_links_people_and_nests_groups() {
    let f = Fixture::new();
    f.run().arg("init").assert().success();
    f.run().args(["system", "add", "idp", "name=Identity provider", "tier=1"]).assert().success();
    f.run().args(["person", "add", "ann", "name=Ann Example", "email=ann@example.com"]).assert().success();
    let scim = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 4, "Resources": [
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "ann.e", "emails": [{"value": "home@example.org"}, {"value": "ann@example.com", "primary": true}]},
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u2", "userName": "bob", "active": false},
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1", "displayName": "Helpdesk", "members": [{"value": "u1", "type": "User"}]},
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g2", "displayName": "Administrators", "members": [{"value": "g1", "type": "Group"}]}
    ]}"#;
    let path = f.file("users.json", scim);
    let summary = json(f.run().args(["import", "scim"]).arg(&path).args(["--system", "idp", "--format", "json"]));
    assert_eq!(
        (summary["accounts"].as_u64(), summary["groups"].as_u64(), summary["people_linked"].as_u64()),
        (Some(2), Some(2), Some(1)),
        "{summary}"
    );
    let admins = json(f.run().args(["audit", "--rule", "HO-KEY-001", "--format", "json"]));
    assert!(admins[0]["evidence"][0].as_str().unwrap().contains("through idp/group:Administrators"), "{admins}");
    let bob = json(f.run().args(["account", "show", "idp/bob", "--format", "json"]));
    assert_eq!(bob["record"]["status"], "disabled");
    let bad = f.file("bad.json", "{\"Resources\": [ {\"userName\": \"x\"}, ");
    f.run()
        .args(["import", "scim"])
        .arg(&bad)
        .args(["--system", "idp"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.json:1:").and(predicate::str::contains("error[invalid_syntax]")));
}

fn running_as_root() -> bool {
    std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// A real root directory: the machine's account files copied, then users and keys added
/// with the real `useradd` (root only; CI runs as root).
#[test]
fn linux_import_from_a_root_dir_made_with_useradd() {
    if !running_as_root() || std::process::Command::new("useradd").arg("--help").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root with useradd available");
        eprintln!("skipping: needs root and useradd");
        return;
    }
    let f = Fixture::new();
    let root = f.dir.path().join("rootfs");
    std::fs::create_dir_all(root.join("etc/sudoers.d")).unwrap();
    for file in ["passwd", "group", "shadow", "gshadow"] {
        let _ = std::fs::copy(Path::new("/etc").join(file), root.join("etc").join(file));
    }
    let useradd = |args: &[&str]| {
        let out = std::process::Command::new("useradd").arg("--prefix").arg(&root).args(args).output().unwrap();
        assert!(out.status.success(), "useradd {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    useradd(&["-m", "-s", "/bin/bash", "-G", "sudo", "-c", "Alice Admin", "alice"]);
    useradd(&["-m", "-s", "/bin/bash", "bob"]);
    std::fs::write(root.join("etc/sudoers.d/deploy"), "bob ALL=(root) NOPASSWD: /usr/bin/systemctl restart app\n").unwrap();
    std::fs::create_dir_all(root.join("home/alice/.ssh")).unwrap();
    std::fs::write(
        root.join("home/alice/.ssh/authorized_keys"),
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop\n",
    )
    .unwrap();

    f.run().arg("init").assert().success();
    f.run().args(["system", "add", "web1", "name=Web server", "tier=2"]).assert().success();
    f.run().args(["person", "add", "alice", "name=Alice Admin"]).assert().success();
    let summary = json(f.run().args(["import", "linux", "--root"]).arg(&root).args(["--system", "web1", "--format", "json"]));
    assert_eq!(summary["people_linked"], 1, "{summary}");
    let alice = json(f.run().args(["account", "show", "web1/alice", "--format", "json"]));
    assert!(alice["record"]["member_of"].as_array().unwrap().contains(&"web1/group:sudo".into()));
    let grants = json(f.run().args(["grant", "list", "--format", "json"]));
    let has = |account: &str, prefix: &str, level: &str| {
        grants
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["account"] == account && g["privilege"].as_str().unwrap().starts_with(prefix) && g["level"] == level)
    };
    assert!(has("web1/group:sudo", "member of sudo", "admin"));
    assert!(has("web1/bob", "sudo: /usr/bin/systemctl restart app (NOPASSWD)", "write"));
    assert!(has("web1/alice", "ssh key SHA256:", "read"));
    // Nothing of the password hashes reaches the store.
    let export = f.export();
    assert!(!export.contains("$6$") && !export.contains("$y$"), "a hash leaked into the store");
    // Re-import: no change.
    let again = json(f.run().args(["import", "linux", "--root"]).arg(&root).args(["--system", "web1", "--format", "json"]));
    assert_eq!(again["changes"], serde_json::json!({"added": 0, "changed": 0, "removed": 0}));
}

/// A real OpenSSH server on a loopback port, started by the test as root with its own host
/// key, client key and known-hosts file (host keys are checked, never waved through).
struct Sshd {
    child: std::process::Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Sshd {
    /// `None` (loudly; never in CI) without root, sshd or ssh-keygen.
    fn start() -> Option<Sshd> {
        if !running_as_root()
            || !Path::new("/usr/sbin/sshd").exists()
            || std::process::Command::new("ssh-keygen").arg("-?").output().is_err()
        {
            assert!(std::env::var_os("CI").is_none(), "CI runs as root and scripts/test installs openssh-server");
            eprintln!("skipping: needs root, /usr/sbin/sshd and ssh-keygen");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        for key in ["host_key", "client_key"] {
            let out =
                std::process::Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(path(key)).output().unwrap();
            assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::fs::copy(path("client_key.pub"), path("authorized_keys")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let host_key = std::fs::read_to_string(path("host_key.pub")).unwrap();
        std::fs::write(path("known_hosts"), format!("[127.0.0.1]:{port} {host_key}")).unwrap();
        std::fs::write(
            path("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\nStrictModes no\n\
                 UsePAM no\nPidFile {}\n",
                path("host_key").display(),
                path("authorized_keys").display(),
                path("sshd.pid").display()
            ),
        )
        .unwrap();
        // The privilege-separation directory Debian's service would create.
        std::fs::create_dir_all("/run/sshd").unwrap();
        let child = std::process::Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(path("sshd_config"))
            .stderr(std::fs::File::create(path("sshd.log")).unwrap())
            .spawn()
            .unwrap();
        let sshd = Sshd { child, dir, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(sshd);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("sshd did not listen: {}", std::fs::read_to_string(sshd.dir.path().join("sshd.log")).unwrap_or_default());
    }

    /// The `--ssh-option`s that reach this server with the test's key, checking its host key.
    fn options(&self) -> Vec<String> {
        let path = |name: &str| self.dir.path().join(name).display().to_string();
        [
            format!("Port={}", self.port),
            format!("IdentityFile={}", path("client_key")),
            "IdentitiesOnly=yes".to_string(),
            format!("UserKnownHostsFile={}", path("known_hosts")),
            "StrictHostKeyChecking=yes".to_string(),
        ]
        .into_iter()
        .flat_map(|o| ["--ssh-option".to_string(), o])
        .collect()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Over SSH, the machine's own accounts: the same import as from `--root /`, and a host
/// whose key does not match is refused with nothing imported.
#[test]
fn linux_import_over_ssh_matches_the_root_dir() {
    let Some(sshd) = Sshd::start() else { return };
    let setup = |f: &Fixture| {
        f.run().arg("init").assert().success();
        f.run().args(["system", "add", "host", "name=This machine", "tier=2"]).assert().success();
    };
    let (over_ssh, from_root) = (Fixture::new(), Fixture::new());
    setup(&over_ssh);
    setup(&from_root);
    let summary = json(
        over_ssh
            .run()
            .args(["import", "linux", "--ssh", "root@127.0.0.1"])
            .args(sshd.options())
            .args(["--system", "host", "--format", "json"]),
    );
    assert!(summary["changes"]["added"].as_u64().unwrap() > 0, "{summary}");
    json(from_root.run().args(["import", "linux", "--root", "/", "--system", "host", "--format", "json"]));
    let accounts = |f: &Fixture| json(f.run().args(["account", "list", "--format", "json"]));
    let grants = |f: &Fixture| json(f.run().args(["grant", "list", "--format", "json"]));
    assert_eq!(accounts(&over_ssh), accounts(&from_root));
    assert_eq!(grants(&over_ssh), grants(&from_root));
    let root = json(over_ssh.run().args(["account", "show", "host/root", "--format", "json"]));
    assert_eq!(root["record"]["kind"], "shared", "{root}");

    // A host key that is not the one known: refused, and nothing written.
    let stranger = Fixture::new();
    setup(&stranger);
    std::fs::write(
        sshd.dir.path().join("known_hosts"),
        format!("[127.0.0.1]:{} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n", sshd.port),
    )
    .unwrap();
    stranger
        .run()
        .args(["import", "linux", "--ssh", "root@127.0.0.1"])
        .args(sshd.options())
        .args(["--system", "host"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("cannot read the accounts of root@127.0.0.1")
                .and(predicate::str::contains("ssh root@127.0.0.1 failed")),
        );
    assert_eq!(accounts(&stranger), serde_json::json!([]));
}

#[test]
fn due_lists_what_needs_someone_overdue_first() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let items = json(f.run().args(["due", "--within", "30d", "--format", "json"]));
    let items = items.as_array().unwrap();
    let find = |what: &str, subject: &str| items.iter().find(|d| d["what"] == what && d["subject"] == subject);
    let notice = find("contract notice", "contract:brightpath-msa-2025").expect("the BrightPath notice deadline");
    assert_eq!((notice["due"].as_str(), notice["overdue"].as_bool()), (Some("2026-10-16"), Some(true)));
    assert!(find("contract end", "contract:brightpath-msa-2025").is_some());
    assert!(find("credential expiry", "credential:portal-tls-cert").is_some());
    assert!(find("policy review", "policy:dr-plan").unwrap()["overdue"].as_bool().unwrap());
    let dates: Vec<&str> = items.iter().map(|d| d["due"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "sorted by date");
    assert!(dates.iter().all(|d| *d <= "2026-12-26"), "nothing beyond the horizon");
}

/// Runs `git` in `dir` as `who` (name, e-mail) at `time`.
fn git_as(dir: &Path, who: (&str, &str), time: u64, args: &[&str]) {
    let date = format!("{time} +0000");
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn git_scan_feeds_audit_whatif_and_the_departure_plan() {
    let f = Fixture::new();
    f.run().arg("init").assert().success();
    let org = f.file(
        "org.yaml",
        "version: 1\npeople:\n  - { key: ana, name: Ana Ortiz, email: ana@example.com, status: leaving, leaving_on: 2026-12-18 }\n  \
         - { key: ben, name: Ben Okafor, aliases: [bokafor@home.example] }\n  - { key: cy, name: Cy Cedar }\n\
         systems:\n  - { key: erp, name: ERP, tier: 1, technical_owners: [cy] }\n",
    );
    f.run().args(["apply", "-f"]).arg(&org).assert().success();

    // Ana writes most of the integration; Ben (under a private address) a little.
    let repo = f.dir.path().join("erp-sync");
    std::fs::create_dir(&repo).unwrap();
    git_as(&repo, ("x", "x@example.com"), 1, &["init", "-q", "-b", "main"]);
    let mut t = 1_700_000_000;
    for (who, file) in [(("Ana Ortiz", "ana@example.com"), "sync.py"), (("Ana Ortiz", "ana@example.com"), "mapping.py")]
        .into_iter()
        .chain([(("Ana Ortiz", "ana@example.com"), "retry.py"), (("Ben O", "bokafor@home.example"), "cli.py")])
    {
        std::fs::write(repo.join(file), format!("def {}():\n    return '{file}'\n", file.trim_end_matches(".py"))).unwrap();
        git_as(&repo, who, t, &["add", file]);
        git_as(&repo, who, t, &["commit", "-q", "-m", file]);
        t += 60;
    }

    let tf = json(f.run().args(["git", "truck-factor", "--format", "json"]).arg(&repo));
    let r = &tf[0];
    for field in ["path", "head", "commits", "files", "truck_factor", "tf_authors", "top_authors"] {
        assert!(r.get(field).is_some(), "{field} missing: {r}");
    }
    assert_eq!((r["commits"].as_u64(), r["files"].as_u64(), r["truck_factor"].as_u64()), (Some(4), Some(4), Some(1)));
    assert_eq!(r["tf_authors"][0], "Ana Ortiz");

    let scanned = json(f.run().args(["git", "scan", "--system", "erp", "--format", "json"]).arg(&repo));
    assert_eq!(scanned[0]["repository"], "erp-sync");
    assert_eq!(scanned[0]["unmapped"].as_array().unwrap().len(), 0, "Ben is matched through his alias: {}", scanned[0]);
    let record = json(f.run().args(["repository", "show", "erp-sync", "--format", "json"]));
    let authors = record["record"]["scan"]["authors"].as_array().unwrap_or_else(|| panic!("{record}"));
    let people: Vec<&str> = authors.iter().map(|a| a["person"].as_str().unwrap()).collect();
    assert_eq!(people, vec!["ana", "ben"]);

    // Ana is leaving: most of the code would have no author.
    let audit = json(f.run().args(["audit", "--format", "json"]));
    let code = audit.as_array().unwrap().iter().find(|x| x["rule"] == "HO-CODE-001").unwrap_or_else(|| panic!("{audit}"));
    assert_eq!((code["subject"].as_str(), code["severity"].as_str()), (Some("repository:erp-sync"), Some("critical")));
    let impact = json(f.run().args(["whatif", "ana", "--format", "json"]));
    assert_eq!(impact["repos_without_author"], serde_json::json!(["erp-sync"]));
    // Code authors count as knowing the system: without the scan only Cy (technical owner) would.
    let risk = json(f.run().args(["risk", "--format", "json"]));
    let erp = risk["systems"].as_array().unwrap().iter().find(|s| s["system"] == "erp").unwrap_or_else(|| panic!("{risk}"));
    assert_eq!(erp["held_up_by"], serde_json::json!(["ana", "ben", "cy"]));

    f.run().args(["plan", "create", "ana", "--leaving-at", "2026-12-18T17:00"]).assert().success();
    let plan = json(f.run().args(["plan", "show", "ana-2026-12-18", "--format", "json"]));
    let walkthrough = plan["tasks"].as_array().unwrap().iter().find(|t| t["targets"][0] == "repository:erp-sync").unwrap();
    assert_eq!(walkthrough["assignee"], "ben", "the next author takes it over: {walkthrough}");

    // Scanning again records nothing new; a wrong system or mapping is refused.
    let again = stdout(f.run().args(["git", "scan", "--system", "erp"]).arg(&repo));
    assert!(!again.contains("~ repository") && !again.contains("+ repository"), "{again}");
    f.run().args(["git", "scan", "--system", "nope"]).arg(&repo).assert().failure().stderr(predicate::str::contains("no system"));
    f.run()
        .args(["git", "scan", "--system", "erp", "--map", "x@example.com=ghost"])
        .arg(&repo)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no person \"ghost\""));
    stdout(f.run().args(["log", "verify"]));
}

#[test]
fn escrow_seals_opens_with_a_quorum_and_rekeys_when_a_custodian_leaves() {
    use age::secrecy::ExposeSecret;
    let f = Fixture::new();
    f.run().arg("init").assert().success();
    let names = ["ann", "bo", "cy", "di", "ed"];
    let mut people = String::from("version: 1\npeople:\n");
    let mut identity_files = std::collections::HashMap::new();
    for name in names {
        let identity = age::x25519::Identity::generate();
        people.push_str(&format!("  - {{ key: {name}, name: {name}, escrow_key: {} }}\n", identity.to_public()));
        identity_files.insert(name, f.file(&format!("{name}.key"), identity.to_string().expose_secret()));
    }
    people.push_str("  - { key: zed, name: Zed Zero }\n");
    f.run().args(["apply", "-f"]).arg(f.file("org.yaml", &people)).assert().success();
    let id = |name: &str| format!("{name}={}", identity_files[name].display());

    const SECRET: &str = "hunter2-but-much-longer-and-unguessable";
    let secret_file = f.file("secret.txt", SECRET);
    // A custodian without a key is refused with what to do.
    f.run()
        .args(["escrow", "add", "root-pw", "--name", "Root password", "--custodians", "ann,zed", "--threshold", "2", "--secret-file"])
        .arg(&secret_file)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no escrow_key for zed"));
    f.run()
        .args([
            "escrow",
            "add",
            "root-pw",
            "--name",
            "Root password",
            "--custodians",
            "ann,bo,cy,di,ed",
            "--threshold",
            "3",
            "--secret-file",
        ])
        .arg(&secret_file)
        .assert()
        .success()
        .stdout(predicate::str::contains("any 3 of 5 can open it"));
    // Only ciphertexts anywhere: not in the export, not in the database file.
    assert!(!f.export().contains(SECRET));
    assert!(!stored_anywhere(&f.db(), SECRET), "the secret is stored in the database");

    // Two shares are not enough; three are.
    f.run()
        .args(["escrow", "open", "root-pw", "--reason", "drill", "--identity", &id("ann"), "--identity", &id("bo")])
        .assert()
        .failure()
        .stderr(predicate::str::contains("2 valid shares given; 3 are needed"));
    let opened = stdout(f.run().args(["escrow", "open", "root-pw", "--reason", "quarterly drill"]).args([
        "--identity",
        &id("ann"),
        "--identity",
        &id("bo"),
        "--identity",
        &id("cy"),
    ]));
    assert_eq!(opened, SECRET);
    let log = json(f.run().args(["log", "--kind", "escrow", "--key", "root-pw", "--format", "json"]));
    let last = log.as_array().unwrap().last().unwrap();
    let after: serde_json::Value = serde_json::from_str(last["after"].as_str().unwrap()).unwrap();
    assert_eq!(after["openings"][0]["custodians"], serde_json::json!(["ann", "bo", "cy"]), "the opening is logged with who took part");
    assert_eq!(after["openings"][0]["reason"], "quarterly drill");

    // A custodian decrypts their own share elsewhere and hands over the text.
    let di_share = f.dir.path().join("di.share");
    f.run()
        .args(["escrow", "share", "root-pw", "--custodian", "di", "--identity"])
        .arg(&identity_files["di"])
        .arg("-o")
        .arg(&di_share)
        .assert()
        .success();
    let opened = stdout(
        f.run()
            .args(["escrow", "open", "root-pw", "--reason", "outage", "--identity", &id("ann"), "--identity", &id("bo"), "--share"])
            .arg(&di_share),
    );
    assert_eq!(opened, SECRET);
    // A tampered share is named.
    let text = std::fs::read_to_string(&di_share).unwrap();
    let line = text.lines().find(|l| l.starts_with("share ")).unwrap().to_string();
    let flipped = if line.ends_with('A') { format!("{}B", &line[..line.len() - 1]) } else { format!("{}A", &line[..line.len() - 1]) };
    let tampered = f.file("di-tampered.share", &text.replace(&line, &flipped));
    f.run()
        .args(["escrow", "open", "root-pw", "--reason", "x", "--identity", &id("ann"), "--identity", &id("bo"), "--share"])
        .arg(&tampered)
        .assert()
        .failure()
        .stderr(predicate::str::contains("share of di does not match"));

    // Ed is leaving: audit flags it, whatif and the departure plan say rekey.
    f.run().args(["person", "set", "ed", "status=leaving", "leaving_on=2026-12-31"]).assert().success();
    let audit = json(f.run().args(["audit", "--format", "json"]));
    assert!(audit.as_array().unwrap().iter().any(|x| x["rule"] == "HO-ESCROW-001" && x["subject"] == "escrow:root-pw"), "{audit}");
    assert_eq!(json(f.run().args(["whatif", "ed", "--format", "json"]))["escrows_to_rekey"], serde_json::json!(["root-pw"]));
    f.run().args(["plan", "create", "ed", "--leaving-at", "2026-12-31T17:00"]).assert().success();
    let plan = json(f.run().args(["plan", "show", "ed-2026-12-31", "--format", "json"]));
    assert!(plan["tasks"].as_array().unwrap().iter().any(|t| t["id"] == "rekey-escrow/root-pw"), "{plan}");

    // Rekey among those staying: Di's old share no longer opens it, new shares do.
    f.run()
        .args(["escrow", "rekey", "root-pw", "--identity", &id("ann"), "--identity", &id("bo"), "--identity", &id("cy")])
        .assert()
        .success()
        .stdout(predicate::str::contains("generation 2"));
    f.run()
        .args(["escrow", "open", "root-pw", "--reason", "x", "--identity", &id("ann"), "--identity", &id("bo"), "--share"])
        .arg(&di_share)
        .assert()
        .failure()
        .stderr(predicate::str::contains("rekeyed"));
    let opened = stdout(f.run().args(["escrow", "open", "root-pw", "--reason", "after rekey"]).args([
        "--identity",
        &id("bo"),
        "--identity",
        &id("cy"),
        "--identity",
        &id("di"),
    ]));
    assert_eq!(opened, SECRET);
    let shown = json(f.run().args(["escrow", "show", "root-pw", "--format", "json"]));
    let custodians: Vec<&str> = shown["record"]["shares"].as_array().unwrap().iter().map(|s| s["custodian"].as_str().unwrap()).collect();
    assert_eq!(custodians, vec!["ann", "bo", "cy", "di"]);
    stdout(f.run().args(["log", "verify"]));
}

#[test]
fn a_killed_backup_leaves_no_backup_and_its_partial_file_is_refused() {
    let f = Fixture::new();
    f.run().args(["generate", "--people", "500"]).assert().success();
    let file = f.dir.path().join("store.hobak");
    // The binary prints this line just before it starts writing.
    let (mut child, _) = spawn_until(&f, &["backup", file.to_str().unwrap()], "backing up");
    let partial = f.dir.path().join("store.hobak.partial");
    while std::fs::metadata(&partial).map_or(0, |m| m.len()) < 64 * 1024 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success(), "the backup finished before it could be killed; make the store larger");
    assert!(!file.exists(), "a killed backup must not leave a file under the backup's name");

    // Restoring the partial file is refused, and leaves no database behind.
    let target = new_database(f.dir.path(), "restored.db");
    f.run()
        .env("HANDOVER_DB", &target)
        .arg("restore")
        .arg(&partial)
        .assert()
        .failure()
        .stderr(predicate::str::contains("nothing was restored"));
    assert!(
        !database_exists(&target)
            || stdout(f.run().env("HANDOVER_DB", &target).args(["stats", "--format", "json"])).contains("\"people\": 0")
    );
    f.run().args(["restore", "--check"]).arg(&partial).assert().failure();

    // A complete backup restores the same data and the same event chain.
    std::fs::remove_file(&partial).unwrap();
    f.run().arg("backup").arg(&file).assert().success().stdout(predicate::str::contains("Backed up"));
    f.run().arg("backup").arg(&file).assert().failure().stderr(predicate::str::contains("never replaces"));
    f.run().args(["restore", "--check"]).arg(&file).assert().success();
    let restored = stdout(f.run().env("HANDOVER_DB", &target).arg("restore").arg(&file));
    assert!(restored.contains("the event log verifies"), "{restored}");
    let original_head = json(f.run().args(["log", "verify", "--format", "json"]))["head"].clone();
    assert_eq!(json(f.run().env("HANDOVER_DB", &target).args(["log", "verify", "--format", "json"]))["head"], original_head);
    assert_eq!(stdout(f.run().env("HANDOVER_DB", &target).arg("export")), f.export());
    // Restore only into an empty database.
    f.run().arg("restore").arg(&file).assert().failure().stderr(predicate::str::contains("not empty"));
}

/// Runs `handover` with these arguments on the fixture's database as separate processes,
/// all at once, and returns their outputs.
fn run_together(f: &Fixture, runs: &[Vec<String>]) -> Vec<std::process::Output> {
    let children: Vec<std::process::Child> = runs
        .iter()
        .map(|args| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("handover"))
                .env("HANDOVER_DB", f.db())
                .env("HANDOVER_ACTOR", "tester")
                .args(args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
}

#[test]
fn concurrent_imports_of_different_systems_both_land_and_of_one_system_fail_cleanly() {
    let f = Fixture::new();
    f.run().arg("init").assert().success();
    for s in ["dir-a", "dir-b"] {
        f.run().args(["system", "add", s, &format!("name={s}"), "tier=2"]).assert().success();
    }
    let path = f.file("dir.ldif", LDIF).display().to_string();
    let import = |system: &str| vec!["import".to_string(), "ldif".into(), path.clone(), "--system".into(), system.into()];

    let outs = run_together(&f, &[import("dir-a"), import("dir-b")]);
    for o in &outs {
        assert!(o.status.success(), "both imports must land: {}", String::from_utf8_lossy(&o.stderr));
    }
    let stats = json(f.run().args(["stats", "--format", "json"]));
    assert_eq!(stats["accounts"], 18, "6 accounts and 3 groups from each import");

    // The same system twice at once, on a fresh system: one writes, the other either waits
    // and then finds nothing left to do, or is refused as a conflict; never half of each.
    f.run().args(["system", "add", "dir-c", "name=dir-c", "tier=2"]).assert().success();
    let outs = run_together(&f, &[import("dir-c"), import("dir-c")]);
    let ok = outs.iter().filter(|o| o.status.success()).count();
    assert!(ok >= 1, "at least one import lands");
    for o in outs.iter().filter(|o| !o.status.success()) {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("nothing was written"), "a refused import says it wrote nothing: {err}");
    }
    assert_eq!(json(f.run().args(["stats", "--format", "json"]))["accounts"], 27);
    stdout(f.run().args(["log", "verify"]));
}

#[test]
fn migrate_copies_a_store_and_its_event_chain_to_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db").display().to_string();
    handover(&source).arg("demo").assert().success();
    handover(&source).args(["person", "set", "dana-whitfield", "title=Head of IT"]).assert().success();
    // To PostgreSQL when a server is available (CI always has one), else to another file.
    let target = match std::env::var("HANDOVER_TEST_PG_URL") {
        Ok(admin) => create_pg_database(&admin),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("CI=true needs HANDOVER_TEST_PG_URL (scripts/test sets it)"),
        Err(_) => {
            eprintln!("no PostgreSQL server (HANDOVER_TEST_PG_URL): migrating SQLite to SQLite instead");
            dir.path().join("target.db").display().to_string()
        }
    };
    let out = stdout(handover("unused").args(["migrate", "--from", &format!("sqlite:{source}"), "--to", &target]));
    assert!(out.contains("the event chain verifies"), "{out}");
    let head = |db: &str| json(handover(db).args(["log", "verify", "--format", "json"]))["head"].clone();
    assert_eq!(head(&target), head(&source));
    assert_eq!(stdout(handover(&target).arg("export")), stdout(handover(&source).arg("export")));
    // The copy is a working store: it takes new changes on top of the copied chain.
    handover(&target).args(["person", "set", "dana-whitfield", "title=CIO"]).assert().success();
    stdout(handover(&target).args(["log", "verify"]));
    // Only into an empty store.
    handover("unused")
        .args(["migrate", "--from", &source, "--to", &target])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not empty"));
}

#[test]
fn succession_gaps_and_role_descriptions_for_the_demo() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let gaps = json(f.run().args(["succession", "gaps", "--format", "json"]));
    let dns = gaps.as_array().unwrap().iter().find(|g| g["role"] == "dns-admin").unwrap_or_else(|| panic!("{gaps}"));
    assert_eq!(dns["problems"], serde_json::json!(["no deputy is named"]));
    let md = stdout(f.run().args(["role", "describe", "dns-admin"]));
    assert!(md.starts_with("# DNS administrator — responsibilities (draft)") && md.contains("Cloudflare DNS (tier 1)"), "{md}");
    // The ordinary record commands still work on roles.
    assert!(stdout(f.run().args(["role", "list"])).contains("dns-admin"));
    f.run().args(["role", "describe", "nobody"]).assert().failure().stderr(predicate::str::contains("no role or person"));
}

#[test]
fn a_policy_review_needs_a_reviewer_and_notes_and_clears_it_from_due() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let overdue = |f: &Fixture| -> Vec<String> {
        json(f.run().args(["due", "--format", "json"]))
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["overdue"] == true && d["what"] == "policy review")
            .map(|d| d["subject"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(overdue(&f).contains(&"policy:dr-plan".to_string()));
    f.run()
        .args(["policy", "review", "dr-plan", "--reviewer", "tom-askew", "--notes", " "])
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs notes"));
    f.run().args(["policy", "review", "dr-plan", "--reviewer", "nobody", "--notes", "x"]).assert().failure();
    f.run()
        .args([
            "policy",
            "review",
            "dr-plan",
            "--reviewer",
            "tom-askew",
            "--notes",
            "Restore test of the ERP VM passed; RTO updated to 8h.",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("the next one is due 2027-11-26"));
    assert!(!overdue(&f).contains(&"policy:dr-plan".to_string()));
    let shown = json(f.run().args(["policy", "show", "dr-plan", "--format", "json"]));
    assert_eq!(shown["record"]["last_reviewed"], "2026-11-26");
    assert_eq!(shown["record"]["reviews"][0]["reviewer"], "tom-askew");
    // The review is in the event log with the rest.
    assert!(stdout(f.run().args(["log", "--kind", "policy", "--key", "dr-plan"])).contains("tester"));
}

#[test]
fn an_access_review_runs_to_evidence_and_its_revokes_are_followed_up() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let key = "person-dana-whitfield-2026-11-26";
    f.run()
        .args(["review", "start", "--scope", "person:dana-whitfield", "--reviewer-rule", "manager", "--due", "2026-12-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Started review {key}: 14 items for 1 reviewers")));
    let review = json(f.run().args(["review", "show", key, "--format", "json"]));
    let items = review["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["reviewer"] == "tom-askew" && i["holder"] == "dana-whitfield"));
    let global = items.iter().position(|i| i["access"] == "entra-id/dana.whitfield@fernhill.example/Global Administrator").unwrap() + 1;
    let global = global.to_string();

    // Nobody decides their own access, and only the named reviewer decides.
    let decide = |item: &str, decision: &str, by: &str| {
        f.run().args(["review", "decide", key, item, decision, "--reason", "checked", "--by", by]).assert()
    };
    decide(&global, "keep", "dana-whitfield")
        .failure()
        .stderr(predicate::str::contains("[forbidden]").and(predicate::str::contains("own access")));
    decide(&global, "keep", "raj-patel").failure().stderr(predicate::str::contains("for tom-askew to decide"));
    decide(&global, "revoke", "tom-askew").success();
    f.run().args(["review", "close", key]).assert().failure().stderr(predicate::str::contains("13 of 14 items are not decided"));

    // The revoke is work to do until the access is gone; the campaign goes overdue.
    let audit = json(f.run().args(["audit", "--format", "json"]));
    assert!(audit.as_array().unwrap().iter().any(|x| x["rule"] == "HO-REVIEW-001"
        && x["subject"] == "account:entra-id/dana.whitfield@fernhill.example"
        && x["severity"] == "critical"));
    let later = json(f.run().env("HANDOVER_TODAY", "2027-01-05").args(["audit", "--format", "json"]));
    assert!(later.as_array().unwrap().iter().any(|x| x["rule"] == "HO-REVIEW-002" && x["subject"] == format!("review:{key}")));
    let due = json(f.run().env("HANDOVER_TODAY", "2027-01-05").args(["due", "--format", "json"]));
    assert!(
        due.as_array().unwrap().iter().any(|d| d["what"] == "access review" && d["overdue"] == true && d["owner"] == "tom-askew"),
        "{due}"
    );

    for n in 1..=14 {
        if n.to_string() != global {
            decide(&n.to_string(), "keep", "tom-askew").success();
        }
    }
    f.run().args(["review", "close", key]).assert().success().stdout(predicate::str::contains("13 kept, 1 revoked, 0 modified"));
    let report = stdout(f.run().args(["review", "report", key, "--format", "markdown"]));
    assert!(report.contains("ISO/IEC 27001:2022 A.5.15, A.5.18") && report.contains("**14 of 14 items decided (100%)**"));
    assert!(report.contains("Revoked but still active (1)") && report.contains("checked"));
    // Removing the access clears the follow-up.
    f.run().args(["grant", "rm", "entra-id/dana.whitfield@fernhill.example/Global Administrator"]).assert().success();
    let audit = json(f.run().args(["audit", "--format", "json"]));
    assert!(!audit.as_array().unwrap().iter().any(|x| x["rule"] == "HO-REVIEW-001"));
    assert!(!stdout(f.run().args(["review", "report", key, "--format", "markdown"])).contains("Revoked but still active"));
    // Every step is in the log.
    let log = json(f.run().args(["log", "--kind", "review", "--format", "json"]));
    assert_eq!(log.as_array().unwrap().len(), 1 + 14 + 1, "start, 14 decisions, close");
}

#[test]
fn a_shadow_it_intake_is_blocked_until_someone_answers_for_everything() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    f.run()
        .args(["intake", "add", "erp-link", "name=ERP to webshop integration", "tier=1", "kind=integration", "owner=helen-marsh"])
        .args(["--requested-by", "helen-marsh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("erp-link is pending intake; it still lacks: a technical owner;"));
    let finding = |f: &Fixture| {
        json(f.run().args(["audit", "--format", "json"])).as_array().unwrap().iter().find(|x| x["rule"] == "HO-INTAKE-001").cloned()
    };
    let pending = finding(&f).expect("a pending intake is a finding");
    assert_eq!((pending["subject"].as_str(), pending["severity"].as_str()), (Some("system:erp-link"), Some("high")));
    assert!(pending["evidence"].as_array().unwrap().iter().any(|e| e == "lacks documentation"));
    f.run()
        .args(["intake", "accept", "erp-link", "--by", "tom-askew"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("[missing_field]").and(predicate::str::contains("cannot be accepted yet")));
    f.run()
        .args(["system", "set", "erp-link", "technical_owners=raj-patel", "vendor=brightpath-msp", "patching.owner=raj-patel"])
        .args(["patching.cadence=monthly", r#"docs=[{"title":"Runbook","url":"https://wiki.fernhill.example/erp-link"}]"#])
        .assert()
        .success();
    let lacks = json(f.run().args(["intake", "list", "--format", "json"]));
    assert_eq!(lacks[0]["missing"], serde_json::json!(["a maintenance agreement, or a recorded decision to go without"]));
    f.run().args(["intake", "waive-maintenance", "erp-link", "--by", "helen-marsh", "--reason", " "]).assert().failure();
    f.run()
        .args(["intake", "waive-maintenance", "erp-link", "--by", "helen-marsh", "--reason", "BrightPath fixes it on time and materials"])
        .assert()
        .success();
    f.run()
        .args(["intake", "accept", "erp-link", "--by", "tom-askew"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Accepted erp-link"));
    assert!(finding(&f).is_none());
    let system = json(f.run().args(["system", "show", "erp-link", "--format", "json"]));
    let intake = &system["record"]["intake"];
    assert_eq!((intake["status"].as_str(), intake["accepted_by"].as_str()), (Some("accepted"), Some("tom-askew")), "{system}");
    assert_eq!(intake["no_maintenance"]["accepted_by"], "helen-marsh");
}

#[test]
fn a_drill_generated_from_the_demo_hits_its_real_weak_points_and_is_recorded() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let drill = stdout(f.run().args(["drill", "generate", "--scenario", "ransomware"]));
    insta::assert_snapshot!("drill_ransomware", drill);
    // Every finding a drill says it tests is a real, open finding of the audit.
    let audit = json(f.run().args(["audit", "--format", "json"]));
    for scenario in ["ransomware", "breach", "outage", "key-person", "disaster"] {
        let d = json(f.run().args(["drill", "generate", "--scenario", scenario, "--format", "json"]));
        let injects = d["injects"].as_array().unwrap();
        assert!(injects.len() >= 3, "{scenario}: {d}");
        for t in injects.iter().flat_map(|i| i["tests"].as_array().unwrap()) {
            let (rule, subject) = t.as_str().unwrap().split_once(' ').unwrap();
            assert!(
                audit.as_array().unwrap().iter().any(|x| x["rule"] == rule && x["subject"] == subject),
                "{scenario}: {t} is no finding"
            );
        }
    }
    let key_person = json(f.run().args(["drill", "generate", "--scenario", "key-person", "--format", "json"]));
    assert!(key_person["injects"][0]["title"].as_str().unwrap().starts_with("Dana Whitfield is unreachable"));

    // Recording the drill is a review of the plan it tested, so the next one falls due.
    f.run()
        .args(["drill", "record", "crisis-plan", "--scenario", "ransomware", "--by", "tom-askew", "--participants", "tom-askew,raj-patel"])
        .args(["--finding", "nobody else can restore Veeam", "--follow-up", "raj-patel: Veeam admin training by 2027-01-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains("the next one is due 2027-11-26"));
    let policy = json(f.run().args(["policy", "show", "crisis-plan", "--format", "json"]));
    let last = policy["record"]["reviews"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["reviewer"], "tom-askew");
    assert!(last["notes"]
        .as_str()
        .unwrap()
        .starts_with("Tabletop drill (ransomware). Participants: tom-askew, raj-patel. Findings: nobody else can restore Veeam."));
    f.run()
        .args(["drill", "record", "crisis-plan", "--scenario", "ransomware", "--by", "nobody", "--participants", "tom-askew"])
        .assert()
        .failure();
}

#[test]
fn transition_check_ins_recur_and_show_in_the_status() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    f.run().args(["plan", "create", "sanjay-mehta", "--mode", "friendly", "--leaving-at", "2027-01-15T17:00"]).assert().success();
    let key = "sanjay-mehta-2027-01-15";
    f.run()
        .args(["plan", "checkin", key, "--by", "sanjay-mehta", "--notes", "all fine"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("[forbidden]"));
    f.run()
        .args(["plan", "checkin", key, "--by", "tom-askew", "--every", "7d", "--notes", "ERP hand-over on track"])
        .args(["--decision", "Helen approves payroll from January", "--adjust", "bank token hand-over moves to week 2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("the next one is due 2026-12-03"));
    let status = stdout(f.run().args(["plan", "status", key]));
    assert!(status.contains("Last check-in 2026-11-26 by Tom Askew: ERP hand-over on track"), "{status}");
    assert!(status.contains("Knowledge transferred: 0 of") && status.contains("Next check-in due 2026-12-03."));
    let due = json(f.run().env("HANDOVER_TODAY", "2026-12-05").args(["due", "--format", "json"]));
    assert!(due
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["what"] == "transition check-in" && d["overdue"] == true && d["subject"] == format!("plan:{key}")));
    let md = stdout(f.run().args(["plan", "show", key, "--format", "markdown"]));
    assert!(md.contains("## Check-ins") && md.contains("  - Decided: Helen approves payroll from January"));
}

#[test]
fn reports_for_the_owner_the_auditor_and_a_transition() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    let exec = stdout(f.run().args(["report", "executive", "--format", "markdown"]));
    assert!(exec.contains("**68%** risk score") && exec.contains("17 of 25 rest on one person"), "{exec}");
    let actions = exec.split("## Top five actions").nth(1).unwrap().split("\n## ").next().unwrap();
    assert_eq!(actions.matches("\n- ").count(), 5, "{actions}");
    assert!(actions.contains("Active access of a person who has left — Disable the accounts now"), "the most severe first: {actions}");
    assert!(exec.contains("| Dana Whitfield | 264 |"));
    let file = f.dir.path().join("summary.html");
    f.run().args(["report", "executive", "-o"]).arg(&file).assert().success();
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("<svg") && !html.contains("<script"));
    let audit = stdout(f.run().args(["report", "auditor", "--format", "markdown"]));
    assert!(
        audit.contains("## ISO/IEC 27001:2022 A.5.18") && audit.contains("Event log: ") && audit.contains("## Policy and plan reviews")
    );
    f.run().args(["report", "transition", "sanjay-mehta"]).assert().failure().stderr(predicate::str::contains("has no departure plan"));
    f.run().args(["plan", "create", "sanjay-mehta", "--mode", "friendly", "--leaving-at", "2027-01-15T17:00"]).assert().success();
    let t = stdout(f.run().args(["report", "transition", "sanjay-mehta", "--format", "markdown"]));
    assert!(t.starts_with("# Transition of Sanjay Mehta") && t.contains("account banking-portal/"), "{t}");
    // Project status reports; a leaving lead gets what to write down before going.
    let projects = stdout(f.run().args(["report", "projects", "dana-whitfield", "--format", "markdown"]));
    assert!(projects.contains("## Sage 200 upgrade to the current release") && projects.contains("Backup lead: none — name one."));
    assert!(!projects.contains("MFA and conditional access"), "only the projects she leads");
    assert!(!projects.contains("To be filled in"));
    f.run().args(["person", "set", "dana-whitfield", "status=leaving", "leaving_on=2027-01-31"]).assert().success();
    let projects = stdout(f.run().args(["report", "projects", "dana-whitfield", "--format", "markdown"]));
    assert!(projects.contains("Lead: Dana Whitfield (leaving)") && projects.contains("To be filled in by the lead before they go:"));
}

#[test]
fn an_incident_timeline_is_kept_as_it_happens_and_closed() {
    let f = Fixture::new();
    f.run().arg("demo").assert().success();
    f.run()
        .args(["incident", "open", "ransom-2026-11", "--title", "Ransomware on the file server", "--by", "raj-patel"])
        .args(["--commander", "tom-askew", "--scenario", "ransomware", "--system", "file-server", "--at", "2026-11-26T08:05"])
        .assert()
        .success();
    f.run()
        .args([
            "incident",
            "log",
            "ransom-2026-11",
            "File server isolated from the network",
            "--by",
            "raj-patel",
            "--kind",
            "action",
            "--at",
            "2026-11-26T08:20",
        ])
        .assert()
        .success();
    f.run()
        .args([
            "incident",
            "log",
            "ransom-2026-11",
            "Restore from last night's backup",
            "--by",
            "tom-askew",
            "--kind",
            "decision",
            "--at",
            "2026-11-26T09:00",
        ])
        .assert()
        .success();
    f.run()
        .args(["incident", "log", "ransom-2026-11", "too early", "--by", "tom-askew", "--at", "2026-11-26T07:00"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("before the incident started"));
    f.run().args(["incident", "log", "ransom-2026-11", "x", "--by", "nobody"]).assert().failure();
    f.run()
        .args([
            "incident",
            "close",
            "ransom-2026-11",
            "--by",
            "tom-askew",
            "--summary",
            "restored; no data lost",
            "--at",
            "2026-11-26T16:30",
        ])
        .assert()
        .success();
    f.run()
        .args(["incident", "log", "ransom-2026-11", "late", "--by", "tom-askew"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is closed"));
    let md = stdout(f.run().args(["incident", "show", "ransom-2026-11", "--format", "markdown"]));
    assert!(md.starts_with("# Incident: Ransomware on the file server"), "{md}");
    assert!(
        md.contains("closed at 2026-11-26T16:30:00, 8h 25m")
            && md.contains("Incident commander: Tom Askew.")
            && md.contains("Systems affected: On-premises file server."),
        "{md}"
    );
    assert!(md.contains("| 2026-11-26T08:20:00 | Raj Patel | action | File server isolated from the network |"));
    assert!(md.contains("## Decisions\n\n- Restore from last night's backup (Tom Askew, 2026-11-26T09:00:00)"));
    // Every entry is an event in the log.
    assert_eq!(json(f.run().args(["log", "--kind", "incident", "--format", "json"])).as_array().unwrap().len(), 4);
}
