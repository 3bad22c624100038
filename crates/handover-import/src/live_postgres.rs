//! Live PostgreSQL: reads roles, memberships and privileges from a server's `pg_catalog`
//! into a [`Catalog`], which [`crate::pg_access`] maps. Network IO, like
//! [`crate::live_ldap`]; nothing else here does any.
//!
//! - **What the importing role needs**: LOGIN, and CONNECT on each database inspected
//!   (PUBLIC has CONNECT by default). Nothing else — no superuser, no `pg_monitor`, no
//!   `pg_read_all_settings`, nothing on the tables: `pg_roles`, `pg_auth_members`,
//!   `pg_database`, `pg_namespace`, `pg_class` and `pg_shdescription` are readable by every
//!   role. `rolpassword` (and `pg_authid`, which holds it) is never read.
//! - **Databases**: roles and memberships belong to the whole server, but schemas and
//!   tables can only be seen from inside their database. The URL's database is inspected,
//!   or instead each `--database NAME` (one connection each, same server and role);
//!   database-level privileges are read for exactly those databases.
//! - Each connection reads in one read-only REPEATABLE READ transaction, so its rows are one
//!   consistent snapshot; tables are counted per schema and privilege by the server
//!   (`aclexplode`), so a database of 100,000 tables costs a few hundred rows.
//! - No TLS (`NoTls`, as the PostgreSQL store): use a loopback address, a Unix socket
//!   (`postgres://user@%2Fvar%2Frun%2Fpostgresql/db`) or an SSH tunnel; a server that
//!   requires TLS refuses the connection.
//! - PostgreSQL 10 and later (`relispartition`); `inherit_option`/`set_option` are read
//!   where they exist (16 and later).

use crate::pg_access::{AclEntry, Catalog, DatabaseRow, MembershipRow, RoleRow, SchemaRow, TableOwnersRow, TablesRow};
use postgres::error::SqlState;
use postgres::{Client, Config, IsolationLevel, NoTls, Transaction};
use std::time::Duration;

pub struct PostgresSource<'a> {
    /// `postgres://user[:password]@host[:port]/database`
    pub url: &'a str,
    /// Overrides a password in the URL.
    pub password: Option<&'a str>,
    /// Databases whose schemas and tables to read; empty: the URL's.
    pub databases: &'a [String],
}

/// What went wrong, without the server's address (the caller names it, password redacted).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PgFetchError(pub String);

/// The driver's message with its cause (its `Display` alone says only "db error"), and what
/// to do when the role lacks a privilege.
fn explain(what: &str, e: &postgres::Error) -> PgFetchError {
    let detail = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    };
    let hint = if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
        " (the importing role needs LOGIN and CONNECT on each database, and read access to pg_catalog, which every role has unless revoked)"
    } else {
        ""
    };
    PgFetchError(format!("{what}: {detail}{hint}"))
}

fn connect(config: &Config, database: &str) -> Result<Client, PgFetchError> {
    let mut config = config.clone();
    config.dbname(database);
    config.connect(NoTls).map_err(|e| explain(&format!("cannot connect to database {database:?}"), &e))
}

fn snapshot(client: &mut Client) -> Result<Transaction<'_>, postgres::Error> {
    client.build_transaction().read_only(true).isolation_level(IsolationLevel::RepeatableRead).start()
}

/// Reads the roles, memberships and the named databases' privileges.
pub fn fetch(src: &PostgresSource) -> Result<Catalog, PgFetchError> {
    let mut config: Config = src
        .url
        .parse()
        .map_err(|e: postgres::Error| PgFetchError(format!("not a PostgreSQL URL (postgres://user@host:port/database): {e}")))?;
    if let Some(p) = src.password {
        config.password(p);
    }
    config.connect_timeout(Duration::from_secs(10)).application_name("handover import");
    let url_db = config.get_dbname().or(config.get_user()).unwrap_or("postgres").to_string();
    let mut targets: Vec<String> = if src.databases.is_empty() { vec![url_db.clone()] } else { src.databases.to_vec() };
    targets.sort();
    targets.dedup();

    let mut client = connect(&config, &url_db)?;
    let mut catalog = {
        let mut tx = snapshot(&mut client).map_err(|e| explain("cannot start a read-only transaction", &e))?;
        let catalog = Catalog {
            roles: roles(&mut tx).map_err(|e| explain("reading pg_roles", &e))?,
            memberships: memberships(&mut tx).map_err(|e| explain("reading pg_auth_members", &e))?,
            databases: databases(&mut tx, &targets).map_err(|e| explain("reading pg_database", &e))?,
        };
        tx.commit().map_err(|e| explain("ending the read-only transaction", &e))?;
        catalog
    };
    if let Some(missing) = targets.iter().find(|t| !catalog.databases.iter().any(|d| &d.name == *t)) {
        return Err(PgFetchError(format!("there is no database {missing:?} (`psql -l` lists them)")));
    }
    for db in &mut catalog.databases {
        let mut other;
        let client = if db.name == url_db {
            &mut client
        } else {
            other = connect(&config, &db.name)?;
            &mut other
        };
        inspect(client, db).map_err(|e| explain(&format!("reading the schemas and tables of database {:?}", db.name), &e))?;
    }
    Ok(catalog)
}

