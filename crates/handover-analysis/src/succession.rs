//! Succession: which critical roles have no deputy ready to step in, and what a role (or a
//! person) actually holds — the start of a job description for recruitment.
//!
//! "Ready" is computed from data, not declared: a deputy is ready for a role when, for each
//! of the role's systems, they hold access where the holder does (admin where the holder
//! has admin) and know the system (a knower: technical owner, documentation author, code
//! author or admin).

use crate::snapshot::{Ix, Snapshot};
use handover_core::{Kind, PersonStatus, ProjectStatus};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub role: String,
    pub name: String,
    /// Holders still here.
    pub holders: Vec<String>,
    pub deputies: Vec<String>,
    /// What is missing, one sentence each.
    pub problems: Vec<String>,
}

fn present_active(snap: &Snapshot, key: &str) -> Option<Ix> {
    snap.person(key).filter(|&p| snap.people[p as usize].status == PersonStatus::Active)
}

/// Systems `p` has an active account on, and those with admin.
fn access(snap: &Snapshot, p: Ix, s: Ix) -> (bool, bool) {
    let accounts = snap.person_accounts[p as usize].iter().map(|&a| &snap.accounts[a as usize]);
    let on: Vec<_> = accounts.filter(|a| a.system == s && a.is_active()).collect();
    (!on.is_empty(), on.iter().any(|a| a.is_admin()))
}

/// Critical roles without a deputy ready to take over.
pub fn gaps(snap: &Snapshot) -> Vec<Gap> {
    let mut out = Vec::new();
    for role in snap.inv.roles().filter(|r| r.critical) {
        let holders: Vec<Ix> = role.holders.iter().filter_map(|h| snap.person(h)).filter(|&p| snap.is_present(p)).collect();
        let deputies: Vec<Ix> = role.deputies.iter().filter_map(|d| present_active(snap, d)).collect();
        let mut problems = Vec::new();
        if holders.is_empty() {
            problems.push("no one still here holds it".to_string());
        }
        for &h in holders.iter().filter(|&&h| snap.people[h as usize].status == PersonStatus::Leaving) {
            problems.push(format!("{} is leaving", snap.people[h as usize].name));
        }
        if deputies.is_empty() {
            problems.push(if role.deputies.is_empty() {
                "no deputy is named".to_string()
            } else {
                "no named deputy is still here and staying".to_string()
            });
        }
        let systems: Vec<Ix> = role.systems.iter().filter_map(|s| snap.system(s)).collect();
        let mut ready = Vec::new();
        for &d in &deputies {
            let name = &snap.people[d as usize].name;
            let mut missing = Vec::new();
            for &s in &systems {
                let holder_admin = holders.iter().any(|&h| access(snap, h, s).1);
                let (has, admin) = access(snap, d, s);
                if holder_admin && !admin {
                    missing.push(format!("{name} has no admin on {}", snap.systems[s as usize].name));
                } else if !has && holders.iter().any(|&h| access(snap, h, s).0) {
                    missing.push(format!("{name} has no access to {}", snap.systems[s as usize].name));
                }
                if !snap.system_knowers[s as usize].contains(&d) {
                    missing.push(format!(
                        "{name} does not know {} (not a technical owner, doc or code author, or admin)",
                        snap.systems[s as usize].name
                    ));
                }
            }
            if missing.is_empty() {
                ready.push(d);
            }
            problems.extend(missing);
        }
        if !deputies.is_empty() && ready.is_empty() && problems.is_empty() {
            problems.push("no deputy is ready".to_string());
        }
        if problems.is_empty() {
            continue;
        }
        out.push(Gap {
            role: role.key.clone(),
            name: role.name.clone(),
            holders: holders.iter().map(|&p| snap.person_key(p).to_string()).collect(),
            deputies: deputies.iter().map(|&p| snap.person_key(p).to_string()).collect(),
            problems,
        });
    }
    out
}

/// What a role's holders — or one person — hold, grouped as a job description would be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Description {
    pub subject: String,
    pub title: String,
    pub administers: Vec<String>,
    pub knows: Vec<String>,
    pub owns: Vec<String>,
    pub roles: Vec<String>,
    pub vendors: Vec<String>,
    pub contracts: Vec<String>,
    pub policies: Vec<String>,
    pub projects: Vec<String>,
    pub secrets: Vec<String>,
    pub code: Vec<String>,
}

