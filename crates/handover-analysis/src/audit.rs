//! `handover audit`: every rule of the catalogue run over a snapshot, each finding with
//! its evidence, the controls it maps to and whether someone accepted the risk.

use crate::config::Thresholds;
use crate::rules::{self, Rule};
use crate::snapshot::{Ix, Snapshot};
use handover_core::{AccountKind, Kind, PatchCadence, PersonStatus, ProjectStatus, Severity};
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// The record the finding is about, as `KIND:KEY`.
    pub subject: String,
    /// One sentence about this subject.
    pub summary: String,
    /// The facts that triggered it.
    pub evidence: Vec<String>,
    pub remediation: &'static str,
    pub controls: &'static [&'static str],
    /// Set when a current acceptance covers this finding.
    pub accepted: Option<Accepted>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accepted {
    pub acceptance: String,
    pub by: String,
    pub reason: String,
    pub expires: Date,
}

fn subject(kind: Kind, key: &str) -> String {
    format!("{kind}:{key}")
}

fn raise(s: Severity) -> Severity {
    match s {
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        _ => Severity::Critical,
    }
}

fn lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        _ => Severity::Low,
    }
}

fn days(from: Date, to: Date) -> i64 {
    from.until((jiff::Unit::Day, to)).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

struct Ctx<'s, 'a> {
    snap: &'s Snapshot<'a>,
    t: &'s Thresholds,
    today: Date,
}

impl Ctx<'_, '_> {
    fn finding(&self, rule: &Rule, severity: Severity, subject: String, summary: String, evidence: Vec<String>) -> Finding {
        Finding {
            rule: rule.id,
            title: rule.title,
            severity,
            subject,
            summary,
            evidence,
            remediation: rule.remediation,
            controls: rule.controls,
            accepted: None,
        }
    }
    fn name(&self, p: Ix) -> String {
        let person = self.snap.people[p as usize];
        match person.status {
            PersonStatus::Leaving => format!("{} (leaving {})", person.name, person.leaving_on.map_or_else(String::new, |d| d.to_string())),
            _ => person.name.clone(),
        }
    }
    fn system_name(&self, s: Ix) -> String {
        let sys = self.snap.systems[s as usize];
        format!("{} (tier {})", sys.name, sys.tier)
    }
    /// Systems critical enough for the key-person rules.
    fn key_systems(&self) -> impl Iterator<Item = Ix> + '_ {
        (0..self.snap.systems.len() as Ix).filter(|s| self.snap.systems[*s as usize].tier <= self.t.key_person_max_tier)
    }
    /// Key-person findings weigh more on tier 1 and when the person is already leaving.
    fn key_person_severity(&self, rule: &Rule, s: Ix, people: &[Ix]) -> Severity {
        let mut sev = rule.severity;
        if self.snap.systems[s as usize].tier == 1 {
            sev = raise(sev);
        }
        if people.iter().any(|p| self.snap.people[*p as usize].status == PersonStatus::Leaving) {
            sev = raise(sev);
        }
        sev
    }
    fn is_present_key(&self, key: &str) -> bool {
        self.snap.person(key).is_some_and(|p| self.snap.is_present(p))
    }
}

type RuleFn = fn(&Ctx) -> Vec<Finding>;

/// Runs every rule. Findings come most severe first, then by rule and subject.
pub fn audit(snap: &Snapshot, thresholds: &Thresholds, today: Date) -> Vec<Finding> {
    let ctx = Ctx { snap, t: thresholds, today };
    let rules: [RuleFn; 26] = [
        single_admin,
        single_knower,
        solo_role,
        sole_secret,
        undocumented,
        leaver_access,
        leaving_admin,
        dormant,
        admin_without_mfa,
        shared_admin,
        unlinked,
        stale_secret,
        expiring_secret,
        excessive_admin,
        toxic_accumulation,
        contract_lapsing,
        vendor_without_contact,
        unmaintained,
        policy_overdue,
        no_backup_lead,
        code_orphaned,
        code_single_author,
        escrow_custodian_gone,
        review_revoke_pending,
        review_overdue,
        intake_pending,
    ];
    let mut findings: Vec<Finding> = rules.par_iter().flat_map_iter(|rule| rule(&ctx)).collect();
    apply_acceptances(snap, &mut findings, today);
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(b.rule)).then_with(|| a.subject.cmp(&b.subject)));
    findings
}

