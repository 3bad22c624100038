//! PostgreSQL roles, memberships and privileges — rows of `pg_catalog`, read by
//! [`crate::live_postgres`] — → accounts, groups and grants of one system. Pure: the rows
//! are plain structs, so tests build them by hand.
//!
//! What counts as what:
//! - a **login role** (`rolcanlogin`) is an account named as the role: kind `service` when
//!   it has REPLICATION without SUPERUSER (a standby or backup tool) or a word of its name
//!   (split on `_`, `-`, `.`) is one of [`SERVICE_WORDS`] (`app`, `svc`, `etl`, `backup` …);
//!   kind `shared` for the bootstrap superuser (oid 10, `postgres` on most installations:
//!   whoever administers the server uses it); `personal` otherwise. **Disabled** when
//!   `rolvaliduntil` passed before today (UTC; an account expiring today still counts) or
//!   its connection limit is 0 (`CONNECTION LIMIT 0`; superusers are exempt from it).
//!   `COMMENT ON ROLE` text with an e-mail address gives the e-mail hint that links the
//!   account to a person (otherwise the role name is matched as a username or e-mail).
//! - a **NOLOGIN role** is a `group` account named `role:NAME` (so `ALTER ROLE x NOLOGIN`
//!   shows as `x` removed and `role:x` added). PostgreSQL's predefined roles (`pg_monitor`,
//!   `pg_read_all_data` …) are imported only when an imported role is a member or they hold a
//!   privilege; `pg_database_owner` never is — what it holds is the database owner's.
//! - **PUBLIC** (every role) is the group `role:public` (no role can be named `public`),
//!   holding what is granted to PUBLIC; every login account is its member.
//! - **memberships** (`pg_auth_members`) are `member_of` edges, so members inherit the
//!   group's grants — attributes included, since a member may `SET ROLE` to the group and
//!   use them. On PostgreSQL 16 and later a membership granted with neither INHERIT nor SET
//!   gives no access and no edge. `WITH ADMIN OPTION` (the member may grant the role to
//!   others) is a grant `role NAME WITH ADMIN OPTION` on the member.
//! - **grants**, one per role and object, listing its privileges in PostgreSQL's words
//!   (`*` marks one held WITH GRANT OPTION, as PostgreSQL's own ACL notation does):
//!   - role attributes: `SUPERUSER`, `CREATEROLE`, `CREATEDB`, `BYPASSRLS`, `REPLICATION`;
//!   - `database D: CONNECT, CREATE, TEMPORARY` and `owner of database D`;
//!   - `schema D.S: USAGE, CREATE` and `owner of schema D.S`;
//!   - `tables in D.S: SELECT, INSERT …` — privileges held on every table of the schema —
//!     and `some tables in D.S: …` — privileges held on some of them; `owner of tables in
//!     D.S` for a role owning any. "Tables" are tables, views, materialised views and
//!     foreign tables; partitions are left out (access through their parent is checked on
//!     the parent).
//!   - `predefined role pg_…` on the predefined role's group.
//!
//!   An owner's own ACL entries are left out: ownership implies them (an owner can grant
//!   itself back whatever it revoked).
//!
//! Why tables are summarised per schema: a real database has thousands of tables, and one
//! grant per table and role would be tens of thousands of records that change whenever a
//! migration adds a table, while the questions handover answers — who can change the data
//! of this system, who must hand over, whose access must go — are answered at the schema:
//! "writes the tables of `shop.sales`". The per-table ACL stays in the database; the
//! `some tables` form says when a summary would otherwise overstate.
//!
//! **Levels** are data, in [`level`]: SUPERUSER, CREATEROLE (a role that can create roles
//! can grant itself any role but superuser), BYPASSRLS, REPLICATION (reads every byte of the
//! cluster), owning a database and CREATE on a database (schemas, and trusted extensions)
//! are admin, as are `pg_execute_server_program`, `pg_read_server_files` and
//! `pg_write_server_files` (PostgreSQL's documentation warns they lead to superuser);
//! INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, MAINTAIN, CREATE on a schema, owning a schema
//! or tables, CREATEDB, ADMIN OPTION, `pg_write_all_data`, `pg_signal_backend`,
//! `pg_create_subscription` and `pg_maintain` are write; SELECT, REFERENCES, USAGE, CONNECT,
//! TEMPORARY and the other predefined roles are read. A grant's level is the highest of its
//! privileges'.
//!
//! A **grant** in the summary is a direct account→entitlement edge: a membership or a
//! direct grant. Passwords (`rolpassword`) are never read.

