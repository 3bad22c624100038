//! The store against real databases: a SQLite file always, and a PostgreSQL database on
//! the server `scripts/test` starts (`HANDOVER_TEST_PG_URL`; required under `CI=true`).
//! Every test runs on each backend.

use handover_core::{Inventory, Kind, Level, Record};
use handover_store::{EventFilter, Location, Store, StoreError};
use serde_json::json;

/// Fresh, empty store locations, one per backend available.
fn fresh(dir: &tempfile::TempDir, name: &str) -> Vec<Location> {
    let mut out = vec![Location::Sqlite(dir.path().join(format!("{name}.db")))];
    match std::env::var("HANDOVER_TEST_PG_URL") {
        Ok(admin) => {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
            let db = format!("s_{}_{nanos}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            out.push(Location::Postgres(handover_store::create_postgres_database(&admin, &db).unwrap()));
        }
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("CI=true needs HANDOVER_TEST_PG_URL (scripts/test sets it)"),
        Err(_) => eprintln!("skipping PostgreSQL: HANDOVER_TEST_PG_URL is not set (scripts/test starts a server)"),
    }
    out
}

/// Runs SQL directly against the database, as someone with file or superuser access.
fn raw_sql(at: &Location, sql: &str) -> Result<(), String> {
    match at {
        Location::Sqlite(path) => rusqlite::Connection::open(path).unwrap().execute_batch(sql).map_err(|e| e.to_string()),
        Location::Postgres(url) => postgres::Client::connect(url, postgres::NoTls).unwrap().batch_execute(sql).map_err(|e| e.to_string()),
    }
}

fn rec(kind: Kind, v: serde_json::Value) -> Record {
    Record::from_json(kind, v).unwrap()
}

fn sample() -> Inventory {
    let mut inv = Inventory::new();
    inv.insert(rec(Kind::Person, json!({"key": "ann", "name": "Ann", "email": "ann@example.com", "manager": "bob"})));
    inv.insert(rec(Kind::Person, json!({"key": "bob", "name": "Bob"})));
    inv.insert(rec(Kind::System, json!({"key": "erp", "name": "ERP", "tier": 1, "owner": "ann"})));
    inv.insert(rec(Kind::Account, json!({"system": "erp", "name": "ann", "person": "ann"})));
    inv.insert(rec(Kind::Grant, json!({"account": "erp/ann", "privilege": "Administrator", "level": "admin"})));
    inv
}

fn store_with_sample(at: &Location) -> Box<dyn Store> {
    let mut store = at.open().unwrap();
    let changes = Inventory::new().diff(&sample(), &Kind::ALL);
    store.apply(&changes, "test").unwrap();
    store
}

#[test]
fn round_trips_an_inventory_and_logs_every_change() {
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "h") {
        let store = store_with_sample(&at);
        assert_eq!(store.load().unwrap(), sample());
        assert_eq!(store.counts().unwrap()[&Kind::Person], 2);
        assert_eq!(store.events(&EventFilter::default()).unwrap().len(), 5);
        let v = store.verify_log().unwrap();
        assert_eq!((v.verified, v.first_broken), (5, None));
        // Reopening runs no migration twice and sees the same data.
        drop(store);
        let store = at.open().unwrap();
        assert_eq!(store.schema_version().unwrap(), latest_schema(&at));
        assert_eq!(store.load().unwrap(), sample());
    }
}

#[test]
fn stale_writes_conflict_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "h") {
        let mut store = store_with_sample(&at);
        let seen = store.load().unwrap();
        let mut a = seen.clone();
        a.insert(rec(Kind::Person, json!({"key": "bob", "name": "Robert"})));
        let mut b = seen.clone();
        b.insert(rec(Kind::Person, json!({"key": "bob", "name": "Bobby"})));
        b.insert(rec(Kind::Person, json!({"key": "cy", "name": "Cy"})));
        store.apply(&seen.diff(&a, &Kind::ALL), "a").unwrap();
        let err = store.apply(&seen.diff(&b, &Kind::ALL), "b").unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        let now = store.load().unwrap();
        assert_eq!(now, a, "the losing writer must not have written anything");
        assert_eq!(store.events(&EventFilter::default()).unwrap().len(), 6);
    }
}

