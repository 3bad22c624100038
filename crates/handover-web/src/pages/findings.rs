//! Findings: the audit, filtered; accepting a risk with a reason and an expiry.

use super::dashboard::severity_tone;
use super::{path_escape, render, subject_cell, Cell, Chrome, Filter, ListPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState};
use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use axum::Form;
use handover_core::{Acceptance, Kind, Record, UserRole};
use handover_report::escape_html;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    severity: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    accepted: String,
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, Query(q): Query<ListQuery>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let findings: Vec<_> = view
            .findings
            .iter()
            .filter(|f| q.severity.is_empty() || f.severity.to_string() == q.severity)
            .filter(|f| q.rule.is_empty() || f.rule == q.rule)
            .filter(|f| q.subject.is_empty() || f.subject.contains(q.subject.trim()))
            .filter(|f| match q.accepted.as_str() {
                "yes" => f.accepted.is_some(),
                "" | "no" => f.accepted.is_none(),
                _ => true,
            })
            .collect();
        let can_accept = auth.role.allows(UserRole::Reviewer);
        let rows = findings
            .iter()
            .take(500)
            .map(|f| {
                let mut row = vec![
                    Cell::text(f.severity).class(severity_tone(f.severity)),
                    Cell::text(format!("{} {}", f.rule, f.title)),
                    subject_cell(&view, &f.subject),
                    Cell::text(format!("{} {}", f.summary, f.evidence.join("; "))),
                    Cell::text(f.controls.join(", ")),
                ];
                row.push(match &f.accepted {
                    Some(a) => Cell::text(format!("accepted by {} until {}: {}", a.by, a.expires, a.reason)).class("muted"),
                    None if can_accept => Cell::link(
                        "accept…",
                        format!("/findings?rule={}&subject={}#accept", f.rule, path_escape(&f.subject).replace('/', "%2F")),
                    ),
                    None => Cell::text("open"),
                });
                row
            })
            .collect();
        let mut rules: Vec<&str> = view.findings.iter().map(|f| f.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        let opt = |v: &str, l: &str| (v.to_string(), l.to_string());
        let filters = vec![
            Filter {
                label: "Severity",
                name: "severity",
                value: q.severity.clone(),
                options: vec![opt("", "any"), opt("critical", "critical"), opt("high", "high"), opt("medium", "medium"), opt("low", "low")],
            },
            Filter {
                label: "Rule",
                name: "rule",
                value: q.rule.clone(),
                options: std::iter::once(opt("", "any")).chain(rules.iter().map(|r| opt(r, r))).collect(),
            },
            Filter { label: "Subject (e.g. system:erp)", name: "subject", value: q.subject.clone(), options: vec![] },
            Filter {
                label: "Accepted risks",
                name: "accepted",
                value: q.accepted.clone(),
                options: vec![opt("no", "hide"), opt("yes", "only"), opt("all", "show too")],
            },
        ];
        let after = if can_accept && !q.rule.is_empty() && !q.subject.is_empty() {
            let default_expiry = view.today.checked_add(jiff::Span::new().days(90)).unwrap_or(view.today);
            format!(
                r#"<form id="accept" class="accept" method="post" action="/findings/accept">
<input type="hidden" name="csrf" value="{csrf}">
<fieldset><legend>Accept the risk of {rule} on {subject}</legend>
<input type="hidden" name="rule" value="{rule}"><input type="hidden" name="subject" value="{subject}">
<label for="reason">Reason (who decided, why it is acceptable)</label>
<textarea id="reason" name="reason" required rows="3"></textarea>
<label for="expires">Accepted until</label>
<input id="expires" name="expires" type="date" required value="{default_expiry}">
<button type="submit">Accept risk</button>
</fieldset></form>"#,
                csrf = escape_html(&auth.csrf()),
                rule = escape_html(&q.rule),
                subject = escape_html(&q.subject),
            )
        } else {
            String::new()
        };
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Findings", "/findings", &view),
            heading: format!("Findings ({})", findings.len()),
            intro: "Each finding names the rule, the record, the evidence and the controls it maps to (CIS v8, ISO/IEC 27001:2022, NIST SP 800-53).".into(),
            filters,
            table: Table::new(&["severity", "rule", "subject", "finding and evidence", "controls", "status"], rows, "No findings match.").html(),
            pager: if findings.len() > 500 { format!("<span>Showing 500 of {}; filter to see the rest.</span>", findings.len()) } else { String::new() },
            after,
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    csrf: String,
    rule: String,
    subject: String,
    reason: String,
    expires: String,
}

pub async fn accept(State(state): State<Arc<AppState>>, auth: Auth, Form(form): Form<AcceptForm>) -> WebResult<Redirect> {
    auth.check_csrf(Some(&form.csrf))?;
    auth.require(UserRole::Reviewer)?;
    blocking(&state, move |s| accept_blocking(s, &auth, &form.rule, &form.subject, &form.reason, &form.expires)).await?;
    Ok(Redirect::to("/findings?accepted=yes"))
}

/// Records an acceptance (also used by the API). The reviewer must be linked to a person:
/// an accepted risk names who accepted it.
pub fn accept_blocking(s: &AppState, auth: &Auth, rule: &str, subject: &str, reason: &str, expires: &str) -> WebResult<String> {
    let view = s.view()?;
    let by = auth.user.person.clone().ok_or_else(|| {
        WebError::forbidden("your user is not linked to a person, and an accepted risk must name who accepted it; ask an admin to link it")
    })?;
    if handover_analysis::rules::find(rule).is_none() {
        return Err(WebError::invalid(format!("there is no rule {rule:?}")));
    }
    if reason.trim().is_empty() {
        return Err(WebError::new(handover_core::ErrorCode::MissingField, "give the reason the risk is accepted"));
    }
    let expires: jiff::civil::Date = expires.trim().parse().map_err(|e| WebError::invalid(format!("expires {expires:?}: {e}")))?;
    if expires <= view.today {
        return Err(WebError::invalid("an acceptance must expire in the future"));
    }
    let base = format!("{}-{}", rule.to_lowercase(), subject.replace([':', '/', '@', ' '], "-").to_lowercase());
    let base: String = base.chars().filter(|c| c.is_ascii_alphanumeric() || "-._".contains(*c)).take(100).collect();
    let key = (0..)
        .map(|n| if n == 0 { base.clone() } else { format!("{base}-{n}") })
        .find(|k| !view.inv().contains(Kind::Acceptance, k))
        .unwrap_or(base);
    let record = Record::from(Acceptance {
        key: key.clone(),
        rule: rule.to_string(),
        subject: subject.to_string(),
        reason: reason.trim().to_string(),
        accepted_by: by,
        expires,
    });
    super::save(s, auth, &view, record)?;
    Ok(key)
}
