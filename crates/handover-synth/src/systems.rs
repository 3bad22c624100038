//! Vendors, their contracts, and systems with their privilege catalogues and the group and
//! role accounts that hold privileges on them.

use crate::accounts::pick_privs;
use crate::words::{
    slugify, Uniq, ADMIN_PRIVILEGES, CLOUD_MODULES, COMPANY_SYSTEMS, DOMAIN, EMAIL_ADMIN, EMAIL_READ, EMAIL_WRITE, GENERIC_MODULES,
    IDP_ADMIN, IDP_READ, IDP_WRITE, IT, IT_QUALIFIERS, QUALIFIERS, VENDOR_PREFIX, VENDOR_SUFFIX,
};
use crate::{shift, Gen, Profile, Rng, S_CONTRACTS, S_SYSTEMS, S_VENDORS};
use handover_core::{
    Account, AccountKind, Contract, ContractKind, DocLink, Level, PatchCadence, Patching, Record, System, SystemKind, Vendor, VendorKind,
};

/// ≈ one system per 40 people, at least 25 and at most 2,500.
pub(crate) fn system_count(people: usize) -> usize {
    (people / 40).clamp(25, 2500)
}

pub(crate) struct Vd {
    pub key: String,
    pub name: String,
    pub owner: Option<u32>,
    pub contracts: Vec<u32>,
    pub systems: Vec<u32>,
}

/// The privileges a system knows, and their indices by level.
#[derive(Default)]
pub(crate) struct Cat {
    pub privs: Vec<(String, Level)>,
    pub by_level: [Vec<u16>; 3],
}

impl Cat {
    /// Privilege `i` as a grant to emit: its name, its level and `via` (the group it comes
    /// through, when the system reports it).
    pub fn grant<'a>(&'a self, i: u16, via: Option<&'a str>) -> (&'a str, Level, Option<&'a str>) {
        let (name, level) = &self.privs[i as usize];
        (name, *level, via)
    }
}

pub(crate) fn level_index(level: Level) -> usize {
    match level {
        Level::Read => 0,
        Level::Write => 1,
        Level::Admin => 2,
    }
}

impl Cat {
    fn push(&mut self, name: String, level: Level) {
        if self.privs.iter().any(|(n, _)| *n == name) {
            return;
        }
        self.by_level[level_index(level)].push(self.privs.len() as u16);
        self.privs.push((name, level));
    }

    fn index_of(&self, name: &str) -> Option<u16> {
        self.privs.iter().position(|(n, _)| n == name).map(|i| i as u16)
    }
}

/// A group or role account: its grants are inherited by its members.
pub(crate) struct Grp {
    pub key: String,
    pub name: String,
    pub kind: AccountKind,
    pub privs: Vec<u16>,
    /// Indices of earlier groups in the same system (so nesting is acyclic).
    pub member_of: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    No,
    Idp,
    Email,
}

pub(crate) struct Sys {
    pub key: String,
    pub name: String,
    pub kind: SystemKind,
    pub tier: u8,
    pub home: Option<usize>,
    pub special: Special,
    /// The identity provider's app-assignment privilege for this system, if it signs in
    /// through single sign-on.
    pub app_priv: Option<String>,
    /// Whether the system reports MFA (otherwise accounts' `mfa` is unknown).
    pub mfa_reported: bool,
    /// How personal logins look: 0 email, 1 `first.last`, 2 the person key.
    pub style: u8,
    pub cat: Cat,
    /// Privileges every personal account has (the identity provider's `Member`, …).
    pub base: Vec<u16>,
    pub groups: Vec<Grp>,
    pub users: Option<usize>,
    pub editors: Option<usize>,
    pub admins: Option<usize>,
    pub dept_groups: Vec<(usize, usize)>,
    pub admin_role: Option<usize>,
    pub deploy_role: Option<usize>,
    pub tech: Vec<u32>,
}

#[derive(Clone)]
enum Aud {
    Everyone(f64),
    It,
    Depts(&'static [&'static str]),
}

#[derive(Clone, Copy)]
enum CatSpec {
    Idp,
    Email,
    Mods(&'static [&'static str]),
}