fn apply_acceptances(snap: &Snapshot, findings: &mut [Finding], today: Date) {
    let current: HashMap<(&str, &str), &handover_core::Acceptance> =
        snap.inv.acceptances().filter(|a| a.expires >= today).map(|a| ((a.rule.as_str(), a.subject.as_str()), a)).collect();
    if current.is_empty() {
        return;
    }
    for f in findings {
        if let Some(a) = current.get(&(f.rule, f.subject.as_str())) {
            let by = snap.inv.person(&a.accepted_by).map_or_else(|| a.accepted_by.clone(), |p| p.name.clone());
            f.accepted = Some(Accepted { acceptance: a.key.clone(), by, reason: a.reason.clone(), expires: a.expires });
        }
    }
}

fn single_admin(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    let mut out = Vec::new();
    for s in c.key_systems() {
        let admins = snap.admin_people(s);
        if admins.len() != 1 {
            continue;
        }
        let p = admins[0];
        let mut evidence: Vec<String> = snap.system_admins[s as usize]
            .iter()
            .map(|(_, a)| {
                let acc = &snap.accounts[*a as usize];
                match acc.admin_via {
                    Some(via) => format!("{} has admin through {} ({})", c.name(p), snap.accounts[via as usize].key, acc.key),
                    None => format!("{} has admin as {}", c.name(p), acc.key),
                }
            })
            .collect();
        let others: Vec<String> = snap
            .accounts_on(s)
            .map(|(_, a)| a)
            .filter(|a| a.is_active() && a.is_admin() && !a.is_container() && a.person.is_none_or(|q| !snap.is_present(q)))
            .map(|a| format!("{} ({})", a.key, a.record.kind))
            .collect();
        if !others.is_empty() {
            evidence.push(format!("other admin accounts belong to no one here: {}", others.join(", ")));
        }
        out.push(c.finding(
            &rules::SINGLE_ADMIN,
            c.key_person_severity(&rules::SINGLE_ADMIN, s, &[p]),
            subject(Kind::System, snap.system_key(s)),
            format!("{} is the only person who can administer {}", c.name(p), c.system_name(s)),
            evidence,
        ));
    }
    out
}

fn single_knower(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    let mut out = Vec::new();
    for s in c.key_systems() {
        let knowers = &snap.system_knowers[s as usize];
        let sys = snap.systems[s as usize];
        let summary = match knowers.as_slice() {
            [] => format!("no one still here knows {}", c.system_name(s)),
            [p] => format!("only {} knows {}", c.name(*p), c.system_name(s)),
            _ => continue,
        };
        let mut evidence = vec![
            format!("technical owners: {}", if sys.technical_owners.is_empty() { "none".into() } else { sys.technical_owners.join(", ") }),
            format!("documentation authors: {}", {
                let authors: Vec<&str> = sys.docs.iter().filter_map(|d| d.author.as_deref()).collect();
                if authors.is_empty() {
                    "none".to_string()
                } else {
                    authors.join(", ")
                }
            }),
            format!("people with admin: {}", snap.admin_people(s).iter().map(|p| snap.person_key(*p)).collect::<Vec<_>>().join(", ")),
        ];
        if sys.docs.is_empty() {
            evidence.push("no documentation recorded".into());
        }
        let sev = if knowers.is_empty() {
            raise(rules::SINGLE_KNOWER.severity)
        } else {
            c.key_person_severity(&rules::SINGLE_KNOWER, s, knowers)
        };
        out.push(c.finding(&rules::SINGLE_KNOWER, sev, subject(Kind::System, &sys.key), summary, evidence));
    }
    out
}

fn solo_role(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in c.snap.inv.roles().filter(|r| r.critical) {
        let holders: Vec<&String> = r.holders.iter().filter(|p| c.is_present_key(p)).collect();
        let deputies: Vec<&String> = r.deputies.iter().filter(|p| c.is_present_key(p)).collect();
        if holders.len() > 1 || !deputies.is_empty() {
            continue;
        }
        let summary = match holders.first() {
            Some(h) => format!("{} holds the critical role {} alone, with no deputy", c.name(c.snap.person(h).unwrap_or(0)), r.name),
            None => format!("no one still here holds the critical role {}", r.name),
        };
        let evidence = vec![
            format!("holders: {}", r.holders.join(", ")),
            format!("deputies: {}", if r.deputies.is_empty() { "none".into() } else { r.deputies.join(", ") }),
        ];
        let sev = if holders.is_empty() { Severity::Critical } else { rules::SOLO_ROLE.severity };
        out.push(c.finding(&rules::SOLO_ROLE, sev, subject(Kind::Role, &r.key), summary, evidence));
    }
    out
}

