//! AWS IAM: the JSON of `aws iam get-account-authorization-details` (`UserDetailList`,
//! `GroupDetailList`, `RoleDetailList`, `Policies`) and, optionally, the 22-column IAM
//! credential report (`aws iam get-credential-report`: the CSV itself, or the command's JSON
//! with the base64 `Content`).
//!
//! What counts as what:
//! - an **account** is a principal that can act:
//!   - an IAM user, named by `UserName`, kind `personal` — or `service` when the credential
//!     report shows no console password but an active access key (a programmatic user).
//!     With a report, a user with no console password, no active access key and no active
//!     signing certificate cannot authenticate and is `disabled`. `mfa` is the report's
//!     `mfa_active`; `last_used` the latest of `password_last_used`,
//!     `access_key_1_last_used_date` and `access_key_2_last_used_date`; `created` is
//!     `CreateDate` (else `user_creation_time`). A user on two report rows (seen in real
//!     reports) takes the row with the latest use, with a warning.
//!   - the account's root user, `<root_account>` (from the report only), kind `shared`, with
//!     an admin grant `account root user`.
//!   - an IAM role, `role:NAME`, kind `role`; `last_used` is `RoleLastUsed.LastUsedDate`.
//!     Whoever its trust policy (`AssumeRolePolicyDocument`, `Allow` statements) names may
//!     assume it, so each such principal gets a `member_of` edge to the role: users and roles
//!     of the file by ARN; anything else becomes an account of its own — `service:NAME` (kind
//!     `service`) for a `Service` principal, and the ARN (or account id, or `*`) itself for
//!     other `AWS` and `Federated` principals: kind `personal` with the session name as
//!     e-mail hint for an `assumed-role/…/someone@example.com` session, `shared` otherwise (an
//!     account root, another account, a federation provider, everyone). Conditions are not
//!     evaluated.
//! - a **group** (an entitlement container) is an IAM group, `group:NAME`, kind `group`, with
//!   a `member of NAME` grant (level read) — members come from each user's `GroupList` — or a
//!   managed policy, `policy:NAME` (the ARN when two policies share a name), kind `group`,
//!   with one grant `policy NAME` at the policy's level; users, groups and roles it is attached
//!   to (`AttachedManagedPolicies`) are its members.
//! - an inline policy (`UserPolicyList`, `GroupPolicyList`, `RolePolicyList`) is a direct grant
//!   `inline policy NAME` on its principal, at the policy's level.
//! - a **grant** in the summary is a direct account→entitlement edge: a membership, an
//!   attachment, an assumable role, an inline policy.
//!
//! **Levels** (the rule set), from the policy's default version (`IsDefaultVersion`, else
//! `DefaultVersionId`, else the first), `Allow` statements only (a `Deny` never lowers a level):
//! - by name, for AWS managed policies (`arn:aws:iam::aws:policy/…`): `AdministratorAccess`
//!   and `IAMFullAccess` are admin; `ViewOnlyAccess`, `SecurityAudit` and any `…ReadOnly…`
//!   are read (their documents list hundreds of read actions with unusual verbs).
//! - **admin**: a statement on
//!   `Resource: "*"` (or any `NotResource`) whose `Action` patterns match `*`/`*:*`/`iam:*` or
//!   any action that lets a principal grant itself more — `iam:Attach{User,Group,Role}Policy`,
//!   `iam:Put{User,Group,Role}Policy`, `iam:CreatePolicyVersion`,
//!   `iam:SetDefaultPolicyVersion`, `iam:UpdateAssumeRolePolicy`, `iam:AddUserToGroup`,
//!   `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile` (patterns with
//!   `*` and `?` are matched as IAM matches them, case-insensitively); or a `NotAction`
//!   statement on `*` that excludes none of those actions.
//! - **write**: any other allowed action that is not read-only (read-only: the action name
//!   starts with `Get`, `List`, `Describe`, `View`, `BatchGet`, `BatchDescribe`, `Lookup`,
//!   `Search`, `Select`, `Query`, `Scan`, `Read`, `Check`, `Validate`, `Verify`, `Detect`,
//!   `Retrieve`, `Is`, `Count`, `Simulate`, `Estimate`, `Evaluate`, `Filter`, `Test`,
//!   `Preview`, `Discover` or `Compare`).
//! - **read**: the rest. A policy attached but absent from `Policies` is judged by its name:
//!   admin as above, write for `…FullAccess` and `PowerUserAccess`, read otherwise.
//!
//! Policy documents may be JSON objects (as the CLI prints them) or URL-encoded JSON strings
//! (as the API returns them). Unknown attributes are ignored; passwords and keys are never in
//! these files.

