//! The REST API under `/api/v1`: JSON for every record kind, findings, risk, what-if,
//! plans and their tasks, the event log. Authenticated by `Authorization: Bearer` API
//! token (or the browser session, which then needs the `X-CSRF-Token` header on writes).
//! Errors are `{"code", "message"}` with the status of docs/errors.md.
//!
//! The OpenAPI document is built from [`ENDPOINTS`], the same table a test walks to check
//! every documented operation answers — the description cannot drift from the routes.

use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::pages::{findings::accept_blocking, forbid_viewers_of_own_plan, people::create_plan_blocking, plans::close_task_blocking};
use crate::state::{blocking, AppState};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use handover_analysis::whatif::whatif;
use handover_core::{Kind, Record, TaskStatus, UserRole};
use handover_store::EventFilter;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(openapi()) }))
        .route("/me", get(me))
        .route("/findings", get(findings))
        .route("/findings/accept", post(accept))
        .route("/risk", get(risk))
        .route("/whatif", get(what_if))
        .route("/plans", post(create_plan))
        .route("/plans/{key}/tasks/{task}", post(close_task))
        .route("/imports/{source}", post(import).layer(axum::extract::DefaultBodyLimit::max(crate::pages::imports::MAX_UPLOAD_BYTES)))
        .route("/reviews/{key}/items/{item}", post(decide_item))
        .route("/due", get(due))
        .route("/succession", get(succession))
        .route("/intake", get(intake_list))
        .route("/intake/{key}/waive-maintenance", post(intake_waive))
        .route("/intake/{key}/accept", post(intake_accept))
        .route("/drills/{scenario}", get(drill))
        .route("/drills/{scenario}/record", post(drill_record))
        .route("/incidents", get(incidents).post(incident_open))
        .route("/incidents/{key}", get(incident))
        .route("/incidents/{key}/entries", post(incident_log))
        .route("/incidents/{key}/close", post(incident_close))
        .route("/log", get(log))
        .route("/log/verify", get(log_verify))
        .route("/records/{kind}", get(list).post(create))
        .route("/records/{kind}/{*key}", get(fetch).put(replace).delete(remove))
        .layer(axum::middleware::map_request(mark_api))
}

/// A JSON body whose rejection (bad JSON, a missing field) answers like every other API
/// error: `{"code": "invalid_syntax" | "invalid_field", "message": …}`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rejection) => {
                let code = match rejection {
                    axum::extract::rejection::JsonRejection::JsonSyntaxError(_) => handover_core::ErrorCode::InvalidSyntax,
                    _ => handover_core::ErrorCode::InvalidField,
                };
                Err(WebError::new(code, rejection.body_text()).api())
            }
        }
    }
}

/// Query parameters, rejected as JSON errors too.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| Params(v)).map_err(|r| WebError::invalid(r.body_text()).api())
    }
}

/// Marks a request as an API call, so errors (even from extractors) answer JSON.
#[derive(Clone, Copy)]
pub struct ApiRequest;

async fn mark_api(mut req: axum::extract::Request) -> axum::extract::Request {
    req.extensions_mut().insert(ApiRequest);
    req
}

/// Writes need the editor role and, from a browser session, the CSRF header.
fn writer(auth: &Auth, headers: &HeaderMap, role: UserRole) -> WebResult<()> {
    auth.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).map_err(WebError::api)?;
    auth.require(role).map_err(WebError::api)
}

fn kind_of(kind: &str) -> WebResult<Kind> {
    kind.parse().map_err(|e: String| WebError::not_found(format!("{e}; kinds: {}", Kind::ALL.map(|k| k.plural()).join(", "))).api())
}

async fn me(auth: Auth) -> Json<Value> {
    Json(json!({ "email": auth.user.email, "role": auth.role, "person": auth.user.person }))
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default = "default_limit")]
    limit: usize,
    #[serde(default)]
    offset: usize,
}

fn default_limit() -> usize {
    100
}

