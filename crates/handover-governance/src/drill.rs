//! Tabletop drills generated from the real data (seed 004: "participate in simulations and
//! drills"). A scenario's injects hit the organisation's actual weak points — the only
//! admin of the backup system unreachable, a secret only one person knows, a contract that
//! lapsed, a leaver's account still active — each with questions for the crisis roles and
//! the actions a good response takes. Pure: findings, risk and summary in, a drill out.

use handover_analysis::risk::Risk;
use handover_analysis::snapshot::{Ix, Snapshot};
use handover_analysis::summary::Summary;
use handover_analysis::whatif::whatif;
use handover_analysis::Finding;
use jiff::civil::Date;
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    Ransomware,
    Breach,
    Outage,
    KeyPerson,
    Disaster,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [Scenario::Ransomware, Scenario::Breach, Scenario::Outage, Scenario::KeyPerson, Scenario::Disaster];

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Ransomware => "ransomware",
            Scenario::Breach => "breach",
            Scenario::Outage => "outage",
            Scenario::KeyPerson => "key-person",
            Scenario::Disaster => "disaster",
        }
    }

    /// The scenario named `text` (`ransomware`, `breach`, `outage`, `key-person`, `disaster`).
    pub fn parse(text: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn title(self) -> &'static str {
        match self {
            Scenario::Ransomware => "Ransomware",
            Scenario::Breach => "Data breach",
            Scenario::Outage => "Major outage",
            Scenario::KeyPerson => "Loss of a key person",
            Scenario::Disaster => "Site disaster",
        }
    }
}

/// Who plays each crisis role, from the role records (and what is missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cast {
    pub role: &'static str,
    pub holders: Vec<String>,
    pub deputies: Vec<String>,
    /// Set when nobody still here holds the role.
    pub gap: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inject {
    /// Minutes after the start.
    pub at_minutes: u32,
    pub title: String,
    pub facts: Vec<String>,
    /// The findings (`RULE KIND:KEY`) this inject puts to the test.
    pub tests: Vec<String>,
    /// (role, question)
    pub questions: Vec<(&'static str, String)>,
    pub expected: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drill {
    pub scenario: Scenario,
    pub title: String,
    pub date: Date,
    pub cast: Vec<Cast>,
    pub injects: Vec<Inject>,
    pub debrief: Vec<String>,
}

const IC: &str = "Incident commander";
const COMMS: &str = "Communications lead";
const SCRIBE: &str = "Scribe";
const TECH: &str = "Technical lead";

struct Ctx<'a, 's> {
    snap: &'a Snapshot<'s>,
    findings: &'a [Finding],
    risk: &'a Risk,
    summary: &'a Summary,
}

impl Ctx<'_, '_> {
    fn system_name(&self, key: &str) -> String {
        self.snap.inv.system(key).map_or_else(|| key.to_string(), |s| s.name.clone())
    }
    fn tagged(&self, tag: &str) -> Option<Ix> {
        let mut hits: Vec<Ix> =
            (0..self.snap.systems.len() as Ix).filter(|s| self.snap.systems[*s as usize].tags.iter().any(|t| t == tag)).collect();
        hits.sort_by_key(|s| self.snap.systems[*s as usize].tier);
        hits.first().copied()
    }
    /// People still here who can administer system `s`, by name.
    fn admins(&self, s: Ix) -> Vec<String> {
        self.snap.admin_people(s).into_iter().map(|p| self.snap.people[p as usize].name.clone()).collect()
    }
    fn finding(&self, rule: &str, subject: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule == rule && f.subject == subject && f.accepted.is_none())
    }
    fn first_finding(&self, rule: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule == rule && f.accepted.is_none())
    }
    fn rto(&self, key: &str) -> String {
        let s = self.snap.inv.system(key);
        match (s.and_then(|s| s.rto), s.and_then(|s| s.rpo)) {
            (Some(rto), Some(rpo)) => format!("RTO {rto}, RPO {rpo}"),
            (Some(rto), None) => format!("RTO {rto}, no RPO set"),
            (None, Some(rpo)) => format!("no RTO set, RPO {rpo}"),
            (None, None) => "no RTO or RPO set".into(),
        }
    }
}

