//! Roles, credentials, projects, contacts, policies and repositories.

use crate::systems::{system_count, wk};
use crate::words::{slugify, Uniq, DOMAIN, FIRST, LAST, MILESTONES, RISKS};
use crate::{interval_days, Gen, Rng, S_CONTACTS, S_CREDENTIALS, S_POLICIES, S_PROJECTS, S_REPOSITORIES, S_ROLES};
use handover_core::{
    Contact, Credential, CredentialKind, Milestone, Policy, PolicyKind, Project, ProjectRisk, ProjectStatus, Record, Repository, Role,
    Severity, SystemKind,
};

/// Who usually holds a role.
#[derive(Clone, Copy)]
enum From {
    /// The technical owners of the role's first system, else IT.
    Tech,
    /// The service desk.
    Support,
    /// The CEO and department heads.
    Leaders,
    /// Someone in the department with this slug.
    Dept(&'static str),
}

struct RoleDef {
    key: &'static str,
    name: &'static str,
    description: &'static str,
    critical: bool,
    systems: &'static [&'static str],
    from: From,
}

const ROLES: &[RoleDef] = &[
    RoleDef {
        key: "identity-administrator",
        name: "Identity administrator",
        description: "Administers single sign-on, MFA and conditional access.",
        critical: true,
        systems: &["sso"],
        from: From::Tech,
    },
    RoleDef {
        key: "incident-commander",
        name: "Incident commander",
        description: "Leads the response to major incidents and decides on failover.",
        critical: true,
        systems: &[],
        from: From::Leaders,
    },
    RoleDef {
        key: "dns-administrator",
        name: "DNS administrator",
        description: "Owns the public DNS zones and the registrar account.",
        critical: true,
        systems: &["dns"],
        from: From::Tech,
    },
    RoleDef {
        key: "backup-operator",
        name: "Backup operator",
        description: "Runs, monitors and test-restores backups.",
        critical: true,
        systems: &["backup"],
        from: From::Tech,
    },
    RoleDef {
        key: "payroll-administrator",
        name: "Payroll administrator",
        description: "Runs the monthly payroll.",
        critical: true,
        systems: &["payroll"],
        from: From::Dept("finance"),
    },
    RoleDef {
        key: "firewall-administrator",
        name: "Firewall administrator",
        description: "Changes firewall rules and remote-access policies.",
        critical: true,
        systems: &["firewall", "vpn"],
        from: From::Tech,
    },
    RoleDef {
        key: "cloud-platform-owner",
        name: "Cloud platform owner",
        description: "Owns the cloud organisation, billing and root access.",
        critical: true,
        systems: &["cloud"],
        from: From::Tech,
    },
    RoleDef {
        key: "erp-administrator",
        name: "ERP administrator",
        description: "Maintains ERP configuration, users and period close.",
        critical: true,
        systems: &["erp"],
        from: From::Tech,
    },
    RoleDef {
        key: "data-protection-officer",
        name: "Data protection officer",
        description: "Answers subject access requests and reports breaches.",
        critical: false,
        systems: &[],
        from: From::Dept("legal"),
    },
    RoleDef {
        key: "service-desk-lead",
        name: "Service desk lead",
        description: "Runs the IT service desk rota.",
        critical: false,
        systems: &["service-desk"],
        from: From::Support,
    },
];

struct CredDef {
    key: &'static str,
    name: &'static str,
    kind: CredentialKind,
    system: &'static str,
    rotation: Option<u64>,
}

const CREDENTIALS: &[CredDef] = &[
    CredDef {
        key: "sso-break-glass",
        name: "Single sign-on break-glass administrator",
        kind: CredentialKind::BreakGlass,
        system: "sso",
        rotation: Some(365),
    },
    CredDef {
        key: "cloud-root-account",
        name: "Cloud platform root account",
        kind: CredentialKind::Password,
        system: "cloud",
        rotation: Some(180),
    },
    CredDef {
        key: "dns-registrar-login",
        name: "Domain registrar login",
        kind: CredentialKind::Password,
        system: "dns",
        rotation: Some(365),
    },
    CredDef { key: "backup-encryption-key", name: "Backup encryption key", kind: CredentialKind::Other, system: "backup", rotation: None },
    CredDef {
        key: "firewall-admin-password",
        name: "Firewall local administrator password",
        kind: CredentialKind::Password,
        system: "firewall",
        rotation: Some(90),
    },
    CredDef {
        key: "wildcard-tls-certificate",
        name: "Wildcard TLS certificate",
        kind: CredentialKind::Certificate,
        system: "email",
        rotation: Some(365),
    },
    CredDef {
        key: "erp-integration-api-key",
        name: "ERP integration API key",
        kind: CredentialKind::ApiKey,
        system: "erp",
        rotation: Some(180),
    },
];

