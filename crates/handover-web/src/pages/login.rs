//! Sign in and out.

use super::Chrome;
use crate::auth::{self, Auth, LOGIN_COOKIE, SESSION_COOKIE};
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState};
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use handover_core::Session;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    email: String,
    error: Option<String>,
}

/// The pre-login cookie lives ten minutes: long enough to type a password.
const LOGIN_COOKIE_SECONDS: i64 = 600;

fn login_page(state: &AppState, email: &str, error: Option<String>, status: StatusCode) -> Response {
    let secret = auth::random_token();
    let page = LoginPage { chrome: Chrome::new(None, "Sign in", ""), csrf: auth::csrf_for(&secret), email: email.to_string(), error };
    let html = match page.render() {
        Ok(h) => h,
        Err(e) => return WebError::from(e).into_response(),
    };
    (
        status,
        [(header::SET_COOKIE, auth::set_cookie(LOGIN_COOKIE, &secret, LOGIN_COOKIE_SECONDS, state.settings.secure_cookies))],
        Html(html),
    )
        .into_response()
}

pub async fn form(State(state): State<Arc<AppState>>, auth: Option<Auth>) -> Response {
    if auth.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(&state, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let email = form.email.trim().to_lowercase();
    let pre = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if pre.is_empty() || !auth::same(&form.csrf, &auth::csrf_for(&pre)) {
        return WebError::forbidden("the sign-in form expired or came from another site; sign in again from this page").into_response();
    }
    if let Err(e) = state.limiter.check(peer.ip(), &email) {
        let wait = (crate::auth::Limiter::WINDOW.as_secs()).to_string();
        let mut r = login_page(&state, &email, Some(e.message), StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = wait.parse() {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let hours = state.settings.session_hours;
    let attempt = {
        let email = email.clone();
        blocking(&state, move |s| {
            let user = s.with_store(|st| Ok(st.user(&email)?))?;
            // Verify even for an unknown user, so timing does not reveal who has an account.
            let hash = user.as_ref().map_or(auth::decoy_hash(), |u| u.password_hash.as_str()).to_string();
            let ok = auth::verify_password(&form.password, &hash);
            match user.filter(|u| ok && !u.disabled) {
                None => Ok(None),
                Some(u) => {
                    let token = auth::random_token();
                    let now = jiff::Timestamp::now();
                    let expires = now.checked_add(jiff::SignedDuration::from_hours(hours)).unwrap_or(now);
                    let session = Session {
                        token_hash: auth::sha256_hex(&token),
                        email: u.email.clone(),
                        created_at: now.to_string(),
                        expires_at: expires.to_string(),
                    };
                    s.with_store(|st| {
                        st.purge_sessions(now)?;
                        Ok(st.create_session(&session)?)
                    })?;
                    Ok(Some(token))
                }
            }
        })
        .await
    };
    match attempt {
        Ok(Some(token)) => {
            state.limiter.succeeded(&email);
            let secure = state.settings.secure_cookies;
            let mut r = Redirect::to("/").into_response();
            let h = r.headers_mut();
            for c in [auth::set_cookie(SESSION_COOKIE, &token, hours * 3600, secure), auth::set_cookie(LOGIN_COOKIE, "", 0, secure)] {
                if let Ok(v) = c.parse() {
                    h.append(header::SET_COOKIE, v);
                }
            }
            r
        }
        Ok(None) => {
            state.limiter.failed(peer.ip(), &email);
            login_page(&state, &email, Some("Wrong e-mail or password.".into()), StatusCode::UNAUTHORIZED)
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(State(state): State<Arc<AppState>>, auth: Auth, headers: HeaderMap, Form(form): Form<CsrfForm>) -> WebResult<Response> {
    auth.check_csrf(Some(&form.csrf))?;
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        blocking(&state, move |s| s.with_store(|st| Ok(st.delete_session(&auth::sha256_hex(&token))?))).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = auth::set_cookie(SESSION_COOKIE, "", 0, state.settings.secure_cookies).parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}