use crate::reconcile::{Hints, Imported};
use handover_core::{Account, AccountKind, AccountStatus, Grant, Level};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The grantee oid `aclexplode` gives PUBLIC.
pub const PUBLIC: u32 = 0;
/// The account PUBLIC's grants land on (`public` is a reserved role name, so no role has it).
pub const PUBLIC_ACCOUNT: &str = "role:public";
/// The role `initdb` creates.
const BOOTSTRAP_SUPERUSER: u32 = 10;
/// Oids below this are the system's own (`FirstNormalObjectId`).
const FIRST_NORMAL_OID: u32 = 16384;

/// Words in a login role's name that make it a service account.
pub const SERVICE_WORDS: [&str; 22] = [
    "app",
    "application",
    "svc",
    "service",
    "bot",
    "etl",
    "backup",
    "replica",
    "replicator",
    "repl",
    "replication",
    "monitor",
    "monitoring",
    "exporter",
    "api",
    "cron",
    "worker",
    "batch",
    "job",
    "ci",
    "deploy",
    "migrations",
];

/// A `pg_roles` row, without `rolpassword`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleRow {
    pub oid: u32,
    pub name: String,
    pub login: bool,
    pub superuser: bool,
    pub create_role: bool,
    pub create_db: bool,
    pub replication: bool,
    pub bypass_rls: bool,
    /// `rolconnlimit`: -1 is no limit.
    pub conn_limit: i32,
    /// `rolvaliduntil` as a UTC date (`YYYY-MM-DD`), `-infinity`, or `None` (no limit).
    pub valid_until: Option<String>,
    /// `COMMENT ON ROLE`.
    pub comment: Option<String>,
}

/// A `pg_auth_members` row. `inherit_option`/`set_option` exist from PostgreSQL 16 on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipRow {
    /// The group (`roleid`).
    pub role: u32,
    pub member: u32,
    pub admin_option: bool,
    pub inherit_option: Option<bool>,
    pub set_option: Option<bool>,
}

/// One `aclexplode` row: a privilege held by a role (or [`PUBLIC`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AclEntry {
    pub grantee: u32,
    pub privilege: String,
    pub grantable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaRow {
    pub name: String,
    pub owner: u32,
    pub acl: Vec<AclEntry>,
}

/// One privilege of one grantee over a schema's tables: on how many of them it is held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TablesRow {
    pub schema: String,
    pub grantee: u32,
    pub privilege: String,
    /// Held WITH GRANT OPTION on at least one of them.
    pub grantable: bool,
    pub tables: i64,
}

/// How many of a schema's tables one role owns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOwnersRow {
    pub schema: String,
    pub owner: u32,
    pub tables: i64,
}

/// A database: its ACL (from `pg_database`) and, as seen when connected to it, its schemas
/// and tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatabaseRow {
    pub name: String,
    pub owner: u32,
    pub acl: Vec<AclEntry>,
    pub schemas: Vec<SchemaRow>,
    pub tables: Vec<TablesRow>,
    pub table_owners: Vec<TableOwnersRow>,
}

/// Everything read from one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub roles: Vec<RoleRow>,
    pub memberships: Vec<MembershipRow>,
    pub databases: Vec<DatabaseRow>,
}

/// What a privilege is on, for [`level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// A role attribute (`SUPERUSER` …).
    Attribute,
    /// A membership's `ADMIN OPTION`.
    Membership,
    Database,
    Schema,
    Tables,
    /// Membership of a predefined role, by its name.
    Predefined,
}

/// The whole level rule set (module doc): the level `privilege` (`OWNER` for ownership)
/// gives on what it is `on`. Anything not listed is read.
pub fn level(on: On, privilege: &str) -> Level {
    use Level::{Admin, Read, Write};
    use On::*;
    const RULES: &[(On, &str, Level)] = &[
        (Attribute, "SUPERUSER", Admin),
        (Attribute, "CREATEROLE", Admin),
        (Attribute, "BYPASSRLS", Admin),
        (Attribute, "REPLICATION", Admin),
        (Attribute, "CREATEDB", Write),
        (Membership, "ADMIN OPTION", Write),
        (Database, "OWNER", Admin),
        (Database, "CREATE", Admin),
        (Database, "CONNECT", Read),
        (Database, "TEMPORARY", Read),
        (Schema, "OWNER", Write),
        (Schema, "CREATE", Write),
        (Schema, "USAGE", Read),
        (Tables, "OWNER", Write),
        (Tables, "INSERT", Write),
        (Tables, "UPDATE", Write),
        (Tables, "DELETE", Write),
        (Tables, "TRUNCATE", Write),
        (Tables, "TRIGGER", Write),
        (Tables, "MAINTAIN", Write),
        (Tables, "SELECT", Read),
        (Tables, "REFERENCES", Read),
        (Predefined, "pg_execute_server_program", Admin),
        (Predefined, "pg_read_server_files", Admin),
        (Predefined, "pg_write_server_files", Admin),
        (Predefined, "pg_write_all_data", Write),
        (Predefined, "pg_signal_backend", Write),
        (Predefined, "pg_create_subscription", Write),
        (Predefined, "pg_maintain", Write),
        (Predefined, "pg_read_all_data", Read),
    ];
    RULES.iter().find(|(o, p, _)| *o == on && p.eq_ignore_ascii_case(privilege)).map_or(Read, |r| r.2)
}

