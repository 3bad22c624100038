//! `handover notify` against a real SMTP server: aiosmtpd (Debian's python3-aiosmtpd, which
//! scripts/test installs), started by the test on a free loopback port, requiring AUTH, and
//! writing every message it accepts to a directory.

mod common;

use common::{handover, new_database};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

const PASSWORD: &str = "smtp-pw-Zq7-never-printed";

/// An SMTP sink: AUTH PLAIN/LOGIN with one user, each accepted message as a JSON file.
const SINK: &str = r#"
import asyncio, json, os, socket, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
out, user, password = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
class Handler:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Handler.n += 1
        path = os.path.join(out, "%04d.json" % Handler.n)
        with open(path + ".tmp", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "authenticated": bool(session.authenticated),
                       "data": envelope.content.decode("utf-8", "replace")}, f)
        os.rename(path + ".tmp", path)
        return "250 OK"
def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
    return AuthResult(success=ok, handled=False)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
c = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False, auth_required=True)
c.start()
print(port, flush=True)
sys.stdin.read()
c.stop()
"#;

/// A Python that has aiosmtpd (Debian's, which a pyenv shim on PATH may hide).
fn python_with_aiosmtpd() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|py| std::process::Command::new(py).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success()))
}

struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Sink {
    fn start(dir: &Path) -> Option<Sink> {
        let Some(python) = python_with_aiosmtpd() else {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true needs python3-aiosmtpd (scripts/test installs it)");
            eprintln!("SKIPPED: no python3 with aiosmtpd (apt-get install python3-aiosmtpd) to receive the e-mail");
            return None;
        };
        std::fs::create_dir_all(dir).unwrap();
        let (child, line) = common::spawn_reading_first_line(
            std::process::Command::new(python).args(["-c", SINK]).arg(dir).args(["notifier", PASSWORD]).stdin(Stdio::piped()),
        );
        let port = line.trim().parse().unwrap_or_else(|_| panic!("the SMTP sink did not start: {line:?}"));
        Some(Sink { child, port, dir: dir.to_path_buf() })
    }

    /// Every message received so far, in order.
    fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files.iter().map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(cmd: &mut assert_cmd::Command) -> (String, String, bool) {
    let out = cmd.output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned(), out.status.success())
}