fn push_sorted(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
        v.sort();
    }
}

/// Describes what `people` hold together (a role's holders, or one person).
fn describe_people(snap: &Snapshot, people: &[Ix], subject: String, title: String) -> Description {
    let mut d = Description { subject, title, ..Description::default() };
    let system_label = |s: Ix| format!("{} (tier {})", snap.systems[s as usize].name, snap.systems[s as usize].tier);
    for &p in people {
        for &s in &snap.person_admin_systems[p as usize] {
            push_sorted(&mut d.administers, system_label(s));
        }
        for &s in &snap.person_known_systems[p as usize] {
            if !snap.person_admin_systems[p as usize].contains(&s) {
                push_sorted(&mut d.knows, system_label(s));
            }
        }
        for (kind, key, field) in &snap.person_refs[p as usize] {
            let Some(record) = snap.inv.get(*kind, key) else { continue };
            let label = record.label();
            match (kind, field.as_str()) {
                (Kind::System, "owner") => push_sorted(&mut d.owns, format!("{label} (business owner)")),
                (Kind::System, f) if f.starts_with("technical_owners") => push_sorted(&mut d.owns, format!("{label} (technical owner)")),
                (Kind::Role, f) if f.starts_with("holders") => push_sorted(&mut d.roles, label),
                (Kind::Vendor, "relationship_owner") => push_sorted(&mut d.vendors, label),
                (Kind::Contract, "owner") => push_sorted(&mut d.contracts, label),
                (Kind::Policy, "owner") => push_sorted(&mut d.policies, label),
                (Kind::Project, "lead") => {
                    if let handover_core::Record::Project(pr) = record {
                        if matches!(pr.status, ProjectStatus::Active | ProjectStatus::Planned) {
                            push_sorted(&mut d.projects, label);
                        }
                    }
                }
                (Kind::Credential, f) if f.starts_with("holders") => push_sorted(&mut d.secrets, label),
                (Kind::Repository, f) if f.starts_with("scan.authors") => push_sorted(&mut d.code, label),
                _ => {}
            }
        }
    }
    d
}

/// A role's description (from its holders and its own systems), or a person's.
pub fn describe(snap: &Snapshot, key: &str) -> Option<Description> {
    if let Some(role) = snap.inv.roles().find(|r| r.key == key) {
        let holders: Vec<Ix> = role.holders.iter().filter_map(|h| snap.person(h)).collect();
        let mut d = describe_people(snap, &holders, format!("role:{}", role.key), role.name.clone());
        for s in role.systems.iter().filter_map(|s| snap.system(s)) {
            let label = format!("{} (tier {})", snap.systems[s as usize].name, snap.systems[s as usize].tier);
            if !d.administers.contains(&label) {
                push_sorted(&mut d.knows, label);
            }
        }
        return Some(d);
    }
    let p = snap.person(key)?;
    let person = snap.people[p as usize];
    let title = person.title.clone().unwrap_or_else(|| person.name.clone());
    Some(describe_people(snap, &[p], format!("person:{key}"), title))
}

impl Description {
    /// A draft job description in Markdown.
    pub fn markdown(&self) -> String {
        let mut out =
            format!("# {} — responsibilities (draft)\n\nDrafted by handover from what {} holds today.\n", self.title, self.subject);
        let sections: [(&str, &Vec<String>); 10] = [
            ("Administers", &self.administers),
            ("Knows and supports", &self.knows),
            ("Owns", &self.owns),
            ("Roles", &self.roles),
            ("Vendor relationships", &self.vendors),
            ("Contracts", &self.contracts),
            ("Policies and plans kept current", &self.policies),
            ("Projects led", &self.projects),
            ("Secrets held (to transfer, then rotate)", &self.secrets),
            ("Code authored", &self.code),
        ];
        for (title, items) in sections.iter().filter(|(_, items)| !items.is_empty()) {
            out.push_str(&format!("\n## {title}\n\n"));
            for i in items.iter() {
                out.push_str(&format!("- {i}\n"));
            }
        }
        out
    }
}
