//! `handover intake …`: systems bought or built outside IT, pending until someone answers
//! for each thing that keeps them running (see handover-governance's `intake`).

use super::Context;
use crate::cli::{Format, IntakeCommand};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_core::{ErrorCode, IntakeStatus, Kind, Record, System};
use handover_governance::intake;

pub fn run(ctx: &Context, cmd: IntakeCommand) -> Result<()> {
    match cmd {
        IntakeCommand::Add { args, requested_by } => {
            let inv = ctx.store()?.load()?;
            if inv.person(&requested_by).is_none() {
                return Err(super::records::not_found(Kind::Person, &requested_by));
            }
            let mut object = super::records::fields_of(Kind::System, &args)?;
            let request = intake::request(&requested_by, ctx.today);
            object.insert("intake".into(), serde_json::to_value(&request)?);
            let record = super::records::build(Kind::System, object)?;
            let key = record.key();
            super::records::add_record(ctx, record)?;
            let inv = ctx.store()?.load()?;
            if let Some(s) = inv.system(&key) {
                println!("{key} is pending intake; it still lacks: {}.", intake::missing(&inv, s).join("; "));
                println!(
                    "Fill them in with `handover system set {key} owner=… technical_owners=… vendor=… maintenance_contract=… \
                     patching.owner=… patching.cadence=… docs='[…]'`, then `handover intake accept {key} --by PERSON`."
                );
            }
            Ok(())
        }
        IntakeCommand::List { all, format } => {
            let inv = ctx.store()?.load()?;
            let rows: Vec<serde_json::Value> = intake::list(&inv, all).iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
            match format.format {
                Format::Json => output::json(&rows),
                Format::Table => {
                    let mut t = output::table(&["system", "tier", "status", "requested", "still lacks"]);
                    for r in &rows {
                        let missing: Vec<&str> =
                            r["missing"].as_array().map(|m| m.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
                        t.add_row(vec![
                            output::cell(r.get("system")),
                            output::cell(r.get("tier")),
                            output::cell(r.get("status")),
                            format!("{} by {}", output::cell(r.get("requested_on")), output::cell(r.get("requested_by"))),
                            match (r["status"].as_str(), missing.is_empty()) {
                                (Some("accepted"), _) => "—".into(),
                                (_, true) => "nothing: ready to accept".into(),
                                _ => missing.join("; "),
                            },
                        ]);
                    }
                    println!("{t}");
                    Ok(())
                }
            }
        }
        IntakeCommand::WaiveMaintenance { key, by, reason } => change(ctx, &key, &by, |inv, s| {
            let _ = inv;
            intake::waive_maintenance(s, &by, &reason, ctx.today)
        }),
        IntakeCommand::Accept { key, by } => change(ctx, &key, &by, |inv, s| intake::accept(inv, s, &by, ctx.today)),
    }
}

/// Applies one intake step to system `key` as person `by`, through validation.
fn change(
    ctx: &Context,
    key: &str,
    by: &str,
    step: impl FnOnce(&handover_core::Inventory, &mut System) -> Result<(), (ErrorCode, String)>,
) -> Result<()> {
    let mut store = ctx.store()?;
    let inv = store.load()?;
    if inv.person(by).is_none() {
        return Err(super::records::not_found(Kind::Person, by));
    }
    let mut s = inv.system(key).cloned().ok_or_else(|| user(ErrorCode::RecordNotFound, format!("there is no system {key:?}")))?;
    step(&inv, &mut s).map_err(|(code, message)| user(code, message))?;
    let status = s.intake.as_ref().map(|i| i.status);
    super::records::save_one(ctx, store.as_mut(), &inv, Record::from(s))?;
    match status {
        Some(IntakeStatus::Accepted) => println!("Accepted {key} into IT's care."),
        _ => println!("Recorded for {key}."),
    }
    Ok(())
}
