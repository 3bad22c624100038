//! Access reviews: campaigns, and the decisions a reviewer is asked for. Reviewers (the
//! role) decide items assigned to the person their user is linked to.

use super::{href, person_cell, render, save, Cell, Chrome, ListPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState, View};
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use handover_core::{Decision, Kind, Record, Review, UserRole};
use handover_governance::review;
use handover_report::escape_html;
use serde::Deserialize;
use std::sync::Arc;

fn review_of<'v>(view: &'v View, key: &str) -> WebResult<&'v Review> {
    match view.inv().get(Kind::Review, key) {
        Some(Record::Review(r)) => Ok(r),
        _ => Err(WebError::not_found(format!("there is no review {key:?}"))),
    }
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let me = auth.user.person.clone();
        let rows = view
            .inv()
            .reviews()
            .map(|r| {
                let st = review::status(view.inv(), r, view.today);
                let mine = me
                    .as_deref()
                    .map_or(0, |m| r.items.iter().filter(|i| i.decision.is_none() && i.reviewer.as_deref() == Some(m)).count());
                vec![
                    Cell::link(&r.name, href(Kind::Review, &r.key)),
                    Cell::text(&r.scope),
                    Cell::text(r.due).class(if st.overdue { "critical" } else { "neutral" }),
                    Cell::text(format!("{}/{} ({}%)", st.decided, st.items, st.percent)),
                    Cell::text(if st.overdue { "overdue".to_string() } else { r.status.to_string() }),
                    Cell::text(mine).class(if mine > 0 { "high" } else { "neutral" }),
                    Cell::text(st.revoke_pending.len()).class(if st.revoke_pending.is_empty() { "neutral" } else { "critical" }),
                ]
            })
            .collect();
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Access reviews", "/reviews", &view),
            heading: "Access reviews".into(),
            intro: "Start a campaign with `handover review start`; reviewers decide their items here.".into(),
            filters: vec![],
            table: Table::new(
                &["campaign", "scope", "due", "decided", "status", "yours to decide", "revoked, still active"],
                rows,
                "No campaigns yet.",
            )
            .html(),
            pager: String::new(),
            after: String::new(),
        })
    })
    .await
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth, Path(key): Path<String>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let r = review_of(&view, &key)?;
        let st = review::status(view.inv(), r, view.today);
        let me = auth.user.person.clone();
        let can_decide = auth.role.allows(UserRole::Reviewer) && r.status == handover_core::ReviewStatus::Open;
        let mut forms = String::new();
        for (i, it) in r.items.iter().enumerate() {
            let mine = me.is_some() && it.reviewer == me && it.holder != me;
            if !(can_decide && mine && it.decision.is_none()) {
                continue;
            }
            forms.push_str(&format!(
                r#"<li id="item-{n}"><form method="post" action="/reviews/{key}/items/{n}" class="decide">
<input type="hidden" name="csrf" value="{csrf}">
<p><strong>{n}.</strong> <code>{access}</code> ({level}) held by {holder}</p>
<label for="decision-{n}">Decision</label><select id="decision-{n}" name="decision"><option value="keep">keep</option><option value="revoke">revoke</option><option value="modify">modify</option></select>
<label for="reason-{n}">Reason</label><input id="reason-{n}" name="reason" required>
<button type="submit">Decide</button></form></li>"#,
                n = i + 1,
                key = escape_html(&super::path_escape(&key)),
                csrf = escape_html(&auth.csrf()),
                access = escape_html(&it.access),
                level = it.level,
                holder = escape_html(&it.holder.as_deref().and_then(|h| view.inv().person(h)).map_or("(unlinked)".to_string(), |p| p.name.clone())),
            ));
        }
        let rows = r
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                vec![
                    Cell::text(i + 1),
                    Cell::text(&it.access),
                    Cell::text(it.level).class(if it.level == handover_core::Level::Admin { "high" } else { "neutral" }),
                    it.holder.as_deref().map_or_else(|| Cell::text("(unlinked)"), |h| person_cell(&view, h)),
                    it.reviewer.as_deref().map_or_else(|| Cell::text("(none)").class("high"), |h| person_cell(&view, h)),
                    Cell::text(it.decision.map_or_else(String::new, |d| d.to_string())).class(match it.decision {
                        Some(Decision::Revoke) => "critical",
                        _ => "neutral",
                    }),
                    Cell::text(it.reason.as_deref().unwrap_or("")),
                ]
            })
            .collect();
        let mut after = String::new();
        if !forms.is_empty() {
            after = format!("<section aria-labelledby=\"yours\"><h2 id=\"yours\">Yours to decide</h2><ol class=\"tasks\">{forms}</ol></section>");
        }
        if !st.revoke_pending.is_empty() {
            after.push_str(&format!(
                "<section><h2>Revoked but still active</h2><p class=\"hint\">Remove at the source, then re-import the system.</p><ul>{}</ul></section>",
                st.revoke_pending.iter().map(|a| format!("<li><code>{}</code></li>", escape_html(a))).collect::<String>()
            ));
        }
        let mut chrome = Chrome::for_view(&auth, &r.name, "/reviews", &view);
        chrome.notices.push(format!(
            "{} of {} decided ({}%), due {}{}; scope {}, reviewer rule {}.",
            st.decided,
            st.items,
            st.percent,
            r.due,
            if st.overdue { " — overdue" } else { "" },
            r.scope,
            r.reviewer_rule
        ));
        render(&ListPage {
            chrome,
            heading: r.name.clone(),
            intro: String::new(),
            filters: vec![],
            table: after,
            pager: String::new(),
            after: Table::new(&["#", "access", "level", "holder", "reviewer", "decision", "reason"], rows, "No items.").html(),
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    decision: String,
    reason: String,
}

pub async fn decide(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((key, item)): Path<(String, String)>,
    Form(form): Form<DecideForm>,
) -> WebResult<Redirect> {
    auth.check_csrf(Some(&form.csrf))?;
    let target = key.clone();
    blocking(&state, move |s| decide_blocking(s, &auth, &key, &item, &form.decision, &form.reason).map(|_| ())).await?;
    Ok(Redirect::to(&href(Kind::Review, &target)))
}

/// Records a decision as the signed-in user's person (also used by the API).
pub fn decide_blocking(s: &AppState, auth: &Auth, key: &str, item: &str, decision: &str, reason: &str) -> WebResult<Review> {
    auth.require(UserRole::Reviewer)?;
    let decision = Decision::ALL
        .iter()
        .copied()
        .find(|d| d.as_str() == decision)
        .ok_or_else(|| WebError::invalid(format!("decision must be keep, revoke or modify, not {decision:?}")))?;
    let by = auth.user.person.clone().ok_or_else(|| {
        WebError::forbidden("your user is not linked to a person, so it cannot be anyone's reviewer; ask an admin to link it")
    })?;
    let view = s.view()?;
    let mut r = review_of(&view, key)?.clone();
    review::decide(&mut r, item, decision, reason, &by, view.today).map_err(|e| WebError::new(e.code, e.message))?;
    save(s, auth, &view, Record::from(r.clone()))?;
    Ok(r)
}