fn sole_secret(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for cr in c.snap.inv.credentials() {
        let present: Vec<&String> = cr.holders.iter().filter(|p| c.is_present_key(p)).collect();
        let summary = match (present.as_slice(), cr.holders.is_empty()) {
            ([only], _) => format!("only {} holds {}", c.name(c.snap.person(only).unwrap_or(0)), cr.name),
            ([], false) => format!("everyone who held {} has left", cr.name),
            _ => continue,
        };
        let mut evidence = vec![format!("holders: {}", cr.holders.join(", "))];
        if let Some(loc) = &cr.location {
            evidence.push(format!("kept in: {loc}"));
        }
        let sev = if present.is_empty() { Severity::Critical } else { rules::SOLE_SECRET.severity };
        out.push(c.finding(&rules::SOLE_SECRET, sev, subject(Kind::Credential, &cr.key), summary, evidence));
    }
    out
}

fn undocumented(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    let mut out = Vec::new();
    for s in c.key_systems() {
        let sys = snap.systems[s as usize];
        let newest = sys.docs.iter().filter_map(|d| d.last_reviewed).max();
        let (summary, evidence) = if sys.docs.is_empty() {
            (format!("{} has no documentation", c.system_name(s)), vec!["no documentation links recorded".to_string()])
        } else {
            match newest {
                Some(d) if days(d, c.today) <= c.t.docs_review_days => continue,
                Some(d) => (
                    format!("the documentation of {} was last reviewed {} days ago", c.system_name(s), days(d, c.today)),
                    sys.docs
                        .iter()
                        .map(|d| format!("{}: last reviewed {}", d.title, d.last_reviewed.map_or("never".into(), |x| x.to_string())))
                        .collect(),
                ),
                None => (
                    format!("the documentation of {} was never reviewed", c.system_name(s)),
                    sys.docs.iter().map(|d| format!("{}: {}", d.title, d.url)).collect(),
                ),
            }
        };
        let sev = if sys.tier == 1 && sys.docs.is_empty() { raise(rules::UNDOCUMENTED.severity) } else { rules::UNDOCUMENTED.severity };
        out.push(c.finding(&rules::UNDOCUMENTED, sev, subject(Kind::System, &sys.key), summary, evidence));
    }
    out
}

/// Active accounts of each person matching `status`, with which of them hold admin.
fn accounts_of_people(c: &Ctx, status: PersonStatus) -> Vec<(Ix, Vec<Ix>)> {
    let snap = c.snap;
    (0..snap.people.len() as Ix)
        .filter(|p| snap.people[*p as usize].status == status)
        .map(|p| {
            (p, snap.person_accounts[p as usize].iter().copied().filter(|a| snap.accounts[*a as usize].is_active()).collect::<Vec<_>>())
        })
        .filter(|(_, accounts)| !accounts.is_empty())
        .collect()
}

