//! `handover plan …`: create, show, track and verify departure plans.

use super::Context;
use crate::cli::{Format, PlanCommand, PlanFormat, TaskCommand};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_analysis::Snapshot;
use handover_core::{ErrorCode, Inventory, Kind, Plan, PlanMode, Record, TaskKind, TaskStatus};
use handover_plan::PlanSpec;
use handover_report::escape_html;
use handover_store::Store;
use std::fmt::Write;

pub fn run(ctx: &Context, cmd: PlanCommand) -> Result<()> {
    match cmd {
        PlanCommand::Create { person, mode, leaving_at, window, owner } => create(ctx, person, mode, leaving_at, window, owner),
        PlanCommand::List(f) => list(ctx, f.format),
        PlanCommand::Show { key, format } => show(ctx, &key, format),
        PlanCommand::Status { key, format } => status(ctx, &key, format.format),
        PlanCommand::Verify { key, format } => verify(ctx, &key, format.format),
        PlanCommand::Task(TaskCommand::Done { plan, task, evidence, evidence_file }) => {
            let evidence = match (evidence, evidence_file) {
                (Some(e), _) => e,
                (None, Some(f)) => {
                    std::fs::read_to_string(&f).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", f.display())))?
                }
                (None, None) => unreachable!("clap requires one"),
            };
            close_task(ctx, &plan, &task, TaskStatus::Done, evidence)
        }
        PlanCommand::Task(TaskCommand::Skip { plan, task, reason }) => close_task(ctx, &plan, &task, TaskStatus::Skipped, reason),
        PlanCommand::Checkin { key, by, notes, decisions, adjustments, every } => {
            checkin(ctx, &key, by, notes, decisions, adjustments, every)
        }
    }
}

fn load_plan(inv: &Inventory, key: &str) -> Result<Plan> {
    match inv.get(Kind::Plan, key) {
        Some(Record::Plan(p)) => Ok((**p).clone()),
        _ => Err(user(ErrorCode::RecordNotFound, format!("there is no plan {key:?}; `handover plan list` shows them"))),
    }
}

/// Writes the plan (created or changed) through the validated change path.
fn save(ctx: &Context, store: &mut dyn Store, current: &Inventory, plan: Plan) -> Result<()> {
    super::records::save_one(ctx, store, current, Record::from(plan))
}

fn create(
    ctx: &Context,
    person: String,
    mode: PlanMode,
    leaving_at: jiff::civil::DateTime,
    window: handover_core::Interval,
    owner: Option<String>,
) -> Result<()> {
    let mut store = ctx.store()?;
    let inv = store.load()?;
    let spec = PlanSpec { person: person.clone(), mode, leaving_at, window, owner, today: ctx.today };
    let key = handover_plan::plan_key(&spec);
    let existed = inv.contains(Kind::Plan, &key);
    let snap = Snapshot::new(&inv);
    let plan = handover_plan::create(&snap, &spec).map_err(|e| user(e.code, e.message))?;
    drop(snap);
    let count = |k: TaskKind| plan.tasks.iter().filter(|t| t.kind == k).count();
    let summary = format!(
        "{} knowledge, {} transfer, {} revoke, {} rotate, {} communicate, {} verify tasks",
        count(TaskKind::Knowledge),
        count(TaskKind::Transfer),
        count(TaskKind::Revoke),
        count(TaskKind::Rotate),
        count(TaskKind::Communicate),
        count(TaskKind::Verify)
    );
    let unassigned = plan.tasks.iter().filter(|t| t.assignee.is_none()).count();
    save(ctx, &mut store, &inv, plan)?;
    println!("{} plan {key}: {summary}.", if existed { "Regenerated" } else { "Created" });
    if unassigned > 0 {
        println!("{unassigned} tasks have no one to do them: pass --owner, or set a manager for {person}.");
    }
    println!(
        "Next: handover plan show {key} --format markdown · handover plan task done {key} N --evidence … · handover plan verify {key}"
    );
    Ok(())
}

