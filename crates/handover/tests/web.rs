//! The web UI and REST API against a running `handover serve` (real HTTP on loopback),
//! over the demo organisation, on the backend under test.

mod common;

use common::{demo_with_users, Server};
use serde_json::{json, Value};

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

/// Status and body of any answer, errors included.
fn send(req: ureq::Request, body: Option<Value>) -> (u16, ureq::Response) {
    let result = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match result {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(e) => panic!("request failed: {e}"),
    }
}

struct Api<'a> {
    base: &'a str,
    token: &'a str,
}

impl Api<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let req = agent().request(method, &format!("{}/api/v1{path}", self.base)).set("Authorization", &format!("Bearer {}", self.token));
        let (status, r) = send(req, body);
        let text = r.into_string().unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
    }
}

#[test]
fn the_api_answers_by_token_and_role_and_logs_who_did_what() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let admin = Api { base: &server.base, token: &tokens["admin"] };
    let viewer = Api { base: &server.base, token: &tokens["viewer"] };
    let cto = Api { base: &server.base, token: &tokens["cto"] };

    assert_eq!(admin.call("GET", "/me", None).1["role"], "admin");
    let (status, body) = Api { base: &server.base, token: "hot_nope_nope" }.call("GET", "/me", None);
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")));

    // Records: list with paging, get, and the whole write cycle for an editor.
    let (status, people) = viewer.call("GET", "/records/people?limit=5", None);
    assert_eq!(status, 200);
    assert_eq!(people["items"].as_array().unwrap().len(), 5);
    assert!(people["total"].as_u64().unwrap() > 50);
    let (status, body) = viewer.call("POST", "/records/people", Some(json!({"key": "zoe", "name": "Zoe"})));
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(admin.call("POST", "/records/people", Some(json!({"key": "zoe-quinn", "name": "Zoe Quinn"}))).0, 201);
    let (status, zoe) = viewer.call("GET", "/records/people/zoe-quinn", None);
    assert_eq!((status, zoe["name"].as_str()), (200, Some("Zoe Quinn")));
    let (status, body) = admin.call("POST", "/records/people", Some(json!({"key": "zoe-quinn", "name": "Zoe Quinn"})));
    assert_eq!((status, body["code"].as_str()), (409, Some("duplicate_key")));
    let (status, body) =
        admin.call("PUT", "/records/people/zoe-quinn", Some(json!({"key": "zoe-quinn", "name": "Zoe Q", "manager": "nobody"})));
    assert_eq!((status, body["code"].as_str()), (422, Some("dangling_reference")), "{body}");
    assert_eq!(admin.call("PUT", "/records/people/zoe-quinn", Some(json!({"key": "zoe-quinn", "name": "Zoe Q"}))).1["name"], "Zoe Q");
    assert_eq!(admin.call("DELETE", "/records/people/zoe-quinn", None).0, 204);
    assert_eq!(viewer.call("GET", "/records/people/zoe-quinn", None).0, 404);
    // Account keys hold a slash.
    let (status, accounts) = viewer.call("GET", "/records/accounts?limit=1", None);
    assert_eq!(status, 200);
    let account = accounts["items"][0].clone();
    let key = format!("{}/{}", account["system"].as_str().unwrap(), account["name"].as_str().unwrap());
    assert_eq!(viewer.call("GET", &format!("/records/accounts/{key}"), None).1, account);

    // Analysis.
    let (_, findings) = viewer.call("GET", "/findings?severity=critical", None);
    let findings = findings.as_array().unwrap().clone();
    assert!(!findings.is_empty() && findings.iter().all(|f| f["severity"] == "critical" && f["rule"].as_str().unwrap().starts_with("HO-")));
    let (_, impact) = viewer.call("GET", "/whatif?person=dana-whitfield", None);
    assert!(impact["systems_without_admin"].as_array().unwrap().iter().any(|s| s == "entra-id"), "{impact}");
    let (_, risk) = viewer.call("GET", "/risk", None);
    assert_eq!(risk["people"][0]["person"], "dana-whitfield");

    // A hostile plan for the CTO, by the MD; the CTO can neither see nor touch it.
    let (status, plan) = admin.call(
        "POST",
        "/plans",
        Some(json!({"person": "dana-whitfield", "mode": "hostile", "leaving_at": "2026-12-04T16:00", "window": "15m"})),
    );
    assert_eq!(status, 201, "{plan}");
    let key = plan["key"].as_str().unwrap().to_string();
    assert!(plan["tasks"].as_array().unwrap().len() > 20);
    let (status, body) = cto.call("GET", &format!("/records/plans/{key}"), None);
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    assert!(cto.call("GET", "/records/plans", None).1["items"].as_array().unwrap().is_empty());
    assert_eq!(cto.call("POST", &format!("/plans/{key}/tasks/1"), Some(json!({"status": "done", "evidence": "x"}))).0, 403);
    assert_eq!(cto.call("POST", "/plans", Some(json!({"person": "dana-whitfield", "leaving_at": "2026-12-05T16:00"}))).0, 403);
    let (status, body) = admin.call("POST", &format!("/plans/{key}/tasks/1"), Some(json!({"status": "done", "evidence": ""})));
    assert_eq!((status, body["code"].as_str()), (422, Some("missing_field")));
    let (status, plan) =
        admin.call("POST", &format!("/plans/{key}/tasks/1"), Some(json!({"status": "done", "evidence": "runbook reviewed with Sanjay"})));
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["tasks"][0]["status"], "done");
    assert_eq!(plan["tasks"][0]["closed_by"], "tom.askew@fernhill.example (web)");

    // Risk acceptance names the reviewer's person.
    let subject = findings[0]["subject"].as_str().unwrap();
    let rule = findings[0]["rule"].as_str().unwrap();
    let (status, body) = admin.call(
        "POST",
        "/findings/accept",
        Some(json!({"rule": rule, "subject": subject, "reason": "board decision 2026-11", "expires": "2027-03-01"})),
    );
    assert_eq!(status, 201, "{body}");
    let accepted = &viewer.call("GET", &format!("/findings?rule={rule}&subject={subject}"), None).1[0]["accepted"];
    assert_eq!(accepted["by"], "Tom Askew");

    // Every write is an event with the acting user, and the chain verifies.
    let (_, events) = viewer.call("GET", "/log?limit=10", None);
    let actors: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["actor"].as_str().unwrap()).collect();
    assert!(actors.iter().filter(|a| **a == "tom.askew@fernhill.example (web)").count() >= 3, "{actors:?}");
    let (_, v) = viewer.call("GET", "/log/verify", None);
    assert!(v["verified"].as_u64().unwrap() > 100 && v["first_broken"].is_null(), "{v}");
}

