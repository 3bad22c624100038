//! `handover KIND list|show|add|set|rm`: the same five verbs for every kind of record.
//! Every edit is turned into a `ChangeSet` against the whole inventory and validated like
//! an org file, so the CLI cannot store what `apply` would refuse.

use super::Context;
use crate::cli::{Format, RecordAction};
use crate::error::{user, user_with};
use crate::fields::{self, FieldType};
use crate::output;
use anyhow::Result;
use handover_core::{ErrorCode, Inventory, Kind, Record};
use handover_import::yaml;
use handover_store::Store;
use serde_json::{Map, Value};

pub fn run(ctx: &Context, kind: Kind, action: RecordAction) -> Result<()> {
    match action {
        RecordAction::List(f) => list(ctx, kind, f.format),
        RecordAction::Show { key, format } => show(ctx, kind, &key, format.format),
        RecordAction::Add { args } => add(ctx, kind, args),
        RecordAction::Set { key, assignments } => set(ctx, kind, &key, &assignments),
        RecordAction::Rm { key } => rm(ctx, kind, &key),
    }
}

/// The record as JSON with its key first, which is what `list` and `show` print.
fn keyed_json(r: &Record) -> Value {
    let mut out = Map::new();
    out.insert("key".into(), Value::String(r.key()));
    if let Value::Object(fields) = r.to_json() {
        out.extend(fields.into_iter().filter(|(k, _)| k != "key"));
    }
    Value::Object(out)
}

fn columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Person => &["name", "title", "status", "email"],
        Kind::Role => &["name", "holders", "deputies"],
        Kind::Vendor => &["name", "kind", "relationship_owner"],
        Kind::Contact => &["name", "vendor", "email"],
        Kind::Contract => &["name", "vendor", "ends", "owner"],
        Kind::System => &["name", "tier", "kind", "owner", "technical_owners"],
        Kind::Account => &["person", "kind", "status", "mfa", "last_used"],
        Kind::Grant => &["level", "via"],
        Kind::Credential => &["name", "kind", "holders", "last_rotated"],
        Kind::Project => &["name", "status", "lead", "backup_lead", "deadline"],
        Kind::Policy => &["name", "owner", "last_reviewed", "review_interval"],
        Kind::Repository => &["url", "system"],
        Kind::Acceptance => &["rule", "subject", "accepted_by", "expires"],
        Kind::Plan => &["person", "mode", "leaving_at", "owner"],
        Kind::Escrow => &["name", "system", "threshold", "generation", "sealed_on"],
        Kind::Review => &["name", "scope", "due", "status"],
        Kind::Incident => &["title", "started", "commander", "status"],
    }
}

/// What an absent field means, for the columns where that is not "nothing": exports
/// leave defaults out, but a table should say `active` rather than show a blank.
fn default_shown(kind: Kind, column: &str) -> &'static str {
    use handover_core::*;
    match (kind, column) {
        (Kind::Person, "status") => PersonStatus::default().as_str(),
        (Kind::Person, "kind") => PersonKind::default().as_str(),
        (Kind::Account, "status") => AccountStatus::default().as_str(),
        (Kind::Account, "kind") => AccountKind::default().as_str(),
        (Kind::Vendor, "kind") => VendorKind::default().as_str(),
        (Kind::System, "kind") => SystemKind::default().as_str(),
        (Kind::Credential, "kind") => CredentialKind::default().as_str(),
        (Kind::Project, "status") => ProjectStatus::default().as_str(),
        _ => "",
    }
}

fn list(ctx: &Context, kind: Kind, format: Format) -> Result<()> {
    let records = ctx.store()?.list(kind)?;
    match format {
        Format::Json => output::json(&records.iter().map(keyed_json).collect::<Vec<_>>()),
        Format::Table => {
            let cols = columns(kind);
            let mut header = vec!["key"];
            header.extend_from_slice(cols);
            let mut t = output::table(&header);
            for r in &records {
                let v = r.to_json();
                let mut row = vec![r.key()];
                row.extend(cols.iter().map(|c| v.get(*c).map_or_else(|| default_shown(kind, c).to_string(), |x| output::cell(Some(x)))));
                t.add_row(row);
            }
            println!("{t}");
            println!("{} {}", records.len(), if records.len() == 1 { kind.as_str() } else { kind.plural() });
            Ok(())
        }
    }
}

/// "there is no KIND KEY", and the command that lists the keys.
pub fn not_found(kind: Kind, key: &str) -> anyhow::Error {
    user(ErrorCode::RecordNotFound, format!("there is no {kind} {key:?}; `handover {kind} list` shows the keys"))
}