/// The order privileges are listed in (others follow alphabetically).
const ORDER: [&str; 12] =
    ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN", "USAGE", "CREATE", "CONNECT", "TEMPORARY"];

/// `P1, P2*` and the highest level among them.
fn privilege_list(on: On, privileges: &BTreeMap<String, bool>) -> (String, Level) {
    let mut names: Vec<(&String, &bool)> = privileges.iter().collect();
    names.sort_by_key(|(p, _)| (ORDER.iter().position(|o| o == p).unwrap_or(ORDER.len()), p.as_str()));
    let text = names.iter().map(|(p, g)| if **g { format!("{p}*") } else { p.to_string() }).collect::<Vec<_>>().join(", ");
    let top = names.iter().map(|(p, _)| level(on, p)).max().unwrap_or(Level::Read);
    (text, top)
}

fn is_predefined(r: &RoleRow) -> bool {
    r.oid < FIRST_NORMAL_OID && r.name.starts_with("pg_")
}

fn kind_of(r: &RoleRow) -> AccountKind {
    if r.oid == BOOTSTRAP_SUPERUSER {
        AccountKind::Shared
    } else if r.name.contains('@') {
        AccountKind::Personal
    } else if (r.replication && !r.superuser)
        || r.name.split(['_', '-', '.']).any(|w| SERVICE_WORDS.contains(&w.to_ascii_lowercase().as_str()))
    {
        AccountKind::Service
    } else {
        AccountKind::Personal
    }
}

/// Whether a login role's validity ended before `today`; `Err` for a value that is no date.
fn expired(valid_until: Option<&str>, today: Date) -> Result<bool, String> {
    match valid_until.map(str::trim) {
        None | Some("infinity") => Ok(false),
        Some("-infinity") => Ok(true),
        Some(d) => d.parse::<Date>().map(|d| d < today).map_err(|_| format!("{d:?} is not a date")),
    }
}