#[test]
fn the_openapi_document_describes_every_route_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let admin = Api { base: &server.base, token: &tokens["admin"] };
    let (status, doc) = admin.call("GET", "/openapi.json", None);
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10);
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let concrete =
                path.replace("{kind}", "people").replace("{key}", "no-such-key").replace("{task}", "1").replace("{scenario}", "ransomware");
            let body = op.get("requestBody").map(|_| json!({}));
            let (status, answer) = admin.call(&method.to_uppercase(), &concrete, body);
            // Routed: our handlers answer errors with a code; an unrouted path is a bare 404/405.
            assert!(status != 405 && (status < 400 || answer["code"].is_string()), "{method} {path}: {status} {answer}");
        }
    }
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    match std::env::var("HANDOVER_TEST_OPENAPI_VALIDATOR") {
        Ok(validator) => {
            let out = std::process::Command::new(validator).arg(&file).output().unwrap();
            assert!(
                out.status.success(),
                "the OpenAPI document does not validate:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true needs HANDOVER_TEST_OPENAPI_VALIDATOR (scripts/test installs it)")
        }
        Err(_) => eprintln!(
            "skipping OpenAPI validation: HANDOVER_TEST_OPENAPI_VALIDATOR is not set (scripts/test installs openapi-spec-validator)"
        ),
    }
}

/// The cookies a response sets, as `name=value` pairs.
fn set_cookies(r: &ureq::Response) -> Vec<String> {
    r.all("set-cookie").iter().map(|c| c.split(';').next().unwrap().to_string()).collect()
}

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Signs in through the form; the session cookie.
fn sign_in(base: &str, email: &str, password: &str) -> (u16, Option<String>) {
    let (_, page) = send(agent().get(&format!("{base}/login")), None);
    let pre = set_cookies(&page).join("; ");
    let csrf = hidden_csrf(&page.into_string().unwrap());
    let (status, r) =
        send_form(agent().post(&format!("{base}/login")).set("Cookie", &pre), &[("email", email), ("password", password), ("csrf", &csrf)]);
    (status, set_cookies(&r).into_iter().find(|c| c.starts_with("handover_session=") && c.len() > "handover_session=".len()))
}

