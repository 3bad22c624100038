//! Shadow-IT intake: systems bought or built around IT, what each still lacks (the
//! library's gaps), and for editors the steps of `handover intake`: add, record the
//! missing facts, waive maintenance (the signed-in person takes the risk), accept.

use super::{href, path_escape, person_cell, render, save, Cell, Chrome, ListPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState, View};
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use handover_core::{IntakeStatus, Kind, PatchCadence, Record, System, UserRole};
use handover_governance::intake;
use handover_report::escape_html;
use serde::Deserialize;
use std::sync::Arc;

/// The person the signed-in user is: who accepts a risk or a system must sign it themselves.
pub fn linked_person(auth: &Auth) -> WebResult<String> {
    auth.user.person.clone().ok_or_else(|| {
        WebError::forbidden("your user is not linked to a person, so it cannot accept anything in a person's name; ask an admin to link it")
    })
}

fn system_in_intake(view: &View, key: &str) -> WebResult<System> {
    match view.inv().system(key) {
        Some(s) if s.intake.is_some() => Ok(s.clone()),
        Some(_) => Err(WebError::invalid(format!("{key} did not come through intake"))),
        None => Err(WebError::not_found(format!("there is no system {key:?}"))),
    }
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let rows_data = intake::list(view.inv(), true);
        let rows = rows_data
            .iter()
            .map(|r| {
                let pending = r.status == IntakeStatus::Pending;
                vec![
                    Cell::link(&r.name, href(Kind::System, &r.system)),
                    Cell::text(r.tier),
                    Cell::text(r.status).class(if pending { "high" } else { "neutral" }),
                    Cell::text(r.requested_on),
                    person_cell(&view, &r.requested_by),
                    match (pending, r.missing.is_empty()) {
                        (false, _) => Cell::text("—"),
                        (true, true) => Cell::text("nothing: ready to accept"),
                        (true, false) => Cell::text(r.missing.join("; ")).class("high"),
                    },
                ]
            })
            .collect();
        let mut after = String::new();
        if auth.role.allows(UserRole::Editor) {
            let csrf = escape_html(&auth.csrf());
            for r in rows_data.iter().filter(|r| r.status == IntakeStatus::Pending) {
                let system = view.inv().system(&r.system).ok_or_else(|| WebError::not_found(r.system.clone()))?;
                after.push_str(&forms(system, &r.missing, &csrf));
            }
            after.push_str(&format!(
                r#"<section aria-labelledby="h-add"><h2 id="h-add">Add a system to intake</h2>
<form method="post" action="/intake" class="intake-add">
<input type="hidden" name="csrf" value="{csrf}">
<label for="add-key">Key</label><input id="add-key" name="key" required pattern="[a-z0-9][a-z0-9-]*">
<label for="add-name">Name</label><input id="add-name" name="name" required>
<label for="add-tier">Tier (1 business-critical … 4 low)</label><input id="add-tier" name="tier" type="number" min="1" max="4" value="3" required>
<label for="add-by">Requested by (person key)</label><input id="add-by" name="requested_by" value="{me}" required>
<button type="submit">Add to intake</button></form></section>"#,
                me = escape_html(auth.user.person.as_deref().unwrap_or("")),
            ));
        }
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Intake", "/intake", &view),
            heading: "Shadow-IT intake".into(),
            intro: "A system bought or built around IT stays pending — and in the findings as HO-INTAKE-001 — until it has a business owner, a technical owner, a vendor with a named contact, a maintenance agreement (or a recorded decision to go without), a patching owner and cadence, and documentation.".into(),
            filters: vec![],
            table: Table::new(&["system", "tier", "status", "requested on", "requested by", "still lacks"], rows, "No system has come through intake.").html(),
            pager: String::new(),
            after,
        })
    })
    .await
}

