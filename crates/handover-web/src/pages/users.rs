//! Users (admins only): who may sign in, with which role.

use super::{render, Cell, Chrome, ListPage, Table};
use crate::auth::{self, Auth};
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState};
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::Form;
use handover_core::{User, UserRole};
use handover_report::escape_html;
use serde::Deserialize;
use std::sync::Arc;

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    auth.require(UserRole::Admin)?;
    blocking(&state, move |s| {
        let (users, tokens) = s.with_store(|st| Ok((st.users()?, st.tokens()?)))?;
        let rows = users
            .iter()
            .map(|u| {
                vec![
                    Cell::text(&u.email),
                    Cell::text(u.role),
                    Cell::text(u.person.as_deref().unwrap_or("")),
                    Cell::text(if u.disabled { "disabled" } else { "active" }),
                    Cell::text(tokens.iter().filter(|t| t.email == u.email).count()),
                ]
            })
            .collect();
        let roles: String = UserRole::ALL.iter().map(|r| format!("<option value=\"{r}\">{r}</option>")).collect();
        let after = format!(
            r#"<form class="add-user" method="post" action="/users">
<input type="hidden" name="csrf" value="{csrf}">
<fieldset><legend>Add or change a user</legend>
<label for="email">E-mail</label><input id="email" name="email" type="email" required>
<label for="role">Role</label><select id="role" name="role">{roles}</select>
<label for="person">Person key (links the user to who they are)</label><input id="person" name="person">
<label for="password">New password (at least 12 characters; empty keeps the current one)</label><input id="password" name="password" type="password" autocomplete="new-password">
<label><input type="checkbox" name="disabled" value="on"> Disabled</label>
<button type="submit">Save user</button>
</fieldset></form>"#,
            csrf = escape_html(&auth.csrf())
        );
        render(&ListPage {
            chrome: Chrome::new(Some(&auth), "Users", "/users"),
            heading: "Users".into(),
            intro: "Viewers read; reviewers also decide reviews and accept risks; editors also change the inventory and work on plans; admins also manage users.".into(),
            filters: vec![],
            table: Table::new(&["e-mail", "role", "person", "status", "API tokens"], rows, "No users.").html(),
            pager: String::new(),
            after,
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    email: String,
    role: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    disabled: Option<String>,
}

pub const MIN_PASSWORD: usize = 12;

pub async fn add(State(state): State<Arc<AppState>>, auth: Auth, Form(form): Form<UserForm>) -> WebResult<Redirect> {
    auth.check_csrf(Some(&form.csrf))?;
    auth.require(UserRole::Admin)?;
    let role = UserRole::parse(&form.role).ok_or_else(|| WebError::invalid(format!("no role {:?}", form.role)))?;
    let email = form.email.trim().to_lowercase();
    if !email.contains('@') {
        return Err(WebError::invalid("the e-mail address needs an @"));
    }
    blocking(&state, move |s| {
        let existing = s.with_store(|st| Ok(st.user(&email)?))?;
        let password_hash = match (&existing, form.password.as_str()) {
            (_, p) if p.chars().count() >= MIN_PASSWORD => auth::hash_password(p),
            (Some(u), "") => u.password_hash.clone(),
            _ => return Err(WebError::invalid(format!("the password must have at least {MIN_PASSWORD} characters"))),
        };
        let person = Some(form.person.trim().to_string()).filter(|p| !p.is_empty());
        if let Some(p) = &person {
            if s.view()?.inv().person(p).is_none() {
                return Err(WebError::not_found(format!("there is no person {p:?}")));
            }
        }
        if email == auth.user.email && (role != UserRole::Admin || form.disabled.is_some()) {
            return Err(WebError::invalid("you cannot demote or disable yourself; another admin can"));
        }
        let user = User {
            email: email.clone(),
            role,
            password_hash,
            person,
            disabled: form.disabled.is_some(),
            created_at: existing.as_ref().map_or_else(|| jiff::Timestamp::now().to_string(), |u| u.created_at.clone()),
        };
        s.with_store(|st| Ok(st.put_user(&user, &auth.actor())?))
    })
    .await?;
    Ok(Redirect::to("/users"))
}