fn send_form(req: ureq::Request, form: &[(&str, &str)]) -> (u16, ureq::Response) {
    match req.send_form(form) {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(e) => panic!("request failed: {e}"),
    }
}

#[test]
fn sign_in_sessions_csrf_and_the_login_limiter() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let base = server.base.as_str();

    // Pages need a session.
    let (status, r) = send(agent().get(&format!("{base}/")), None);
    assert_eq!((status, r.header("location")), (303, Some("/login")));

    // The login form refuses a post without its CSRF token (login CSRF).
    let (status, _) = send_form(
        agent().post(&format!("{base}/login")),
        &[("email", "tom.askew@fernhill.example"), ("password", "correct horse battery staple")],
    );
    assert_eq!(status, 403);
    assert_eq!(sign_in(base, "tom.askew@fernhill.example", "wrong password!"), (401, None));
    let (status, session) = sign_in(base, "Tom.Askew@fernhill.example", "correct horse battery staple");
    assert_eq!(status, 303);
    let session = session.expect("a session cookie");

    let (status, r) = send(agent().get(&format!("{base}/")).set("Cookie", &session), None);
    assert_eq!(status, 200);
    assert!(r.header("content-security-policy").unwrap().contains("default-src 'none'"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    let html = r.into_string().unwrap();
    assert!(html.contains("Dana Whitfield") && html.contains("<svg"), "the dashboard names the CTO and draws charts");
    let csrf = hidden_csrf(&html);

    // A state-changing form without the token is refused, with it accepted.
    let plan = |token: &str| {
        send_form(
            agent().post(&format!("{base}/people/sanjay-mehta/plan")).set("Cookie", &session),
            &[("csrf", token), ("mode", "friendly"), ("leaving_at", "2027-01-29T17:00"), ("window", "15m")],
        )
    };
    assert_eq!(plan("").0, 403);
    assert_eq!(plan("forged").0, 403);
    let (status, r) = plan(&csrf);
    assert_eq!((status, r.header("location")), (303, Some("/plans/sanjay-mehta-2027-01-29")));

    // Signing out ends the session for good.
    assert_eq!(send_form(agent().post(&format!("{base}/logout")).set("Cookie", &session), &[("csrf", "")]).0, 403);
    assert_eq!(send_form(agent().post(&format!("{base}/logout")).set("Cookie", &session), &[("csrf", &csrf)]).0, 303);
    assert_eq!(send(agent().get(&format!("{base}/")).set("Cookie", &session), None).0, 303);

    // Five failures for an account, then it is refused even with the right password.
    for _ in 0..5 {
        assert_eq!(sign_in(base, "viewer@example.com", "not the password").0, 401);
    }
    assert_eq!(sign_in(base, "viewer@example.com", "correct horse battery staple").0, 429);
}

#[test]
fn viewers_read_but_cannot_change_and_nobody_sees_their_own_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let base = server.base.as_str();
    let (_, viewer) = sign_in(base, "viewer@example.com", "correct horse battery staple");
    let viewer = viewer.unwrap();
    let (status, r) = send(agent().get(&format!("{base}/people/dana-whitfield")).set("Cookie", &viewer), None);
    assert_eq!(status, 200);
    let html = r.into_string().unwrap();
    assert!(html.contains("If Dana Whitfield left tomorrow") && !html.contains("Create plan"));
    let csrf = hidden_csrf(&html);
    let (status, _) = send_form(
        agent().post(&format!("{base}/people/dana-whitfield/plan")).set("Cookie", &viewer),
        &[("csrf", &csrf), ("mode", "hostile"), ("leaving_at", "2026-12-04T16:00")],
    );
    assert_eq!(status, 403);
    for page in ["/people", "/systems", "/systems/entra-id", "/findings", "/plans", "/log", "/records/vendor/aws"] {
        let (status, _) = send(agent().get(&format!("{base}{page}")).set("Cookie", &viewer), None);
        assert!(status == 200 || (page.starts_with("/records") && status == 404), "{page}: {status}");
    }
    assert_eq!(send(agent().get(&format!("{base}/users")).set("Cookie", &viewer), None).0, 403);

    // The MD plans the CTO's departure; the CTO, though an editor, cannot see it.
    let admin = Api { base, token: &tokens["admin"] };
    let (_, plan) =
        admin.call("POST", "/plans", Some(json!({"person": "dana-whitfield", "mode": "hostile", "leaving_at": "2026-12-04T16:00"})));
    let key = plan["key"].as_str().unwrap();
    let (_, cto) = sign_in(base, "dana.whitfield@fernhill.example", "correct horse battery staple");
    let cto = cto.unwrap();
    assert_eq!(send(agent().get(&format!("{base}/plans/{key}")).set("Cookie", &cto), None).0, 403);
    let (_, r) = send(agent().get(&format!("{base}/plans")).set("Cookie", &cto), None);
    assert!(!r.into_string().unwrap().contains(key));
    let (_, r) = send(agent().get(&format!("{base}/people/dana-whitfield")).set("Cookie", &cto), None);
    assert!(!r.into_string().unwrap().contains("Departure plan"));
}

