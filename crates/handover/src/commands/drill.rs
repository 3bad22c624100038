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
            let mut store = ctx.store()?;
            let inv = store.load()?;
            let Some(handover_core::Record::Policy(policy)) = inv.get(Kind::Policy, &plan) else {
                return Err(super::records::not_found(Kind::Policy, &plan));
            };
            let mut policy = (**policy).clone();
            let held = drill::Held { by, participants, findings, follow_ups };
            drill::record(&inv, &mut policy, scenario, &held, ctx.today).map_err(|(code, message)| crate::error::user(code, message))?;
            super::records::save_review(ctx, store.as_mut(), &inv, policy)
        }
    }
}
