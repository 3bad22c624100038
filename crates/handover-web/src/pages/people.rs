//! People: the list, a person's page with everything they hold and what their leaving
//! would break, and creating their departure plan.

use super::{
    forbid_viewers_of_own_plan, href, pager, render, save, subject_cell, Cell, Chrome, Filter, ListPage, RecordPage, Table, PAGE_SIZE,
};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use axum::Form;
use handover_analysis::whatif::whatif;
use handover_core::{Kind, PersonStatus, PlanMode, Record, UserRole};
use handover_report::escape_html;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<usize>,
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, Query(query): Query<ListQuery>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let scores: HashMap<&str, &handover_analysis::whatif::Ranked> = view.risk.people.iter().map(|r| (r.person.as_str(), r)).collect();
        let needle = query.q.trim().to_lowercase();
        let mut people: Vec<_> = view
            .inv()
            .people()
            .filter(|p| query.status.is_empty() || p.status.as_str() == query.status)
            .filter(|p| {
                needle.is_empty()
                    || p.name.to_lowercase().contains(&needle)
                    || p.key.contains(&needle)
                    || p.email.as_deref().is_some_and(|e| e.to_lowercase().contains(&needle))
            })
            .collect();
        // Most load-bearing first: that is who the reader came to find.
        people.sort_by_key(|p| (std::cmp::Reverse(scores.get(p.key.as_str()).map_or(0, |r| r.score)), p.name.clone()));
        let total = people.len();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = query.page.unwrap_or(1).clamp(1, pages);
        let rows = people
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|p| {
                let r = scores.get(p.key.as_str());
                vec![
                    Cell::link(&p.name, href(Kind::Person, &p.key)),
                    Cell::text(p.title.as_deref().unwrap_or("")),
                    Cell::text(p.department.as_deref().unwrap_or("")),
                    status_cell(p),
                    Cell::text(r.map_or(0, |r| r.score)),
                    Cell::text(r.map_or(0, |r| r.systems_without_admin + r.systems_without_knower)),
                    Cell::text(r.map_or(0, |r| r.accounts_to_revoke)),
                ]
            })
            .collect();
        let table = Table::new(
            &["name", "title", "department", "status", "departure impact", "systems left alone", "accounts to revoke"],
            rows,
            "No one matches.",
        );
        let statuses = std::iter::once(("".to_string(), "any".to_string()))
            .chain(["active", "leaving", "left"].map(|s| (s.to_string(), s.to_string())))
            .collect();
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "People", "/people", &view),
            heading: format!("People ({total})"),
            intro: "Ordered by what would break if they left alone.".into(),
            filters: vec![
                Filter { label: "Name or e-mail", name: "q", value: query.q.clone(), options: vec![] },
                Filter { label: "Status", name: "status", value: query.status.clone(), options: statuses },
            ],
            table: table.html(),
            pager: pager("/people", &[("q", &query.q), ("status", &query.status)], page, pages),
            after: String::new(),
        })
    })
    .await
}

fn status_cell(p: &handover_core::Person) -> Cell {
    match p.status {
        PersonStatus::Active => Cell::text("active"),
        PersonStatus::Leaving => Cell::text(format!("leaving {}", p.leaving_on.map(|d| d.to_string()).unwrap_or_default())).class("high"),
        PersonStatus::Left => Cell::text(format!("left {}", p.left_on.map(|d| d.to_string()).unwrap_or_default())).class("muted"),
    }
}

