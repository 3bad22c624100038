//! Building the runbook.

use handover_analysis::snapshot::{Ix, Snapshot};
use handover_analysis::whatif::whatif;
use handover_core::{Interval, Kind, PersonStatus, Plan, PlanMode, ProjectStatus, Record, Task, TaskKind, TaskStatus};
use jiff::civil::{Date, DateTime};
use jiff::{Span, ToSpan};
use std::collections::{BTreeSet, HashMap};

/// What to plan.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub person: String,
    pub mode: PlanMode,
    pub leaving_at: DateTime,
    /// Hostile mode: the lock-out window.
    pub window: Interval,
    pub owner: Option<String>,
    pub today: Date,
}

fn at(base: DateTime, offset: Span) -> DateTime {
    base.checked_add(offset).unwrap_or(base)
}

/// How dangerous it is to leave an account active a minute longer: lower first. The
/// identity provider opens everything else; cloud admin and remote access reach in from
/// outside; email can forward data out.
fn danger(snap: &Snapshot, account: Ix) -> (u8, u8, u8) {
    let acc = &snap.accounts[account as usize];
    let system = snap.systems[acc.system as usize];
    let tag = |t: &str| system.tags.iter().any(|x| x == t);
    let class = if tag("identity-provider") {
        0
    } else if tag("cloud") {
        1
    } else if tag("remote-access") {
        2
    } else if tag("email") {
        3
    } else if tag("dns") || tag("firewall") || tag("backup") {
        4
    } else {
        5
    };
    (class, if acc.is_admin() { 0 } else { 1 }, system.tier)
}

/// Who should take over something the leaver holds, and why.
struct Successors<'s, 'a> {
    snap: &'s Snapshot<'a>,
    leaver: Ix,
    owner: Option<Ix>,
}

impl Successors<'_, '_> {
    fn ok(&self, p: Ix) -> bool {
        p != self.leaver && self.snap.is_present(p) && self.snap.people[p as usize].status != PersonStatus::Leaving
    }
    fn name(&self, p: Ix) -> &str {
        &self.snap.people[p as usize].name
    }
    fn fallback(&self) -> (Option<Ix>, String) {
        let leaver = self.snap.people[self.leaver as usize];
        if let Some(m) = leaver.manager.as_deref().and_then(|m| self.snap.person(m)).filter(|m| self.ok(*m)) {
            return (Some(m), format!("{} is their manager; no one else holds or knows it", self.name(m)));
        }
        match self.owner.filter(|o| self.ok(*o)) {
            Some(o) => (Some(o), format!("{} runs this plan; no one else holds or knows it", self.name(o))),
            None => (None, "no one else holds or knows it: name a successor".into()),
        }
    }
    /// For a system: another admin, else another knower, else the fallback.
    fn for_system(&self, s: Ix) -> (Option<Ix>, String) {
        if let Some(p) = self.snap.admin_people(s).into_iter().find(|p| self.ok(*p)) {
            return (Some(p), format!("{} already administers it", self.name(p)));
        }
        if let Some(p) = self.snap.system_knowers[s as usize].iter().copied().find(|p| self.ok(*p)) {
            return (Some(p), format!("{} already knows it", self.name(p)));
        }
        self.fallback()
    }
    /// For a role: a deputy (the succession plan), else the fallback.
    fn for_role(&self, deputies: &[String]) -> (Option<Ix>, String) {
        if let Some(p) = deputies.iter().filter_map(|d| self.snap.person(d)).find(|p| self.ok(*p)) {
            return (Some(p), format!("{} is the deputy", self.name(p)));
        }
        self.fallback()
    }
}

struct Builder {
    tasks: Vec<Task>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        id: String,
        kind: TaskKind,
        title: String,
        targets: Vec<String>,
        assignee: Option<&str>,
        due: DateTime,
        evidence: &str,
        rollback: Option<&str>,
        why: Option<String>,
    ) {
        self.tasks.push(Task {
            id,
            kind,
            title,
            targets,
            assignee: assignee.map(str::to_string),
            due,
            depends_on: Vec::new(),
            evidence_required: evidence.to_string(),
            rollback: rollback.map(str::to_string),
            why,
            message: None,
            status: TaskStatus::Open,
            evidence: None,
            closed_by: None,
            closed_at: None,
        });
    }
}

