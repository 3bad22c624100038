//! Kubernetes RBAC: `Role`, `ClusterRole`, `RoleBinding` and `ClusterRoleBinding` objects
//! from YAML files — several documents per file (`---`), and `kind: List` (or any `…List`,
//! as `kubectl get -o yaml` writes) with `items`. Objects of one file may refer to objects of
//! another: all files are read before bindings are resolved.
//!
//! What counts as what:
//! - an **account** is a binding subject that acts: a `User`, named as written, kind
//!   `personal` (`service` when the name starts with `system:`, the cluster's own
//!   components), with the name as e-mail hint when it is one; a `ServiceAccount`, named by
//!   the user name Kubernetes gives it, `system:serviceaccount:NAMESPACE:NAME`, kind `service`.
//! - a **group** (an entitlement container, kind `group`) is a role — `clusterrole:NAME`
//!   holding a grant `clusterrole NAME`, or `role:NAMESPACE/NAME` holding `role NAME in
//!   namespace NAMESPACE` — or a `Group` subject, `group:NAME` (its members are known to the
//!   authenticator, not to RBAC).
//! - a **grant** in the summary is a direct account→entitlement edge: a `ClusterRoleBinding`
//!   makes its subjects members of the cluster role; a `RoleBinding` to a `Role` makes them
//!   members of that role; a `RoleBinding` to a `ClusterRole` gives each subject a direct grant
//!   `clusterrole NAME in namespace NAMESPACE` at the cluster role's level (the grant names the
//!   namespace it is limited to).
//!
//! **Levels** (the rule set), per role:
//! - **admin**: `cluster-admin`; a rule with verb `*` on resource `*`; `impersonate` on
//!   `users` or `groups` (anyone, cluster admins included); `escalate` or `bind` on `roles` or
//!   `clusterroles` (grant oneself any role). Impersonating service accounts, as `edit` may
//!   in its namespace, is write.
//! - **write**: any other verb than `get`, `list` and `watch` — except `create` on
//!   `…reviews` (token and access reviews only ask a question).
//! - **read**: the rest.
//! - an aggregated cluster role (`aggregationRule.clusterRoleSelectors[].matchLabels`) takes
//!   the highest level of the cluster roles whose labels match, transitively.
//! - a role referred to but not in the files: `cluster-admin` admin, `admin` and `edit`
//!   write, others read (with a warning).
//!
//! A namespaced object without `metadata.namespace` is in `default`, as `kubectl` assumes.
//! Other kinds are skipped with one warning per kind; unknown fields are ignored. Errors name
//! `file:line:column` and the field's path (`items[3].roleRef.name`).

use crate::reconcile::{Hints, Imported};
use crate::yaml::{self, Document, Pos};
use handover_core::{Account, AccountKind, Grant, Level};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct K8sError {
    pub file: String,
    pub pos: Pos,
    /// The field, as a path within its document (`items[3].roleRef.name`).
    pub path: String,
    pub message: String,
}

impl fmt::Display for K8sError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.pos.line, self.pos.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for K8sError {}

/// One RBAC object, with where it was read.
struct Object<'a> {
    file: &'a str,
    doc: &'a Document,
    /// Path of the object within its document (`` or `items[3]`).
    path: String,
    value: &'a Value,
}

