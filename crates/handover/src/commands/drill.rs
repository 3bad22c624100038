//! `handover drill …`: tabletop exercises from the real data, and recording them.

use super::Context;
use crate::cli::{DrillCommand, ReportFormat};
use crate::output;
use anyhow::Result;
use handover_analysis::Snapshot;
use handover_core::Kind;
use handover_governance::drill;

pub fn run(ctx: &Context, cmd: DrillCommand) -> Result<()> {
    match cmd {
        DrillCommand::Generate { scenario, format } => {
            let config = ctx.config()?;
            let inv = ctx.store()?.load()?;
            let snap = Snapshot::new(&inv);
            let findings = handover_analysis::audit(&snap, &config.thresholds, ctx.today);
            let risk = handover_analysis::risk::risk(&snap, config.thresholds.key_person_max_tier);
            let summary = handover_analysis::summarize(&inv, ctx.today);
            let d = drill::generate(&snap, &findings, &risk, &summary, scenario, ctx.today);
            match format {
                ReportFormat::Json => output::json(&d),
                ReportFormat::Markdown | ReportFormat::Table => {
                    print!("{}", drill::markdown(&d));
                    Ok(())
                }
            }
        }
        DrillCommand::Record { plan, scenario, by, participants, findings, follow_ups } => {
            let inv = ctx.store()?.load()?;
            for p in participants.iter().chain(std::iter::once(&by)) {
                if inv.person(p).is_none() {
                    return Err(super::records::not_found(Kind::Person, p));
                }
            }
            let mut notes = format!("Tabletop drill ({}). Participants: {}.", scenario.as_str(), participants.join(", "));
            if !findings.is_empty() {
                notes.push_str(&format!(" Findings: {}.", findings.join("; ")));
            }
            if !follow_ups.is_empty() {
                notes.push_str(&format!(" Follow-ups: {}.", follow_ups.join("; ")));
            }
            super::records::review_policy(ctx, &plan, &by, &notes)
        }
    }
}
