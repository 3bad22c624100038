//! The dashboard: headline figures and the risks an owner must see first.

use super::{href, person_cell, render, subject_cell, Cell, Chrome, Table};
use crate::auth::Auth;
use crate::error::WebResult;
use crate::state::{blocking, AppState};
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use handover_core::{Kind, PersonStatus, Severity};
use handover_report::chart::{bars, Bar};
use std::sync::Arc;

pub struct Tile {
    pub figure: String,
    pub label: &'static str,
    pub href: &'static str,
    pub tone: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    tiles: Vec<Tile>,
    risk_chart: String,
    findings_chart: String,
    spof: String,
    orphaned: String,
    reviews: String,
    contracts: String,
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let inv = view.inv();
        let open: Vec<_> = view.findings.iter().filter(|f| f.accepted.is_none()).collect();
        let count = |sev: Severity| open.iter().filter(|f| f.severity == sev).count();
        let active = inv.people().filter(|p| p.status != PersonStatus::Left).count();
        let leaving = inv.people().filter(|p| p.status == PersonStatus::Leaving).count();
        let plans_open = inv.plans().filter(|p| p.tasks.iter().any(|t| t.status == handover_core::TaskStatus::Open)).count();
        let overdue = view.due.iter().filter(|d| d.overdue).count();
        let tiles = vec![
            Tile { figure: overdue.to_string(), label: "overdue", href: "/due", tone: if overdue > 0 { "critical" } else { "neutral" } },
            Tile { figure: active.to_string(), label: "people", href: "/people", tone: "neutral" },
            Tile {
                figure: leaving.to_string(),
                label: "leaving",
                href: "/people?status=leaving",
                tone: if leaving > 0 { "high" } else { "neutral" },
            },
            Tile { figure: inv.count(Kind::System).to_string(), label: "systems", href: "/systems", tone: "neutral" },
            Tile {
                figure: view.risk.bus_factor.to_string(),
                label: "bus factor",
                href: "/systems?sort=risk",
                tone: if view.risk.bus_factor <= 1 { "critical" } else { "neutral" },
            },
            Tile {
                figure: count(Severity::Critical).to_string(),
                label: "critical findings",
                href: "/findings?severity=critical",
                tone: "critical",
            },
            Tile { figure: count(Severity::High).to_string(), label: "high findings", href: "/findings?severity=high", tone: "high" },
            Tile { figure: plans_open.to_string(), label: "plans in progress", href: "/plans", tone: "neutral" },
        ];
        let risk_chart = bars(
            "Departure impact score, top ten",
            &view
                .risk
                .people
                .iter()
                .take(10)
                .filter(|r| r.score > 0)
                .map(|r| Bar { label: r.name.clone(), value: r.score, href: Some(href(Kind::Person, &r.person)), tone: "high" })
                .collect::<Vec<_>>(),
        );
        let findings_chart = bars(
            "Open findings by severity",
            &[Severity::Critical, Severity::High, Severity::Medium, Severity::Low]
                .into_iter()
                .map(|sev| Bar {
                    label: sev.to_string(),
                    value: count(sev) as u64,
                    href: Some(format!("/findings?severity={sev}")),
                    tone: severity_tone(sev),
                })
                .collect::<Vec<_>>(),
        );
        let spof = Table::new(
            &["system", "tier", "bus factor", "held up by"],
            view.risk
                .systems
                .iter()
                .filter(|r| r.bus_factor <= 1)
                .take(15)
                .map(|r| {
                    vec![
                        Cell::link(&r.name, href(Kind::System, &r.system)),
                        Cell::text(r.tier),
                        Cell::text(r.bus_factor).class(if r.bus_factor == 0 { "critical" } else { "high" }),
                        Cell::text(
                            r.held_up_by
                                .iter()
                                .map(|p| inv.person(p).map_or(p.as_str(), |p| p.name.as_str()))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ]
                })
                .collect(),
            "No critical system rests on one person.",
        )
        .html();
        let orphaned = Table::new(
            &["person", "left on", "active accounts", "of which admin"],
            view.summary
                .lingering_access
                .iter()
                .take(15)
                .map(|l| {
                    vec![
                        person_cell(&view, &l.person),
                        Cell::text(l.left_on.map(|d| d.to_string()).unwrap_or_default()),
                        Cell::text(l.accounts.len()),
                        Cell::text(l.admin_accounts.len()).class(if l.admin_accounts.is_empty() { "neutral" } else { "critical" }),
                    ]
                })
                .collect(),
            "Nobody who left still has an active account.",
        )
        .html();
        let reviews = Table::new(
            &["what", "due", "owner"],
            view.due
                .iter()
                .filter(|d| d.overdue)
                .take(15)
                .map(|d| {
                    vec![
                        subject_cell(&view, &d.subject),
                        Cell::text(format!("{} ({})", d.due, d.what)).class("high"),
                        d.owner.as_deref().map_or_else(|| Cell::text("no owner").class("critical"), |o| person_cell(&view, o)),
                    ]
                })
                .collect(),
            "Nothing is overdue.",
        )
        .html();
        let contracts = Table::new(
            &["contract", "ends", "days left", "maintains"],
            view.summary
                .contracts
                .iter()
                .take(15)
                .map(|c| {
                    vec![
                        Cell::link(&c.name, href(Kind::Contract, &c.contract)),
                        Cell::text(c.ends),
                        Cell::text(c.days_left).class(if c.days_left < 0 { "critical" } else { "high" }),
                        Cell::text(c.maintains.join(", ")),
                    ]
                })
                .collect(),
            "No contract ends soon.",
        )
        .html();
        render(&Dashboard {
            chrome: Chrome::for_view(&auth, "Dashboard", "/", &view),
            tiles,
            risk_chart,
            findings_chart,
            spof,
            orphaned,
            reviews,
            contracts,
        })
    })
    .await
}

pub fn severity_tone(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}