#[test]
fn health_and_metrics_need_no_session_and_show_nothing_sensitive() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let base = server.base.as_str();
    let (status, r) = send(agent().get(&format!("{base}/healthz")), None);
    assert_eq!(status, 200);
    assert_eq!(r.into_json::<Value>().unwrap()["status"], "ok");
    let admin = Api { base, token: &tokens["admin"] };
    admin.call("GET", "/records/people/dana-whitfield", None);
    admin.call("GET", "/whatif?person=dana-whitfield", None);
    let (status, r) = send(agent().get(&format!("{base}/metrics")), None);
    assert_eq!(status, 200);
    let text = r.into_string().unwrap();
    assert!(
        text.contains("handover_http_requests_total{method=\"GET\",route=\"/api/v1/records/{kind}/{*key}\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("handover_http_request_duration_seconds_bucket"));
    assert!(text.contains("handover_analysis_runs_total 1"));
    for secret in ["dana", "@", "hot_", &tokens["admin"]] {
        assert!(!text.contains(secret), "metrics leak {secret:?}");
    }
}

const LDIF: &str = include_str!("../../handover-import/tests/fixtures/ldif/quillstone.ldif");

#[test]
fn an_import_by_api_previews_then_applies_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let admin = Api { base: &server.base, token: &tokens["admin"] };
    let viewer = Api { base: &server.base, token: &tokens["viewer"] };
    assert_eq!(admin.call("POST", "/records/systems", Some(json!({"key": "lab-ldap", "name": "Lab directory", "tier": 3}))).0, 201);
    let upload = |api: &Api, query: &str, body: &str| {
        let req = agent()
            .post(&format!("{}/api/v1/imports/ldif?{query}", api.base))
            .set("Authorization", &format!("Bearer {}", api.token))
            .set("Content-Type", "application/octet-stream");
        let (status, r) = match req.send_string(body) {
            Ok(r) => (r.status(), r),
            Err(ureq::Error::Status(c, r)) => (c, r),
            Err(e) => panic!("{e}"),
        };
        (status, r.into_json::<Value>().unwrap())
    };
    assert_eq!(upload(&viewer, "system=lab-ldap", LDIF).0, 403);
    let (status, body) = upload(&admin, "system=lab-ldap", "dn: x\nnot ldif at all ::: \n\0");
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_syntax")), "{body}");
    let (status, body) = upload(&admin, "system=no-such-system", LDIF);
    assert_eq!((status, body["code"].as_str()), (404, Some("record_not_found")));

    let (status, preview) = upload(&admin, "system=lab-ldap&dry_run=true", LDIF);
    assert_eq!(status, 200, "{preview}");
    let added = preview["summary"]["changes"]["added"].as_u64().unwrap();
    assert!(added > 5 && preview["changes"].as_array().unwrap().iter().any(|c| c == "+ account lab-ldap/oliver"), "{preview}");
    assert_eq!(viewer.call("GET", "/records/accounts?q=lab-ldap/", None).1["total"], 0, "a dry run writes nothing");

    let (status, done) = upload(&admin, "system=lab-ldap", LDIF);
    assert_eq!((status, done["summary"]["changes"]["added"].as_u64()), (200, Some(added)));
    assert_eq!(viewer.call("GET", "/records/accounts/lab-ldap/oliver", None).1["name"], "oliver");
    // The same file again changes nothing.
    assert_eq!(upload(&admin, "system=lab-ldap", LDIF).1["summary"]["changes"], json!({"added": 0, "changed": 0, "removed": 0}));
}