/// A well-known system, present in every organisation.
struct Wk {
    key: &'static str,
    name: &'static str,
    kind: SystemKind,
    tier: u8,
    tags: &'static [&'static str],
    desc: &'static str,
    aud: Aud,
    /// Also administered day to day by IT (beyond its technical owners).
    it: bool,
    deps: &'static [&'static str],
    cat: CatSpec,
}

use SystemKind::{Application as App, Custom, Infrastructure as Infra, Integration, Saas};

const WK: &[Wk] = &[
    Wk {
        key: "sso",
        name: "Single Sign-On",
        kind: Saas,
        tier: 1,
        tags: &["identity-provider"],
        desc: "Identity provider for all staff sign-in, MFA and app assignments.",
        aud: Aud::Everyone(1.0),
        it: true,
        deps: &[],
        cat: CatSpec::Idp,
    },
    Wk {
        key: "dns",
        name: "Public DNS",
        kind: Saas,
        tier: 1,
        tags: &["dns"],
        desc: "Public DNS zones and the domain registrar.",
        aud: Aud::It,
        it: true,
        deps: &[],
        cat: CatSpec::Mods(&["Zones", "Records", "DNSSEC", "Registrar Transfers"]),
    },
    Wk {
        key: "firewall",
        name: "Perimeter Firewall",
        kind: Infra,
        tier: 1,
        tags: &["firewall"],
        desc: "Firewall cluster at the internet edge.",
        aud: Aud::It,
        it: true,
        deps: &[],
        cat: CatSpec::Mods(&["Firewall Rules", "NAT Policies", "VPN Tunnels", "Threat Logs"]),
    },
    Wk {
        key: "email",
        name: "Email and Calendar",
        kind: Saas,
        tier: 1,
        tags: &["email"],
        desc: "Mail, calendars and shared mailboxes.",
        aud: Aud::Everyone(1.0),
        it: true,
        deps: &["sso", "dns"],
        cat: CatSpec::Email,
    },
    Wk {
        key: "vpn",
        name: "Remote Access VPN",
        kind: Infra,
        tier: 1,
        tags: &["remote-access"],
        desc: "Remote access for staff working away from the office.",
        aud: Aud::Everyone(0.55),
        it: true,
        deps: &["sso", "firewall"],
        cat: CatSpec::Mods(&["Connections", "Profiles", "Gateways"]),
    },
    Wk {
        key: "cloud",
        name: "Cloud Platform",
        kind: Infra,
        tier: 1,
        tags: &["cloud"],
        desc: "Production cloud accounts.",
        aud: Aud::Depts(&["engineering"]),
        it: true,
        deps: &["sso"],
        cat: CatSpec::Mods(CLOUD_MODULES),
    },
    Wk {
        key: "backup",
        name: "Backup and Recovery",
        kind: Infra,
        tier: 1,
        tags: &["backup"],
        desc: "Backups of servers, databases and SaaS data.",
        aud: Aud::It,
        it: true,
        deps: &["cloud"],
        cat: CatSpec::Mods(&["Backup Jobs", "Restores", "Repositories", "Retention Policies"]),
    },
    Wk {
        key: "erp",
        name: "ERP",
        kind: App,
        tier: 1,
        tags: &["erp", "finance"],
        desc: "Finance, purchasing, stock and order processing.",
        aud: Aud::Depts(&["finance", "operations", "procurement", "logistics"]),
        it: false,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Invoices", "Payments", "Journals", "Orders", "Stock", "Suppliers", "Purchase Orders"]),
    },
    Wk {
        key: "endpoint-management",
        name: "Endpoint Management",
        kind: Saas,
        tier: 2,
        tags: &["endpoint"],
        desc: "Laptop and phone enrolment, policies and remote wipe.",
        aud: Aud::It,
        it: true,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Devices", "Compliance Policies", "Apps", "Remote Actions"]),
    },
    Wk {
        key: "hris",
        name: "HR Information System",
        kind: Saas,
        tier: 2,
        tags: &[],
        desc: "Employee records, absence and self-service.",
        aud: Aud::Everyone(0.95),
        it: false,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Employees", "Absences", "Salaries", "Reviews", "Documents"]),
    },
    Wk {
        key: "crm",
        name: "CRM",
        kind: Saas,
        tier: 2,
        tags: &[],
        desc: "Customers, contacts, pipeline and support cases.",
        aud: Aud::Depts(&["sales", "marketing", "customer-support"]),
        it: false,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Accounts", "Contacts", "Opportunities", "Quotes", "Cases", "Campaigns"]),
    },
    Wk {
        key: "chat",
        name: "Team Chat",
        kind: Saas,
        tier: 2,
        tags: &[],
        desc: "",
        aud: Aud::Everyone(0.97),
        it: false,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Channels", "Messages", "Files", "Apps"]),
    },
    Wk {
        key: "service-desk",
        name: "IT Service Desk",
        kind: Saas,
        tier: 3,
        tags: &[],
        desc: "IT tickets, changes and the asset register.",
        aud: Aud::Everyone(0.8),
        it: true,
        deps: &["sso", "email"],
        cat: CatSpec::Mods(&["Tickets", "Knowledge Articles", "Assets", "Changes"]),
    },
    Wk {
        key: "intranet",
        name: "Intranet",
        kind: App,
        tier: 3,
        tags: &[],
        desc: "",
        aud: Aud::Everyone(0.9),
        it: false,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Pages", "News", "Documents"]),
    },
    Wk {
        key: "file-storage",
        name: "File Storage",
        kind: Saas,
        tier: 2,
        tags: &[],
        desc: "Shared drives and personal file storage.",
        aud: Aud::Everyone(0.9),
        it: false,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Folders", "Sharing", "Retention"]),
    },
    Wk {
        key: "source-control",
        name: "Source Control",
        kind: Saas,
        tier: 2,
        tags: &[],
        desc: "Git hosting and code review.",
        aud: Aud::Depts(&["engineering"]),
        it: true,
        deps: &["sso"],
        cat: CatSpec::Mods(&["Repositories", "Pull Requests", "Pipelines", "Secrets"]),
    },
    Wk {
        key: "payroll",
        name: "Payroll",
        kind: Saas,
        tier: 1,
        tags: &["finance"],
        desc: "Monthly payroll, pensions and tax filings.",
        aud: Aud::Depts(&["finance", "people"]),
        it: false,
        deps: &["hris"],
        cat: CatSpec::Mods(&["Payslips", "Pay Runs", "Salaries", "Pensions", "Tax Codes"]),
    },
    Wk {
        key: "customer-portal",
        name: "Customer Portal",
        kind: Custom,
        tier: 2,
        tags: &[],
        desc: "In-house portal where customers place and track orders.",
        aud: Aud::Depts(&["customer-support", "sales", "engineering"]),
        it: false,
        deps: &["crm", "cloud"],
        cat: CatSpec::Mods(&["Customers", "Orders", "Content", "Releases"]),
    },
];

