//! The command line: nouns for records, verbs for what to do with them.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use handover_analysis::situation::Situation;
use handover_core::{PlanMode, Severity};
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

/// Parses one of a domain enum's names (`high`, `orphaned`, `hostile` …) into the value,
/// so the command line and the domain share one list instead of a mirror enum each.
fn choice<T: Copy + Send + Sync + 'static>(all: &'static [T], name: fn(T) -> &'static str) -> impl TypedValueParser<Value = T> {
    // PossibleValuesParser has already refused anything not in `all`.
    PossibleValuesParser::new(all.iter().map(|v| name(*v))).map(move |s| all.iter().copied().find(|v| name(*v) == s).unwrap_or(all[0]))
}

fn parse_event_kind(s: &str) -> Result<String, String> {
    handover_store::event_kind(s).ok_or_else(|| format!("no such kind {s:?}: a record kind (person, system, …), user or api_token"))
}

#[derive(Debug, Parser)]
#[command(name = "handover", version, about = ABOUT, long_about = LONG_ABOUT, propagate_version = true)]
pub struct Cli {
    /// The database: a SQLite file, or a PostgreSQL URL (postgres://user@host/dbname).
    #[arg(long, global = true, env = "HANDOVER_DB", default_value = "handover.db", value_name = "PATH|URL")]
    pub db: String,

    /// Who is making changes, as recorded in the event log [default: $USER]
    #[arg(long, global = true, env = "HANDOVER_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,

