//! What each report says. A report is sections of blocks; `to_markdown` and `to_html`
//! render the same content.

use crate::chart::Bar;
use handover_analysis::risk::Risk;
use handover_analysis::summary::Summary;
use handover_analysis::Finding;
use handover_core::{Inventory, Kind, Plan, Severity, TaskKind, TaskStatus};
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::fmt::Write;

pub enum Block {
    Text(String),
    /// (value, label) pairs shown large.
    Figures(Vec<(String, String)>),
    List(Vec<String>),
    Table(Vec<&'static str>, Vec<Vec<String>>),
    /// Horizontal bars: drawn as SVG in HTML and as vector bars in PDF; Markdown gets its
    /// table form from the section.
    Chart {
        title: String,
        bars: Vec<Bar>,
    },
}

pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

pub struct Report {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
}

/// What the reports read.
pub struct Input<'a> {
    pub inv: &'a Inventory,
    pub findings: &'a [Finding],
    pub risk: &'a Risk,
    pub summary: &'a Summary,
    pub today: Date,
    /// The event log's verification: events verified and the chain head.
    pub log: (u64, Option<String>, bool),
}

fn open(findings: &[Finding]) -> impl Iterator<Item = &Finding> {
    findings.iter().filter(|f| f.accepted.is_none())
}

/// The risk score: the share (0–100) of critical systems that are at risk — resting on
/// one person or none (bus factor ≤ 1), or with an open critical or high finding about
/// them. Plain enough to explain, and it only goes down by fixing real systems.
/// Returns (score, at risk, critical systems).
pub fn risk_score(risk: &Risk, findings: &[Finding]) -> (u32, usize, usize) {
    let total = risk.systems.len();
    let at_risk = risk
        .systems
        .iter()
        .filter(|s| {
            let subject = format!("system:{}", s.system);
            s.bus_factor <= 1 || open(findings).any(|f| f.subject == subject && f.severity >= Severity::High)
        })
        .count();
    let score = (at_risk * 100).checked_div(total).unwrap_or(0) as u32;
    (score, at_risk, total)
}

fn count(findings: &[Finding], s: Severity) -> usize {
    open(findings).filter(|f| f.severity == s).count()
}

fn person(inv: &Inventory, key: &str) -> String {
    inv.person(key).map_or_else(|| key.to_string(), |p| p.name.clone())
}

/// One page for the owner: the score, the people everything rests on, and the five things
/// to do first.
pub fn executive(i: &Input) -> Report {
    let (score, at_risk, total) = risk_score(i.risk, i.findings);
    let leaving = i.inv.people().filter(|p| p.status == handover_core::PersonStatus::Leaving).count();
    let mut sections = vec![Section {
        title: "Where we stand".into(),
        blocks: vec![Block::Figures(vec![
            (format!("{score}%"), "risk score".into()),
            (i.risk.bus_factor.to_string(), "bus factor".into()),
            (count(i.findings, Severity::Critical).to_string(), "critical findings".into()),
            (count(i.findings, Severity::High).to_string(), "high findings".into()),
            (leaving.to_string(), "people leaving".into()),
        ]),
        Block::Text(format!(
            "The risk score is the share of critical systems at risk: {at_risk} of {total} rest on one person (or none) or have an open critical or high finding."
        ))],
    }];
    let top: Vec<_> = i.risk.people.iter().filter(|r| r.score > 0).take(5).collect();
    sections.push(Section {
        title: "Who IT rests on".into(),
        blocks: vec![
            Block::Chart {
                title: "Departure impact, top five".into(),
                bars: top.iter().map(|r| Bar { label: r.name.clone(), value: r.score, href: None, tone: "high" }).collect(),
            },
            Block::Table(
                vec!["person", "impact", "systems left alone", "secrets only they hold"],
                top.iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.score.to_string(),
                            (r.systems_without_admin + r.systems_without_knower).to_string(),
                            r.secrets_only_they_hold.to_string(),
                        ]
                    })
                    .collect(),
            ),
        ],
    });
    // The five most severe rules, each once, with how many places they hit.
    let mut by_rule: Vec<(&str, &Finding, usize)> = Vec::new();
    for f in open(i.findings) {
        match by_rule.iter_mut().find(|(r, _, _)| *r == f.rule) {
            Some(e) => e.2 += 1,
            None => by_rule.push((f.rule, f, 1)),
        }
    }
    let actions: Vec<String> = by_rule
        .iter()
        .take(5)
        .map(|(_, f, hits)| {
            format!("{} — {} ({} {}, e.g. {}).", f.title, f.remediation, hits, if *hits == 1 { "place" } else { "places" }, f.summary)
        })
        .collect();
    sections.push(Section { title: "Top five actions".into(), blocks: vec![Block::List(actions)] });
    let mut soon = Vec::new();
    for c in &i.summary.contracts {
        soon.push(if c.days_left < 0 {
            format!("{} ended {} days ago", c.name, -c.days_left)
        } else {
            format!("{} ends in {} days", c.name, c.days_left)
        });
    }
    for p in &i.summary.overdue_policies {
        soon.push(format!("{} review overdue{}", p.name, p.due.map(|d| format!(" since {d}")).unwrap_or_default()));
    }
    if !soon.is_empty() {
        sections.push(Section { title: "Dates that matter".into(), blocks: vec![Block::List(soon)] });
    }
    Report {
        title: "IT continuity: executive summary".into(),
        subtitle: format!("As of {}, from handover's inventory.", i.today),
        sections,
    }
}

