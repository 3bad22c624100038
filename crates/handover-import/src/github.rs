//! GitHub organisation access, from the GitHub REST API's own response bodies gathered into
//! one JSON document (a *bundle*), or a plain array of members (`GET /orgs/{org}/members`).
//!
//! The bundle — every key optional; each value is exactly what the named endpoint returns
//! (all pages concatenated):
//!
//! ```json
//! {
//!   "org": "example",                       // the organisation's login (names repositories)
//!   "members": [...],                       // GET /orgs/{org}/members
//!   "admins": [...],                        // GET /orgs/{org}/members?role=admin (owners)
//!   "members_2fa_disabled": [...],          // GET /orgs/{org}/members?filter=2fa_disabled
//!   "outside_collaborators": [...],         // GET /orgs/{org}/outside_collaborators
//!   "outside_collaborators_2fa_disabled": [...], // …/outside_collaborators?filter=2fa_disabled
//!   "teams": [...],                         // GET /orgs/{org}/teams
//!   "team_members": {"SLUG": [...]},        // GET /orgs/{org}/teams/{team_slug}/members
//!   "team_repos": {"SLUG": [...]},          // GET /orgs/{org}/teams/{team_slug}/repos
//!   "repos": {"REPO": {"collaborators": [...]}} // GET /repos/{org}/{repo}/collaborators
//! }
//! ```
//!
//! Users are the API's simple-user objects (`login` required; `type`, `name`, `email` read
//! when present); teams need `slug` (`name`, `parent.slug` read); repositories in `team_repos`
//! need `name` or `full_name`, and carry `role_name` and/or `permissions`, as collaborators do.
//!
//! What counts as what:
//! - an **account** is a user, named by `login`: kind `service` for `type: Bot`, `personal`
//!   otherwise; `email` and `name`, when the API shows them, help find the person. With a
//!   `members_2fa_disabled` list, its users have `mfa: false` and every other member
//!   `mfa: true` (the same for outside collaborators with their own list); without it, MFA is
//!   unknown.
//! - a **group** is a team, `team:SLUG`, kind `group`, with a grant `member of team NAME`
//!   (read); a child team is a member of its parent (GitHub passes the parent's access down).
//! - **grants**: `org owner` (admin) for each of `admins`, `org member` (read) for the other
//!   members; `repo REPO: ROLE` for each collaborator and each team repository, where ROLE is
//!   `role_name` (else the highest of `permissions`): `admin` is admin; `maintain`, `write`
//!   (`push`) and custom roles are write; `triage` and `read` (`pull`) are read.
//! - a **grant** in the summary is a direct account→entitlement edge: a team membership, the
//!   org membership, a repository permission.
//!
//! Unknown keys of the bundle are ignored with one warning each; unknown fields of the API
//! objects are ignored silently (the API adds fields over time).

use crate::reconcile::{Hints, Imported};
use handover_core::{Account, AccountKind, Grant, Level};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Where the file is wrong (see [`crate::error::LocatedError`]).
pub type GithubError = crate::error::LocatedError;

const KEYS: [&str; 10] = [
    "org",
    "members",
    "admins",
    "members_2fa_disabled",
    "outside_collaborators",
    "outside_collaborators_2fa_disabled",
    "teams",
    "team_members",
    "team_repos",
    "repos",
];

/// The level of a repository role (`role_name`) or, without one, of `permissions`.
pub fn repo_role(item: &Value) -> Option<(String, Level)> {
    let role = match item.get("role_name").and_then(Value::as_str).map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => r.to_string(),
        None => {
            let p = item.get("permissions")?;
            let has = |k: &str| p.get(k).and_then(Value::as_bool) == Some(true);
            ["admin", "maintain", "push", "triage", "pull"].into_iter().find(|k| has(k))?.to_string()
        }
    };
    let level = match role.as_str() {
        "admin" => Level::Admin,
        "triage" | "read" | "pull" => Level::Read,
        _ => Level::Write,
    };
    let role = match role.as_str() {
        "push" => "write".to_string(),
        "pull" => "read".to_string(),
        _ => role,
    };
    Some((role, level))
}

struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn err(&self, at: &str, message: impl Into<String>) -> GithubError {
        GithubError { file: self.file.to_string(), at: at.to_string(), message: message.into() }
    }

    fn list<'v>(&self, v: Option<&'v Value>, at: &str) -> Result<&'v [Value], GithubError> {
        match v {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.err(at, "must be a list (the API's JSON array)")),
        }
    }

    fn map<'v>(&self, v: Option<&'v Value>, at: &str) -> Result<Option<&'v Map<String, Value>>, GithubError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(_) => Err(self.err(at, "must be an object keyed by name")),
        }
    }

    fn login<'v>(&self, user: &'v Value, at: &str) -> Result<&'v str, GithubError> {
        user.get("login")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| self.err(&format!("{at}.login"), "a user needs a `login`"))
    }
}

#[derive(Default)]
struct Users {
    accounts: BTreeMap<String, (Account, Hints)>,
}

