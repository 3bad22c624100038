//! `handover due`: everything with a date that needs someone — reviews (policy and access), contract ends and
//! notice deadlines, rotations, expiries, documentation re-verification, plan tasks and
//! accepted risks coming back — overdue first, then soonest.

use crate::config::Thresholds;
use handover_core::{Inventory, TaskStatus};
use jiff::civil::Date;
use jiff::Span;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub due: Date,
    /// What kind of deadline: `policy review`, `contract notice`, `contract end`,
    /// `credential rotation`, `credential expiry`, `docs review`, `plan task`,
    /// `accepted risk expires`, `access review`, `transition check-in`.
    pub what: &'static str,
    /// `KIND:KEY`.
    pub subject: String,
    pub title: String,
    /// Who should act, when known.
    pub owner: Option<String>,
    pub overdue: bool,
}

fn plus_days(d: Date, days: i64) -> Option<Date> {
    d.checked_add(Span::new().try_days(days).ok()?).ok()
}

/// Deadlines up to `horizon` days from `today` (and every overdue one).
pub fn due(inv: &Inventory, today: Date, horizon: i64, t: &Thresholds) -> Vec<Due> {
    let mut out = Vec::new();
    let mut push = |due: Date, what: &'static str, subject: String, title: String, owner: Option<String>| {
        out.push(Due { due, what, subject, title, owner, overdue: due < today });
    };
    for p in inv.policies() {
        if let Some(next) = p.next_review() {
            push(next, "policy review", format!("policy:{}", p.key), p.name.clone(), p.owner.clone());
        }
    }
    // Open access reviews: each reviewer's undecided items, by the campaign's due date.
    for r in inv.reviews().filter(|r| r.status == handover_core::ReviewStatus::Open) {
        let mut by_reviewer: std::collections::BTreeMap<Option<&str>, usize> = std::collections::BTreeMap::new();
        for it in r.items.iter().filter(|i| i.decision.is_none()) {
            *by_reviewer.entry(it.reviewer.as_deref()).or_default() += 1;
        }
        for (reviewer, n) in by_reviewer {
            push(
                r.due,
                "access review",
                format!("review:{}", r.key),
                format!("{}: {n} items to decide", r.name),
                reviewer.map(str::to_string),
            );
        }
    }
    for c in inv.contracts() {
        let Some(ends) = c.ends else { continue };
        if !c.auto_renew {
            if let Some(notice) = c.notice_days.filter(|n| *n > 0).and_then(|n| ends.checked_sub(Span::new().days(i64::from(n))).ok()) {
                push(
                    notice,
                    "contract notice",
                    format!("contract:{}", c.key),
                    format!("{}: decide to renew or end (notice period)", c.name),
                    c.owner.clone(),
                );
            }
        }
        push(ends, "contract end", format!("contract:{}", c.key), c.name.clone(), c.owner.clone());
    }
    for c in inv.credentials() {
        let holder = c.holders.first().cloned();
        let interval = c.rotation_interval.map_or(t.credential_max_age_days, |i| i.days() as i64);
        if let Some(next) = c.last_rotated.and_then(|d| plus_days(d, interval)) {
            push(next, "credential rotation", format!("credential:{}", c.key), c.name.clone(), holder.clone());
        }
        if let Some(expires) = c.expires {
            push(expires, "credential expiry", format!("credential:{}", c.key), c.name.clone(), holder);
        }
    }
    for s in inv.systems() {
        if let Some((newest, author)) = s.docs.iter().filter_map(|d| Some((d.last_reviewed?, d.author.clone()))).max_by_key(|(d, _)| *d) {
            if let Some(next) = plus_days(newest, t.docs_review_days) {
                push(
                    next,
                    "docs review",
                    format!("system:{}", s.key),
                    format!("{} documentation", s.name),
                    author.or_else(|| s.technical_owners.first().cloned()),
                );
            }
        }
    }
    for p in inv.plans() {
        for task in p.tasks.iter().filter(|t| t.status == TaskStatus::Open) {
            push(task.due.date(), "plan task", format!("plan:{}", p.key), task.title.clone(), task.assignee.clone());
        }
        // Check-ins go on while anything of the transition is open.
        if let Some(next) = p.next_checkin().filter(|_| p.tasks.iter().any(|t| t.status == TaskStatus::Open)) {
            push(
                next,
                "transition check-in",
                format!("plan:{}", p.key),
                format!("Check in on the departure of {}", p.person),
                p.owner.clone(),
            );
        }
    }
    for a in inv.acceptances() {
        push(
            a.expires,
            "accepted risk expires",
            format!("acceptance:{}", a.key),
            format!("{} on {}", a.rule, a.subject),
            Some(a.accepted_by.clone()),
        );
    }
    let last = plus_days(today, horizon).unwrap_or(today);
    out.retain(|d| d.due <= last);
    out.sort_by(|a, b| a.due.cmp(&b.due).then(a.what.cmp(b.what)).then_with(|| a.subject.cmp(&b.subject)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use handover_core::{Kind, Record};
    use serde_json::json;

    #[test]
    fn lists_deadlines_overdue_first_within_the_horizon() {
        let mut inv = Inventory::new();
        for (k, v) in [
            (Kind::Person, json!({"key": "ann", "name": "Ann"})),
            (Kind::Vendor, json!({"key": "v", "name": "V"})),
            (
                Kind::Contract,
                json!({"key": "c", "name": "Support", "vendor": "v", "ends": "2026-12-31", "notice_days": 30, "owner": "ann"}),
            ),
            (
                Kind::Policy,
                json!({"key": "dr", "name": "DR plan", "owner": "ann", "review_interval": "365d", "last_reviewed": "2025-06-01"}),
            ),
            (
                Kind::Credential,
                json!({"key": "k", "name": "API key", "holders": ["ann"], "last_rotated": "2026-10-01", "rotation_interval": "90d", "expires": "2028-01-01"}),
            ),
        ] {
            inv.insert(Record::from_json(k, v).unwrap());
        }
        let today: Date = "2026-11-26".parse().unwrap();
        let got: Vec<(String, &str, bool)> =
            due(&inv, today, 60, &Thresholds::default()).into_iter().map(|d| (d.due.to_string(), d.what, d.overdue)).collect();
        assert_eq!(
            got,
            vec![
                ("2026-06-01".to_string(), "policy review", true),
                ("2026-12-01".to_string(), "contract notice", false),
                ("2026-12-30".to_string(), "credential rotation", false),
                ("2026-12-31".to_string(), "contract end", false),
            ]
        );
    }
}
