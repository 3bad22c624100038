//! Systems: the list and a system's page — who administers it, who knows it, where it is
//! written down, who supports it, and how many people it rests on.

use super::dashboard::severity_tone;
use super::{href, pager, person_cell, render, Cell, Chrome, Filter, ListPage, RecordPage, Table, PAGE_SIZE};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState, View};
use axum::extract::{Path, Query, State};
use axum::response::Html;
use handover_core::{Kind, Record};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;

/// People still here who hold the system up: its admins and those who know it.
fn holders(view: &View, s: u32) -> BTreeSet<u32> {
    let snap = view.snap();
    let mut h: BTreeSet<u32> = snap.admin_people(s).into_iter().collect();
    h.extend(snap.system_knowers[s as usize].iter().copied());
    h
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    page: Option<usize>,
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, Query(query): Query<ListQuery>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let snap = view.snap();
        let needle = query.q.trim().to_lowercase();
        let mut systems: Vec<(u32, usize)> = (0..snap.systems.len() as u32)
            .filter(|&i| {
                let sys = snap.systems[i as usize];
                (query.tier.is_empty() || sys.tier.to_string() == query.tier)
                    && (needle.is_empty() || sys.name.to_lowercase().contains(&needle) || sys.key.contains(&needle))
            })
            .map(|i| (i, holders(&view, i).len()))
            .collect();
        // Most critical and most fragile first.
        systems.sort_by_key(|&(i, n)| (snap.systems[i as usize].tier, n, snap.systems[i as usize].name.clone()));
        let total = systems.len();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = query.page.unwrap_or(1).clamp(1, pages);
        let rows = systems
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|&(i, n)| {
                let sys = snap.systems[i as usize];
                vec![
                    Cell::link(&sys.name, href(Kind::System, &sys.key)),
                    Cell::text(sys.tier),
                    Cell::text(sys.kind),
                    sys.owner.as_deref().map_or_else(|| Cell::text("no owner").class("high"), |o| person_cell(&view, o)),
                    Cell::text(snap.admin_people(i).len()),
                    Cell::text(n).class(match n {
                        0 => "critical",
                        1 => "high",
                        _ => "neutral",
                    }),
                    Cell::text(sys.docs.len()),
                ]
            })
            .collect();
        let tiers =
            std::iter::once(("".to_string(), "any".to_string())).chain((1..=4).map(|t| (t.to_string(), format!("tier {t}")))).collect();
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Systems", "/systems", &view),
            heading: format!("Systems ({total})"),
            intro: "Most critical first; within a tier, those resting on the fewest people first.".into(),
            filters: vec![
                Filter { label: "Name", name: "q", value: query.q.clone(), options: vec![] },
                Filter { label: "Tier", name: "tier", value: query.tier.clone(), options: tiers },
            ],
            table: Table::new(&["system", "tier", "kind", "owner", "admins", "bus factor", "docs"], rows, "No system matches.").html(),
            pager: pager("/systems", &[("q", &query.q), ("tier", &query.tier)], page, pages),
            after: String::new(),
        })
    })
    .await
}