#[test]
fn removing_a_referenced_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "h") {
        let mut store = store_with_sample(&at);
        let seen = store.load().unwrap();
        let mut target = seen.clone();
        target.remove(Kind::Account, "erp/ann");
        let err = store.apply(&seen.diff(&target, &Kind::ALL), "test").unwrap_err();
        assert!(matches!(err, StoreError::InUse(_)), "{err}");
        assert_eq!(store.load().unwrap(), seen);
    }
}

#[test]
fn events_filter_by_record() {
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "h") {
        let store = store_with_sample(&at);
        let events = store.events(&EventFilter { kind: Some("person".into()), key: Some("ann".into()), limit: None }).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].draft.key, "ann");
        let last_two = store.events(&EventFilter { limit: Some(2), ..Default::default() }).unwrap();
        assert_eq!(last_two.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 5]);
    }
}

#[test]
fn the_event_log_refuses_sql_edits_and_detects_file_edits() {
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "h") {
        drop(store_with_sample(&at));
        assert!(raw_sql(&at, "UPDATE events SET actor = 'mallory' WHERE seq = 3").is_err(), "the append-only trigger must refuse updates");
        assert!(raw_sql(&at, "DELETE FROM events WHERE seq = 5").is_err(), "and deletions");
        let drop_trigger = match at {
            Location::Sqlite(_) => "DROP TRIGGER events_no_update",
            Location::Postgres(_) => "DROP TRIGGER events_no_change ON events",
        };
        raw_sql(&at, &format!("{drop_trigger}; UPDATE events SET actor = 'mallory' WHERE seq = 3;")).unwrap();
        let store = at.open().unwrap();
        let v = store.verify_log().unwrap();
        assert_eq!(v.verified, 2);
        assert_eq!(v.first_broken.unwrap().seq, 3);
    }
}

#[test]
fn create_all_streams_in_any_order_and_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (at, other) in fresh(&dir, "h").into_iter().zip(fresh(&dir, "other")) {
        let mut store = at.open().unwrap();
        // Reverse order: every reference points forward and must be resolved at the end.
        let records: Vec<Record> = sample().into_creations().changes.into_iter().rev().filter_map(|c| c.after).collect();
        let applied = store.create_all(&mut records.clone().into_iter(), "bulk").unwrap();
        assert_eq!(applied.changes, 5);
        assert_eq!(store.load().unwrap(), sample());
        assert_eq!(store.verify_log().unwrap().verified, 5);

        let mut store = other.open().unwrap();
        let mut bad = records.clone();
        bad.push(rec(Kind::System, json!({"key": "crm", "name": "CRM", "tier": 2, "owner": "nobody"})));
        let err = store.create_all(&mut bad.into_iter(), "bulk").unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        assert!(store.load().unwrap().is_empty(), "nothing may be written");
        let mut invalid = records;
        invalid.push(rec(Kind::System, json!({"key": "x", "name": "X", "tier": 9})));
        let err = store.create_all(&mut invalid.into_iter(), "bulk").unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        assert!(store.load().unwrap().is_empty());
        assert_eq!(store.events(&EventFilter::default()).unwrap().len(), 0);
        drop(store);
        // A bulk write into an empty SQLite store builds its indexes (and counts its grants)
        // at the end: after a failure the indexes and triggers are all still there, and
        // after a success too.
        if let Location::Sqlite(path) = &other {
            let indexes = || {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name").unwrap();
                stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<Vec<_>, _>>().unwrap()
            };
            let before = indexes();
            for wanted in
                ["events_record", "refs_to", "grants_account", "grant_levels_insert", "grant_levels_update", "grant_levels_delete"]
            {
                assert!(before.iter().any(|i| i == wanted), "{wanted} in {before:?}");
            }
            let mut store = other.open().unwrap();
            store.create_all(&mut sample().into_creations().changes.into_iter().filter_map(|c| c.after), "bulk").unwrap();
            drop(store);
            assert_eq!(indexes(), before);
        }
    }
}

