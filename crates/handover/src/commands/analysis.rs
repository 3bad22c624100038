//! `handover audit`, `risk` and `whatif`: load, snapshot, analyse, print.

use super::Context;
use crate::cli::ReportFormat;
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_analysis::risk::Risk;
use handover_analysis::whatif::{Impact, Ranked};
use handover_analysis::{rules, Finding, Snapshot};
use handover_core::{ErrorCode, GrantDigest, Inventory, Kind, Severity};
use handover_store::Store;
use std::fmt::Write;
use std::mem::ManuallyDrop;

/// What the analysis commands read (grants as a digest). The process ends with the
/// command, so none of it is freed: dropping millions of small allocations one by one
/// takes seconds on a large organisation and returns nothing the exit does not. Snapshots
/// built from it are kept the same way.
fn load_for_analysis(ctx: &Context) -> Result<(ManuallyDrop<Inventory>, ManuallyDrop<GrantDigest>)> {
    let (inv, grants) = ctx.store()?.load_for_analysis()?;
    Ok((ManuallyDrop::new(inv), ManuallyDrop::new(grants)))
}

pub fn audit(ctx: &Context, format: ReportFormat, min: Option<Severity>, only: &[String], rules_only: bool) -> Result<()> {
    if rules_only {
        return print_rules(format);
    }
    for id in only {
        if rules::find(id).is_none() {
            return Err(user(ErrorCode::InvalidField, format!("there is no rule {id:?}; `handover audit --rules-only` lists them")));
        }
    }
    let config = ctx.config()?;
    let (inv, grants) = load_for_analysis(ctx)?;
    let snap = ManuallyDrop::new(Snapshot::with_grants(&inv, &grants));
    let mut findings = handover_analysis::audit(&snap, &config.thresholds, ctx.today);
    if let Some(min) = min {
        findings.retain(|f| f.severity >= min);
    }
    if !only.is_empty() {
        findings.retain(|f| only.iter().any(|r| r == f.rule));
    }
    match format {
        ReportFormat::Json => output::json(&findings),
        ReportFormat::Markdown => {
            print!("{}", audit_markdown(&findings, &inv, &snap, ctx));
            Ok(())
        }
        ReportFormat::Table => {
            let mut t = output::table(&["severity", "rule", "subject", "finding"]);
            for f in &findings {
                let sev = if f.accepted.is_some() { format!("{} (accepted)", f.severity) } else { f.severity.to_string() };
                t.add_row(vec![sev, f.rule.to_string(), f.subject.clone(), f.summary.clone()]);
            }
            println!("{t}");
            println!("{}", tally(&findings));
            println!("Details: handover audit --format markdown (or json). Rules: handover audit --rules-only");
            Ok(())
        }
    }
}

fn tally(findings: &[Finding]) -> String {
    let open: Vec<&Finding> = findings.iter().filter(|f| f.accepted.is_none()).collect();
    let count = |s: Severity| open.iter().filter(|f| f.severity == s).count();
    format!(
        "{} findings: {} critical, {} high, {} medium, {} low; {} accepted",
        findings.len(),
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        findings.len() - open.len()
    )
}

fn print_rules(format: ReportFormat) -> Result<()> {
    match format {
        ReportFormat::Json => output::json(&rules::ALL),
        ReportFormat::Markdown => {
            println!("| rule | title | default severity | controls | remediation |\n|---|---|---|---|---|");
            for r in rules::ALL {
                println!("| `{}` | {} | {} | {} | {} |", r.id, r.title, r.severity, r.controls.join("; "), r.remediation);
            }
            Ok(())
        }
        ReportFormat::Table => {
            let mut t = output::table(&["rule", "title", "severity", "controls"]);
            for r in rules::ALL {
                t.add_row(vec![r.id.to_string(), r.title.to_string(), r.severity.to_string(), r.controls.join("; ")]);
            }
            println!("{t}");
            Ok(())
        }
    }
}

