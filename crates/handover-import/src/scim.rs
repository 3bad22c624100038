//! SCIM 2.0 (RFC 7643/7644) Users and Groups, from a single resource, a `ListResponse`, or
//! a JSON array of resources.
//!
//! What counts as what:
//! - an **account** is a User (`schemas` has `…:core:2.0:User`, or `meta.resourceType` is
//!   `User`, or it has a `userName`), named by `userName`; `active: false` disables it; the
//!   primary (else first) email and `displayName` (else `name.formatted`) help find its person.
//! - a **group** is a Group, a `group` account named `group:DISPLAYNAME` holding one grant
//!   `member of DISPLAYNAME`, with the admin rule set of [`crate::directory::group_level`].
//!   Members (`members[].value`, users or groups, so groups nest — cycles included) and a
//!   user's own `groups[]` both give `member_of` edges; a group only named by a user's
//!   `groups[]` is created from that reference.
//! - a **grant** in the summary is a direct account→group edge.
//!
//! Unknown attributes are ignored; nothing but the attributes above is read.

use crate::directory::group_level;
use crate::reconcile::{Hints, Imported};
use handover_core::{Account, AccountKind, AccountStatus, Grant};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where the file is wrong (see [`crate::error::LocatedError`]).
pub type ScimError = crate::error::LocatedError;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

enum Kind {
    User,
    Group,
}

fn kind_of(r: &Value) -> Option<Kind> {
    let schemas: Vec<&str> =
        r.get("schemas").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let resource_type = r.pointer("/meta/resourceType").and_then(Value::as_str);
    if schemas.contains(&USER) || resource_type == Some("User") || r.get("userName").is_some() {
        Some(Kind::User)
    } else if schemas.contains(&GROUP) || resource_type == Some("Group") || r.get("members").is_some() || r.get("displayName").is_some() {
        Some(Kind::Group)
    } else {
        None
    }
}

fn text<'a>(r: &'a Value, field: &str) -> Option<&'a str> {
    r.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The `value`s of a multi-valued attribute such as `members` or `groups`.
fn references(r: &Value, field: &str) -> Vec<(String, Option<String>)> {
    r.get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|m| Some((m.get("value")?.as_str()?.to_string(), m.get("display").and_then(Value::as_str).map(str::to_string))))
                .collect()
        })
        .unwrap_or_default()
}

/// One SCIM resource and where it was read: the file (or page URL) and the position in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub source: String,
    pub at: String,
    pub value: Value,
}

/// A SCIM JSON file: one resource, a `ListResponse`, or a list of resources.
pub fn parse(file: &str, system: &str, bytes: &[u8]) -> Result<Imported, ScimError> {
    to_records(file, system, &resources(file, bytes)?)
}

/// The resources of a SCIM JSON file, each with its position (`Resources[3]`).
pub fn resources(file: &str, bytes: &[u8]) -> Result<Vec<Resource>, ScimError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| ScimError {
        file: file.into(),
        at: format!("{}:{}", e.line(), e.column()),
        message: format!("not valid JSON: {e}"),
    })?;
    let (items, path) = match doc {
        Value::Array(items) => (items, ""),
        Value::Object(mut o) if o.contains_key("Resources") => match o.remove("Resources") {
            Some(Value::Array(items)) => (items, "Resources"),
            _ => return Err(ScimError { file: file.into(), at: "Resources".into(), message: "`Resources` must be a list".into() }),
        },
        doc @ Value::Object(_) => return Ok(vec![Resource { source: file.into(), at: "resource".into(), value: doc }]),
        _ => {
            return Err(ScimError {
                file: file.into(),
                at: "1:1".into(),
                message: "expected a SCIM resource, a ListResponse or a list of resources".into(),
            })
        }
    };
    Ok(items.into_iter().enumerate().map(|(i, value)| Resource { source: file.into(), at: format!("{path}[{i}]"), value }).collect())
}

