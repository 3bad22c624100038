//! `handover git truck-factor` and `handover git scan`.

use super::Context;
use crate::cli::{Format, GitArgs, GitCommand};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_core::{ErrorCode, Inventory, Kind, Record, Repository};
use handover_git::{Options, RepoReport};
use handover_store::Store;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub fn run(ctx: &Context, cmd: GitCommand) -> Result<()> {
    match cmd {
        GitCommand::TruckFactor { git, module_depth, format } => truck_factor(&git, module_depth, format.format),
        GitCommand::Files { git, source_only, format } => files(&git, source_only, format.format),
        GitCommand::Scan { git, system, repo, map, dry_run, format } => {
            scan(ctx, &git, &system, repo.as_deref(), &map, dry_run, format.format)
        }
    }
}

fn truck_factor(git: &GitArgs, module_depth: usize, format: Format) -> Result<()> {
    let reports = analyze_all(git, module_depth)?;
    match format {
        Format::Json => output::json(&reports),
        Format::Table => {
            for r in &reports {
                print_report(r);
            }
            Ok(())
        }
    }
}

fn files(git: &GitArgs, source_only: bool, format: Format) -> Result<()> {
    let reports = analyze_all(git, 0)?;
    let lists: Vec<Vec<&handover_git::FileEntry>> =
        reports.iter().map(|r| r.file_list.iter().filter(|f| !source_only || f.excluded.is_none()).collect()).collect();
    match format {
        Format::Json if reports.len() == 1 => output::json(&lists[0]),
        Format::Json => output::json(&reports.iter().zip(&lists).map(|(r, l)| (&r.path, l)).collect::<Vec<_>>()),
        Format::Table => {
            for (r, list) in reports.iter().zip(&lists) {
                println!("{}", r.path);
                let mut t = output::table(&["file", "authors"]);
                for f in list {
                    let who = match f.excluded {
                        Some(why) => format!("({why})"),
                        None => f.authors.join(", "),
                    };
                    t.add_row(vec![f.path.clone(), who]);
                }
                println!("{t}\n");
            }
            Ok(())
        }
    }
}

fn print_report(r: &RepoReport) {
    println!("{}  (HEAD {})", r.path, &r.head[..r.head.len().min(12)]);
    println!(
        "  {} commits, {} source files ({} vendored, {} documentation, {} generated, {} not source left out)",
        r.commits, r.files, r.excluded.vendored, r.excluded.documentation, r.excluded.generated, r.excluded.not_source
    );
    println!("  truck factor {}: {}", r.truck_factor, if r.tf_authors.is_empty() { "-".to_string() } else { r.tf_authors.join(", ") });
    let mut t = output::table(&["author", "email", "files", "share"]);
    for a in &r.top_authors {
        let share = if r.files == 0 { 0.0 } else { 100.0 * a.files as f64 / r.files as f64 };
        t.add_row(vec![a.name.clone(), a.email.clone(), a.files.to_string(), format!("{share:.0}%")]);
    }
    println!("{t}");
    if !r.modules.is_empty() {
        let mut t = output::table(&["module", "files", "truck factor", "authors"]);
        for m in &r.modules {
            t.add_row(vec![m.module.clone(), m.files.to_string(), m.truck_factor.to_string(), m.tf_authors.join(", ")]);
        }
        println!("{t}");
    }
    if !r.exact_renames_only.is_empty() {
        eprintln!(
            "note: {} commits were diffed without similarity-based rename detection: blobs are missing (a partial clone?)",
            r.exact_renames_only.len()
        );
    }
    for (a, b) in &r.unused_aliases {
        eprintln!("note: alias {a}={b} matched no commit identity");
    }
    println!();
}

fn parse_pairs(values: &[String], what: &str) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => Ok((a.trim().to_string(), b.trim().to_string())),
            _ => Err(user(ErrorCode::InvalidField, format!("{what} {v:?} is not of the form A=B"))),
        })
        .collect()
}

/// Analyses every path; several repositories run side by side, sharing the cores.
fn analyze_all(git: &GitArgs, module_depth: usize) -> Result<Vec<RepoReport>> {
    let aliases = parse_pairs(&git.aliases, "--alias")?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = if git.threads > 0 { git.threads } else { (cores / git.paths.len()).max(1) };
    let progress: Vec<AtomicU64> = git.paths.iter().map(|_| AtomicU64::new(0)).collect();
    let finished = AtomicBool::new(false);
    let results: Vec<Result<RepoReport, handover_git::GitError>> = std::thread::scope(|scope| {
        let show = std::io::stderr().is_terminal();
        let ticker = show.then(|| {
            scope.spawn(|| {
                while !finished.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    let done: u64 = progress.iter().map(|p| p.load(Ordering::Relaxed)).sum();
                    eprint!("\r\x1b[2Kreading history: {done} commits diffed");
                }
                eprint!("\r\x1b[2K");
            })
        });
        let workers: Vec<_> = git
            .paths
            .iter()
            .zip(&progress)
            .map(|(path, counter)| {
                let options = Options { module_depth, aliases: aliases.clone(), threads, progress: Some(counter) };
                scope.spawn(move || handover_git::analyze(path, &options))
            })
            .collect();
        let results = workers.into_iter().map(|w| w.join().expect("a repository scan panicked")).collect();
        finished.store(true, Ordering::Relaxed);
        if let Some(t) = ticker {
            let _ = t.join();
        }
        results
    });
    results.into_iter().map(|r| r.map_err(|e| user(ErrorCode::Source, e.to_string()))).collect()
}

