//! `handover import SOURCE …`: parse, reconcile with what the store knows of the system,
//! validate, and write in one transaction.

use super::inventory::describe;
use super::Context;
use crate::cli::{Format, ImportArgs, ImportCommand};
use crate::error::{user, user_with};
use crate::output;
use anyhow::Result;
use handover_analysis::situation::{situation, Situation};
use handover_core::{AccountStatus, ErrorCode, Kind, Record};
use handover_import::reconcile::{reconcile, Imported};
use handover_store::Store;
use std::path::Path;

pub fn run(ctx: &Context, cmd: ImportCommand) -> Result<()> {
    match cmd {
        ImportCommand::Ldif { file, args } => {
            let bytes = read(&file)?;
            let ldif = handover_import::ldif::parse(&file.display().to_string(), &bytes)
                .map_err(|e| user(ErrorCode::InvalidSyntax, e.to_string()))?;
            let mut imported = handover_import::directory::to_records(&args.system, &ldif.entries, ctx.today);
            imported.warnings.splice(0..0, ldif.warnings);
            import(ctx, &args, imported)
        }
        ImportCommand::Scim { file, args } => {
            let bytes = read(&file)?;
            let imported = handover_import::scim::parse(&file.display().to_string(), &args.system, &bytes)
                .map_err(|e| user(ErrorCode::InvalidSyntax, e.to_string()))?;
            import(ctx, &args, imported)
        }
        ImportCommand::Linux { root, args } => {
            let files = handover_import::linux::read_root(&root)
                .map_err(|e| user(ErrorCode::Storage, format!("cannot read {}/etc/passwd: {e}", root.display())))?;
            let imported = handover_import::linux::parse(&args.system, &files, ctx.today)
                .map_err(|e| user(ErrorCode::InvalidSyntax, format!("{}/{e}", root.display())))?;
            import(ctx, &args, imported)
        }
        ImportCommand::Ldap { url, bind_dn, password_file, base, filter, page_size, args } => {
            let password = match &password_file {
                Some(f) => Some(
                    String::from_utf8(read(f)?)
                        .map_err(|_| user(ErrorCode::InvalidSyntax, format!("{} is not UTF-8 text", f.display())))?,
                ),
                None => None,
            };
            let password = password.as_deref().map(|p| p.trim_end_matches(['\n', '\r']));
            let source = handover_import::live_ldap::LdapSource {
                url: &url,
                bind_dn: bind_dn.as_deref(),
                password,
                base: &base,
                filter: &filter,
                page_size: page_size.max(1),
            };
            let entries = handover_import::live_ldap::fetch(&source).map_err(|e| user(ErrorCode::Source, e.to_string()))?;
            let imported = handover_import::directory::to_records(&args.system, &entries, ctx.today);
            import(ctx, &args, imported)
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", path.display())))
}

fn import(ctx: &Context, args: &ImportArgs, imported: Imported) -> Result<()> {
    let mut store = ctx.store()?;
    let current = store.load()?;
    if current.system(&args.system).is_none() {
        return Err(user(
            ErrorCode::RecordNotFound,
            format!("there is no system {:?}; add it first: `handover system add {} name=… tier=…`", args.system, args.system),
        ));
    }
    let handover_import::reconcile::Reconciled { target, changes, summary } = reconcile(&current, &args.system, imported);
    let problems = target.validate();
    if !problems.is_empty() {
        return Err(user_with(
            problems[0].code,
            "the import would leave the inventory invalid; nothing was changed",
            problems.iter().take(20).map(|p| p.to_string()).collect(),
        ));
    }
    if !args.dry_run && !changes.is_empty() {
        store.apply(&changes, &ctx.actor)?;
    }
    match args.format.format {
        Format::Json => output::json(&summary),
        Format::Table => {
            if args.dry_run {
                for c in &changes.changes {
                    println!("{}", describe(c));
                }
            }
            println!(
                "{}{}: {} accounts ({} linked to people, {} unlinked), {} groups, {} grants; {} added, {} changed, {} removed.",
                if args.dry_run { "Would import into " } else { "Imported into " },
                summary.system,
                summary.accounts,
                summary.people_linked,
                summary.unlinked,
                summary.groups,
                summary.grants,
                summary.changes.added,
                summary.changes.changed,
                summary.changes.removed
            );
            for w in &summary.warnings {
                println!("warning: {w}");
            }
            Ok(())
        }
    }
}

pub fn accounts(ctx: &Context, wanted: Option<Situation>, system: Option<&str>, all: bool, format: Format) -> Result<()> {
    let inv = ctx.store()?.load()?;
    let rows: Vec<serde_json::Value> = inv
        .accounts()
        .filter(|a| all || a.status == AccountStatus::Active)
        .filter(|a| system.is_none_or(|s| a.system == s))
        .map(|a| (a, situation(&inv, a)))
        .filter(|(_, s)| wanted.is_none_or(|w| w == *s))
        .map(|(a, s)| {
            serde_json::json!({
                "account": handover_core::Account::key_of(&a.system, &a.name),
                "situation": s.as_str(),
                "person": a.person,
                "status": a.status.as_str(),
                "last_used": a.last_used,
            })
        })
        .collect();
    match format {
        Format::Json => output::json(&rows),
        Format::Table => {
            let mut t = output::table(&["account", "situation", "person", "status", "last used"]);
            for r in &rows {
                t.add_row(["account", "situation", "person", "status", "last_used"].map(|k| output::cell(r.get(k))));
            }
            println!("{t}");
            println!("{} accounts", rows.len());
            Ok(())
        }
    }
}

pub fn link(ctx: &Context, account: &str, person: &str) -> Result<()> {
    let mut store = ctx.store()?;
    let current = store.load()?;
    let Some(Record::Account(a)) = current.get(Kind::Account, account) else {
        return Err(user(ErrorCode::RecordNotFound, format!("there is no account {account:?}; `handover accounts` lists them")));
    };
    if current.person(person).is_none() {
        return Err(user(ErrorCode::RecordNotFound, format!("there is no person {person:?}; `handover person list` shows the keys")));
    }
    let mut linked = a.clone();
    linked.person = Some(person.to_string());
    let mut target = current.clone();
    target.insert(Record::Account(linked));
    let problems = target.validate();
    if let Some(p) = problems.first() {
        return Err(user(p.code, p.to_string()));
    }
    let changes = current.diff(&target, &[Kind::Account]);
    store.apply(&changes, &ctx.actor)?;
    for c in &changes.changes {
        println!("{}", describe(c));
    }
    if changes.is_empty() {
        println!("{account} was already linked to {person}.");
    }
    Ok(())
}
