//! `handover report executive|auditor|transition`: analysis in, a document out.

use super::Context;
use crate::error::user;
use anyhow::Result;
use handover_analysis::Snapshot;
use handover_core::ErrorCode;
use handover_report::{Input, Report};
use std::path::Path;

pub fn run(ctx: &Context, kind: &str, person: Option<&str>, format: &str, output: Option<&Path>) -> Result<()> {
    let config = ctx.config()?;
    let store = ctx.store()?;
    let inv = store.load()?;
    let report: Report = match kind {
        "projects" => {
            if let Some(p) = person.filter(|p| inv.person(p).is_none()) {
                return Err(super::records::not_found(handover_core::Kind::Person, p));
            }
            handover_report::projects(&inv, person, ctx.today)
        }
        "transition" => {
            let person = person.ok_or_else(|| user(ErrorCode::MissingField, "name the person: `handover report transition PERSON`"))?;
            if inv.person(person).is_none() {
                return Err(super::records::not_found(handover_core::Kind::Person, person));
            }
            let plan = inv.plans().filter(|p| p.person == person).max_by_key(|p| p.leaving_at).ok_or_else(|| {
                user(ErrorCode::RecordNotFound, format!("{person} has no departure plan; `handover plan create {person} …` makes one"))
            })?;
            let remaining = handover_plan::verify(&inv, plan);
            handover_report::transition(&inv, plan, &remaining, ctx.today)
        }
        _ => {
            let snap = Snapshot::new(&inv);
            let findings = handover_analysis::audit(&snap, &config.thresholds, ctx.today);
            let risk = handover_analysis::risk::risk(&snap, config.thresholds.key_person_max_tier);
            let summary = handover_analysis::summarize(&inv, ctx.today);
            let v = store.verify_log()?;
            let input = Input {
                inv: &inv,
                findings: &findings,
                risk: &risk,
                summary: &summary,
                today: ctx.today,
                log: (v.verified, v.head.clone(), v.first_broken.is_none()),
            };
            if kind == "executive" {
                handover_report::executive(&input)
            } else {
                handover_report::auditor(&input)
            }
        }
    };
    let text: Vec<u8> = match format {
        "markdown" => report.to_markdown().into_bytes(),
        "pdf" => pdf(&report, output.is_some())?,
        _ => handover_report::to_html(&report).into_bytes(),
    };
    match output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| user(ErrorCode::Storage, format!("cannot write {}: {e}", path.display())))?;
            eprintln!("Wrote {} ({} KiB).", path.display(), text.len() / 1024);
        }
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), &text)?,
    }
    Ok(())
}

#[cfg(feature = "pdf")]
fn pdf(report: &Report, to_file: bool) -> Result<Vec<u8>> {
    use std::io::IsTerminal;
    if !to_file && std::io::stdout().is_terminal() {
        return Err(user(ErrorCode::MissingField, "a PDF is not for the terminal: write it with -o FILE (or pipe it)"));
    }
    Ok(handover_report::to_pdf(report))
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &Report, _: bool) -> Result<Vec<u8>> {
    Err(user(ErrorCode::InvalidField, "this handover was built without PDF reports (cargo feature `pdf`); use --format html and print it"))
}
