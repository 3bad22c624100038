//! Who is asking, and may they.
//!
//! - Passwords: argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes), PHC strings.
//! - Browser sessions: a random 256-bit token in an HttpOnly, SameSite=Strict cookie (and
//!   Secure when the public URL is https); the store keeps only its SHA-256.
//! - CSRF: every form carries a token derived from the session token, which a page on
//!   another site can neither read nor compute; the login form gets the same through a
//!   short-lived pre-login cookie (double submit), so login CSRF is refused too.
//! - API tokens: `Authorization: Bearer hot_<id>_<secret>`, hashed at rest, with a role
//!   at most their user's. No cookie is involved, so no CSRF token is needed.
//! - Failed logins are limited per address and per account ([`Limiter`]).

use crate::error::{WebError, WebResult};
use crate::state::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::Engine;
use handover_core::{ErrorCode, User, UserRole};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SESSION_COOKIE: &str = "handover_session";
pub const LOGIN_COOKIE: &str = "handover_login";

/// A password's argon2id PHC string.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes is a valid salt length");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default parameters cannot fail").to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the account does not exist, so that a login for an
/// unknown e-mail takes as long as one with a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password nobody has"))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source is available");
    b
}

/// A random URL-safe token of 256 bits.
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The CSRF token of a session (or pre-login) token.
pub fn csrf_for(secret: &str) -> String {
    sha256_hex(&format!("handover csrf\n{secret}"))
}

/// Compares without an early exit, so the time taken says nothing about where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new API token: what to show once, and its public id and secret hash to store.
pub fn new_api_token() -> (String, String, String) {
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<6>()).replace(['-', '_'], "x");
    let secret = random_token().replace(['-', '_'], "x");
    (format!("hot_{id}_{secret}"), id, sha256_hex(&secret))
}

fn split_api_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("hot_")?;
    rest.split_once('_')
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// A `Set-Cookie` value with handover's attributes; `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}", if secure { "; Secure" } else { "" })
}

/// The signed-in user of a request, by session cookie or API token.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    /// The user's role, or the token's when it is narrower.
    pub role: UserRole,
    /// The session token (cookie), for the CSRF token of its forms.
    session: Option<String>,
}

impl Auth {
    pub fn csrf(&self) -> String {
        self.session.as_deref().map(csrf_for).unwrap_or_default()
    }

    pub fn require(&self, needed: UserRole) -> WebResult<()> {
        if self.role.allows(needed) {
            Ok(())
        } else {
            Err(WebError::forbidden(format!("this needs the {needed} role; you are {}", self.role)))
        }
    }

    /// Checks a state-changing request's CSRF token. Token-authenticated API calls carry no
    /// cookie a third-party page could ride on, so they need none.
    pub fn check_csrf(&self, given: Option<&str>) -> WebResult<()> {
        match &self.session {
            None => Ok(()),
            Some(s) if given.is_some_and(|g| same(g, &csrf_for(s))) => Ok(()),
            Some(_) => Err(WebError::forbidden("the form's CSRF token is missing or stale; reload the page and try again")),
        }
    }

    /// The label written as the actor of events.
    pub fn actor(&self) -> String {
        format!("{} (web)", self.user.email)
    }

    /// Whether this user is `person` (by link or by e-mail).
    pub fn is_person(&self, person: &handover_core::Person) -> bool {
        self.user.person.as_deref() == Some(person.key.as_str())
            || person.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&self.user.email))
    }
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> WebResult<Option<Auth>> {
    let now = jiff::Timestamp::now();
    if let Some(bearer) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) {
        let Some((id, secret)) = split_api_token(bearer.trim()) else { return Ok(None) };
        let found = state.with_store(|s| Ok(s.token(id)?))?;
        let Some((token, user)) = found else { return Ok(None) };
        let expired = token.expires_at.as_deref().is_some_and(|e| e.parse::<jiff::Timestamp>().map_or(true, |e| e <= now));
        if user.disabled || expired || !same(&token.secret_hash, &sha256_hex(secret)) {
            return Ok(None);
        }
        let role = token.role.min(user.role);
        return Ok(Some(Auth { user, role, session: None }));
    }
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let found = state.with_store(|s| Ok(s.session(&sha256_hex(&token))?))?;
    let Some((session, user)) = found else { return Ok(None) };
    if user.disabled || session.expires_at.parse::<jiff::Timestamp>().map_or(true, |e| e <= now) {
        return Ok(None);
    }
    Ok(Some(Auth { role: user.role, user, session: Some(token) }))
}