fn audit_markdown(findings: &[Finding], inv: &Inventory, snap: &Snapshot, ctx: &Context) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# IT continuity and access audit\n");
    let _ = writeln!(
        o,
        "As of {}, over {} people, {} systems, {} accounts and {} grants. {}.\n",
        ctx.today,
        inv.count(Kind::Person),
        inv.count(Kind::System),
        inv.count(Kind::Account),
        snap.grants,
        tally(findings)
    );
    let ranked = handover_analysis::whatif::rank_all(snap);
    let top: Vec<&Ranked> = ranked.iter().filter(|r| r.score > 0).take(5).collect();
    if !top.is_empty() {
        let _ = writeln!(o, "## Who the organisation depends on\n");
        let _ = writeln!(o, "If one of these people left tomorrow, this is what would have no one left:\n");
        for r in top {
            let _ = writeln!(o, "- **{}** ({}): {}", r.name, r.person, ranked_reasons(r));
        }
        let _ = writeln!(o);
    }
    for sev in [Severity::Critical, Severity::High, Severity::Medium, Severity::Low] {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev && f.accepted.is_none()).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(o, "## {} ({})\n", capitalise(sev.as_str()), group.len());
        for f in group {
            finding_markdown(&mut o, f);
        }
    }
    let accepted: Vec<&Finding> = findings.iter().filter(|f| f.accepted.is_some()).collect();
    if !accepted.is_empty() {
        let _ = writeln!(o, "## Accepted risks ({})\n", accepted.len());
        for f in accepted {
            finding_markdown(&mut o, f);
        }
    }
    o
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().collect::<String>() + c.as_str())
}

fn finding_markdown(o: &mut String, f: &Finding) {
    let _ = writeln!(o, "### {} — {}\n", f.summary, f.rule);
    let _ = writeln!(o, "*{}* · `{}` · {}\n", f.title, f.subject, f.severity);
    for e in &f.evidence {
        let _ = writeln!(o, "- {e}");
    }
    if let Some(a) = &f.accepted {
        let _ = writeln!(o, "- **Accepted** by {} until {}: {}", a.by, a.expires, a.reason);
    }
    let _ = writeln!(o, "\n**What to do:** {}\n", f.remediation);
    let _ = writeln!(o, "**Controls:** {}\n", f.controls.join("; "));
}

fn ranked_reasons(r: &Ranked) -> String {
    let parts = [
        (r.systems_without_admin, "system", "systems", "with no admin"),
        (r.systems_without_knower, "system", "systems", "no one else knows"),
        (r.roles_without_holder, "role", "roles", "with no holder"),
        (r.projects_without_lead, "project", "projects", "with no lead"),
        (r.secrets_only_they_hold, "secret", "secrets", "only they hold"),
    ];
    let said: Vec<String> =
        parts.iter().filter(|p| p.0 > 0).map(|(n, one, many, what)| format!("{n} {} {what}", if *n == 1 { one } else { many })).collect();
    if said.is_empty() {
        "nothing would be left without someone".into()
    } else {
        said.join(", ")
    }
}

pub fn risk(ctx: &Context, format: ReportFormat) -> Result<()> {
    let config = ctx.config()?;
    let (inv, grants) = load_for_analysis(ctx)?;
    let snap = ManuallyDrop::new(Snapshot::with_grants(&inv, &grants));
    let risk = handover_analysis::risk::risk(&snap, config.thresholds.key_person_max_tier);
    match format {
        ReportFormat::Json => output::json(&risk),
        ReportFormat::Markdown | ReportFormat::Table => {
            print!("{}", risk_text(&risk, &inv, format == ReportFormat::Markdown));
            Ok(())
        }
    }
}

fn names(inv: &Inventory, kind: Kind, keys: &[String]) -> String {
    if keys.is_empty() {
        return "no one".into();
    }
    keys.iter().map(|k| inv.get(kind, k).map_or_else(|| k.clone(), |r| r.label())).collect::<Vec<_>>().join(", ")
}