fn cast(snap: &Snapshot) -> Vec<Cast> {
    let present = |k: &String| snap.person(k).is_some_and(|p| snap.is_present(p));
    let names = |keys: &[String]| {
        keys.iter().filter(|k| present(k)).map(|k| snap.inv.person(k).map_or_else(|| k.clone(), |p| p.name.clone())).collect::<Vec<_>>()
    };
    [
        (IC, ["incident commander", "incident lead"]),
        (COMMS, ["communication", "comms"]),
        (SCRIBE, ["scribe", "note"]),
        (TECH, ["technical lead", "tech lead"]),
    ]
    .into_iter()
    .map(|(role, words)| {
        let record = snap.inv.roles().find(|r| {
            let name = r.name.to_lowercase();
            words.iter().any(|w| name.contains(w))
        });
        match record {
            Some(r) => {
                let holders = names(&r.holders);
                let gap = holders.is_empty().then(|| format!("no holder of {} is still here", r.name));
                Cast { role, holders, deputies: names(&r.deputies), gap }
            }
            None => Cast {
                role,
                holders: Vec::new(),
                deputies: Vec::new(),
                gap: Some(format!("no role record names the {}", role.to_lowercase())),
            },
        }
    })
    .collect()
}

/// The drill for `scenario` over the organisation as it is.
pub fn generate(snap: &Snapshot, findings: &[Finding], risk: &Risk, summary: &Summary, scenario: Scenario, today: Date) -> Drill {
    let c = Ctx { snap, findings, risk, summary };
    let injects = match scenario {
        Scenario::Ransomware => ransomware(&c),
        Scenario::Breach => breach(&c),
        Scenario::Outage => outage(&c),
        Scenario::KeyPerson => key_person(&c),
        Scenario::Disaster => disaster(&c),
    };
    let cast = cast(snap);
    let mut debrief = vec![
        "What did we not know, and where should it have been written down?".to_string(),
        "Which decision waited for one person? Who is their deputy from today?".to_string(),
        "What goes into the crisis plan, with an owner and a date (`handover drill record … --follow-up`)?".to_string(),
    ];
    for gap in cast.iter().filter_map(|c| c.gap.as_ref()) {
        debrief.push(format!("Name a holder and a deputy: {gap}."));
    }
    Drill { scenario, title: format!("{} tabletop exercise", scenario.title()), date: today, cast, injects, debrief }
}

fn inject(at: u32, title: String) -> Inject {
    Inject { at_minutes: at, title, facts: Vec::new(), tests: Vec::new(), questions: Vec::new(), expected: Vec::new() }
}

fn tested(f: Option<&Finding>) -> Vec<String> {
    f.map(|f| vec![format!("{} {}", f.rule, f.subject)]).unwrap_or_default()
}

/// The backup system and who can restore from it.
fn backup_inject(c: &Ctx, at: u32) -> Option<Inject> {
    let s = c.tagged("backup")?;
    let key = c.snap.system_key(s).to_string();
    let admins = c.admins(s);
    let mut i = match admins.as_slice() {
        [only] => {
            let mut i = inject(
                at,
                format!(
                    "{only}, the only person who can administer {}, is on a flight and cannot be reached for 9 hours",
                    c.system_name(&key)
                ),
            );
            if cast(c.snap).iter().any(|r| r.role == IC && r.holders.first() == Some(only)) {
                i.facts.push(format!("{only} is also the incident commander: the deputy takes command"));
            }
            i.tests = tested(c.finding("HO-KEY-001", &format!("system:{key}")));
            i.expected.push(format!(
                "Use the break-glass account for {} from escrow (if there is one), with two people present",
                c.system_name(&key)
            ));
            i
        }
        [] => inject(at, format!("Nobody still here can administer {}", c.system_name(&key))),
        many => inject(at, format!("Restore is needed: {} can administer {}", many.join(", "), c.system_name(&key))),
    };
    i.facts.push(format!("{}: {}", c.system_name(&key), c.rto(&key)));
    i.questions.push((TECH, "Which backup is the last clean one, and how do we know it is not encrypted too?".into()));
    i.questions.push((IC, format!("Can we meet the recovery objectives ({}) without that person?", c.rto(&key))));
    i.expected.push("Restore to an isolated network first; verify before reconnecting".into());
    Some(i)
}