fn list(ctx: &Context, format: Format) -> Result<()> {
    let inv = ctx.store()?.load()?;
    let plans: Vec<&Plan> = inv.plans().collect();
    match format {
        Format::Json => output::json(&plans),
        Format::Table => {
            let mut t = output::table(&["plan", "person", "mode", "leaving at", "done", "open"]);
            for p in &plans {
                let done = p.tasks.iter().filter(|t| t.status != TaskStatus::Open).count();
                t.add_row(vec![
                    p.key.clone(),
                    p.person.clone(),
                    p.mode.to_string(),
                    p.leaving_at.to_string(),
                    done.to_string(),
                    (p.tasks.len() - done).to_string(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
    }
}

fn person_name(inv: &Inventory, key: Option<&str>) -> String {
    key.map_or_else(|| "(unassigned)".to_string(), |k| inv.person(k).map_or_else(|| k.to_string(), |p| p.name.clone()))
}

fn show(ctx: &Context, key: &str, format: PlanFormat) -> Result<()> {
    let inv = ctx.store()?.load()?;
    let plan = load_plan(&inv, key)?;
    match format {
        PlanFormat::Json => output::json(&plan),
        PlanFormat::Ics => {
            print!("{}", ics(&plan));
            Ok(())
        }
        PlanFormat::Markdown => {
            print!("{}", markdown(&plan, &inv));
            Ok(())
        }
        PlanFormat::Html => {
            print!("{}", html(&plan, &inv));
            Ok(())
        }
        PlanFormat::Table => {
            let mut t = output::table(&["#", "due", "kind", "task", "assignee", "status"]);
            for (i, task) in plan.tasks.iter().enumerate() {
                t.add_row(vec![
                    (i + 1).to_string(),
                    task.due.to_string(),
                    task.kind.to_string(),
                    task.title.clone(),
                    person_name(&inv, task.assignee.as_deref()),
                    task.status.to_string(),
                ]);
            }
            println!("{} plan for {}, leaving {} (key {})", plan.mode, person_name(&inv, Some(&plan.person)), plan.leaving_at, plan.key);
            println!("{t}");
            Ok(())
        }
    }
}

fn markdown(plan: &Plan, inv: &Inventory) -> String {
    let mut o = String::new();
    let who = person_name(inv, Some(&plan.person));
    let _ = writeln!(o, "# Departure plan: {who}\n");
    let _ = writeln!(
        o,
        "Mode **{}**, leaving **{}**{}; plan run by {}. Plan `{}`, made {}.\n",
        plan.mode,
        plan.leaving_at,
        if plan.mode == PlanMode::Hostile { format!(", every revocation inside {} from then", plan.window) } else { String::new() },
        person_name(inv, plan.owner.as_deref()),
        plan.key,
        plan.created
    );
    if plan.mode == PlanMode::Hostile {
        let _ = writeln!(o, "> Confidential: do not share with {who}. Nothing here may alert them before the window opens.\n");
    }
    for kind in TaskKind::ALL {
        let tasks: Vec<(usize, &handover_core::Task)> = plan.tasks.iter().enumerate().filter(|(_, t)| t.kind == *kind).collect();
        if tasks.is_empty() {
            continue;
        }
        let _ = writeln!(o, "## {} ({})\n", kind.phase_title(), tasks.len());
        for (i, t) in tasks {
            let check = if t.status == TaskStatus::Open { "[ ]" } else { "[x]" };
            let _ = writeln!(o, "- {check} **{}.** {} — *{}*, due {}", i + 1, t.title, person_name(inv, t.assignee.as_deref()), t.due);
            let _ = writeln!(o, "  - Evidence: {}", t.evidence_required);
            if let Some(why) = &t.why {
                let _ = writeln!(o, "  - Why: {why}");
            }
            if let Some(r) = &t.rollback {
                let _ = writeln!(o, "  - Rollback: {r}");
            }
            if !t.depends_on.is_empty() {
                let _ = writeln!(o, "  - After: {}", t.depends_on.join(", "));
            }
            if let Some(m) = &t.message {
                let _ = writeln!(o, "  - Message (draft, check before sending):\n");
                for line in m.lines() {
                    let _ = writeln!(o, "    > {line}");
                }
                let _ = writeln!(o);
            }
            if t.status != TaskStatus::Open {
                let _ = writeln!(
                    o,
                    "  - {} by {} at {}: {}",
                    t.status,
                    t.closed_by.as_deref().unwrap_or("?"),
                    t.closed_at.as_deref().unwrap_or("?"),
                    t.evidence.as_deref().unwrap_or("")
                );
            }
        }
        let _ = writeln!(o);
    }
    if !plan.checkins.is_empty() {
        let _ = writeln!(o, "## Check-ins\n");
        for c in &plan.checkins {
            let _ = writeln!(o, "- **{}**, {}: {}", c.on, person_name(inv, Some(&c.by)), c.notes);
            for d in &c.decisions {
                let _ = writeln!(o, "  - Decided: {d}");
            }
            for a in &c.adjustments {
                let _ = writeln!(o, "  - Adjusted: {a}");
            }
        }
        let _ = writeln!(o);
    }
    o
}

/// A self-contained page to print and hand to the people doing the tasks: one checklist
/// per phase, every task with who, when, the evidence to keep and the message to send.
fn html(plan: &Plan, inv: &Inventory) -> String {
    let mut o = String::new();
    let who = escape_html(&person_name(inv, Some(&plan.person)));
    let _ = write!(
        o,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Departure plan: {who}</title><style>\
         body{{font:14px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#1d232b}}\
         h1{{font-size:22px}}h2{{font-size:17px;border-bottom:1px solid #ccd;padding-bottom:3px;margin-top:1.6em}}\
         .confidential{{border:2px solid #a3141d;color:#a3141d;padding:6px 10px;font-weight:600}}\
         ol{{list-style:none;padding:0}}li{{border-top:1px solid #e3e6ea;padding:6px 0;break-inside:avoid}}\
         .box{{display:inline-block;width:1em;height:1em;border:1.5px solid #333;margin-right:.5em;vertical-align:-2px}}\
         .done .box{{background:#1e6b3a}}.meta,.ev{{color:#586270;margin:2px 0 2px 1.6em}}\
         pre{{white-space:pre-wrap;background:#f4f5f7;padding:8px;margin:4px 0 4px 1.6em;border-radius:4px}}\
         @media print{{body{{margin:0}}}}</style></head><body>"
    );
    let _ = write!(
        o,
        "<h1>Departure plan: {who}</h1><p>Mode <strong>{}</strong>, leaving <strong>{}</strong>{}; plan run by {}. Plan <code>{}</code>, made {}.</p>",
        plan.mode,
        plan.leaving_at,
        if plan.mode == PlanMode::Hostile { format!(", every revocation inside {} from then", plan.window) } else { String::new() },
        escape_html(&person_name(inv, plan.owner.as_deref())),
        escape_html(&plan.key),
        plan.created
    );
    if plan.mode == PlanMode::Hostile {
        let _ = write!(
            o,
            "<p class=\"confidential\">Confidential: do not share with {who}. Nothing here may alert them before the window opens.</p>"
        );
    }
    for kind in TaskKind::ALL {
        let tasks: Vec<(usize, &handover_core::Task)> = plan.tasks.iter().enumerate().filter(|(_, t)| t.kind == *kind).collect();
        if tasks.is_empty() {
            continue;
        }
        let _ = write!(o, "<h2>{} ({})</h2><ol>", kind.phase_title(), tasks.len());
        for (i, t) in tasks {
            let _ = write!(
                o,
                "<li class=\"{}\"><span class=\"box\"></span><strong>{}.</strong> {} <div class=\"meta\">{} · due {}</div>\
                 <div class=\"ev\">Evidence: {}</div>",
                t.status,
                i + 1,
                escape_html(&t.title),
                escape_html(&person_name(inv, t.assignee.as_deref())),
                t.due,
                escape_html(&t.evidence_required)
            );
            if let Some(r) = &t.rollback {
                let _ = write!(o, "<div class=\"ev\">Rollback: {}</div>", escape_html(r));
            }
            if let Some(m) = &t.message {
                let _ = write!(o, "<pre>{}</pre>", escape_html(m));
            }
            if t.status != TaskStatus::Open {
                let _ = write!(
                    o,
                    "<div class=\"ev\">{} by {} at {}: {}</div>",
                    t.status,
                    escape_html(t.closed_by.as_deref().unwrap_or("?")),
                    escape_html(t.closed_at.as_deref().unwrap_or("?")),
                    escape_html(t.evidence.as_deref().unwrap_or(""))
                );
            }
            o.push_str("</li>");
        }
        o.push_str("</ol>");
    }
    o.push_str("</body></html>\n");
    o
}

/// iCalendar (RFC 5545) with floating local times: one event per task.
fn ics(plan: &Plan) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n");
    let stamp = |d: jiff::civil::DateTime| {
        format!("{:04}{:02}{:02}T{:02}{:02}{:02}", d.year(), d.month(), d.day(), d.hour(), d.minute(), d.second())
    };
    let mut o = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//handover//departure plan//EN\r\nCALSCALE:GREGORIAN\r\n");
    for t in &plan.tasks {
        let _ = write!(
            o,
            "BEGIN:VEVENT\r\nUID:{}@{}.handover\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nSUMMARY:{}\r\nDESCRIPTION:{}\r\nEND:VEVENT\r\n",
            esc(&t.id).replace(['/', ' '], "-"),
            plan.key,
            stamp(plan.created.to_datetime(jiff::civil::Time::midnight())),
            stamp(t.due),
            esc(&format!("[{}] {}", t.kind, t.title)),
            esc(&format!("Evidence: {}", t.evidence_required))
        );
    }
    o.push_str("END:VCALENDAR\r\n");
    o
}

fn status(ctx: &Context, key: &str, format: Format) -> Result<()> {
    let inv = ctx.store()?.load()?;
    let plan = load_plan(&inv, key)?;
    let now = jiff::Zoned::now().datetime();
    let remaining = handover_plan::verify(&inv, &plan);
    let phases: Vec<serde_json::Value> = TaskKind::ALL
        .iter()
        .map(|k| {
            let tasks: Vec<_> = plan.tasks.iter().filter(|t| t.kind == *k).collect();
            let closed = tasks.iter().filter(|t| t.status != TaskStatus::Open).count();
            serde_json::json!({"phase": k, "tasks": tasks.len(), "closed": closed})
        })
        .collect();
    let overdue: Vec<&handover_core::Task> = plan.tasks.iter().filter(|t| t.status == TaskStatus::Open && t.due < now).collect();
    let knowledge = plan.tasks.iter().filter(|t| t.kind == TaskKind::Knowledge);
    let (knowledge_done, knowledge_all) = knowledge.fold((0, 0), |(d, a), t| (d + usize::from(t.status == TaskStatus::Done), a + 1));
    let last_checkin = plan.checkins.last();
    match format {
        Format::Json => output::json(&serde_json::json!({
            "plan": plan.key,
            "phases": phases,
            "overdue": overdue.iter().map(|t| &t.id).collect::<Vec<_>>(),
            "knowledge_transferred": {"done": knowledge_done, "tasks": knowledge_all},
            "remaining": remaining,
            "last_checkin": last_checkin,
            "next_checkin": plan.next_checkin(),
        })),
        Format::Table => {
            let closed = plan.tasks.iter().filter(|t| t.status != TaskStatus::Open).count();
            println!(
                "{}: {closed} of {} tasks closed ({:.0}%)",
                plan.key,
                plan.tasks.len(),
                100.0 * closed as f64 / plan.tasks.len().max(1) as f64
            );
            for p in &phases {
                println!("  {:<12} {}/{}", p["phase"].as_str().unwrap_or(""), p["closed"], p["tasks"]);
            }
            if !overdue.is_empty() {
                println!("Overdue: {}", overdue.iter().map(|t| t.title.as_str()).collect::<Vec<_>>().join("; "));
            }
            println!("Knowledge transferred: {knowledge_done} of {knowledge_all} hand-over tasks done.");
            println!(
                "Access remaining: {} active accounts, {} secrets not rotated.",
                remaining.active_accounts.len(),
                remaining.unrotated_secrets.len()
            );
            match last_checkin {
                Some(c) => println!("Last check-in {} by {}: {}", c.on, person_name(&inv, Some(&c.by)), c.notes),
                None => println!("No check-in yet: `handover plan checkin {} --by PERSON --every 7d --notes …`", plan.key),
            }
            if let Some(next) = plan.next_checkin() {
                println!("Next check-in due {next}{}.", if next < ctx.today { " (overdue)" } else { "" });
            }
            Ok(())
        }
    }
}

fn checkin(
    ctx: &Context,
    key: &str,
    by: String,
    notes: String,
    decisions: Vec<String>,
    adjustments: Vec<String>,
    every: Option<handover_core::Interval>,
) -> Result<()> {
    let mut store = ctx.store()?;
    let inv = store.load()?;
    let mut plan = load_plan(&inv, key)?;
    if inv.person(&by).is_none() {
        return Err(super::records::not_found(Kind::Person, &by));
    }
    if by == plan.person {
        return Err(user(ErrorCode::Forbidden, "the person leaving cannot hold check-ins on their own plan"));
    }
    if notes.trim().is_empty() {
        return Err(user(ErrorCode::MissingField, "a check-in needs notes: where the transition stands"));
    }
    plan.checkins.push(handover_core::CheckIn { on: ctx.today, by, notes: notes.trim().to_string(), decisions, adjustments });
    if every.is_some() {
        plan.checkin_every = every;
    }
    let next = plan.next_checkin();
    save(ctx, &mut store, &inv, plan)?;
    match next {
        Some(next) => println!("Recorded the check-in on {key}; the next one is due {next}."),
        None => println!("Recorded the check-in on {key} (no schedule: pass --every 7d to make them recur)."),
    }
    Ok(())
}

fn verify(ctx: &Context, key: &str, format: Format) -> Result<()> {
    let inv = ctx.store()?.load()?;
    let plan = load_plan(&inv, key)?;
    let remaining = handover_plan::verify(&inv, &plan);
    if format == Format::Json {
        output::json(&remaining)?;
    } else {
        for (account, last_used) in &remaining.active_accounts {
            println!("still active: account {account}{}", last_used.map(|d| format!(" (last used {d})")).unwrap_or_default());
        }
        for c in &remaining.unrotated_secrets {
            println!("not rotated since {}: credential {c}", plan.created);
        }
        for n in &remaining.still_named {
            println!("still named: {n}");
        }
    }
    if remaining.is_empty() {
        if format == Format::Table {
            println!("Verified: no active account and no unrotated secret of {} remains.", plan.person);
        }
        Ok(())
    } else {
        Err(user(
            ErrorCode::Conflict,
            format!(
                "the lock-out of {} is not complete: {} active accounts, {} secrets not rotated",
                plan.person,
                remaining.active_accounts.len(),
                remaining.unrotated_secrets.len()
            ),
        ))
    }
}

fn close_task(ctx: &Context, key: &str, task: &str, status: TaskStatus, text: String) -> Result<()> {
    let mut store = ctx.store()?;
    let inv = store.load()?;
    let mut plan = load_plan(&inv, key)?;
    // The command line has no sign-in (the web UI and API do): the actor is who `--actor`
    // says, so refuse at least when that names the leaver, by key or email.
    let actor = ctx.actor.split_whitespace().next().unwrap_or("");
    let leaver_email = inv.person(&plan.person).and_then(|p| p.email.clone()).unwrap_or_default();
    if actor == plan.person || (!leaver_email.is_empty() && actor.eq_ignore_ascii_case(&leaver_email)) {
        return Err(user(ErrorCode::InvalidField, "the person leaving cannot close tasks of their own plan"));
    }
    let index = handover_plan::close_task(&mut plan, task, status, &text, &ctx.actor, jiff::Timestamp::now())
        .map_err(|e| user(e.code, e.message))?;
    let t = &plan.tasks[index];
    let title = t.title.clone();
    save(ctx, &mut store, &inv, plan)?;
    println!("{status}: {} {title}", index + 1);
    Ok(())
}
