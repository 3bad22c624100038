//! `handover log` and `handover log verify`.

use super::Context;
use crate::cli::{Format, LogArgs, LogCommand};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_core::ErrorCode;
use handover_store::{EventFilter, Store};

pub fn log(ctx: &Context, args: LogArgs) -> Result<()> {
    let store = ctx.store()?;
    if let Some(LogCommand::Verify(f)) = args.verify {
        let v = store.verify_log()?;
        if f.format == Format::Json {
            output::json(&v)?;
        }
        return match (&v.first_broken, f.format) {
            (None, Format::Table) => {
                println!("The event log verifies: {} events, head {}.", v.verified, v.head.as_deref().unwrap_or("(empty)"));
                println!("Keep the head hash somewhere else: with it, even removing the newest events is detectable.");
                Ok(())
            }
            (None, Format::Json) => Ok(()),
            (Some(b), _) => Err(user(
                ErrorCode::LogChainBroken,
                format!(
                    "the event log is broken at event {} ({} {}): {}. The {} events before it verify; the store file was edited outside handover.",
                    b.seq, b.kind, b.key, b.reason, v.verified
                ),
            )),
        };
    }
    let filter = EventFilter { kind: args.kind, key: args.key, limit: args.limit };
    let events = store.events(&filter)?;
    match args.format.format {
        Format::Json => output::json(&events),
        Format::Table => {
            let mut t = output::table(&["seq", "at", "actor", "action", "record"]);
            for e in &events {
                t.add_row(vec![
                    e.seq.to_string(),
                    e.draft.at.clone(),
                    e.draft.actor.clone(),
                    e.draft.action.to_string(),
                    format!("{} {}", e.draft.kind, e.draft.key),
                ]);
            }
            println!("{t}");
            Ok(())
        }
    }
}