fn sole_secret_inject(c: &Ctx, at: u32) -> Option<Inject> {
    let kp = c.summary.key_people.iter().find(|k| !k.sole_secrets.is_empty())?;
    let secret = &kp.sole_secrets[0];
    let label = c.snap.inv.get(handover_core::Kind::Credential, secret).map_or_else(|| secret.clone(), |r| r.label());
    let mut i = inject(at, format!("The restore needs \"{label}\" — only {} knows it", kp.name));
    i.tests = tested(c.finding("HO-SECRET-002", &format!("credential:{secret}")));
    if kp.sole_secrets.len() > 1 {
        i.facts.push(format!("{} holds {} secrets nobody else does", kp.name, kp.sole_secrets.len()));
    }
    i.questions.push((IC, format!("Who else can open it if {} is the one who is unreachable?", kp.name)));
    i.expected.push("Escrow it k-of-n (`handover escrow add`) after the drill".into());
    Some(i)
}

fn contract_inject(c: &Ctx, at: u32) -> Option<Inject> {
    let k = c.summary.contracts.first()?;
    let when = if k.days_left < 0 { format!("ended {} days ago", -k.days_left) } else { format!("ends in {} days", k.days_left) };
    let mut i = inject(at, format!("You call for support: the {} {when}", k.name));
    i.tests = tested(c.finding("HO-VENDOR-001", &format!("contract:{}", k.contract)));
    if !k.maintains.is_empty() {
        i.facts.push(format!("it maintains {}", k.maintains.iter().map(|s| c.system_name(s)).collect::<Vec<_>>().join(", ")));
    }
    i.questions.push((IC, "Who can authorise emergency support spending, and up to how much?".into()));
    i.expected.push("Renew or replace the contract before the next drill".into());
    Some(i)
}

fn comms_inject(c: &Ctx, at: u32, what: &str) -> Inject {
    let mut i = inject(at, what.to_string());
    if let Some(p) = c.summary.overdue_policies.iter().find(|p| p.name.to_lowercase().contains("communication")) {
        i.facts.push(format!("the {} was due for review {}", p.name, p.due.map_or("(never reviewed)".to_string(), |d| d.to_string())));
        i.tests.extend(tested(c.finding("HO-GOV-001", &format!("policy:{}", p.policy))));
    }
    i.questions.push((COMMS, "What do we say, to whom, and who approves it?".into()));
    i.questions.push((SCRIBE, "Is every decision so far written down with its time and who took it?".into()));
    i.expected.push("A holding statement within the hour, approved by the incident commander".into());
    i
}

fn ransomware(c: &Ctx) -> Vec<Inject> {
    let target = c.tagged("storage").or_else(|| c.tagged("erp")).or_else(|| c.tagged("infrastructure"));
    let mut start = inject(
        0,
        match target {
            Some(s) => format!("08:05 — staff report encrypted files and a ransom note on {}", c.snap.systems[s as usize].name),
            None => "08:05 — staff report encrypted files and a ransom note".into(),
        },
    );
    start.questions.push((IC, "Do we isolate now, and who has the authority to pull the network?".into()));
    start.questions.push((TECH, "Which systems share credentials or network with the encrypted one?".into()));
    start.expected.push("Isolate affected hosts; preserve evidence; open the incident log".into());
    let mut out = vec![start];
    out.extend(backup_inject(c, 15));
    out.extend(sole_secret_inject(c, 30));
    out.extend(contract_inject(c, 45));
    out.push(comms_inject(c, 60, "A customer asks on social media whether their data is safe"));
    out
}