/// Index of a well-known system (always present: there are at least 25 systems).
pub(crate) fn wk(key: &str) -> Option<usize> {
    WK.iter().position(|w| w.key == key)
}

pub(crate) const SSO: u32 = 0;
pub(crate) const EMAIL: u32 = 3;
pub(crate) const SERVICE_DESK: u32 = 12;

/// Everything about a system before the parts common to all systems are added.
struct Draft {
    name: String,
    /// Fixed key for well-known systems; otherwise derived from the name.
    key: Option<&'static str>,
    kind: SystemKind,
    tier: u8,
    tags: &'static [&'static str],
    desc: Option<String>,
    everyone: Option<f64>,
    it: bool,
    company: bool,
    depts: Vec<usize>,
    deps: Vec<u32>,
    cat: CatSpec,
}

impl Gen {
    pub(crate) fn vendors(&mut self, emit: &mut dyn FnMut(Record)) {
        let count = (system_count(self.n) / 4).max(5);
        let mut rng = self.rng(S_VENDORS);
        let mut uniq = Uniq::default();
        let active: Vec<usize> = self.active_depts().collect();
        for _ in 0..count {
            let mut base = String::new();
            for _ in 0..6 {
                let prefix = rng.pick(VENDOR_PREFIX).copied().unwrap_or("Acme");
                let suffix = rng.pick(VENDOR_SUFFIX).copied().unwrap_or("Software");
                base = format!("{prefix} {suffix}");
                if !uniq.is_used(&slugify(&base)) {
                    break;
                }
            }
            let (key, num) = uniq.key(&slugify(&base));
            let name = if num == 1 { base } else { format!("{base} {num}") };
            let kind = if name.contains("Managed Services") {
                VendorKind::Msp
            } else if name.contains("Consulting") {
                VendorKind::Partner
            } else {
                [VendorKind::Vendor, VendorKind::Reseller, VendorKind::Partner][rng.weighted(&[85, 10, 5])]
            };
            let owner = match rng.unit() {
                u if u < 0.6 => Some(self.techie(&mut rng)),
                u if u < 0.85 => {
                    let d = rng.pick(&active).copied().unwrap_or(0);
                    Some(self.dept_manager(&mut rng, d))
                }
                _ => None,
            };
            emit(Record::from(Vendor {
                key: key.clone(),
                name: name.clone(),
                kind,
                website: Some(format!("https://{key}.example")),
                relationship_owner: owner.map(|p| self.pkey(p)),
            }));
            self.vendors.push(Vd { key, name, owner, contracts: Vec::new(), systems: Vec::new() });
        }
    }