#[test]
fn admins_add_users_in_the_page_and_nobody_else_can() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let base = server.base.as_str();
    let (_, admin) = sign_in(base, "tom.askew@fernhill.example", "correct horse battery staple");
    let admin = admin.unwrap();
    let (_, page) = send(agent().get(&format!("{base}/users")).set("Cookie", &admin), None);
    let csrf = hidden_csrf(&page.into_string().unwrap());
    let add = |cookie: &str, csrf: &str, password: &str| {
        send_form(
            agent().post(&format!("{base}/users")).set("Cookie", cookie),
            &[("csrf", csrf), ("email", "Auditor@Example.com"), ("role", "reviewer"), ("person", ""), ("password", password)],
        )
        .0
    };
    assert_eq!(add(&admin, &csrf, "short"), 422, "passwords have at least 12 characters");
    assert_eq!(add(&admin, "", "a long enough password"), 403, "CSRF");
    assert_eq!(add(&admin, &csrf, "a long enough password"), 303);
    let (status, auditor) = sign_in(base, "auditor@example.com", "a long enough password");
    assert_eq!(status, 303);
    let auditor = auditor.unwrap();
    let (_, page) = send(agent().get(&format!("{base}/findings")).set("Cookie", &auditor), None);
    let auditor_csrf = hidden_csrf(&page.into_string().unwrap());
    assert_eq!(send(agent().get(&format!("{base}/users")).set("Cookie", &auditor), None).0, 403);
    assert_eq!(add(&auditor, &auditor_csrf, "another long password"), 403, "only admins manage users");
    // The change is in the event log, with the admin as the actor and no hash.
    let out = common::handover(&db).args(["log", "--kind", "user", "--format", "json"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("auditor@example.com") && text.contains("tom.askew@fernhill.example (web)") && !text.contains("argon2"),
        "{text}"
    );
}

#[test]
fn reviewers_decide_their_items_and_holders_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_users(dir.path());
    common::handover(&db)
        .args(["review", "start", "--scope", "person:dana-whitfield", "--reviewer-rule", "manager", "--due", "2026-12-31"])
        .assert()
        .success();
    let key = "person-dana-whitfield-2026-11-26";
    let server = Server::start(&db);
    let base = server.base.as_str();
    let admin = Api { base, token: &tokens["admin"] };
    let (status, body) = Api { base, token: &tokens["viewer"] }.call(
        "POST",
        &format!("/reviews/{key}/items/1"),
        Some(json!({"decision": "keep", "reason": "x"})),
    );
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let (status, body) = Api { base, token: &tokens["cto"] }.call(
        "POST",
        &format!("/reviews/{key}/items/1"),
        Some(json!({"decision": "keep", "reason": "mine"})),
    );
    assert_eq!(status, 403, "the holder cannot decide on her own access: {body}");
    assert!(body["message"].as_str().unwrap().contains("own access"));
    let (status, review) =
        admin.call("POST", &format!("/reviews/{key}/items/1"), Some(json!({"decision": "revoke", "reason": "MSP takes over DNS"})));
    assert_eq!(status, 200, "{review}");
    assert_eq!(review["items"][0]["decision"], "revoke");
    assert_eq!(review["items"][0]["decided_by"], "tom-askew");

    // In the page: the reviewer's items come with a form; deciding one moves the count.
    let (_, session) = sign_in(base, "tom.askew@fernhill.example", "correct horse battery staple");
    let session = session.unwrap();
    let (_, r) = send(agent().get(&format!("{base}/reviews/{key}")).set("Cookie", &session), None);
    let html = r.into_string().unwrap();
    assert!(
        html.contains("Yours to decide") && html.contains("1 of 14 decided") && !html.contains("id=\"item-1\""),
        "item 1 is decided already"
    );
    let csrf = hidden_csrf(&html);
    let (status, _) = send_form(
        agent().post(&format!("{base}/reviews/{key}/items/2")).set("Cookie", &session),
        &[("csrf", &csrf), ("decision", "keep"), ("reason", "registrar account needed")],
    );
    assert_eq!(status, 303);
    let (_, r) = send(agent().get(&format!("{base}/reviews")).set("Cookie", &session), None);
    assert!(r.into_string().unwrap().contains("2/14 (14%)"));
}

