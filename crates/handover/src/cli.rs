//! The command line: nouns for records, verbs for what to do with them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "Keep IT running when the people who hold it together leave.";

const LONG_ABOUT: &str = "\
handover knows your systems, people, accounts, secrets, vendors, projects and plans, and \
tells you who alone holds what: what breaks if a person leaves, which access must be \
revoked or rotated, which contracts and plans need attention.

Start here:
  handover demo                      load a fictional company and see what handover finds
  handover apply -f org.yaml         describe your organisation in one file (see examples/)
  handover summary                   who alone holds what, today
  handover person show dana-whitfield   everything one person holds

Everything lives in one SQLite file (handover.db here, or --db / HANDOVER_DB). Every change \
is recorded in a tamper-evident log: `handover log`, `handover log verify`.";

#[derive(Debug, Parser)]
#[command(name = "handover", version, about = ABOUT, long_about = LONG_ABOUT, propagate_version = true)]
pub struct Cli {
    /// The database file.
    #[arg(long, global = true, env = "HANDOVER_DB", default_value = "handover.db", value_name = "PATH")]
    pub db: PathBuf,

    /// Who is making changes, as recorded in the event log [default: $USER]
    #[arg(long, global = true, env = "HANDOVER_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,

    /// The date to analyse as of, instead of today (for reproducible reports).
    #[arg(long, global = true, env = "HANDOVER_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<jiff::civil::Date>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormat {
    #[default]
    Yaml,
    Json,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct FormatArg {
    /// Output for people (table) or programs (json; a stable shape, see docs/json.md).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty database (or bring an existing one's schema up to date).
    Init,
    /// Load a fictional company (Fernhill Provisions) and show what handover finds in it.
    #[command(long_about = "Load a fictional 60-person company, Fernhill Provisions Ltd, into the database \
(through the same path as `apply`) and print who alone holds what.\n\nRunning it again changes \
nothing. It refuses to touch a database that holds anything but the demo: use --db demo.db.")]
    Demo(FormatArg),
    /// Make the database match an org file: create, update and remove records.
    #[command(long_about = "Make the database match an org file (YAML or JSON; see docs/org-file.md and \
examples/org.yaml).\n\nEvery section present in the file is managed: records of that kind that \
are not in the file are removed. Sections left out are not touched. The whole file is checked \
first and applied in one transaction: on any error nothing changes and every problem is listed \
with file:line:column. The changes are printed before they are made.\n\nExamples:\n  handover \
apply -f org.yaml --dry-run    show what would change\n  handover apply -f org.yaml")]
    Apply {
        /// The org file.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        /// Show the changes and make none.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the whole inventory as an org file (apply it elsewhere to get the same data).
    Export {
        #[arg(long, value_enum, default_value_t)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// How many records of each kind the database holds.
    Stats(FormatArg),
    /// Who alone holds what: single admins, single knowers, secrets, roles, lapsing contracts.
    Summary(FormatArg),
    /// The event log: every change, who made it and when. `log verify` checks the hash chain.
    Log(LogArgs),
    /// People: employees, contractors, vendor staff.
    Person(RecordArgs),
    /// Roles and responsibilities, with holders and deputies.
    Role(RecordArgs),
    /// Vendors, MSPs and partners.
    Vendor(RecordArgs),
    /// People outside the organisation: vendor engineers, account managers.
    Contact(RecordArgs),
    /// Contracts and maintenance agreements.
    Contract(RecordArgs),
    /// Systems: applications, infrastructure, SaaS, custom solutions, integrations.
    System(RecordArgs),
    /// Accounts: identities in systems (key SYSTEM/NAME).
    Account(RecordArgs),
    /// Grants: privileges held by accounts (key SYSTEM/NAME/PRIVILEGE).
    Grant(RecordArgs),
    /// Credentials and secrets: references and metadata, never the secret.
    Credential(RecordArgs),
    /// Projects, with milestones, risks, lead and backup lead.
    Project(RecordArgs),
    /// Policies and plans: security policy, DR, backup, crisis, succession…
    Policy(RecordArgs),
    /// Git repositories linked to systems.
    Repository(RecordArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LogArgs {
    #[command(subcommand)]
    pub verify: Option<LogCommand>,
    /// Only events about records of this kind (person, system, …).
    #[arg(long)]
    pub kind: Option<handover_core::Kind>,
    /// Only events about this record (its key).
    #[arg(long)]
    pub key: Option<String>,
    /// Only the newest N events.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Recompute the hash chain and name the first event that does not verify.
    Verify(FormatArg),
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(subcommand)]
    pub action: RecordAction,
}

#[derive(Debug, Subcommand)]
pub enum RecordAction {
    /// List records of this kind.
    List(FormatArg),
    /// Show one record and every record that refers to it.
    Show {
        key: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Add a record: `add KEY field=value …` (accounts and grants: fields only).
    Add {
        /// The key, then FIELD=VALUE pairs.
        #[arg(value_name = "KEY|FIELD=VALUE", required = true)]
        args: Vec<String>,
    },
    /// Change fields of a record: `set KEY field=value …`.
    Set {
        key: String,
        #[arg(value_name = "FIELD=VALUE", required = true)]
        assignments: Vec<String>,
    },
    /// Remove a record (an account goes with its grants).
    Rm { key: String },
}
