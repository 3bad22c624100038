//! Users, sessions and API tokens of the web UI and API (schema v2).
//!
//! Kept apart from the records: they are not the organisation's data, are never exported
//! or applied, and a session is written on every login. Changes to users and tokens are
//! still events in the one hash-chained log (kinds `user` and `api_token`), recorded
//! without the password or token hash, so "who gave whom admin" is as auditable as any
//! inventory change. Sessions are not logged: they are many and say nothing about access
//! to the organisation.

use crate::Result;
use handover_core::{Action, ApiToken, EventDraft, Session, User};

pub trait Users {
    /// Every user, by e-mail.
    fn users(&self) -> Result<Vec<User>>;
    fn user(&self, email: &str) -> Result<Option<User>>;
    /// Creates or replaces a user and logs it. Changing the password hash, the role or
    /// disabling the user ends their sessions, so a demoted or locked-out user is out now.
    fn put_user(&mut self, user: &User, actor: &str) -> Result<()>;
    /// Removes a user with their sessions and tokens; false if there was none.
    fn remove_user(&mut self, email: &str, actor: &str) -> Result<bool>;
    fn create_session(&mut self, session: &Session) -> Result<()>;
    /// The session with this token hash and its user. Expiry and `disabled` are the
    /// caller's to check (it knows the clock).
    fn session(&self, token_hash: &str) -> Result<Option<(Session, User)>>;
    fn delete_session(&mut self, token_hash: &str) -> Result<()>;
    /// Sessions that expired before `now` (RFC 3339), removed; how many.
    fn purge_sessions(&mut self, now: jiff::Timestamp) -> Result<u64>;
    fn put_token(&mut self, token: &ApiToken, actor: &str) -> Result<()>;
    fn tokens(&self) -> Result<Vec<ApiToken>>;
    /// The token with this public id and its user.
    fn token(&self, id: &str) -> Result<Option<(ApiToken, User)>>;
    fn remove_token(&mut self, id: &str, actor: &str) -> Result<bool>;
}

impl<S: Users + ?Sized> Users for Box<S> {
    fn users(&self) -> Result<Vec<User>> {
        (**self).users()
    }
    fn user(&self, email: &str) -> Result<Option<User>> {
        (**self).user(email)
    }
    fn put_user(&mut self, user: &User, actor: &str) -> Result<()> {
        (**self).put_user(user, actor)
    }
    fn remove_user(&mut self, email: &str, actor: &str) -> Result<bool> {
        (**self).remove_user(email, actor)
    }
    fn create_session(&mut self, session: &Session) -> Result<()> {
        (**self).create_session(session)
    }
    fn session(&self, token_hash: &str) -> Result<Option<(Session, User)>> {
        (**self).session(token_hash)
    }
    fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        (**self).delete_session(token_hash)
    }
    fn purge_sessions(&mut self, now: jiff::Timestamp) -> Result<u64> {
        (**self).purge_sessions(now)
    }
    fn put_token(&mut self, token: &ApiToken, actor: &str) -> Result<()> {
        (**self).put_token(token, actor)
    }
    fn tokens(&self) -> Result<Vec<ApiToken>> {
        (**self).tokens()
    }
    fn token(&self, id: &str) -> Result<Option<(ApiToken, User)>> {
        (**self).token(id)
    }
    fn remove_token(&mut self, id: &str, actor: &str) -> Result<bool> {
        (**self).remove_token(id, actor)
    }
}

/// Whether replacing `old` by `new` must end the user's sessions.
pub(crate) fn ends_sessions(old: Option<&User>, new: &User) -> bool {
    old.is_some_and(|o| o.password_hash != new.password_hash || o.role != new.role) || new.disabled
}

/// The event for a user being created, changed or removed.
pub(crate) fn user_event(before: Option<&User>, after: Option<&User>, actor: &str, at: &str) -> EventDraft {
    let action = match (before, after) {
        (None, _) => Action::Create,
        (Some(_), Some(_)) => Action::Update,
        (Some(_), None) => Action::Delete,
    };
    let email = after.or(before).map(|u| u.email.clone()).unwrap_or_default();
    EventDraft {
        at: at.to_string(),
        actor: actor.to_string(),
        action,
        kind: "user".into(),
        key: email,
        before: before.map(User::public_json),
        after: after.map(User::public_json),
    }
}

/// The event for a token being issued or revoked; the secret's hash is never in it.
pub(crate) fn token_event(token: &ApiToken, created: bool, actor: &str, at: &str) -> EventDraft {
    let json = serde_json::to_string(token).unwrap_or_default();
    EventDraft {
        at: at.to_string(),
        actor: actor.to_string(),
        action: if created { Action::Create } else { Action::Delete },
        kind: "api_token".into(),
        key: token.id.clone(),
        before: (!created).then(|| json.clone()),
        after: created.then_some(json),
    }
}

pub(crate) fn parse_role(s: &str) -> handover_core::UserRole {
    // The schema's CHECK constraint allows only these four; viewer is the safe fallback.
    handover_core::UserRole::parse(s).unwrap_or(handover_core::UserRole::Viewer)
}