impl Users {
    /// The account of a user object, created on first sight; returns its login.
    fn see<'v>(&mut self, system: &str, r: &Reader, user: &'v Value, at: &str) -> Result<&'v str, GithubError> {
        let login = r.login(user, at)?;
        let text = |k: &str| user.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let kind = if user.get("type").and_then(Value::as_str) == Some("Bot") { AccountKind::Service } else { AccountKind::Personal };
        self.accounts
            .entry(login.to_string())
            .or_insert_with(|| (Account::new(system, login.to_string(), kind), Hints { email: text("email"), display_name: text("name") }));
        Ok(login)
    }
}

pub fn parse(system: &str, file: &str, bytes: &[u8]) -> Result<Imported, GithubError> {
    let r = Reader { file };
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| r.err(&format!("{}:{}", e.line(), e.column()), format!("not valid JSON: {e}")))?;
    let mut out = Imported::default();
    let bundle: Map<String, Value> = match doc {
        Value::Array(members) => Map::from_iter([("members".to_string(), Value::Array(members))]),
        Value::Object(o) => o,
        _ => return Err(r.err("1:1", "expected a bundle object or an array of members")),
    };
    for k in bundle.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        out.warnings.push(format!("{file}: unknown key {k:?} ignored (known: {})", KEYS.join(", ")));
    }
    let org = bundle.get("org").and_then(Value::as_str).map(str::trim).filter(|o| !o.is_empty());
    let mut users = Users::default();
    let mut grants: BTreeMap<(String, String), Level> = BTreeMap::new();
    let mut member_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut grant = |account: String, privilege: String, level: Level| {
        let held = grants.entry((account, privilege)).or_insert(level);
        *held = (*held).max(level);
    };
    let key = |name: &str| Account::key_of(system, name);

    let logins = |users: &mut Users, field: &str| -> Result<Vec<String>, GithubError> {
        let mut out = Vec::new();
        for (i, u) in r.list(bundle.get(field), field)?.iter().enumerate() {
            out.push(users.see(system, &r, u, &format!("{field}[{i}]"))?.to_string());
        }
        Ok(out)
    };
    let admins: BTreeSet<String> = logins(&mut users, "admins")?.into_iter().collect();
    let members = logins(&mut users, "members")?;
    for login in members.iter().chain(admins.iter()) {
        if admins.contains(login) {
            grant(key(login), "org owner".into(), Level::Admin);
        } else {
            grant(key(login), "org member".into(), Level::Read);
        }
    }
    let outside = logins(&mut users, "outside_collaborators")?;
    let org_people: Vec<String> = members.iter().chain(admins.iter()).cloned().collect();
    // 2FA: a list present means everyone of that population not on it has 2FA.
    for (population, field) in [(&org_people, "members_2fa_disabled"), (&outside, "outside_collaborators_2fa_disabled")] {
        if bundle.get(field).is_none() {
            continue;
        }
        let disabled: BTreeSet<String> = logins(&mut users, field)?.into_iter().collect();
        for login in population.iter().chain(disabled.iter()) {
            if let Some((a, _)) = users.accounts.get_mut(login.as_str()) {
                a.mfa = Some(!disabled.contains(login));
            }
        }
    }
    // Teams, then who is in them and what they reach.
    // slug → (account, display name, parent slug)
    let mut teams: BTreeMap<String, (Account, String, Option<String>)> = BTreeMap::new();
    for (i, t) in r.list(bundle.get("teams"), "teams")?.iter().enumerate() {
        let at = format!("teams[{i}]");
        let slug = t
            .get("slug")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| r.err(&format!("{at}.slug"), "a team needs a `slug`"))?;
        let name = t.get("name").and_then(Value::as_str).unwrap_or(slug);
        let parent = t.pointer("/parent/slug").and_then(Value::as_str).map(str::to_string);
        teams.insert(slug.to_string(), (team_account(system, slug), name.to_string(), parent));
    }
    let mut unknown_teams: BTreeSet<String> = BTreeSet::new();
    let mut team_key = |teams: &mut BTreeMap<String, (Account, String, Option<String>)>, slug: &str| {
        if !teams.contains_key(slug) {
            unknown_teams.insert(slug.to_string());
            teams.insert(slug.to_string(), (team_account(system, slug), slug.to_string(), None));
        }
        key(&format!("team:{slug}"))
    };
    if let Some(tm) = r.map(bundle.get("team_members"), "team_members")? {
        for (slug, list) in tm {
            let team = team_key(&mut teams, slug);
            for (i, u) in r.list(Some(list), &format!("team_members.{slug}"))?.iter().enumerate() {
                let login = users.see(system, &r, u, &format!("team_members.{slug}[{i}]"))?;
                member_of.entry(key(login)).or_default().insert(team.clone());
            }
        }
    }
    let repo_name = |name: &str| match org {
        Some(o) if !name.contains('/') => format!("{o}/{name}"),
        _ => name.to_string(),
    };
    if let Some(tr) = r.map(bundle.get("team_repos"), "team_repos")? {
        for (slug, list) in tr {
            let team = team_key(&mut teams, slug);
            for (i, repo) in r.list(Some(list), &format!("team_repos.{slug}"))?.iter().enumerate() {
                let at = format!("team_repos.{slug}[{i}]");
                let name = repo
                    .get("full_name")
                    .or_else(|| repo.get("name"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| r.err(&format!("{at}.name"), "a repository needs a `name` or `full_name`"))?;
                let (role, level) =
                    repo_role(repo).ok_or_else(|| r.err(&format!("{at}.permissions"), "needs `role_name` or `permissions`"))?;
                grant(team.clone(), format!("repo {}: {role}", repo_name(name)), level);
            }
        }
    }
    if let Some(repos) = r.map(bundle.get("repos"), "repos")? {
        for (name, repo) in repos {
            let at = format!("repos.{name}");
            let list = match repo {
                Value::Array(_) => repo,
                Value::Object(o) => o.get("collaborators").unwrap_or(&Value::Null),
                _ => return Err(r.err(&at, "must be `{\"collaborators\": [...]}`")),
            };
            for (i, c) in r.list(Some(list), &format!("{at}.collaborators"))?.iter().enumerate() {
                let at = format!("{at}.collaborators[{i}]");
                let login = users.see(system, &r, c, &at)?;
                let (role, level) =
                    repo_role(c).ok_or_else(|| r.err(&format!("{at}.permissions"), "needs `role_name` or `permissions`"))?;
                grant(key(login), format!("repo {}: {role}", repo_name(name)), level);
            }
        }
    }
    if !unknown_teams.is_empty() {
        out.warnings.push(format!(
            "{file}: teams not in `teams` (created without a name or parent): {}",
            unknown_teams.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    // Child teams inherit the parent's access.
    let slugs: BTreeSet<String> = teams.keys().cloned().collect();
    for (slug, (_, _, parent)) in &teams {
        if let Some(p) = parent.as_ref().filter(|p| slugs.contains(*p) && *p != slug) {
            member_of.entry(key(&format!("team:{slug}"))).or_default().insert(key(&format!("team:{p}")));
        }
    }
    for (login, (mut account, hints)) in users.accounts {
        account.member_of = member_of.remove(&key(&login)).unwrap_or_default().into_iter().collect();
        out.accounts.push((account, hints));
    }
    for (slug, (mut account, name, _)) in teams {
        let k = key(&format!("team:{slug}"));
        account.member_of = member_of.remove(&k).unwrap_or_default().into_iter().collect();
        grants.insert((k, format!("member of team {name}")), Level::Read);
        out.accounts.push((account, Hints::default()));
    }
    out.grants = grants.into_iter().map(|((account, privilege), level)| Grant { account, privilege, level, via: None }).collect();
    Ok(out)
}

fn team_account(system: &str, slug: &str) -> Account {
    Account::new(system, format!("team:{slug}"), AccountKind::Group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn roles_map_to_levels() {
        let role = |s: &str| repo_role(&serde_json::from_str(s).unwrap());
        assert_eq!(role(r#"{"role_name": "admin"}"#), Some(("admin".into(), Level::Admin)));
        assert_eq!(role(r#"{"role_name": "maintain"}"#), Some(("maintain".into(), Level::Write)));
        assert_eq!(role(r#"{"role_name": "security-reviewer"}"#), Some(("security-reviewer".into(), Level::Write)));
        assert_eq!(
            role(r#"{"permissions": {"admin": false, "maintain": false, "push": true, "triage": true, "pull": true}}"#),
            Some(("write".into(), Level::Write))
        );
        assert_eq!(role(r#"{"permissions": {"pull": true}}"#), Some(("read".into(), Level::Read)));
        assert_eq!(role(r#"{"login": "x"}"#), None);
    }

    #[test]
    fn errors_say_where() {
        let e = parse("gh", "gh.json", br#"{"repos": {"api": {"collaborators": [{"login": "a", "role_name": "read"}, {"id": 3}]}}}"#)
            .unwrap_err();
        assert_eq!(e.to_string(), "gh.json:repos.api.collaborators[1].login: a user needs a `login`");
        let e = parse("gh", "gh.json", b"{\"members\": [\n  {\"login\": \"a\"},\n  {\"login\": }\n]}").unwrap_err();
        assert!(e.to_string().starts_with("gh.json:3:"), "{e}");
        let e = parse("gh", "gh.json", br#"{"teams": {"slug": "x"}}"#).unwrap_err();
        assert_eq!(e.to_string(), "gh.json:teams: must be a list (the API's JSON array)");
    }

    proptest! {
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse("gh", "fuzz.json", &bytes);
        }

        #[test]
        fn never_panics_on_github_like_json(s in r#"(\{|\}|\[|\]|"members"|"admins"|"members_2fa_disabled"|"teams"|"team_members"|"team_repos"|"repos"|"collaborators"|"login"|"slug"|"parent"|"role_name"|"permissions"|"admin"|"a"|:|,|true|null|1){0,60}"#) {
            let _ = parse("gh", "fuzz.json", s.as_bytes());
        }
    }
}