fn breach(c: &Ctx) -> Vec<Inject> {
    let mut out = Vec::new();
    let idp =
        c.tagged("identity-provider").map(|s| c.snap.systems[s as usize].name.clone()).unwrap_or_else(|| "the identity provider".into());
    if let Some(l) = c.summary.lingering_access.iter().find(|l| !l.admin_accounts.is_empty()).or(c.summary.lingering_access.first()) {
        let mut i = inject(
            0,
            format!(
                "A sign-in from abroad to {idp} — with the account of {}, who left {}",
                l.name,
                l.left_on.map_or_else(String::new, |d| d.to_string())
            ),
        );
        i.facts.push(format!("{} still has {} active accounts, {} with admin rights", l.name, l.accounts.len(), l.admin_accounts.len()));
        i.tests = c
            .findings
            .iter()
            .filter(|f| f.rule == "HO-ACCESS-001" && l.accounts.iter().any(|a| f.subject == format!("account:{a}")))
            .map(|f| format!("{} {}", f.rule, f.subject))
            .collect();
        i.questions.push((TECH, "Which of their accounts are still open, and what can each reach?".into()));
        i.expected.push(format!("Disable every account of {} now (`handover plan create {} --mode hostile`)", l.name, l.person));
        out.push(i);
    }
    if let Some(f) = c.first_finding("HO-ACCESS-004") {
        let mut i = inject(15, format!("The attacker tries the same password on other admin accounts: {}", f.summary));
        i.tests = tested(Some(f));
        i.questions.push((TECH, "Which admin accounts have no MFA, and can we enforce it today?".into()));
        i.expected.push("Enforce MFA on every admin account".into());
        out.push(i);
    }
    if let Some(f) = c.first_finding("HO-ACCESS-005") {
        let mut i = inject(25, format!("A new admin was created with a shared account: {}", f.summary));
        i.tests = tested(Some(f));
        i.questions.push((IC, "Who used the shared account, and how would we know?".into()));
        out.push(i);
    }
    let mut dp = inject(40, "Personal data may have left: the 72-hour clock for notifying the regulator is running".into());
    dp.questions.push((IC, "Who decides whether to notify the regulator and the people affected?".into()));
    dp.expected.push("The data protection lead assesses and records the decision with its reasons".into());
    out.push(dp);
    let stale = c.findings.iter().filter(|f| f.rule == "HO-SECRET-001" && f.accepted.is_none()).count();
    let mut rotate = inject(55, "Which secrets must be rotated now?".into());
    if stale > 0 {
        rotate.facts.push(format!("{stale} credentials are already overdue for rotation"));
    }
    rotate.expected.push("Rotate every secret the compromised accounts could read".into());
    out.push(rotate);
    out.push(comms_inject(c, 70, "A journalist asks for comment on a reported breach"));
    out
}

fn outage(c: &Ctx) -> Vec<Inject> {
    let mut out = Vec::new();
    let target =
        c.tagged("network").or_else(|| c.tagged("firewall")).or_else(|| c.risk.systems.first().and_then(|r| c.snap.system(&r.system)));
    if let Some(s) = target {
        let key = c.snap.system_key(s).to_string();
        let name = c.system_name(&key);
        let dependents: Vec<String> = c.snap.inv.systems().filter(|x| x.depends_on.contains(&key)).map(|x| x.name.clone()).collect();
        let mut i = inject(0, format!("09:30 — {name} is down; orders and e-mail stop"));
        if !dependents.is_empty() {
            i.facts.push(format!("depending on it: {}", dependents.join(", ")));
        }
        i.facts.push(format!("{name}: {}", c.rto(&key)));
        i.questions.push((TECH, format!("Who can diagnose {name}, and where is its runbook?")));
        out.push(i);
        let admins = c.admins(s);
        if admins.len() <= 1 {
            let mut i = inject(
                10,
                match admins.first() {
                    Some(a) => format!("{a}, the only admin of {name}, is on leave abroad"),
                    None => format!("Nobody still here can administer {name}"),
                },
            );
            i.tests = tested(c.finding("HO-KEY-001", &format!("system:{key}")));
            i.expected.push(format!("A second trained admin for {name}, with a personal account"));
            out.push(i);
        }
    }
    if let Some(f) = c.first_finding("HO-VENDOR-002") {
        let mut i = inject(20, format!("The vendor asks who you are: {}", f.summary));
        i.tests = tested(Some(f));
        i.questions.push((IC, "Who at our side is the vendor's known contact, and do they have the contract number?".into()));
        out.push(i);
    }
    out.extend(contract_inject(c, 30));
    out.push(comms_inject(c, 45, "Customers call asking why orders fail"));
    out
}

