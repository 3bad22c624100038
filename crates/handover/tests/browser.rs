//! The web UI in a real headless Chromium driven through chromedriver (Debian's
//! `chromium` and `chromium-driver`, which scripts/test installs): sign in, the dashboard,
//! the CTO's page, a hostile plan, a task ticked with evidence, a forged form refused,
//! a viewer who cannot edit, sign out. Screenshots of the main pages go to
//! `$HANDOVER_SCREENSHOTS` (the README's come from `docs/screenshots`) or a temporary dir.

mod common;

use common::{demo_with_users, Server};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// chromedriver and chromium, or why not.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| names.iter().map(PathBuf::from).find(|p| p.exists());
    let driver = find(&["/usr/bin/chromedriver"]);
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    match (driver, chromium) {
        (Some(d), Some(c)) => Some((d, c)),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true needs chromium and chromium-driver (scripts/test installs them)")
        }
        _ => {
            eprintln!("skipping the browser test: install Debian's chromium and chromium-driver (scripts/test does)");
            None
        }
    }
}

async fn connect(driver: &Path, chromium: &Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(driver).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let driver = Driver(child);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB"],
        }),
    );
    for _ in 0..100 {
        let builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        if let Ok(client) = builder {
            return (driver, client);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn shot(client: &Client, dir: &Path, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name} is not a PNG");
    std::fs::write(dir.join(name), png).unwrap();
}

async fn sign_in(client: &Client, base: &str, email: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    client.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys("correct horse battery staple").await.unwrap();
    client.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
}

/// Waits (up to five seconds) for a navigation to land on `path`: a click returns once the
/// browser has dispatched it, not when the next page has loaded.
async fn wait_for_path(client: &Client, path: &str) {
    for _ in 0..100 {
        if client.current_url().await.is_ok_and(|u| u.path() == path) && client.find(Locator::Css("footer")).await.is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the browser did not reach {path}; it is at {:?}", client.current_url().await.map(|u| u.to_string()));
}

/// Waits for the element to hold `needle`; its text then.
async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = client.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if t.contains(needle) {
                    return t;
                }
                last = t;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{css} never showed {needle:?}; last: {last}");
}

async fn text(client: &Client) -> String {
    client.find(Locator::Css("main")).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_person_signs_in_plans_a_departure_and_ticks_a_task_in_a_real_browser() {
    let Some((driver, chromium)) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let shots = std::env::var("HANDOVER_SCREENSHOTS").map(PathBuf::from).unwrap_or_else(|_| dir.path().join("shots"));
    std::fs::create_dir_all(&shots).unwrap();
    let (db, _) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let base = server.base.clone();
    let (_driver, client) = connect(&driver, &chromium).await;

    // Sign in lands on the dashboard, which names the CTO as the top departure risk.
    sign_in(&client, &base, "tom.askew@fernhill.example").await;
    wait_for_path(&client, "/").await;
    let dashboard = text(&client).await;
    assert!(dashboard.contains("Top departure risks") && dashboard.contains("Dana Whitfield"), "{dashboard}");
    shot(&client, &shots, "dashboard.png").await;

    // The CTO's page: what breaks if she leaves.
    client.goto(&format!("{base}/people")).await.unwrap();
    client.find(Locator::LinkText("Dana Whitfield")).await.unwrap().click().await.unwrap();
    wait_for_path(&client, "/people/dana-whitfield").await;
    let person = text(&client).await;
    assert!(person.contains("If Dana Whitfield left tomorrow") && person.contains("Systems left with no admin"), "{person}");
    shot(&client, &shots, "person.png").await;

    // A hostile plan from the form on her page.
    client.find(Locator::Id("mode")).await.unwrap().select_by_value("hostile").await.unwrap();
    client.execute("document.getElementById('leaving_at').value = '2026-12-04T16:00'", vec![]).await.unwrap();
    client.find(Locator::Css("form.create-plan button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&client, "/plans/dana-whitfield-2026-12-04").await;
    let plan = text(&client).await;
    assert!(plan.contains("Departure of Dana Whitfield") && plan.contains("hostile") && plan.contains("0 of"), "{plan}");

    // Tick the first task with evidence.
    client.find(Locator::Id("ev-1")).await.unwrap().send_keys("Runbook for Entra ID reviewed with Sanjay").await.unwrap();
    client.find(Locator::Css("#task-1 button[value=done]")).await.unwrap().click().await.unwrap();
    let task = wait_for_text(&client, "#task-1", "Runbook for Entra ID").await;
    assert!(
        task.contains("done") && task.contains("Runbook for Entra ID reviewed with Sanjay") && task.contains("tom.askew@fernhill.example"),
        "{task}"
    );
    assert!(text(&client).await.contains("1 of"));
    shot(&client, &shots, "plan.png").await;

    // A form whose CSRF token was tampered with is refused, and nothing changes.
    client.execute("document.querySelector('#task-2 input[name=csrf]').value = 'forged'", vec![]).await.unwrap();
    client.find(Locator::Id("ev-2")).await.unwrap().send_keys("should not land").await.unwrap();
    client.find(Locator::Css("#task-2 button[value=done]")).await.unwrap().click().await.unwrap();
    let refused = wait_for_text(&client, "main", "CSRF").await;
    assert!(refused.contains("CSRF") && refused.contains("[forbidden]"), "{refused}");
    client.goto(&format!("{base}/plans/dana-whitfield-2026-12-04")).await.unwrap();
    assert!(!text(&client).await.contains("should not land"));

    // An upload is previewed, then confirmed, and lands on the system's page.
    let ldif = Path::new(env!("CARGO_MANIFEST_DIR")).join("../handover-import/tests/fixtures/ldif/quillstone.ldif").canonicalize().unwrap();
    client.goto(&format!("{base}/imports")).await.unwrap();
    client.find(Locator::Id("source")).await.unwrap().select_by_value("ldif").await.unwrap();
    client.find(Locator::Id("system")).await.unwrap().select_by_value("github").await.unwrap();
    client.find(Locator::Id("file")).await.unwrap().send_keys(&ldif.display().to_string()).await.unwrap();
    client.find(Locator::Css("form.import button[type=submit]")).await.unwrap().click().await.unwrap();
    let preview = wait_for_text(&client, "main", "Preview: ldif into github").await;
    assert!(preview.contains("+ account github/oliver"), "{preview}");
    shot(&client, &shots, "import-preview.png").await;
    client.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&client, "/systems/github").await;
    client.goto(&format!("{base}/records/account/github/oliver")).await.unwrap();
    assert!(text(&client).await.contains("oliver (account)"), "the imported account has its page");

    for (path, name) in [("/findings?severity=critical", "findings.png"), ("/systems", "systems.png"), ("/log", "log.png")] {
        client.goto(&format!("{base}{path}")).await.unwrap();
        shot(&client, &shots, name).await;
    }
    // On a phone-sized screen the dashboard still lays out in one column.
    client.set_window_size(390, 844).await.unwrap();
    client.goto(&format!("{base}/")).await.unwrap();
    shot(&client, &shots, "dashboard-phone.png").await;
    client.set_window_size(1280, 900).await.unwrap();

    // Sign out, then a viewer sees the CTO's page without any form to change it.
    client.find(Locator::Css("form.logout button")).await.unwrap().click().await.unwrap();
    wait_for_path(&client, "/login").await;
    client.goto(&format!("{base}/")).await.unwrap();
    wait_for_path(&client, "/login").await;
    sign_in(&client, &base, "viewer@example.com").await;
    wait_for_path(&client, "/").await;
    client.goto(&format!("{base}/people/dana-whitfield")).await.unwrap();
    assert!(text(&client).await.contains("If Dana Whitfield left tomorrow"));
    assert!(client.find(Locator::Id("leaving_at")).await.is_err(), "a viewer gets no plan form");
    client.goto(&format!("{base}/plans/dana-whitfield-2026-12-04")).await.unwrap();
    assert!(client.find(Locator::Id("ev-2")).await.is_err(), "a viewer gets no evidence form");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn an_editor_follows_due_from_the_navigation_and_records_a_drill_in_a_real_browser() {
    let Some((driver, chromium)) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = demo_with_users(dir.path());
    let server = Server::start(&db);
    let base = server.base.as_str();
    let (_driver, client) = connect(&driver, &chromium).await;
    sign_in(&client, base, "tom.askew@fernhill.example").await;
    wait_for_path(&client, "/").await;

    client.find(Locator::Css("nav a[href='/due']")).await.unwrap().click().await.unwrap();
    wait_for_path(&client, "/due").await;
    let due = text(&client).await;
    assert!(due.contains("Domain registrar login for fernhill.example") && due.contains("Succession gaps"), "{due}");

    client.goto(&format!("{base}/drills/ransomware")).await.unwrap();
    wait_for_text(&client, "main", "the only person who can administer Veeam").await;
    client.find(Locator::Id("participants")).await.unwrap().send_keys("tom-askew,raj-patel").await.unwrap();
    client.find(Locator::Id("findings")).await.unwrap().send_keys("nobody else can restore Veeam").await.unwrap();
    client.find(Locator::Css("form.drill-record button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&client, "/records/policy/crisis-plan").await;
    wait_for_text(&client, "main", "Tabletop drill (ransomware)").await;
    client.close().await.unwrap();
}