/// Key, name, kind, owner, review interval in days, reviewed between how many days ago, systems.
type PolicyRow = (&'static str, &'static str, PolicyKind, Option<u32>, u64, Option<(i64, i64)>, Vec<String>);

impl Gen {
    /// Up to `count` distinct people: first from `preferred` (in order), then from `more`.
    fn some_people(
        &self,
        rng: &mut Rng,
        preferred: &[u32],
        count: usize,
        more: &mut dyn FnMut(&mut Rng) -> u32,
        avoid: &[u32],
    ) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for &p in preferred {
            if out.len() < count && !out.contains(&p) && !avoid.contains(&p) {
                out.push(p);
            }
        }
        for _ in 0..count * 4 {
            if out.len() >= count {
                break;
            }
            let p = more(rng);
            if !out.contains(&p) && !avoid.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    fn keys(&self, people: &[u32]) -> Vec<String> {
        people.iter().map(|p| self.pkey(*p)).collect()
    }

    fn wk_key(&self, key: &str) -> Option<String> {
        wk(key).and_then(|i| self.systems.get(i)).map(|s| s.key.clone())
    }

    pub(crate) fn roles(&self, emit: &mut dyn FnMut(Record)) {
        let mut rng = self.rng(S_ROLES);
        let mut uniq = Uniq::default();
        let count = (system_count(self.n) / 10).max(5);
        for i in 0..count {
            let (key, name, description, critical, systems, from) = match ROLES.get(i) {
                Some(r) => {
                    let systems: Vec<usize> = r.systems.iter().filter_map(|k| wk(k)).collect();
                    (uniq.key(r.key).0, r.name.to_string(), Some(r.description.to_string()), r.critical, systems, r.from)
                }
                None => {
                    let mut s = rng.below(self.systems.len());
                    for _ in 0..8 {
                        if self.systems[s].tier <= 2 {
                            break;
                        }
                        s = rng.below(self.systems.len());
                    }
                    let sys = &self.systems[s];
                    let critical = sys.tier == 1 || rng.chance(0.3);
                    let key = uniq.key(&slugify(&format!("{} administrator", sys.key))).0;
                    (key, format!("{} administrator", sys.name), None, critical, vec![s], From::Tech)
                }
            };
            let preferred: Vec<u32> = match from {
                From::Tech => systems.first().map(|s| self.systems[*s].tech.clone()).unwrap_or_default(),
                From::Support => self.it_support.clone(),
                From::Leaders => std::iter::once(0).chain(self.head(1)).collect(),
                From::Dept(slug) => {
                    self.dept_by_slug(slug).map(|d| self.depts[d].members.iter().take(3).copied().collect()).unwrap_or_default()
                }
            };
            let mut shuffled = preferred.clone();
            if !shuffled.is_empty() {
                let first = rng.below(shuffled.len());
                shuffled.rotate_left(first);
            }
            let holders_wanted = rng.weighted(&[50, 35, 15]) + 1;
            let holders = self.some_people(&mut rng, &shuffled, holders_wanted, &mut |r| self.techie(r), &[]);
            let deputies_wanted = match (critical, rng.unit()) {
                (true, u) if u < 0.45 => 0,
                (true, _) => rng.range(1, 2) as usize,
                (false, u) if u < 0.7 => 0,
                (false, _) => 1,
            };
            let deputies = self.some_people(&mut rng, &[], deputies_wanted, &mut |r| self.techie(r), &holders);
            emit(Record::from(Role {
                key,
                name,
                description,
                critical,
                holders: self.keys(&holders),
                deputies: self.keys(&deputies),
                systems: systems.iter().map(|s| self.systems[*s].key.clone()).collect(),
            }));
        }
    }

    pub(crate) fn credentials(&self, emit: &mut dyn FnMut(Record)) {
        let mut rng = self.rng(S_CREDENTIALS);
        let mut uniq = Uniq::default();
        let count = (self.systems.len() / 3).max(3);
        for i in 0..count {
            let (key, name, kind, s, rotation) = match CREDENTIALS.get(i) {
                Some(c) => (uniq.key(c.key).0, c.name.to_string(), c.kind, wk(c.system).unwrap_or(0), c.rotation),
                None => {
                    use CredentialKind::*;
                    let kind = [Password, ApiKey, SshKey, Certificate, Token, BreakGlass, Other][rng.weighted(&[30, 25, 15, 10, 12, 3, 5])];
                    let s = rng.below(self.systems.len());
                    let sys = &self.systems[s];
                    let key = uniq.key(&slugify(&format!("{} {}", sys.key, kind.as_str()))).0;
                    let label = match kind {
                        Password => "admin password",
                        ApiKey => "API key",
                        SshKey => "SSH deploy key",
                        Certificate => "TLS certificate",
                        Token => "access token",
                        BreakGlass => "break-glass account",
                        Other => "recovery codes",
                    };
                    let rotation = if rng.chance(0.65) { rng.pick(&[90, 180, 365]).copied() } else { None };
                    (key, format!("{} {label}", sys.name), kind, s, rotation)
                }
            };
            let Some(sys) = self.systems.get(s) else { continue };
            let holders = if i == 0 {
                vec![self.head(1).unwrap_or(0)]
            } else {
                let wanted = rng.weighted(&[5, 55, 30, 10]);
                self.some_people(&mut rng, &sys.tech, wanted, &mut |r| self.techie(r), &[])
            };
            let location = if kind == CredentialKind::BreakGlass {
                format!("Safe in the server room, sealed envelope {}", i + 1)
            } else {
                format!("Vault: it/{}/{key}", sys.key)
            };
            let last_rotated = match rng.unit() {
                u if u < 0.15 => None,
                u if u < 0.35 => Some(self.day(-rng.range(730, 2200))),
                _ => Some(self.day(-rng.range(0, rotation.unwrap_or(365) as i64))),
            };
            let expires = match kind {
                CredentialKind::Certificate | CredentialKind::Token | CredentialKind::ApiKey if rng.chance(0.7) => {
                    Some(self.day(rng.range(-30, 400)))
                }
                _ => None,
            };
            emit(Record::from(Credential {
                key,
                name,
                kind,
                system: Some(sys.key.clone()),
                location: Some(location),
                holders: self.keys(&holders),
                last_rotated,
                rotation_interval: rotation.map(interval_days),
                expires,
            }));
        }
    }

    pub(crate) fn projects(&mut self, emit: &mut dyn FnMut(Record)) {
        let mut rng = self.rng(S_PROJECTS);
        let mut uniq = Uniq::default();
        let active: Vec<usize> = self.active_depts().collect();
        for _ in 0..(self.n / 100).max(3) {
            let s = rng.below(self.systems.len());
            let sys_name = self.systems.get(s).map_or("ERP", |s| s.name.as_str());
            let dept = rng.pick(&active).map_or("Leadership", |d| self.depts[*d].def.name);
            let name = match rng.below(8) {
                0 => format!("{sys_name} upgrade"),
                1 => format!("Migrate {sys_name} to the cloud"),
                2 => format!("Replace {sys_name}"),
                3 => format!("{dept} process automation"),
                4 => format!("{sys_name} single sign-on rollout"),
                5 => format!("Decommission {sys_name}"),
                6 => format!("{dept} reporting dashboard"),
                _ => format!("{sys_name} disaster recovery test"),
            };
            let (key, num) = uniq.key(&slugify(&name));
            let name = if num == 1 { name } else { format!("{name}, phase {num}") };
            use ProjectStatus::*;
            let status = [Planned, Active, OnHold, Done, Cancelled][rng.weighted(&[20, 50, 10, 15, 5])];
            let lead = if rng.chance(0.55) {
                self.techie(&mut rng)
            } else {
                let d = rng.pick(&active).copied().unwrap_or(0);
                self.dept_manager(&mut rng, d)
            };
            let backup_lead = if rng.chance(0.45) {
                let wanted =
                    self.some_people(&mut rng, &[], 1, &mut |r| if r.chance(0.5) { self.techie(r) } else { self.anyone(r) }, &[lead]);
                wanted.first().copied()
            } else {
                None
            };
            let mut systems = vec![s];
            if rng.chance(0.3) {
                let other = rng.below(self.systems.len());
                if other != s {
                    systems.push(other);
                }
            }
            // Deadline and milestones in days from today; finished projects lie in the past.
            let end = match status {
                Done | Cancelled => -rng.range(1, 365),
                _ => rng.range(-30, 540),
            };
            let deadline = (!rng.chance(0.1)).then(|| self.day(end));
            let count = rng.range(1, 4) as usize;
            let mut dues: Vec<i64> = (0..count).map(|_| rng.range(end - 365, end)).collect();
            dues.sort_unstable();
            let first = rng.below(MILESTONES.len() - count + 1);
            let milestones = dues
                .iter()
                .enumerate()
                .map(|(k, due)| Milestone {
                    name: MILESTONES[(first + k) % MILESTONES.len()].to_string(),
                    due: Some(self.day(*due)),
                    done: status == Done || (*due < 0 && status != Cancelled && rng.chance(0.75)),
                })
                .collect();
            let risks = (0..rng.range(0, 2))
                .map(|_| ProjectRisk {
                    description: rng.pick(RISKS).copied().unwrap_or("Unknown").to_string(),
                    severity: [Severity::Low, Severity::Medium, Severity::High, Severity::Critical][rng.weighted(&[20, 40, 30, 10])],
                    owner: rng.chance(0.7).then(|| self.pkey(lead)),
                })
                .collect();
            emit(Record::from(Project {
                key: key.clone(),
                name,
                status,
                lead: Some(self.pkey(lead)),
                backup_lead: backup_lead.map(|p| self.pkey(p)),
                systems: systems.iter().map(|s| self.systems[*s].key.clone()).collect(),
                deadline,
                milestones,
                risks,
            }));
            self.project_keys.push(key);
        }
    }

    pub(crate) fn contacts(&self, emit: &mut dyn FnMut(Record)) {
        let mut rng = self.rng(S_CONTACTS);
        let mut uniq = Uniq::default();
        for v in &self.vendors {
            let systems: Vec<String> = v.systems.iter().take(5).map(|s| self.systems[*s as usize].key.clone()).collect();
            let first = rng.pick(FIRST).copied().unwrap_or("Sam");
            let last = rng.pick(LAST).copied().unwrap_or("Lee");
            let key = uniq.key(&slugify(&format!("{first} {last} {}", v.key))).0;
            emit(Record::from(Contact {
                key,
                name: format!("{first} {last}"),
                vendor: Some(v.key.clone()),
                email: Some(format!("{}.{}@{}.example", first, last, v.key).to_ascii_lowercase()),
                phone: Some(format!("+44 20 7946 0{:03}", rng.below(1000))),
                title: Some("Account manager".into()),
                systems: systems.clone(),
                projects: if rng.chance(0.08) { rng.pick(&self.project_keys).cloned().into_iter().collect() } else { Vec::new() },
            }));
            if rng.chance(0.5) {
                let key = uniq.key(&format!("{}-support-desk", v.key)).0;
                emit(Record::from(Contact {
                    key,
                    name: format!("{} support desk", v.name),
                    vendor: Some(v.key.clone()),
                    email: Some(format!("support@{}.example", v.key)),
                    phone: Some(format!("+44 20 7946 0{:03}", rng.below(1000))),
                    title: Some("Service desk".into()),
                    systems,
                    projects: Vec::new(),
                }));
            }
        }
    }

    pub(crate) fn policies(&self, emit: &mut dyn FnMut(Record)) {
        let mut rng = self.rng(S_POLICIES);
        let it_head = self.head(1).unwrap_or(0);
        let it_admin = self.techie(&mut rng);
        let people_head = self.dept_by_slug("people").and_then(|d| self.head(d)).unwrap_or(0);
        let tier1: Vec<String> = self.systems.iter().filter(|s| s.tier == 1).map(|s| s.key.clone()).collect();
        let named = |keys: &[&str]| -> Vec<String> { keys.iter().filter_map(|k| self.wk_key(k)).collect() };
        let mut backup_systems = named(&["backup"]);
        backup_systems.extend(tier1.iter().filter(|k| k.as_str() != "backup").take(8).cloned());
        let fixed: Vec<PolicyRow> = vec![
            (
                "information-security-policy",
                "Information security policy",
                PolicyKind::SecurityPolicy,
                Some(it_head),
                365,
                Some((30, 300)),
                named(&["sso", "firewall", "endpoint-management", "email"]),
            ),
            (
                "disaster-recovery-plan",
                "Disaster recovery plan",
                PolicyKind::DrPlan,
                Some(it_head),
                365,
                Some((400, 700)),
                tier1.iter().take(15).cloned().collect(),
            ),
            ("backup-plan", "Backup plan", PolicyKind::BackupPlan, Some(it_admin), 365, Some((60, 300)), backup_systems),
            ("crisis-management-plan", "Crisis management plan", PolicyKind::CrisisPlan, Some(0), 180, Some((190, 400)), Vec::new()),
            ("communication-plan", "Crisis communication plan", PolicyKind::CommunicationPlan, None, 365, Some((100, 500)), Vec::new()),
            ("succession-plan", "Succession plan for key roles", PolicyKind::SuccessionPlan, Some(people_head), 365, None, Vec::new()),
            (
                "acceptable-use-policy",
                "Acceptable use policy",
                PolicyKind::AcceptableUse,
                Some(it_head),
                730,
                Some((300, 1200)),
                named(&["sso", "email", "file-storage"]),
            ),
        ];
        for (key, name, kind, owner, interval, reviewed, systems) in fixed {
            emit(Record::from(Policy {
                key: key.to_string(),
                name: name.to_string(),
                kind,
                owner: owner.map(|p| self.pkey(p)),
                review_interval: Some(interval_days(interval)),
                last_reviewed: reviewed.map(|(lo, hi)| self.day(-rng.range(lo, hi))),
                location: Some(format!("https://wiki.{DOMAIN}/policies/{key}")),
                systems,
                reviews: Vec::new(),
            }));
        }
        for d in self.active_depts().filter(|d| *d >= 2) {
            let def = self.depts[d].def;
            let key = format!("{}-procedures", def.slug);
            emit(Record::from(Policy {
                key: key.clone(),
                name: format!("{} operating procedures", def.name),
                kind: PolicyKind::Other,
                owner: self.head(d).map(|p| self.pkey(p)),
                review_interval: Some(interval_days(730)),
                last_reviewed: rng.chance(0.9).then(|| self.day(-rng.range(0, 1100))),
                location: Some(format!("https://wiki.{DOMAIN}/{}/{key}", def.slug)),
                systems: self.dept_pool[d].iter().take(5).map(|s| self.systems[*s as usize].key.clone()).collect(),
                reviews: Vec::new(),
            }));
        }
    }

    pub(crate) fn repositories(&self, emit: &mut dyn FnMut(Record)) {
        let mut rng = self.rng(S_REPOSITORIES);
        let mut uniq = Uniq::default();
        let mut first = true;
        for s in self.systems.iter().filter(|s| s.kind == SystemKind::Custom) {
            if !(first || rng.chance(0.6)) {
                continue;
            }
            first = false;
            let dept = s.home.map_or("platform", |d| self.depts[d].def.slug);
            let key = uniq.key(&s.key).0;
            emit(Record::from(Repository {
                key: key.clone(),
                url: format!("https://git.{DOMAIN}/{dept}/{key}.git"),
                system: Some(s.key.clone()),
                description: Some(format!("Source code of {}.", s.name)),
                scan: None,
            }));
            if rng.chance(0.25) {
                let key = uniq.key(&format!("{}-infra", s.key)).0;
                emit(Record::from(Repository {
                    key: key.clone(),
                    url: format!("https://git.{DOMAIN}/{dept}/{key}.git"),
                    system: Some(s.key.clone()),
                    description: Some(format!("Infrastructure as code for {}.", s.name)),
                    scan: None,
                }));
            }
        }
    }
}