fn names(view: &View, kind: Kind, keys: &[String]) -> String {
    keys.iter().map(|k| view.inv().get(kind, k).map_or_else(|| k.clone(), Record::label)).collect::<Vec<_>>().join(", ")
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth, Path(key): Path<String>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let snap = view.snap();
        let inv = view.inv();
        let sys = inv.system(&key).ok_or_else(|| WebError::not_found(format!("there is no system {key:?}")))?;
        let i = snap.system(&key).ok_or_else(|| WebError::not_found(format!("there is no system {key:?}")))?;
        let person_fact = |label: &str, k: &Option<String>| {
            k.as_ref()
                .map(|k| (label.to_string(), inv.person(k).map_or_else(|| k.clone(), |p| p.name.clone()), Some(href(Kind::Person, k))))
        };
        let mut facts = vec![
            ("Key".to_string(), sys.key.clone(), None),
            ("Kind".into(), sys.kind.to_string(), None),
            ("Tier".into(), sys.tier.to_string(), None),
        ];
        facts.extend(person_fact("Owner", &sys.owner));
        if !sys.technical_owners.is_empty() {
            facts.push(("Technical owners".into(), names(&view, Kind::Person, &sys.technical_owners), None));
        }
        if let Some(v) = &sys.vendor {
            facts.push(("Vendor".into(), names(&view, Kind::Vendor, std::slice::from_ref(v)), Some(href(Kind::Vendor, v))));
        }
        match &sys.maintenance_contract {
            Some(c) => facts.push((
                "Maintenance contract".into(),
                names(&view, Kind::Contract, std::slice::from_ref(c)),
                Some(href(Kind::Contract, c)),
            )),
            None => facts.push(("Maintenance contract".into(), "none".into(), None)),
        }
        match &sys.patching {
            Some(p) => {
                let owner = p.owner.as_deref().map_or("no one".to_string(), |o| inv.person(o).map_or(o.to_string(), |p| p.name.clone()));
                facts.push(("Patching".into(), format!("{} by {owner}", p.cadence), None));
            }
            None => facts.push(("Patching".into(), "no one named".into(), None)),
        }
        for (label, v) in [("RTO", &sys.rto), ("RPO", &sys.rpo)] {
            if let Some(v) = v {
                facts.push((label.into(), v.to_string(), None));
            }
        }
        if !sys.depends_on.is_empty() {
            facts.push(("Depends on".into(), names(&view, Kind::System, &sys.depends_on), None));
        }
        if !sys.tags.is_empty() {
            facts.push(("Tags".into(), sys.tags.join(", "), None));
        }
        if let Some(d) = &sys.description {
            facts.push(("Description".into(), d.clone(), None));
        }
        let held = holders(&view, i);
        let people_table = |people: Vec<u32>, empty: &'static str| {
            Table::new(
                &["person", "status"],
                people.iter().map(|&p| vec![person_cell(&view, snap.person_key(p)), Cell::text(snap.people[p as usize].status)]).collect(),
                empty,
            )
            .html()
        };
        let admins = people_table(snap.admin_people(i), "No one still here can administer it.");
        let knowers = people_table(snap.system_knowers[i as usize].clone(), "No one still here knows it.");
        let docs = Table::new(
            &["document", "last reviewed", "author"],
            sys.docs
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(format!("{} — {}", d.title, d.url)),
                        Cell::text(d.last_reviewed.map_or("never".to_string(), |d| d.to_string())),
                        d.author.as_deref().map_or_else(|| Cell::text(""), |a| person_cell(&view, a)),
                    ]
                })
                .collect(),
            "Not written down anywhere.",
        )
        .html();
        let subject = format!("system:{key}");
        let findings = Table::new(
            &["severity", "rule", "finding"],
            view.findings
                .iter()
                .filter(|f| f.subject == subject)
                .map(|f| vec![Cell::text(f.severity).class(severity_tone(f.severity)), Cell::text(f.rule), Cell::text(&f.summary)])
                .collect(),
            "No findings.",
        )
        .html();
        let accounts = snap.accounts.iter().filter(|a| a.system == i && !a.is_container()).count();
        let active_admin = snap.accounts.iter().filter(|a| a.system == i && a.is_active() && a.is_admin()).count();
        render(&RecordPage {
            chrome: Chrome::for_view(&auth, &sys.name, "/systems", &view),
            back_href: "/systems".into(),
            back_label: "Systems".into(),
            heading: sys.name.clone(),
            badge: format!("bus factor {}", held.len()),
            badge_tone: match held.len() {
                0 => "critical",
                1 => "high",
                _ => "neutral",
            }
            .into(),
            facts,
            sections: vec![
                ("admins".into(), "Admins".into(), format!("{accounts} accounts, {active_admin} active with admin rights."), admins),
                (
                    "knowers".into(),
                    "Who knows it".into(),
                    "Technical owners, documentation authors, code authors and admins still here.".into(),
                    knowers,
                ),
                ("docs".into(), "Documentation".into(), String::new(), docs),
                ("findings".into(), "Findings".into(), String::new(), findings),
            ],
        })
    })
    .await
}