fn keys_cell(view: &crate::state::View, kind: Kind, keys: &[String]) -> Cell {
    let labels: Vec<String> = keys.iter().map(|k| view.inv().get(kind, k).map_or_else(|| k.clone(), Record::label)).collect();
    Cell::text(labels.join(", "))
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth, Path(key): Path<String>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let snap = view.snap();
        let inv = view.inv();
        let person = inv.person(&key).ok_or_else(|| WebError::not_found(format!("there is no person {key:?}")))?;
        let p = snap.person(&key).ok_or_else(|| WebError::not_found(format!("there is no person {key:?}")))?;
        let mut facts = vec![("Key".to_string(), person.key.clone(), None)];
        if let Some(e) = &person.email {
            facts.push(("E-mail".into(), e.clone(), None));
        }
        for (label, value) in [("Title", &person.title), ("Department", &person.department)] {
            if let Some(v) = value {
                facts.push((label.into(), v.clone(), None));
            }
        }
        facts.push(("Kind".into(), person.kind.to_string(), None));
        if let Some(m) = &person.manager {
            facts.push(("Manager".into(), inv.person(m).map_or_else(|| m.clone(), |p| p.name.clone()), Some(href(Kind::Person, m))));
        }

        let impact = whatif(snap, &[p]);
        let mut consequences = Vec::new();
        let mut add = |what: &str, kind: Kind, keys: &[String], tone: &'static str| {
            if !keys.is_empty() {
                consequences.push(vec![Cell::text(what).class(tone), keys_cell(&view, kind, keys)]);
            }
        };
        add("Systems left with no admin", Kind::System, &impact.systems_without_admin, "critical");
        add("Systems no one else knows", Kind::System, &impact.systems_without_knower, "critical");
        add("Roles left with no holder", Kind::Role, &impact.roles_without_holder, "high");
        add("Projects left with no lead", Kind::Project, &impact.projects_without_lead, "high");
        add("Vendors left with no contact", Kind::Vendor, &impact.vendors_without_contact, "medium");
        add("Secrets only they hold", Kind::Credential, &impact.secrets_only_they_hold, "critical");
        add("Secrets to rotate", Kind::Credential, &impact.secrets_to_rotate, "medium");
        add("Repositories with no author left", Kind::Repository, &impact.repos_without_author, "high");
        add("Escrows to rekey", Kind::Escrow, &impact.escrows_to_rekey, "medium");
        if !impact.access_to_revoke.is_empty() {
            let text: Vec<String> = impact
                .access_to_revoke
                .iter()
                .map(|(sys, (n, admin))| {
                    let name = inv.system(sys).map_or(sys.as_str(), |s| s.name.as_str());
                    if *admin > 0 {
                        format!("{name}: {n} ({admin} admin)")
                    } else {
                        format!("{name}: {n}")
                    }
                })
                .collect();
            consequences.push(vec![Cell::text("Accounts to revoke"), Cell::text(text.join("; "))]);
        }
        let impact_table = Table::new(&["if they left", "what"], consequences, "Nothing would be left without someone.").html();

        let accounts = snap.person_accounts[p as usize]
            .iter()
            .map(|&a| {
                let acc = &snap.accounts[a as usize];
                let level = acc.effective.map(|l| l.to_string()).unwrap_or_else(|| "none".into());
                vec![
                    Cell::link(&acc.record.name, href(Kind::Account, acc.key)),
                    Cell::link(snap.systems[acc.system as usize].name.clone(), href(Kind::System, snap.system_key(acc.system))),
                    Cell::text(acc.record.status.as_str()).class(if acc.is_active() { "neutral" } else { "muted" }),
                    Cell::text(&level).class(if acc.is_admin() { "high" } else { "neutral" }),
                    Cell::text(acc.record.mfa.map_or("unknown", |m| if m { "yes" } else { "no" })),
                    Cell::text(acc.record.last_used.map(|d| d.to_string()).unwrap_or_default()),
                ]
            })
            .collect();
        let accounts = Table::new(&["account", "system", "status", "access", "MFA", "last used"], accounts, "No accounts.").html();

        let holds = snap.person_refs[p as usize]
            .iter()
            .map(|(kind, k, field)| vec![subject_cell(&view, &format!("{kind}:{k}")), Cell::text(kind.as_str()), Cell::text(field)])
            .collect();
        let holds = Table::new(&["record", "kind", "as"], holds, "Nothing names them.").html();

        let mut sections = vec![
            ("impact".into(), format!("If {} left tomorrow", person.name), "Computed from the inventory as of today.".into(), impact_table),
            ("accounts".into(), "Accounts".into(), String::new(), accounts),
            ("holds".into(), "Owns, holds and leads".into(), "Every record that names them.".into(), holds),
        ];
        let is_self = auth.is_person(person);
        if !is_self {
            let plans: Vec<Vec<Cell>> = inv
                .plans()
                .filter(|pl| pl.person == key)
                .map(|pl| vec![Cell::link(&pl.key, href(Kind::Plan, &pl.key)), Cell::text(pl.mode), Cell::text(pl.leaving_at)])
                .collect();
            let mut html = Table::new(&["plan", "mode", "leaving at"], plans, "No departure plan yet.").html();
            if auth.role.allows(UserRole::Editor) && person.status != PersonStatus::Left {
                html.push_str(&plan_form(&auth, &key, person.leaving_on));
            }
            sections.push(("plans".into(), "Departure plan".into(), String::new(), html));
        }
        let (badge, tone) = match person.status {
            PersonStatus::Active => ("active".to_string(), "neutral"),
            PersonStatus::Leaving => (format!("leaving {}", person.leaving_on.map(|d| d.to_string()).unwrap_or_default()), "high"),
            PersonStatus::Left => ("left".to_string(), "muted"),
        };
        render(&RecordPage {
            chrome: Chrome::for_view(&auth, &person.name, "/people", &view),
            back_href: "/people".into(),
            back_label: "People".into(),
            heading: person.name.clone(),
            badge,
            badge_tone: tone.into(),
            facts,
            sections,
        })
    })
    .await
}