    pub(crate) fn contracts(&mut self, emit: &mut dyn FnMut(Record)) {
        let mut rng = self.rng(S_CONTRACTS);
        let mut uniq = Uniq::default();
        for vi in 0..self.vendors.len() {
            let count = if rng.chance(0.3) { 2 } else { 1 };
            for c in 0..count {
                let msp = self.vendors[vi].name.contains("Managed Services");
                let kind = if msp && c == 0 {
                    ContractKind::Msp
                } else {
                    use ContractKind::*;
                    [Maintenance, Support, License, Subscription, Other][rng.weighted(&[30, 25, 15, 25, 5])]
                };
                let v = &self.vendors[vi];
                let (key, _) = uniq.key(&format!("{}-{}", v.key, kind.as_str().replace('_', "-")));
                let ends = self.day(match rng.unit() {
                    u if u < 0.05 => -rng.range(1, 180),
                    u if u < 0.12 => rng.range(1, 60),
                    _ => rng.range(61, 730),
                });
                // Running contracts started in the past; a few are already over.
                let starts = shift(ends, -365 * rng.range(1, 3)).min(self.day(-rng.range(0, 90))).min(ends);
                let owner = match rng.unit() {
                    u if u < 0.7 => v.owner,
                    u if u < 0.9 => Some(self.techie(&mut rng)),
                    _ => None,
                };
                let label = match kind {
                    ContractKind::Msp => "managed services",
                    k => k.as_str(),
                };
                emit(Record::from(Contract {
                    key: key.clone(),
                    name: format!("{} {label} agreement", v.name),
                    vendor: v.key.clone(),
                    kind,
                    starts: Some(starts),
                    ends: Some(ends),
                    auto_renew: rng.chance(0.35),
                    notice_days: if rng.chance(0.5) { rng.pick(&[30, 60, 90]).copied() } else { None },
                    owner: owner.map(|p| self.pkey(p)),
                    systems: Vec::new(),
                }));
                let ci = self.contract_keys.len() as u32;
                self.contract_keys.push(key);
                self.vendors[vi].contracts.push(ci);
            }
        }
    }

    pub(crate) fn systems(&mut self, emit: &mut dyn FnMut(Record)) {
        let count = system_count(self.n);
        let mut rng = self.rng(S_SYSTEMS);
        let mut uniq = Uniq::default();
        self.dept_pool = vec![Vec::new(); self.depts.len()];
        let active: Vec<usize> = self.active_depts().filter(|d| *d >= 2).collect();
        let weights: Vec<u32> = active.iter().map(|d| self.depts[*d].def.weight).collect();
        for i in 0..count {
            let draft = if let Some(w) = WK.get(i) {
                let depts = match w.aud {
                    Aud::Depts(slugs) => slugs.iter().filter_map(|s| self.dept_by_slug(s)).collect(),
                    _ => Vec::new(),
                };
                Draft {
                    name: w.name.to_string(),
                    key: Some(w.key),
                    kind: w.kind,
                    tier: w.tier,
                    tags: w.tags,
                    desc: (!w.desc.is_empty()).then(|| w.desc.to_string()),
                    everyone: match w.aud {
                        Aud::Everyone(share) => Some(share),
                        _ => None,
                    },
                    it: w.it || matches!(w.aud, Aud::It),
                    company: false,
                    depts,
                    deps: w.deps.iter().filter_map(|k| wk(k)).map(|j| j as u32).collect(),
                    cat: w.cat,
                }
            } else {
                self.generic_draft(&mut rng, &uniq, i, &active, &weights)
            };
            self.system(&mut rng, &mut uniq, i as u32, draft, emit);
        }
    }