fn leaver_access(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    accounts_of_people(c, PersonStatus::Left)
        .into_iter()
        .map(|(p, accounts)| {
            let person = snap.people[p as usize];
            let admin = accounts.iter().filter(|a| snap.accounts[**a as usize].is_admin()).count();
            let evidence = accounts
                .iter()
                .map(|a| {
                    let acc = &snap.accounts[*a as usize];
                    let mut line = format!("{} is active", acc.key);
                    if acc.is_admin() {
                        line.push_str(", with admin");
                    }
                    if let (Some(used), Some(left)) = (acc.record.last_used, person.left_on) {
                        if used > left {
                            line.push_str(&format!(", used {used} — after they left"));
                        }
                    }
                    line
                })
                .collect();
            let left = person.left_on.map_or_else(String::new, |d| format!(" on {d}"));
            let sev = if admin > 0 { Severity::Critical } else { rules::LEAVER_ACCESS.severity };
            c.finding(
                &rules::LEAVER_ACCESS,
                sev,
                subject(Kind::Person, &person.key),
                format!(
                    "{} left{left} but {} still active ({admin} with admin)",
                    person.name,
                    plural(accounts.len(), "account is", "accounts are")
                ),
                evidence,
            )
        })
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn leaving_admin(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    accounts_of_people(c, PersonStatus::Leaving)
        .into_iter()
        .filter_map(|(p, accounts)| {
            let admin: Vec<&str> = accounts.iter().map(|a| &snap.accounts[*a as usize]).filter(|a| a.is_admin()).map(|a| a.key).collect();
            if admin.is_empty() {
                return None;
            }
            let person = snap.people[p as usize];
            let evidence = admin.iter().map(|a| format!("{a} has admin")).collect();
            let sev = match person.leaving_on {
                Some(d) if days(c.today, d) <= 14 => raise(rules::LEAVING_ADMIN.severity),
                _ => rules::LEAVING_ADMIN.severity,
            };
            Some(c.finding(
                &rules::LEAVING_ADMIN,
                sev,
                subject(Kind::Person, &person.key),
                format!("{} holds admin on {}", c.name(p), plural(admin.len(), "account", "accounts")),
                evidence,
            ))
        })
        .collect()
}

/// Findings about single active login accounts.
fn per_account(
    c: &Ctx,
    rule: &Rule,
    test: impl Fn(&crate::snapshot::AccountNode) -> Option<(Severity, String, Vec<String>)>,
) -> Vec<Finding> {
    c.snap
        .accounts
        .iter()
        .filter(|a| a.is_active() && !a.is_container())
        .filter_map(|a| test(a).map(|(sev, summary, evidence)| c.finding(rule, sev, subject(Kind::Account, a.key), summary, evidence)))
        .collect()
}

fn dormant(c: &Ctx) -> Vec<Finding> {
    per_account(c, &rules::DORMANT, |a| {
        let used = a.record.last_used?;
        let idle = days(used, c.today);
        (idle > c.t.dormant_days).then(|| {
            let sev = if a.is_admin() { raise(rules::DORMANT.severity) } else { rules::DORMANT.severity };
            (
                sev,
                format!("{} has not been used for {idle} days", a.key),
                vec![format!("last used {used}; threshold {} days", c.t.dormant_days)],
            )
        })
    })
}

fn admin_without_mfa(c: &Ctx) -> Vec<Finding> {
    per_account(c, &rules::ADMIN_NO_MFA, |a| {
        (a.is_admin() && a.record.mfa == Some(false)).then(|| {
            let tier = c.snap.systems[a.system as usize].tier;
            let sev = if tier == 1 { raise(rules::ADMIN_NO_MFA.severity) } else { rules::ADMIN_NO_MFA.severity };
            let who = a.person.map_or_else(|| format!("{} account", a.record.kind), |p| c.name(p));
            (sev, format!("{} ({who}) has admin on {} without MFA", a.key, c.system_name(a.system)), vec!["mfa: false".into()])
        })
    })
}

fn shared_admin(c: &Ctx) -> Vec<Finding> {
    per_account(c, &rules::SHARED_ADMIN, |a| {
        (a.is_admin() && a.kind == AccountKind::Shared).then(|| {
            let holders: Vec<&str> = c
                .snap
                .inv
                .credentials()
                .filter(|cr| cr.system.as_deref() == Some(c.snap.system_key(a.system)))
                .flat_map(|cr| cr.holders.iter().map(String::as_str))
                .collect();
            let mut evidence = vec![format!("shared account with admin on {}", c.system_name(a.system))];
            if !holders.is_empty() {
                evidence.push(format!("credential holders for this system: {}", holders.join(", ")));
            }
            let sev = if a.record.mfa == Some(false) { raise(rules::SHARED_ADMIN.severity) } else { rules::SHARED_ADMIN.severity };
            (sev, format!("{} is a shared admin account", a.key), evidence)
        })
    })
}

fn unlinked(c: &Ctx) -> Vec<Finding> {
    per_account(c, &rules::UNLINKED, |a| {
        (a.kind == AccountKind::Personal && a.person.is_none()).then(|| {
            let sev = if a.is_admin() { raise(raise(rules::UNLINKED.severity)) } else { rules::UNLINKED.severity };
            let evidence = vec![format!("last used {}", a.record.last_used.map_or("unknown".into(), |d| d.to_string()))];
            (sev, format!("{} belongs to no known person{}", a.key, if a.is_admin() { " and has admin" } else { "" }), evidence)
        })
    })
}

fn stale_secret(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for cr in c.snap.inv.credentials() {
        let max_age = cr.rotation_interval.map_or(c.t.credential_max_age_days, |i| i.days() as i64);
        let (summary, evidence) = match cr.last_rotated {
            None => (format!("{} has no recorded rotation", cr.name), vec!["last_rotated: unknown".to_string()]),
            Some(d) if days(d, c.today) > max_age => (
                format!("{} was last rotated {} days ago", cr.name, days(d, c.today)),
                vec![format!("last rotated {d}; allowed {max_age} days")],
            ),
            _ => continue,
        };
        out.push(c.finding(&rules::STALE_SECRET, rules::STALE_SECRET.severity, subject(Kind::Credential, &cr.key), summary, evidence));
    }
    out
}

fn expiring_secret(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for cr in c.snap.inv.credentials() {
        let Some(expires) = cr.expires else { continue };
        let left = days(c.today, expires);
        if left > c.t.credential_expiry_days {
            continue;
        }
        let (sev, summary) = if left < 0 {
            (Severity::High, format!("{} expired {} days ago", cr.name, -left))
        } else {
            (if left <= 7 { Severity::High } else { rules::EXPIRING_SECRET.severity }, format!("{} expires in {left} days", cr.name))
        };
        out.push(c.finding(&rules::EXPIRING_SECRET, sev, subject(Kind::Credential, &cr.key), summary, vec![format!("expires {expires}")]));
    }
    out
}

fn excessive_admin(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    // Per person, the last system they were counted on (+1): each system's accounts are
    // read once, and a person with two accounts on it counts once.
    let mut counted_on: Vec<Ix> = vec![0; snap.people.len()];
    let mut out = Vec::new();
    for s in 0..snap.systems.len() as Ix {
        let mut n = 0;
        for (_, a) in snap.accounts_on(s).filter(|(_, a)| a.is_active()) {
            if let Some(p) = a.person.filter(|p| snap.is_present(*p) && counted_on[*p as usize] != s + 1) {
                counted_on[p as usize] = s + 1;
                n += 1;
            }
        }
        let admins = snap.admin_people(s).len();
        if n < c.t.excessive_admin_min_people || (admins as f64) <= c.t.excessive_admin_share * n as f64 {
            continue;
        }
        let share = 100.0 * admins as f64 / n as f64;
        out.push(c.finding(
            &rules::EXCESSIVE_ADMIN,
            rules::EXCESSIVE_ADMIN.severity,
            subject(Kind::System, snap.system_key(s)),
            format!("{admins} of {n} people on {} have admin ({share:.0}%)", c.system_name(s)),
            vec![format!("threshold {:.0}% of at least {} people", 100.0 * c.t.excessive_admin_share, c.t.excessive_admin_min_people)],
        ));
    }
    out
}

fn toxic_accumulation(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    let mut admin_systems: Vec<Vec<Ix>> = vec![Vec::new(); snap.people.len()];
    for s in 0..snap.systems.len() as Ix {
        for p in snap.admin_people(s) {
            admin_systems[p as usize].push(s);
        }
    }
    let mut out = Vec::new();
    for (p, systems) in admin_systems.iter().enumerate() {
        if systems.len() < c.t.toxic_admin_systems {
            continue;
        }
        let p = p as Ix;
        let names: Vec<String> = systems.iter().map(|s| snap.system_key(*s).to_string()).collect();
        out.push(c.finding(
            &rules::TOXIC_ACCUMULATION,
            if systems.len() >= 2 * c.t.toxic_admin_systems {
                raise(rules::TOXIC_ACCUMULATION.severity)
            } else {
                rules::TOXIC_ACCUMULATION.severity
            },
            subject(Kind::Person, snap.person_key(p)),
            format!("{} has admin on {} systems", c.name(p), systems.len()),
            vec![format!("admin on: {}", names.join(", ")), format!("threshold {} systems", c.t.toxic_admin_systems)],
        ));
    }
    out
}

fn contract_lapsing(c: &Ctx) -> Vec<Finding> {
    let snap = c.snap;
    let mut out = Vec::new();
    for ct in snap.inv.contracts() {
        let Some(ends) = ct.ends else { continue };
        let left = days(c.today, ends);
        let maintained: Vec<Ix> = (0..snap.systems.len() as Ix)
            .filter(|s| snap.systems[*s as usize].maintenance_contract.as_deref() == Some(ct.key.as_str()))
            .collect();
        let critical = maintained.iter().any(|s| snap.systems[*s as usize].tier == 1);
        let mut evidence: Vec<String> = maintained.iter().map(|s| format!("maintenance contract of {}", c.system_name(*s))).collect();
        let (sev, summary) = if left < 0 {
            if maintained.is_empty() {
                continue;
            }
            (
                if critical { Severity::High } else { rules::CONTRACT_LAPSING.severity },
                format!("{} ended {} days ago but systems still rely on it", ct.name, -left),
            )
        } else if left <= c.t.contract_horizon_days && !ct.auto_renew {
            if let Some(notice) = ct.notice_days {
                let deadline = ends.checked_sub(jiff::Span::new().days(i64::from(notice))).ok();
                if let Some(d) = deadline {
                    evidence.push(format!("notice period {notice} days: decision was due {d}"));
                }
            }
            let sev = if critical || left <= 14 { Severity::High } else { rules::CONTRACT_LAPSING.severity };
            (sev, format!("{} ends in {left} days and does not renew itself", ct.name))
        } else {
            continue;
        };
        evidence.insert(0, format!("ends {ends}, auto-renew {}", ct.auto_renew));
        out.push(c.finding(&rules::CONTRACT_LAPSING, sev, subject(Kind::Contract, &ct.key), summary, evidence));
    }
    out
}

fn vendor_without_contact(c: &Ctx) -> Vec<Finding> {
    let mut has_contact: HashSet<&str> = HashSet::new();
    for ct in c.snap.inv.contacts() {
        if let Some(v) = ct.vendor.as_deref() {
            has_contact.insert(v);
        }
    }
    let mut out = Vec::new();
    for v in c.snap.inv.vendors() {
        let owner_here = v.relationship_owner.as_deref().is_some_and(|p| c.is_present_key(p));
        let contact = has_contact.contains(v.key.as_str());
        if owner_here && contact {
            continue;
        }
        let mut evidence = Vec::new();
        if !owner_here {
            evidence.push(match &v.relationship_owner {
                Some(p) => format!("relationship owner {p} has left"),
                None => "no internal relationship owner".into(),
            });
        }
        if !contact {
            evidence.push("no contact recorded at the vendor".into());
        }
        out.push(c.finding(
            &rules::VENDOR_NO_CONTACT,
            rules::VENDOR_NO_CONTACT.severity,
            subject(Kind::Vendor, &v.key),
            format!("{} has no named contact", v.name),
            evidence,
        ));
    }
    out
}

fn unmaintained(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (s, sys) in c.snap.systems.iter().enumerate() {
        let mut evidence = Vec::new();
        // Going without an agreement is fine once someone has decided so, on the record.
        let waived = sys.intake.as_ref().is_some_and(|i| i.no_maintenance.is_some());
        if sys.maintenance_contract.is_none() && !waived {
            evidence.push("no maintenance agreement".to_string());
        }
        match &sys.patching {
            None => evidence.push("no patching owner or cadence".into()),
            Some(p) if p.cadence == PatchCadence::None => evidence.push("patching cadence: none".into()),
            Some(p) if p.owner.is_none() && p.cadence != PatchCadence::VendorManaged => evidence.push("patching has no owner".into()),
            Some(p) if p.owner.as_deref().is_some_and(|o| !c.is_present_key(o)) => evidence.push("the patching owner has left".into()),
            _ => {}
        }
        // A SaaS maintained by its vendor needs no agreement of ours to be patched.
        if evidence.is_empty() || (evidence.len() == 1 && sys.maintenance_contract.is_none() && sys.kind == handover_core::SystemKind::Saas)
        {
            continue;
        }
        let sev = match sys.tier {
            1 => raise(rules::UNMAINTAINED.severity),
            2 => rules::UNMAINTAINED.severity,
            _ => lower(rules::UNMAINTAINED.severity),
        };
        out.push(c.finding(
            &rules::UNMAINTAINED,
            sev,
            subject(Kind::System, &sys.key),
            format!("{}: {}", c.system_name(s as Ix), evidence.join("; ")),
            evidence,
        ));
    }
    out
}

fn policy_overdue(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in c.snap.inv.policies() {
        let mut evidence = Vec::new();
        match (p.last_reviewed, p.next_review()) {
            (None, _) => evidence.push("never reviewed".to_string()),
            (Some(last), Some(due)) if due < c.today => {
                evidence.push(format!("last reviewed {last}; review was due {due} ({} days ago)", days(due, c.today)))
            }
            _ => {}
        }
        match p.owner.as_deref() {
            None => evidence.push("no owner".into()),
            Some(o) if !c.is_present_key(o) => evidence.push(format!("owner {o} has left")),
            _ => {}
        }
        if evidence.is_empty() {
            continue;
        }
        let critical_plan = matches!(
            p.kind,
            handover_core::PolicyKind::DrPlan | handover_core::PolicyKind::CrisisPlan | handover_core::PolicyKind::SuccessionPlan
        );
        let sev = if critical_plan { raise(rules::POLICY_OVERDUE.severity) } else { rules::POLICY_OVERDUE.severity };
        out.push(c.finding(
            &rules::POLICY_OVERDUE,
            sev,
            subject(Kind::Policy, &p.key),
            format!("{}: {}", p.name, evidence.join(", ")),
            evidence,
        ));
    }
    out
}

fn no_backup_lead(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in c.snap.inv.projects().filter(|p| matches!(p.status, ProjectStatus::Active | ProjectStatus::Planned)) {
        let lead_here = p.lead.as_deref().is_some_and(|l| c.is_present_key(l));
        let backup_here = p.backup_lead.as_deref().is_some_and(|l| c.is_present_key(l));
        if backup_here && lead_here {
            continue;
        }
        let lead = p.lead.as_deref().and_then(|l| c.snap.person(l)).map_or_else(|| "no one".to_string(), |l| c.name(l));
        let mut evidence = vec![format!("lead: {lead}"), format!("backup lead: {}", p.backup_lead.as_deref().unwrap_or("none"))];
        if let Some(d) = p.deadline {
            evidence.push(format!("deadline {d}"));
        }
        let sev = if !lead_here { Severity::High } else { rules::NO_BACKUP_LEAD.severity };
        out.push(c.finding(
            &rules::NO_BACKUP_LEAD,
            sev,
            subject(Kind::Project, &p.key),
            format!("{} is led by {lead} with no backup lead", p.name),
            evidence,
        ));
    }
    out
}

/// Scanned repositories with the tier of their system (4 when none is linked).
fn scanned_repos<'a>(c: &'a Ctx) -> impl Iterator<Item = (&'a handover_core::Repository, &'a handover_core::RepoScan, u8)> + 'a {
    c.snap.inv.repositories().filter_map(|r| {
        let scan = r.scan.as_ref()?;
        let tier = r.system.as_deref().and_then(|s| c.snap.system(s)).map_or(4, |s| c.snap.systems[s as usize].tier);
        Some((r, scan, tier))
    })
}