fn ok_json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let (out, err, ok) = run(cmd);
    assert!(ok, "failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// The quoted-printable body lines of a raw message, joined back.
fn body_text(raw: &str) -> String {
    let body = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).map_or(raw, |(_, b)| b);
    body.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

#[test]
fn reminders_reach_the_owners_once_and_dry_runs_send_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(sink) = Sink::start(&tmp.path().join("mail")) else { return };
    let db = new_database(tmp.path(), "handover.db");
    let h = || handover(&db);
    assert!(h().arg("demo").output().unwrap().status.success());
    // Something nobody can be told about: a plan without an owner, one whose owner has no e-mail.
    for args in [
        vec!["person", "add", "ivy-nomail", "name=Ivy Nomail"],
        vec!["policy", "add", "orphan-plan", "name=Orphan plan", "last_reviewed=2024-01-01", "review_interval=365d"],
        vec!["policy", "add", "ivy-plan", "name=Ivy plan", "owner=ivy-nomail", "last_reviewed=2024-01-01", "review_interval=365d"],
    ] {
        let (_, err, ok) = run(h().args(&args));
        assert!(ok, "{args:?}: {err}");
    }
    let pw_file = tmp.path().join("smtp.pw");
    std::fs::write(&pw_file, format!("{PASSWORD}\n")).unwrap();
    let config = tmp.path().join("handover.toml");
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"handover <handover@fernhill.example>\"\n\
             username = \"notifier\"\npassword_file = \"{}\"\n",
            sink.port,
            pw_file.display()
        ),
    )
    .unwrap();
    let notify = || {
        let mut c = h();
        c.env("HANDOVER_CONFIG", &config).arg("notify");
        c
    };
    let log_events = || ok_json(h().args(["log", "--kind", "notification", "--format", "json"])).as_array().unwrap().len();

    // A dry run: what would be sent, nothing sent, nothing recorded.
    let plan = ok_json(notify().args(["--dry-run", "--format", "json"]));
    assert_eq!(plan["dry_run"], true);
    let planned = plan["messages"].as_array().unwrap();
    assert!(planned.len() >= 5, "{plan:#}");
    assert!(sink.messages().is_empty() && log_events() == 0);
    let nobody: Vec<(&str, &str)> = plan["nobody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["item"]["subject"].as_str().unwrap(), n["reason"].as_str().unwrap()))
        .collect();
    assert!(nobody.contains(&("policy:orphan-plan", "no owner")), "{nobody:?}");
    assert!(nobody.contains(&("policy:ivy-plan", "Ivy Nomail has no e-mail address")), "{nobody:?}");

    // What each person should hear about: `due` over the same horizon, by the owner's e-mail.
    let export = ok_json(h().args(["export", "--format", "json"]));
    let email: BTreeMap<&str, &str> =
        export["people"].as_array().unwrap().iter().filter_map(|p| Some((p["key"].as_str()?, p["email"].as_str()?))).collect();
    let due = ok_json(h().args(["due", "--within", "14d", "--format", "json"]));
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in due.as_array().unwrap() {
        if let Some(to) = d["owner"].as_str().and_then(|o| email.get(o)) {
            expected.entry(to.to_string()).or_default().insert(d["subject"].as_str().unwrap().to_string());
        }
    }
    assert!(expected.contains_key("dana.whitfield@fernhill.example"), "{expected:?}");

    // The real run: one message per person, each with exactly their items, sent with AUTH.
    let (out, err, ok) = run(&mut notify());
    assert!(ok, "notify failed: {err}");
    assert!(out.contains(&format!("Sent {} reminders", planned.len())), "{out}");
    let received = sink.messages();
    assert_eq!(received.len(), planned.len());
    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &received {
        assert_eq!(m["authenticated"], true);
        assert_eq!(m["from"], "handover@fernhill.example");
        let to = m["to"].as_array().unwrap();
        assert_eq!(to.len(), 1, "{m}");
        let body = body_text(m["data"].as_str().unwrap());
        assert!(body.contains("handover lists these for you"), "{body}");
        let subjects: BTreeSet<String> = body
            .lines()
            .filter(|l| l.starts_with("- "))
            .filter_map(|l| l.rsplit_once(" ("))
            .map(|(_, s)| s.trim_end_matches(')').to_string())
            .collect();
        got.insert(to[0].as_str().unwrap().to_string(), subjects);
    }
    assert_eq!(got, expected);
    assert_eq!(log_events(), planned.len());
    let verify = ok_json(h().args(["log", "verify", "--format", "json"]));
    assert!(verify["first_broken"].is_null(), "{verify}");

    // Again: nothing new is sent, and it says so.
    let (out, err, ok) = run(&mut notify());
    assert!(ok, "{err}");
    assert!(out.contains("Nothing new to send") && out.contains("already sent"), "{out}");
    assert_eq!(sink.messages().len(), planned.len());
    let again = ok_json(notify().args(["--dry-run", "--format", "json"]));
    assert!(again["messages"].as_array().unwrap().is_empty(), "{again:#}");
    assert!(again["already_sent"].as_u64().unwrap() > 0);
    assert_eq!(log_events(), planned.len());

    // Two weeks on, the items that were coming up and are now overdue are reminded once more;
    // nothing that was already overdue is sent again.
    let later = ok_json(notify().env("HANDOVER_TODAY", "2026-12-20").args(["--dry-run", "--format", "json"]));
    for m in later["messages"].as_array().unwrap() {
        for it in m["items"].as_array().unwrap() {
            let was_due_soon = it["due"].as_str().unwrap() >= "2026-11-26";
            assert!(was_due_soon, "an item overdue before was reminded again: {it}");
        }
    }

    // The password is never printed, nor stored.
    for args in [vec!["--dry-run"], vec![], vec!["--format", "json"]] {
        let (out, err, _) = run(notify().args(&args));
        assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD));
    }
    if let handover_store::Location::Sqlite(path) = handover_store::Location::parse(&db) {
        let bytes = std::fs::read(path).unwrap();
        assert!(!bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
    }
}

#[test]
fn a_wrong_password_or_no_smtp_section_is_a_clear_error_that_records_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(sink) = Sink::start(&tmp.path().join("mail")) else { return };
    let db = new_database(tmp.path(), "handover.db");
    let h = || handover(&db);
    assert!(h().arg("demo").output().unwrap().status.success());

    let (_, err, ok) = run(h().env("HANDOVER_CONFIG", "/dev/null").arg("notify"));
    assert!(!ok && err.contains("error[not_configured]") && err.contains("[smtp]"), "{err}");

    let config = tmp.path().join("handover.toml");
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"handover@fernhill.example\"\n\
             username = \"notifier\"\npassword_env = \"SMTP_PW\"\n",
            sink.port
        ),
    )
    .unwrap();
    let (out, err, ok) = run(h().env("HANDOVER_CONFIG", &config).env("SMTP_PW", "wrong-Zq7-password").arg("notify"));
    assert!(!ok && err.contains("error[mail_error]"), "{err}");
    assert!(!out.contains("wrong-Zq7-password") && !err.contains("wrong-Zq7-password"));
    let (_, err, ok) = run(h().env("HANDOVER_CONFIG", &config).arg("notify"));
    assert!(!ok && err.contains("error[not_configured]") && err.contains("SMTP_PW"), "{err}");
    assert!(sink.messages().is_empty());
    let events = ok_json(h().args(["log", "--kind", "notification", "--format", "json"]));
    assert!(events.as_array().unwrap().is_empty());
}