use crate::reconcile::{Hints, Imported};
use base64::Engine;
use handover_core::{Account, AccountKind, AccountStatus, Grant, Level};
use jiff::civil::Date;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where the file is wrong (see [`crate::error::LocatedError`]).
pub type AwsIamError = crate::error::LocatedError;

/// One row of the credential report: what it says about one user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRow {
    pub user: String,
    pub arn: Option<String>,
    pub created: Option<Date>,
    /// `None` for `not_supported` (the root user).
    pub password_enabled: Option<bool>,
    pub mfa_active: Option<bool>,
    pub access_keys_active: bool,
    pub certs_active: bool,
    pub last_used: Option<Date>,
    /// The report line the row starts on.
    pub line: u64,
}

const ROOT: &str = "<root_account>";
const REPORT_COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// Reads a credential report: the CSV, or the JSON `GetCredentialReport` answer whose
/// `Content` is the CSV (base64 as the API and CLI give it, or plain text).
pub fn credential_report(file: &str, bytes: &[u8]) -> Result<Vec<ReportRow>, AwsIamError> {
    let err = |at: String, message: String| AwsIamError { file: file.to_string(), at, message };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let decoded: Vec<u8>;
    let csv_bytes: &[u8] = if first == Some(&b'{') {
        let doc: Value =
            serde_json::from_slice(bytes).map_err(|e| err(format!("{}:{}", e.line(), e.column()), format!("not valid JSON: {e}")))?;
        let content = doc
            .get("Content")
            .or_else(|| doc.pointer("/data/Content"))
            .and_then(Value::as_str)
            .ok_or_else(|| err("Content".into(), "a GetCredentialReport answer needs `Content` (the report)".into()))?;
        decoded = if content.trim_start().starts_with("user,") {
            content.as_bytes().to_vec()
        } else {
            let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|e| err("Content".into(), format!("`Content` is neither the report nor base64: {e}")))?
        };
        &decoded
    } else {
        bytes
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv_bytes);
    let headers = reader.headers().map_err(|e| err("line 1".into(), format!("cannot read the header: {e}")))?.clone();
    let column: HashMap<String, usize> = headers.iter().enumerate().map(|(i, h)| (h.trim().to_ascii_lowercase(), i)).collect();
    if !column.contains_key("user") {
        return Err(err(
            "line 1".into(),
            format!("not a credential report: no `user` column (expected the columns {})", REPORT_COLUMNS.join(",")),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(format!("line {line}"), format!("cannot read the row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let get = |name: &str| column.get(name).and_then(|i| record.get(*i)).map(str::trim).filter(|v| !v.is_empty());
        let flag = |name: &str| -> Result<Option<bool>, AwsIamError> {
            match get(name) {
                None | Some("N/A" | "not_supported" | "no_information") => Ok(None),
                Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
                Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
                Some(v) => Err(err(format!("line {line}, column {name}"), format!("{v:?} is neither true nor false"))),
            }
        };
        let date = |name: &str| -> Result<Option<Date>, AwsIamError> {
            match get(name) {
                None | Some("N/A" | "not_supported" | "no_information") => Ok(None),
                Some(v) => date_of(v).map(Some).ok_or_else(|| err(format!("line {line}, column {name}"), format!("{v:?} is not a date"))),
            }
        };
        let Some(user) = get("user") else {
            return Err(err(format!("line {line}, column user"), "a row without a user name".into()));
        };
        let last_used = [date("password_last_used")?, date("access_key_1_last_used_date")?, date("access_key_2_last_used_date")?]
            .into_iter()
            .flatten()
            .max();
        rows.push(ReportRow {
            user: user.to_string(),
            arn: get("arn").map(str::to_string),
            created: date("user_creation_time")?,
            password_enabled: flag("password_enabled")?,
            mfa_active: flag("mfa_active")?,
            access_keys_active: flag("access_key_1_active")? == Some(true) || flag("access_key_2_active")? == Some(true),
            certs_active: flag("cert_1_active")? == Some(true) || flag("cert_2_active")? == Some(true),
            last_used,
            line,
        });
    }
    Ok(rows)
}

/// `2016-11-29T19:16:36+00:00`, `2023-03-09 10:41:45+00:00` or `2023-03-09` → the date.
fn date_of(v: &str) -> Option<Date> {
    v.get(..10)?.parse().ok()
}

/// The admin rule set's actions: with any of them on every resource, a principal can give
/// itself everything.
const ESCALATION: [&str; 15] = [
    "*:*",
    "iam:*",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
];
const READ_ONLY: [&str; 27] = [
    "get",
    "list",
    "describe",
    "view",
    "batchget",
    "batchdescribe",
    "lookup",
    "search",
    "select",
    "query",
    "scan",
    "read",
    "check",
    "validate",
    "verify",
    "detect",
    "retrieve",
    "is",
    "count",
    "simulate",
    "estimate",
    "evaluate",
    "filter",
    "test",
    "preview",
    "discover",
    "compare",
];

/// IAM's wildcard match (`*` any run, `?` one character), case-insensitive.
pub fn matches(pattern: &str, action: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let a: Vec<char> = action.to_lowercase().chars().collect();
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < a.len() {
        if i < p.len() && (p[i] == '?' || p[i] == a[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

fn allows(s: &Value) -> bool {
    s.get("Effect").and_then(Value::as_str).is_some_and(|e| e.eq_ignore_ascii_case("allow"))
}

/// The level a policy document grants, by the rule set in the module doc.
pub fn document_level(doc: &Value) -> Level {
    let mut level = Level::Read;
    for s in statements(doc).into_iter().filter(|s| allows(s)) {
        let everywhere = strings(s.get("Resource")).contains(&"*") || s.get("NotResource").is_some();
        let actions = strings(s.get("Action"));
        if let Some(not) = s.get("NotAction") {
            let excluded = strings(Some(not));
            if everywhere && ESCALATION[2..].iter().any(|e| !excluded.iter().any(|x| matches(x, e))) {
                return Level::Admin;
            }
            level = Level::Write;
            continue;
        }
        if everywhere && actions.iter().any(|a| ESCALATION.iter().any(|e| matches(a, e))) {
            return Level::Admin;
        }
        let writes = actions.iter().any(|a| {
            let verb = a.split_once(':').map_or(*a, |(_, v)| v).to_lowercase();
            !READ_ONLY.iter().any(|r| verb.starts_with(r))
        });
        if writes {
            level = Level::Write;
        }
    }
    level
}

/// The level of an attached policy whose document the file lacks, by its name.
fn level_by_name(name: &str) -> Level {
    match name {
        "AdministratorAccess" | "IAMFullAccess" => Level::Admin,
        n if n.ends_with("FullAccess") || n == "PowerUserAccess" => Level::Write,
        _ => Level::Read,
    }
}

/// AWS's own policies whose names say what they grant, whatever their long documents hold.
fn aws_managed_level(arn: &str, name: &str) -> Option<Level> {
    if !arn.starts_with("arn:aws:iam::aws:") {
        return None;
    }
    match name {
        "AdministratorAccess" | "IAMFullAccess" => Some(Level::Admin),
        "ViewOnlyAccess" | "SecurityAudit" => Some(Level::Read),
        n if n.contains("ReadOnly") => Some(Level::Read),
        _ => None,
    }
}

/// `%7B%22Version…` → `{"Version…`.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A policy document as given: an object, or (from the API) URL-encoded JSON text.
fn document(v: Option<&Value>) -> Option<Value> {
    match v? {
        o @ Value::Object(_) => Some(o.clone()),
        Value::String(s) => {
            let text = if s.trim_start().starts_with('{') { s.clone() } else { percent_decode(s)? };
            serde_json::from_str(&text).ok()
        }
        _ => None,
    }
}

fn text<'a>(r: &'a Value, field: &str) -> Option<&'a str> {
    r.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn list<'a>(doc: &'a Value, field: &str) -> Result<&'a [Value], String> {
    match doc.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("`{field}` must be a list")),
    }
}

/// What the parse collects before it becomes records.
struct Builder<'s> {
    system: &'s str,
    accounts: BTreeMap<String, (Account, Hints)>,
    member_of: BTreeMap<String, BTreeSet<String>>,
    grants: Vec<Grant>,
    /// Managed policies: ARN → (account name, level), and the names already taken.
    policies: HashMap<String, String>,
    policy_names: BTreeSet<String>,
}

impl Builder<'_> {
    fn key(&self, name: &str) -> String {
        Account::key_of(self.system, name)
    }

    fn add(&mut self, account: Account, hints: Hints) -> String {
        let key = self.key(&account.name);
        self.accounts.entry(key.clone()).or_insert((account, hints));
        key
    }

    fn grant(&mut self, account: &str, privilege: String, level: Level) {
        if !self.grants.iter().any(|g| g.account == account && g.privilege == privilege) {
            self.grants.push(Grant { account: account.to_string(), privilege, level, via: None });
        }
    }

    fn edge(&mut self, from: &str, to: &str) {
        if from != to {
            self.member_of.entry(from.to_string()).or_default().insert(to.to_string());
        }
    }

    /// The account of a managed policy, created on first sight.
    fn policy(&mut self, arn: &str, name: &str, level: Level) -> String {
        if let Some(n) = self.policies.get(arn) {
            return self.key(n);
        }
        let account = if self.policy_names.insert(name.to_string()) { format!("policy:{name}") } else { format!("policy:{arn}") };
        self.policies.insert(arn.to_string(), account.clone());
        let key = self.add(Account::new(self.system, &account, AccountKind::Group), Hints::default());
        self.grant(&key, format!("policy {name}"), level);
        key
    }

    /// Attachments and inline policies of a user, group or role at `path`.
    fn entitlements(&mut self, owner: &str, r: &Value, inline_field: &str, path: &str) -> Result<(), String> {
        for (i, p) in list(r, "AttachedManagedPolicies").map_err(|e| format!("{path}: {e}"))?.iter().enumerate() {
            let name = text(p, "PolicyName").ok_or_else(|| format!("{path}.AttachedManagedPolicies[{i}]: needs a `PolicyName`"))?;
            let arn = text(p, "PolicyArn").unwrap_or(name);
            let key = self.policy(arn, name, level_by_name(name));
            self.edge(owner, &key);
        }
        for (i, p) in list(r, inline_field).map_err(|e| format!("{path}: {e}"))?.iter().enumerate() {
            let name = text(p, "PolicyName").ok_or_else(|| format!("{path}.{inline_field}[{i}]: needs a `PolicyName`"))?;
            let level = document(p.get("PolicyDocument")).map_or(Level::Read, |d| document_level(&d));
            self.grant(owner, format!("inline policy {name}"), level);
        }
        Ok(())
    }
}