/// Page text as a reader sees it (askama escapes `&`, quotes and angle brackets).
fn unescape(html: &str) -> String {
    let mut out = html.to_string();
    for (entity, c) in [("&#34;", "\""), ("&quot;", "\""), ("&#39;", "'"), ("&#60;", "<"), ("&lt;", "<"), ("&#62;", ">"), ("&gt;", ">")] {
        out = out.replace(entity, c);
    }
    out.replace("&#38;", "&").replace("&amp;", "&")
}

fn page(base: &str, cookie: &str, path: &str) -> String {
    let (status, r) = send(agent().get(&format!("{base}{path}")).set("Cookie", cookie), None);
    assert_eq!(status, 200, "{path}");
    r.into_string().unwrap()
}

/// The demo with its users, and a custom integration bought around IT waiting in intake.
fn demo_with_intake(dir: &std::path::Path) -> (String, std::collections::HashMap<&'static str, String>) {
    let (db, tokens) = demo_with_users(dir);
    common::handover(&db)
        .args([
            "intake",
            "add",
            "erp-link",
            "name=ERP to webshop integration",
            "tier=1",
            "owner=helen-marsh",
            "--requested-by",
            "helen-marsh",
        ])
        .assert()
        .success();
    (db, tokens)
}

#[test]
fn due_intake_drill_and_incident_pages_show_the_demo_and_agree_with_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_intake(dir.path());
    let server = Server::start(&db);
    let base = server.base.as_str();
    let viewer_api = Api { base, token: &tokens["viewer"] };
    let (_, viewer) = sign_in(base, "viewer@example.com", "correct horse battery staple");
    let viewer = viewer.unwrap();

    // Due: the registrar login's rotation is years overdue and Dana should act; the same
    // items as the API, and the succession gaps.
    let dashboard = page(base, &viewer, "/");
    assert!(dashboard.contains("href=\"/due\""), "the dashboard links to what is due");
    let html = unescape(&page(base, &viewer, "/due"));
    let (status, due) = viewer_api.call("GET", "/due", None);
    assert_eq!(status, 200);
    let first = &due[0];
    assert_eq!((first["title"].as_str(), first["overdue"].as_bool()), (Some("Domain registrar login for fernhill.example"), Some(true)));
    assert!(html.contains("Domain registrar login for fernhill.example") && html.contains("Dana Whitfield") && html.contains("overdue"));
    let overdue = due.as_array().unwrap().iter().filter(|d| d["overdue"] == true).count();
    assert!(html.contains(&format!("{} items due within 30 days, {overdue} of them overdue.", due.as_array().unwrap().len())), "{html}");
    let (_, gaps) = viewer_api.call("GET", "/succession", None);
    assert!(!gaps.as_array().unwrap().is_empty());
    assert!(html.contains("Succession gaps") && html.contains(gaps[0]["name"].as_str().unwrap()));
    assert!(viewer_api.call("GET", "/due?within=3650", None).1.as_array().unwrap().len() > due.as_array().unwrap().len());

    // Intake: what erp-link lacks, from the library; no forms for a viewer.
    let html = unescape(&page(base, &viewer, "/intake"));
    let (_, intake) = viewer_api.call("GET", "/intake", None);
    assert_eq!(intake[0]["system"], "erp-link");
    for missing in intake[0]["missing"].as_array().unwrap() {
        assert!(html.contains(missing.as_str().unwrap()), "{missing}");
    }
    assert!(!html.contains("/intake/erp-link/facts") && !html.contains("Add to intake"));

    // Drills: the ransomware exercise names the real single point of failure of the backups.
    let (status, drill) = viewer_api.call("GET", "/drills/ransomware", None);
    assert_eq!(status, 200);
    let html = unescape(&page(base, &viewer, "/drills/ransomware"));
    for inject in drill["injects"].as_array().unwrap() {
        assert!(html.contains(inject["title"].as_str().unwrap()), "{inject}");
    }
    assert!(html.contains("Dana Whitfield, the only person who can administer Veeam"), "{html}");
    assert!(html.contains("HO-KEY-001") && !html.contains("Record the drill"));
    assert!(page(base, &viewer, "/drills").contains("/drills/key-person"));
    assert_eq!(viewer_api.call("GET", "/drills/earthquake", None).0, 404);
    assert!(page(base, &viewer, "/incidents").contains("No incidents recorded."));

    // A viewer changes nothing, by form or by API.
    let csrf = hidden_csrf(&dashboard);
    for (path, form) in [
        ("/intake/erp-link/waive-maintenance", vec![("reason", "x")]),
        ("/intake/erp-link/facts", vec![("technical_owners", "raj-patel")]),
        ("/intake", vec![("key", "x"), ("name", "X"), ("tier", "3"), ("requested_by", "raj-patel")]),
        ("/drills/ransomware/record", vec![("plan", "crisis-plan"), ("by", "tom-askew"), ("participants", "tom-askew")]),
        ("/incidents", vec![("key", "x"), ("title", "X"), ("by", "tom-askew")]),
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form);
        assert_eq!(send_form(agent().post(&format!("{base}{path}")).set("Cookie", &viewer), &fields).0, 403, "{path}");
    }
    let (status, body) = viewer_api.call("POST", "/incidents", Some(json!({"key": "x", "title": "X", "by": "tom-askew"})));
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(viewer_api.call("POST", "/intake/erp-link/accept", None).0, 403);
    assert!(viewer_api.call("GET", "/incidents", None).1.as_array().unwrap().is_empty());
}

