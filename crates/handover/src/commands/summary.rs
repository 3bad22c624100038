//! `handover summary` (and the end of `handover demo`): who alone holds what, in words.

use super::Context;
use crate::cli::Format;
use crate::output;
use anyhow::Result;
use handover_analysis::summary::{KeyPerson, Summary};
use handover_core::{Inventory, Kind, PersonStatus};
use handover_store::Store;
use jiff::civil::Date;
use std::fmt::Write;

/// How many key people to describe in full; the rest are named in one line.
const KEY_PEOPLE_SHOWN: usize = 3;
/// How many names to list before "(+N more)".
const NAMES_SHOWN: usize = 4;

pub fn summary(ctx: &Context, format: Format) -> Result<()> {
    let inventory = ctx.store()?.load()?;
    let summary = handover_analysis::summarize(&inventory, ctx.today);
    match format {
        Format::Json => output::json(&summary),
        Format::Table => {
            print!("{}", render(&summary, &inventory));
            Ok(())
        }
    }
}

fn label(inv: &Inventory, kind: Kind, key: &str) -> String {
    inv.get(kind, key).map_or_else(|| key.to_string(), |r| r.label())
}

fn names(inv: &Inventory, kind: Kind, keys: &[String]) -> String {
    let mut out: Vec<String> = keys.iter().take(NAMES_SHOWN).map(|k| label(inv, kind, k)).collect();
    if keys.len() > NAMES_SHOWN {
        out.push(format!("(+{} more)", keys.len() - NAMES_SHOWN));
    }
    out.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn days(from: Date, to: Date) -> i64 {
    from.until((jiff::Unit::Day, to)).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

fn person_line(kp: &KeyPerson, today: Date) -> String {
    let mut line = kp.name.clone();
    if let Some(title) = &kp.title {
        let _ = write!(line, ", {title}");
    }
    if let (PersonStatus::Leaving, Some(on)) = (kp.status, kp.leaving_on) {
        let _ = write!(line, " — leaving {on} (in {} days)", days(today, on));
    }
    line
}

pub fn render(s: &Summary, inv: &Inventory) -> String {
    let mut o = String::new();
    let count = |k: Kind| s.counts.get(k.plural()).copied().unwrap_or(0);
    let _ = writeln!(
        o,
        "\nAs of {}: {}, {}, {}, {}, {}, {}, {}, {}, {}.",
        s.as_of,
        plural(count(Kind::Person), "person", "people"),
        plural(count(Kind::System), "system", "systems"),
        plural(count(Kind::Account), "account", "accounts"),
        plural(count(Kind::Grant), "grant", "grants"),
        plural(count(Kind::Credential), "secret", "secrets"),
        plural(count(Kind::Vendor), "vendor", "vendors"),
        plural(count(Kind::Contract), "contract", "contracts"),
        plural(count(Kind::Project), "project", "projects"),
        plural(count(Kind::Policy), "policy or plan", "policies and plans"),
    );

    let _ = writeln!(o, "\nWho holds IT up — if they left tomorrow, these would have no one:");
    if s.key_people.is_empty() {
        let _ = writeln!(o, "  Nobody holds anything alone. Good.");
    }
    for kp in s.key_people.iter().take(KEY_PEOPLE_SHOWN) {
        let _ = writeln!(o, "  {}", person_line(kp, s.as_of));
        let rows = [
            (&kp.sole_admin, Kind::System, "only admin of", "system", "systems", ""),
            (&kp.sole_knower, Kind::System, "only one who knows", "system", "systems", ""),
            (&kp.sole_secrets, Kind::Credential, "only holder of", "secret", "secrets", ""),
            (&kp.solo_roles, Kind::Role, "holds alone", "critical role", "critical roles", " with no deputy"),
            (&kp.projects_without_backup, Kind::Project, "leads", "project", "projects", " with no backup lead"),
        ];
        for (keys, kind, verb, one, many, tail) in rows {
            if !keys.is_empty() {
                let _ = writeln!(o, "    {verb} {}{tail}: {}", plural(keys.len(), one, many), names(inv, kind, keys));
            }
        }
    }
    if s.key_people.len() > KEY_PEOPLE_SHOWN {
        let rest: Vec<String> = s.key_people[KEY_PEOPLE_SHOWN..].iter().map(|k| k.person.clone()).collect();
        let _ = writeln!(o, "  Also alone in something: {}", names(inv, Kind::Person, &rest));
    }

    if !s.lingering_access.is_empty() {
        let _ = writeln!(o, "\nAccess that should already be gone:");
        for l in &s.lingering_access {
            let left = l.left_on.map(|d| format!(" {d}")).unwrap_or_default();
            let admin = if l.admin_accounts.is_empty() {
                String::new()
            } else {
                format!(", {} with admin rights ({})", l.admin_accounts.len(), l.admin_accounts.join(", "))
            };
            let _ = writeln!(
                o,
                "  {} left{left} but still has {}{admin}",
                l.name,
                plural(l.accounts.len(), "active account", "active accounts")
            );
        }
    }

    if !s.contracts.is_empty() {
        let _ = writeln!(o, "\nContracts:");
        for c in &s.contracts {
            if c.days_left < 0 {
                let _ = writeln!(
                    o,
                    "  {} ended {} ({} days ago) but still maintains {}",
                    c.name,
                    c.ends,
                    -c.days_left,
                    names(inv, Kind::System, &c.maintains)
                );
            } else {
                let _ = writeln!(o, "  {} ends {} (in {} days) and does not renew itself", c.name, c.ends, c.days_left);
            }
        }
    }

    if !s.overdue_policies.is_empty() {
        let _ = writeln!(o, "\nPolicies and plans overdue for review:");
        for p in &s.overdue_policies {
            let mut why = Vec::new();
            match (p.last_reviewed, p.due) {
                (None, _) => why.push("never reviewed".to_string()),
                (Some(last), Some(due)) if due < s.as_of => why.push(format!("last reviewed {last}, due {due}")),
                _ => {}
            }
            if p.owner.is_none() {
                why.push("no owner".into());
            }
            let _ = writeln!(o, "  {}: {}", p.name, why.join(", "));
        }
    }
    o
}
