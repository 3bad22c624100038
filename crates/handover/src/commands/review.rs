//! `handover review …`: access-review campaigns, stored as `review` records so that every
//! start, decision and closing is an event in the log.

use super::Context;
use crate::cli::{Format, ReportFormat, ReviewCommand};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_analysis::Snapshot;
use handover_core::{ErrorCode, Inventory, Kind, Record, Review};
use handover_governance::review::{self, Scope, Start};

pub fn run(ctx: &Context, cmd: ReviewCommand) -> Result<()> {
    match cmd {
        ReviewCommand::Start { scope, reviewer_rule, due, name, key } => {
            let scope = Scope::parse(&scope).map_err(|e| user(ErrorCode::InvalidField, e))?;
            let mut store = ctx.store()?;
            let inv = store.load()?;
            let slug = scope.as_string().replace([':', '/', '@', '.'], "-");
            let key = key.unwrap_or_else(|| format!("{slug}-{}", ctx.today));
            if inv.contains(Kind::Review, &key) {
                return Err(user(ErrorCode::DuplicateKey, format!("review {key} exists; pass --key for another")));
            }
            let name = name.unwrap_or_else(|| format!("Access review of {} ({})", scope.as_string(), ctx.today.strftime("%B %Y")));
            let snap = Snapshot::new(&inv);
            let r = review::start(&snap, &Start { key: key.clone(), name, scope, rule: reviewer_rule, today: ctx.today, due })
                .map_err(|e| user(e.code, e.message))?;
            drop(snap);
            let (items, unassigned) = (r.items.len(), r.items.iter().filter(|i| i.reviewer.is_none()).count());
            let reviewers: std::collections::BTreeSet<&str> = r.items.iter().filter_map(|i| i.reviewer.as_deref()).collect();
            let summary = format!("Started review {key}: {items} items for {} reviewers, due {due}.", reviewers.len());
            super::records::save_one(ctx, store.as_mut(), &inv, Record::from(r))?;
            println!("{summary}");
            if unassigned > 0 {
                println!("{unassigned} items have no reviewer (no one but the holder could review them): `handover review show {key}`.");
            }
            println!(
                "Next: handover review show {key} --mine PERSON · handover review decide {key} N keep|revoke|modify --reason … --by PERSON"
            );
            Ok(())
        }
        ReviewCommand::List(f) => {
            let inv = ctx.store()?.load()?;
            let rows: Vec<review::Status> = inv.reviews().map(|r| review::status(&inv, r, ctx.today)).collect();
            match f.format {
                Format::Json => output::json(&rows),
                Format::Table => {
                    let mut t = output::table(&["review", "scope", "status", "due", "decided", "revoked, not done"]);
                    for s in &rows {
                        t.add_row(vec![
                            s.review.clone(),
                            s.scope.clone(),
                            if s.overdue { "overdue".into() } else { s.status.to_string() },
                            s.due.to_string(),
                            format!("{}/{} ({}%)", s.decided, s.items, s.percent),
                            s.revoke_pending.len().to_string(),
                        ]);
                    }
                    println!("{t}");
                    Ok(())
                }
            }
        }
        ReviewCommand::Show { key, mine, format } => {
            let inv = ctx.store()?.load()?;
            let r = load(&inv, &key)?;
            match format.format {
                Format::Json => output::json(&r),
                Format::Table => {
                    let s = review::status(&inv, &r, ctx.today);
                    println!(
                        "{} — {}, due {}{}: {} of {} decided ({}%).",
                        r.name,
                        r.status,
                        r.due,
                        if s.overdue { " (overdue)" } else { "" },
                        s.decided,
                        s.items,
                        s.percent
                    );
                    let mut t = output::table(&["#", "access", "level", "holder", "reviewer", "decision"]);
                    for (i, it) in
                        r.items.iter().enumerate().filter(|(_, it)| mine.as_deref().is_none_or(|m| it.reviewer.as_deref() == Some(m)))
                    {
                        t.add_row(vec![
                            (i + 1).to_string(),
                            it.access.clone(),
                            it.level.to_string(),
                            it.holder.clone().unwrap_or_else(|| "(unlinked)".into()),
                            it.reviewer.clone().unwrap_or_else(|| "(none)".into()),
                            it.decision.map_or_else(String::new, |d| d.to_string()),
                        ]);
                    }
                    println!("{t}");
                    Ok(())
                }
            }
        }
        ReviewCommand::Decide { key, item, decision, reason, by } => {
            let mut store = ctx.store()?;
            let inv = store.load()?;
            let mut r = load(&inv, &key)?;
            if inv.person(&by).is_none() {
                return Err(super::records::not_found(Kind::Person, &by));
            }
            let n = review::decide(&mut r, &item, decision, &reason, &by, ctx.today).map_err(|e| user(e.code, e.message))?;
            let access = r.items[n].access.clone();
            super::records::save_one(ctx, store.as_mut(), &inv, Record::from(r))?;
            println!("{decision}: {} {access}", n + 1);
            Ok(())
        }
        ReviewCommand::Close { key } => {
            let mut store = ctx.store()?;
            let inv = store.load()?;
            let mut r = load(&inv, &key)?;
            review::close(&mut r, ctx.today).map_err(|e| user(e.code, e.message))?;
            let s = review::status(&inv, &r, ctx.today);
            super::records::save_one(ctx, store.as_mut(), &inv, Record::from(r))?;
            println!("Closed review {key}: {} kept, {} revoked, {} modified.", s.kept, s.revoked, s.modified);
            if !s.revoke_pending.is_empty() {
                println!(
                    "{} revoked access is still active; `handover audit` lists it until a re-import shows it gone.",
                    s.revoke_pending.len()
                );
            }
            println!("Evidence: handover review report {key} --format markdown");
            Ok(())
        }
        ReviewCommand::Report { key, format } => {
            let inv = ctx.store()?.load()?;
            let r = load(&inv, &key)?;
            match format {
                ReportFormat::Json => output::json(&serde_json::json!({ "status": review::status(&inv, &r, ctx.today), "review": r })),
                ReportFormat::Markdown | ReportFormat::Table => {
                    print!("{}", review::evidence_markdown(&inv, &r, ctx.today));
                    Ok(())
                }
            }
        }
    }
}

fn load(inv: &Inventory, key: &str) -> Result<Review> {
    match inv.get(Kind::Review, key) {
        Some(Record::Review(r)) => Ok((**r).clone()),
        _ => Err(user(ErrorCode::RecordNotFound, format!("there is no review {key:?}; `handover review list` shows them"))),
    }
}
