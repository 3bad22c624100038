//! `handover import SOURCE …`: parse, reconcile with what the store knows of the system,
//! validate, and write in one transaction.

use super::inventory::describe;
use super::Context;
use crate::cli::{Format, ImportArgs, ImportCommand};
use crate::error::{user, user_with};
use crate::output;
use anyhow::Result;
use handover_core::{ErrorCode, Kind};
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
    let (target, summary) = reconcile(&current, &args.system, imported);
    let problems = target.validate();
    if !problems.is_empty() {
        return Err(user_with(
            problems[0].code,
            "the import would leave the inventory invalid; nothing was changed",
            problems.iter().take(20).map(|p| p.to_string()).collect(),
        ));
    }
    let changes = current.diff(&target, &[Kind::Account, Kind::Grant]);
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