/// An author as evidence: name, the person it is and their status.
fn author_line(c: &Ctx, a: &handover_core::RepoAuthor) -> String {
    let who = match a.person.as_deref().and_then(|k| c.snap.person(k)) {
        Some(p) => match c.snap.people[p as usize].status {
            PersonStatus::Active => c.snap.person_key(p).to_string(),
            _ => format!("{}, {}", c.snap.person_key(p), c.snap.people[p as usize].status),
        },
        None => "not matched to a person".to_string(),
    };
    format!("{} <{}> ({who}): author of {} files", a.name, a.email, a.files)
}

fn code_orphaned(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (r, scan, tier) in scanned_repos(c) {
        if scan.truck_factor == 0 {
            continue;
        }
        let leaving: Vec<Ix> = scan
            .authors
            .iter()
            .filter_map(|a| a.person.as_deref().and_then(|k| c.snap.person(k)))
            .filter(|&p| c.snap.people[p as usize].status == PersonStatus::Leaving)
            .collect();
        let gone = c.snap.repo_authors_gone(scan, &leaving);
        let after = scan.truck_factor_without(&gone);
        if after.value > 0 {
            continue;
        }
        let departing: Vec<&handover_core::RepoAuthor> = scan.authors.iter().zip(&gone).filter(|(_, g)| **g).map(|(a, _)| a).collect();
        let mut evidence: Vec<String> = departing.iter().map(|a| author_line(c, a)).collect();
        evidence.push(format!(
            "with them gone, {:.0}% of {} source files keep an author (truck factor 0)",
            after.coverage * 100.0,
            scan.files
        ));
        evidence.push(format!("scanned {} at {}", scan.scanned_on, &scan.head[..scan.head.len().min(12)]));
        let names: Vec<&str> = departing.iter().map(|a| a.name.as_str()).collect();
        let sev = if tier == 1 { raise(rules::CODE_ORPHANED.severity) } else { rules::CODE_ORPHANED.severity };
        out.push(c.finding(
            &rules::CODE_ORPHANED,
            sev,
            subject(Kind::Repository, &r.key),
            format!("most of {}'s code would be left without an author once {} are gone", r.key, names.join(", ")),
            evidence,
        ));
    }
    out
}

