//! The event log, newest first, with the hash chain's verification.

use super::{render, Cell, Chrome, Filter, ListPage, Table};
use crate::auth::Auth;
use crate::error::WebResult;
use crate::state::{blocking, AppState};
use axum::extract::{Query, State};
use axum::response::Html;
use handover_store::EventFilter;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    key: String,
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, Query(q): Query<LogQuery>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let (verification, age) = s.verification()?;
        let events = s.with_store(|st| {
            let kind = handover_store::event_kind(&q.kind);
            let filter = EventFilter { kind, key: Some(q.key.clone()).filter(|k| !k.is_empty()), limit: Some(200) };
            Ok(st.events(&filter)?)
        })?;
        let rows = events
            .iter()
            .rev()
            .map(|e| {
                vec![
                    Cell::text(e.seq),
                    Cell::text(&e.draft.at),
                    Cell::text(&e.draft.actor),
                    Cell::text(e.draft.action),
                    Cell::text(format!("{} {}", e.draft.kind, e.draft.key)),
                ]
            })
            .collect();
        let mut chrome = Chrome::new(Some(&auth), "Event log", "/log");
        chrome.notices.push(match &verification.first_broken {
            None => format!(
                "Verified {age} s ago: all {} events chain correctly. Head hash {} — write it down elsewhere to detect truncation.",
                verification.verified,
                verification.head.as_deref().unwrap_or("(empty)")
            ),
            Some(b) => format!("BROKEN at event {} ({} {}): {}. Restore from a backup.", b.seq, b.kind, b.key, b.reason),
        });
        let kinds = std::iter::once(("".to_string(), "any".to_string()))
            .chain(
                handover_core::Kind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .chain(handover_store::USER_EVENT_KINDS)
                    .map(|k| (k.to_string(), k.to_string())),
            )
            .collect();
        render(&ListPage {
            chrome,
            heading: "Event log".into(),
            intro: "Every change, append-only and hash-chained; the newest 200 matching events.".into(),
            filters: vec![
                Filter { label: "Kind", name: "kind", value: q.kind.clone(), options: kinds },
                Filter { label: "Key", name: "key", value: q.key.clone(), options: vec![] },
            ],
            table: Table::new(&["#", "at", "who", "action", "record"], rows, "No events.").html(),
            pager: String::new(),
            after: String::new(),
        })
    })
    .await
}
