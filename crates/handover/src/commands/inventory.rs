//! Whole-inventory commands: init, demo, apply, export, stats.

use super::Context;
use crate::cli::{ExportFormat, Format};
use crate::error::{user, user_with};
use crate::output;
use anyhow::{Context as _, Result};
use handover_core::{ChangeSet, ErrorCode, Kind};
use handover_import::orgfile::{self, OrgFile};
use handover_store::{SqliteStore, Store};
use std::path::Path;

/// The demo organisation: an ordinary org file, applied like any other.
const DEMO: &str = include_str!("../demo/fernhill.yaml");
const DEMO_NAME: &str = "demo/fernhill.yaml";

pub fn init(ctx: &Context) -> Result<()> {
    let store = ctx.create_store()?;
    let records: u64 = store.counts()?.values().sum();
    println!("Database ready at {} (schema v{}, {records} records).", ctx.db.display(), store.schema_version()?);
    if records == 0 {
        println!("Next: describe your organisation in a file (see examples/org.yaml) and run `handover apply -f FILE`.");
    }
    Ok(())
}

/// Parses, validates against what the store holds, and (unless `dry_run`) writes an org
/// file in one transaction. Returns the changes.
pub fn apply_org_file(store: &mut dyn Store, name: &str, text: &str, actor: &str, dry_run: bool, progress: bool) -> Result<ChangeSet> {
    let file = OrgFile::parse(name, text).map_err(|diags| file_problems(name, diags.len(), &diags))?;
    let current = store.load()?;
    let target = current.with_kinds_from(&file.inventory, &file.managed);
    let problems = target.validate();
    if !problems.is_empty() {
        return Err(file_problems(name, problems.len(), &file.diagnose(&problems)));
    }
    let changes = current.diff(&target, &file.managed);
    if !dry_run && !changes.is_empty() {
        if progress {
            // Printed before the write so a watcher (or a test) knows the transaction is open.
            eprintln!("applying {} changes…", changes.len());
        }
        store.apply(&changes, actor)?;
    }
    Ok(changes)
}

/// The error for a file with problems: the first one's code, a count, and one line each
/// (`diags` may be capped below `total`).
fn file_problems(name: &str, total: usize, diags: &[orgfile::Diagnostic]) -> anyhow::Error {
    let code = diags.first().map_or(ErrorCode::InvalidSyntax, |d| d.code);
    user_with(
        code,
        format!("{name} has {total} problem{}; nothing was changed", if total == 1 { "" } else { "s" }),
        diags.iter().map(|d| d.to_string()).collect(),
    )
}

pub fn apply(ctx: &Context, path: &Path, dry_run: bool) -> Result<()> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(text).map_err(|e| {
        user(
            ErrorCode::InvalidSyntax,
            format!("{} is not UTF-8 text (first bad byte at offset {})", path.display(), e.utf8_error().valid_up_to()),
        )
    })?;
    // A dry run against a database that does not exist yet shows everything as new and
    // leaves no file behind.
    let mut store: Box<dyn Store> = if dry_run && !ctx.db.exists()? { Box::new(SqliteStore::in_memory()?) } else { ctx.create_store()? };
    let changes = apply_org_file(&mut store, &path.display().to_string(), &text, &ctx.actor, dry_run, true)?;
    for c in &changes.changes {
        println!("{}", c.describe());
    }
    let verb = if dry_run { "Would apply" } else { "Applied" };
    if changes.is_empty() {
        println!("No changes: the database already matches {}.", path.display());
    } else {
        println!("{verb}: {}.", tally(&changes));
    }
    Ok(())
}

pub fn demo(ctx: &Context, format: Format) -> Result<()> {
    let mut store = ctx.create_store()?;
    let records: u64 = store.counts()?.values().sum();
    if records > 0 && store.meta("origin")?.as_deref() != Some("demo") {
        return Err(user(
            ErrorCode::Conflict,
            format!(
                "{} already holds an organisation that is not the demo; run the demo in its own file: `handover --db demo.db demo`",
                ctx.db.display()
            ),
        ));
    }
    store.set_meta("origin", "demo")?;
    let changes = apply_org_file(&mut store, DEMO_NAME, DEMO, "handover demo", false, false)?;
    let summary = handover_analysis::summarize(&store.load()?, ctx.today);
    match format {
        Format::Json => output::json(&summary),
        Format::Table => {
            if changes.is_empty() {
                println!("The demo organisation was already loaded in {}.", ctx.db.display());
            } else {
                println!("Loaded the demo organisation, Fernhill Provisions Ltd (fictional), into {}.", ctx.db.display());
            }
            print!("{}", super::summary::render(&summary, &store.load()?));
            println!();
            println!("Explore: handover person show dana-whitfield · handover system list · handover export · handover log verify");
            Ok(())
        }
    }
}

pub fn export(ctx: &Context, format: ExportFormat, output_path: Option<&Path>) -> Result<()> {
    let inventory = ctx.store()?.load()?;
    let text = match format {
        ExportFormat::Yaml => orgfile::render(&inventory),
        ExportFormat::Json => serde_json::to_string_pretty(&orgfile::to_value(&inventory))? + "\n",
    };
    match output_path {
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let tmp = path.with_extension("handover-tmp");
            std::fs::write(&tmp, &text).with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => print!("{text}"),
    }
    Ok(())
}

pub fn stats(ctx: &Context, format: Format) -> Result<()> {
    let counts = ctx.store()?.counts()?;
    let all: Vec<(Kind, u64)> = Kind::ALL.iter().map(|k| (*k, counts.get(k).copied().unwrap_or(0))).collect();
    match format {
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = all.iter().map(|(k, n)| (k.plural().to_string(), (*n).into())).collect();
            output::json(&map)
        }
        Format::Table => {
            let mut t = output::table(&["records", "count"]);
            for (k, n) in all {
                t.add_row(vec![k.plural().to_string(), n.to_string()]);
            }
            println!("{t}");
            Ok(())
        }
    }
}

/// "3 created, 1 updated, 2 removed".
pub fn tally(changes: &ChangeSet) -> String {
    let (mut c, mut u, mut d) = (0, 0, 0);
    for (cc, uu, dd) in changes.counts().values() {
        c += cc;
        u += uu;
        d += dd;
    }
    format!("{c} created, {u} updated, {d} removed")
}