/// Maps git authors to people: explicit --map first, then a person's email or aliases,
/// then a name that exactly one person has.
struct PersonMatcher {
    by_handle: HashMap<String, String>,
    by_name: HashMap<String, Option<String>>,
}

impl PersonMatcher {
    fn new(inv: &Inventory, explicit: &[(String, String)]) -> Result<PersonMatcher> {
        let mut by_handle = HashMap::new();
        let mut by_name: HashMap<String, Option<String>> = HashMap::new();
        for p in inv.people() {
            for handle in p.email.iter().chain(&p.aliases) {
                by_handle.entry(handle.trim().to_lowercase()).or_insert_with(|| p.key.clone());
            }
            by_name.entry(p.name.trim().to_lowercase()).and_modify(|k| *k = None).or_insert_with(|| Some(p.key.clone()));
        }
        for (handle, person) in explicit {
            if inv.person(person).is_none() {
                return Err(user(ErrorCode::RecordNotFound, format!("--map {handle}={person}: there is no person {person:?}")));
            }
            by_handle.insert(handle.to_lowercase(), person.clone());
        }
        Ok(PersonMatcher { by_handle, by_name })
    }

    fn person_of(&self, name: &str, emails: &[String]) -> Option<String> {
        let name = name.trim().to_lowercase();
        emails
            .iter()
            .find_map(|e| self.by_handle.get(e))
            .or_else(|| self.by_handle.get(&name))
            .cloned()
            .or_else(|| self.by_name.get(&name).cloned().flatten())
    }
}

/// A repository key from a path: the directory name without `.git`, as a slug.
fn repo_key(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name == ".git" {
        name = abs.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    }
    let name = name.strip_suffix(".git").unwrap_or(&name).to_lowercase();
    let slug: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' }).collect();
    let slug = slug.trim_start_matches(['.', '_', '-']).to_string();
    if slug.is_empty() {
        "repository".to_string()
    } else {
        slug
    }
}

#[derive(serde::Serialize)]
struct Scanned<'a> {
    repository: String,
    #[serde(flatten)]
    report: &'a RepoReport,
    /// Authors not matched to a person: name and e-mail.
    unmapped: Vec<(String, String)>,
}

fn scan(ctx: &Context, git: &GitArgs, system: &str, repo: Option<&str>, map: &[String], dry_run: bool, format: Format) -> Result<()> {
    if repo.is_some() && git.paths.len() > 1 {
        return Err(user(ErrorCode::InvalidField, "--repo names one repository; scan several paths without it"));
    }
    let map = parse_pairs(map, "--map")?;
    let mut store = ctx.store()?;
    let current = store.load()?;
    if current.get(Kind::System, system).is_none() {
        return Err(user(ErrorCode::RecordNotFound, format!("there is no system {system:?}; `handover system list` shows the keys")));
    }
    let matcher = PersonMatcher::new(&current, &map)?;
    let reports = analyze_all(git, 0)?;
    let mut target = current.clone();
    let mut scanned = Vec::new();
    for (path, report) in git.paths.iter().zip(&reports) {
        let key = repo.map_or_else(|| repo_key(path), str::to_string);
        let scan = report.to_scan(ctx.today, |name, emails| matcher.person_of(name, emails));
        let unmapped: Vec<(String, String)> =
            scan.authors.iter().filter(|a| a.person.is_none()).map(|a| (a.name.clone(), a.email.clone())).collect();
        let record = match current.get(Kind::Repository, &key) {
            Some(Record::Repository(existing)) => Repository {
                system: existing.system.clone().or_else(|| Some(system.to_string())),
                scan: Some(scan),
                ..existing.as_ref().clone()
            },
            _ => Repository { key: key.clone(), url: url_of(path), system: Some(system.to_string()), description: None, scan: Some(scan) },
        };
        target.insert(Record::from(record));
        scanned.push(Scanned { repository: key, report, unmapped });
    }
    let problems = target.validate();
    if let Some(p) = problems.first() {
        return Err(user(p.code, p.to_string()));
    }
    let changes = current.diff(&target, &[Kind::Repository]);
    if !dry_run {
        store.apply(&changes, &ctx.actor)?;
    }
    match format {
        Format::Json => output::json(&scanned),
        Format::Table => {
            for s in &scanned {
                print_report(s.report);
                if !s.unmapped.is_empty() {
                    println!("  not matched to a person (use --map EMAIL=PERSON):");
                    for (name, email) in &s.unmapped {
                        println!("    {name} <{email}>");
                    }
                }
            }
            for c in &changes.changes {
                let line = c.describe();
                // The scan is long; the key and the verb are what matter here.
                println!("{}", line.split(": scan:").next().unwrap_or(&line));
            }
            if dry_run {
                println!("(dry run: nothing stored)");
            }
            Ok(())
        }
    }
}

fn url_of(path: &Path) -> String {
    let abs: PathBuf = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", abs.display())
}