fn code_single_author(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (r, scan, tier) in scanned_repos(c) {
        let tf = scan.truck_factor_without(&c.snap.repo_authors_gone(scan, &[]));
        let [only] = tf.authors.as_slice() else { continue };
        let author = &scan.authors[*only as usize];
        // Someone leaving is HO-CODE-001's finding, not this one's.
        let person = author.person.as_deref().and_then(|k| c.snap.person(k));
        if person.is_some_and(|p| c.snap.people[p as usize].status == PersonStatus::Leaving) {
            continue;
        }
        let sev = match tier {
            1 => raise(rules::CODE_SINGLE_AUTHOR.severity),
            2 => rules::CODE_SINGLE_AUTHOR.severity,
            _ => lower(rules::CODE_SINGLE_AUTHOR.severity),
        };
        let name = person.map_or_else(|| author.name.clone(), |p| c.name(p));
        out.push(c.finding(
            &rules::CODE_SINGLE_AUTHOR,
            sev,
            subject(Kind::Repository, &r.key),
            format!("{name} alone holds up {}: without them, most files have no author", r.key),
            vec![author_line(c, author), format!("{} source files, {} commits", scan.files, scan.commits)],
        ));
    }
    out
}

fn intake_pending(c: &Ctx) -> Vec<Finding> {
    c.snap
        .inv
        .systems()
        .filter_map(|s| {
            let intake = s.intake.as_ref().filter(|i| i.status == handover_core::IntakeStatus::Pending)?;
            let gaps = s.intake_gaps(c.snap.inv);
            let requested = c.snap.person(&intake.requested_by).map_or_else(|| intake.requested_by.clone(), |p| c.name(p));
            let mut evidence = vec![format!("requested by {requested} on {}", intake.requested_on)];
            let (sev, summary) = if gaps.is_empty() {
                evidence.push("nothing is missing".into());
                (Severity::Low, format!("{} has everything it needs; accept it into IT's care", s.name))
            } else {
                evidence.extend(gaps.iter().map(|g| format!("lacks {g}")));
                let sev =
                    if s.tier <= c.t.key_person_max_tier { raise(rules::INTAKE_PENDING.severity) } else { rules::INTAKE_PENDING.severity };
                (sev, format!("{} (tier {}) runs without {} of the six things intake requires", s.name, s.tier, gaps.len()))
            };
            Some(c.finding(&rules::INTAKE_PENDING, sev, subject(Kind::System, &s.key), summary, evidence))
        })
        .collect()
}