#[test]
fn users_sessions_and_tokens_keep_only_hashes_and_log_user_changes() {
    use handover_core::{ApiToken, Session, User, UserRole};
    use handover_store::Users;
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "u") {
        let mut store = store_with_sample(&at);
        let mut u = User {
            email: "ann@example.com".into(),
            role: UserRole::Editor,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            person: Some("ann".into()),
            disabled: false,
            created_at: "2026-11-26T00:00:00Z".into(),
        };
        store.put_user(&u, "admin (cli)").unwrap();
        assert_eq!(store.user("ann@example.com").unwrap().as_ref(), Some(&u));
        let s = Session {
            token_hash: "h1".into(),
            email: u.email.clone(),
            created_at: "2026-11-26T00:00:00Z".into(),
            expires_at: "2099-01-01T00:00:00Z".into(),
        };
        store.create_session(&s).unwrap();
        assert_eq!(store.session("h1").unwrap(), Some((s.clone(), u.clone())));
        let t = ApiToken {
            id: "abc".into(),
            secret_hash: "sh".into(),
            email: u.email.clone(),
            role: UserRole::Viewer,
            name: "ci".into(),
            created_at: "2026-11-26T00:00:00Z".into(),
            expires_at: None,
        };
        store.put_token(&t, "admin (cli)").unwrap();
        assert_eq!(store.token("abc").unwrap().map(|(t, u)| (t.role, u.email)), Some((UserRole::Viewer, "ann@example.com".into())));

        // A role change ends the sessions; the token stays (its role is capped by the user's).
        u.role = UserRole::Viewer;
        store.put_user(&u, "admin (cli)").unwrap();
        assert_eq!(store.session("h1").unwrap(), None);

        // Every change to a user or token is in the chain, without any hash.
        let events: Vec<_> = store
            .events(&EventFilter::default())
            .unwrap()
            .into_iter()
            .filter(|e| e.draft.kind != "person" && e.draft.kind != "system" && e.draft.kind != "account" && e.draft.kind != "grant")
            .collect();
        let what: Vec<(String, String)> = events.iter().map(|e| (e.draft.kind.clone(), e.draft.action.to_string())).collect();
        assert_eq!(what, [("user".into(), "create".into()), ("api_token".into(), "create".into()), ("user".into(), "update".into())]);
        for e in &events {
            let text = format!("{:?}{:?}", e.draft.before, e.draft.after);
            assert!(!text.contains("argon2") && !text.contains("\"sh\""), "{text}");
        }
        assert_eq!(store.verify_log().unwrap().first_broken, None);

        assert!(store.remove_token("abc", "admin (cli)").unwrap());
        assert!(store.remove_user("ann@example.com", "admin (cli)").unwrap());
        assert!(!store.remove_user("ann@example.com", "admin (cli)").unwrap());
        assert_eq!(store.users().unwrap(), vec![]);
        assert_eq!(store.verify_log().unwrap().verified, 5 + 5);
    }
}

