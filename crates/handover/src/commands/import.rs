//! `handover import SOURCE …`: parse, reconcile with what the store knows of the system,
//! validate, and write in one transaction.

use super::Context;
use crate::cli::{CsvImportArgs, Format, FormatArg, ImportArgs, ImportCommand};
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
        ImportCommand::Scim { file: Some(file), args, .. } => {
            let bytes = read(&file)?;
            let imported = handover_import::scim::parse(&file.display().to_string(), &args.system, &bytes)
                .map_err(|e| user(ErrorCode::InvalidSyntax, e.to_string()))?;
            import(ctx, &args, imported)
        }
        ImportCommand::Scim { file: None, url, token_file, page_size, args } => {
            let url = url.ok_or_else(|| user(ErrorCode::MissingField, "give a SCIM JSON file or --url"))?;
            let token = match token_file.as_deref() {
                Some(f) => Some(read_password(Some(f))?.unwrap_or_default().trim().to_string()),
                None => None,
            };
            let source = handover_import::live_scim::ScimSource {
                url: &url,
                token: token.as_deref(),
                page_size: page_size.unwrap_or(100).clamp(1, 10_000),
            };
            let fetched = handover_import::live_scim::fetch(&source).map_err(|e| user(ErrorCode::Source, e.to_string()))?;
            // A resource the mapping cannot read is the server's doing, not the user's.
            let mut imported = handover_import::scim::to_records(&url, &args.system, &fetched.resources)
                .map_err(|e| user(ErrorCode::Source, e.to_string()))?;
            imported.warnings.splice(0..0, fetched.warnings);
            import(ctx, &args, imported)
        }
        ImportCommand::Linux { root, ssh, ssh_options, args } => {
            let (files, origin) = match (root, ssh) {
                (Some(root), _) => (
                    handover_import::linux::read_root(&root)
                        .map_err(|e| user(ErrorCode::Storage, format!("cannot read {}/etc/passwd: {e}", root.display())))?,
                    root.display().to_string(),
                ),
                (None, Some(host)) => (
                    handover_import::linux::read_ssh(&host, &ssh_options)
                        .map_err(|e| user(ErrorCode::Source, format!("cannot read the accounts of {host}: {e}")))?,
                    format!("{host}:"),
                ),
                // The command line requires one of them.
                (None, None) => anyhow::bail!("import linux needs --root DIR or --ssh HOST"),
            };
            let imported = handover_import::linux::parse(&args.system, &files, ctx.today)
                .map_err(|e| user(ErrorCode::InvalidSyntax, format!("{origin}/{e}")))?;
            import(ctx, &args, imported)
        }
        ImportCommand::AwsIam { file, credential_report, args } => {
            let bytes = read(&file)?;
            let report = match &credential_report {
                Some(path) => Some((path.display().to_string(), read(path)?)),
                None => None,
            };
            let imported = handover_import::aws_iam::parse(
                &args.system,
                &file.display().to_string(),
                &bytes,
                report.as_ref().map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
            )
            .map_err(|e| user(ErrorCode::InvalidSyntax, e.to_string()))?;
            import(ctx, &args, imported)
        }
        ImportCommand::K8sRbac { files, args } => {
            let mut contents = Vec::with_capacity(files.len());
            for f in &files {
                contents.push((f.display().to_string(), read(f)?));
            }
            let imported =
                handover_import::k8s_rbac::parse(&args.system, &contents).map_err(|e| user(ErrorCode::InvalidSyntax, e.to_string()))?;
            import(ctx, &args, imported)
        }
        ImportCommand::Github { file, args } => {
            let bytes = read(&file)?;
            let imported = handover_import::github::parse(&args.system, &file.display().to_string(), &bytes)
                .map_err(|e| user(ErrorCode::InvalidSyntax, e.to_string()))?;
            import(ctx, &args, imported)
        }
        ImportCommand::Csv { file, args } => {
            let (vendor, args) = csv_args(args)?;
            let bytes = read(&file)?;
            let imported = handover_import::vendor_csv::parse(vendor, &args.system, &file.display().to_string(), &bytes)
                .map_err(|e| user(ErrorCode::InvalidSyntax, e.to_string()))?;
            import(ctx, &args, imported)
        }
        ImportCommand::Ldap { url, bind_dn, password_file, base, filter, page_size, args } => {
            let password = read_password(password_file.as_deref())?;
            let source = handover_import::live_ldap::LdapSource {
                url: &url,
                bind_dn: bind_dn.as_deref(),
                password: password.as_deref(),
                base: &base,
                filter: &filter,
                page_size: page_size.max(1),
            };
            let entries = handover_import::live_ldap::fetch(&source).map_err(|e| user(ErrorCode::Source, e.to_string()))?;
            let imported = handover_import::directory::to_records(&args.system, &entries, ctx.today);
            import(ctx, &args, imported)
        }
        ImportCommand::Postgres { url, password_file, databases, args } => {
            // Only a URL can be shown with its password redacted; `key=value` strings are refused.
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(user(ErrorCode::InvalidField, "--url must be a postgres://user@host:port/database URL"));
            }
            let password = read_password(password_file.as_deref())?;
            let source = handover_import::live_postgres::PostgresSource { url: &url, password: password.as_deref(), databases: &databases };
            let catalog = handover_import::live_postgres::fetch(&source)
                .map_err(|e| user(ErrorCode::Source, format!("{}: {e}", handover_store::redact(&url))))?;
            let imported = handover_import::pg_access::to_records(&args.system, &catalog, ctx.today);
            import(ctx, &args, imported)
        }
    }
}

/// A password from a file, without its trailing newline.
fn read_password(file: Option<&Path>) -> Result<Option<String>> {
    let Some(f) = file else { return Ok(None) };
    let text = String::from_utf8(read(f)?).map_err(|_| user(ErrorCode::InvalidSyntax, format!("{} is not UTF-8 text", f.display())))?;
    Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()))
}

/// Splits `import csv`'s `--format` values into the vendor and the output format.
fn csv_args(args: CsvImportArgs) -> Result<(handover_import::vendor_csv::Vendor, ImportArgs)> {
    let mut vendors: Vec<&str> = args.format.iter().map(String::as_str).filter(|f| !matches!(*f, "table" | "json")).collect();
    vendors.extend(args.vendor.as_deref());
    vendors.dedup();
    let vendor = match vendors.as_slice() {
        [one] => one.parse().map_err(|e: String| user(ErrorCode::InvalidField, e))?,
        [] => return Err(user(ErrorCode::MissingField, "say whose export this is: --format okta, --format entra or --format google")),
        _ => return Err(user(ErrorCode::InvalidField, format!("one vendor per file, not {}", vendors.join(" and ")))),
    };
    let format = if args.format.iter().any(|f| f == "json") { Format::Json } else { Format::Table };
    Ok((vendor, ImportArgs { system: args.system, dry_run: args.dry_run, format: FormatArg { format } }))
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
                    println!("{}", c.describe());
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
        return Err(super::records::not_found(Kind::Person, person));
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
        println!("{}", c.describe());
    }
    if changes.is_empty() {
        println!("{account} was already linked to {person}.");
    }
    Ok(())
}
