//! Any record, generically: its fields and the records that name it. People, systems and
//! plans have their own pages; this covers the other kinds (accounts, contracts, …).

use super::{href, render, subject_cell, Cell, Chrome, RecordPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState};
use axum::extract::{Path, State};
use axum::response::Html;
use handover_core::Kind;
use std::sync::Arc;

/// A field's value as one line of text.
fn flatten(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(flatten).collect::<Vec<_>>().join(", "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth, Path((kind, key)): Path<(String, String)>) -> WebResult<Html<String>> {
    let kind: Kind = kind.parse().map_err(WebError::not_found)?;
    blocking(&state, move |s| {
        let view = s.view()?;
        let record = view.inv().get(kind, &key).ok_or_else(|| WebError::not_found(format!("there is no {kind} {key:?}")))?;
        if kind == Kind::Plan {
            super::forbid_viewers_of_own_plan(&auth, &view, &key)?;
        }
        let json = record.to_json();
        let facts = json
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        // A field naming another record links to it.
                        let link = record
                            .refs()
                            .into_iter()
                            .find(|r| r.field == *k || r.field.starts_with(&format!("{k}[")))
                            .map(|r| href(r.kind, r.key));
                        let link = if v.is_array() { None } else { link };
                        (k.replace('_', " "), flatten(v), link)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let referrers = view.inv().referrers(kind, &key);
        let rows = referrers.iter().map(|(k, rk, field)| vec![subject_cell(&view, &format!("{k}:{rk}")), Cell::text(field)]).collect();
        render(&RecordPage {
            chrome: Chrome::for_view(&auth, record.label(), "", &view),
            back_href: "/".into(),
            back_label: "Dashboard".into(),
            heading: format!("{} ({kind})", record.label()),
            badge: String::new(),
            badge_tone: String::new(),
            facts,
            sections: vec![(
                "referrers".into(),
                "Named by".into(),
                String::new(),
                Table::new(&["record", "as"], rows, "Nothing names it.").html(),
            )],
        })
    })
    .await
}