#[test]
fn backups_carry_users_and_tokens_but_not_sessions() {
    use handover_core::{ApiToken, Session, User, UserRole};
    use handover_store::Users;
    let dir = tempfile::tempdir().unwrap();
    let sources = fresh(&dir, "bu-src");
    let targets = fresh(&dir, "bu-dst");
    for (src, dst) in sources.iter().zip(&targets) {
        let mut store = store_with_sample(src);
        let u = User {
            email: "ann@example.com".into(),
            role: UserRole::Admin,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            person: Some("ann".into()),
            disabled: false,
            created_at: "2026-11-26T00:00:00Z".into(),
        };
        store.put_user(&u, "test").unwrap();
        let t = ApiToken {
            id: "tok1".into(),
            secret_hash: "f00d".into(),
            email: u.email.clone(),
            role: UserRole::Viewer,
            name: "ci".into(),
            created_at: "2026-11-26T00:00:00Z".into(),
            expires_at: Some("2027-01-01T00:00:00Z".into()),
        };
        store.put_token(&t, "test").unwrap();
        store
            .create_session(&Session { token_hash: "s".into(), email: u.email.clone(), created_at: "x".into(), expires_at: "y".into() })
            .unwrap();
        let mut file = Vec::new();
        let end = handover_store::backup::write(store.as_ref(), &mut file, "2026-11-26T00:00:00Z").unwrap();
        assert_eq!((end.users, end.tokens), (1, 1));
        let mut copy = dst.open().unwrap();
        let (restored, _) = handover_store::backup::restore(copy.as_mut(), "b", file.as_slice()).unwrap();
        assert_eq!((restored.users, restored.tokens), (1, 1));
        assert_eq!(copy.user("ann@example.com").unwrap(), Some(u.clone()));
        assert_eq!(copy.token("tok1").unwrap(), Some((t.clone(), u.clone())));
        assert_eq!(copy.session("s").unwrap(), None, "sessions stay behind: everyone signs in again");
        assert_eq!(copy.verify_log().unwrap(), store.verify_log().unwrap());
    }
}

#[test]
fn the_analysis_load_folds_grants_but_keeps_those_a_review_revokes() {
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "a") {
        let mut want = sample();
        want.insert(rec(Kind::Grant, json!({"account": "erp/ann", "privilege": "Reports", "level": "read"})));
        want.insert(rec(Kind::Account, json!({"system": "erp", "name": "bob", "person": "bob"})));
        want.insert(rec(Kind::Grant, json!({"account": "erp/bob", "privilege": "Ledger", "level": "write"})));
        want.insert(rec(
            Kind::Review,
            json!({"key": "q4", "name": "Q4", "scope": "system:erp", "reviewer_rule": "owner", "started": "2026-11-01", "due": "2026-12-01",
                   "items": [
                       {"access": "erp/ann/Reports", "account": "erp/ann", "level": "read", "decision": "revoke"},
                       {"access": "erp/bob/Ledger", "account": "erp/bob", "level": "write", "decision": "keep"}]}),
        ));
        let mut store = at.open().unwrap();
        store.apply(&Inventory::new().diff(&want, &Kind::ALL), "test").unwrap();

        let full = store.load().unwrap();
        assert_eq!(full, want);
        let (inv, digest) = store.load_for_analysis().unwrap();
        // The digest says what the grants said…
        assert_eq!(digest, handover_core::GrantDigest::of(&full));
        assert_eq!(digest.count, 3);
        assert_eq!((digest.highest("erp/ann"), digest.highest("erp/bob")), (Some(Level::Admin), Some(Level::Write)));
        // …the grant a review revokes is still a record, the others are not, and every other record is as loaded in full.
        assert_eq!(inv.grants().map(|g| g.privilege.as_str()).collect::<Vec<_>>(), ["Reports"]);
        for kind in Kind::ALL.into_iter().filter(|k| *k != Kind::Grant) {
            assert_eq!(inv.of(kind).collect::<Vec<_>>(), full.of(kind).collect::<Vec<_>>(), "{kind}");
        }
    }
}

/// SQLite keeps grants in a table of their own since v4; PostgreSQL is at v3.
fn latest_schema(at: &Location) -> i64 {
    match at {
        Location::Sqlite(_) => 5,
        Location::Postgres(_) => 3,
    }
}

/// The digest analysis reads (`grant_levels`) against the grants themselves.
fn assert_digest_matches(store: &dyn Store, step: &str) {
    let (_, digest) = store.load_without_grants().unwrap();
    assert_eq!(digest, handover_core::GrantDigest::of(&store.load().unwrap()), "after {step}");
}