/// Users and Groups → one system's accounts, groups and memberships, wherever they were
/// read (a file, or the pages of a live endpoint: [`crate::live_scim`]). `origin` names the
/// whole source in warnings.
pub fn to_records(origin: &str, system: &str, resources: &[Resource]) -> Result<Imported, ScimError> {
    let mut out = Imported::default();
    let mut accounts: BTreeMap<String, (Account, Hints)> = BTreeMap::new();
    // SCIM ids → account keys, for `members` and `groups` references.
    let mut by_id: HashMap<String, String> = HashMap::new();
    let mut groups: Vec<(String, &Value)> = Vec::new();
    let mut users: Vec<(String, &Value)> = Vec::new();
    for Resource { source: file, at, value: r } in resources {
        let err = |message: String| ScimError { file: file.clone(), at: at.clone(), message };
        match kind_of(r) {
            Some(Kind::User) => {
                let name = text(r, "userName").ok_or_else(|| err("a User needs a `userName`".into()))?;
                let mut account = Account::new(system, name, AccountKind::Personal);
                if r.get("active").and_then(Value::as_bool) == Some(false) {
                    account.status = AccountStatus::Disabled;
                }
                let emails = r.get("emails").and_then(Value::as_array);
                let email = emails
                    .and_then(|e| e.iter().find(|m| m.get("primary").and_then(Value::as_bool) == Some(true)).or_else(|| e.first()))
                    .and_then(|m| m.get("value")?.as_str())
                    .map(str::to_string);
                let display = text(r, "displayName").or_else(|| r.pointer("/name/formatted").and_then(Value::as_str)).map(str::to_string);
                let key = Account::key_of(system, name);
                if accounts.contains_key(&key) {
                    out.warnings.push(format!("{file}: {at}: a second user named {name:?}; the first is kept"));
                    continue;
                }
                if let Some(id) = text(r, "id") {
                    by_id.insert(id.to_string(), key.clone());
                }
                accounts.insert(key.clone(), (account, Hints { email, display_name: display }));
                users.push((key, r));
            }
            Some(Kind::Group) => {
                let display = text(r, "displayName")
                    .or_else(|| text(r, "id"))
                    .ok_or_else(|| err("a Group needs a `displayName` or an `id`".into()))?;
                let key = Account::key_of(system, &format!("group:{display}"));
                if let Some(id) = text(r, "id") {
                    by_id.insert(id.to_string(), key.clone());
                }
                if !accounts.contains_key(&key) {
                    accounts.insert(key.clone(), (Account::new(system, format!("group:{display}"), AccountKind::Group), Hints::default()));
                    out.grants.push(Grant {
                        account: key.clone(),
                        privilege: format!("member of {display}"),
                        level: group_level(display, None),
                        via: None,
                    });
                }
                groups.push((key, r));
            }
            None => out.warnings.push(format!("{file}: {at}: neither a User nor a Group; skipped")),
        }
    }
    let mut member_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut unknown = 0usize;
    for (group, r) in &groups {
        for (id, _) in references(r, "members") {
            match by_id.get(&id) {
                Some(member) if member != group => {
                    member_of.entry(member.clone()).or_default().insert(group.clone());
                }
                Some(_) => {}
                None => unknown += 1,
            }
        }
    }
    for (user, r) in &users {
        for (id, display) in references(r, "groups") {
            let group = match by_id.get(&id) {
                Some(g) => g.clone(),
                None => {
                    // A group known only from the user's side: create it from the reference.
                    let name = display.unwrap_or(id.clone());
                    let key = Account::key_of(system, &format!("group:{name}"));
                    if !accounts.contains_key(&key) {
                        accounts.insert(key.clone(), (Account::new(system, format!("group:{name}"), AccountKind::Group), Hints::default()));
                        out.grants.push(Grant {
                            account: key.clone(),
                            privilege: format!("member of {name}"),
                            level: group_level(&name, None),
                            via: None,
                        });
                    }
                    by_id.insert(id, key.clone());
                    key
                }
            };
            member_of.entry(user.clone()).or_default().insert(group);
        }
    }
    if unknown > 0 {
        out.warnings.push(format!("{origin}: {unknown} group members name no resource read (kept out)"));
    }
    for (key, (mut account, hints)) in accounts {
        account.member_of = member_of.remove(&key).unwrap_or_default().into_iter().collect();
        out.accounts.push((account, hints));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Path;

    fn corpus(name: &str) -> Option<Vec<u8>> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/identity/scim").join(name);
        match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(_) => {
                assert!(std::env::var_os("CI").is_none(), "corpus file {} missing in CI", path.display());
                eprintln!("skipping: {} not found", path.display());
                None
            }
        }
    }

    #[test]
    fn reads_users_groups_and_cycles_from_the_rfc_examples() {
        let Some(full) = corpus("scimple-full-user-example.json") else { return };
        let u = parse("full.json", "idp", &full).unwrap();
        let (bjensen, hints) = u.accounts.iter().find(|(a, _)| a.name == "bjensen@example.com").unwrap();
        assert_eq!(hints.email.as_deref(), Some("bjensen@example.com"), "the primary email");
        assert_eq!(bjensen.member_of.len(), 3, "groups named only by the user are created");
        let Some(cycle) = corpus("scim2models-rfc7644-3.7.1-list_response-circular_reference.json") else { return };
        let c = parse("cycle.json", "idp", &cycle).unwrap();
        let a = c.accounts.iter().find(|(a, _)| a.name == "group:Group A").unwrap();
        let b = c.accounts.iter().find(|(a, _)| a.name == "group:Group B").unwrap();
        assert_eq!(a.0.member_of, vec!["idp/group:Group B"]);
        assert_eq!(b.0.member_of, vec!["idp/group:Group A"]);
        let Some(partial) = corpus("scim2models-rfc7644-3.4.2-list_response-partial_attributes.json") else { return };
        assert_eq!(parse("partial.json", "idp", &partial).unwrap().accounts.len(), 2, "resources without schemas are recognised");
        for name in [
            "scimple-enterprise-user-example.json",
            "scim2models-rfc7643-8.3-enterprise_user.json",
            "scimple-group-example.json",
            "scimple-minimal-user-example.json",
        ] {
            let Some(bytes) = corpus(name) else { return };
            parse(name, "idp", &bytes).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn errors_say_where() {
        let e = parse("x.json", "idp", b"{\n  \"userName\": 3,\n").unwrap_err();
        assert!(e.at.starts_with("3:"), "{e}");
        let e =
            parse("x.json", "idp", br#"{"Resources": [{"userName": "a"}, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}]}"#)
                .unwrap_err();
        assert_eq!(e.to_string(), "x.json:Resources[1]: a User needs a `userName`");
    }

    proptest! {
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse("fuzz.json", "idp", &bytes);
        }

        #[test]
        fn never_panics_on_scim_like_json(s in r#"(\{|\}|\[|\]|"userName"|"members"|"groups"|"value"|"id"|"Resources"|"displayName"|"a"|:|,|true|1){0,60}"#) {
            let _ = parse("fuzz.json", "idp", s.as_bytes());
        }
    }
}
