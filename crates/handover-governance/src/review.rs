//! Access-review campaigns (CIS Controls v8 5.1, 5.3, 6.1, 6.2; ISO/IEC 27001:2022 A.5.15,
//! A.5.18; NIST SP 800-53 AC-2(j), AC-6(7)).
//!
//! What is reviewed: every access edge of an active login account in scope — its own
//! grants, and its memberships of groups and roles (whose level is what the group confers,
//! nested groups included). Containers themselves are not items: reviewing who is in a
//! group is reviewing the group.
//!
//! Who reviews (never the holder):
//! - `owner`: the system's business owner, else a technical owner, else the holder's
//!   manager;
//! - `manager`: the holder's manager, else the system's owner, else a technical owner.
//!
//! Unlinked accounts (no person) go to the system's owners. Anyone gone or leaving is
//! skipped; an item with nobody left to review it has no reviewer and says so.

use handover_analysis::snapshot::{Ix, Snapshot};
use handover_core::{Decision, ErrorCode, Inventory, Level, Review, ReviewItem, ReviewStatus, ReviewerRule};
use jiff::civil::Date;
use serde::Serialize;

/// What a campaign covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    System(String),
    Person(String),
    AllAdmin,
}

impl Scope {
    pub fn parse(text: &str) -> Result<Scope, String> {
        match text.split_once(':') {
            _ if text == "all-admin" => Ok(Scope::AllAdmin),
            Some(("system", k)) if !k.is_empty() => Ok(Scope::System(k.to_string())),
            Some(("person", k)) if !k.is_empty() => Ok(Scope::Person(k.to_string())),
            _ => Err(format!("scope {text:?} is not system:KEY, person:KEY or all-admin")),
        }
    }

