//! `handover serve` and `handover user …`: the web server and who may use it.

use super::Context;
use crate::cli::{Format, ServeArgs, TokenCommand, UserCommand};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_core::{ApiToken, ErrorCode, User, UserRole};
use handover_store::Store;
use handover_web::auth;
use std::io::IsTerminal;

pub fn serve(ctx: &Context, args: ServeArgs) -> Result<()> {
    // Fail on a missing database here, with the usual message, not inside the server.
    drop(ctx.store()?);
    let settings = handover_web::Settings {
        location: ctx.db.clone(),
        config: ctx.config()?,
        today: ctx.today_fixed,
        secure_cookies: args.public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
        session_hours: args.session_hours.clamp(1, 24 * 30),
    };
    handover_web::run(settings, args.addr).map_err(|e| user(ErrorCode::Storage, e))
}

pub fn run(ctx: &Context, cmd: UserCommand) -> Result<()> {
    let mut store = ctx.store()?;
    match cmd {
        UserCommand::Add { email, role, person, password_file } => add(ctx, store.as_mut(), &email, role, person, password_file),
        UserCommand::List(f) => {
            let users = store.users()?;
            match f.format {
                Format::Json => output::json(
                    &users
                        .iter()
                        .map(|u| serde_json::from_str::<serde_json::Value>(&u.public_json()).unwrap_or_default())
                        .collect::<Vec<_>>(),
                ),
                Format::Table => {
                    let mut t = output::table(&["e-mail", "role", "person", "status"]);
                    for u in &users {
                        t.add_row(vec![
                            u.email.clone(),
                            u.role.to_string(),
                            u.person.clone().unwrap_or_default(),
                            if u.disabled { "disabled" } else { "active" }.to_string(),
                        ]);
                    }
                    println!("{t}");
                    Ok(())
                }
            }
        }
        UserCommand::Disable { email } => {
            let mut u = existing(store.as_ref(), &email)?;
            u.disabled = true;
            store.put_user(&u, &ctx.actor)?;
            println!("Disabled {}: their sessions ended and their API tokens no longer work.", u.email);
            Ok(())
        }
        UserCommand::Remove { email } => {
            if !store.remove_user(&email.to_lowercase(), &ctx.actor)? {
                return Err(user(ErrorCode::RecordNotFound, format!("there is no user {email:?}")));
            }
            println!("Removed {email} with their sessions and tokens.");
            Ok(())
        }
        UserCommand::Token(TokenCommand::Add { email, name, role, expires_in }) => {
            let u = existing(store.as_ref(), &email)?;
            let role = role.unwrap_or(u.role).min(u.role);
            let (token, id, secret_hash) = auth::new_api_token();
            let now = jiff::Timestamp::now();
            let expires_at = expires_in.map(|i| (now + jiff::SignedDuration::from_mins(i.minutes() as i64)).to_string());
            let t = ApiToken { id: id.clone(), secret_hash, email: u.email.clone(), role, name, created_at: now.to_string(), expires_at };
            store.put_token(&t, &ctx.actor)?;
            // The one time the token is shown: on stdout alone, so it can be piped to a file.
            println!("{token}");
            eprintln!("Token {id} for {} ({role}); keep it now, it is not shown again. Use: Authorization: Bearer <token>", u.email);
            Ok(())
        }
        UserCommand::Token(TokenCommand::List(f)) => {
            let tokens = store.tokens()?;
            match f.format {
                Format::Json => output::json(&tokens),
                Format::Table => {
                    let mut t = output::table(&["id", "user", "role", "name", "created", "expires"]);
                    for k in &tokens {
                        t.add_row(vec![
                            k.id.clone(),
                            k.email.clone(),
                            k.role.to_string(),
                            k.name.clone(),
                            k.created_at.clone(),
                            k.expires_at.clone().unwrap_or_default(),
                        ]);
                    }
                    println!("{t}");
                    Ok(())
                }
            }
        }
        UserCommand::Token(TokenCommand::Revoke { id }) => {
            if !store.remove_token(&id, &ctx.actor)? {
                return Err(user(ErrorCode::RecordNotFound, format!("there is no token {id:?}; `handover user token list` shows them")));
            }
            println!("Revoked token {id}.");
            Ok(())
        }
    }
}

fn existing(store: &dyn Store, email: &str) -> Result<User> {
    store
        .user(&email.to_lowercase())?
        .ok_or_else(|| user(ErrorCode::RecordNotFound, format!("there is no user {email:?}; `handover user list` shows them")))
}

fn add(
    ctx: &Context,
    store: &mut dyn Store,
    email: &str,
    role: UserRole,
    person: Option<String>,
    password_file: Option<std::path::PathBuf>,
) -> Result<()> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') {
        return Err(user(ErrorCode::InvalidField, "the e-mail address needs an @"));
    }
    if let Some(p) = &person {
        if store.get(handover_core::Kind::Person, p)?.is_none() {
            return Err(super::records::not_found(handover_core::Kind::Person, p));
        }
    }
    let old = store.user(&email)?;
    let password = read_password(password_file.as_deref(), old.is_none())?;
    let password_hash = match (&password, &old) {
        (Some(p), _) => auth::hash_password(p),
        (None, Some(o)) => o.password_hash.clone(),
        (None, None) => unreachable!("a new user's password is required above"),
    };
    let u = User {
        email: email.clone(),
        role,
        password_hash,
        person: person.or_else(|| old.as_ref().and_then(|o| o.person.clone())),
        disabled: false,
        created_at: old.as_ref().map_or_else(|| jiff::Timestamp::now().to_string(), |o| o.created_at.clone()),
    };
    store.put_user(&u, &ctx.actor)?;
    println!("{} user {email} ({role}).", if old.is_some() { "Updated" } else { "Added" });
    Ok(())
}

/// The password from a file, a prompt, or a line of standard input; `None` keeps the
/// current one (only for an existing user at a prompt left empty).
fn read_password(file: Option<&std::path::Path>, required: bool) -> Result<Option<String>> {
    let text = match file {
        Some(f) => std::fs::read_to_string(f).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", f.display())))?,
        None if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(if required { "Password: " } else { "New password (empty keeps the current one): " })?
        }
        None => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line
        }
    };
    let password = text.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() && !required {
        return Ok(None);
    }
    if password.chars().count() < handover_web::MIN_PASSWORD {
        return Err(user(ErrorCode::InvalidField, format!("the password must have at least {} characters", handover_web::MIN_PASSWORD)));
    }
    Ok(Some(password))
}