    /// Audit thresholds (see docs/config.md) [default: ./handover.toml if it exists]
    #[arg(long, global = true, env = "HANDOVER_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

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

/// Formats for reports that people read as documents too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    #[default]
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct ReportFormatArg {
    /// table for the terminal, json for programs, markdown for a document.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
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
    /// Write a consistent, compressed, checksummed backup of the whole database (the event chain included).
    #[command(long_about = "Write everything — records, the event log, meta — from one consistent \
snapshot (other handover processes may keep writing) into FILE: gzip-compressed JSON lines with \
the event chain head, counts and a SHA-256 of the contents at the end. The backup is written \
to FILE.partial and renamed when complete, so FILE is never half-written; a partial file is \
refused by restore.\n\nExample:\n  handover backup /srv/backups/handover-$(date +%F).hobak")]
    Backup { file: PathBuf },
    /// Restore a backup into a new, empty database (refuses a truncated or altered file; all or nothing).
    Restore {
        file: PathBuf,
        /// Only read and check the backup; write nothing.
        #[arg(long)]
        check: bool,
    },
    /// Copy a whole store to another backend (e.g. SQLite to PostgreSQL), event chain intact.
    #[command(long_about = "Copy every record, the whole hash-chained event log and meta from one store \
into a new, empty one, in one transaction on the target, then verify the target's event chain \
against the source's head.\n\nExample:\n  handover migrate --from sqlite:handover.db --to \
postgres://handover@db.internal/handover")]
    Migrate {
        /// The source: a SQLite path (sqlite:PATH or PATH) or a postgres:// URL.
        #[arg(long, value_name = "PATH|URL")]
        from: String,
        /// The target, which must be empty.
        #[arg(long, value_name = "PATH|URL")]
        to: String,
    },
    /// How many records of each kind the database holds.
    Stats(FormatArg),
    /// Who alone holds what: single admins, single knowers, secrets, roles, lapsing contracts.
    Summary(FormatArg),
    /// Everything due or overdue: reviews, contract notice and end dates, rotations, expiries, plan tasks.
    Due {
        /// How far ahead to look.
        #[arg(long, default_value = "30d")]
        within: handover_core::Interval,
        #[command(flatten)]
        format: ReportFormatArg,
    },
    /// E-mail each owner what is due or overdue for them, once per reminder (SMTP in handover.toml).
    #[command(long_about = "Work out who must be told about what is due (the items of `handover due`), \
and send each of them one e-mail listing their items through the SMTP server in handover.toml \
([smtp], see docs/config.md).\n\nEach reminder — person, item, due date — is sent once and \
recorded in the event log; a reminder that was sent while the item was coming up is sent once \
more when it becomes overdue. Running it again sends nothing new, so it can run daily from cron. \
Items with no owner, or whose owner has left or has no e-mail address, are listed as nobody to \
tell.\n\nExamples:\n  handover notify --dry-run\n  handover notify --horizon 30")]
    Notify {
        /// Show what would be sent; send and record nothing (needs no [smtp]).
        #[arg(long)]
        dry_run: bool,
        /// How many days ahead to remind about (overdue items are always included).
        #[arg(long, default_value_t = 14, value_name = "DAYS")]
        horizon: u32,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Findings: single points of failure, access that exceeds need, lapsing contracts, stale plans.
    #[command(long_about = "Run every audit rule over the inventory. Each finding has a stable rule id, a \
severity, the record it is about, the evidence, what to do, and the controls it maps to (CIS \
Controls v8, ISO/IEC 27001:2022 Annex A, NIST SP 800-53).\n\nThresholds come from handover.toml \
(docs/config.md). To accept a risk: `handover acceptance add KEY rule=HO-KEY-001 \
subject=system:erp reason=\"…\" accepted_by=PERSON expires=YYYY-MM-DD`; it then shows as \
accepted until it expires.\n\nExamples:\n  handover audit\n  handover audit --severity high\n  \
handover audit --format markdown > audit.md\n  handover audit --rules")]
    Audit {
        #[command(flatten)]
        format: ReportFormatArg,
        /// Only findings at least this severe.
        #[arg(long, value_name = "LEVEL", value_parser = choice(Severity::ALL, Severity::as_str))]
        severity: Option<Severity>,
        /// Only findings of these rules (e.g. HO-KEY-001).
        #[arg(long = "rule", value_name = "ID")]
        rules: Vec<String>,
        /// List the rules and the controls they map to instead.
        #[arg(long)]
        rules_only: bool,
    },
    /// Key-person risk: who holds each critical system up, the bus factor, the top departure risks.
    Risk(ReportFormatArg),
    /// If these people left together, what would break? `--all` ranks everyone.
    #[command(long_about = "If these people left together: systems left with no admin or no one who knows \
them, roles with no holder, projects with no lead, vendors with no contact, secrets only they \
hold (and all they hold, to rotate), what they own and must hand over, and the access to revoke.\n\n\
Examples:\n  handover whatif dana-whitfield\n  handover whatif dana-whitfield raj-patel\n  \
handover whatif --all")]
    Whatif {
        /// People (keys) leaving together.
        people: Vec<String>,
        /// Rank every person still here by the impact of their leaving alone.
        #[arg(long, conflicts_with = "people")]
        all: bool,
        #[command(flatten)]
        format: ReportFormatArg,
    },
    /// Accounts with their situation: linked, unlinked, orphaned (person left), shared, service, group.
    Accounts {
        /// Only accounts in this situation.
        #[arg(long, value_parser = choice(Situation::ALL, Situation::as_str))]
        situation: Option<Situation>,
        /// Only accounts of this system.
        #[arg(long, value_name = "SYSTEM")]
        system: Option<String>,
        /// Include disabled and removed accounts.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Confirm who an account belongs to (kept across re-imports): `link SYSTEM/NAME PERSON`.
    Link { account: String, person: String },
    /// Import accounts, groups and grants of one system from a source (replaces what handover knew of it).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Departure and lock-out plans: timed runbooks with knowledge transfer and verification.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Break-glass secrets sealed k-of-n among custodians: add, open, rekey.
    #[command(subcommand)]
    Escrow(EscrowCommand),
    /// Systems bought or built outside IT: pending until owners, vendor contact, maintenance, patching and docs are named.
    #[command(subcommand)]
    Intake(IntakeCommand),
    /// Reports: an executive one-pager, the auditor's evidence pack, a person's transition.
    #[command(long_about = "Write a report as one self-contained HTML page (inline SVG charts, printable), \
Markdown or PDF (A4, charts as vector bars): `executive` (risk score, bus factor, who IT rests on, the five things to do first, \
dates that matter), `auditor` (controls → findings → evidence, access and policy reviews, accepted \
risks, the event log's verification) or `transition PERSON` (their departure plan's progress, \
what is overdue, access remaining, check-ins) or `projects [PERSON]` (live projects: leads, \
deadlines, milestones, risks, and what a leaving lead must write down).\n\nExample:\n  handover report executive --format \
html -o summary.html\n  handover report auditor --format pdf -o audit.pdf\n  handover report transition sanjay-mehta --format markdown")]
    Report {
        #[arg(value_parser = ["executive", "auditor", "transition", "projects"])]
        kind: String,
        /// For `transition`: the person leaving; for `projects`: only the projects they lead.
        person: Option<String>,
        /// pdf needs -o FILE (or a pipe).
        #[arg(long, value_parser = ["html", "markdown", "pdf"], default_value = "html")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Incidents and their timelines: open, log what happens, close; the timeline as a document.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Tabletop crisis drills generated from the real weak points; record what a drill found.
    #[command(subcommand)]
    Drill(DrillCommand),
    /// Access-review campaigns: start, decide keep/revoke/modify, close, evidence report.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Serve the web UI and the REST API (/api/v1) over this database.
    #[command(long_about = "Serve the web UI and the REST API over this database until Ctrl-C. \
Create the first user with `handover user add EMAIL --role admin` (the server refuses to start \
with no admin). handover speaks plain HTTP: put it behind a TLS proxy and pass --public-url \
https://… so that cookies are marked Secure. /healthz and /metrics need no sign-in and show \
nothing sensitive.\n\nExample:\n  handover user add ops@example.com --role admin --person dana-whitfield\n  \
handover serve --addr 127.0.0.1:8080")]
    Serve(ServeArgs),
    /// Users of the web UI and API: add, list, disable, and their API tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// Who knows the code: authorship and truck factor from git history.
    #[command(subcommand)]
    Git(GitCommand),
    /// Write a synthetic organisation (deterministic for a seed) into an empty database.
    Generate {
        /// How many people.
        #[arg(long, default_value_t = 500)]
        people: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measure generate, store, load, audit and what-if on a synthetic organisation.
    #[command(long_about = "Generate a synthetic organisation into a new database and measure each step \
against the performance targets: generate + store, snapshot load, full audit (load included), \
one what-if, what-if for everyone, peak memory, and `sqlite3 FILE .dump` as the reference for \
reading the data once (install Debian's sqlite3 to measure it).\n\nSizes: small 500, medium \
5000, large 100000 people.")]
    Bench {
        #[arg(long, default_value_t = 5000)]
        people: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Keep the generated database at this path (it must not exist).
        #[arg(long, value_name = "PATH")]
        keep: Option<PathBuf>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Measure `import ldif` on a generated directory (users, groups, memberships).
    BenchLdif {
        #[arg(long, default_value_t = 100_000)]
        users: usize,
        #[arg(long, default_value_t = 1_000)]
        groups: usize,
        /// Group memberships per user.
        #[arg(long, default_value_t = 10)]
        per_user: usize,
    },
    /// Measure `git truck-factor` against `git log -M` on repositories (default: a generated 100,000-commit history).
    #[command(long_about = "Measure the history scan of `git truck-factor` (walk, tree diffs with rename \
detection, authorship) side by side with `git log --no-merges -M --name-status` on the same \
repositories, best of --runs, and the peak memory. Without PATHs, a synthetic history of \
--commits commits is generated with `git fast-import` first. Needs `git` for the reference.")]
    BenchGit {
        paths: Vec<PathBuf>,
        #[arg(long, default_value_t = 100_000)]
        commits: usize,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// The event log: every change, who made it and when. `log verify` checks the hash chain.
    Log(LogArgs),
    /// People: employees, contractors, vendor staff.
    Person(RecordArgs),
    /// Roles and responsibilities, with holders and deputies; `role describe` drafts a job description.
    Role(RoleArgs),
    /// Succession: critical roles whose deputy is missing or not ready (computed from access and knowledge).
    #[command(subcommand)]
    Succession(SuccessionCommand),
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
    /// Policies and plans: security policy, DR, backup, crisis, succession…; `policy review` records a review.
    Policy(PolicyArgs),
    /// Git repositories linked to systems.
    Repository(RecordArgs),
    /// Accepted risks: audit findings someone decided to live with, until a date.
    Acceptance(RecordArgs),
}

/// Shares to open an escrow with: decrypted here with a custodian's identity, or share
/// texts a custodian decrypted on their own machine (`escrow share`).
#[derive(Debug, Args)]
pub struct ShareArgs {
    /// A custodian and their identity file (age `AGE-SECRET-KEY-1…` or an unencrypted
    /// OpenSSH private key), `PERSON=FILE` (repeatable).
    #[arg(long = "identity", value_name = "PERSON=FILE")]
    pub identities: Vec<String>,
    /// A share text from `handover escrow share` (repeatable).
    #[arg(long = "share", value_name = "FILE")]
    pub shares: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open an incident: `open KEY --title … --by PERSON [--commander PERSON] [--scenario …] [--system S]…`.
    Open {
        key: String,
        #[arg(long)]
        title: String,
        /// Who opens it (the first timeline entry).
        #[arg(long, value_name = "PERSON")]
        by: String,
        #[arg(long, value_name = "PERSON")]
        commander: Option<String>,
        #[arg(long)]
        scenario: Option<String>,
        /// Systems affected (repeat).
        #[arg(long = "system", value_name = "SYSTEM")]
        systems: Vec<String>,
        /// When it started (default: now), local time YYYY-MM-DDTHH:MM.
        #[arg(long)]
        at: Option<jiff::civil::DateTime>,
    },
    /// Add to the timeline: a note, a decision or an action, by whom, when (default: now).
    Log {
        key: String,
        text: String,
        #[arg(long, value_name = "PERSON")]
        by: String,
        #[arg(long, value_parser = choice(handover_core::EntryKind::ALL, handover_core::EntryKind::as_str), default_value = "note")]
        kind: handover_core::EntryKind,
        #[arg(long)]
        at: Option<jiff::civil::DateTime>,
    },
    /// Close it, with the closing summary as the last entry.
    Close {
        key: String,
        #[arg(long, value_name = "PERSON")]
        by: String,
        #[arg(long)]
        summary: String,
        #[arg(long)]
        at: Option<jiff::civil::DateTime>,
    },
    /// Incidents, open first.
    List(FormatArg),
    /// The timeline (table), the record (json) or a document for the post-incident review (markdown).
    Show {
        key: String,
        #[arg(long, value_enum, default_value_t)]
        format: ReportFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum DrillCommand {
    /// A tabletop exercise for a scenario: roles, a timeline of injects that hit this
    /// organisation's actual weak points, questions per role, expected actions, debrief.
    Generate {
        #[arg(long, value_parser = choice(&handover_governance::drill::Scenario::ALL, handover_governance::drill::Scenario::as_str))]
        scenario: handover_governance::drill::Scenario,
        #[arg(long, value_enum, default_value = "markdown")]
        format: ReportFormat,
    },
    /// Record a drill held: as a review of the crisis plan it tested (so drills fall due like reviews).
    #[command(long_about = "Record a tabletop drill as a review of the plan it tested (a policy such as \
the crisis plan): who took part, what it found, and the follow-ups with owners. The plan's \
review interval then says when the next drill is due (`handover due`).\n\nExample:\n  \
handover drill record crisis-plan --scenario ransomware --by tom-askew --participants \
tom-askew,raj-patel,priya-sandhu --finding \"nobody else can restore Veeam\" --follow-up \
\"raj-patel: Veeam admin training by 2027-01-31\"")]
    Record {
        /// The plan (policy) the drill tested.
        plan: String,
        #[arg(long, value_parser = choice(&handover_governance::drill::Scenario::ALL, handover_governance::drill::Scenario::as_str))]
        scenario: handover_governance::drill::Scenario,
        /// Who ran it.
        #[arg(long, value_name = "PERSON")]
        by: String,
        #[arg(long, value_delimiter = ',', required = true)]
        participants: Vec<String>,
        /// What the drill found (repeat).
        #[arg(long = "finding")]
        findings: Vec<String>,
        /// A follow-up, "OWNER: what by when" (repeat).
        #[arg(long = "follow-up")]
        follow_ups: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum IntakeCommand {
    /// Record a system bought or built outside IT; it is pending until accepted.
    #[command(long_about = "Record a system bought or built outside IT (shadow IT) as a system with an \
intake: `intake add KEY name=… tier=… [FIELD=VALUE…] --requested-by PERSON`. It stays pending, and \
`audit` flags it (HO-INTAKE-001), until it has a business owner, a technical owner, a vendor with \
a named contact, a maintenance agreement (or `intake waive-maintenance`), a patching owner and \
cadence, and documentation; then `intake accept`.\n\nExample:\n  handover intake add erp-link \
name=\"ERP to webshop integration\" tier=1 kind=integration owner=helen-marsh --requested-by helen-marsh")]
    Add {
        /// The key, then FIELD=VALUE pairs of the system.
        #[arg(value_name = "KEY|FIELD=VALUE", required = true)]
        args: Vec<String>,
        /// Who brought it in.
        #[arg(long, value_name = "PERSON")]
        requested_by: String,
    },
    /// Pending intakes and what each still lacks (`--all` includes accepted ones).
    List {
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Record the decision to run without a maintenance agreement, and who takes the risk.
    WaiveMaintenance {
        key: String,
        #[arg(long, value_name = "PERSON")]
        by: String,
        #[arg(long)]
        reason: String,
    },
    /// Accept the system into IT's care (refused while anything is missing).
    Accept {
        key: String,
        #[arg(long, value_name = "PERSON")]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Start a campaign: one item per access edge in scope, each with a reviewer who is not its holder.
    #[command(long_about = "Start an access-review campaign (CIS 5.1/6.x, ISO/IEC 27001 A.5.18). Every \
grant and group membership of the active login accounts in --scope becomes an item, assigned by \
--reviewer-rule: `owner` (the system's owner, else a technical owner, else the holder's manager) or \
`manager` (the holder's manager, else the system's owners). Nobody reviews their own access.\n\n\
Example:\n  handover review start --scope system:entra-id --reviewer-rule owner --due 2026-12-31\n  \
handover review start --scope all-admin --reviewer-rule manager --due 2027-01-15 --name \"Q1 admin review\"")]
    Start {
        /// system:KEY, person:KEY or all-admin.
        #[arg(long)]
        scope: String,
        #[arg(long, value_parser = choice(handover_core::ReviewerRule::ALL, handover_core::ReviewerRule::as_str))]
        reviewer_rule: handover_core::ReviewerRule,
        #[arg(long, value_name = "DATE")]
        due: jiff::civil::Date,
        /// A name for the campaign (default: the scope and the month).
        #[arg(long)]
        name: Option<String>,
        /// The campaign's key (default: from the scope and today).
        #[arg(long)]
        key: Option<String>,
    },
    /// Campaigns with their completion.
    List(FormatArg),
    /// A campaign's items (table) or the whole record (json); `--mine PERSON` only theirs to decide.
    Show {
        key: String,
        #[arg(long, value_name = "PERSON")]
        mine: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Decide an item (its number in `review show`, or its access text).
    Decide {
        key: String,
        item: String,
        #[arg(value_parser = choice(handover_core::Decision::ALL, handover_core::Decision::as_str))]
        decision: handover_core::Decision,
        /// Why (kept as evidence).
        #[arg(long)]
        reason: String,
        /// Who decides: the item's reviewer (a person key).
        #[arg(long, value_name = "PERSON")]
        by: String,
    },
    /// Close a campaign once every item is decided.
    Close { key: String },
    /// The evidence for auditors: every decision with who, when and why, and revokes not yet done.
    Report {
        key: String,
        #[arg(long, value_enum, default_value_t)]
        format: ReportFormat,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// The URL people reach the server at; https:// marks cookies Secure.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// How long a sign-in lasts.
    #[arg(long, default_value_t = 12, value_name = "HOURS")]
    pub session_hours: i64,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user, or change an existing one's role, person or password.
    #[command(long_about = "Add a user, or change an existing one. The password is read from \
--password-file, else typed at a prompt (not echoed), else read as one line from standard input; \
at least 12 characters. Only an argon2id hash is stored. Link the user to the person they are \
with --person: that is how handover keeps a leaver out of their own departure plan, and who an \
accepted risk names.\n\nRoles: viewer (reads), reviewer (also decides reviews, accepts risks), \
editor (also changes the inventory, imports, works on plans), admin (also manages users).")]
    Add {
        email: String,
        #[arg(long, value_parser = choice(&handover_core::UserRole::ALL, handover_core::UserRole::as_str))]
        role: handover_core::UserRole,
        /// The person record this user is.
        #[arg(long, value_name = "PERSON")]
        person: Option<String>,
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// List users.
    List(FormatArg),
    /// Disable a user: their sessions end and their tokens stop working.
    Disable { email: String },
    /// Remove a user with their sessions and tokens.
    Remove { email: String },
    /// API tokens: `add EMAIL --name N [--role R]` prints the token once; `list`; `revoke ID`.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token for a user; it is printed once and only its hash is kept.
    Add {
        email: String,
        /// What it is for (shown in listings).
        #[arg(long)]
        name: String,
        /// Narrower than the user's role, if given.
        #[arg(long, value_parser = choice(&handover_core::UserRole::ALL, handover_core::UserRole::as_str))]
        role: Option<handover_core::UserRole>,
        /// Expiry, e.g. 90d.
        #[arg(long)]
        expires_in: Option<handover_core::Interval>,
    },
    List(FormatArg),
    Revoke {
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EscrowCommand {
    /// Seal a secret so that any THRESHOLD of the custodians can open it.
    #[command(long_about = "Seal the secret in --secret-file: it is encrypted (ChaCha20-Poly1305) under a \
fresh key, the key is split with Shamir's scheme so that any --threshold of the --custodians \
can rebuild it, and each custodian's share is encrypted to their public key (the person's \
escrow_key: an age recipient or an SSH public key). Only ciphertexts are stored. Delete the \
secret file afterwards.\n\nExample:\n  handover person set dana-whitfield escrow_key=age1…\n  \
handover escrow add domain-admin --name \"Domain admin password\" --custodians \
dana-whitfield,tom-askew,mei-lin,raj-patel,oliver-grant --threshold 3 --secret-file pw.txt")]
    Add {
        key: String,
        #[arg(long)]
        name: String,
        /// Person keys, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        custodians: Vec<String>,
        #[arg(long)]
        threshold: u8,
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        /// The system the secret opens.
        #[arg(long, value_name = "SYSTEM")]
        system: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Every escrow, with custodians who have left or are leaving flagged.
    List(FormatArg),
    /// One escrow: custodians and their status, threshold, generation, openings.
    Show {
        key: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Decrypt your own share with your identity, to hand to whoever opens the escrow.
    Share {
        key: String,
        #[arg(long, value_name = "PERSON")]
        custodian: String,
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// Write the share text here (created with mode 0600; must not exist). Default: standard output.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Open the escrow with THRESHOLD shares; the opening is logged with who took part.
    Open {
        key: String,
        #[command(flatten)]
        shares: ShareArgs,
        /// Why it is being opened (kept in the record and the event log).
        #[arg(long)]
        reason: String,
        /// Write the secret here (created with mode 0600; must not exist). Default: standard output.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Re-split among new custodians (default: those still here); old shares stop working.
    Rekey {
        key: String,
        #[command(flatten)]
        shares: ShareArgs,
        /// The new custodians (default: the current ones who have not left and are not leaving).
        #[arg(long, value_delimiter = ',')]
        custodians: Vec<String>,
        /// The new threshold (default: the current one, at most the number of custodians).
        #[arg(long)]
        threshold: Option<u8>,
        #[arg(long, default_value = "custodians changed")]
        reason: String,
    },
    /// Delete an escrow (the ciphertexts stay in the event log's history).
    Rm { key: String },
}

#[derive(Debug, Args)]
pub struct GitArgs {
    /// Repositories: work trees, `.git` directories or bare repositories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Two names or e-mails of the same developer, `A=B` (repeatable). `.mailmap` is honoured too.
    #[arg(long = "alias", value_name = "A=B")]
    pub aliases: Vec<String>,
    /// Diff threads per repository (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

#[derive(Debug, Subcommand)]
pub enum GitCommand {
    /// Truck factor, authors and modules of repositories, from their history (nothing is stored).
    #[command(long_about = "Compute who the authors of each source file are (degree of authorship, \
Avelino et al., ICPC 2016) and the truck factor: how many authors would have to leave before \
more than half of the files have no author left. The whole history of HEAD is read, following \
renames; merges add nothing; vendored, documentation and generated files do not count; \
identities with the same e-mail or name are one developer (and .mailmap and --alias).\n\n\
Examples:\n  handover git truck-factor ~/src/erp-sync\n  handover git truck-factor repo-a repo-b \
--format json --module-depth 1")]
    TruckFactor {
        #[command(flatten)]
        git: GitArgs,
        /// Also report modules: the first N directory levels.
        #[arg(long, default_value_t = 0, value_name = "N")]
        module_depth: usize,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Every file at HEAD with its authors, or why it does not count.
    Files {
        #[command(flatten)]
        git: GitArgs,
        /// Only files that count (with their authors).
        #[arg(long)]
        source_only: bool,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Scan repositories and store who knows them: feeds audit, risk and whatif.
    #[command(long_about = "Scan repositories as `git truck-factor` does and store the result on a \
repository record linked to --system (created if missing, keyed by --repo or the directory \
name). Authors are matched to people by e-mail (a person's email or aliases), then by name; \
--map EMAIL=PERSON settles the rest. Audit then reports code only people who are leaving or \
gone know, `risk` counts code authors as knowers, and `whatif` shows repositories whose truck \
factor would drop to zero.\n\nExample:\n  handover git scan ~/src/erp-sync --system erp --map \
dana@home.example=dana-whitfield")]
    Scan {
        #[command(flatten)]
        git: GitArgs,
        /// The system the code belongs to.
        #[arg(long, value_name = "SYSTEM")]
        system: String,
        /// Repository record key (default: the directory name); only with one PATH.
        #[arg(long, value_name = "KEY")]
        repo: Option<String>,
        /// Map a git e-mail or name to a person, `EMAIL=PERSON` (repeatable).
        #[arg(long = "map", value_name = "EMAIL=PERSON")]
        map: Vec<String>,
        /// Show what would be stored and store nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        format: FormatArg,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The system the access belongs to (it must exist: `handover system add`).
    #[arg(long, value_name = "SYSTEM")]
    pub system: String,
    /// Show what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub format: FormatArg,
}

/// `import csv` takes `--format` for the vendor as well as the output, so it has its own args.
#[derive(Debug, Args)]
pub struct CsvImportArgs {
    /// The system the access belongs to (it must exist: `handover system add`).
    #[arg(long, value_name = "SYSTEM")]
    pub system: String,
    /// The export's vendor (okta, entra, google) and/or the output (table, json); repeatable.
    #[arg(long, value_name = "FORMAT", value_parser = PossibleValuesParser::new(["okta", "entra", "google", "table", "json"]))]
    pub format: Vec<String>,
    /// The export's vendor, if not given with --format.
    #[arg(long, value_name = "VENDOR", value_parser = PossibleValuesParser::new(["okta", "entra", "google"]))]
    pub vendor: Option<String>,
    /// Show what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// An LDIF file (RFC 2849): users, posix groups, groupOfNames (nested), groupOfUniqueNames.
    #[command(long_about = "Import an LDIF export of a directory as the access of one system: accounts \
(posixAccount, inetOrgPerson, person, account), groups (posixGroup, groupOfNames, \
groupOfUniqueNames; nested through member DNs) and memberships. Accounts link to people by \
email, then username/alias; a matching display name is only proposed. Admin comes from groups \
named admin/admins/administrators/domain admins/wheel/sudo/root/sysadmin, gidNumber 0, or \
uidNumber 0. Passwords are never read.\n\nRe-importing the same file changes nothing; accounts \
that vanished are kept as `removed`.\n\nExample:\n  handover import ldif people.ldif --system \
openldap --dry-run")]
    Ldif {
        file: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// SCIM 2.0 Users and Groups: a JSON file (a resource, a ListResponse or a list) or a live endpoint (--url).
    #[command(long_about = "Import SCIM 2.0 Users and Groups (RFC 7643) as the access of one system, from a \
JSON file — one resource, a ListResponse, or a list of resources — or from a live SCIM endpoint: \
--url is the base URL (GET /Users and /Groups are read page by page, RFC 7644 startIndex/count \
paging) and --token-file a file holding the bearer token (never given on the command line, \
never printed). Users are accounts named by userName (active: false disables them); Groups are \
group accounts `group:NAME` whose members (users or groups: groups nest) inherit a `member of \
NAME` grant, admin for admin-like names. Accounts link to people by primary email, then \
username. A file and an endpoint holding the same resources import the same.\n\nExamples:\n  \
handover import scim users.json --system okta\n  handover import scim --url \
https://idp.example.com/scim/v2 --token-file ~/.scim-token --system okta")]
    Scim {
        /// A SCIM JSON file (or give --url).
        #[arg(required_unless_present = "url", conflicts_with = "url")]
        file: Option<PathBuf>,
        /// A live SCIM endpoint's base URL, the part before /Users (https://…/scim/v2).
        #[arg(long)]
        url: Option<String>,
        /// A file holding the bearer token for --url (surrounding whitespace is ignored).
        #[arg(long, value_name = "FILE", requires = "url")]
        token_file: Option<PathBuf>,
        /// Resources asked for per page with --url (SCIM `count`; the server may send fewer).
        #[arg(long, value_name = "N", requires = "url")]
        page_size: Option<usize>,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// A Linux host from its files: passwd, group, shadow (lock/expiry only), sudoers(.d), authorized_keys.
    #[command(long_about = "Import a Linux host's accounts from its files below --root (a copy, a mounted \
image, or / itself) or over SSH (--ssh): etc/passwd, etc/group (split groups merged), etc/shadow \
(only lock and expiry; hashes are never kept), etc/sudoers and etc/sudoers.d (aliases expanded; \
ALL or a shell is admin), and each user's ~/.ssh/authorized_keys (one grant per key, by SHA256 \
fingerprint). uid 0 and the sudo/wheel/admin/root groups are admin.\n\n--ssh runs the system's \
ssh client once (your keys, agent, ~/.ssh/config and known hosts apply; it never prompts) and \
a POSIX sh on the host prints the files the login may read: shadow and sudoers need root.\n\n\
Examples:\n  handover import linux --root /mnt/web1 --system web1\n  handover import linux --ssh \
root@web1.example.com --system web1\n  handover import linux --ssh web1 --ssh-option Port=2222 \
--system web1")]
    Linux {
        /// The host's root directory.
        #[arg(long, value_name = "DIR", required_unless_present = "ssh", conflicts_with = "ssh")]
        root: Option<PathBuf>,
        /// The host to read over SSH: [USER@]HOST, or a Host of your ~/.ssh/config.
        #[arg(long, value_name = "DESTINATION")]
        ssh: Option<String>,
        /// An ssh option for --ssh, as `ssh -o` takes it (repeatable): Port=2222, IdentityFile=KEY, …
        #[arg(long = "ssh-option", value_name = "OPTION", requires = "ssh", conflicts_with = "root")]
        ssh_options: Vec<String>,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// AWS IAM: `aws iam get-account-authorization-details` JSON, plus the credential report.
    #[command(long_about = "Import an AWS account's IAM from the JSON `aws iam \
get-account-authorization-details` prints: users, groups and membership, roles (and who their \
trust policies let assume them), managed and inline policies. With --credential-report (the \
22-column CSV, or the JSON `aws iam get-credential-report` prints) users get MFA, last use \
(password or access key) and the root user; users that can no longer sign in are disabled. \
AdministratorAccess, IAMFullAccess, Action * on Resource * and actions that let a principal \
grant itself more (iam:Put*Policy, iam:Attach*Policy, iam:CreatePolicyVersion …) are admin; \
docs/import.md has the whole rule set.\n\nExample:\n  aws iam get-account-authorization-details \
> iam.json\n  aws iam get-credential-report --query Content --output text | base64 -d > report.csv\n  \
handover import aws-iam iam.json --credential-report report.csv --system aws-prod")]
    AwsIam {
        file: PathBuf,
        /// The IAM credential report (CSV, or the JSON answer with base64 `Content`).
        #[arg(long, value_name = "CSV")]
        credential_report: Option<PathBuf>,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// Kubernetes RBAC: Role, ClusterRole, RoleBinding, ClusterRoleBinding YAML (multi-document, kind: List).
    #[command(long_about = "Import a cluster's RBAC from YAML files (several documents per file, or \
`kind: List`, as `kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml` \
writes). Users, groups and service accounts named by bindings become accounts; cluster roles \
and roles become groups their subjects are members of; a RoleBinding to a ClusterRole is a \
grant naming its namespace. cluster-admin, verbs * on resources *, impersonating users or \
groups, and escalate/bind on roles are admin.\n\nExample:\n  kubectl get \
clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml > rbac.yaml\n  handover import \
k8s-rbac rbac.yaml --system prod-cluster")]
    K8sRbac {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// GitHub: an organisation's members, owners, 2FA, teams and repository permissions (REST API JSON).
    #[command(long_about = "Import a GitHub organisation from the REST API's own answers gathered in one \
JSON file — {\"org\", \"members\", \"admins\" (members?role=admin), \"members_2fa_disabled\" \
(members?filter=2fa_disabled), \"outside_collaborators\", \"teams\", \"team_members\": {slug: \
[...]}, \"team_repos\": {slug: [...]}, \"repos\": {repo: {\"collaborators\": [...]}}} — or a \
plain array of members. Owners and repository admin are admin; members listed with 2FA \
disabled get mfa: false. docs/import.md describes the bundle.\n\nExample:\n  handover import \
github example-org.json --system github")]
    Github {
        file: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// An identity provider's user export (CSV): --format okta, entra or google.
    #[command(long_about = "Import the users CSV an identity provider's admin console exports: Okta \
(Directory > People), Microsoft Entra ID (Users > Download users) or Google Workspace \
(Directory > Users > Download users). Give the vendor with --format okta|entra|google (or \
--vendor); --format may be given again for the output (table or json). Headers are matched \
case-insensitively in any order; status, last sign-in, MFA/2SV, admin roles and groups columns \
are read when present (docs/import.md lists them).\n\nExample:\n  handover import csv --format \
okta users.csv --system okta --format json")]
    Csv {
        file: PathBuf,
        #[command(flatten)]
        args: CsvImportArgs,
    },
    /// A live LDAP directory (paged search), mapped exactly as an LDIF file is.
    #[command(long_about = "Read a live LDAP directory with a paged subtree search and import it as the \
access of one system, mapped exactly as `import ldif` maps a file. Only the attributes the \
mapping needs are requested (never passwords). The bind password is read from a file, never \
from the command line.\n\nExample:\n  handover import ldap --url ldap://127.0.0.1:389 --bind-dn \
cn=reader,dc=example,dc=com --password-file ~/.ldap-reader --base dc=example,dc=com --system \
openldap")]
    Ldap {
        /// ldap://host:port
        #[arg(long)]
        url: String,
        /// Bind as this DN (anonymous when left out).
        #[arg(long, value_name = "DN")]
        bind_dn: Option<String>,
        /// A file holding the bind password (a trailing newline is ignored).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Search under this DN.
        #[arg(long, value_name = "DN")]
        base: String,
        #[arg(long, default_value = "(objectClass=*)")]
        filter: String,
        #[arg(long, default_value_t = 500)]
        page_size: i32,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// A live PostgreSQL server: roles, memberships, database/schema/table privileges (pg_catalog).
    #[command(long_about = "Read a live PostgreSQL server's roles and privileges from pg_catalog and import \
them as the access of one system. Login roles are accounts (disabled when VALID UNTIL has passed \
or CONNECTION LIMIT is 0); NOLOGIN roles are group accounts `role:NAME` whose members inherit \
their grants; what is granted to PUBLIC lands on `role:public`. Grants: role attributes \
(SUPERUSER, CREATEROLE, BYPASSRLS, REPLICATION are admin), database privileges and ownership \
(owner and CREATE are admin), schema privileges and ownership, and table privileges summarised \
per schema (`tables in DB.SCHEMA: SELECT, INSERT`; INSERT/UPDATE/DELETE/TRUNCATE are write). \
docs/import.md has the whole rule set.\n\nThe importing role needs only LOGIN and CONNECT: \
the catalogs are readable by every role; passwords are never read. Roles are the server's; \
schemas and tables are read from the URL's database, or from each --database instead. The \
password comes from --password-file (or the URL); there is no TLS yet, so connect over \
loopback, a Unix socket or a tunnel.\n\nExample:\n  handover import postgres --url \
postgres://auditor@127.0.0.1:5432/shop --password-file ~/.pg-auditor --database shop \
--database billing --system pg-prod")]
    Postgres {
        /// postgres://user@host:port/database
        #[arg(long)]
        url: String,
        /// A file holding the password (a trailing newline is ignored).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Read this database's schemas and tables instead of the URL's (repeatable).
        #[arg(long = "database", value_name = "NAME")]
        databases: Vec<String>,
        #[command(flatten)]
        args: ImportArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum PlanFormat {
    #[default]
    Table,
    Json,
    Markdown,
    /// A self-contained page to print and hand out.
    Html,
    /// A calendar of the tasks (iCalendar), for the people doing them.
    Ics,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Create (or regenerate, keeping what is done) the plan for a person leaving.
    #[command(long_about = "Create the departure plan for PERSON, from everything handover knows they hold: \
knowledge transfer first (hand-over sessions and supervised tasks on every system only they \
know or administer, project reports), then transfers (ownerships, roles, project leads, vendor \
contacts, each to a named successor with the reason), then revocation of every active \
account, most dangerous first (identity provider, cloud, remote access, email), rotation of \
every secret they hold, communication, and verification by re-import.\n\nHostile mode puts \
every revocation inside --window after --leaving-at, pre-stages successors and new secrets \
before it, and tells the person after it.\n\nRunning it again after new imports keeps the \
tasks already done and adds what is new.\n\nExample:\n  handover plan create dana-whitfield \
--mode hostile --leaving-at 2026-12-15T08:00 --window 15m --owner tom-askew")]
    Create {
        person: String,
        /// friendly: knowledge transfer over weeks, revocation at the end of the last day;
        /// hostile: everything revoked inside one short window, the person told afterwards.
        #[arg(long, default_value = "friendly", value_parser = choice(PlanMode::ALL, PlanMode::as_str))]
        mode: PlanMode,
        /// Their last moment (hostile: when the lock-out window opens), local time.
        #[arg(long, value_name = "YYYY-MM-DDTHH:MM")]
        leaving_at: jiff::civil::DateTime,
        /// Hostile mode: how long the lock-out may take.
        #[arg(long, default_value = "15m")]
        window: handover_core::Interval,
        /// Who runs the plan (never the person leaving).
        #[arg(long, value_name = "PERSON")]
        owner: Option<String>,
    },
    /// List plans.
    List(FormatArg),
    /// Show a plan's tasks in order (markdown prints a checklist; ics a calendar).
    Show {
        key: String,
        #[arg(long, value_enum, default_value_t)]
        format: PlanFormat,
    },
    /// Progress per phase, overdue tasks and the access that remains.
    Status {
        key: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Check the latest data: every account still active, every secret not rotated. Exits 1 while anything remains.
    Verify {
        key: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Mark a task done (with evidence) or skipped (with a reason).
    #[command(subcommand)]
    Task(TaskCommand),
    /// Record a check-in on the transition: notes, decisions, adjustments (seed 000 §9).
    #[command(long_about = "Record a check-in on a transition: who held it (never the person leaving), \
what was found, what was decided and what was adjusted. With --every, check-ins recur: \
`handover due` lists the next one while tasks are open.\n\nExample:\n  handover plan checkin \
sanjay-mehta-2027-01-15 --by tom-askew --every 7d --notes \"ERP hand-over on track\" \
--decision \"Helen approves payroll from Jan\" --adjust \"move the bank token hand-over to week 2\"")]
    Checkin {
        key: String,
        #[arg(long, value_name = "PERSON")]
        by: String,
        #[arg(long)]
        notes: String,
        #[arg(long = "decision")]
        decisions: Vec<String>,
        #[arg(long = "adjust")]
        adjustments: Vec<String>,
        /// How often to check in from now on (e.g. 7d).
        #[arg(long)]
        every: Option<handover_core::Interval>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Mark a task done, with the evidence that proves it.
    Done {
        plan: String,
        /// The task id (or its number in `plan show`).
        task: String,
        #[arg(long, required_unless_present = "evidence_file")]
        evidence: Option<String>,
        #[arg(long, value_name = "FILE")]
        evidence_file: Option<PathBuf>,
    },
    /// Skip a task, saying why.
    Skip {
        plan: String,
        task: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LogArgs {
    #[command(subcommand)]
    pub verify: Option<LogCommand>,
    /// Only events about records of this kind (person, system, …), or about web users
    /// (`user`) and API tokens (`api_token`).
    #[arg(long, value_parser = parse_event_kind)]
    pub kind: Option<String>,
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
pub struct RoleArgs {
    #[command(subcommand)]
    pub action: RoleAction,
}

#[derive(Debug, Subcommand)]
pub enum RoleAction {
    #[command(flatten)]
    Record(RecordAction),
    /// Draft the responsibilities of a role (or a person) from what its holder actually holds.
    Describe {
        /// A role key or a person key.
        key: String,
        #[command(flatten)]
        format: ReportFormatArg,
    },
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub action: PolicyAction,
}

#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    #[command(flatten)]
    Record(RecordAction),
    /// Record a review: a named reviewer and notes are required; the next one falls due after the interval.
    Review {
        key: String,
        /// The person who reviewed it.
        #[arg(long, value_name = "PERSON")]
        reviewer: String,
        /// What was checked, changed or decided.
        #[arg(long)]
        notes: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SuccessionCommand {
    /// Critical roles with no deputy, a deputy who is leaving, or one lacking the access or knowledge the holder has.
    Gaps(FormatArg),
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
