//! Drafts of the messages a plan's communication tasks send, one per audience, filled in
//! from the plan itself: who takes over what (the transfer tasks and their assignees), from
//! when, and whom to ask. The person running the plan checks and sends them; handover never
//! sends anything.
//!
//! Audiences: the person leaving (hostile mode only — told after the lock-out, with what
//! to hand back), the team and organisation, and vendors (each with their new contact).

use handover_analysis::snapshot::{Ix, Snapshot};
use handover_core::{Task, TaskKind};
use jiff::civil::DateTime;
use std::fmt::Write;

pub struct Context<'a, 's> {
    pub snap: &'a Snapshot<'s>,
    pub leaver: Ix,
    pub hostile: bool,
    pub leaving_at: DateTime,
    pub window_end: DateTime,
    /// Who sends the messages (the plan owner, else the successor of last resort).
    pub sender: Option<Ix>,
}

impl Context<'_, '_> {
    fn name(&self, key: Option<&str>) -> String {
        key.and_then(|k| self.snap.inv.person(k)).map_or_else(|| "(to be named)".to_string(), |p| p.name.clone())
    }

    fn contact(&self, key: Option<&str>) -> String {
        match key.and_then(|k| self.snap.inv.person(k)) {
            Some(p) => match &p.email {
                Some(e) => format!("{} <{e}>", p.name),
                None => p.name.clone(),
            },
            None => "(to be named)".to_string(),
        }
    }

    fn sender(&self) -> String {
        self.contact(self.sender.map(|s| self.snap.person_key(s)))
    }
}

fn when(t: DateTime) -> String {
    t.strftime("%A %-d %B %Y at %H:%M").to_string()
}

/// Who takes over what: one line per transfer task.
fn handovers(tasks: &[Task], ctx: &Context) -> Vec<String> {
    tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Transfer)
        .map(|t| {
            let what = t.targets.first().and_then(|x| x.split_once(':')).map_or_else(
                || t.title.clone(),
                |(kind, key)| {
                    let label = kind.parse().ok().and_then(|k| ctx.snap.inv.get(k, key)).map_or_else(|| key.to_string(), |r| r.label());
                    format!("{label} ({kind})")
                },
            );
            format!("- {what}: {}", ctx.name(t.assignee.as_deref()))
        })
        .collect()
}

pub fn draft(tasks: &mut [Task], ctx: &Context) {
    let leaver = ctx.snap.people[ctx.leaver as usize];
    let first = leaver.name.split_whitespace().next().unwrap_or(&leaver.name).to_string();
    let lines = handovers(tasks, ctx);
    let vendor_contacts: Vec<(String, String)> = tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Transfer)
        .filter_map(|t| {
            let key = t.targets.first()?.strip_prefix("vendor:")?;
            let vendor = ctx.snap.inv.get(handover_core::Kind::Vendor, key)?.label();
            Some((vendor, ctx.contact(t.assignee.as_deref())))
        })
        .collect();
    let secrets = tasks.iter().filter(|t| t.kind == TaskKind::Rotate).count();
    for t in tasks.iter_mut().filter(|t| t.kind == TaskKind::Communicate) {
        let mut m = String::new();
        match t.id.as_str() {
            "communicate/person" => {
                let _ = writeln!(m, "Subject: Your access to company systems\n");
                let _ = writeln!(m, "{first},\n");
                let _ = writeln!(m, "As discussed today, your access to company systems was closed on {}.", when(ctx.window_end));
                if secrets > 0 {
                    let _ = writeln!(m, "The shared passwords and keys you knew ({secrets}) have been changed.");
                }
                let _ = writeln!(m, "Please return company devices, security keys and any documents or copies of company data you hold,");
                let _ = writeln!(m, "and tell us of any account or service we may have missed.\n");
                let _ = writeln!(m, "For anything about your departure, contact {}.", ctx.sender());
            }
            "communicate/team" => {
                let _ = writeln!(m, "Subject: {} is leaving — who takes over what\n", leaver.name);
                if ctx.hostile {
                    let _ = writeln!(m, "{} has left the company as of {}.", leaver.name, when(ctx.window_end));
                } else {
                    let _ = writeln!(m, "{} leaves on {}.", leaver.name, when(ctx.leaving_at));
                }
                if lines.is_empty() {
                    let _ = writeln!(m, "Nothing they held needs a new owner.");
                } else {
                    let _ = writeln!(m, "From then on:\n");
                    for l in &lines {
                        let _ = writeln!(m, "{l}");
                    }
                }
                let _ = writeln!(m, "\nQuestions to {}.", ctx.sender());
            }
            "communicate/vendors" => {
                let _ = writeln!(m, "Subject: Your new contact with us\n");
                let _ = writeln!(
                    m,
                    "{} is no longer your contact with us as of {}. Please use the new contact below from now on,",
                    leaver.name,
                    when(if ctx.hostile { ctx.window_end } else { ctx.leaving_at })
                );
                let _ = writeln!(m, "and do not act on requests from {first} after that date.\n");
                for (vendor, contact) in &vendor_contacts {
                    let _ = writeln!(m, "- {vendor}: {contact}");
                }
            }
            _ => continue,
        }
        t.message = Some(m);
    }
}