/// The auditor's evidence pack: for each control, the findings against it with their
/// evidence; then the evidence that the controls operate — access reviews, policy reviews,
/// accepted risks, and the event log's verification.
pub fn auditor(i: &Input) -> Report {
    let mut by_control: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in i.findings {
        for c in f.controls {
            by_control.entry(c).or_default().push(f);
        }
    }
    let mut sections = vec![Section {
        title: "Scope".into(),
        blocks: vec![Block::Text(format!(
            "{} people, {} systems, {} accounts, {} grants; {} findings ({} accepted as risks). Event log: {} events verified{}, chain head {}.",
            i.inv.count(Kind::Person),
            i.inv.count(Kind::System),
            i.inv.count(Kind::Account),
            i.inv.count(Kind::Grant),
            i.findings.len(),
            i.findings.iter().filter(|f| f.accepted.is_some()).count(),
            i.log.0,
            if i.log.2 { "" } else { " — BROKEN" },
            i.log.1.as_deref().unwrap_or("(empty)")
        ))],
    }];
    let rows: Vec<Vec<String>> = by_control
        .iter()
        .map(|(c, fs)| {
            let open = fs.iter().filter(|f| f.accepted.is_none()).count();
            vec![c.to_string(), fs.len().to_string(), open.to_string(), (fs.len() - open).to_string()]
        })
        .collect();
    sections.push(Section { title: "Controls".into(), blocks: vec![Block::Table(vec!["control", "findings", "open", "accepted"], rows)] });
    for (c, fs) in &by_control {
        let rows = fs
            .iter()
            .map(|f| {
                vec![
                    f.severity.to_string(),
                    f.rule.to_string(),
                    f.subject.clone(),
                    format!("{} — {}", f.summary, f.evidence.join("; ")),
                    f.accepted
                        .as_ref()
                        .map_or_else(|| "open".to_string(), |a| format!("accepted by {} until {}: {}", a.by, a.expires, a.reason)),
                ]
            })
            .collect();
        sections.push(Section {
            title: (*c).to_string(),
            blocks: vec![Block::Table(vec!["severity", "rule", "subject", "finding and evidence", "status"], rows)],
        });
    }
    let reviews: Vec<Vec<String>> = i
        .inv
        .reviews()
        .map(|r| {
            let (done, all) = r.progress();
            vec![
                r.name.clone(),
                r.scope.clone(),
                r.status.to_string(),
                format!("{done}/{all}"),
                r.due.to_string(),
                r.closed_on.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    sections.push(Section {
        title: "Access reviews (CIS 5.1, 6.1–6.2; ISO/IEC 27001 A.5.18)".into(),
        blocks: vec![if reviews.is_empty() {
            Block::Text("No access-review campaign on record.".into())
        } else {
            Block::Table(vec!["campaign", "scope", "status", "decided", "due", "closed"], reviews)
        }],
    });
    let policies: Vec<Vec<String>> = i
        .inv
        .policies()
        .map(|p| {
            let last = p.reviews.last();
            vec![
                p.name.clone(),
                p.owner.as_deref().map_or_else(|| "no owner".to_string(), |o| person(i.inv, o)),
                p.last_reviewed.map_or_else(|| "never".to_string(), |d| d.to_string()),
                p.next_review().map_or_else(String::new, |d| if d < i.today { format!("{d} (overdue)") } else { d.to_string() }),
                last.map_or_else(String::new, |r| format!("{} by {}: {}", r.on, person(i.inv, &r.reviewer), r.notes)),
            ]
        })
        .collect();
    sections.push(Section {
        title: "Policy and plan reviews".into(),
        blocks: vec![Block::Table(vec!["policy", "owner", "last reviewed", "next due", "last review record"], policies)],
    });
    Report {
        title: "Auditor's evidence pack".into(),
        subtitle: format!("As of {}. Every finding names the facts behind it.", i.today),
        sections,
    }
}

/// A transition's status for the people running it.
pub fn transition(inv: &Inventory, plan: &Plan, remaining: &handover_plan::Remaining, today: Date) -> Report {
    let who = person(inv, &plan.person);
    let closed = plan.tasks.iter().filter(|t| t.status != TaskStatus::Open).count();
    let now = today.at(23, 59, 59, 0);
    let overdue: Vec<String> =
        plan.tasks.iter().filter(|t| t.status == TaskStatus::Open && t.due < now).map(|t| format!("{} (due {})", t.title, t.due)).collect();
    let phases: Vec<Vec<String>> = TaskKind::ALL
        .iter()
        .map(|k| {
            let tasks: Vec<_> = plan.tasks.iter().filter(|t| t.kind == *k).collect();
            let done = tasks.iter().filter(|t| t.status != TaskStatus::Open).count();
            vec![k.phase_title().to_string(), format!("{done}/{}", tasks.len())]
        })
        .collect();
    let mut sections = vec![
        Section {
            title: "Progress".into(),
            blocks: vec![
                Block::Figures(vec![
                    (format!("{closed}/{}", plan.tasks.len()), "tasks closed".into()),
                    (overdue.len().to_string(), "overdue".into()),
                    (remaining.active_accounts.len().to_string(), "accounts still active".into()),
                    (remaining.unrotated_secrets.len().to_string(), "secrets not rotated".into()),
                ]),
                Block::Table(vec!["phase", "closed"], phases),
            ],
        },
        Section {
            title: "Overdue".into(),
            blocks: vec![Block::List(if overdue.is_empty() { vec!["Nothing is overdue.".into()] } else { overdue })],
        },
        Section {
            title: "Access remaining".into(),
            blocks: vec![Block::List(
                remaining
                    .active_accounts
                    .iter()
                    .map(|(a, _)| format!("account {a}"))
                    .chain(remaining.unrotated_secrets.iter().map(|c| format!("credential {c} not rotated")))
                    .chain(remaining.still_named.iter().map(|n| format!("still named: {n}")))
                    .collect(),
            )],
        },
    ];
    sections.push(Section {
        title: "Check-ins".into(),
        blocks: vec![if plan.checkins.is_empty() {
            Block::Text("No check-in yet.".into())
        } else {
            Block::Table(
                vec!["date", "by", "notes", "decided", "adjusted"],
                plan.checkins
                    .iter()
                    .map(|c| vec![c.on.to_string(), person(inv, &c.by), c.notes.clone(), c.decisions.join("; "), c.adjustments.join("; ")])
                    .collect(),
            )
        }],
    });
    Report {
        title: format!("Transition of {who}"),
        subtitle: format!("Plan {} ({} mode), leaving {}. As of {today}.", plan.key, plan.mode, plan.leaving_at),
        sections,
    }
}

impl Report {
    pub fn to_markdown(&self) -> String {
        let mut o = format!("# {}\n\n{}\n", self.title, self.subtitle);
        for s in &self.sections {
            let _ = write!(o, "\n## {}\n\n", s.title);
            for b in &s.blocks {
                match b {
                    Block::Text(t) => {
                        let _ = writeln!(o, "{t}\n");
                    }
                    Block::Figures(f) => {
                        let _ = writeln!(o, "{}\n", f.iter().map(|(v, l)| format!("**{v}** {l}")).collect::<Vec<_>>().join(" · "));
                    }
                    Block::List(items) => {
                        for i in items {
                            let _ = writeln!(o, "- {i}");
                        }
                        o.push('\n');
                    }
                    Block::Table(headers, rows) => {
                        let _ =
                            writeln!(o, "| {} |\n|{}|", headers.join(" | "), headers.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
                        for r in rows {
                            let _ = writeln!(
                                o,
                                "| {} |",
                                r.iter().map(|c| c.replace('|', "\\|").replace('\n', " ")).collect::<Vec<_>>().join(" | ")
                            );
                        }
                        o.push('\n');
                    }
                    Block::Chart { .. } => {}
                }
            }
        }
        o
    }
}

/// Status reports of live projects (seed 000 §3): lead and backup lead, deadline, milestones,
/// risks — and, for a lead who is leaving, what they must write down before they go.
/// `lead`: only the projects this person leads.
pub fn projects(inv: &Inventory, lead: Option<&str>, today: Date) -> Report {
    use handover_core::ProjectStatus;
    let mut sections = Vec::new();
    let live = inv
        .projects()
        .filter(|p| matches!(p.status, ProjectStatus::Active | ProjectStatus::Planned | ProjectStatus::OnHold))
        .filter(|p| lead.is_none_or(|l| p.lead.as_deref() == Some(l)));
    for p in live {
        let leader = p.lead.as_deref().map(|l| (l, inv.person(l)));
        let leaving = leader.and_then(|(_, p)| p).is_some_and(|p| p.status != handover_core::PersonStatus::Active);
        let mut figures = vec![(p.status.to_string(), "status".to_string())];
        if let Some(d) = p.deadline {
            let days = today.until((jiff::Unit::Day, d)).map(|s| s.get_days()).unwrap_or(0);
            figures.push((
                d.to_string(),
                if days < 0 { format!("deadline ({} days ago)", -days) } else { format!("deadline (in {days} days)") },
            ));
        }
        let done = p.milestones.iter().filter(|m| m.done).count();
        figures.push((format!("{done}/{}", p.milestones.len()), "milestones done".into()));
        let mut blocks = vec![
            Block::Figures(figures),
            Block::Text(format!(
                "Lead: {}{}. Backup lead: {}.",
                p.lead.as_deref().map_or_else(|| "nobody".to_string(), |l| person(inv, l)),
                if leaving { " (leaving)" } else { "" },
                p.backup_lead.as_deref().map_or_else(|| "none — name one".to_string(), |b| person(inv, b))
            )),
        ];
        if !p.milestones.is_empty() {
            blocks.push(Block::Table(
                vec!["milestone", "due", "state"],
                p.milestones
                    .iter()
                    .map(|m| {
                        let state = match (m.done, m.due) {
                            (true, _) => "done".to_string(),
                            (false, Some(d)) if d < today => "overdue".to_string(),
                            _ => "open".to_string(),
                        };
                        vec![m.name.clone(), m.due.map(|d| d.to_string()).unwrap_or_default(), state]
                    })
                    .collect(),
            ));
        }
        if !p.risks.is_empty() {
            blocks.push(Block::Table(
                vec!["risk", "severity", "owner"],
                p.risks
                    .iter()
                    .map(|r| {
                        vec![
                            r.description.clone(),
                            r.severity.to_string(),
                            r.owner.as_deref().map_or_else(|| "nobody".into(), |o| person(inv, o)),
                        ]
                    })
                    .collect(),
            ));
        }
        if leaving {
            blocks.push(Block::Text("To be filled in by the lead before they go:".into()));
            blocks.push(Block::List(vec![
                "Decisions pending, and who should take each".into(),
                "Where the documents, designs and credentials for this project are".into(),
                "Promises made to customers or vendors that are not written down".into(),
                "What you would do next if you stayed".into(),
            ]));
        }
        sections.push(Section { title: p.name.clone(), blocks });
    }
    if sections.is_empty() {
        sections.push(Section { title: "No live projects".into(), blocks: vec![Block::Text("Nothing to report.".into())] });
    }
    Report {
        title: match lead {
            Some(l) => format!("Project status: projects led by {}", person(inv, l)),
            None => "Project status".into(),
        },
        subtitle: format!("As of {today}."),
        sections,
    }
}