impl Object<'_> {
    fn field_path(&self, field: &str) -> String {
        match (self.path.is_empty(), field.is_empty()) {
            (true, _) => field.to_string(),
            (false, true) => self.path.clone(),
            (false, false) => format!("{}.{field}", self.path),
        }
    }

    /// An error at `field` of this object, placed at the nearest position known.
    fn error(&self, field: &str, message: impl Into<String>) -> K8sError {
        let path = self.field_path(field);
        let mut probe = path.clone();
        let pos = loop {
            if let Some(p) = self.doc.positions.get(&probe) {
                break *p;
            }
            match probe.rfind(['.', '[']) {
                Some(i) => probe.truncate(i),
                None => break self.doc.positions.get("").copied().unwrap_or(Pos { line: 1, column: 1 }),
            }
        };
        K8sError { file: self.file.to_string(), pos, path, message: message.into() }
    }

    fn text(&self, pointer: &str) -> Option<&str> {
        self.value.pointer(pointer).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    fn name(&self) -> Result<&str, K8sError> {
        self.text("/metadata/name").ok_or_else(|| self.error("metadata.name", "needs `metadata.name`"))
    }

    fn namespace(&self) -> &str {
        self.text("/metadata/namespace").unwrap_or("default")
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// The level a role's rules grant, by the rule set in the module doc.
pub fn rules_level(name: &str, rules: Option<&Value>) -> Level {
    if name == "cluster-admin" {
        return Level::Admin;
    }
    let mut level = Level::Read;
    for rule in rules.and_then(Value::as_array).into_iter().flatten() {
        let verbs = strings(rule.get("verbs"));
        let resources = strings(rule.get("resources"));
        let on = |names: &[&str]| resources.iter().any(|r| *r == "*" || names.contains(r));
        let admin = (verbs.contains(&"*") && resources.contains(&"*"))
            || (verbs.iter().any(|v| matches!(*v, "impersonate" | "*")) && on(&["users", "groups"]))
            || (verbs.iter().any(|v| matches!(*v, "escalate" | "bind" | "*")) && on(&["roles", "clusterroles"]));
        if admin {
            return Level::Admin;
        }
        // `create` on a review (tokenreviews, selfsubjectaccessreviews …) asks a question.
        let queries = !resources.is_empty() && resources.iter().all(|r| r.ends_with("reviews"));
        let reads = |v: &str| matches!(v, "get" | "list" | "watch") || (queries && v == "create");
        if verbs.iter().any(|v| !reads(v)) {
            level = Level::Write;
        }
    }
    level
}

fn level_by_name(name: &str) -> Level {
    match name {
        "cluster-admin" => Level::Admin,
        "admin" | "edit" => Level::Write,
        _ => Level::Read,
    }
}

struct Role<'a> {
    object: &'a Object<'a>,
    level: Level,
    labels: BTreeMap<String, String>,
}

/// Reads the RBAC objects of `files` (`(name, bytes)`) as the access of `system`.
pub fn parse(system: &str, files: &[(String, Vec<u8>)]) -> Result<Imported, K8sError> {
    let mut out = Imported::default();
    let mut docs: Vec<(&str, Document)> = Vec::new();
    for (file, bytes) in files {
        let at = |pos: Pos, path: String, message: String| K8sError { file: file.clone(), pos, path, message };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            at(Pos { line, column: 1 }, String::new(), "not UTF-8 text".into())
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for doc in yaml::parse_all(text).map_err(|e| at(e.pos, e.path, e.message))? {
            docs.push((file.as_str(), doc));
        }
    }
    // Every object, lists unpacked.
    let mut objects: Vec<Object> = Vec::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for (file, doc) in &docs {
        let root = Object { file, doc, path: String::new(), value: &doc.value };
        let kind = root.text("/kind").unwrap_or("");
        if kind == "List" || kind.ends_with("List") {
            let items = match doc.value.get("items") {
                None | Some(Value::Null) => &[][..],
                Some(Value::Array(items)) => items,
                Some(_) => return Err(root.error("items", "`items` must be a list")),
            };
            objects.extend(items.iter().enumerate().map(|(i, value)| Object { file, doc, path: format!("items[{i}]"), value }));
        } else if doc.value.is_object() {
            objects.push(root);
        } else {
            return Err(root.error("", "expected a Kubernetes object (a mapping with `kind`)"));
        }
    }
    let mut roles: BTreeMap<String, Role> = BTreeMap::new();
    let mut bindings: Vec<&Object> = Vec::new();
    for o in &objects {
        if !o.value.is_object() {
            return Err(o.error("", "expected a Kubernetes object (a mapping with `kind`)"));
        }
        match o.text("/kind").unwrap_or("") {
            kind @ ("ClusterRole" | "Role") => {
                let name = o.name()?;
                let account = if kind == "Role" { format!("role:{}/{name}", o.namespace()) } else { format!("clusterrole:{name}") };
                if o.value.get("rules").is_some_and(|r| !r.is_null() && !r.is_array()) {
                    return Err(o.error("rules", "`rules` must be a list"));
                }
                let labels = o
                    .value
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object)
                    .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                    .unwrap_or_default();
                let role = Role { object: o, level: rules_level(name, o.value.get("rules")), labels };
                match roles.entry(account) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        out.warnings.push(format!("{}: {kind} {:?} appears twice; the first is kept", o.file, e.key()))
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(role);
                    }
                }
            }
            "ClusterRoleBinding" | "RoleBinding" => bindings.push(o),
            "" => return Err(o.error("kind", "needs `kind`")),
            other => *skipped.entry(other.to_string()).or_default() += 1,
        }
    }
    for (kind, n) in skipped {
        out.warnings.push(format!("{n} objects of kind {kind} skipped (only RBAC roles and bindings are read)"));
    }
    aggregate(&mut roles);
    let mut accounts: BTreeMap<String, (Account, Hints)> = BTreeMap::new();
    let mut member_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut grants: BTreeMap<(String, String), Level> = BTreeMap::new();
    for (name, role) in &roles {
        let key = Account::key_of(system, name);
        let privilege = match name.strip_prefix("role:").and_then(|r| r.split_once('/')) {
            Some((ns, role_name)) => format!("role {role_name} in namespace {ns}"),
            None => format!("clusterrole {}", name.trim_start_matches("clusterrole:")),
        };
        accounts.insert(key.clone(), (Account::new(system, name, AccountKind::Group), Hints::default()));
        grants.insert((key, privilege), role.level);
    }
    let mut missing: BTreeSet<String> = BTreeSet::new();
    for b in bindings {
        let namespaced = b.text("/kind") == Some("RoleBinding");
        b.name()?;
        let ref_kind = b.text("/roleRef/kind").ok_or_else(|| b.error("roleRef.kind", "a binding needs `roleRef.kind`"))?;
        let ref_name = b.text("/roleRef/name").ok_or_else(|| b.error("roleRef.name", "a binding needs `roleRef.name`"))?;
        let ns = b.namespace();
        let role_account = match ref_kind {
            "ClusterRole" => format!("clusterrole:{ref_name}"),
            "Role" if namespaced => format!("role:{ns}/{ref_name}"),
            other => return Err(b.error("roleRef.kind", format!("a {} cannot refer to a {other:?}", b.text("/kind").unwrap_or("")))),
        };
        let role_key = Account::key_of(system, &role_account);
        let level = match roles.get(&role_account) {
            Some(r) => r.level,
            None => {
                missing.insert(role_account.clone());
                level_by_name(ref_name)
            }
        };
        if !namespaced || ref_kind == "Role" {
            accounts.entry(role_key.clone()).or_insert_with(|| (Account::new(system, &role_account, AccountKind::Group), Hints::default()));
            let privilege =
                if ref_kind == "Role" { format!("role {ref_name} in namespace {ns}") } else { format!("clusterrole {ref_name}") };
            grants.entry((role_key.clone(), privilege)).or_insert(level);
        }
        let subjects = match b.value.get("subjects") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(s)) => s,
            Some(_) => return Err(b.error("subjects", "`subjects` must be a list")),
        };
        for (i, s) in subjects.iter().enumerate() {
            let field = format!("subjects[{i}]");
            let get = |f: &str| s.get(f).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
            let name = get("name").ok_or_else(|| b.error(&format!("{field}.name"), "a subject needs `name`"))?;
            let (account_name, kind, email) = match get("kind") {
                Some("User") => {
                    let kind = if name.starts_with("system:") { AccountKind::Service } else { AccountKind::Personal };
                    (name.to_string(), kind, name.contains('@').then(|| name.to_string()))
                }
                Some("Group") => (format!("group:{name}"), AccountKind::Group, None),
                Some("ServiceAccount") => {
                    let sa_ns = get("namespace").unwrap_or(if namespaced { ns } else { "default" });
                    (format!("system:serviceaccount:{sa_ns}:{name}"), AccountKind::Service, None)
                }
                Some(other) => {
                    return Err(b.error(&format!("{field}.kind"), format!("unknown subject kind {other:?} (User, Group or ServiceAccount)")))
                }
                None => return Err(b.error(&format!("{field}.kind"), "a subject needs `kind`")),
            };
            let key = Account::key_of(system, &account_name);
            accounts.entry(key.clone()).or_insert_with(|| (Account::new(system, &account_name, kind), Hints { email, display_name: None }));
            if namespaced && ref_kind == "ClusterRole" {
                let privilege = format!("clusterrole {ref_name} in namespace {ns}");
                let held = grants.entry((key, privilege)).or_insert(level);
                *held = (*held).max(level);
            } else if key != role_key {
                member_of.entry(key).or_default().insert(role_key.clone());
            }
        }
    }
    if !missing.is_empty() {
        out.warnings.push(format!(
            "bindings refer to roles not in the files (judged by name): {}",
            missing.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    for (key, (mut account, hints)) in accounts {
        account.member_of = member_of.remove(&key).unwrap_or_default().into_iter().collect();
        out.accounts.push((account, hints));
    }
    out.grants = grants.into_iter().map(|((account, privilege), level)| Grant { account, privilege, level, via: None }).collect();
    Ok(out)
}

/// Aggregated cluster roles take the highest level of the roles their selectors match,
/// until nothing changes (aggregations chain: admin ← edit ← view).
fn aggregate(roles: &mut BTreeMap<String, Role>) {
    let selectors: Vec<(String, Vec<BTreeMap<String, String>>)> = roles
        .iter()
        .filter_map(|(name, r)| {
            let sel = r.object.value.pointer("/aggregationRule/clusterRoleSelectors")?.as_array()?;
            let sets = sel
                .iter()
                .filter_map(|s| s.get("matchLabels")?.as_object())
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                .collect();
            Some((name.clone(), sets))
        })
        .collect();
    let levels: HashMap<String, Level> = roles.iter().map(|(n, r)| (n.clone(), r.level)).collect();
    let mut levels = levels;
    for _ in 0..=roles.len() {
        let mut changed = false;
        for (name, sets) in &selectors {
            let best = roles
                .iter()
                .filter(|(other, r)| {
                    *other != name
                        && other.starts_with("clusterrole:")
                        && sets.iter().any(|set| !set.is_empty() && set.iter().all(|(k, v)| r.labels.get(k) == Some(v)))
                })
                .map(|(other, _)| levels[other])
                .max();
            if let Some(best) = best.filter(|b| *b > levels[name]) {
                levels.insert(name.clone(), best);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (name, r) in roles.iter_mut() {
        r.level = levels[name];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one(text: &str) -> Result<Imported, K8sError> {
        parse("k8s", &[("rbac.yaml".to_string(), text.as_bytes().to_vec())])
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = one("kind: RoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: Role\nsubjects:\n- kind: User\n").unwrap_err();
        assert_eq!(e.to_string(), "rbac.yaml:4:1: roleRef.name: a binding needs `roleRef.name`");
        let e = one("---\nkind: ClusterRole\nmetadata: {name: a}\n---\nkind: List\nitems:\n- kind: ClusterRoleBinding\n  metadata: {name: b}\n  roleRef: {kind: ClusterRole, name: a}\n  subjects:\n  - {kind: Robot, name: r}\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "rbac.yaml:11:6: items[0].subjects[0].kind: unknown subject kind \"Robot\" (User, Group or ServiceAccount)"
        );
        let e = one("kind: Role\nmetadata:\n  name: [\n").unwrap_err();
        assert!(e.to_string().starts_with("rbac.yaml:"), "{e}");
    }

    #[test]
    fn levels_follow_the_rule_set() {
        let rules = |s: &str| -> Value { serde_json::from_str(s).unwrap() };
        assert_eq!(rules_level("x", Some(&rules(r#"[{"verbs": ["*"], "resources": ["*"], "apiGroups": ["*"]}]"#))), Level::Admin);
        assert_eq!(rules_level("x", Some(&rules(r#"[{"verbs": ["impersonate"], "resources": ["users"]}]"#))), Level::Admin);
        assert_eq!(rules_level("x", Some(&rules(r#"[{"verbs": ["impersonate"], "resources": ["serviceaccounts"]}]"#))), Level::Write);
        assert_eq!(rules_level("x", Some(&rules(r#"[{"verbs": ["bind"], "resources": ["clusterroles"]}]"#))), Level::Admin);
        assert_eq!(rules_level("x", Some(&rules(r#"[{"verbs": ["create"], "resources": ["tokenreviews"]}]"#))), Level::Read);
        assert_eq!(rules_level("x", Some(&rules(r#"[{"verbs": ["get", "delete"], "resources": ["pods"]}]"#))), Level::Write);
        assert_eq!(rules_level("x", Some(&rules(r#"[{"verbs": ["get", "list", "watch"], "resources": ["*"]}]"#))), Level::Read);
        assert_eq!(rules_level("cluster-admin", None), Level::Admin);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse("k8s", &[("fuzz.yaml".to_string(), bytes)]);
        }

        #[test]
        fn never_panics_on_rbac_like_yaml(s in "(kind: |ClusterRole|RoleBinding|ClusterRoleBinding|Role|List|User|Group|ServiceAccount|items:|subjects:|roleRef:|metadata:|name: |namespace: |rules:|verbs:|resources:|aggregationRule:|clusterRoleSelectors:|matchLabels:|labels:|\\*|- |  |\n|---\n|a|\\{|\\}|\\[|\\]|, ){0,60}") {
            let _ = parse("k8s", &[("fuzz.yaml".to_string(), s.into_bytes())]);
        }
    }
}
