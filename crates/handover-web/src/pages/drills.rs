//! Tabletop drills: the exercise handover-governance generates for a scenario from the
//! cached analysis, and recording a drill held (as `handover drill record`).

use super::{href, render, save, Cell, Chrome, ListPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState, View};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use handover_core::{Kind, PolicyKind, Record, UserRole};
use handover_governance::drill::{self, Drill, Scenario};
use serde::Deserialize;
use std::sync::Arc;

pub fn scenario_of(text: &str) -> WebResult<Scenario> {
    Scenario::parse(text).ok_or_else(|| {
        WebError::not_found(format!(
            "there is no scenario {text:?}; scenarios: {}",
            Scenario::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// The drill for `scenario` over the analysed inventory (also used by the API).
pub fn generate(view: &View, scenario: Scenario) -> Drill {
    drill::generate(view.snap(), &view.findings, &view.risk, &view.summary, scenario, view.today)
}

/// Who acts: the person named, or the signed-in user's person.
pub fn acting_person(auth: &Auth, view: &View, given: &str) -> WebResult<String> {
    match given.trim() {
        "" => auth.user.person.clone().ok_or_else(|| {
            WebError::new(handover_core::ErrorCode::MissingField, "your user is not linked to a person; name who acts (a person key)")
        }),
        key if view.inv().person(key).is_some() => Ok(key.to_string()),
        key => Err(WebError::not_found(format!("there is no person {key:?}"))),
    }
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let rows = Scenario::ALL
            .iter()
            .map(|sc| {
                let d = generate(&view, *sc);
                let tests: usize = d.injects.iter().map(|i| i.tests.len()).sum();
                vec![
                    Cell::link(sc.title(), format!("/drills/{}", sc.as_str())),
                    Cell::text(d.injects.len()),
                    Cell::text(tests).class(if tests > 0 { "high" } else { "neutral" }),
                    Cell::text(d.cast.iter().filter(|c| c.gap.is_some()).count()),
                ]
            })
            .collect();
        let plans = view
            .inv()
            .policies()
            .filter(|p| matches!(p.kind, PolicyKind::CrisisPlan | PolicyKind::DrPlan | PolicyKind::CommunicationPlan | PolicyKind::BackupPlan))
            .map(|p| {
                let next = p.next_review();
                vec![
                    Cell::link(&p.name, href(Kind::Policy, &p.key)),
                    Cell::text(p.last_reviewed.map(|d| d.to_string()).unwrap_or_else(|| "never".into())),
                    Cell::text(next.map(|d| d.to_string()).unwrap_or_default()).class(if next.is_some_and(|n| n < view.today) { "critical" } else { "neutral" }),
                ]
            })
            .collect();
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Drills", "/drills", &view),
            heading: "Tabletop drills".into(),
            intro: "Pick a scenario: the exercise is built from the organisation's real weak points — a timeline of injects, questions per crisis role, expected actions and a debrief.".into(),
            filters: vec![],
            table: Table::new(&["scenario", "injects", "findings put to the test", "gaps in the cast"], rows, "").html(),
            pager: String::new(),
            after: format!(
                "<section aria-labelledby=\"h-plans\"><h2 id=\"h-plans\">Plans drills test</h2><p class=\"hint\">A recorded drill is a review of its plan; the next one falls due by the plan's review interval.</p>{}</section>",
                Table::new(&["plan", "last reviewed", "next due"], plans, "No crisis, DR, backup or communication plan is recorded.").html()
            ),
        })
    })
    .await
}

pub struct InjectView {
    at: String,
    title: String,
    facts: Vec<String>,
    /// (rule, subject)
    tests: Vec<(String, String)>,
    questions: Vec<(&'static str, String)>,
    expected: Vec<String>,
}

#[derive(Template)]
#[template(path = "drill.html")]
struct DrillPage {
    chrome: Chrome,
    scenario: &'static str,
    scenarios: Vec<(&'static str, &'static str)>,
    drill: Drill,
    injects: Vec<InjectView>,
    can_record: bool,
    plans: Vec<(String, String)>,
    me: String,
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth, Path(scenario): Path<String>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let scenario = scenario_of(&scenario)?;
        let view = s.view()?;
        let d = generate(&view, scenario);
        let injects = d
            .injects
            .iter()
            .map(|i| InjectView {
                at: drill::minutes(i.at_minutes),
                title: i.title.clone(),
                facts: i.facts.clone(),
                tests: i
                    .tests
                    .iter()
                    .map(|t| t.split_once(' ').map_or((t.clone(), String::new()), |(r, s)| (r.to_string(), s.to_string())))
                    .collect(),
                questions: i.questions.clone(),
                expected: i.expected.clone(),
            })
            .collect();
        // Crisis plans first: they are what a drill usually tests.
        let mut policies: Vec<_> = view.inv().policies().collect();
        policies.sort_by_key(|p| p.kind != PolicyKind::CrisisPlan);
        render(&DrillPage {
            chrome: Chrome::for_view(&auth, d.title.clone(), "/drills", &view),
            scenario: scenario.as_str(),
            scenarios: Scenario::ALL.iter().map(|s| (s.as_str(), s.title())).collect(),
            drill: d,
            injects,
            can_record: auth.role.allows(UserRole::Editor),
            plans: policies.iter().map(|p| (p.key.clone(), p.name.clone())).collect(),
            me: auth.user.person.clone().unwrap_or_default(),
        })
    })
    .await
}

/// A drill as held; lists arrive one item per line (forms) or as arrays (API).
pub struct Held {
    pub plan: String,
    pub by: String,
    pub participants: Vec<String>,
    pub findings: Vec<String>,
    pub follow_ups: Vec<String>,
}

/// Records a drill as a review of its plan (also used by the API).
pub fn record_blocking(s: &AppState, auth: &Auth, scenario: Scenario, h: Held) -> WebResult<handover_core::Policy> {
    auth.require(UserRole::Editor)?;
    let view = s.view()?;
    let by = acting_person(auth, &view, &h.by)?;
    let Some(Record::Policy(policy)) = view.inv().get(Kind::Policy, h.plan.trim()) else {
        return Err(WebError::not_found(format!("there is no policy {:?}", h.plan.trim())));
    };
    let mut policy = (**policy).clone();
    let held = drill::Held { by, participants: h.participants, findings: h.findings, follow_ups: h.follow_ups };
    drill::record(view.inv(), &mut policy, scenario, &held, view.today)?;
    save(s, auth, &view, Record::from(policy.clone()))?;
    Ok(policy)
}

#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    follow_ups: String,
}

pub async fn record(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(scenario): Path<String>,
    Form(f): Form<RecordForm>,
) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    let scenario = scenario_of(&scenario)?;
    let lines = |t: &str| t.lines().map(str::to_string).collect::<Vec<_>>();
    let held = Held {
        plan: f.plan.clone(),
        by: f.by,
        participants: f.participants.split(',').map(str::to_string).collect(),
        findings: lines(&f.findings),
        follow_ups: lines(&f.follow_ups),
    };
    let policy = blocking(&state, move |s| record_blocking(s, &auth, scenario, held)).await?;
    Ok(Redirect::to(&href(Kind::Policy, &policy.key)))
}