    fn generic_draft(&self, rng: &mut Rng, uniq: &Uniq, i: usize, active: &[usize], weights: &[u32]) -> Draft {
        let mut category = rng.weighted(&[22, 6, 64, 8]);
        if category == 2 && active.is_empty() {
            category = 0;
        }
        let tier = |rng: &mut Rng, w: &[u32; 4]| rng.weighted(w) as u8 + 1;
        let mut d = Draft {
            name: String::new(),
            key: None,
            kind: SystemKind::Application,
            tier: 3,
            tags: &[],
            desc: None,
            everyone: None,
            it: false,
            company: false,
            depts: Vec::new(),
            deps: Vec::new(),
            cat: CatSpec::Mods(GENERIC_MODULES),
        };
        let name = |rng: &mut Rng, quals: &[&str], nouns: &[&str]| {
            let mut name = String::new();
            for _ in 0..6 {
                name = format!("{}{}", rng.pick(quals).copied().unwrap_or(""), rng.pick(nouns).copied().unwrap_or("Tool"));
                if !uniq.is_used(&slugify(&name)) {
                    break;
                }
            }
            name
        };
        match category {
            0 => {
                d.name = name(rng, IT_QUALIFIERS, IT.systems);
                d.kind = if rng.chance(0.7) { Infra } else { Saas };
                d.tier = tier(rng, &[10, 30, 40, 20]);
                d.it = true;
                d.cat = CatSpec::Mods(IT.modules);
            }
            1 => {
                d.name = name(rng, QUALIFIERS, COMPANY_SYSTEMS);
                d.kind = if rng.chance(0.85) { Saas } else { App };
                d.tier = tier(rng, &[5, 25, 45, 25]);
                d.company = true;
            }
            2 => {
                let dept = active.get(rng.weighted(weights)).copied().unwrap_or(2);
                let def = self.depts[dept].def;
                d.name = name(rng, QUALIFIERS, def.systems);
                d.kind = [Saas, App, Custom, Integration][rng.weighted(&[45, 30, 20, 5])];
                d.tier = tier(rng, &[8, 24, 42, 26]);
                d.depts.push(dept);
                if rng.chance(0.2) {
                    if let Some(&other) = rng.pick(active) {
                        if other != dept {
                            d.depts.push(other);
                        }
                    }
                }
                if rng.chance(0.6) {
                    d.desc = Some(format!("Used by {}.", def.name));
                }
                d.cat = CatSpec::Mods(def.modules);
            }
            _ => {
                let a = rng.below(i);
                let mut b = rng.below(i);
                if b == a {
                    b = (a + 1) % i.max(1);
                }
                let (an, bn) = (&self.systems[a].name, &self.systems[b].name);
                d.name = format!("{an} to {bn} Sync");
                d.kind = Integration;
                d.tier = tier(rng, &[5, 25, 45, 25]);
                d.it = true;
                d.desc = Some(format!("Moves data from {an} to {bn}."));
                d.deps = vec![a as u32, b as u32];
            }
        }
        d
    }