fn key_person(c: &Ctx) -> Vec<Inject> {
    let mut out = Vec::new();
    let Some(top) = c.risk.people.first() else { return out };
    let Some(p) = c.snap.person(&top.person) else { return out };
    let impact = whatif(c.snap, &[p]);
    let mut start = inject(0, format!("{} is unreachable from today for two weeks (a family emergency)", top.name));
    start.facts.push(format!("departure impact score {}", top.score));
    start.questions.push((IC, format!("Who covers for {} from today, system by system?", top.name)));
    out.push(start);
    if !impact.systems_without_admin.is_empty() {
        let mut i =
            inject(15, format!("A change is needed on {}: nobody else can administer it", c.system_name(&impact.systems_without_admin[0])));
        i.facts.push(format!(
            "systems with no other admin: {}",
            impact.systems_without_admin.iter().map(|s| c.system_name(s)).collect::<Vec<_>>().join(", ")
        ));
        i.tests = impact
            .systems_without_admin
            .iter()
            .filter_map(|s| c.finding("HO-KEY-001", &format!("system:{s}")))
            .map(|f| format!("{} {}", f.rule, f.subject))
            .collect();
        i.expected.push("Break-glass access from escrow; then train a deputy".into());
        out.push(i);
    }
    if !impact.secrets_only_they_hold.is_empty() {
        let mut i = inject(30, format!("A certificate or password only {} knows is needed", top.name));
        i.facts.push(format!("{} secrets only they hold", impact.secrets_only_they_hold.len()));
        i.tests = impact
            .secrets_only_they_hold
            .iter()
            .filter_map(|s| c.finding("HO-SECRET-002", &format!("credential:{s}")))
            .map(|f| format!("{} {}", f.rule, f.subject))
            .collect();
        out.push(i);
    }
    if !impact.projects_without_lead.is_empty() {
        let mut i = inject(45, format!("A deadline on {} is this week", impact.projects_without_lead[0]));
        i.questions.push((IC, "Who decides in the project's place?".into()));
        out.push(i);
    }
    out.push(comms_inject(c, 60, "Vendors keep e-mailing the absent person"));
    out
}

fn disaster(c: &Ctx) -> Vec<Inject> {
    let mut out = Vec::new();
    let on_site: Vec<String> =
        c.snap.inv.systems().filter(|s| s.kind == handover_core::SystemKind::Infrastructure).map(|s| s.name.clone()).collect();
    let mut start = inject(0, "02:10 — a fire alarm; the office and server room are inaccessible for at least a week".into());
    if !on_site.is_empty() {
        start.facts.push(format!("on-site infrastructure: {}", on_site.join(", ")));
    }
    start.questions.push((IC, "Who declares the disaster, and where does the team meet?".into()));
    out.push(start);
    if let Some(p) = c
        .summary
        .overdue_policies
        .iter()
        .find(|p| p.name.to_lowercase().contains("disaster") || p.name.to_lowercase().contains("continuity"))
    {
        let mut i = inject(15, format!("The team opens the {}", p.name));
        i.facts.push(format!("last reviewed {}", p.last_reviewed.map_or("never".to_string(), |d| d.to_string())));
        i.tests.extend(tested(c.finding("HO-GOV-001", &format!("policy:{}", p.policy))));
        i.questions.push((SCRIBE, "Which steps of the plan no longer match reality?".into()));
        out.push(i);
    }
    let no_objectives: Vec<String> =
        c.snap.inv.systems().filter(|s| s.tier == 1 && (s.rto.is_none() || s.rpo.is_none())).map(|s| s.name.clone()).collect();
    if !no_objectives.is_empty() {
        let mut i = inject(30, "In which order do we restore?".into());
        i.facts.push(format!("tier-1 systems without RTO/RPO: {}", no_objectives.join(", ")));
        i.expected.push("Agree RTO and RPO per tier-1 system with its business owner".into());
        out.push(i);
    }
    out.extend(backup_inject(c, 45));
    out.push(comms_inject(c, 60, "Staff ask whether to come in tomorrow"));
    out
}