fn roles(tx: &mut Transaction) -> Result<Vec<RoleRow>, postgres::Error> {
    let rows = tx.query(
        "SELECT r.oid, r.rolname::text, r.rolcanlogin, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, \
         r.rolconnlimit, \
         CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN NULL \
              WHEN r.rolvaliduntil = '-infinity' THEN '-infinity' \
              ELSE to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD') END, \
         shobj_description(r.oid, 'pg_authid') \
         FROM pg_catalog.pg_roles r ORDER BY r.oid",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| RoleRow {
            oid: r.get(0),
            name: r.get(1),
            login: r.get(2),
            superuser: r.get(3),
            create_role: r.get(4),
            create_db: r.get(5),
            replication: r.get(6),
            bypass_rls: r.get(7),
            conn_limit: r.get(8),
            valid_until: r.get(9),
            comment: r.get(10),
        })
        .collect())
}

fn memberships(tx: &mut Transaction) -> Result<Vec<MembershipRow>, postgres::Error> {
    let options: i64 = tx
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = 'pg_catalog.pg_auth_members'::regclass \
             AND attname IN ('inherit_option', 'set_option') AND NOT attisdropped",
            &[],
        )?
        .get(0);
    let columns = if options == 2 { "m.inherit_option, m.set_option" } else { "NULL::bool, NULL::bool" };
    let rows = tx.query(&format!("SELECT m.roleid, m.member, m.admin_option, {columns} FROM pg_catalog.pg_auth_members m"), &[])?;
    Ok(rows
        .iter()
        .map(|r| MembershipRow { role: r.get(0), member: r.get(1), admin_option: r.get(2), inherit_option: r.get(3), set_option: r.get(4) })
        .collect())
}

fn acl_entry(r: &postgres::Row, first: usize) -> Option<AclEntry> {
    let grantee: Option<u32> = r.get(first);
    grantee.map(|grantee| AclEntry { grantee, privilege: r.get(first + 1), grantable: r.get(first + 2) })
}

/// The named databases with their owners and ACLs (a NULL ACL is the default one).
fn databases(tx: &mut Transaction, names: &[String]) -> Result<Vec<DatabaseRow>, postgres::Error> {
    let rows = tx.query(
        "SELECT d.datname::text, d.datdba, a.grantee, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_database d \
         LEFT JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a ON true \
         WHERE d.datname::text = ANY($1) ORDER BY 1",
        &[&names],
    )?;
    let mut out: Vec<DatabaseRow> = Vec::new();
    for r in &rows {
        let name: String = r.get(0);
        if out.last().is_none_or(|d| d.name != name) {
            out.push(DatabaseRow { name, owner: r.get(1), ..DatabaseRow::default() });
        }
        if let (Some(d), Some(a)) = (out.last_mut(), acl_entry(r, 2)) {
            d.acl.push(a);
        }
    }
    Ok(out)
}

/// Schemas (not the system's own) and their tables' privileges, counted per schema by the
/// server. Partitions are left out: access through the parent is checked on the parent.
const TABLES: &str = "WITH t AS (SELECT c.oid, n.nspname::text AS schema, c.relowner, c.relacl \
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition \
     AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema')";

fn inspect(client: &mut Client, db: &mut DatabaseRow) -> Result<(), postgres::Error> {
    let mut tx = snapshot(client)?;
    let rows = tx.query(
        "SELECT n.nspname::text, n.nspowner, a.grantee, a.privilege_type, a.is_grantable \
         FROM pg_catalog.pg_namespace n \
         LEFT JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a ON true \
         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1",
        &[],
    )?;
    for r in &rows {
        let name: String = r.get(0);
        if db.schemas.last().is_none_or(|s| s.name != name) {
            db.schemas.push(SchemaRow { name, owner: r.get(1), acl: Vec::new() });
        }
        if let (Some(s), Some(a)) = (db.schemas.last_mut(), acl_entry(r, 2)) {
            s.acl.push(a);
        }
    }
    let owners = tx.query(&format!("{TABLES} SELECT schema, relowner, count(*) FROM t GROUP BY 1, 2 ORDER BY 1, 2"), &[])?;
    db.table_owners = owners.iter().map(|r| TableOwnersRow { schema: r.get(0), owner: r.get(1), tables: r.get(2) }).collect();
    let privileges = tx.query(
        &format!(
            "{TABLES} SELECT t.schema, a.grantee, a.privilege_type, bool_or(a.is_grantable), count(DISTINCT t.oid) \
             FROM t CROSS JOIN LATERAL aclexplode(coalesce(t.relacl, acldefault('r', t.relowner))) a \
             WHERE a.grantee <> t.relowner GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        &[],
    )?;
    db.tables = privileges
        .iter()
        .map(|r| TablesRow { schema: r.get(0), grantee: r.get(1), privilege: r.get(2), grantable: r.get(3), tables: r.get(4) })
        .collect();
    tx.commit()
}
