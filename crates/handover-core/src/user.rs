//! Who may use handover's web UI and API, and what each role may do.
//!
//! Users are not inventory records: they are never exported, applied or shown in the
//! organisation's data. A user may be linked to the [`crate::Person`] they are, which is how
//! the web layer keeps a leaver away from their own departure plan.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do. Each role includes everything the roles before it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Reads everything but secrets (which handover never holds in the clear anyway).
    Viewer,
    /// Also decides access reviews and records policy reviews.
    Reviewer,
    /// Also changes the inventory, runs imports and works on plans.
    Editor,
    /// Also manages users and API tokens.
    Admin,
}

impl UserRole {
    pub const ALL: [UserRole; 4] = [UserRole::Viewer, UserRole::Reviewer, UserRole::Editor, UserRole::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Viewer => "viewer",
            UserRole::Reviewer => "reviewer",
            UserRole::Editor => "editor",
            UserRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<UserRole> {
        UserRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role includes `needed`.
    pub fn allows(self, needed: UserRole) -> bool {
        self >= needed
    }
}

impl fmt::Display for UserRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A web/API user. The password is kept only as an argon2id PHC string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Lower-case e-mail address; the login name and the key.
    pub email: String,
    pub role: UserRole,
    pub password_hash: String,
    /// The person record this user is, if any.
    pub person: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

impl User {
    /// What the event log records of a user: everything but the password hash.
    pub fn public_json(&self) -> String {
        serde_json::json!({
            "email": self.email,
            "role": self.role,
            "person": self.person,
            "disabled": self.disabled,
        })
        .to_string()
    }
}

/// A logged-in browser session. Only a hash of the cookie's token is stored, so a copy of
/// the database does not let anyone log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub email: String,
    pub created_at: String,
    pub expires_at: String,
}

/// An API token: `hot_<id>_<secret>`. The id is public (shown in listings); only a hash
/// of the secret is stored. Its role is at most its user's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub email: String,
    pub role: UserRole,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below() {
        assert!(UserRole::Admin.allows(UserRole::Editor));
        assert!(UserRole::Editor.allows(UserRole::Reviewer));
        assert!(UserRole::Reviewer.allows(UserRole::Viewer));
        assert!(!UserRole::Viewer.allows(UserRole::Reviewer));
        assert!(!UserRole::Reviewer.allows(UserRole::Editor));
        for r in UserRole::ALL {
            assert_eq!(UserRole::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn the_event_form_of_a_user_has_no_password_hash() {
        let u = User {
            email: "a@example.com".into(),
            role: UserRole::Viewer,
            password_hash: "$argon2id$v=19$secret".into(),
            person: None,
            disabled: false,
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        assert!(!u.public_json().contains("argon2"));
    }
}