fn risk_text(r: &Risk, inv: &Inventory, markdown: bool) -> String {
    let mut o = String::new();
    let h = if markdown { "## " } else { "" };
    let _ = writeln!(o, "{h}Bus factor: {}", r.bus_factor);
    let _ = writeln!(
        o,
        "The fewest people whose leaving leaves a critical system with no admin and no one who knows it: {}.",
        names(inv, Kind::Person, &r.bus_factor_people)
    );
    let _ = writeln!(
        o,
        "Truck factor: {} — removing {} leaves more than half of the critical systems with no one.\n",
        r.truck_factor,
        names(inv, Kind::Person, &r.truck_factor_people)
    );
    let _ = writeln!(o, "{h}Critical systems, weakest first");
    let mut t = output::table(&["system", "tier", "bus factor", "held up by", "admins"]);
    for s in &r.systems {
        t.add_row(vec![s.name.clone(), s.tier.to_string(), s.bus_factor.to_string(), s.held_up_by.join(", "), s.admins.join(", ")]);
    }
    if markdown {
        let _ = writeln!(o, "\n| system | tier | bus factor | held up by | admins |\n|---|---|---|---|---|");
        for s in &r.systems {
            let _ = writeln!(o, "| {} | {} | {} | {} | {} |", s.name, s.tier, s.bus_factor, s.held_up_by.join(", "), s.admins.join(", "));
        }
    } else {
        let _ = writeln!(o, "{t}");
    }
    let _ = writeln!(o, "\n{h}Departure impact, highest first");
    for p in r.people.iter().filter(|p| p.score > 0).take(10) {
        let _ = writeln!(o, "{} {} ({}), score {}: {}", if markdown { "-" } else { " " }, p.name, p.person, p.score, ranked_reasons(p));
    }
    o
}

pub fn whatif(ctx: &Context, people: &[String], all: bool, format: ReportFormat) -> Result<()> {
    let (inv, grants) = load_for_analysis(ctx)?;
    let snap = ManuallyDrop::new(Snapshot::with_grants(&inv, &grants));
    if all {
        let ranked = handover_analysis::whatif::rank_all(&snap);
        return match format {
            ReportFormat::Json => output::json(&ranked),
            _ => {
                let mut t = output::table(&["person", "score", "no admin", "no knower", "roles", "projects", "secrets", "accounts"]);
                for r in &ranked {
                    t.add_row(vec![
                        format!("{} ({})", r.name, r.person),
                        r.score.to_string(),
                        r.systems_without_admin.to_string(),
                        r.systems_without_knower.to_string(),
                        r.roles_without_holder.to_string(),
                        r.projects_without_lead.to_string(),
                        r.secrets_only_they_hold.to_string(),
                        r.accounts_to_revoke.to_string(),
                    ]);
                }
                println!("{t}");
                Ok(())
            }
        };
    }
    if people.is_empty() {
        return Err(user(ErrorCode::MissingField, "name the people who would leave (`handover whatif dana-whitfield`) or use --all"));
    }
    let mut ixs = Vec::new();
    for p in people {
        ixs.push(snap.person(p).ok_or_else(|| super::records::not_found(Kind::Person, p))?);
    }
    let impact = handover_analysis::whatif::whatif(&snap, &ixs);
    match format {
        ReportFormat::Json => output::json(&impact),
        _ => {
            print!("{}", impact_text(&impact, &inv, format == ReportFormat::Markdown));
            Ok(())
        }
    }
}

fn impact_text(i: &Impact, inv: &Inventory, markdown: bool) -> String {
    let mut o = String::new();
    let who = names(inv, Kind::Person, &i.leavers);
    let _ = writeln!(o, "{}If {who} left tomorrow (impact score {}):\n", if markdown { "# " } else { "" }, i.score);
    let sections = [
        ("Systems with no admin left", Kind::System, &i.systems_without_admin),
        ("Systems no one left knows", Kind::System, &i.systems_without_knower),
        ("Roles with no holder", Kind::Role, &i.roles_without_holder),
        ("Projects with no lead", Kind::Project, &i.projects_without_lead),
        ("Vendors with no internal contact", Kind::Vendor, &i.vendors_without_contact),
        ("Secrets only they hold (hand over first)", Kind::Credential, &i.secrets_only_they_hold),
        ("Secrets to rotate once they are gone", Kind::Credential, &i.secrets_to_rotate),
    ];
    for (title, kind, keys) in sections {
        if keys.is_empty() {
            continue;
        }
        let _ = writeln!(o, "{}{title} ({}):", if markdown { "## " } else { "" }, keys.len());
        for k in keys.iter() {
            let _ = writeln!(o, "  - {}", names(inv, kind, std::slice::from_ref(k)));
        }
    }
    if !i.to_transfer.is_empty() {
        let _ = writeln!(o, "{}To hand over ({}):", if markdown { "## " } else { "" }, i.to_transfer.len());
        for t in &i.to_transfer {
            let _ = writeln!(o, "  - {t}");
        }
    }
    if !i.access_to_revoke.is_empty() {
        let total: usize = i.access_to_revoke.values().map(|(n, _)| n).sum();
        let admin: usize = i.access_to_revoke.values().map(|(_, a)| a).sum();
        let _ = writeln!(
            o,
            "{}Access to revoke: {total} active accounts ({admin} admin) in {} systems:",
            if markdown { "## " } else { "" },
            i.access_to_revoke.len()
        );
        for (system, (n, a)) in &i.access_to_revoke {
            let _ = writeln!(
                o,
                "  - {}: {n}{}",
                names(inv, Kind::System, std::slice::from_ref(system)),
                if *a > 0 { format!(" ({a} admin)") } else { String::new() }
            );
        }
    }
    if i.score == 0 && i.access_to_revoke.is_empty() {
        let _ = writeln!(o, "Nothing would be left without someone, and they hold no active access.");
    }
    o
}

