//! One function per command. Each reads what it needs from the store, computes with the
//! pure crates and prints; none of them writes except through `Store::apply`.

mod analysis;
mod backup;
mod bench;
mod drill;
mod escrow;
mod git;
mod import;
mod incident;
mod intake;
mod inventory;
mod log;
mod notify;
mod plan;
mod records;
mod report;
mod review;
mod summary;
mod web;

use crate::cli::{Cli, Command};
use crate::error::user;
use anyhow::Result;
use handover_core::{ErrorCode, Kind};
use handover_store::{Location, Store};
use jiff::civil::Date;
use std::path::PathBuf;

/// What every command may need: where the store is, who acts, what day it is.
pub struct Context {
    pub db: Location,
    pub config: Option<PathBuf>,
    pub actor: String,
    pub today: Date,
    /// `--today` when given: the server keeps a fixed date only then.
    pub today_fixed: Option<Date>,
}

impl Context {
    /// Opens the store, creating it if needed (for commands that write a new inventory).
    pub fn create_store(&self) -> Result<Box<dyn Store>> {
        self.announce_upgrade();
        Ok(self.db.open()?)
    }

    /// Opening a store made by an older handover upgrades its schema first, which on a
    /// large store can take minutes with nothing else to show: say so before it starts.
    fn announce_upgrade(&self) {
        if let Some((from, to)) = self.db.pending_upgrade() {
            eprintln!(
                "Upgrading {} from schema version {from} to {to}. This happens once; on a large store it takes a few minutes, \
                 and stopping it loses nothing (each step is one transaction).",
                self.db.display()
            );
        }
    }

    /// The configuration: --config, else ./handover.toml if present, else the defaults.
    pub fn config(&self) -> Result<handover_analysis::Config> {
        let (path, explicit) = match &self.config {
            Some(p) => (p.clone(), true),
            None => (PathBuf::from("handover.toml"), false),
        };
        if !explicit && !path.exists() {
            return Ok(handover_analysis::Config::default());
        }
        let text = std::fs::read_to_string(&path).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| {
            let at = e.span().map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                let col = s.start - text[..s.start].rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(":{line}:{col}")
            });
            user(ErrorCode::InvalidField, format!("{}{}: {}", path.display(), at.unwrap_or_default(), e.message()))
        })
    }

    /// Opens an existing store; a missing file is an error rather than a new empty store,
    /// so a mistyped --db does not look like an empty organisation.
    pub fn store(&self) -> Result<Box<dyn Store>> {
        self.announce_upgrade();
        self.db.open_existing()?.ok_or_else(|| {
            user(
                ErrorCode::Storage,
                format!(
                    "no database at {}; run `handover init` (empty) or `handover demo` (example data) first, or pass --db",
                    self.db.display()
                ),
            )
        })
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let actor =
        cli.actor.clone().unwrap_or_else(|| std::env::var("USER").map(|u| format!("{u} (cli)")).unwrap_or_else(|_| "cli".to_string()));
    let today = match cli.today {
        Some(d) => d,
        None => jiff::Zoned::now().date(),
    };
    let ctx = Context { db: Location::parse(&cli.db), config: cli.config, actor, today, today_fixed: cli.today };
    match cli.command {
        Command::Init => inventory::init(&ctx),
        Command::Demo(f) => inventory::demo(&ctx, f.format),
        Command::Apply { file, dry_run } => inventory::apply(&ctx, &file, dry_run),
        Command::Export { format, output } => inventory::export(&ctx, format, output.as_deref()),
        Command::Stats(f) => inventory::stats(&ctx, f.format),
        Command::Backup { file } => backup::backup(&ctx, &file),
        Command::Migrate { from, to } => backup::migrate(&from, &to),
        Command::Restore { file, check } => backup::restore(&ctx, &file, check),
        Command::Summary(f) => summary::summary(&ctx, f.format),
        Command::Log(args) => log::log(&ctx, args),
        Command::Plan(cmd) => plan::run(&ctx, cmd),
        Command::Git(cmd) => git::run(&ctx, cmd),
        Command::Escrow(cmd) => escrow::run(&ctx, cmd),
        Command::Review(cmd) => review::run(&ctx, cmd),
        Command::Intake(cmd) => intake::run(&ctx, cmd),
        Command::Drill(cmd) => drill::run(&ctx, cmd),
        Command::Incident(cmd) => incident::run(&ctx, cmd),
        Command::Report { kind, person, format, output } => report::run(&ctx, &kind, person.as_deref(), &format, output.as_deref()),
        Command::Serve(args) => web::serve(&ctx, args),
        Command::User(cmd) => web::run(&ctx, cmd),
        Command::BenchGit { paths, commits, runs } => bench::bench_git(&paths, commits, runs),
        Command::BenchLdif { users, groups, per_user } => bench::bench_ldif(&ctx, users, groups, per_user),
        Command::Import(cmd) => import::run(&ctx, cmd),
        Command::Accounts { situation, system, all, format } => import::accounts(&ctx, situation, system.as_deref(), all, format.format),
        Command::Link { account, person } => import::link(&ctx, &account, &person),
        Command::Generate { people, seed } => bench::generate(&ctx, people, seed),
        Command::Bench { people, seed, keep, format } => bench::bench(&ctx, people, seed, keep.as_deref(), format.format),
        Command::Audit { format, severity, rules, rules_only } => analysis::audit(&ctx, format.format, severity, &rules, rules_only),
        Command::Risk(f) => analysis::risk(&ctx, f.format),
        Command::Due { within, format } => analysis::due(&ctx, within, format.format),
        Command::Notify { dry_run, horizon, format } => notify::notify(&ctx, dry_run, horizon, format.format),
        Command::Whatif { people, all, format } => analysis::whatif(&ctx, &people, all, format.format),
        Command::Person(a) => records::run(&ctx, Kind::Person, a.action),
        Command::Role(a) => match a.action {
            crate::cli::RoleAction::Record(action) => records::run(&ctx, Kind::Role, action),
            crate::cli::RoleAction::Describe { key, format } => analysis::describe(&ctx, &key, format.format),
        },
        Command::Succession(crate::cli::SuccessionCommand::Gaps(f)) => analysis::succession_gaps(&ctx, f.format),
        Command::Vendor(a) => records::run(&ctx, Kind::Vendor, a.action),
        Command::Contact(a) => records::run(&ctx, Kind::Contact, a.action),
        Command::Contract(a) => records::run(&ctx, Kind::Contract, a.action),
        Command::System(a) => records::run(&ctx, Kind::System, a.action),
        Command::Account(a) => records::run(&ctx, Kind::Account, a.action),
        Command::Grant(a) => records::run(&ctx, Kind::Grant, a.action),
        Command::Credential(a) => records::run(&ctx, Kind::Credential, a.action),
        Command::Project(a) => records::run(&ctx, Kind::Project, a.action),
        Command::Policy(a) => match a.action {
            crate::cli::PolicyAction::Record(action) => records::run(&ctx, Kind::Policy, action),
            crate::cli::PolicyAction::Review { key, reviewer, notes } => records::review_policy(&ctx, &key, &reviewer, &notes),
        },
        Command::Repository(a) => records::run(&ctx, Kind::Repository, a.action),
        Command::Acceptance(a) => records::run(&ctx, Kind::Acceptance, a.action),
    }
}
