//! `handover notify`: e-mail each owner what is due for them, each reminder once.
//!
//! Composing is pure (`handover_governance::notify`); this module reads the reminders
//! already sent back from the event log, sends through SMTP and records each message as a
//! `notification` event right after the server accepted it. Sending first and recording
//! second means a crash between the two can repeat one message, never lose one.

use super::Context;
use crate::cli::Format;
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_analysis::config::{Smtp, SmtpSecurity};
use handover_core::ErrorCode;
use handover_governance::notify::{self, Message, Outbox};
use handover_store::EventFilter;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};
use serde::Serialize;
use std::time::Duration;

#[derive(Serialize)]
struct Answer<'a> {
    dry_run: bool,
    /// The messages sent (or, with --dry-run, that would be).
    messages: &'a [Message],
    already_sent: usize,
    nobody: &'a [notify::Unrouted],
}

pub fn notify(ctx: &Context, dry_run: bool, horizon: u32, format: Format) -> Result<()> {
    let config = ctx.config()?;
    let mut store = ctx.store()?;
    let inv = store.load()?;
    let due = handover_analysis::due::due(&inv, ctx.today, i64::from(horizon), &config.thresholds);
    let events = store.events(&EventFilter { kind: Some(notify::EVENT_KIND.into()), ..EventFilter::default() })?;
    let sent = notify::sent_keys(events.iter().filter_map(|e| e.draft.after.as_deref()));
    let outbox = notify::compose(&inv, &due, &sent, ctx.today);

    if !dry_run && !outbox.messages.is_empty() {
        let smtp = config.smtp.as_ref().ok_or_else(|| {
            user(
                ErrorCode::NotConfigured,
                "there is no [smtp] section in handover.toml (docs/config.md); `handover notify --dry-run` shows what would be sent",
            )
        })?;
        let mailer = transport(smtp)?;
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| user(ErrorCode::NotConfigured, format!("[smtp] from = {:?} is not an address: {e}", smtp.from)))?;
        for (n, m) in outbox.messages.iter().enumerate() {
            let email = build(&from, m)?;
            mailer.send(&email).map_err(|e| {
                user(
                    ErrorCode::Mail,
                    format!(
                        "sending to {} failed after {n} of {} messages were sent ({e}); the next run sends the rest",
                        m.to,
                        outbox.messages.len()
                    ),
                )
            })?;
            let body = serde_json::to_string(&m.sent())?;
            store.append_log(notify::EVENT_KIND, &m.person, &body, &ctx.actor).map_err(|e| {
                user(ErrorCode::Storage, format!("the reminder to {} was sent but could not be recorded ({e}); it may be sent again", m.to))
            })?;
        }
    }
    print(&outbox, dry_run, format)
}

/// The SMTP connection `[smtp]` describes. The password comes from a file or the
/// environment, never from the command line, and is never printed.
fn transport(smtp: &Smtp) -> Result<SmtpTransport> {
    let builder = match smtp.security {
        SmtpSecurity::Starttls => SmtpTransport::starttls_relay(&smtp.host),
        SmtpSecurity::Tls => SmtpTransport::relay(&smtp.host),
        SmtpSecurity::None => Ok(SmtpTransport::builder_dangerous(&smtp.host)),
    }
    .map_err(|e| user(ErrorCode::NotConfigured, format!("[smtp] host = {:?}: {e}", smtp.host)))?;
    let mut builder = builder.port(smtp.port()).timeout(Some(Duration::from_secs(30)));
    match (&smtp.username, password(smtp)?) {
        (Some(name), Some(pw)) => builder = builder.credentials(Credentials::new(name.clone(), pw)),
        (Some(_), None) => {
            return Err(user(ErrorCode::NotConfigured, "[smtp] has a username but no password_file or password_env"));
        }
        (None, Some(_)) => return Err(user(ErrorCode::NotConfigured, "[smtp] has a password but no username")),
        (None, None) => {}
    }
    Ok(builder.build())
}

fn password(smtp: &Smtp) -> Result<Option<String>> {
    let pw = match (&smtp.password_file, &smtp.password_env) {
        (Some(_), Some(_)) => return Err(user(ErrorCode::NotConfigured, "[smtp] has both password_file and password_env; keep one")),
        (Some(path), None) => std::fs::read_to_string(path)
            .map_err(|e| user(ErrorCode::NotConfigured, format!("cannot read [smtp] password_file {}: {e}", path.display())))?,
        (None, Some(var)) => {
            std::env::var(var).map_err(|_| user(ErrorCode::NotConfigured, format!("[smtp] password_env: the variable {var} is not set")))?
        }
        (None, None) => return Ok(None),
    };
    let pw = pw.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        return Err(user(ErrorCode::NotConfigured, "the [smtp] password is empty"));
    }
    Ok(Some(pw))
}

fn build(from: &Mailbox, m: &Message) -> Result<lettre::Message> {
    let to: Mailbox = format!("{} <{}>", m.name.replace(['"', '<', '>'], ""), m.to)
        .parse()
        .or_else(|_| m.to.parse())
        .map_err(|e| user(ErrorCode::InvalidField, format!("the e-mail address of {} ({:?}) is not valid: {e}", m.person, m.to)))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&m.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| user(ErrorCode::InvalidField, format!("cannot write the message to {}: {e}", m.to)))
}

fn print(outbox: &Outbox, dry_run: bool, format: Format) -> Result<()> {
    if format == Format::Json {
        return output::json(&Answer { dry_run, messages: &outbox.messages, already_sent: outbox.already_sent, nobody: &outbox.nobody });
    }
    let items: usize = outbox.messages.iter().map(|m| m.items.len()).sum();
    if outbox.messages.is_empty() {
        println!("Nothing new to send.");
    } else {
        println!(
            "{} {} {} ({items} {}):",
            if dry_run { "Would send" } else { "Sent" },
            outbox.messages.len(),
            if outbox.messages.len() == 1 { "reminder" } else { "reminders" },
            if items == 1 { "item" } else { "items" }
        );
        let mut t = output::table(&["to", "due", "", "what", "item"]);
        for m in &outbox.messages {
            for (i, it) in m.items.iter().enumerate() {
                t.add_row(vec![
                    if i == 0 { format!("{} <{}>", m.name, m.to) } else { String::new() },
                    it.due.to_string(),
                    if it.overdue { "OVERDUE".into() } else { String::new() },
                    it.what.clone(),
                    it.title.clone(),
                ]);
            }
        }
        println!("{t}");
    }
    if outbox.already_sent > 0 {
        println!("{} reminders were already sent and are not sent again.", outbox.already_sent);
    }
    if !outbox.nobody.is_empty() {
        println!("\nNobody to tell about {} items:", outbox.nobody.len());
        let mut t = output::table(&["due", "what", "item", "why"]);
        for n in &outbox.nobody {
            t.add_row(vec![n.item.due.to_string(), n.item.what.clone(), n.item.title.clone(), n.reason.clone()]);
        }
        println!("{t}");
    }
    if dry_run {
        println!("Dry run: nothing was sent or recorded.");
    }
    Ok(())
}