fn show(ctx: &Context, kind: Kind, key: &str, format: Format) -> Result<()> {
    let inv = ctx.store()?.load()?;
    let record = inv.get(kind, key).ok_or_else(|| not_found(kind, key))?;
    let referrers = inv.referrers(kind, key);
    match format {
        Format::Json => {
            let refs: Vec<Value> =
                referrers.iter().map(|(k, key, field)| serde_json::json!({"kind": k, "key": key, "field": field})).collect();
            output::json(&serde_json::json!({"kind": kind, "record": keyed_json(record), "referenced_by": refs}))
        }
        Format::Table => {
            println!("{kind} {key}");
            print!("{}", indent(&yaml::to_yaml(&record.to_json())));
            if !referrers.is_empty() {
                println!("referenced by:");
                for (k, key, field) in &referrers {
                    println!("  {k} {key} ({field})");
                }
            }
            Ok(())
        }
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// Sets `path` (dotted, e.g. `patching.owner`) in `object` from the text after `=`.
fn assign(kind: Kind, object: &mut Map<String, Value>, assignment: &str) -> Result<()> {
    let Some((field, text)) = assignment.split_once('=') else {
        return Err(user(ErrorCode::InvalidField, format!("{assignment:?} is not FIELD=VALUE; `handover {kind} --help` lists the fields")));
    };
    let field = field.trim();
    let spec = fields::find(kind, field).ok_or_else(|| {
        let names: Vec<_> = fields::fields(kind).iter().map(|f| f.name).collect();
        user(ErrorCode::UnknownField, format!("a {kind} has no field `{field}`; its fields are: {}", names.join(", ")))
    })?;
    let bad = |why: String| user(ErrorCode::InvalidField, format!("field `{field}`: {why}"));
    let value = if text.is_empty() {
        None
    } else {
        Some(match spec.ty {
            FieldType::Int => Value::from(text.trim().parse::<i64>().map_err(|_| bad(format!("{text:?} is not a whole number")))?),
            FieldType::Bool => match text.trim() {
                "true" | "yes" => Value::Bool(true),
                "false" | "no" => Value::Bool(false),
                _ => return Err(bad(format!("{text:?} is not true or false"))),
            },
            FieldType::Refs(_) | FieldType::Texts => {
                Value::Array(text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect())
            }
            FieldType::Json => serde_json::from_str(text).map_err(|e| bad(format!("not valid JSON: {e}")))?,
            _ => Value::String(text.to_string()),
        })
    };
    let mut target = object;
    let mut parts: Vec<&str> = field.split('.').collect();
    let last = parts.pop().unwrap_or(field);
    for part in parts {
        let slot = target.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        target = slot.as_object_mut().ok_or_else(|| bad("not a nested field".into()))?;
    }
    match value {
        Some(v) => target.insert(last.to_string(), v),
        None => target.remove(last),
    };
    Ok(())
}

pub fn build(kind: Kind, object: Map<String, Value>) -> Result<Record> {
    Record::from_json(kind, Value::Object(object)).map_err(|e| {
        let message = e.to_string();
        let code = if message.starts_with("missing field") { ErrorCode::MissingField } else { ErrorCode::InvalidField };
        user(code, format!("{kind}: {message}; `handover {kind} --help` lists the fields"))
    })
}

/// Writes one record (created or changed) through the validated change path: the whole
/// inventory must still validate, and only that record's kind is diffed.
pub fn save_one(ctx: &Context, store: &mut dyn Store, current: &Inventory, record: Record) -> Result<()> {
    let kind = record.kind();
    let mut target = current.clone();
    target.insert(record);
    let problems = target.validate();
    if let Some(p) = problems.first() {
        return Err(user(p.code, p.to_string()));
    }
    store.apply(&current.diff(&target, &[kind]), &ctx.actor)?;
    Ok(())
}

/// Validates `target` and writes the difference from `current`.
fn commit(ctx: &Context, store: &mut dyn Store, current: &Inventory, target: &Inventory, code_if_invalid: Option<ErrorCode>) -> Result<()> {
    let problems = target.validate();
    if !problems.is_empty() {
        let code = code_if_invalid.unwrap_or(problems[0].code);
        return Err(user_with(code, "nothing was changed".to_string(), problems.iter().map(|p| p.to_string()).collect()));
    }
    let changes = current.diff(target, &Kind::ALL);
    store.apply(&changes, &ctx.actor)?;
    for c in &changes.changes {
        println!("{}", c.describe());
    }
    if changes.is_empty() {
        println!("No change.");
    }
    Ok(())
}

fn add(ctx: &Context, kind: Kind, args: Vec<String>) -> Result<()> {
    add_record(ctx, build(kind, fields_of(kind, &args)?)?)
}

/// `KEY field=value …` (or only fields, for derived keys) as the record's JSON fields.
pub fn fields_of(kind: Kind, args: &[String]) -> Result<Map<String, Value>> {
    let mut object = Map::new();
    let mut assignments = args;
    if kind.has_slug_key() {
        match args.first() {
            Some(key) if !key.contains('=') => {
                object.insert("key".into(), Value::String(key.clone()));
                assignments = &args[1..];
            }
            _ => {
                return Err(user(
                    ErrorCode::MissingField,
                    format!("give the new {kind}'s key first: `handover {kind} add KEY field=value …`"),
                ))
            }
        }
    }
    for a in assignments {
        assign(kind, &mut object, a)?;
    }
    Ok(object)
}

/// Adds a new record (refusing an existing key) through validation, printing the change.
pub fn add_record(ctx: &Context, record: Record) -> Result<()> {
    let kind = record.kind();
    let mut store = ctx.store()?;
    let current = store.load()?;
    if current.contains(kind, &record.key()) {
        return Err(user(
            ErrorCode::DuplicateKey,
            format!("there already is a {kind} {:?}; use `handover {kind} set` to change it", record.key()),
        ));
    }
    let mut target = current.clone();
    target.insert(record);
    commit(ctx, &mut store, &current, &target, None)
}

fn set(ctx: &Context, kind: Kind, key: &str, assignments: &[String]) -> Result<()> {
    let mut store = ctx.store()?;
    let current = store.load()?;
    let record = current.get(kind, key).ok_or_else(|| not_found(kind, key))?;
    let Value::Object(mut object) = record.to_json() else { unreachable!("records serialise to objects") };
    for a in assignments {
        assign(kind, &mut object, a)?;
    }
    let updated = build(kind, object)?;
    if updated.key() != key {
        return Err(user(
            ErrorCode::InvalidKey,
            format!("`set` cannot change a {kind}'s key (from {key:?} to {:?}); add a new one and remove the old", updated.key()),
        ));
    }
    let mut target = current.clone();
    target.insert(updated);
    commit(ctx, &mut store, &current, &target, None)
}

fn rm(ctx: &Context, kind: Kind, key: &str) -> Result<()> {
    let mut store = ctx.store()?;
    let current = store.load()?;
    if !current.contains(kind, key) {
        return Err(not_found(kind, key));
    }
    let mut target = current.clone();
    target.remove(kind, key);
    if kind == Kind::Account {
        // Grants are part of their account, as in the org file.
        for (k, grant_key, _) in current.referrers(Kind::Account, key) {
            if k == Kind::Grant {
                target.remove(Kind::Grant, &grant_key);
            }
        }
    }
    commit(ctx, &mut store, &current, &target, Some(ErrorCode::RecordInUse))
}

/// `handover policy review KEY --reviewer P --notes …`: appends the review, sets
/// `last_reviewed` to today, and says when the next one is due.
pub fn review_policy(ctx: &Context, key: &str, reviewer: &str, notes: &str) -> Result<()> {
    let mut store = ctx.store()?;
    let current = store.load()?;
    let Some(Record::Policy(policy)) = current.get(Kind::Policy, key) else { return Err(not_found(Kind::Policy, key)) };
    let mut policy = (**policy).clone();
    handover_governance::policy::review(&current, &mut policy, reviewer, notes, ctx.today)
        .map_err(|(code, message)| user(code, message))?;
    save_review(ctx, store.as_mut(), &current, policy)
}

/// Saves a policy just reviewed and says when the next review is due.
pub fn save_review(ctx: &Context, store: &mut dyn Store, current: &Inventory, policy: handover_core::Policy) -> Result<()> {
    let (key, next) = (policy.key.clone(), policy.next_review());
    let reviewer = policy.reviews.last().map(|r| r.reviewer.clone()).unwrap_or_default();
    save_one(ctx, store, current, Record::from(policy))?;
    match next {
        Some(next) => println!("Recorded the review of {key} by {reviewer}; the next one is due {next}."),
        None => println!("Recorded the review of {key} by {reviewer}; it has no review interval (set one: `handover policy set {key} review_interval=365d`)."),
    }
    Ok(())
}