fn review_revoke_pending(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in c.snap.inv.reviews() {
        for it in r.items.iter().filter(|i| i.decision == Some(handover_core::Decision::Revoke) && i.still_active(c.snap.inv)) {
            let by = it.decided_by.as_deref().and_then(|k| c.snap.person(k)).map_or_else(|| "a reviewer".to_string(), |p| c.name(p));
            let sev = if it.level == handover_core::Level::Admin {
                raise(rules::REVIEW_REVOKE_PENDING.severity)
            } else {
                rules::REVIEW_REVOKE_PENDING.severity
            };
            out.push(c.finding(
                &rules::REVIEW_REVOKE_PENDING,
                sev,
                subject(Kind::Account, &it.account),
                format!("{} was to be revoked ({}) but is still active", it.access, r.name),
                vec![
                    format!(
                        "decided revoke by {by} on {}: {}",
                        it.decided_on.map_or_else(String::new, |d| d.to_string()),
                        it.reason.as_deref().unwrap_or("")
                    ),
                    format!("level {}", it.level),
                    format!("review {}", r.key),
                ],
            ));
        }
    }
    out
}

fn review_overdue(c: &Ctx) -> Vec<Finding> {
    c.snap
        .inv
        .reviews()
        .filter(|r| r.status == handover_core::ReviewStatus::Open && r.due < c.today)
        .filter_map(|r| {
            let (done, all) = r.progress();
            (done < all).then(|| {
                let mut waiting: Vec<&str> =
                    r.items.iter().filter(|i| i.decision.is_none()).filter_map(|i| i.reviewer.as_deref()).collect();
                waiting.sort_unstable();
                waiting.dedup();
                c.finding(
                    &rules::REVIEW_OVERDUE,
                    rules::REVIEW_OVERDUE.severity,
                    subject(Kind::Review, &r.key),
                    format!("{} was due {} and {} of {all} items are undecided", r.name, r.due, all - done),
                    vec![format!(
                        "waiting on: {}",
                        if waiting.is_empty() { "no reviewer assigned".to_string() } else { waiting.join(", ") }
                    )],
                )
            })
        })
        .collect()
}

