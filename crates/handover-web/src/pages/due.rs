//! Everything due or overdue (as `handover due`), with who should act, and the critical
//! roles whose succession is not ready (as `handover succession gaps`).

use super::{href, person_cell, render, subject_cell, Cell, Chrome, Filter, ListPage, Table};
use crate::auth::Auth;
use crate::error::WebResult;
use crate::state::{blocking, AppState, View};
use axum::extract::{Query, State};
use axum::response::Html;
use handover_analysis::due::Due;
use handover_analysis::succession::Gap;
use handover_core::Kind;
use serde::Deserialize;
use std::sync::Arc;

/// How far ahead `due` looks unless asked (as `handover due`).
pub const DEFAULT_WITHIN: i64 = 30;

#[derive(Deserialize, Default)]
pub struct DueQuery {
    pub within: Option<String>,
}

impl DueQuery {
    /// Days ahead: a number, or `30d`; anything else is the default.
    pub fn days(&self) -> i64 {
        self.within
            .as_deref()
            .and_then(|w| w.trim().trim_end_matches('d').parse().ok())
            .filter(|d| (0..=3660).contains(d))
            .unwrap_or(DEFAULT_WITHIN)
    }
}

/// What is due within `days` (overdue first): the view's cached list for the default.
pub fn items(s: &AppState, view: &View, days: i64) -> Vec<Due> {
    if days == DEFAULT_WITHIN {
        return view.due.clone();
    }
    handover_analysis::due::due(view.inv(), view.today, days, &s.settings.config.thresholds)
}

pub fn gaps(view: &View) -> Vec<Gap> {
    handover_analysis::succession::gaps(view.snap())
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, Query(q): Query<DueQuery>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let days = q.days();
        let due = items(s, &view, days);
        let overdue = due.iter().filter(|d| d.overdue).count();
        let rows = due
            .iter()
            .map(|d| {
                vec![
                    Cell::text(d.due).class(if d.overdue { "critical" } else { "neutral" }),
                    Cell::text(if d.overdue { "overdue" } else { "" }).class(if d.overdue { "critical" } else { "neutral" }),
                    Cell::text(d.what),
                    Cell::text(&d.title),
                    subject_cell(&view, &d.subject),
                    d.owner.as_deref().map_or_else(|| Cell::text("no owner").class("critical"), |o| person_cell(&view, o)),
                ]
            })
            .collect();
        let name = |k: &String| view.inv().person(k).map_or_else(|| k.clone(), |p| p.name.clone());
        let gap_rows = gaps(&view)
            .iter()
            .map(|g| {
                vec![
                    Cell::link(&g.name, href(Kind::Role, &g.role)),
                    Cell::text(g.holders.iter().map(name).collect::<Vec<_>>().join(", ")),
                    Cell::text(if g.deputies.is_empty() { "none".to_string() } else { g.deputies.iter().map(name).collect::<Vec<_>>().join(", ") })
                        .class(if g.deputies.is_empty() { "critical" } else { "neutral" }),
                    Cell::text(g.problems.join("; ")).class("high"),
                ]
            })
            .collect();
        let mut chrome = Chrome::for_view(&auth, "Due", "/due", &view);
        chrome.notices.push(format!("{} items due within {days} days, {overdue} of them overdue.", due.len()));
        render(&ListPage {
            chrome,
            heading: "Due and overdue".into(),
            intro: "Reviews, contract notice and end dates, rotations, expiries, documentation to re-verify, plan tasks, check-ins and accepted risks coming back — overdue first, with who should act (as `handover due`). `handover notify` e-mails each owner theirs.".into(),
            filters: vec![Filter { label: "Days ahead", name: "within", value: days.to_string(), options: vec![] }],
            table: Table::new(&["due", "", "what", "item", "subject", "owner"], rows, "Nothing is due.").html(),
            pager: String::new(),
            after: format!(
                "<section aria-labelledby=\"h-succession\"><h2 id=\"h-succession\">Succession gaps</h2><p class=\"hint\">Critical roles whose deputy is missing, leaving, or lacks the access or knowledge the holder has (as <code>handover succession gaps</code>).</p>{}</section>",
                Table::new(&["role", "holders", "deputies", "what is missing"], gap_rows, "Every critical role has a deputy ready to take over.").html()
            ),
        })
    })
    .await
}