impl FromRequestParts<Arc<AppState>> for Auth {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let headers = parts.headers.clone();
        let api = parts.extensions.get::<crate::api::ApiRequest>().is_some();
        let found = crate::state::blocking(state, move |s| authenticate(s, &headers)).await;
        let out = match found {
            Ok(Some(a)) => Ok(a),
            Ok(None) => Err(WebError::unauthenticated()),
            Err(e) => Err(e),
        };
        out.map_err(|e| if api { e.api() } else { e })
    }
}

impl OptionalFromRequestParts<Arc<AppState>> for Auth {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Option<Self>, Self::Rejection> {
        let headers = parts.headers.clone();
        crate::state::blocking(state, move |s| authenticate(s, &headers)).await
    }
}

/// Failed logins: at most [`Limiter::MAX_PER_ACCOUNT`] per account and
/// [`Limiter::MAX_PER_ADDRESS`] per address (offices share one) within [`Limiter::WINDOW`];
/// then refused until the oldest failure ages out.
#[derive(Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    pub const MAX_PER_ACCOUNT: usize = 5;
    pub const MAX_PER_ADDRESS: usize = 20;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    fn keys(ip: IpAddr, email: &str) -> [String; 2] {
        [format!("ip:{ip}"), format!("user:{}", email.to_lowercase())]
    }

    /// `Err` with the seconds to wait when either key is over the limit.
    pub fn check(&self, ip: IpAddr, email: &str) -> WebResult<()> {
        let mut map = self.failures.lock().map_err(|_| WebError::new(ErrorCode::Storage, "limiter poisoned"))?;
        let now = Instant::now();
        for (key, max) in Self::keys(ip, email).into_iter().zip([Self::MAX_PER_ADDRESS, Self::MAX_PER_ACCOUNT]) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < Self::WINDOW);
                if times.len() >= max {
                    let wait = Self::WINDOW.saturating_sub(now.duration_since(times[0])).as_secs().max(1);
                    return Err(WebError::new(
                        ErrorCode::RateLimited,
                        format!("too many failed sign-ins; try again in {} minutes", wait.div_ceil(60)),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn failed(&self, ip: IpAddr, email: &str) {
        if let Ok(mut map) = self.failures.lock() {
            // Bound the memory an attacker cycling addresses can make us hold.
            if map.len() > 100_000 {
                map.clear();
            }
            for key in Self::keys(ip, email) {
                map.entry(key).or_default().push(Instant::now());
            }
        }
    }

    pub fn succeeded(&self, email: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("user:{}", email.to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("correct horse battery staple");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery staple", &h));
        assert!(!verify_password("correct horse battery stapl", &h));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn api_tokens_split_into_id_and_secret_whose_hash_is_stored() {
        let (token, id, hash) = new_api_token();
        let (i, secret) = split_api_token(&token).unwrap();
        assert_eq!(i, id);
        assert_eq!(sha256_hex(secret), hash);
        assert!(!token.contains(&hash));
    }

    #[test]
    fn the_limiter_refuses_the_sixth_failure_for_an_account_from_any_address() {
        let l = Limiter::default();
        for i in 0..5 {
            assert!(l.check(IpAddr::from([127, 0, 0, i]), "a@example.com").is_ok());
            l.failed(IpAddr::from([127, 0, 0, i]), "a@example.com");
        }
        let e = l.check(IpAddr::from([127, 0, 0, 9]), "A@example.com").unwrap_err();
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert!(l.check(IpAddr::from([127, 0, 0, 9]), "b@example.com").is_ok());
        // One address, many accounts: refused after the per-address limit.
        for i in 0..20 {
            l.failed(IpAddr::from([10, 0, 0, 1]), &format!("u{i}@example.com"));
        }
        assert!(l.check(IpAddr::from([10, 0, 0, 1]), "new@example.com").is_err());
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "x_handover_session=no; handover_session=yes".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("yes"));
    }
}
