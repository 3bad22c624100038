//! `handover incident …`: an incident's timeline, written as it happens (seed 004).

use super::Context;
use crate::cli::{IncidentCommand, ReportFormat};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_core::{EntryKind, ErrorCode, Incident, IncidentStatus, Inventory, Kind, Record, TimelineEntry};
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
            let incident = Incident {
                key: key.clone(),
                title,
                scenario,
                started,
                commander,
                status: IncidentStatus::Open,
                closed: None,
                systems,
                timeline: vec![TimelineEntry { at: started, by, kind: EntryKind::Note, text: "Incident opened".into() }],
            };
            super::records::add_record(ctx, Record::from(incident))?;
            println!("Opened incident {key} at {started}. Log as it happens: handover incident log {key} \"…\" --by PERSON [--kind decision|action]");
            Ok(())
        }
        IncidentCommand::Log { key, text, by, kind, at } => append(ctx, &key, by, kind, text, at, false),
        IncidentCommand::Close { key, by, summary, at } => append(ctx, &key, by, EntryKind::Note, format!("Closed: {summary}"), at, true),
        IncidentCommand::List(f) => {
            let inv = ctx.store()?.load()?;
            let mut all: Vec<&Incident> = inv.incidents().collect();
            all.sort_by_key(|i| (i.status == IncidentStatus::Closed, std::cmp::Reverse(i.started)));
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

fn append(ctx: &Context, key: &str, by: String, kind: EntryKind, text: String, at: Option<DateTime>, close: bool) -> Result<()> {
    let mut store = ctx.store()?;
    let inv = store.load()?;
    let mut i = load(&inv, key)?;
    if i.status == IncidentStatus::Closed {
        return Err(user(ErrorCode::Conflict, format!("incident {key} is closed")));
    }
    if inv.person(&by).is_none() {
        return Err(super::records::not_found(Kind::Person, &by));
    }
    if text.trim().is_empty() || text.trim() == "Closed:" {
        return Err(user(ErrorCode::MissingField, "say what happened"));
    }
    let at = now(at);
    i.timeline.push(TimelineEntry { at, by, kind, text: text.trim().to_string() });
    i.timeline.sort_by_key(|e| e.at);
    if close {
        i.status = IncidentStatus::Closed;
        i.closed = Some(at);
    }
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