/// The editor's forms for one pending system: its facts, the waiver, acceptance.
fn forms(s: &System, missing: &[&str], csrf: &str) -> String {
    let key = escape_html(&path_escape(&s.key));
    let id = escape_html(&s.key);
    let v = |o: &Option<String>| escape_html(o.as_deref().unwrap_or(""));
    let patching = s.patching.as_ref();
    let cadences: String = PatchCadence::ALL
        .iter()
        .map(|c| {
            let selected = if patching.is_some_and(|p| p.cadence == *c) { " selected" } else { "" };
            format!("<option value=\"{c}\"{selected}>{c}</option>")
        })
        .collect();
    let mut out = format!(
        r#"<section aria-labelledby="h-{id}"><h2 id="h-{id}">{name}</h2>
<form method="post" action="/intake/{key}/facts" class="intake-facts">
<input type="hidden" name="csrf" value="{csrf}">
<p class="hint">Person, vendor and contract keys; an empty field leaves the value as it is.</p>
<label for="owner-{id}">Business owner</label><input id="owner-{id}" name="owner" value="{owner}">
<label for="tech-{id}">Technical owners (comma-separated)</label><input id="tech-{id}" name="technical_owners" value="{tech}">
<label for="vendor-{id}">Vendor</label><input id="vendor-{id}" name="vendor" value="{vendor}">
<label for="contract-{id}">Maintenance contract</label><input id="contract-{id}" name="maintenance_contract" value="{contract}">
<label for="patch-owner-{id}">Patching owner</label><input id="patch-owner-{id}" name="patching_owner" value="{patch_owner}">
<label for="cadence-{id}">Patching cadence</label><select id="cadence-{id}" name="patching_cadence"><option value="">(unchanged)</option>{cadences}</select>
<label for="doc-title-{id}">Add documentation: title</label><input id="doc-title-{id}" name="doc_title">
<label for="doc-url-{id}">and its address</label><input id="doc-url-{id}" name="doc_url" type="url">
<button type="submit">Record</button></form>"#,
        name = escape_html(&s.name),
        owner = v(&s.owner),
        tech = escape_html(&s.technical_owners.join(", ")),
        vendor = v(&s.vendor),
        contract = v(&s.maintenance_contract),
        patch_owner = v(&patching.and_then(|p| p.owner.clone())),
    );
    let waived = s.intake.as_ref().is_some_and(|i| i.no_maintenance.is_some());
    if s.maintenance_contract.is_none() && !waived {
        out.push_str(&format!(
            r#"<form method="post" action="/intake/{key}/waive-maintenance" class="intake-waive">
<input type="hidden" name="csrf" value="{csrf}">
<label for="reason-{id}">Run without a maintenance agreement — you accept the risk, because</label><input id="reason-{id}" name="reason" required>
<button type="submit" class="secondary">Record the waiver</button></form>"#
        ));
    }
    if missing.is_empty() {
        out.push_str(&format!(
            r#"<form method="post" action="/intake/{key}/accept" class="intake-accept"><input type="hidden" name="csrf" value="{csrf}"><button type="submit">Accept into IT's care</button></form>"#
        ));
    }
    out.push_str("</section>");
    out
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    key: String,
    name: String,
    tier: String,
    requested_by: String,
}

pub async fn add(State(state): State<Arc<AppState>>, auth: Auth, Form(f): Form<AddForm>) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    blocking(&state, move |s| {
        auth.require(UserRole::Editor)?;
        let view = s.view()?;
        let key = f.key.trim();
        if view.inv().person(f.requested_by.trim()).is_none() {
            return Err(WebError::not_found(format!("there is no person {:?}", f.requested_by.trim())));
        }
        if view.inv().system(key).is_some() {
            return Err(WebError::new(handover_core::ErrorCode::DuplicateKey, format!("system {key:?} already exists")));
        }
        let tier: u8 = f.tier.trim().parse().map_err(|_| WebError::invalid(format!("tier must be 1 to 4, not {:?}", f.tier)))?;
        let body = serde_json::json!({
            "key": key, "name": f.name.trim(), "tier": tier,
            "intake": intake::request(f.requested_by.trim(), view.today),
        });
        let record = Record::from_json(Kind::System, body).map_err(|e| WebError::invalid(format!("system: {e}")))?;
        save(s, &auth, &view, record)
    })
    .await?;
    Ok(Redirect::to("/intake"))
}