    pub fn as_string(&self) -> String {
        match self {
            Scope::System(k) => format!("system:{k}"),
            Scope::Person(k) => format!("person:{k}"),
            Scope::AllAdmin => "all-admin".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewError {
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReviewError {}

fn err(code: ErrorCode, message: impl Into<String>) -> ReviewError {
    ReviewError { code, message: message.into() }
}

pub struct Start {
    pub key: String,
    pub name: String,
    pub scope: Scope,
    pub rule: ReviewerRule,
    pub today: Date,
    pub due: Date,
}

/// The first person of `candidates` who is still here and is not the holder.
fn first_other(snap: &Snapshot, holder: Option<Ix>, candidates: impl IntoIterator<Item = Option<Ix>>) -> Option<Ix> {
    candidates.into_iter().flatten().find(|&p| Some(p) != holder && snap.is_present(p))
}

fn reviewer(snap: &Snapshot, rule: ReviewerRule, system: Ix, holder: Option<Ix>) -> Option<Ix> {
    let sys = snap.systems[system as usize];
    let owner = sys.owner.as_deref().and_then(|k| snap.person(k));
    let technical: Vec<Option<Ix>> = sys.technical_owners.iter().map(|k| snap.person(k)).collect();
    let manager = holder.and_then(|h| snap.people[h as usize].manager.as_deref()).and_then(|k| snap.person(k));
    match rule {
        ReviewerRule::Owner => first_other(snap, holder, std::iter::once(owner).chain(technical).chain([manager])),
        ReviewerRule::Manager => first_other(snap, holder, [manager, owner].into_iter().chain(technical)),
    }
}

/// Starts a campaign: one item per access edge in scope, each with its reviewer.
pub fn start(snap: &Snapshot, spec: &Start) -> Result<Review, ReviewError> {
    if spec.due < spec.today {
        return Err(err(ErrorCode::InvalidField, format!("the review cannot be due ({}) before today ({})", spec.due, spec.today)));
    }
    match &spec.scope {
        Scope::System(k) if snap.system(k).is_none() => return Err(err(ErrorCode::RecordNotFound, format!("there is no system {k:?}"))),
        Scope::Person(k) if snap.person(k).is_none() => return Err(err(ErrorCode::RecordNotFound, format!("there is no person {k:?}"))),
        _ => {}
    }
    let inv = snap.inv;
    let mut items = Vec::new();
    for acc in snap.accounts.iter().filter(|a| a.is_active() && !a.is_container()) {
        let in_scope_account = match &spec.scope {
            Scope::System(k) => snap.system_key(acc.system) == k,
            Scope::Person(k) => acc.person.is_some_and(|p| snap.person_key(p) == k),
            Scope::AllAdmin => true,
        };
        if !in_scope_account {
            continue;
        }
        let mut edges: Vec<(String, Level)> = inv
            .grants()
            .filter(|g| g.account == acc.key && g.via.is_none())
            .map(|g| (handover_core::Grant::key_of(&g.account, &g.privilege), g.level))
            .collect();
        for group in &acc.member_of {
            let g = &snap.accounts[*group as usize];
            if let Some(level) = g.effective {
                edges.push((format!("{} member of {}", acc.key, g.key), level));
            }
        }
        for (access, level) in edges {
            if spec.scope == Scope::AllAdmin && level != Level::Admin {
                continue;
            }
            let who = reviewer(snap, spec.rule, acc.system, acc.person);
            items.push(ReviewItem {
                access,
                account: acc.key.to_string(),
                level,
                holder: acc.person.map(|p| snap.person_key(p).to_string()),
                reviewer: who.map(|p| snap.person_key(p).to_string()),
                decision: None,
                reason: None,
                decided_by: None,
                decided_on: None,
            });
        }
    }
    items.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.access.cmp(&b.access)));
    if items.is_empty() {
        return Err(err(ErrorCode::InvalidField, format!("nothing to review in {}: no active access there", spec.scope.as_string())));
    }
    Ok(Review {
        key: spec.key.clone(),
        name: spec.name.clone(),
        scope: spec.scope.as_string(),
        reviewer_rule: spec.rule,
        started: spec.today,
        due: spec.due,
        status: ReviewStatus::Open,
        closed_on: None,
        items,
    })
}

/// The index of an item named by its number (1-based) or its access text.
pub fn find_item(review: &Review, item: &str) -> Option<usize> {
    match item.parse::<usize>() {
        Ok(n) if (1..=review.items.len()).contains(&n) => Some(n - 1),
        _ => review.items.iter().position(|i| i.access == item),
    }
}

/// Records `by`'s decision on an item. Only the assigned reviewer decides (anyone but the
/// holder when none was assigned); a decided item is not decided again.
pub fn decide(review: &mut Review, item: &str, decision: Decision, reason: &str, by: &str, today: Date) -> Result<usize, ReviewError> {
    if review.status == ReviewStatus::Closed {
        return Err(err(ErrorCode::Conflict, format!("review {} is closed", review.key)));
    }
    let n = find_item(review, item).ok_or_else(|| {
        err(
            ErrorCode::RecordNotFound,
            format!("review {} has no item {item:?}; `handover review show {}` lists them", review.key, review.key),
        )
    })?;
    let it = &mut review.items[n];
    if it.holder.as_deref() == Some(by) {
        return Err(err(ErrorCode::Forbidden, "nobody decides on their own access"));
    }
    if let Some(r) = it.reviewer.as_deref().filter(|r| *r != by) {
        return Err(err(ErrorCode::Forbidden, format!("item {} is for {r} to decide", n + 1)));
    }
    if reason.trim().is_empty() {
        return Err(err(ErrorCode::MissingField, "give the reason for the decision"));
    }
    if let Some(d) = it.decision {
        return Err(err(ErrorCode::Conflict, format!("item {} was already decided: {d}", n + 1)));
    }
    it.decision = Some(decision);
    it.reason = Some(reason.trim().to_string());
    it.decided_by = Some(by.to_string());
    it.decided_on = Some(today);
    Ok(n)
}

/// Closes a campaign once every item is decided.
pub fn close(review: &mut Review, today: Date) -> Result<(), ReviewError> {
    let (done, all) = review.progress();
    if done < all {
        return Err(err(ErrorCode::Conflict, format!("{} of {all} items are not decided yet", all - done)));
    }
    review.status = ReviewStatus::Closed;
    review.closed_on = Some(today);
    Ok(())
}

/// A campaign's state for people and auditors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub review: String,
    pub name: String,
    pub scope: String,
    pub status: ReviewStatus,
    pub due: Date,
    pub overdue: bool,
    pub decided: usize,
    pub items: usize,
    pub percent: u32,
    pub kept: usize,
    pub revoked: usize,
    pub modified: usize,
    /// Revoke decisions whose access is still active: work to do.
    pub revoke_pending: Vec<String>,
    /// Items nobody but the holder could review.
    pub without_reviewer: usize,
}

pub fn status(inv: &Inventory, review: &Review, today: Date) -> Status {
    let (decided, items) = review.progress();
    let count = |d: Decision| review.items.iter().filter(|i| i.decision == Some(d)).count();
    Status {
        review: review.key.clone(),
        name: review.name.clone(),
        scope: review.scope.clone(),
        status: review.status,
        due: review.due,
        overdue: review.status == ReviewStatus::Open && review.due < today && decided < items,
        decided,
        items,
        percent: (decided * 100).checked_div(items).map_or(100, |p| p as u32),
        kept: count(Decision::Keep),
        revoked: count(Decision::Revoke),
        modified: count(Decision::Modify),
        revoke_pending: review
            .items
            .iter()
            .filter(|i| i.decision == Some(Decision::Revoke) && i.still_active(inv))
            .map(|i| i.access.clone())
            .collect(),
        without_reviewer: review.items.iter().filter(|i| i.reviewer.is_none()).count(),
    }
}

/// The auditor's evidence: the campaign, every decision with who, when and why, and what
/// revoke decisions left undone — as Markdown.
pub fn evidence_markdown(inv: &Inventory, review: &Review, today: Date) -> String {
    use std::fmt::Write;
    let s = status(inv, review, today);
    let name = |k: Option<&str>| k.map_or_else(|| "—".to_string(), |k| inv.person(k).map_or_else(|| k.to_string(), |p| p.name.clone()));
    let mut o = String::new();
    let _ = writeln!(o, "# Access review: {}\n", review.name);
    let _ = writeln!(
        o,
        "Scope `{}`, reviewer rule **{}**, started {}, due {}, {}{}.\n",
        review.scope,
        review.reviewer_rule,
        review.started,
        review.due,
        review.status,
        review.closed_on.map(|d| format!(" on {d}")).unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "Controls: CIS Controls v8 5.1, 5.3, 6.1, 6.2 · ISO/IEC 27001:2022 A.5.15, A.5.18 · NIST SP 800-53 AC-2(j), AC-6(7).\n"
    );
    let _ = writeln!(
        o,
        "**{} of {} items decided ({}%)**: {} kept, {} revoked, {} modified; {} without a reviewer.\n",
        s.decided, s.items, s.percent, s.kept, s.revoked, s.modified, s.without_reviewer
    );
    if !s.revoke_pending.is_empty() {
        let _ = writeln!(o, "**Revoked but still active ({})** — to be removed at the source:\n", s.revoke_pending.len());
        for a in &s.revoke_pending {
            let _ = writeln!(o, "- `{a}`");
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "| # | access | level | holder | reviewer | decision | reason | decided |\n|---|---|---|---|---|---|---|---|");
    for (i, it) in review.items.iter().enumerate() {
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} |",
            i + 1,
            it.access,
            it.level,
            name(it.holder.as_deref()),
            name(it.reviewer.as_deref()),
            it.decision.map_or("—".to_string(), |d| d.to_string()),
            it.reason.as_deref().unwrap_or("—").replace('|', "\\|"),
            it.decided_on.map_or("—".to_string(), |d| format!("{d} by {}", name(it.decided_by.as_deref())))
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn org() -> Inventory {
        handover_synth::generate_inventory(&handover_synth::Spec { people: 60, seed: 3, today: date(2026, 11, 26) })
    }

    fn spec(scope: Scope, rule: ReviewerRule) -> Start {
        Start { key: "q4".into(), name: "Q4".into(), scope, rule, today: date(2026, 11, 26), due: date(2026, 12, 31) }
    }

    #[test]
    fn nobody_reviews_their_own_access_and_everyone_in_scope_is_covered() {
        let inv = org();
        let snap = Snapshot::new(&inv);
        for rule in [ReviewerRule::Owner, ReviewerRule::Manager] {
            let r = start(&snap, &spec(Scope::AllAdmin, rule)).unwrap();
            assert!(!r.items.is_empty());
            for it in &r.items {
                assert_eq!(it.level, Level::Admin);
                assert!(it.reviewer.is_none() || it.reviewer != it.holder, "{it:?}");
                if let Some(rv) = &it.reviewer {
                    assert!(snap.person(rv).is_some_and(|p| snap.is_present(p)));
                }
            }
            // Every active admin login account appears.
            for acc in snap.accounts.iter().filter(|a| a.is_active() && !a.is_container() && a.is_admin()) {
                assert!(r.items.iter().any(|i| i.account == acc.key), "{} missing", acc.key);
            }
            let mut with = inv.clone();
            with.insert(handover_core::Record::from(r));
            assert!(with.validate().is_empty(), "{:?}", with.validate());
        }
    }

    #[test]
    fn decisions_need_the_reviewer_and_a_reason_and_closing_needs_them_all() {
        let inv = org();
        let snap = Snapshot::new(&inv);
        let sys = snap.systems.iter().find(|s| s.owner.is_some()).unwrap().key.clone();
        let mut r = start(&snap, &spec(Scope::System(sys), ReviewerRule::Owner)).unwrap();
        let it = r.items.iter().position(|i| i.reviewer.is_some() && i.holder.is_some()).unwrap();
        let reviewer = r.items[it].reviewer.clone().unwrap();
        let holder = r.items[it].holder.clone().unwrap();
        let n = (it + 1).to_string();
        let today = date(2026, 12, 1);
        assert_eq!(decide(&mut r, &n, Decision::Keep, "fine", &holder, today).unwrap_err().code, ErrorCode::Forbidden);
        if holder != reviewer {
            let other = inv.people().find(|p| p.key != reviewer && p.key != holder).unwrap().key.clone();
            assert_eq!(decide(&mut r, &n, Decision::Keep, "fine", &other, today).unwrap_err().code, ErrorCode::Forbidden);
        }
        assert_eq!(decide(&mut r, &n, Decision::Keep, " ", &reviewer, today).unwrap_err().code, ErrorCode::MissingField);
        decide(&mut r, &n, Decision::Revoke, "left the team", &reviewer, today).unwrap();
        assert_eq!(decide(&mut r, &n, Decision::Keep, "again", &reviewer, today).unwrap_err().code, ErrorCode::Conflict);
        assert_eq!(close(&mut r, today).unwrap_err().code, ErrorCode::Conflict);
        let s = status(&inv, &r, today);
        assert_eq!((s.decided, s.revoked), (1, 1));
        assert_eq!(s.revoke_pending, vec![r.items[it].access.clone()], "still active until a re-import removes it");
        // Once the access is gone, the revoke is done.
        let mut after = inv.clone();
        match r.items[it].access.split_once(" member of ") {
            Some((_, group)) => {
                let Some(handover_core::Record::Account(a)) = after.get(handover_core::Kind::Account, &r.items[it].account).cloned() else {
                    panic!()
                };
                let mut a = a;
                a.member_of.retain(|g| g != group);
                after.insert(handover_core::Record::Account(a));
            }
            None => {
                after.remove(handover_core::Kind::Grant, &r.items[it].access);
            }
        }
        assert!(status(&after, &r, today).revoke_pending.is_empty());
        for i in 0..r.items.len() {
            if r.items[i].decision.is_none() {
                let by = r.items[i]
                    .reviewer
                    .clone()
                    .unwrap_or_else(|| inv.people().find(|p| Some(&p.key) != r.items[i].holder.as_ref()).unwrap().key.clone());
                decide(&mut r, &(i + 1).to_string(), Decision::Keep, "needed for the job", &by, today).unwrap();
            }
        }
        close(&mut r, today).unwrap();
        assert_eq!(r.status, ReviewStatus::Closed);
        let md = evidence_markdown(&inv, &r, today);
        assert!(md.contains("ISO/IEC 27001:2022 A.5.15, A.5.18") && md.contains("| 1 |") && md.contains("closed on 2026-12-01"), "{md}");
    }
}