fn plan_form(auth: &Auth, key: &str, leaving_on: Option<jiff::civil::Date>) -> String {
    let at = leaving_on.map(|d| format!("{d}T17:00")).unwrap_or_default();
    format!(
        r#"<form class="create-plan" method="post" action="/people/{k}/plan">
<input type="hidden" name="csrf" value="{csrf}">
<fieldset><legend>Create a departure plan</legend>
<label for="mode">Mode</label>
<select id="mode" name="mode"><option value="friendly">friendly: knowledge first, weeks ahead</option><option value="hostile">hostile: every revocation in one window</option></select>
<label for="leaving_at">Leaving at (local time)</label>
<input id="leaving_at" name="leaving_at" type="datetime-local" required value="{at}">
<label for="window">Lock-out window (hostile)</label>
<input id="window" name="window" value="15m">
<label for="owner">Plan owner (person key, optional)</label>
<input id="owner" name="owner">
<button type="submit">Create plan</button>
</fieldset></form>"#,
        k = escape_html(&super::path_escape(key)),
        csrf = escape_html(&auth.csrf()),
    )
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    csrf: String,
    mode: String,
    leaving_at: String,
    #[serde(default)]
    window: String,
    #[serde(default)]
    owner: String,
}

pub async fn create_plan(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(key): Path<String>,
    Form(form): Form<PlanForm>,
) -> WebResult<Redirect> {
    auth.check_csrf(Some(&form.csrf))?;
    auth.require(UserRole::Editor)?;
    let plan_key =
        blocking(&state, move |s| create_plan_blocking(s, &auth, &key, &form.mode, &form.leaving_at, &form.window, &form.owner)).await?;
    Ok(Redirect::to(&href(Kind::Plan, &plan_key)))
}

fn plan_spec(key: &str, form: &PlanForm, today: jiff::civil::Date) -> WebResult<handover_plan::PlanSpec> {
    let mode = match form.mode.as_str() {
        "hostile" => PlanMode::Hostile,
        "friendly" => PlanMode::Friendly,
        other => return Err(WebError::invalid(format!("mode must be friendly or hostile, not {other:?}"))),
    };
    let leaving_at: jiff::civil::DateTime = form
        .leaving_at
        .trim()
        .parse()
        .map_err(|e| WebError::invalid(format!("leaving at {:?} is not a date and time (YYYY-MM-DDTHH:MM): {e}", form.leaving_at)))?;
    let window_text = if form.window.trim().is_empty() { "15m" } else { form.window.trim() };
    let window: handover_core::Interval = window_text.parse().map_err(|e| WebError::invalid(format!("window {window_text:?}: {e}")))?;
    let owner = Some(form.owner.trim().to_string()).filter(|o| !o.is_empty());
    Ok(handover_plan::PlanSpec { person: key.to_string(), mode, leaving_at, window, owner, today })
}

/// Used by the API as well: the same checks and the same plan.
pub fn create_plan_blocking(
    s: &AppState,
    auth: &Auth,
    key: &str,
    mode: &str,
    leaving_at: &str,
    window: &str,
    owner: &str,
) -> WebResult<String> {
    let view = s.view()?;
    forbid_viewers_of_own_plan(auth, &view, key)?;
    let form =
        PlanForm { csrf: String::new(), mode: mode.into(), leaving_at: leaving_at.into(), window: window.into(), owner: owner.into() };
    let spec = plan_spec(key, &form, s.today())?;
    let plan = handover_plan::create(view.snap(), &spec).map_err(|e| WebError::new(e.code, e.message))?;
    let plan_key = plan.key.clone();
    save(s, auth, &view, Record::from(plan))?;
    Ok(plan_key)
}