/// Generates the plan. With `previous` (the stored plan for the same key), tasks already
/// done or skipped are kept as they are, and new ones are added.
///
/// Returns `None` when the person is unknown.
pub fn generate(snap: &Snapshot, spec: &PlanSpec, key: &str, previous: Option<&Plan>) -> Option<Plan> {
    let leaver = snap.person(&spec.person)?;
    let hostile = spec.mode == PlanMode::Hostile;
    let t0 = spec.leaving_at;
    let window_minutes = i64::try_from(spec.window.minutes()).unwrap_or(15).max(1);
    let owner = spec.owner.as_deref().and_then(|o| snap.person(o));
    let succ = Successors { snap, leaver, owner };
    let key_of = |p: Option<Ix>| p.map(|p| snap.person_key(p));
    let impact = whatif(snap, &[leaver]);
    let name = snap.people[leaver as usize].name.clone();
    let mut b = Builder { tasks: Vec::new() };

    // Knowledge: before notice in hostile mode (discreetly), weeks before otherwise.
    let (session_due, supervised_due, transfer_due) = if hostile {
        (at(t0, (-2).hours()), at(t0, (-90).minutes()), at(t0, (-1).hours()))
    } else {
        (at(t0, (-14).days()), at(t0, (-7).days()), at(t0, (-3).days()))
    };
    let critical: BTreeSet<&str> = impact.systems_without_admin.iter().chain(&impact.systems_without_knower).map(String::as_str).collect();
    for system_key in &critical {
        let Some(s) = snap.system(system_key) else { continue };
        let sys = snap.systems[s as usize];
        let (who, why) = succ.for_system(s);
        let target = vec![format!("system:{system_key}")];
        if hostile {
            b.add(
                format!("prestage-admin/{system_key}"),
                TaskKind::Knowledge,
                format!(
                    "Make sure a successor can administer {} before the lock-out (personal admin account, credentials in escrow)",
                    sys.name
                ),
                target,
                key_of(who),
                session_due,
                "the successor signs in as admin and records it",
                Some("remove the successor's admin rights if the plan is cancelled"),
                Some(why),
            );
        } else {
            b.add(
                format!("handover-session/{system_key}"),
                TaskKind::Knowledge,
                format!("Hand-over session: {name} walks the successor through {}; the runbook is written or updated", sys.name),
                target.clone(),
                key_of(who),
                session_due,
                "link to the updated runbook, with its review date",
                None,
                Some(why.clone()),
            );
            b.add(
                format!("supervised-task/{system_key}"),
                TaskKind::Knowledge,
                format!("The successor performs a routine task on {} with {name} watching", sys.name),
                target,
                key_of(who),
                supervised_due,
                "what was done, when, and that it worked",
                None,
                Some(why),
            );
        }
    }
    // Code whose authors would all be gone: the next author (or the system's successor)
    // learns to change and ship it while the leaver can still explain it.
    for repo_key in &impact.repos_without_author {
        let Some(handover_core::Record::Repository(repo)) = snap.inv.get(Kind::Repository, repo_key) else { continue };
        let next_author = repo
            .scan
            .iter()
            .flat_map(|s| &s.authors)
            .filter_map(|a| a.person.as_deref().and_then(|k| snap.person(k)))
            .find(|p| succ.ok(*p));
        let (who, why) = match next_author {
            Some(p) => (Some(p), format!("{} is the next author of the most files", succ.name(p))),
            None => repo.system.as_deref().and_then(|s| snap.system(s)).map_or_else(|| succ.fallback(), |s| succ.for_system(s)),
        };
        let title = if hostile {
            format!("Make sure a successor can build, test and deploy {repo_key} before the lock-out")
        } else {
            format!("Code walkthrough: {name} takes the successor through {repo_key} (build, deploy, the tricky parts); the successor then ships a reviewed change")
        };
        b.add(
            format!("code-walkthrough/{repo_key}"),
            TaskKind::Knowledge,
            title,
            vec![format!("repository:{repo_key}")],
            key_of(who),
            if hostile { session_due } else { supervised_due },
            "the successor's merged change, or a recorded build and deploy",
            None,
            Some(why),
        );
    }
    for project in snap
        .inv
        .projects()
        .filter(|p| p.lead.as_deref() == Some(spec.person.as_str()) && matches!(p.status, ProjectStatus::Active | ProjectStatus::Planned))
    {
        let backup = project.backup_lead.as_deref().and_then(|b| snap.person(b)).filter(|b| succ.ok(*b));
        let (who, why) = match backup {
            Some(b) => (Some(b), format!("{} is the backup lead", succ.name(b))),
            None => succ.fallback(),
        };
        b.add(
            format!("project-report/{}", project.key),
            TaskKind::Knowledge,
            format!("Status report for {}: milestones, deadlines, risks, open decisions", project.name),
            vec![format!("project:{}", project.key)],
            key_of(who),
            session_due,
            "the report, filed with the project",
            None,
            Some(why),
        );
    }

    // Transfers: everything they own or hold.
    for (kind, key, field) in &snap.person_refs[leaver as usize] {
        let (title, who, why) = match (kind, field.as_str()) {
            (Kind::System, f) if f == "owner" || f.starts_with("technical_owners") => {
                let Some(s) = snap.system(key) else { continue };
                let (who, why) = succ.for_system(s);
                (
                    format!(
                        "Transfer {} of {} ({field})",
                        if f == "owner" { "business ownership" } else { "technical ownership" },
                        snap.systems[s as usize].name
                    ),
                    who,
                    why,
                )
            }
            (Kind::Role, f) if f.starts_with("holders") => {
                let Some(Record::Role(r)) = snap.inv.get(Kind::Role, key) else { continue };
                let (who, why) = succ.for_role(&r.deputies);
                (format!("Hand over the role {}", r.name), who, why)
            }
            (Kind::Project, "lead") => {
                let Some(Record::Project(p)) = snap.inv.get(Kind::Project, key) else { continue };
                if !matches!(p.status, ProjectStatus::Active | ProjectStatus::Planned) {
                    continue;
                }
                let backup = p.backup_lead.as_deref().and_then(|b| snap.person(b)).filter(|b| succ.ok(*b));
                let (who, why) = backup.map_or_else(|| succ.fallback(), |b| (Some(b), format!("{} is the backup lead", succ.name(b))));
                (format!("Hand over the lead of {}", p.name), who, why)
            }
            (Kind::Vendor, "relationship_owner") | (Kind::Contract, "owner") => {
                let (who, why) = succ.fallback();
                let label = snap.inv.get(*kind, key).map_or_else(|| key.to_string(), |r| r.label());
                (format!("Become the contact for {kind} {label} and tell them"), who, why)
            }
            (Kind::Policy, "owner") => {
                let (who, why) = succ.fallback();
                let label = snap.inv.get(*kind, key).map_or_else(|| key.to_string(), |r| r.label());
                (format!("Take ownership of {label} (and its next review)"), who, why)
            }
            _ => continue,
        };
        b.add(
            format!("transfer/{kind}/{key}/{field}"),
            TaskKind::Transfer,
            title,
            vec![format!("{kind}:{key}")],
            key_of(who),
            transfer_due,
            "the record updated in handover (the event log shows it)",
            Some("set the field back"),
            Some(why),
        );
    }

    // Revocations, most dangerous first; hostile: spread evenly inside the window.
    let mut accounts: Vec<Ix> =
        snap.person_accounts[leaver as usize].iter().copied().filter(|a| snap.accounts[*a as usize].is_active()).collect();
    accounts.sort_by_key(|a| (danger(snap, *a), snap.accounts[*a as usize].key));
    let n = accounts.len().max(1) as i64;
    let mut revoked_systems: Vec<Ix> = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        let acc = &snap.accounts[*a as usize];
        let due = if hostile { at(t0, (window_minutes * 60 * i as i64 / n).seconds()) } else { t0 };
        let (who, why) = succ.for_system(acc.system);
        let sys = snap.systems[acc.system as usize];
        b.add(
            format!("revoke/{}", acc.key),
            TaskKind::Revoke,
            format!("Disable {} on {}{} and end its sessions", acc.record.name, sys.name, if acc.is_admin() { " (admin)" } else { "" }),
            vec![format!("account:{}", acc.key)],
            key_of(who),
            due,
            "screenshot or export showing the account disabled, with the time",
            Some("re-enable the account (keep it disabled, not deleted, until the plan is verified)"),
            Some(why),
        );
        if !revoked_systems.contains(&acc.system) {
            revoked_systems.push(acc.system);
        }
    }

    // Rotations: every secret they hold or know; hostile: generated before, switched inside the window.
    let window_end = at(t0, window_minutes.minutes());
    for c in snap.inv.credentials().filter(|c| c.holders.contains(&spec.person)) {
        let who = c
            .holders
            .iter()
            .filter_map(|h| snap.person(h))
            .find(|p| succ.ok(*p))
            .map(|p| (Some(p), format!("{} also holds it", succ.name(p))));
        let (who, why) =
            who.unwrap_or_else(|| c.system.as_deref().and_then(|s| snap.system(s)).map_or_else(|| succ.fallback(), |s| succ.for_system(s)));
        if hostile {
            b.add(
                format!("prestage-secret/{}", c.key),
                TaskKind::Rotate,
                format!("Prepare a new value for {} (do not switch yet)", c.name),
                vec![format!("credential:{}", c.key)],
                key_of(who),
                at(t0, (-30).minutes()),
                "the new value is ready in the vault (reference only)",
                None,
                Some(why.clone()),
            );
        }
        b.add(
            format!("rotate/{}", c.key),
            TaskKind::Rotate,
            format!("Rotate {}{}", c.name, c.location.as_deref().map(|l| format!(" (kept in {l})")).unwrap_or_default()),
            vec![format!("credential:{}", c.key)],
            key_of(who),
            if hostile { window_end } else { at(t0, 1.hours()) },
            "the credential's last_rotated set to today in handover",
            Some("the previous value stays in the vault's history until verification"),
            Some(why),
        );
    }

    // Escrows they hold a share of: re-split among those staying, after they are gone
    // (friendly: before, while they can still take part in opening it).
    for escrow_key in &impact.escrows_to_rekey {
        let Some(handover_core::Record::Escrow(e)) = snap.inv.get(Kind::Escrow, escrow_key) else { continue };
        let other = e.custodians().filter_map(|k| snap.person(k)).find(|p| succ.ok(*p));
        let (who, why) = match other {
            Some(p) => (Some(p), format!("{} is a custodian who stays", succ.name(p))),
            None => succ.fallback(),
        };
        b.add(
            format!("rekey-escrow/{escrow_key}"),
            TaskKind::Rotate,
            format!("Rekey the escrow {} without {name}: `handover escrow rekey {escrow_key}` with enough custodians' shares", e.name),
            vec![format!("escrow:{escrow_key}")],
            key_of(who),
            if hostile { window_end } else { at(t0, (-1).days()) },
            "the escrow's generation went up and the leaver holds no share of it",
            Some("the previous generation's shares stop working; keep the custodians informed"),
            Some(why),
        );
    }

    // Communication: after the lock-out in hostile mode.
    let comms_owner = owner.filter(|o| succ.ok(*o)).or_else(|| succ.fallback().0);
    let vendors: Vec<String> = impact.vendors_without_contact.clone();
    let (team_due, vendor_due) =
        if hostile { (at(window_end, 15.minutes()), at(window_end, 1.hours())) } else { (at(t0, (-7).days()), at(t0, (-3).days())) };
    if hostile {
        b.add(
            "communicate/person".into(),
            TaskKind::Communicate,
            format!("Tell {name} of the decision, after every account is disabled"),
            vec![format!("person:{}", spec.person)],
            key_of(comms_owner),
            window_end,
            "who told them, when, and what was handed back",
            None,
            None,
        );
    }
    b.add(
        "communicate/team".into(),
        TaskKind::Communicate,
        format!("Tell the team and the organisation who takes over what from {name}"),
        vec![format!("person:{}", spec.person)],
        key_of(comms_owner),
        team_due,
        "the message as sent",
        None,
        None,
    );
    if !vendors.is_empty() {
        b.add(
            "communicate/vendors".into(),
            TaskKind::Communicate,
            format!("Tell vendors their new contact: {}", vendors.join(", ")),
            vendors.iter().map(|v| format!("vendor:{v}")).collect(),
            key_of(comms_owner),
            vendor_due,
            "the messages as sent",
            None,
            None,
        );
    }

    // Verification: a fresh import of each system shows no active account of theirs.
    for s in revoked_systems {
        let (who, why) = succ.for_system(s);
        let key = snap.system_key(s);
        b.add(
            format!("verify/{key}"),
            TaskKind::Verify,
            format!("Re-import {} and confirm no active account of {name} remains (`handover plan verify`)", snap.systems[s as usize].name),
            vec![format!("system:{key}")],
            key_of(who),
            at(window_end, if hostile { 30.minutes() } else { 1.days() }),
            "`handover plan verify` shows nothing left on this system",
            None,
            Some(why),
        );
    }

    let mut tasks = b.tasks;
    // A task never falls to the leaver; depends_on links each verification to its revocations.
    for t in &mut tasks {
        if t.assignee.as_deref() == Some(spec.person.as_str()) {
            t.assignee = None;
        }
    }
    let revokes: HashMap<String, Vec<String>> = tasks.iter().filter(|t| t.kind == TaskKind::Revoke).fold(HashMap::new(), |mut m, t| {
        if let Some(system) = t.targets.first().and_then(|x| x.strip_prefix("account:")).and_then(|k| k.split('/').next()) {
            m.entry(system.to_string()).or_default().push(t.id.clone());
        }
        m
    });
    for t in tasks.iter_mut().filter(|t| t.kind == TaskKind::Verify) {
        if let Some(ids) = t.id.strip_prefix("verify/").and_then(|s| revokes.get(s)) {
            t.depends_on = ids.clone();
        }
    }
    crate::messages::draft(
        &mut tasks,
        &crate::messages::Context { snap, leaver, hostile, leaving_at: t0, window_end, sender: comms_owner },
    );
    // Keep what was already done or skipped.
    if let Some(prev) = previous {
        let closed: HashMap<&str, &Task> = prev.tasks.iter().filter(|t| t.status != TaskStatus::Open).map(|t| (t.id.as_str(), t)).collect();
        for t in &mut tasks {
            if let Some(old) = closed.get(t.id.as_str()) {
                *t = (*old).clone();
            }
        }
        let ids: BTreeSet<String> = tasks.iter().map(|t| t.id.clone()).collect();
        tasks.extend(closed.values().filter(|t| !ids.contains(&t.id)).map(|t| (*t).clone()));
    }
    tasks.sort_by(|a, b| a.due.cmp(&b.due).then(a.kind.cmp(&b.kind)).then_with(|| a.id.cmp(&b.id)));
    Some(Plan {
        key: key.to_string(),
        person: spec.person.clone(),
        mode: spec.mode,
        leaving_at: spec.leaving_at,
        window: spec.window,
        owner: spec.owner.clone(),
        created: previous.map_or(spec.today, |p| p.created),
        tasks,
        checkin_every: previous.and_then(|p| p.checkin_every),
        checkins: previous.map(|p| p.checkins.clone()).unwrap_or_default(),
    })
}