    fn system(&mut self, rng: &mut Rng, uniq: &mut Uniq, si: u32, d: Draft, emit: &mut dyn FnMut(Record)) {
        let (key, name) = match d.key {
            Some(k) => (uniq.key(k).0, d.name),
            None => {
                let (key, num) = uniq.key(&slugify(&d.name));
                (key, if num == 1 { d.name } else { format!("{} {num}", d.name) })
            }
        };
        let home = d.depts.first().copied().or(if d.it { Some(1) } else { None });

        // People: a business owner, technical owners.
        let missing_owner = rng.chance(if d.tier == 1 { 0.03 } else { 0.07 });
        let owner = if missing_owner {
            None
        } else if d.everyone.is_some() || d.company {
            let d = 2 + rng.below(self.depts.len().saturating_sub(2));
            Some(if rng.chance(0.5) { self.head(1).unwrap_or(0) } else { self.dept_manager(rng, d) })
        } else {
            Some(self.dept_manager(rng, home.unwrap_or(1)))
        };
        let tech_count = if d.tier == 1 { rng.weighted(&[5, 30, 45, 20]) } else { rng.weighted(&[12, 45, 33, 10]) };
        let mut tech: Vec<u32> = Vec::new();
        for _ in 0..tech_count {
            for _ in 0..4 {
                let p = match home {
                    Some(h) if h >= 2 && rng.chance(0.3) => self.dept_manager(rng, h),
                    _ if rng.chance(0.3) && !self.tech_pool.is_empty() => self.tech_pool[rng.skewed(self.tech_pool.len())],
                    _ => self.techie(rng),
                };
                if !tech.contains(&p) {
                    tech.push(p);
                    break;
                }
            }
        }
        for &t in &tech {
            self.own(t, si, Profile::Admin);
        }
        if let Some(o) = owner {
            self.own(o, si, Profile::Power);
        }

        // Vendor and maintenance contract.
        let vendor_share = match d.kind {
            Saas => 0.95,
            App => 0.8,
            Infra => 0.75,
            Custom => 0.1,
            Integration => 0.2,
        };
        let vendor = (rng.chance(vendor_share) && !self.vendors.is_empty()).then(|| rng.skewed(self.vendors.len()));
        let mut contract = None;
        if let Some(v) = vendor {
            self.vendors[v].systems.push(si);
            if rng.chance(0.85) {
                contract = rng.pick(&self.vendors[v].contracts).map(|c| self.contract_keys[*c as usize].clone());
            }
        }

        // Docs: missing on some, stale on others.
        let dept_slug = home.map_or("it", |h| self.depts[h].def.slug);
        let mut docs = Vec::new();
        let ndocs = match rng.unit() {
            u if u < 0.15 => 0,
            u if u < 0.8 => 1,
            _ => 2,
        };
        for (k, title) in ["runbook", "administration guide"].iter().take(ndocs).enumerate() {
            let last_reviewed = match rng.unit() {
                u if u < 0.3 => Some(self.day(-rng.range(366, 1500))),
                u if u < 0.4 => None,
                _ => Some(self.day(-rng.range(0, 365))),
            };
            let author = if rng.chance(0.8) { Some(tech.get(k).copied().unwrap_or_else(|| self.techie(rng))) } else { None };
            docs.push(DocLink {
                title: format!("{name} {title}"),
                url: format!("https://wiki.{DOMAIN}/{dept_slug}/{key}/{}", slugify(title)),
                last_reviewed,
                author: author.map(|p| self.pkey(p)),
            });
        }

        let (rto, rpo) = match (d.tier, rng.unit()) {
            (1, u) if u < 0.9 => (Some(4 * 60), Some(60)),
            (2, u) if u < 0.7 => (Some(24 * 60), Some(4 * 60)),
            (3, u) if u < 0.4 => (Some(3 * 24 * 60), Some(24 * 60)),
            _ => (None, None),
        };
        let patching = rng.chance(0.85).then(|| {
            use PatchCadence as P;
            let cadence = match d.kind {
                Saas => [P::VendorManaged, P::AdHoc][rng.weighted(&[80, 20])],
                Infra => [P::Weekly, P::Monthly, P::Quarterly, P::AdHoc][rng.weighted(&[20, 50, 20, 10])],
                App => [P::Monthly, P::Quarterly, P::AdHoc, P::None][rng.weighted(&[35, 30, 25, 10])],
                Custom => [P::Monthly, P::AdHoc, P::None][rng.weighted(&[25, 50, 25])],
                Integration => [P::AdHoc, P::None, P::VendorManaged][rng.weighted(&[50, 30, 20])],
            };
            let owner = if rng.chance(0.85) { tech.first().map(|p| self.pkey(*p)) } else { None };
            Patching { owner, cadence }
        });

        let mut deps = d.deps.clone();
        if deps.is_empty() && si > 0 {
            if rng.chance(0.2) {
                deps.push(SSO);
            }
            if rng.chance(0.08) {
                deps.push(rng.below(si as usize) as u32);
            }
        }
        deps.retain(|j| *j < si);
        deps.sort_unstable();
        deps.dedup();

        emit(Record::from(System {
            key: key.clone(),
            name: name.clone(),
            kind: d.kind,
            tier: d.tier,
            description: d.desc,
            tags: d.tags.iter().map(|t| t.to_string()).collect(),
            owner: owner.map(|p| self.pkey(p)),
            technical_owners: tech.iter().map(|p| self.pkey(*p)).collect(),
            vendor: vendor.map(|v| self.vendors[v].key.clone()),
            docs,
            rto: rto.map(handover_core::Interval::from_minutes),
            rpo: rpo.map(handover_core::Interval::from_minutes),
            maintenance_contract: contract,
            patching,
            depends_on: deps.iter().map(|j| self.systems[*j as usize].key.clone()).collect(),
            intake: None,
        }));

        // Who uses it.
        if let Some(share) = d.everyone {
            self.everyone.push((si, share));
        }
        if d.company {
            self.company.push(si);
        }
        for &dept in &d.depts {
            self.dept_pool[dept].push(si);
        }
        if !d.depts.is_empty() {
            self.any_pool.push(si);
        }
        if d.it {
            self.it_pool.push(si);
        }

        let special = match d.cat {
            CatSpec::Idp => Special::Idp,
            CatSpec::Email => Special::Email,
            CatSpec::Mods(_) => Special::No,
        };
        let cloud = d.tags.contains(&"cloud");
        let (cat, base) = catalogue(rng, d.cat);
        let mut sys = Sys {
            key,
            name,
            kind: d.kind,
            tier: d.tier,
            home,
            special,
            app_priv: None,
            mfa_reported: special != Special::No || !d.tags.is_empty() || rng.chance(0.8),
            style: if special == Special::No { rng.below(3) as u8 } else { 0 },
            cat,
            base,
            groups: Vec::new(),
            users: None,
            editors: None,
            admins: None,
            dept_groups: Vec::new(),
            admin_role: None,
            deploy_role: None,
            tech,
        };
        if d.kind == Saas && special != Special::Idp && rng.chance(0.85) {
            sys.app_priv = Some(format!("App: {}", sys.name));
        }
        let dept_groups: Vec<usize> = match special {
            Special::No => d.depts.iter().copied().filter(|_| rng.chance(0.6)).collect(),
            _ => self.active_depts().collect(),
        };
        self.groups(rng, &mut sys, cloud, &dept_groups);
        self.systems.push(sys);
    }