#[derive(Deserialize)]
pub struct FactsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    technical_owners: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    maintenance_contract: String,
    #[serde(default)]
    patching_owner: String,
    #[serde(default)]
    patching_cadence: String,
    #[serde(default)]
    doc_title: String,
    #[serde(default)]
    doc_url: String,
}

pub async fn facts(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(key): Path<String>,
    Form(f): Form<FactsForm>,
) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    blocking(&state, move |s| {
        auth.require(UserRole::Editor)?;
        let view = s.view()?;
        let mut sys = system_in_intake(&view, &key)?;
        let set = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
        sys.owner = set(&f.owner).or(sys.owner);
        let tech: Vec<String> = f.technical_owners.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
        if !tech.is_empty() {
            sys.technical_owners = tech;
        }
        sys.vendor = set(&f.vendor).or(sys.vendor);
        sys.maintenance_contract = set(&f.maintenance_contract).or(sys.maintenance_contract);
        let cadence = match f.patching_cadence.trim() {
            "" => None,
            c => Some(
                PatchCadence::ALL
                    .iter()
                    .copied()
                    .find(|x| x.as_str() == c)
                    .ok_or_else(|| WebError::invalid(format!("no patching cadence {c:?}")))?,
            ),
        };
        if set(&f.patching_owner).is_some() || cadence.is_some() {
            let mut p = sys.patching.take().unwrap_or(handover_core::Patching { owner: None, cadence: PatchCadence::default() });
            p.owner = set(&f.patching_owner).or(p.owner);
            p.cadence = cadence.unwrap_or(p.cadence);
            sys.patching = Some(p);
        }
        match (set(&f.doc_title), set(&f.doc_url)) {
            (Some(title), Some(url)) => sys.docs.push(handover_core::DocLink { title, url, last_reviewed: Some(view.today), author: None }),
            (None, None) => {}
            _ => return Err(WebError::new(handover_core::ErrorCode::MissingField, "documentation needs both a title and an address")),
        }
        save(s, &auth, &view, Record::from(sys))
    })
    .await?;
    Ok(Redirect::to("/intake"))
}

/// Records the decision to run without maintenance, in the signed-in person's name (also used by the API).
pub fn waive_blocking(s: &AppState, auth: &Auth, key: &str, reason: &str) -> WebResult<System> {
    auth.require(UserRole::Editor)?;
    let by = linked_person(auth)?;
    let view = s.view()?;
    let mut sys = system_in_intake(&view, key)?;
    intake::waive_maintenance(&mut sys, &by, reason, view.today)?;
    save(s, auth, &view, Record::from(sys.clone()))?;
    Ok(sys)
}

/// Accepts the system in the signed-in person's name; refused while anything is missing (also used by the API).
pub fn accept_blocking(s: &AppState, auth: &Auth, key: &str) -> WebResult<System> {
    auth.require(UserRole::Editor)?;
    let by = linked_person(auth)?;
    let view = s.view()?;
    let mut sys = system_in_intake(&view, key)?;
    intake::accept(view.inv(), &mut sys, &by, view.today)?;
    save(s, auth, &view, Record::from(sys.clone()))?;
    Ok(sys)
}

#[derive(Deserialize)]
pub struct WaiveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn waive(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(key): Path<String>,
    Form(f): Form<WaiveForm>,
) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    blocking(&state, move |s| waive_blocking(s, &auth, &key, &f.reason).map(|_| ())).await?;
    Ok(Redirect::to("/intake"))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn accept(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(key): Path<String>,
    Form(f): Form<CsrfForm>,
) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    blocking(&state, move |s| accept_blocking(s, &auth, &key).map(|_| ())).await?;
    Ok(Redirect::to("/intake"))
}