#[test]
fn editors_work_intake_drills_and_incidents_and_each_step_is_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let (db, tokens) = demo_with_intake(dir.path());
    let server = Server::start(&db);
    let base = server.base.as_str();
    let admin = Api { base, token: &tokens["admin"] };
    let (_, session) = sign_in(base, "tom.askew@fernhill.example", "correct horse battery staple");
    let session = session.unwrap();
    let post = |path: &str, form: &[(&str, &str)]| {
        let html = page(base, &session, "/intake");
        let csrf = hidden_csrf(&html);
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        let (status, r) = send_form(agent().post(&format!("{base}{path}")).set("Cookie", &session), &fields);
        (status, r.header("location").map(str::to_string))
    };

    // Intake: the forms fill in what is missing; acceptance is refused until nothing is.
    assert!(page(base, &session, "/intake").contains("action=\"/intake/erp-link/facts\""));
    assert_eq!(post("/intake/erp-link/facts", &[("technical_owners", "raj-patel"), ("vendor", "brightpath-msp")]).0, 303);
    assert_eq!(post("/intake/erp-link/facts", &[("vendor", "no-such-vendor")]).0, 422, "validated like the CLI");
    let (status, body) = admin.call("POST", "/intake/erp-link/accept", None);
    assert_eq!((status, body["code"].as_str()), (422, Some("missing_field")), "{body}");
    assert_eq!(post("/intake/erp-link/waive-maintenance", &[("reason", "")]).0, 422);
    assert_eq!(post("/intake/erp-link/waive-maintenance", &[("reason", "BrightPath fixes it on time and materials")]).0, 303);
    let form = [
        ("patching_owner", "raj-patel"),
        ("patching_cadence", "monthly"),
        ("doc_title", "Runbook"),
        ("doc_url", "https://wiki.fernhill.example/erp-link"),
    ];
    assert_eq!(post("/intake/erp-link/facts", &form).0, 303);
    assert_eq!(admin.call("GET", "/intake", None).1[0]["missing"], json!([]));
    assert!(page(base, &session, "/intake").contains("nothing: ready to accept"));
    assert_eq!(post("/intake/erp-link/accept", &[]).0, 303);
    let (_, system) = admin.call("GET", "/records/systems/erp-link", None);
    assert_eq!(system["intake"]["status"], "accepted");
    assert_eq!(
        (system["intake"]["accepted_by"].as_str(), system["intake"]["no_maintenance"]["accepted_by"].as_str()),
        (Some("tom-askew"), Some("tom-askew"))
    );
    assert_eq!(admin.call("GET", "/intake?all=true", None).1[0]["status"], "accepted");

    // A drill recorded in the page is a review of the crisis plan.
    assert!(page(base, &session, "/drills/ransomware").contains("Record the drill"));
    let (status, location) = post(
        "/drills/ransomware/record",
        &[
            ("plan", "crisis-plan"),
            ("by", ""),
            ("participants", "tom-askew, raj-patel"),
            ("findings", "nobody else can restore Veeam\r\n"),
            ("follow_ups", "raj-patel: Veeam admin training by 2027-01-31"),
        ],
    );
    assert_eq!((status, location.as_deref()), (303, Some("/records/policy/crisis-plan")));
    let (_, policy) = admin.call("GET", "/records/policies/crisis-plan", None);
    let last = policy["reviews"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["reviewer"], "tom-askew");
    assert_eq!(
        last["notes"],
        "Tabletop drill (ransomware). Participants: tom-askew, raj-patel. Findings: nobody else can restore Veeam. Follow-ups: raj-patel: Veeam admin training by 2027-01-31."
    );
    let (status, body) = admin.call("POST", "/drills/breach/record", Some(json!({"plan": "crisis-plan", "participants": ["nobody"]})));
    assert_eq!((status, body["code"].as_str()), (404, Some("record_not_found")));

    // Incidents: opened in the page, logged in the page and by API, closed by API.
    let (status, location) = post(
        "/incidents",
        &[
            ("key", "ransom-2026-11"),
            ("title", "Ransomware on the file server"),
            ("scenario", "ransomware"),
            ("commander", "tom-askew"),
            ("systems", "file-server"),
            ("by", "raj-patel"),
            ("at", "2026-11-26T08:05"),
        ],
    );
    assert_eq!((status, location.as_deref()), (303, Some("/incidents/ransom-2026-11")));
    let (status, _) = post(
        "/incidents/ransom-2026-11/entries",
        &[("text", "Restore from last night's backup"), ("kind", "decision"), ("by", ""), ("at", "2026-11-26T09:00")],
    );
    assert_eq!(status, 303);
    assert_eq!(post("/incidents/ransom-2026-11/entries", &[("text", "too early"), ("at", "2026-11-26T07:00")]).0, 422);
    let (status, i) = admin.call(
        "POST",
        "/incidents/ransom-2026-11/entries",
        Some(json!({"text": "File server isolated", "kind": "action", "by": "raj-patel", "at": "2026-11-26T08:20"})),
    );
    assert_eq!(status, 200, "{i}");
    let html = unescape(&page(base, &session, "/incidents/ransom-2026-11"));
    assert!(
        html.contains("Restore from last night's backup") && html.contains("File server isolated") && html.contains("Add to the timeline")
    );
    let (_, i) = admin.call("GET", "/incidents/ransom-2026-11", None);
    let texts: Vec<&str> = i["timeline"].as_array().unwrap().iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Incident opened", "File server isolated", "Restore from last night's backup"]);
    assert_eq!((i["timeline"][0]["by"].as_str(), i["timeline"][2]["by"].as_str()), (Some("raj-patel"), Some("tom-askew")));
    let (status, i) =
        admin.call("POST", "/incidents/ransom-2026-11/close", Some(json!({"summary": "restored; no data lost", "at": "2026-11-26T16:30"})));
    assert_eq!((status, i["status"].as_str()), (200, Some("closed")), "{i}");
    let (status, body) = admin.call("POST", "/incidents/ransom-2026-11/entries", Some(json!({"text": "late"})));
    assert_eq!((status, body["code"].as_str()), (409, Some("conflict")));
    assert!(page(base, &session, "/incidents").contains("Ransomware on the file server"));
    assert_eq!(admin.call("GET", "/incidents", None).1[0]["key"], "ransom-2026-11");

    // Every step is an event with the web user as the actor.
    let out = common::handover(&db).args(["log", "--format", "json"]).output().unwrap();
    let events: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_web = |kind: &str, key: &str| {
        events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind && e["key"] == key && e["actor"] == "tom.askew@fernhill.example (web)")
            .count()
    };
    assert_eq!(by_web("system", "erp-link"), 4, "two fact forms, the waiver and the acceptance");
    assert_eq!(by_web("policy", "crisis-plan"), 1);
    assert_eq!(by_web("incident", "ransom-2026-11"), 4);
}
