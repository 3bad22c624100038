//! handover's web UI and REST API over the same store as the command line.
//!
//! - [`state`]: the shared state — a few pooled store connections and the analysed
//!   inventory, cached until the event log moves.
//! - [`auth`]: users, sessions, CSRF, API tokens and the login limiter.
//! - [`pages`]: server-rendered HTML (askama templates in `templates/`), no script.
//! - [`api`]: JSON under `/api/v1`, described by `/api/v1/openapi.json`.
//! - [`metrics`]: `/metrics` for Prometheus; `/healthz` for load balancers.
//!
//! Blocking work (SQL, analysis, argon2) runs on tokio's blocking pool; the async side
//! only moves bytes.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod error;
pub mod metrics;
mod pages;
pub mod state;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;

pub use pages::MIN_PASSWORD;
pub use state::Settings;

const STYLE: &str = include_str!("../assets/style.css");

/// Every route of the server.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .route(
            "/assets/style.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], STYLE) }),
        )
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(
                |State(s): State<Arc<AppState>>| async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render()) },
            ),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// The store answers: the server can serve.
async fn healthz(State(state): State<Arc<AppState>>) -> axum::response::Response {
    match state::blocking(&state, |s| s.with_store(|st| Ok(st.schema_version()?))).await {
        Ok(v) => axum::Json(serde_json::json!({"status": "ok", "schema_version": v})).into_response(),
        Err(e) => e.api().into_response(),
    }
}

/// Headers every answer carries: no framing (clickjacking), no sniffing, no referrer
/// leaking record keys, and a content security policy that allows only our own styles and
/// no script at all.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Serves until Ctrl-C (or SIGTERM). Prints the address it listens on.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown()).await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Starts the server on `addr` and blocks until it is stopped: the entry point of
/// `handover serve`. Refuses to start while there is no enabled admin, so a fresh server
/// is never open to whoever reaches it first.
pub fn run(settings: Settings, addr: SocketAddr) -> Result<(), String> {
    let state = Arc::new(AppState::new(settings).map_err(|e| e.message)?);
    let admins = state
        .with_store(|s| Ok(s.users()?))
        .map_err(|e| e.message)?
        .into_iter()
        .filter(|u| u.role == handover_core::UserRole::Admin && !u.disabled)
        .count();
    if admins == 0 {
        return Err("there is no admin user yet; create one first: handover user add EMAIL --role admin".into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        // Warm the analysis before the first visitor, so their page is fast too.
        let warm = state.clone();
        tokio::task::spawn_blocking(move || warm.view().map(|_| ()));
        println!("handover is serving {} on http://{local}/ (Ctrl-C stops it)", state.settings.location.display());
        serve(listener, state).await.map_err(|e| e.to_string())
    })
}