/// Reads the authorization details (and the credential report, when given) as the access
/// of `system`.
pub fn parse(system: &str, file: &str, bytes: &[u8], report: Option<(&str, &[u8])>) -> Result<Imported, AwsIamError> {
    let err = |at: String, message: String| AwsIamError { file: file.to_string(), at, message };
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| err(format!("{}:{}", e.line(), e.column()), format!("not valid JSON: {e}")))?;
    if !doc.is_object() {
        return Err(err("1:1".into(), "expected the object `aws iam get-account-authorization-details` prints".into()));
    }
    let rows = match report {
        Some((name, bytes)) => credential_report(name, bytes)?,
        None => Vec::new(),
    };
    // A path-and-message error from the builder, placed in this file.
    let at_path = |e: String| match e.split_once(": ") {
        Some((path, message)) => err(path.to_string(), message.to_string()),
        None => err(String::new(), e),
    };
    let list_of = |field: &str| list(&doc, field).map_err(|m| err(field.to_string(), m));
    let mut out = Imported::default();
    let mut b = Builder {
        system,
        accounts: BTreeMap::new(),
        member_of: BTreeMap::new(),
        grants: Vec::new(),
        policies: HashMap::new(),
        policy_names: BTreeSet::new(),
    };
    // Managed policies first, so attachments find their documents' levels.
    for (i, p) in list_of("Policies")?.iter().enumerate() {
        let path = format!("Policies[{i}]");
        let name = text(p, "PolicyName").ok_or_else(|| err(path.clone(), "a policy needs a `PolicyName`".into()))?;
        let arn = text(p, "Arn").unwrap_or(name);
        let versions = list(p, "PolicyVersionList").map_err(|m| err(path.clone(), m))?;
        let default = versions
            .iter()
            .find(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
            .or_else(|| versions.iter().find(|v| text(v, "VersionId").is_some() && text(v, "VersionId") == text(p, "DefaultVersionId")))
            .or_else(|| versions.first());
        let level = match (aws_managed_level(arn, name), default.and_then(|v| document(v.get("Document")))) {
            (Some(level), _) => level,
            (None, Some(d)) => document_level(&d),
            (None, None) => level_by_name(name),
        };
        if b.policies.contains_key(arn) {
            out.warnings.push(format!("{file}: {path}: a second policy {arn}; the first is kept"));
            continue;
        }
        b.policy(arn, name, level);
    }
    let mut by_arn: HashMap<String, String> = HashMap::new();
    let mut group_keys: HashMap<String, String> = HashMap::new();
    for (i, g) in list_of("GroupDetailList")?.iter().enumerate() {
        let path = format!("GroupDetailList[{i}]");
        let name = text(g, "GroupName").ok_or_else(|| err(path.clone(), "a group needs a `GroupName`".into()))?;
        let mut account = Account::new(system, format!("group:{name}"), AccountKind::Group);
        account.created = text(g, "CreateDate").and_then(date_of);
        let key = b.add(account, Hints::default());
        b.grant(&key, format!("member of {name}"), Level::Read);
        group_keys.insert(name.to_string(), key.clone());
        b.entitlements(&key, g, "GroupPolicyList", &path).map_err(at_path)?;
    }
    // A user on two rows (real reports have them): the row with the latest use wins.
    let mut report_by_user: HashMap<&str, &ReportRow> = HashMap::new();
    for row in &rows {
        if let Some(seen) = report_by_user.insert(row.user.as_str(), row) {
            out.warnings.push(format!(
                "{}: line {}: a second row for {:?}; the row with the latest use is kept",
                report.map_or("", |r| r.0),
                row.line,
                row.user
            ));
            if seen.last_used > row.last_used {
                report_by_user.insert(seen.user.as_str(), seen);
            }
        }
    }
    let mut unknown_groups = BTreeSet::new();
    for (i, u) in list_of("UserDetailList")?.iter().enumerate() {
        let path = format!("UserDetailList[{i}]");
        let name = text(u, "UserName").ok_or_else(|| err(path.clone(), "a user needs a `UserName`".into()))?;
        if b.accounts.contains_key(&b.key(name)) {
            out.warnings.push(format!("{file}: {path}: a second user named {name:?}; the first is kept"));
            continue;
        }
        let mut account = Account::new(system, name, AccountKind::Personal);
        account.created = text(u, "CreateDate").and_then(date_of);
        account.last_used = text(u, "PasswordLastUsed").and_then(date_of);
        if let Some(row) = report_by_user.get(name) {
            apply_report(&mut account, row);
        }
        let key = b.add(account, Hints::default());
        if let Some(arn) = text(u, "Arn") {
            by_arn.insert(arn.to_string(), key.clone());
        }
        for (j, g) in list(u, "GroupList").map_err(|m| err(path.clone(), m))?.iter().enumerate() {
            let g = g.as_str().ok_or_else(|| err(format!("{path}.GroupList[{j}]"), "a group name must be text".into()))?;
            let group = match group_keys.get(g) {
                Some(k) => k.clone(),
                None => {
                    unknown_groups.insert(g.to_string());
                    let k = b.add(Account::new(system, format!("group:{g}"), AccountKind::Group), Hints::default());
                    b.grant(&k, format!("member of {g}"), Level::Read);
                    group_keys.insert(g.to_string(), k.clone());
                    k
                }
            };
            b.edge(&key, &group);
        }
        b.entitlements(&key, u, "UserPolicyList", &path).map_err(at_path)?;
    }
    if !unknown_groups.is_empty() {
        out.warnings.push(format!(
            "{file}: users are in groups missing from GroupDetailList (created without policies): {}",
            unknown_groups.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let roles = list_of("RoleDetailList")?;
    let mut role_keys = Vec::new();
    for (i, r) in roles.iter().enumerate() {
        let path = format!("RoleDetailList[{i}]");
        let name = text(r, "RoleName").ok_or_else(|| err(path.clone(), "a role needs a `RoleName`".into()))?;
        let mut account = Account::new(system, format!("role:{name}"), AccountKind::Role);
        account.created = text(r, "CreateDate").and_then(date_of);
        account.last_used = r.pointer("/RoleLastUsed/LastUsedDate").and_then(Value::as_str).and_then(date_of);
        let key = b.add(account, Hints::default());
        if let Some(arn) = text(r, "Arn") {
            by_arn.insert(arn.to_string(), key.clone());
        }
        b.entitlements(&key, r, "RolePolicyList", &path).map_err(at_path)?;
        role_keys.push((key, r));
    }
    // Trust policies, once every user and role is known by ARN.
    for (role, r) in role_keys {
        let Some(trust) = document(r.get("AssumeRolePolicyDocument")) else { continue };
        for s in statements(&trust).into_iter().filter(|s| allows(s)) {
            for (principal_type, id) in principals(s.get("Principal")) {
                let who = match by_arn.get(&id) {
                    Some(k) => k.clone(),
                    None => {
                        let (name, kind, email) = trusted(&principal_type, &id);
                        b.add(Account::new(system, &name, kind), Hints { email, display_name: None })
                    }
                };
                b.edge(&who, &role);
            }
        }
    }
    // Users only the report knows (and the root user).
    let mut report_only = Vec::new();
    for row in &rows {
        let name = row.user.as_str();
        let row = report_by_user.get(name).copied().unwrap_or(row);
        if b.accounts.contains_key(&b.key(name)) {
            continue;
        }
        let kind = if name == ROOT { AccountKind::Shared } else { AccountKind::Personal };
        let mut account = Account::new(system, name, kind);
        apply_report(&mut account, row);
        let key = b.add(account, Hints::default());
        if name == ROOT {
            b.grant(&key, "account root user".into(), Level::Admin);
        } else {
            report_only.push(name.to_string());
        }
    }
    if !report_only.is_empty() {
        out.warnings.push(format!(
            "{}: {} users are in the credential report but not in the authorization details (imported without groups or policies): {}",
            report.map_or("", |r| r.0),
            report_only.len(),
            report_only.join(", ")
        ));
    }
    let Builder { accounts, mut member_of, grants, .. } = b;
    for (key, (mut account, hints)) in accounts {
        account.member_of = member_of.remove(&key).unwrap_or_default().into_iter().collect();
        out.accounts.push((account, hints));
    }
    out.grants = grants;
    Ok(out)
}

/// What the report says, on an account: MFA, last use, creation, and whether it can sign in.
fn apply_report(account: &mut Account, row: &ReportRow) {
    account.mfa = row.mfa_active;
    account.last_used = account.last_used.max(row.last_used);
    account.created = account.created.or(row.created);
    if row.user == ROOT {
        return;
    }
    let password = row.password_enabled == Some(true);
    if !password && row.access_keys_active {
        account.kind = AccountKind::Service;
    }
    if !password && !row.access_keys_active && !row.certs_active {
        account.status = AccountStatus::Disabled;
    }
}

/// `(type, id)` of each principal a trust statement names.
fn principals(p: Option<&Value>) -> Vec<(String, String)> {
    match p {
        Some(Value::String(s)) => vec![("AWS".into(), s.clone())],
        Some(Value::Object(o)) => {
            o.iter().flat_map(|(t, v)| strings(Some(v)).into_iter().map(move |id| (t.clone(), id.to_string()))).collect()
        }
        _ => Vec::new(),
    }
}

/// A trusted principal outside the file: its account name, kind and e-mail hint.
fn trusted(principal_type: &str, id: &str) -> (String, AccountKind, Option<String>) {
    if principal_type == "Service" {
        return (format!("service:{id}"), AccountKind::Service, None);
    }
    // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION — a session named after a person.
    if let Some(session) = id.contains(":assumed-role/").then(|| id.rsplit('/').next()).flatten().filter(|s| s.contains('@')) {
        return (id.to_string(), AccountKind::Personal, Some(session.to_string()));
    }
    (id.to_string(), AccountKind::Shared, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(matches("*", "iam:PutUserPolicy"));
        assert!(matches("iam:Put*", "iam:PutUserPolicy"));
        assert!(matches("IAM:put?serPolicy", "iam:PutUserPolicy"));
        assert!(!matches("iam:Get*", "iam:PutUserPolicy"));
        assert!(matches("*:*", "*:*"));
        assert!(!matches("s3:*", "iam:*"));
    }

    #[test]
    fn levels_follow_the_rule_set() {
        let doc = |s: &str| -> Value { serde_json::from_str(s).unwrap() };
        let admin = doc(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#);
        assert_eq!(document_level(&admin), Level::Admin);
        let escalate = doc(r#"{"Statement": {"Effect": "Allow", "Action": ["iam:Attach*"], "Resource": "*"}}"#);
        assert_eq!(document_level(&escalate), Level::Admin);
        let scoped = doc(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket"}]}"#);
        assert_eq!(document_level(&scoped), Level::Write);
        let read = doc(r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*"}]}"#);
        assert_eq!(document_level(&read), Level::Read);
        let deny = doc(r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#);
        assert_eq!(document_level(&deny), Level::Read);
        let power = doc(r#"{"Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]}"#);
        assert_eq!(document_level(&power), Level::Write);
        let encoded = Value::String(
            "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D".into(),
        );
        assert_eq!(document(Some(&encoded)).map(|d| document_level(&d)), Some(Level::Admin));
    }

    #[test]
    fn report_errors_name_line_and_column() {
        let csv = "user,arn,password_enabled,mfa_active\nann,arn:aws:iam::1:user/ann,true,true\nbob,arn:aws:iam::1:user/bob,maybe,false\n";
        let e = credential_report("r.csv", csv.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "r.csv:line 3, column password_enabled: \"maybe\" is neither true nor false");
        let e = credential_report("r.csv", b"name,arn\nx,y\n").unwrap_err();
        assert!(e.to_string().starts_with("r.csv:line 1: not a credential report"), "{e}");
    }

    proptest! {
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300), report in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse("aws", "fuzz.json", &bytes, Some(("fuzz.csv", &report)));
        }

        #[test]
        fn never_panics_on_iam_like_json(s in r#"(\{|\}|\[|\]|"UserDetailList"|"RoleDetailList"|"GroupDetailList"|"Policies"|"UserName"|"RoleName"|"GroupList"|"AssumeRolePolicyDocument"|"Statement"|"Principal"|"AWS"|"Effect"|"Allow"|"Action"|"Resource"|"\*"|"%7B"|"a"|:|,|true|1){0,80}"#,
                                        report in "(user|arn|mfa_active|password_enabled|true|false|N/A|2016-01-01T00:00:00|,|\n|\"|<root_account>|a){0,40}") {
            let _ = parse("aws", "fuzz.json", s.as_bytes(), Some(("fuzz.csv", report.as_bytes())));
            let _ = credential_report("fuzz.csv", report.as_bytes());
        }
    }
}