/// An e-mail address and a display name from a role's comment
/// (`Ada Lovelace <ada@example.com>`).
fn comment_hints(comment: Option<&str>) -> Hints {
    let Some(c) = comment else { return Hints::default() };
    let punctuation = |ch: char| ch.is_whitespace() || "<>()[],;:\"'".contains(ch);
    let email = c
        .split(punctuation)
        .find(|w| w.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.') && !domain.ends_with('.')))
        .map(str::to_string);
    let rest = email.as_deref().map_or_else(|| c.to_string(), |e| c.replacen(e, "", 1));
    let name = rest.trim_matches(|ch: char| punctuation(ch) || ch == '-').trim();
    Hints { email, display_name: (!name.is_empty() && name.chars().count() <= 100).then(|| name.to_string()) }
}

/// Grants by holder and privilege text; the same grant found twice keeps the higher level.
#[derive(Default)]
struct Grants(BTreeMap<(u32, String), Level>);

impl Grants {
    fn add(&mut self, who: u32, privilege: String, level: Level) {
        let l = self.0.entry((who, privilege)).or_insert(level);
        *l = (*l).max(level);
    }
}

/// Privileges by grantee, skipping the owner's own entries.
fn by_grantee<'a>(
    entries: impl Iterator<Item = (u32, &'a str, bool)>,
    resolve: &impl Fn(u32) -> Option<u32>,
    owner: Option<u32>,
    unknown: &mut usize,
) -> BTreeMap<u32, BTreeMap<String, bool>> {
    let mut out: BTreeMap<u32, BTreeMap<String, bool>> = BTreeMap::new();
    for (grantee, privilege, grantable) in entries {
        let Some(who) = resolve(grantee) else {
            *unknown += 1;
            continue;
        };
        if Some(who) == owner || privilege.trim().is_empty() {
            continue;
        }
        let g = out.entry(who).or_default().entry(privilege.trim().to_ascii_uppercase()).or_insert(false);
        *g |= grantable;
    }
    out
}

/// Maps what was read from one server to the records of `system`.
pub fn to_records(system: &str, catalog: &Catalog, today: Date) -> Imported {
    let mut out = Imported::default();
    // Roles by oid, each with its account name; the first of two same-named ones is kept.
    let mut roles: BTreeMap<u32, &RoleRow> = BTreeMap::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::from([PUBLIC_ACCOUNT.to_string()]);
    for r in &catalog.roles {
        if r.oid == PUBLIC || r.name.trim().is_empty() || roles.contains_key(&r.oid) {
            out.warnings.push(format!("role oid {} ({:?}) read twice, or nameless; skipped", r.oid, r.name));
            continue;
        }
        let name = if r.login { r.name.clone() } else { format!("role:{}", r.name) };
        if !taken.insert(name.clone()) {
            out.warnings.push(format!("role {:?} would be account {name:?}, which another role already is; skipped", r.name));
            continue;
        }
        roles.insert(r.oid, r);
        names.insert(r.oid, name);
    }
    let db_owner_role = roles.values().find(|r| is_predefined(r) && r.name == "pg_database_owner").map(|r| r.oid);
    let mut unknown = 0usize;
    let mut grants = Grants::default();

    for r in roles.values() {
        for (has, attribute) in [
            (r.superuser, "SUPERUSER"),
            (r.create_role, "CREATEROLE"),
            (r.create_db, "CREATEDB"),
            (r.bypass_rls, "BYPASSRLS"),
            (r.replication, "REPLICATION"),
        ] {
            if has {
                grants.add(r.oid, attribute.to_string(), level(On::Attribute, attribute));
            }
        }
    }

    for db in &catalog.databases {
        let known = |oid: u32| (oid == PUBLIC || roles.contains_key(&oid)).then_some(oid);
        let db_owner = known(db.owner);
        // pg_database_owner stands for the owner of the database it is used in.
        let resolve = |oid: u32| if Some(oid) == db_owner_role { db_owner } else { known(oid) };
        let d = &db.name;
        match db_owner {
            Some(o) => grants.add(o, format!("owner of database {d}"), level(On::Database, "OWNER")),
            None => unknown += 1,
        }
        let entries = db.acl.iter().map(|a| (a.grantee, a.privilege.as_str(), a.grantable));
        for (who, privileges) in by_grantee(entries, &resolve, db_owner, &mut unknown) {
            let (list, l) = privilege_list(On::Database, &privileges);
            grants.add(who, format!("database {d}: {list}"), l);
        }
        for s in &db.schemas {
            let owner = resolve(s.owner);
            match owner {
                Some(o) => grants.add(o, format!("owner of schema {d}.{}", s.name), level(On::Schema, "OWNER")),
                None => unknown += 1,
            }
            let entries = s.acl.iter().map(|a| (a.grantee, a.privilege.as_str(), a.grantable));
            for (who, privileges) in by_grantee(entries, &resolve, owner, &mut unknown) {
                let (list, l) = privilege_list(On::Schema, &privileges);
                grants.add(who, format!("schema {d}.{}: {list}", s.name), l);
            }
        }
        let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
        for o in &db.table_owners {
            *totals.entry(o.schema.as_str()).or_default() += o.tables.max(0);
            match resolve(o.owner) {
                Some(who) if o.tables > 0 => grants.add(who, format!("owner of tables in {d}.{}", o.schema), level(On::Tables, "OWNER")),
                Some(_) => {}
                None => unknown += 1,
            }
        }
        // (schema, grantee) → (privileges on every table, privileges on some).
        type Split = (BTreeMap<String, bool>, BTreeMap<String, bool>);
        let mut tables: BTreeMap<(&str, u32), Split> = BTreeMap::new();
        for t in &db.tables {
            let Some(who) = resolve(t.grantee) else {
                unknown += 1;
                continue;
            };
            if t.tables <= 0 || t.privilege.trim().is_empty() {
                continue;
            }
            let (all, some) = tables.entry((t.schema.as_str(), who)).or_default();
            let every = t.tables >= totals.get(t.schema.as_str()).copied().unwrap_or(0);
            let g = (if every { all } else { some }).entry(t.privilege.trim().to_ascii_uppercase()).or_insert(false);
            *g |= t.grantable;
        }
        for ((schema, who), (all, some)) in tables {
            for (prefix, privileges) in [("tables", all), ("some tables", some)] {
                if !privileges.is_empty() {
                    let (list, l) = privilege_list(On::Tables, &privileges);
                    grants.add(who, format!("{prefix} in {d}.{schema}: {list}"), l);
                }
            }
        }
    }

    // Memberships that give access, as member → groups.
    let mut edges: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for m in &catalog.memberships {
        let (Some(group), Some(_)) = (roles.get(&m.role), roles.get(&m.member)) else {
            unknown += 1;
            continue;
        };
        if Some(m.role) == db_owner_role || m.role == m.member {
            continue;
        }
        // Before PostgreSQL 16 (no options) every member may SET ROLE to the group.
        if m.inherit_option.unwrap_or(true) || m.set_option.unwrap_or(true) {
            edges.entry(m.member).or_default().insert(m.role);
        }
        if m.admin_option {
            grants.add(m.member, format!("role {} WITH ADMIN OPTION", group.name), level(On::Membership, "ADMIN OPTION"));
        }
    }

    // Every role but the predefined ones; those only when something makes them matter.
    let mut included: BTreeSet<u32> = roles.values().filter(|r| !is_predefined(r)).map(|r| r.oid).collect();
    included.extend(grants.0.keys().map(|(who, _)| *who));
    loop {
        let before = included.len();
        let reached: Vec<u32> = edges.iter().filter(|(m, _)| included.contains(m)).flat_map(|(_, gs)| gs.iter().copied()).collect();
        included.extend(reached);
        if included.len() == before {
            break;
        }
    }
    if let Some(o) = db_owner_role {
        included.remove(&o);
    }
    for oid in &included {
        if let Some(r) = roles.get(oid).filter(|r| is_predefined(r)) {
            grants.add(r.oid, format!("predefined role {}", r.name), level(On::Predefined, &r.name));
        }
    }
    let public = included.contains(&PUBLIC);

    let mut accounts: Vec<(Account, Hints)> = Vec::with_capacity(included.len());
    for oid in &included {
        let Some(r) = roles.get(oid) else {
            accounts.push((Account::new(system, PUBLIC_ACCOUNT, AccountKind::Group), Hints::default()));
            continue;
        };
        let name = &names[oid];
        let mut member_of: BTreeSet<String> =
            edges.get(oid).into_iter().flatten().filter(|g| included.contains(g)).map(|g| Account::key_of(system, &names[g])).collect();
        if !r.login {
            let mut group = Account::new(system, name, AccountKind::Group);
            group.member_of = member_of.into_iter().collect();
            accounts.push((group, Hints::default()));
            continue;
        }
        if public {
            member_of.insert(Account::key_of(system, PUBLIC_ACCOUNT));
        }
        let expired = expired(r.valid_until.as_deref(), today).unwrap_or_else(|e| {
            out.warnings.push(format!("role {:?}: valid until {e}; taken as not expired", r.name));
            false
        });
        let disabled = expired || (r.conn_limit == 0 && !r.superuser);
        let mut account = Account::new(system, name, kind_of(r));
        account.status = if disabled { AccountStatus::Disabled } else { AccountStatus::Active };
        account.member_of = member_of.into_iter().collect();
        accounts.push((account, comment_hints(r.comment.as_deref())));
    }
    accounts.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    out.accounts = accounts;
    let account_name = |oid: u32| if oid == PUBLIC { Some(PUBLIC_ACCOUNT) } else { names.get(&oid).map(String::as_str) };
    for ((who, privilege), level) in grants.0 {
        if let Some(name) = account_name(who).filter(|_| included.contains(&who)) {
            out.grants.push(Grant { account: Account::key_of(system, name), privilege, level, via: None });
        }
    }
    if unknown > 0 {
        out.warnings.push(format!("{unknown} privileges, owners or memberships name a role the server did not list (left out)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::reconcile;
    use handover_core::{Inventory, Record, System};
    use proptest::prelude::*;

    fn role(oid: u32, name: &str, login: bool) -> RoleRow {
        RoleRow { oid, name: name.into(), login, conn_limit: -1, ..RoleRow::default() }
    }

    fn acl(grantee: u32, privilege: &str) -> AclEntry {
        AclEntry { grantee, privilege: privilege.into(), grantable: false }
    }

    fn today() -> Date {
        Date::constant(2026, 11, 26)
    }

    /// A PostgreSQL 15 server much like a fresh one with an application on it.
    fn catalog() -> Catalog {
        Catalog {
            roles: vec![
                RoleRow {
                    superuser: true,
                    create_role: true,
                    create_db: true,
                    replication: true,
                    bypass_rls: true,
                    ..role(10, "postgres", true)
                },
                role(3373, "pg_monitor", false),
                role(3374, "pg_read_all_settings", false),
                role(4571, "pg_execute_server_program", false),
                role(6171, "pg_database_owner", false),
                role(16384, "shop_owner", false),
                role(16385, "app_rw", false),
                RoleRow { comment: Some("Ada Lovelace <ada@example.com>".into()), ..role(16386, "ada", true) },
                role(16387, "shop_app", true),
                RoleRow { valid_until: Some("2020-01-01".into()), ..role(16388, "gone", true) },
                RoleRow { conn_limit: 0, ..role(16389, "locked", true) },
                RoleRow { create_role: true, ..role(16390, "hr_admin", true) },
                RoleRow { valid_until: Some("2026-11-26".into()), ..role(16391, "expires_today", true) },
            ],
            memberships: vec![
                MembershipRow { role: 16385, member: 16386, ..MembershipRow::default() },
                MembershipRow { role: 16385, member: 16387, admin_option: true, ..MembershipRow::default() },
                MembershipRow { role: 3373, member: 16387, ..MembershipRow::default() },
                MembershipRow { role: 3374, member: 3373, ..MembershipRow::default() },
            ],
            databases: vec![DatabaseRow {
                name: "shop".into(),
                owner: 16384,
                acl: vec![acl(PUBLIC, "CONNECT"), acl(PUBLIC, "TEMPORARY"), acl(16384, "CREATE"), acl(16384, "CONNECT")],
                schemas: vec![
                    SchemaRow {
                        name: "public".into(),
                        owner: 6171,
                        acl: vec![acl(6171, "USAGE"), acl(6171, "CREATE"), acl(PUBLIC, "USAGE")],
                    },
                    SchemaRow {
                        name: "sales".into(),
                        owner: 16384,
                        acl: vec![acl(16384, "USAGE"), acl(16385, "USAGE"), acl(16390, "CREATE")],
                    },
                ],
                tables: vec![
                    TablesRow { schema: "sales".into(), grantee: 16385, privilege: "INSERT".into(), grantable: false, tables: 3 },
                    TablesRow { schema: "sales".into(), grantee: 16385, privilege: "SELECT".into(), grantable: false, tables: 3 },
                    TablesRow { schema: "sales".into(), grantee: 16385, privilege: "DELETE".into(), grantable: false, tables: 1 },
                    TablesRow { schema: "sales".into(), grantee: 16389, privilege: "SELECT".into(), grantable: true, tables: 1 },
                ],
                table_owners: vec![TableOwnersRow { schema: "sales".into(), owner: 16384, tables: 3 }],
            }],
        }
    }

    fn grants_of(imported: &Imported, account: &str) -> Vec<(String, Level)> {
        imported.grants.iter().filter(|g| g.account == format!("pg/{account}")).map(|g| (g.privilege.clone(), g.level)).collect()
    }

    #[test]
    fn roles_memberships_and_privileges_map_to_accounts_and_levels() {
        let imported = to_records("pg", &catalog(), today());
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
        let accounts: Vec<(&str, AccountKind, AccountStatus, Vec<&str>)> = imported
            .accounts
            .iter()
            .map(|(a, _)| (a.name.as_str(), a.kind, a.status, a.member_of.iter().map(String::as_str).collect()))
            .collect();
        use AccountKind::*;
        use AccountStatus::*;
        assert_eq!(
            accounts,
            vec![
                ("ada", Personal, Active, vec!["pg/role:app_rw", "pg/role:public"]),
                ("expires_today", Personal, Active, vec!["pg/role:public"]),
                ("gone", Personal, Disabled, vec!["pg/role:public"]),
                ("hr_admin", Personal, Active, vec!["pg/role:public"]),
                ("locked", Personal, Disabled, vec!["pg/role:public"]),
                ("postgres", Shared, Active, vec!["pg/role:public"]),
                ("role:app_rw", Group, Active, vec![]),
                ("role:pg_monitor", Group, Active, vec!["pg/role:pg_read_all_settings"]),
                ("role:pg_read_all_settings", Group, Active, vec![]),
                ("role:public", Group, Active, vec![]),
                ("role:shop_owner", Group, Active, vec![]),
                ("shop_app", Service, Active, vec!["pg/role:app_rw", "pg/role:pg_monitor", "pg/role:public"]),
            ]
        );
        let ada = &imported.accounts[0].1;
        assert_eq!(ada.email.as_deref(), Some("ada@example.com"));
        assert_eq!(ada.display_name.as_deref(), Some("Ada Lovelace"));
        use Level::*;
        let s = |p: &str, l: Level| (p.to_string(), l);
        assert_eq!(
            grants_of(&imported, "postgres"),
            vec![s("BYPASSRLS", Admin), s("CREATEDB", Write), s("CREATEROLE", Admin), s("REPLICATION", Admin), s("SUPERUSER", Admin)]
        );
        assert_eq!(grants_of(&imported, "hr_admin"), vec![s("CREATEROLE", Admin), s("schema shop.sales: CREATE", Write)]);
        assert_eq!(
            grants_of(&imported, "role:app_rw"),
            vec![
                s("schema shop.sales: USAGE", Read),
                s("some tables in shop.sales: DELETE", Write),
                s("tables in shop.sales: SELECT, INSERT", Write)
            ]
        );
        assert_eq!(grants_of(&imported, "locked"), vec![s("some tables in shop.sales: SELECT*", Read)]);
        assert_eq!(grants_of(&imported, "shop_app"), vec![s("role app_rw WITH ADMIN OPTION", Write)]);
        // The owner's own entries are implied by ownership; pg_database_owner is the owner.
        assert_eq!(
            grants_of(&imported, "role:shop_owner"),
            vec![
                s("owner of database shop", Admin),
                s("owner of schema shop.public", Write),
                s("owner of schema shop.sales", Write),
                s("owner of tables in shop.sales", Write)
            ]
        );
        assert_eq!(
            grants_of(&imported, "role:public"),
            vec![s("database shop: CONNECT, TEMPORARY", Read), s("schema shop.public: USAGE", Read)]
        );
        assert_eq!(grants_of(&imported, "role:pg_monitor"), vec![s("predefined role pg_monitor", Read)]);
        assert!(!imported
            .accounts
            .iter()
            .any(|(a, _)| a.name.contains("pg_execute_server_program") || a.name.contains("pg_database_owner")));
    }

    #[test]
    fn postgresql_16_membership_options_decide_the_edge() {
        let mut c = catalog();
        c.memberships = vec![
            MembershipRow { role: 16385, member: 16386, inherit_option: Some(false), set_option: Some(true), ..MembershipRow::default() },
            MembershipRow { role: 16385, member: 16387, admin_option: true, inherit_option: Some(false), set_option: Some(false) },
            MembershipRow { role: 4571, member: 16390, inherit_option: Some(true), set_option: Some(false), ..MembershipRow::default() },
        ];
        let imported = to_records("pg", &c, today());
        let member_of = |name: &str| imported.accounts.iter().find(|(a, _)| a.name == name).map(|(a, _)| a.member_of.clone()).unwrap();
        assert_eq!(member_of("ada"), vec!["pg/role:app_rw", "pg/role:public"], "SET alone still reaches the group");
        assert_eq!(member_of("shop_app"), vec!["pg/role:public"], "neither INHERIT nor SET: no access");
        assert_eq!(grants_of(&imported, "shop_app"), vec![("role app_rw WITH ADMIN OPTION".to_string(), Level::Write)]);
        assert_eq!(member_of("hr_admin"), vec!["pg/role:pg_execute_server_program", "pg/role:public"]);
        assert_eq!(
            grants_of(&imported, "role:pg_execute_server_program"),
            vec![("predefined role pg_execute_server_program".into(), Level::Admin)]
        );
        assert!(!imported.accounts.iter().any(|(a, _)| a.name == "role:pg_monitor"), "no member left");
    }

    #[test]
    fn level_rules_are_the_documented_ones() {
        assert_eq!(level(On::Attribute, "SUPERUSER"), Level::Admin);
        assert_eq!(level(On::Database, "CREATE"), Level::Admin);
        assert_eq!(level(On::Schema, "CREATE"), Level::Write);
        assert_eq!(level(On::Tables, "truncate"), Level::Write);
        assert_eq!(level(On::Tables, "SELECT"), Level::Read);
        assert_eq!(level(On::Predefined, "pg_write_server_files"), Level::Admin);
        assert_eq!(level(On::Predefined, "pg_stat_scan_tables"), Level::Read);
        assert_eq!(level(On::Tables, "SOMETHING NEW"), Level::Read);
    }

    #[test]
    fn kinds_dates_and_comments() {
        assert_eq!(kind_of(&role(20000, "billing_svc", true)), AccountKind::Service);
        assert_eq!(kind_of(&RoleRow { replication: true, ..role(20000, "standby", true) }), AccountKind::Service);
        assert_eq!(kind_of(&role(20000, "appleby", true)), AccountKind::Personal, "whole words only");
        assert_eq!(kind_of(&role(20000, "etl@example.com", true)), AccountKind::Personal);
        assert_eq!(expired(Some("-infinity"), today()), Ok(true));
        assert_eq!(expired(Some("infinity"), today()), Ok(false));
        assert!(expired(Some("soon"), today()).is_err());
        assert_eq!(comment_hints(Some("reporting, owned by ben@example.com")).email.as_deref(), Some("ben@example.com"));
        assert_eq!(comment_hints(Some("no address @ all")), Hints { email: None, display_name: Some("no address @ all".into()) });
    }

    #[test]
    fn unknown_oids_and_clashing_names_are_warnings() {
        let mut c = catalog();
        c.roles.push(role(16400, "role:app_rw", true));
        c.memberships.push(MembershipRow { role: 99999, member: 16386, ..MembershipRow::default() });
        let imported = to_records("pg", &c, today());
        assert_eq!(imported.warnings.len(), 2, "{:?}", imported.warnings);
    }

    fn arb_catalog() -> impl Strategy<Value = Catalog> {
        let oid = prop_oneof![Just(0u32), Just(10), Just(3373), Just(6171), 16384u32..16392];
        let name = "(pg_|app|_|svc|role:|public|@|a|b|\\.){0,4}";
        let privilege = prop_oneof![Just("SELECT"), Just("CREATE"), Just("USAGE"), Just("OWNER"), Just(""), Just("x")];
        let roles = prop::collection::vec(
            (
                oid.clone(),
                name,
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                -2i32..3,
                prop::option::of("(2020-01-01|-infinity|infinity|x|)"),
            ),
            0..12,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(oid, name, login, superuser, replication, conn_limit, valid_until)| RoleRow {
                    oid,
                    name,
                    login,
                    superuser,
                    replication,
                    conn_limit,
                    valid_until,
                    comment: Some("X <x@y.z>".into()),
                    ..RoleRow::default()
                })
                .collect::<Vec<_>>()
        });
        let acl = prop::collection::vec((oid.clone(), privilege.clone(), any::<bool>()), 0..6).prop_map(|v| {
            v.into_iter().map(|(grantee, p, grantable)| AclEntry { grantee, privilege: p.into(), grantable }).collect::<Vec<_>>()
        });
        let memberships = prop::collection::vec(
            (oid.clone(), oid.clone(), any::<bool>(), prop::option::of(any::<bool>()), prop::option::of(any::<bool>())),
            0..8,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(role, member, admin_option, inherit_option, set_option)| MembershipRow {
                    role,
                    member,
                    admin_option,
                    inherit_option,
                    set_option,
                })
                .collect::<Vec<_>>()
        });
        let schema = "(public|s|)";
        let database = (
            "(d|e|)",
            oid.clone(),
            acl.clone(),
            prop::collection::vec((schema, oid.clone(), acl), 0..3),
            prop::collection::vec((schema, oid.clone(), privilege, any::<bool>(), -1i64..4), 0..6),
            prop::collection::vec((schema, oid, -1i64..4), 0..3),
        )
            .prop_map(|(name, owner, acl, schemas, tables, owners)| DatabaseRow {
                name,
                owner,
                acl,
                schemas: schemas.into_iter().map(|(name, owner, acl)| SchemaRow { name, owner, acl }).collect(),
                tables: tables
                    .into_iter()
                    .map(|(schema, grantee, p, grantable, tables)| TablesRow { schema, grantee, privilege: p.into(), grantable, tables })
                    .collect(),
                table_owners: owners.into_iter().map(|(schema, owner, tables)| TableOwnersRow { schema, owner, tables }).collect(),
            });
        (roles, memberships, prop::collection::vec(database, 0..3)).prop_map(|(roles, memberships, databases)| Catalog {
            roles,
            memberships,
            databases,
        })
    }

    proptest! {
        /// Whatever a server answers, the mapping does not panic and its records form a valid
        /// inventory (every grant's account and every membership target exists).
        #[test]
        fn never_panics_and_always_validates(catalog in arb_catalog()) {
            let imported = to_records("pg", &catalog, today());
            let mut inv = Inventory::new();
            inv.insert(Record::System(Box::new(System {
                key: "pg".into(),
                name: "PostgreSQL".into(),
                kind: Default::default(),
                tier: 1,
                description: None,
                tags: vec![],
                owner: None,
                technical_owners: vec![],
                vendor: None,
                docs: vec![],
                rto: None,
                rpo: None,
                maintenance_contract: None,
                patching: None,
                depends_on: vec![],
                intake: None,
            })));
            let done = reconcile(&inv, "pg", imported);
            let problems = done.target.validate();
            prop_assert!(problems.is_empty(), "{:?}", problems);
        }
    }
}