async fn list(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(kind): Path<String>,
    Params(q): Params<ListQuery>,
) -> WebResult<Json<Value>> {
    let kind = kind_of(&kind)?;
    let out = blocking(&state, move |s| {
        let view = s.view()?;
        let needle = q.q.to_lowercase();
        let matching: Vec<&Record> = view
            .inv()
            .of(kind)
            .filter(|r| needle.is_empty() || r.key().to_lowercase().contains(&needle) || r.label().to_lowercase().contains(&needle))
            .filter(|r| !matches!(r, Record::Plan(p) if view.inv().person(&p.person).is_some_and(|person| auth.is_person(person))))
            .collect();
        let limit = q.limit.clamp(1, 1000);
        let items: Vec<Value> = matching.iter().skip(q.offset).take(limit).map(|r| r.to_json()).collect();
        Ok(json!({ "items": items, "total": matching.len(), "limit": limit, "offset": q.offset }))
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

async fn fetch(State(state): State<Arc<AppState>>, auth: Auth, Path((kind, key)): Path<(String, String)>) -> WebResult<Json<Value>> {
    let kind = kind_of(&kind)?;
    let out = blocking(&state, move |s| {
        let view = s.view()?;
        let record = view.inv().get(kind, &key).ok_or_else(|| WebError::not_found(format!("there is no {kind} {key:?}")))?;
        if let Record::Plan(p) = record {
            forbid_viewers_of_own_plan(&auth, &view, &p.person)?;
        }
        Ok(record.to_json())
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

/// Writes one record change (create, replace or delete) through validation, as the user.
fn write(s: &AppState, auth: &Auth, kind: Kind, key: &str, body: Option<Value>, must_exist: bool) -> WebResult<Option<Value>> {
    let view = s.view()?;
    let current = view.inv().get(kind, key);
    match (current, must_exist) {
        (None, true) => return Err(WebError::not_found(format!("there is no {kind} {key:?}"))),
        (Some(_), false) => {
            return Err(WebError::new(handover_core::ErrorCode::DuplicateKey, format!("{kind} {key:?} already exists; PUT replaces it")))
        }
        _ => {}
    }
    if let Some(Record::Plan(p)) = current {
        forbid_viewers_of_own_plan(auth, &view, &p.person)?;
    }
    let mut target = view.inv().clone();
    let record = match body {
        Some(body) => {
            let record =
                Record::from_json(kind, body).map_err(|e| WebError::new(handover_core::ErrorCode::InvalidField, format!("{kind}: {e}")))?;
            if record.key() != key {
                return Err(WebError::new(
                    handover_core::ErrorCode::InvalidKey,
                    format!("the body's key {:?} is not {key:?}", record.key()),
                ));
            }
            if let Record::Plan(p) = &record {
                forbid_viewers_of_own_plan(auth, &view, &p.person)?;
            }
            target.insert(record.clone());
            Some(record)
        }
        None => {
            target.remove(kind, key);
            None
        }
    };
    if let Some(p) = target.validate().into_iter().next() {
        return Err(p.into());
    }
    let changes = view.inv().diff(&target, &[kind]);
    s.with_store(|st| Ok(st.apply(&changes, &auth.actor()).map(|_| ())?))?;
    Ok(record.map(|r| r.to_json()))
}

async fn create(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path(kind): Path<String>,
    Body(body): Body<Value>,
) -> WebResult<Response> {
    writer(&auth, &headers, UserRole::Editor)?;
    let kind = kind_of(&kind)?;
    let key = Record::from_json(kind, body.clone()).map_err(|e| WebError::invalid(format!("{kind}: {e}")).api())?.key();
    let out = blocking(&state, move |s| write(s, &auth, kind, &key, Some(body), false)).await.map_err(WebError::api)?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn replace(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path((kind, key)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let kind = kind_of(&kind)?;
    let out = blocking(&state, move |s| write(s, &auth, kind, &key, Some(body), true)).await.map_err(WebError::api)?;
    Ok(Json(out.unwrap_or(Value::Null)))
}

async fn remove(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path((kind, key)): Path<(String, String)>,
) -> WebResult<StatusCode> {
    writer(&auth, &headers, UserRole::Editor)?;
    let kind = kind_of(&kind)?;
    blocking(&state, move |s| write(s, &auth, kind, &key, None, true)).await.map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct FindingQuery {
    severity: Option<String>,
    rule: Option<String>,
    subject: Option<String>,
}

async fn findings(State(state): State<Arc<AppState>>, _auth: Auth, Params(q): Params<FindingQuery>) -> WebResult<Json<Value>> {
    let out = blocking(&state, move |s| {
        let view = s.view()?;
        let items: Vec<&handover_analysis::Finding> = view
            .findings
            .iter()
            .filter(|f| q.severity.as_deref().is_none_or(|v| f.severity.to_string() == v))
            .filter(|f| q.rule.as_deref().is_none_or(|v| f.rule == v))
            .filter(|f| q.subject.as_deref().is_none_or(|v| f.subject == v))
            .collect();
        Ok(serde_json::to_value(items).unwrap_or_default())
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct AcceptBody {
    rule: String,
    subject: String,
    reason: String,
    expires: String,
}

async fn accept(State(state): State<Arc<AppState>>, auth: Auth, headers: HeaderMap, Body(b): Body<AcceptBody>) -> WebResult<Response> {
    writer(&auth, &headers, UserRole::Reviewer)?;
    let key =
        blocking(&state, move |s| accept_blocking(s, &auth, &b.rule, &b.subject, &b.reason, &b.expires)).await.map_err(WebError::api)?;
    Ok((StatusCode::CREATED, Json(json!({ "acceptance": key }))).into_response())
}

async fn risk(State(state): State<Arc<AppState>>, _auth: Auth) -> WebResult<Json<Value>> {
    let out = blocking(&state, |s| Ok(serde_json::to_value(&s.view()?.risk).unwrap_or_default())).await;
    out.map(Json).map_err(WebError::api)
}

/// `?person=a&person=b`: the repeated parameter is read from the raw query.
async fn what_if(State(state): State<Arc<AppState>>, _auth: Auth, RawQuery(query): RawQuery) -> WebResult<Json<Value>> {
    let people: Vec<String> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.strip_prefix("person="))
        .map(|v| v.replace("%40", "@").replace('+', " "))
        .collect();
    if people.is_empty() {
        return Err(WebError::new(handover_core::ErrorCode::MissingField, "name at least one ?person=KEY").api());
    }
    let out = blocking(&state, move |s| {
        let view = s.view()?;
        let snap = view.snap();
        let ix = people
            .iter()
            .map(|p| snap.person(p).ok_or_else(|| WebError::not_found(format!("there is no person {p:?}"))))
            .collect::<WebResult<Vec<_>>>()?;
        Ok(serde_json::to_value(whatif(snap, &ix)).unwrap_or_default())
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct PlanBody {
    person: String,
    #[serde(default = "friendly")]
    mode: String,
    leaving_at: String,
    #[serde(default)]
    window: String,
    #[serde(default)]
    owner: String,
}

fn friendly() -> String {
    "friendly".into()
}

async fn create_plan(State(state): State<Arc<AppState>>, auth: Auth, headers: HeaderMap, Body(b): Body<PlanBody>) -> WebResult<Response> {
    writer(&auth, &headers, UserRole::Editor)?;
    let out = blocking(&state, move |s| {
        let key = create_plan_blocking(s, &auth, &b.person, &b.mode, &b.leaving_at, &b.window, &b.owner)?;
        let view = s.view()?;
        Ok(view.inv().get(Kind::Plan, &key).map(Record::to_json).unwrap_or(Value::Null))
    })
    .await
    .map_err(WebError::api)?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[derive(Deserialize)]
pub struct TaskBody {
    status: String,
    evidence: String,
}

async fn close_task(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path((key, task)): Path<(String, String)>,
    Body(b): Body<TaskBody>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let status = match b.status.as_str() {
        "done" => TaskStatus::Done,
        "skipped" => TaskStatus::Skipped,
        other => return Err(WebError::invalid(format!("status must be done or skipped, not {other:?}")).api()),
    };
    let out = blocking(&state, move |s| close_task_blocking(s, &auth, &key, &task, status, &b.evidence)).await.map_err(WebError::api)?;
    Ok(Json(Record::from(out).to_json()))
}

#[derive(Deserialize)]
pub struct ImportQuery {
    system: String,
    #[serde(default)]
    dry_run: bool,
}

/// The request body is the file itself (one file; the command line takes several).
async fn import(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path(source): Path<String>,
    Params(q): Params<ImportQuery>,
    body: axum::body::Bytes,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let source = handover_import::files::FileSource::parse(&source).ok_or_else(|| {
        let names: Vec<&str> = handover_import::files::FileSource::ALL.iter().map(|s| s.as_str()).collect();
        WebError::not_found(format!("there is no source {source:?}; sources: {}", names.join(", "))).api()
    })?;
    let out = blocking(&state, move |s| {
        let files = [(format!("upload.{}", source.as_str()), body.to_vec())];
        if q.dry_run {
            let (summary, changes) = crate::pages::imports::dry_run(s, source, &q.system, &files)?;
            Ok(json!({ "dry_run": true, "summary": summary, "changes": changes }))
        } else {
            let summary = crate::pages::imports::apply(s, &auth, source, &q.system, &files)?;
            Ok(json!({ "dry_run": false, "summary": summary }))
        }
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct DecideBody {
    decision: String,
    reason: String,
}

async fn decide_item(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path((key, item)): Path<(String, String)>,
    Body(b): Body<DecideBody>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Reviewer)?;
    let out = blocking(&state, move |s| crate::pages::reviews::decide_blocking(s, &auth, &key, &item, &b.decision, &b.reason)).await;
    out.map(|r| Json(Record::from(r).to_json())).map_err(WebError::api)
}

async fn due(State(state): State<Arc<AppState>>, _auth: Auth, Params(q): Params<crate::pages::due::DueQuery>) -> WebResult<Json<Value>> {
    let out = blocking(&state, move |s| {
        let view = s.view()?;
        Ok(serde_json::to_value(crate::pages::due::items(s, &view, q.days())).unwrap_or_default())
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

async fn succession(State(state): State<Arc<AppState>>, _auth: Auth) -> WebResult<Json<Value>> {
    let out = blocking(&state, |s| {
        let view = s.view()?;
        Ok(serde_json::to_value(crate::pages::due::gaps(&view)).unwrap_or_default())
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct IntakeQuery {
    #[serde(default)]
    all: bool,
}

async fn intake_list(State(state): State<Arc<AppState>>, _auth: Auth, Params(q): Params<IntakeQuery>) -> WebResult<Json<Value>> {
    let out =
        blocking(&state, move |s| Ok(serde_json::to_value(handover_governance::intake::list(s.view()?.inv(), q.all)).unwrap_or_default()))
            .await;
    out.map(Json).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct WaiverBody {
    reason: String,
}

async fn intake_waive(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path(key): Path<String>,
    Body(b): Body<WaiverBody>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let out = blocking(&state, move |s| crate::pages::intake::waive_blocking(s, &auth, &key, &b.reason)).await;
    out.map(|r| Json(Record::from(r).to_json())).map_err(WebError::api)
}

async fn intake_accept(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let out = blocking(&state, move |s| crate::pages::intake::accept_blocking(s, &auth, &key)).await;
    out.map(|r| Json(Record::from(r).to_json())).map_err(WebError::api)
}

async fn drill(State(state): State<Arc<AppState>>, _auth: Auth, Path(scenario): Path<String>) -> WebResult<Json<Value>> {
    let out = blocking(&state, move |s| {
        let scenario = crate::pages::drills::scenario_of(&scenario)?;
        let view = s.view()?;
        Ok(serde_json::to_value(crate::pages::drills::generate(&view, scenario)).unwrap_or_default())
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct DrillRecordBody {
    plan: String,
    #[serde(default)]
    by: String,
    participants: Vec<String>,
    #[serde(default)]
    findings: Vec<String>,
    #[serde(default)]
    follow_ups: Vec<String>,
}

async fn drill_record(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path(scenario): Path<String>,
    Body(b): Body<DrillRecordBody>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let out = blocking(&state, move |s| {
        let scenario = crate::pages::drills::scenario_of(&scenario)?;
        let held = crate::pages::drills::Held {
            plan: b.plan,
            by: b.by,
            participants: b.participants,
            findings: b.findings,
            follow_ups: b.follow_ups,
        };
        crate::pages::drills::record_blocking(s, &auth, scenario, held)
    })
    .await;
    out.map(|p| Json(Record::from(p).to_json())).map_err(WebError::api)
}

async fn incidents(State(state): State<Arc<AppState>>, _auth: Auth) -> WebResult<Json<Value>> {
    let out =
        blocking(&state, |s| Ok(serde_json::to_value(handover_governance::incident::sorted(s.view()?.inv())).unwrap_or_default())).await;
    out.map(Json).map_err(WebError::api)
}

async fn incident(State(state): State<Arc<AppState>>, _auth: Auth, Path(key): Path<String>) -> WebResult<Json<Value>> {
    let out = blocking(&state, move |s| {
        let view = s.view()?;
        view.inv()
            .get(Kind::Incident, &key)
            .map(Record::to_json)
            .ok_or_else(|| WebError::not_found(format!("there is no incident {key:?}")))
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

async fn incident_open(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Body(b): Body<crate::pages::incidents::OpenRequest>,
) -> WebResult<Response> {
    writer(&auth, &headers, UserRole::Editor)?;
    let i = blocking(&state, move |s| crate::pages::incidents::open_blocking(s, &auth, b)).await.map_err(WebError::api)?;
    Ok((StatusCode::CREATED, Json(Record::from(i).to_json())).into_response())
}

async fn incident_log(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path(key): Path<String>,
    Body(b): Body<crate::pages::incidents::Entry>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let out = blocking(&state, move |s| crate::pages::incidents::log_blocking(s, &auth, &key, b, false)).await;
    out.map(|i| Json(Record::from(i).to_json())).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct CloseBody {
    summary: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    at: String,
}

async fn incident_close(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    headers: HeaderMap,
    Path(key): Path<String>,
    Body(b): Body<CloseBody>,
) -> WebResult<Json<Value>> {
    writer(&auth, &headers, UserRole::Editor)?;
    let entry = crate::pages::incidents::Entry { by: b.by, kind: String::new(), text: b.summary, at: b.at };
    let out = blocking(&state, move |s| crate::pages::incidents::log_blocking(s, &auth, &key, entry, true)).await;
    out.map(|i| Json(Record::from(i).to_json())).map_err(WebError::api)
}

#[derive(Deserialize)]
pub struct LogQuery {
    kind: Option<String>,
    key: Option<String>,
    #[serde(default = "default_limit")]
    limit: usize,
}

async fn log(State(state): State<Arc<AppState>>, _auth: Auth, Params(q): Params<LogQuery>) -> WebResult<Json<Value>> {
    let out = blocking(&state, move |s| {
        let filter = EventFilter {
            kind: q.kind.as_deref().and_then(handover_store::event_kind),
            key: q.key.clone(),
            limit: Some(q.limit.clamp(1, 10_000)),
        };
        let events = s.with_store(|st| Ok(st.events(&filter)?))?;
        Ok(Value::Array(
            events
                .iter()
                .map(|e| {
                    json!({
                        "seq": e.seq, "at": e.draft.at, "actor": e.draft.actor, "action": e.draft.action,
                        "kind": e.draft.kind, "key": e.draft.key, "hash": e.hash,
                    })
                })
                .collect(),
        ))
    })
    .await;
    out.map(Json).map_err(WebError::api)
}

async fn log_verify(State(state): State<Arc<AppState>>, _auth: Auth) -> WebResult<Json<Value>> {
    let out = blocking(&state, |s| Ok(serde_json::to_value(s.verification()?.0).unwrap_or_default())).await;
    out.map(Json).map_err(WebError::api)
}

/// One documented operation.
pub struct Endpoint {
    pub method: &'static str,
    /// OpenAPI path template.
    pub path: &'static str,
    pub summary: &'static str,
    /// The least role that may call it.
    pub role: UserRole,
    pub body: Option<&'static str>,
    pub response: &'static str,
    pub success: u16,
}

const fn ep(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    role: UserRole,
    body: Option<&'static str>,
    response: &'static str,
    success: u16,
) -> Endpoint {
    Endpoint { method, path, summary, role, body, response, success }
}

pub const ENDPOINTS: &[Endpoint] = &[
    ep("get", "/me", "The signed-in user or token: e-mail, role, linked person.", UserRole::Viewer, None, "Me", 200),
    ep(
        "get",
        "/records/{kind}",
        "List records of a kind (`?q=` filters by key or label; `limit`, `offset` page).",
        UserRole::Viewer,
        None,
        "RecordList",
        200,
    ),
    ep(
        "post",
        "/records/{kind}",
        "Create a record (the body is the record, as in the org file).",
        UserRole::Editor,
        Some("Record"),
        "Record",
        201,
    ),
    ep("get", "/records/{kind}/{key}", "One record.", UserRole::Viewer, None, "Record", 200),
    ep("put", "/records/{kind}/{key}", "Replace a record; the body's key must match.", UserRole::Editor, Some("Record"), "Record", 200),
    ep("delete", "/records/{kind}/{key}", "Remove a record (refused while others refer to it).", UserRole::Editor, None, "Empty", 204),
    ep("get", "/findings", "Audit findings (`?severity=`, `?rule=`, `?subject=KIND:KEY`).", UserRole::Viewer, None, "FindingList", 200),
    ep(
        "post",
        "/findings/accept",
        "Accept the risk of a finding until a date, with the reason; the user must be linked to a person.",
        UserRole::Reviewer,
        Some("Acceptance"),
        "AcceptanceCreated",
        201,
    ),
    ep(
        "get",
        "/risk",
        "Key-person risk per critical system, people by departure impact, bus and truck factor.",
        UserRole::Viewer,
        None,
        "Risk",
        200,
    ),
    ep("get", "/whatif", "What breaks if these people leave together (`?person=KEY`, repeated).", UserRole::Viewer, None, "Impact", 200),
    ep(
        "post",
        "/plans",
        "Create (or regenerate) a departure plan; never for yourself.",
        UserRole::Editor,
        Some("PlanRequest"),
        "Record",
        201,
    ),
    ep(
        "post",
        "/plans/{key}/tasks/{task}",
        "Close a task (number or id) as done with evidence, or skipped with the reason.",
        UserRole::Editor,
        Some("TaskClose"),
        "Record",
        200,
    ),
    ep("post", "/imports/{source}", "Import a file of a source (ldif, scim, aws-iam, k8s-rbac, github, okta, entra, google) as the access of `?system=`; `?dry_run=true` only previews. The body is the file.", UserRole::Editor, Some("File"), "ImportResult", 200),
    ep(
        "post",
        "/reviews/{key}/items/{item}",
        "Decide an access-review item (number or access text) as the reviewer the user is linked to: `{decision: keep|revoke|modify, reason}`.",
        UserRole::Reviewer,
        Some("ReviewDecision"),
        "Record",
        200,
    ),
    ep(
        "get",
        "/due",
        "Everything due or overdue within `?within=` days (default 30), overdue first, with who should act (as `handover due --format json`).",
        UserRole::Viewer,
        None,
        "DueList",
        200,
    ),
    ep(
        "get",
        "/succession",
        "Critical roles without a deputy ready to take over (as `handover succession gaps --format json`).",
        UserRole::Viewer,
        None,
        "GapList",
        200,
    ),
    ep(
        "get",
        "/intake",
        "Systems in shadow-IT intake with what each still lacks (`?all=true` includes accepted ones), as `handover intake list --format json`.",
        UserRole::Viewer,
        None,
        "IntakeList",
        200,
    ),
    ep(
        "post",
        "/intake/{key}/waive-maintenance",
        "Record the decision to run a pending system without a maintenance agreement; the user's linked person takes the risk.",
        UserRole::Editor,
        Some("Waiver"),
        "Record",
        200,
    ),
    ep(
        "post",
        "/intake/{key}/accept",
        "Accept a pending system into IT's care in the name of the user's linked person; refused while anything is missing.",
        UserRole::Editor,
        None,
        "Record",
        200,
    ),
    ep(
        "get",
        "/drills/{scenario}",
        "The tabletop exercise for a scenario, generated from the real data (as `handover drill generate --format json`).",
        UserRole::Viewer,
        None,
        "Drill",
        200,
    ),
    ep(
        "post",
        "/drills/{scenario}/record",
        "Record a drill held as a review of the plan it tested (as `handover drill record`); the answer is the plan.",
        UserRole::Editor,
        Some("DrillRecord"),
        "Record",
        200,
    ),
    ep("get", "/incidents", "Incidents, open first, then the newest.", UserRole::Viewer, None, "IncidentList", 200),
    ep(
        "post",
        "/incidents",
        "Open an incident; its timeline starts with the opening (by the user's person unless `by` names someone).",
        UserRole::Editor,
        Some("IncidentOpen"),
        "Record",
        201,
    ),
    ep("get", "/incidents/{key}", "One incident with its timeline.", UserRole::Viewer, None, "Record", 200),
    ep(
        "post",
        "/incidents/{key}/entries",
        "Add a note, decision or action to an open incident's timeline.",
        UserRole::Editor,
        Some("TimelineEntry"),
        "Record",
        200,
    ),
    ep(
        "post",
        "/incidents/{key}/close",
        "Close an incident with its summary as the last entry.",
        UserRole::Editor,
        Some("IncidentClose"),
        "Record",
        200,
    ),
    ep("get", "/log", "Events, oldest first (`?kind=`, `?key=`, `?limit=` newest N).", UserRole::Viewer, None, "EventList", 200),
    ep(
        "get",
        "/log/verify",
        "Walk the hash chain: events verified, head hash, first broken event.",
        UserRole::Viewer,
        None,
        "LogVerification",
        200,
    ),
];

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The OpenAPI 3.1 description of the API, from [`ENDPOINTS`].
pub fn openapi() -> Value {
    let mut paths = serde_json::Map::new();
    for e in ENDPOINTS {
        let mut params = Vec::new();
        for name in ["kind", "key", "task", "source", "item", "scenario"] {
            if e.path.contains(&format!("{{{name}}}")) {
                let description = match name {
                    "kind" => format!("Record kind, singular or plural: {}", Kind::ALL.map(|k| k.plural()).join(", ")),
                    "item" => "The item's number (1-based) or its access text.".to_string(),
                    "source" => "ldif, scim, aws-iam, k8s-rbac, github, okta, entra or google.".to_string(),
                    "key" => "The record's key (`SYSTEM/NAME` for accounts, `SYSTEM/NAME/PRIVILEGE` for grants).".to_string(),
                    "scenario" => "ransomware, breach, outage, key-person or disaster.".to_string(),
                    _ => "The task's number (1-based) or id.".to_string(),
                };
                params.push(
                    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" }, "description": description }),
                );
            }
        }
        let mut responses = serde_json::Map::new();
        let ok = if e.response == "Empty" {
            json!({ "description": "Done." })
        } else {
            json!({ "description": "Success.", "content": { "application/json": { "schema": schema(e.response) } } })
        };
        responses.insert(e.success.to_string(), ok);
        for (status, what) in [
            ("401", "No valid token or session."),
            ("403", "The role does not allow it, or the CSRF header is missing."),
            ("404", "No such record."),
            ("422", "Invalid input."),
        ] {
            responses
                .insert(status.into(), json!({ "description": what, "content": { "application/json": { "schema": schema("Error") } } }));
        }
        let mut op = json!({
            "summary": e.summary,
            "operationId": format!("{}{}", e.method, e.path.replace(['/', '{', '}'], "_")),
            "description": format!("Needs the {} role.", e.role),
            "parameters": params,
            "responses": responses,
        });
        let query: &[(&str, &str, &str)] = match e.path {
            "/due" => &[("within", "integer", "Days ahead (default 30); overdue items are always listed.")],
            "/intake" => &[("all", "boolean", "Include accepted systems.")],
            _ => &[],
        };
        for (name, ty, description) in query {
            if let Some(p) = op["parameters"].as_array_mut() {
                p.push(json!({ "name": name, "in": "query", "required": false, "schema": { "type": ty }, "description": description }));
            }
        }
        if e.path == "/imports/{source}" {
            if let Some(p) = op["parameters"].as_array_mut() {
                p.push(json!({ "name": "system", "in": "query", "required": true, "schema": { "type": "string" }, "description": "The system whose access the file describes." }));
                p.push(json!({ "name": "dry_run", "in": "query", "required": false, "schema": { "type": "boolean" }, "description": "Only preview." }));
            }
        }
        match e.body {
            Some("File") => {
                op["requestBody"] = json!({ "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } })
            }
            Some(body) => op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": schema(body) } } }),
            None => {}
        }
        let entry = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        entry[e.method] = op;
    }
    let obj = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "handover API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Who can reach what, who alone knows it, and departure plans. Records have the fields documented in docs/org-file.md; errors have the codes of docs/errors.md.",
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "An API token from `handover user token add` (hot_…)." } },
            "schemas": {
                "Error": obj(json!({ "code": { "type": "string" }, "message": { "type": "string" } }), &["code", "message"]),
                "Me": obj(json!({ "email": { "type": "string" }, "role": { "type": "string", "enum": ["viewer", "reviewer", "editor", "admin"] }, "person": { "type": ["string", "null"] } }), &["email", "role"]),
                "Record": { "type": "object", "description": "A record of the kind in the path, with the fields of docs/org-file.md.", "additionalProperties": true },
                "RecordList": obj(json!({ "items": { "type": "array", "items": schema("Record") }, "total": { "type": "integer" }, "limit": { "type": "integer" }, "offset": { "type": "integer" } }), &["items", "total", "limit", "offset"]),
                "Finding": obj(json!({
                    "rule": { "type": "string" }, "title": { "type": "string" },
                    "severity": { "type": "string", "enum": ["low", "medium", "high", "critical"] },
                    "subject": { "type": "string" }, "summary": { "type": "string" },
                    "evidence": { "type": "array", "items": { "type": "string" } },
                    "remediation": { "type": "string" }, "controls": { "type": "array", "items": { "type": "string" } },
                    "accepted": { "type": ["object", "null"] },
                }), &["rule", "severity", "subject", "summary"]),
                "FindingList": { "type": "array", "items": schema("Finding") },
                "Acceptance": obj(json!({ "rule": { "type": "string" }, "subject": { "type": "string" }, "reason": { "type": "string" }, "expires": { "type": "string", "format": "date" } }), &["rule", "subject", "reason", "expires"]),
                "AcceptanceCreated": obj(json!({ "acceptance": { "type": "string" } }), &["acceptance"]),
                "Risk": { "type": "object", "description": "As `handover risk --format json` (docs/json.md)." },
                "Impact": { "type": "object", "description": "As `handover whatif --format json` (docs/json.md)." },
                "PlanRequest": obj(json!({
                    "person": { "type": "string" }, "mode": { "type": "string", "enum": ["friendly", "hostile"] },
                    "leaving_at": { "type": "string", "description": "Local date and time, YYYY-MM-DDTHH:MM." },
                    "window": { "type": "string", "description": "Hostile lock-out window, e.g. 15m." }, "owner": { "type": "string" },
                }), &["person", "leaving_at"]),
                "TaskClose": obj(json!({ "status": { "type": "string", "enum": ["done", "skipped"] }, "evidence": { "type": "string" } }), &["status", "evidence"]),
                "EventList": { "type": "array", "items": obj(json!({ "seq": { "type": "integer" }, "at": { "type": "string" }, "actor": { "type": "string" }, "action": { "type": "string" }, "kind": { "type": "string" }, "key": { "type": "string" }, "hash": { "type": "string" } }), &["seq", "at", "actor", "action", "kind", "key", "hash"]) },
                "ReviewDecision": obj(json!({ "decision": { "type": "string", "enum": ["keep", "revoke", "modify"] }, "reason": { "type": "string" } }), &["decision", "reason"]),
                "ImportResult": obj(json!({ "dry_run": { "type": "boolean" }, "summary": { "type": "object", "description": "As `handover import … --format json` (docs/json.md)." }, "changes": { "type": "array", "items": { "type": "string" } } }), &["dry_run", "summary"]),
                "LogVerification": obj(json!({ "verified": { "type": "integer" }, "head": { "type": ["string", "null"] }, "first_broken": { "type": ["object", "null"] } }), &["verified"]),
            },
        },
    });
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.extend(governance_schemas());
    }
    doc
}

/// Schemas of the governance workflows: due, succession, intake, drills, incidents.
fn governance_schemas() -> serde_json::Map<String, Value> {
    let obj = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required });
    let Value::Object(map) = json!({
                "DueList": { "type": "array", "items": obj(json!({
            "due": { "type": "string", "format": "date" }, "what": { "type": "string" }, "subject": { "type": "string", "description": "KIND:KEY" },
            "title": { "type": "string" }, "owner": { "type": ["string", "null"] }, "overdue": { "type": "boolean" },
        }), &["due", "what", "subject", "title", "overdue"]) },
        "GapList": { "type": "array", "items": obj(json!({
            "role": { "type": "string" }, "name": { "type": "string" },
            "holders": { "type": "array", "items": { "type": "string" } }, "deputies": { "type": "array", "items": { "type": "string" } },
            "problems": { "type": "array", "items": { "type": "string" } },
        }), &["role", "name", "holders", "deputies", "problems"]) },
        "IntakeList": { "type": "array", "items": obj(json!({
            "system": { "type": "string" }, "name": { "type": "string" }, "tier": { "type": "integer" },
            "status": { "type": "string", "enum": ["pending", "accepted"] }, "requested_by": { "type": "string" },
            "requested_on": { "type": "string", "format": "date" }, "missing": { "type": "array", "items": { "type": "string" } },
        }), &["system", "name", "tier", "status", "requested_by", "requested_on", "missing"]) },
        "Waiver": obj(json!({ "reason": { "type": "string" } }), &["reason"]),
        "Drill": { "type": "object", "description": "As `handover drill generate --format json`: scenario, title, date, cast, injects (at_minutes, title, facts, tests, questions, expected), debrief." },
        "DrillRecord": obj(json!({
            "plan": { "type": "string", "description": "The policy the drill tested." },
            "by": { "type": "string", "description": "Who ran it (default: the user's person)." },
            "participants": { "type": "array", "items": { "type": "string" } },
            "findings": { "type": "array", "items": { "type": "string" } },
            "follow_ups": { "type": "array", "items": { "type": "string" }, "description": "OWNER: what by when" },
        }), &["plan", "participants"]),
        "IncidentList": { "type": "array", "items": schema("Record") },
        "IncidentOpen": obj(json!({
            "key": { "type": "string" }, "title": { "type": "string" },
            "by": { "type": "string", "description": "Who opens it (default: the user's person)." },
            "commander": { "type": "string" }, "scenario": { "type": "string" },
            "systems": { "type": "array", "items": { "type": "string" } },
            "at": { "type": "string", "description": "When it started, YYYY-MM-DDTHH:MM (default: now)." },
        }), &["key", "title"]),
        "TimelineEntry": obj(json!({
            "text": { "type": "string" }, "kind": { "type": "string", "enum": ["note", "decision", "action"] },
            "by": { "type": "string", "description": "Default: the user's person." }, "at": { "type": "string", "description": "YYYY-MM-DDTHH:MM (default: now)." },
        }), &["text"]),
        "IncidentClose": obj(json!({ "summary": { "type": "string" }, "by": { "type": "string" }, "at": { "type": "string" } }), &["summary"]),
    }) else {
        return serde_json::Map::new();
    };
    map
}