fn escrow_custodian_gone(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in c.snap.inv.escrows() {
        let status = |k: &str| c.snap.person(k).map(|p| c.snap.people[p as usize].status);
        let departing: Vec<&str> = e.custodians().filter(|k| status(k) != Some(PersonStatus::Active)).collect();
        if departing.is_empty() {
            continue;
        }
        // Custodians who have left cannot be counted on; those leaving still can, until they go.
        let reachable = e.custodians().filter(|k| matches!(status(k), Some(PersonStatus::Active | PersonStatus::Leaving))).count();
        let staying = e.custodians().count() - departing.len();
        let mut evidence: Vec<String> = departing
            .iter()
            .map(|k| match c.snap.person(k) {
                Some(p) if c.snap.people[p as usize].status == PersonStatus::Left => format!(
                    "custodian {} (left {})",
                    c.snap.people[p as usize].name,
                    c.snap.people[p as usize].left_on.map_or_else(String::new, |d| d.to_string())
                ),
                Some(p) => format!("custodian {}", c.name(p)),
                None => format!("custodian {k} (unknown person)"),
            })
            .collect();
        evidence.push(format!(
            "opens with {} of {} shares; custodians staying: {staying}; able to take part today: {reachable}",
            e.threshold,
            e.shares.len()
        ));
        evidence.push(format!("generation {}, sealed {}", e.generation, e.sealed_on));
        let (sev, summary) = if reachable < usize::from(e.threshold) {
            (Severity::Critical, format!("{} can no longer be opened: too few custodians are left to reach the threshold", e.name))
        } else if staying < usize::from(e.threshold) {
            (Severity::Critical, format!("{} must be rekeyed before the leaving custodians go, or it can no longer be opened", e.name))
        } else {
            (rules::ESCROW_CUSTODIAN_GONE.severity, format!("{} still has shares with people who left or are leaving", e.name))
        };
        out.push(c.finding(&rules::ESCROW_CUSTODIAN_GONE, sev, subject(Kind::Escrow, &e.key), summary, evidence));
    }
    out
}