    /// Role accounts first, then groups; a group is only ever a member of an earlier one.
    fn groups(&self, rng: &mut Rng, s: &mut Sys, cloud: bool, depts: &[usize]) {
        let add = |s: &mut Sys, rng: &mut Rng, name: String, kind: AccountKind, w: [u32; 3], k: usize, member_of: Vec<usize>| {
            let mut privs = Vec::new();
            pick_privs(rng, &s.cat, w, false, k, &mut privs);
            s.groups.push(Grp { key: Account::key_of(&s.key, &name), name, kind, privs, member_of });
            s.groups.len() - 1
        };
        const READ: [u32; 3] = [1000, 0, 0];
        const WRITE: [u32; 3] = [0, 1000, 0];
        const ADMIN: [u32; 3] = [0, 0, 1000];
        if cloud || (s.kind == Infra && rng.chance(0.25)) {
            s.admin_role = Some(add(s, rng, "AdminRole".into(), AccountKind::Role, ADMIN, 2, vec![]));
            if cloud {
                s.deploy_role = Some(add(s, rng, "DeployRole".into(), AccountKind::Role, WRITE, 3, vec![]));
                add(s, rng, "ReadOnlyRole".into(), AccountKind::Role, READ, 2, vec![]);
            }
        }
        let (users, editors, admins) = match s.special {
            Special::Idp => ("All Staff".to_string(), "Helpdesk Operators".to_string(), "IT Admins".to_string()),
            Special::Email => ("All Staff Mailboxes".into(), "Shared Mailbox Editors".into(), "Exchange Admins".into()),
            Special::No => (format!("{} Users", s.name), format!("{} Editors", s.name), format!("{} Admins", s.name)),
        };
        let special = s.special != Special::No;
        let k = rng.range(1, 3) as usize;
        let u = add(s, rng, users, AccountKind::Group, READ, k, vec![]);
        s.users = Some(u);
        if special || rng.chance(0.7) {
            let member_of = if rng.chance(0.6) { vec![u] } else { vec![] };
            let k = rng.range(1, 2) as usize;
            s.editors = Some(add(s, rng, editors, AccountKind::Group, WRITE, k, member_of));
        }
        if special || s.tier == 1 || rng.chance(0.6) {
            let mut member_of = Vec::new();
            match s.editors {
                Some(e) if rng.chance(0.5) => member_of.push(e),
                _ if rng.chance(0.3) => member_of.push(u),
                _ => {}
            }
            if let Some(r) = s.admin_role.filter(|_| rng.chance(0.4)) {
                member_of.insert(0, r);
            }
            let k = rng.range(1, 2) as usize;
            s.admins = Some(add(s, rng, admins, AccountKind::Group, ADMIN, k, member_of));
        }
        for &d in depts {
            let dept = self.depts[d].def.name;
            let name = match s.special {
                Special::Idp => format!("{dept} Staff"),
                Special::Email => format!("{dept} Shared Mailbox"),
                Special::No => format!("{dept} Team"),
            };
            let member_of = if rng.chance(0.4) { vec![u] } else { vec![] };
            let k = rng.range(1, 2) as usize;
            // Directory groups only let members read; shared mailboxes and team groups also write.
            let weights = if s.special == Special::Idp { READ } else { [500, 500, 0] };
            let g = add(s, rng, name, AccountKind::Group, weights, k, member_of);
            s.dept_groups.push((d, g));
        }
    }
}

