//! `handover incident …`: an incident's timeline, written as it happens (seed 004).

use super::Context;
use crate::cli::{IncidentCommand, ReportFormat};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_core::{EntryKind, ErrorCode, Incident, Inventory, Kind, Record, TimelineEntry};
use handover_governance::incident;
use jiff::civil::DateTime;
use std::fmt::Write;

fn now(at: Option<DateTime>) -> DateTime {
    // Minutes are the resolution people write timelines in.
    at.unwrap_or_else(|| jiff::Zoned::now().datetime().round(jiff::Unit::Minute).unwrap_or_else(|_| jiff::Zoned::now().datetime()))
}

fn load(inv: &Inventory, key: &str) -> Result<Incident> {
    match inv.get(Kind::Incident, key) {
        Some(Record::Incident(i)) => Ok((**i).clone()),
        _ => Err(user(ErrorCode::RecordNotFound, format!("there is no incident {key:?}; `handover incident list` shows them"))),
    }
}

fn person_name(inv: &Inventory, key: &str) -> String {
    inv.person(key).map_or_else(|| key.to_string(), |p| p.name.clone())
}

pub fn run(ctx: &Context, cmd: IncidentCommand) -> Result<()> {
    match cmd {
        IncidentCommand::Open { key, title, by, commander, scenario, systems, at } => {
            let started = now(at);
            let incident = incident::open(incident::Opening { key: key.clone(), title, by, commander, scenario, systems, at: started });
            super::records::add_record(ctx, Record::from(incident))?;
            println!("Opened incident {key} at {started}. Log as it happens: handover incident log {key} \"…\" --by PERSON [--kind decision|action]");
            Ok(())
        }
        IncidentCommand::Log { key, text, by, kind, at } => {
            append(ctx, &key, at, false, |inv, i, at| incident::log(inv, i, &by, kind, &text, at))
        }
        IncidentCommand::Close { key, by, summary, at } => {
            append(ctx, &key, at, true, |inv, i, at| incident::close(inv, i, &by, &summary, at))
        }
        IncidentCommand::List(f) => {
            let inv = ctx.store()?.load()?;
            let all = incident::sorted(&inv);
            match f.format {
                crate::cli::Format::Json => output::json(&all),
                crate::cli::Format::Table => {
                    let mut t = output::table(&["incident", "title", "started", "status", "entries"]);
                    for i in &all {
                        t.add_row(vec![
                            i.key.clone(),
                            i.title.clone(),
                            i.started.to_string(),
                            i.status.to_string(),
                            i.timeline.len().to_string(),
                        ]);
                    }
                    println!("{t}");
                    Ok(())
                }
            }
        }
        IncidentCommand::Show { key, format } => {
            let inv = ctx.store()?.load()?;
            let i = load(&inv, &key)?;
            match format {
                ReportFormat::Json => output::json(&i),
                ReportFormat::Table => {
                    let mut t = output::table(&["at", "who", "kind", "what"]);
                    for e in &i.timeline {
                        t.add_row(vec![e.at.to_string(), person_name(&inv, &e.by), e.kind.to_string(), e.text.clone()]);
                    }
                    println!(
                        "{} — {}{}",
                        i.title,
                        i.status,
                        i.commander.as_deref().map(|c| format!(", led by {}", person_name(&inv, c))).unwrap_or_default()
                    );
                    println!("{t}");
                    Ok(())
                }
                ReportFormat::Markdown => {
                    print!("{}", markdown(&inv, &i));
                    Ok(())
                }
            }
        }
    }
}

fn append(
    ctx: &Context,
    key: &str,
    at: Option<DateTime>,
    close: bool,
    step: impl FnOnce(&Inventory, &mut Incident, DateTime) -> Result<(), (ErrorCode, String)>,
) -> Result<()> {
    let mut store = ctx.store()?;
    let inv = store.load()?;
    let mut i = load(&inv, key)?;
    let at = now(at);
    step(&inv, &mut i, at).map_err(|(code, message)| user(code, message))?;
    super::records::save_one(ctx, store.as_mut(), &inv, Record::from(i))?;
    println!("{} {key} at {at}.", if close { "Closed" } else { "Logged on" });
    Ok(())
}

/// The timeline as a document for the post-incident review.
fn markdown(inv: &Inventory, i: &Incident) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Incident: {}\n", i.title);
    let duration = i.closed.and_then(|c| i.started.until(c).ok()).map(|s| format!(", {s:#}")).unwrap_or_default();
    let _ = writeln!(
        o,
        "Started {}{}; {}{}.{}\n",
        i.started,
        i.scenario.as_deref().map(|s| format!(" ({s})")).unwrap_or_default(),
        i.status,
        i.closed.map(|c| format!(" at {c}{duration}")).unwrap_or_default(),
        i.commander.as_deref().map(|c| format!(" Incident commander: {}.", person_name(inv, c))).unwrap_or_default()
    );
    if !i.systems.is_empty() {
        let names: Vec<String> = i.systems.iter().map(|s| inv.system(s).map_or_else(|| s.clone(), |x| x.name.clone())).collect();
        let _ = writeln!(o, "Systems affected: {}.\n", names.join(", "));
    }
    let _ = writeln!(o, "| time | who | kind | what |\n|---|---|---|---|");
    for e in &i.timeline {
        let _ = writeln!(o, "| {} | {} | {} | {} |", e.at, person_name(inv, &e.by), e.kind, e.text.replace('|', "\\|"));
    }
    let decisions: Vec<&TimelineEntry> = i.timeline.iter().filter(|e| e.kind == EntryKind::Decision).collect();
    if !decisions.is_empty() {
        let _ = writeln!(o, "\n## Decisions\n");
        for d in decisions {
            let _ = writeln!(o, "- {} ({}, {})", d.text, person_name(inv, &d.by), d.at);
        }
    }
    o
}