#[test]
fn the_grant_digest_follows_every_write() {
    let dir = tempfile::tempdir().unwrap();
    for (at, bulk) in fresh(&dir, "d").into_iter().zip(fresh(&dir, "dbulk")) {
        let grant = |account: &str, privilege: &str, level: &str| {
            rec(Kind::Grant, json!({"account": account, "privilege": privilege, "level": level}))
        };
        let mut store = at.open().unwrap();
        let mut inv = sample();
        inv.insert(rec(Kind::Account, json!({"system": "erp", "name": "bob", "person": "bob"})));
        for (p, l) in [("Ledger", "write"), ("Reports", "read"), ("Close", "read")] {
            inv.insert(grant("erp/bob", p, l));
        }
        store.apply(&Inventory::new().diff(&inv, &Kind::ALL), "t").unwrap();
        assert_digest_matches(store.as_ref(), "creating");
        // A level goes up, a grant goes, the only admin grant goes down.
        let mut next = inv.clone();
        next.insert(grant("erp/bob", "Ledger", "admin"));
        next.remove(Kind::Grant, "erp/bob/Reports");
        next.insert(grant("erp/ann", "Administrator", "read"));
        store.apply(&inv.diff(&next, &Kind::ALL), "t").unwrap();
        assert_digest_matches(store.as_ref(), "updating and deleting");
        let (_, digest) = store.load_without_grants().unwrap();
        assert_eq!((digest.highest("erp/bob"), digest.highest("erp/ann"), digest.count), (Some(Level::Admin), Some(Level::Read), 3));
        // An account and all its grants go: nothing of it is left.
        let mut last = next.clone();
        for key in ["erp/bob/Ledger", "erp/bob/Close"] {
            last.remove(Kind::Grant, key);
        }
        last.remove(Kind::Account, "erp/bob");
        store.apply(&next.diff(&last, &Kind::ALL), "t").unwrap();
        assert_digest_matches(store.as_ref(), "removing an account");
        assert_eq!(store.load_without_grants().unwrap().1.highest("erp/bob"), None);
        // A change set that fails changes no count.
        let mut bad = last.clone();
        bad.insert(grant("erp/ann", "Extra", "admin"));
        bad.insert(rec(Kind::System, json!({"key": "crm", "name": "CRM", "tier": 2, "owner": "nobody"})));
        assert!(store.apply(&last.diff(&bad, &Kind::ALL), "t").is_err());
        assert_digest_matches(store.as_ref(), "a failed apply");

        // A bulk write into an empty store counts without its triggers; a second one, into
        // a store no longer empty, with them.
        // Grants in privilege order, so an account's grants come apart in the stream.
        let mut stream: Vec<Record> = inv.clone().into_creations().changes.into_iter().filter_map(|c| c.after).collect();
        stream.push(grant("erp/ann", "Minutes", "read"));
        stream.sort_by_key(|r| match r {
            Record::Grant(g) => (1, g.privilege.clone()),
            _ => (0, String::new()),
        });
        let mut other = bulk.open().unwrap();
        other.create_all(&mut stream.into_iter(), "bulk").unwrap();
        assert_digest_matches(other.as_ref(), "a bulk write into an empty store");
        let more = vec![
            rec(Kind::Account, json!({"system": "erp", "name": "cy"})),
            grant("erp/cy", "Ledger", "write"),
            grant("erp/bob", "Audit", "admin"),
        ];
        other.create_all(&mut more.into_iter(), "bulk").unwrap();
        assert_digest_matches(other.as_ref(), "a bulk write into a store with records");
        drop(other);

        // A backup restored elsewhere, and a store made before the digest existed (its
        // migration counts the grants already there).
        let backup = {
            let mut out = Vec::new();
            handover_store::backup::write(store.as_ref(), &mut out, "2026-11-26T00:00:00Z").unwrap();
            out
        };
        let restored_at = fresh(&dir, "drestored").into_iter().find(|l| std::mem::discriminant(l) == std::mem::discriminant(&at)).unwrap();
        let mut restored = restored_at.open().unwrap();
        handover_store::backup::restore(restored.as_mut(), "t", backup.as_slice()).unwrap();
        assert_digest_matches(restored.as_ref(), "a restore");
        drop(store);
        let back_to_v2 = match at {
            // Records back in a rowid table (before v5) and grants back among them with a
            // reference row each (before v4).
            Location::Sqlite(_) => {
                "PRAGMA foreign_keys = OFF; \
                 DROP TRIGGER grant_levels_insert; DROP TRIGGER grant_levels_update; DROP TRIGGER grant_levels_delete; DROP VIEW grant_level_deltas; DROP TABLE grant_levels; \
                 CREATE TABLE records_v1 (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, \
                     created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (kind, key)); \
                 INSERT INTO records_v1 (id, kind, key, body, created_at, updated_at) SELECT id, kind, key, body, created_at, updated_at FROM records ORDER BY id; \
                 DROP TABLE records; ALTER TABLE records_v1 RENAME TO records; \
                 INSERT INTO records (kind, key, body, created_at, updated_at) SELECT 'grant', key, body, created_at, updated_at FROM grants; \
                 INSERT INTO refs (from_id, field, to_id) SELECT r.id, 'account', g.account_id FROM grants AS g JOIN records AS r ON r.kind = 'grant' AND r.key = g.key; \
                 DROP TABLE grants;"
            }
            Location::Postgres(_) => "DROP TRIGGER grant_levels_change ON records; DROP FUNCTION handover_grant_levels(); DROP TABLE grant_levels;",
        };
        raw_sql(&at, &format!("{back_to_v2} DELETE FROM schema_migrations WHERE version >= 3;")).unwrap();
        let store = at.open().unwrap();
        assert_eq!(store.schema_version().unwrap(), latest_schema(&at));
        assert_eq!(store.load().unwrap(), restored.load().unwrap(), "the migrations keep every record");
        assert_digest_matches(store.as_ref(), "migrating a store with grants");
        assert_eq!(store.load_without_grants().unwrap().1.highest("erp/ann"), Some(Level::Read));
    }
}

