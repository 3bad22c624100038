//! What the end-to-end suites share: the binary, a fresh database on the backend under test,
//! and a running `handover serve`.
#![allow(dead_code)]

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

pub fn handover(db: &str) -> Command {
    let mut cmd = Command::cargo_bin("handover").unwrap();
    cmd.env_clear().env("HANDOVER_DB", db).env("HANDOVER_TODAY", "2026-11-26").env("HANDOVER_ACTOR", "tester");
    cmd
}

/// The backend this run of the suite tests: SQLite files, or — with
/// `HANDOVER_TEST_BACKEND=postgres` — a fresh database per fixture on the PostgreSQL server
/// at `HANDOVER_TEST_PG_URL` (which `scripts/test` starts).
pub fn postgres_admin_url() -> Option<String> {
    if std::env::var("HANDOVER_TEST_BACKEND").as_deref() != Ok("postgres") {
        return None;
    }
    Some(std::env::var("HANDOVER_TEST_PG_URL").expect("HANDOVER_TEST_BACKEND=postgres needs HANDOVER_TEST_PG_URL (scripts/test sets it)"))
}

/// A new, empty database for one test: a file path, or a new PostgreSQL database's URL.
pub fn new_database(dir: &Path, name: &str) -> String {
    match postgres_admin_url() {
        Some(admin) => create_pg_database(&admin),
        None => dir.join(name).display().to_string(),
    }
}

/// Creates a uniquely named database on the test server; returns its URL.
pub fn create_pg_database(admin: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("t_{}_{nanos}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    handover_store::create_postgres_database(admin, &name).expect("create a database on the test PostgreSQL server")
}

/// A running `handover serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

/// Starts a server process and reads the first line it prints (where it listens).
pub fn spawn_reading_first_line(command: &mut std::process::Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (child, line)
}

impl Server {
    pub fn start(db: &str) -> Server {
        let bin = assert_cmd::cargo::cargo_bin("handover");
        let (child, line) = spawn_reading_first_line(
            std::process::Command::new(bin)
                .args(["serve", "--addr", "127.0.0.1:0"])
                .env_clear()
                .env("HANDOVER_DB", db)
                .env("HANDOVER_TODAY", "2026-11-26"),
        );
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("serve did not say where it listens: {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo organisation with three users: an admin (the managing director), a viewer, and
/// the CTO as an editor (so the suite can check nobody sees their own departure plan).
/// Returns the database and an API token for each, by role name.
pub fn demo_with_users(dir: &Path) -> (String, std::collections::HashMap<&'static str, String>) {
    let db = new_database(dir, "web.db");
    handover(&db).arg("demo").assert().success();
    let pw = dir.join("pw");
    std::fs::write(&pw, "correct horse battery staple\n").unwrap();
    let mut tokens = std::collections::HashMap::new();
    for (who, email, role, person) in [
        ("admin", "tom.askew@fernhill.example", "admin", Some("tom-askew")),
        ("viewer", "viewer@example.com", "viewer", None),
        ("cto", "dana.whitfield@fernhill.example", "editor", Some("dana-whitfield")),
    ] {
        let mut add = handover(&db);
        add.args(["user", "add", email, "--role", role, "--password-file"]).arg(&pw);
        if let Some(p) = person {
            add.args(["--person", p]);
        }
        add.assert().success();
        let out = handover(&db).args(["user", "token", "add", email, "--name", "tests"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        tokens.insert(who, String::from_utf8(out.stdout).unwrap().trim().to_string());
    }
    (db, tokens)
}