pub fn due(ctx: &Context, within: handover_core::Interval, format: ReportFormat) -> Result<()> {
    let config = ctx.config()?;
    let (inv, _grants) = load_for_analysis(ctx)?;
    let items = handover_analysis::due::due(&inv, ctx.today, within.days() as i64, &config.thresholds);
    let owner =
        |o: &Option<String>| o.as_deref().map_or_else(String::new, |k| inv.person(k).map_or_else(|| k.to_string(), |p| p.name.clone()));
    match format {
        ReportFormat::Json => output::json(&items),
        ReportFormat::Markdown => {
            println!(
                "# Due by {} (as of {})\n",
                ctx.today.checked_add(jiff::Span::new().days(within.days() as i64)).unwrap_or(ctx.today),
                ctx.today
            );
            for d in &items {
                println!(
                    "- [ ] **{}**{} — {}: {} (`{}`){}",
                    d.due,
                    if d.overdue { " (overdue)" } else { "" },
                    d.what,
                    d.title,
                    d.subject,
                    if d.owner.is_some() { format!(" — {}", owner(&d.owner)) } else { String::new() }
                );
            }
            Ok(())
        }
        ReportFormat::Table => {
            let mut t = output::table(&["due", "", "what", "subject", "owner"]);
            for d in &items {
                t.add_row(vec![
                    d.due.to_string(),
                    if d.overdue { "OVERDUE".into() } else { String::new() },
                    d.what.to_string(),
                    d.title.clone(),
                    owner(&d.owner),
                ]);
            }
            println!("{t}");
            let overdue = items.iter().filter(|d| d.overdue).count();
            println!("{} items due within {within}, {overdue} of them overdue.", items.len());
            Ok(())
        }
    }
}

/// `handover role describe ROLE|PERSON`.
pub fn describe(ctx: &Context, key: &str, format: ReportFormat) -> Result<()> {
    let (inv, grants) = load_for_analysis(ctx)?;
    let snap = ManuallyDrop::new(Snapshot::with_grants(&inv, &grants));
    let d = handover_analysis::succession::describe(&snap, key).ok_or_else(|| {
        user(ErrorCode::RecordNotFound, format!("there is no role or person {key:?}; `handover role list` shows the roles"))
    })?;
    match format {
        ReportFormat::Json => output::json(&d),
        ReportFormat::Markdown | ReportFormat::Table => {
            print!("{}", d.markdown());
            Ok(())
        }
    }
}

/// `handover succession gaps`.
pub fn succession_gaps(ctx: &Context, format: crate::cli::Format) -> Result<()> {
    let (inv, grants) = load_for_analysis(ctx)?;
    let gaps = handover_analysis::succession::gaps(&Snapshot::with_grants(&inv, &grants));
    match format {
        crate::cli::Format::Json => output::json(&gaps),
        crate::cli::Format::Table => {
            if gaps.is_empty() {
                println!("Every critical role has a deputy with the access and knowledge its holder has.");
                return Ok(());
            }
            let mut t = output::table(&["role", "holders", "deputies", "what is missing"]);
            for g in &gaps {
                t.add_row(vec![format!("{} ({})", g.name, g.role), g.holders.join(", "), g.deputies.join(", "), g.problems.join("; ")]);
            }
            println!("{t}");
            Ok(())
        }
    }
}