/// The privileges of a system and the ones every personal account gets.
fn catalogue(rng: &mut Rng, spec: CatSpec) -> (Cat, Vec<u16>) {
    let mut cat = Cat::default();
    let fixed = |cat: &mut Cat, r: &[&str], w: &[&str], a: &[&str]| {
        for (names, level) in [(r, Level::Read), (w, Level::Write), (a, Level::Admin)] {
            for n in names {
                cat.push(n.to_string(), level);
            }
        }
    };
    let base_names: &[&str] = match spec {
        CatSpec::Idp => {
            fixed(&mut cat, IDP_READ, IDP_WRITE, IDP_ADMIN);
            &["Member"]
        }
        CatSpec::Email => {
            fixed(&mut cat, EMAIL_READ, EMAIL_WRITE, EMAIL_ADMIN);
            &["Mailbox", "Calendar"]
        }
        CatSpec::Mods(mods) => {
            let count = rng.range(3, 7) as usize;
            let mut chosen: Vec<&str> = Vec::new();
            for _ in 0..count * 3 {
                if chosen.len() == count {
                    break;
                }
                let list = if rng.chance(0.7) { mods } else { GENERIC_MODULES };
                if let Some(m) = rng.pick(list) {
                    if !chosen.contains(m) {
                        chosen.push(m);
                    }
                }
            }
            for m in chosen {
                cat.push(format!("{m}: View"), Level::Read);
                cat.push(format!("{m}: Edit"), Level::Write);
                if rng.chance(0.4) {
                    cat.push(format!("{m}: Export"), Level::Read);
                }
                if rng.chance(0.3) {
                    cat.push(format!("{m}: Approve"), Level::Write);
                }
                if rng.chance(0.25) {
                    cat.push(format!("{m}: Delete"), Level::Write);
                }
            }
            cat.push("System Administrator".into(), Level::Admin);
            for _ in 0..rng.range(0, 2) {
                if let Some(p) = rng.pick(ADMIN_PRIVILEGES) {
                    cat.push(p.to_string(), Level::Admin);
                }
            }
            &[]
        }
    };
    let base = base_names.iter().filter_map(|n| cat.index_of(n)).collect();
    (cat, base)
}