#[test]
fn a_change_set_larger_than_the_store_builds_its_indexes_once_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    for at in fresh(&dir, "large") {
        let mut store = store_with_sample(&at);
        let schema = |at: &Location| -> Vec<String> {
            let Location::Sqlite(path) = at else { return Vec::new() };
            let conn = rusqlite::Connection::open(path).unwrap();
            let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name").unwrap();
            stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<Vec<_>, _>>().unwrap()
        };
        let before_schema = schema(&at);
        let current = store.load().unwrap();
        // A first import of a directory: far more accounts than the store holds, each a
        // member of a group created in the same change set.
        let mut next = current.clone();
        next.insert(rec(Kind::Account, json!({"system": "erp", "name": "cn=staff", "kind": "group"})));
        next.insert(rec(Kind::Grant, json!({"account": "erp/cn=staff", "privilege": "member of staff", "level": "read"})));
        for i in 0..1500 {
            next.insert(rec(Kind::Account, json!({"system": "erp", "name": format!("u{i}"), "member_of": ["erp/cn=staff"]})));
        }
        // One dangling reference fails the whole set: nothing is written, nothing is lost.
        let mut broken = next.clone();
        broken.insert(rec(Kind::Account, json!({"system": "erp", "name": "x", "person": "nobody"})));
        let changes = current.diff(&broken, &Kind::ALL);
        assert!(store.apply(&changes, "import").is_err());
        assert_eq!(store.load().unwrap(), current);
        assert_eq!(schema(&at), before_schema);

        store.apply(&current.diff(&next, &Kind::ALL), "import").unwrap();
        assert_eq!(store.load().unwrap(), next);
        assert_eq!(schema(&at), before_schema, "the indexes are built again in the same transaction");
        assert_eq!(store.verify_log().unwrap().first_broken, None);
        assert_digest_matches(store.as_ref(), "a large import");
        // The references were written: the group cannot go while its members name it.
        let mut without_group = next.clone();
        without_group.remove(Kind::Grant, "erp/cn=staff/member of staff");
        without_group.remove(Kind::Account, "erp/cn=staff");
        let err = store.apply(&Inventory::diff(&next, &without_group, &Kind::ALL), "t").unwrap_err();
        assert!(matches!(err, StoreError::InUse(_)), "{err}");
    }
}