/// When an inject comes, as `T+HH:MM` after the start.
pub fn minutes(m: u32) -> String {
    format!("T+{:02}:{:02}", m / 60, m % 60)
}

/// A drill as it was held: who ran it, who took part, what it found and what follows.
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub by: String,
    pub participants: Vec<String>,
    pub findings: Vec<String>,
    /// "OWNER: what by when".
    pub follow_ups: Vec<String>,
}

/// Records a drill of `scenario` held on `today` as a review of the plan (policy) it
/// tested, so the plan's review interval says when the next drill is due.
pub fn record(
    inv: &handover_core::Inventory,
    policy: &mut handover_core::Policy,
    scenario: Scenario,
    held: &Held,
    today: Date,
) -> Result<(), (handover_core::ErrorCode, String)> {
    let participants: Vec<&str> = held.participants.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
    if participants.is_empty() {
        return Err((handover_core::ErrorCode::MissingField, "name the participants of the drill".into()));
    }
    if let Some(p) = participants.iter().find(|p| inv.person(p).is_none()) {
        return Err((handover_core::ErrorCode::RecordNotFound, format!("there is no person {p:?}; `handover person list` shows the keys")));
    }
    let clean = |v: &[String]| v.iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect::<Vec<_>>();
    let (findings, follow_ups) = (clean(&held.findings), clean(&held.follow_ups));
    let mut notes = format!("Tabletop drill ({}). Participants: {}.", scenario.as_str(), participants.join(", "));
    if !findings.is_empty() {
        notes.push_str(&format!(" Findings: {}.", findings.join("; ")));
    }
    if !follow_ups.is_empty() {
        notes.push_str(&format!(" Follow-ups: {}.", follow_ups.join("; ")));
    }
    crate::policy::review(inv, policy, &held.by, &notes, today)
}

/// The exercise as a document for the facilitator.
pub fn markdown(d: &Drill) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {} — {}\n", d.title, d.date);
    let _ = writeln!(o, "Generated by handover from the organisation's own data: every inject below hits a real weak point.\n");
    let _ = writeln!(o, "## Roles\n");
    for c in &d.cast {
        let holders = if c.holders.is_empty() { "**nobody**".to_string() } else { c.holders.join(", ") };
        let deputies = if c.deputies.is_empty() { "no deputy".to_string() } else { format!("deputy {}", c.deputies.join(", ")) };
        let _ =
            writeln!(o, "- **{}**: {holders} ({deputies}){}", c.role, c.gap.as_ref().map(|g| format!(" — gap: {g}")).unwrap_or_default());
    }
    let _ = writeln!(o, "\n## Timeline\n");
    for i in &d.injects {
        let _ = writeln!(o, "### {} {}\n", minutes(i.at_minutes), i.title);
        for f in &i.facts {
            let _ = writeln!(o, "- {f}");
        }
        if !i.tests.is_empty() {
            let _ = writeln!(o, "- *Tests:* {}", i.tests.join(", "));
        }
        for (role, q) in &i.questions {
            let _ = writeln!(o, "- **{role}:** {q}");
        }
        for e in &i.expected {
            let _ = writeln!(o, "- *Expected:* {e}");
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "## Debrief\n");
    for q in &d.debrief {
        let _ = writeln!(o, "- {q}");
    }
    o
}
