//! Accounts and grants: per system its role, group, service and shared accounts, every
//! person's personal accounts, and a few accounts nobody is linked to.
//!
//! They are emitted system by system in key order, each system's accounts by name (its
//! group and role accounts first, since the others name them), each account followed by
//! its grants in key order. Accounts and grants are most of a large organisation, and a
//! store clustered by key appends rows in that order instead of inserting them all over
//! its b-trees.
//!
//! People draw their accounts person by person (one random stream each), so a first walk
//! over people notes each personal account's owner and where the stream stood when the
//! account was drawn ([`Slot`]); the accounts are generated from there in key order. The
//! records are the same whichever order they are emitted in.

use crate::people::{ItRole, Pn, Rank};
use crate::systems::{Cat, Special, Sys, EMAIL, SERVICE_DESK, SSO};
use crate::words::{FIRST, LAST, SERVICE_PURPOSES, SHARED_NAMES};
use crate::{shift, Gen, Profile, Rng, S_PERSON_ACCOUNTS, S_SYSTEM_ACCOUNTS, S_UNLINKED};
use handover_core::{Account, AccountKind, AccountStatus, Grant, Level, PersonStatus, Record};
use jiff::civil::Date;

impl Profile {
    /// Per-mille chance of a read, write and admin grant.
    fn weights(self) -> [u32; 3] {
        match self {
            Profile::Regular => [600, 399, 1],
            Profile::Support => [400, 580, 20],
            Profile::Power => [450, 530, 20],
            Profile::Admin => [250, 350, 400],
        }
    }
}

/// Adds up to `k` privileges of `cat` not yet in `used`, levels drawn by `weights`
/// (the first one an admin privilege when `admin_first`).
pub(crate) fn pick_privs(rng: &mut Rng, cat: &Cat, weights: [u32; 3], admin_first: bool, k: usize, used: &mut Vec<u16>) {
    for n in 0..k {
        let mut level = if admin_first && n == 0 { 2 } else { rng.weighted(&weights) };
        if cat.by_level[level].is_empty() {
            level = (0..3).find(|l| !cat.by_level[*l].is_empty()).unwrap_or(0);
        }
        for _ in 0..4 {
            match rng.pick(&cat.by_level[level]) {
                Some(i) if !used.contains(i) => {
                    used.push(*i);
                    break;
                }
                Some(_) => {}
                None => break,
            }
        }
    }
}

fn grant(account: &str, privilege: &str, level: Level, via: Option<&str>) -> Record {
    Record::Grant(Grant { account: account.to_string(), privilege: privilege.to_string(), level, via: via.map(str::to_string) })
}

/// Emits an account's grants (privilege, level, via) by privilege, which is their key order.
fn grants_in_key_order(account: &str, grants: &mut [(&str, Level, Option<&str>)], emit: &mut dyn FnMut(Record)) {
    grants.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for &(privilege, level, via) in grants.iter() {
        emit(grant(account, privilege, level, via));
    }
}

/// A personal account to generate: who it belongs to (`person` is `None` for an unlinked
/// one), and its random stream as it stood when the walk over people reached it.
struct Slot<'g> {
    person: Option<&'g Pn>,
    name: String,
    profile: Profile,
    /// Every account disabled (a leaver whose offboarding was done properly).
    offboarded: bool,
    /// Applications the person uses, granted on their identity-provider account.
    apps: Vec<&'g str>,
    rng: Rng,
}

impl Gen {
    pub(crate) fn accounts(&self, emit: &mut dyn FnMut(Record)) {
        let mut slots: Vec<Vec<Slot>> = self.systems.iter().map(|_| Vec::new()).collect();
        for pi in 0..self.people.len() {
            self.person_accounts(pi, &mut |s, slot| slots[s].push(slot));
        }
        self.unlinked_accounts(&mut |s, slot| slots[s].push(slot));

        let mut order: Vec<usize> = (0..self.systems.len()).collect();
        order.sort_by(|a, b| self.systems[*a].key.cmp(&self.systems[*b].key));
        for si in order {
            let sys = &self.systems[si];
            // Service and shared accounts (a handful) wait, with their grants, to be
            // merged by name into the personal ones.
            let mut others: Vec<(String, Vec<Record>)> = Vec::new();
            self.system_accounts(si, emit, &mut others);
            others.sort_by(|a, b| a.0.cmp(&b.0));
            let mut others = others.into_iter().peekable();
            let mut personal = std::mem::take(&mut slots[si]);
            personal.sort_by(|a, b| a.name.cmp(&b.name));
            for slot in &personal {
                while let Some((_, records)) = others.next_if(|(name, _)| *name < slot.name) {
                    records.into_iter().for_each(&mut *emit);
                }
                self.personal_account(&mut slot.rng.clone(), sys, slot, Some(&mut *emit));
            }
            others.flat_map(|(_, records)| records).for_each(&mut *emit);
        }
    }

    /// Emits the system's group and role accounts with their grants; puts its service and
    /// shared accounts, each with its grants, in `others` with their names.
    fn system_accounts(&self, si: usize, emit: &mut dyn FnMut(Record), others: &mut Vec<(String, Vec<Record>)>) {
        let s = &self.systems[si];
        let mut rng = self.rng(S_SYSTEM_ACCOUNTS + si as u64);
        for g in &s.groups {
            let key = &g.key;
            emit(Record::Account(Box::new(Account {
                system: s.key.clone(),
                name: g.name.clone(),
                person: None,
                kind: g.kind,
                status: AccountStatus::Active,
                mfa: None,
                last_used: (g.kind == AccountKind::Role && rng.chance(0.8)).then(|| self.day(-rng.range(0, 45))),
                created: Some(self.day(-rng.range(200, 3000))),
                member_of: g.member_of.iter().map(|i| s.groups[*i].key.clone()).collect(),
            })));
            let mut grants: Vec<_> = g.privs.iter().map(|&p| s.cat.grant(p, None)).collect();
            grants_in_key_order(key, &mut grants, emit);
        }

        // Service accounts: integrations and infrastructure have more.
        let services = match s.kind {
            handover_core::SystemKind::Infrastructure | handover_core::SystemKind::Integration | handover_core::SystemKind::Custom => {
                rng.range(1, 3) as usize
            }
            _ => usize::from(rng.chance(0.4)),
        };
        let start = rng.below(SERVICE_PURPOSES.len());
        for k in 0..services {
            let purpose = SERVICE_PURPOSES[(start + k) % SERVICE_PURPOSES.len()];
            let mfa = if rng.chance(0.3) { Some(false) } else { None };
            let last_used = if rng.chance(0.85) { Some(self.day(-rng.range(0, 3))) } else { None };
            let member_of = s.editors.filter(|_| rng.chance(0.2)).into_iter().collect();
            let n = rng.range(1, 3) as usize;
            self.other_account(
                &mut rng,
                s,
                format!("svc-{purpose}"),
                AccountKind::Service,
                mfa,
                last_used,
                member_of,
                [150, 500, 350],
                false,
                n,
                others,
            );
        }

        // Shared logins: some of them administrative, most without MFA.
        if rng.chance(0.3) {
            let count = if rng.chance(0.8) { 1 } else { 2 };
            let start = rng.below(SHARED_NAMES.len());
            for k in 0..count {
                let idx = (start + k) % SHARED_NAMES.len();
                let admin = idx < 4;
                let mfa = [Some(false), None, Some(true)][rng.weighted(&[50, 30, 20])];
                let last_used = match rng.unit() {
                    u if u < 0.7 => Some(self.day(-rng.range(0, 30))),
                    u if u < 0.9 => Some(self.day(-rng.range(121, 900))),
                    _ => None,
                };
                let weights = if admin { Profile::Admin.weights() } else { Profile::Regular.weights() };
                let n = rng.range(2, 4) as usize;
                self.other_account(
                    &mut rng,
                    s,
                    SHARED_NAMES[idx].to_string(),
                    AccountKind::Shared,
                    mfa,
                    last_used,
                    vec![],
                    weights,
                    admin,
                    n,
                    others,
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn other_account(
        &self,
        rng: &mut Rng,
        s: &Sys,
        name: String,
        kind: AccountKind,
        mfa: Option<bool>,
        last_used: Option<Date>,
        member_of: Vec<usize>,
        weights: [u32; 3],
        admin_first: bool,
        k: usize,
        others: &mut Vec<(String, Vec<Record>)>,
    ) {
        let key = Account::key_of(&s.key, &name);
        let created = self.day(-rng.range(60, 3000)).min(last_used.unwrap_or(self.today));
        let mut records = vec![Record::Account(Box::new(Account {
            system: s.key.clone(),
            name: name.clone(),
            person: None,
            kind,
            status: if rng.chance(0.03) { AccountStatus::Disabled } else { AccountStatus::Active },
            mfa,
            last_used,
            created: Some(created),
            member_of: member_of.iter().map(|i| s.groups[*i].key.clone()).collect(),
        }))];
        let mut used = Vec::new();
        pick_privs(rng, &s.cat, weights, admin_first, k, &mut used);
        let mut grants: Vec<_> = used.iter().map(|&p| s.cat.grant(p, None)).collect();
        grants_in_key_order(&key, &mut grants, &mut |r| records.push(r));
        others.push((name, records));
    }

    /// Draws the person's personal accounts: hands each to `slot` with its system.
    fn person_accounts<'g>(&'g self, pi: usize, slot: &mut dyn FnMut(usize, Slot<'g>)) {
        let p = &self.people[pi];
        let mut rng = self.rng(S_PERSON_ACCOUNTS + pi as u64);
        let manager = p.rank >= Rank::Lead;
        let mut picks: Vec<(u32, Profile)> = Vec::with_capacity(32);
        let push = |picks: &mut Vec<(u32, Profile)>, s: u32, prof: Profile| {
            if (s as usize) < self.systems.len() {
                picks.push((s, prof));
            }
        };
        let idp = match p.it {
            ItRole::Admin => Profile::Admin,
            ItRole::Support => Profile::Support,
            ItRole::No => Profile::Regular,
        };
        push(&mut picks, SSO, idp);
        let mail = if p.it == ItRole::Admin && rng.chance(0.3) { Profile::Admin } else { Profile::Regular };
        push(&mut picks, EMAIL, mail);
        for &(s, share) in &self.everyone {
            if s != SSO && s != EMAIL && rng.chance(share) {
                let prof = if s == SERVICE_DESK && p.it != ItRole::No { Profile::Support } else { Profile::Regular };
                push(&mut picks, s, prof);
            }
        }
        for _ in 0..rng.range(0, 2) {
            if let Some(&s) = rng.pick(&self.company) {
                push(&mut picks, s, Profile::Regular);
            }
        }
        // Departmental systems: keep drawing until this many distinct ones (small
        // organisations have few, so also draw from other departments' systems).
        let own_dept = self.dept_pool.get(p.dept as usize).filter(|pool| !pool.is_empty());
        let wanted = (rng.range(2, 5) + i64::from(manager)) as usize;
        let mut got: Vec<u32> = Vec::with_capacity(wanted);
        for _ in 0..wanted * 4 {
            if got.len() >= wanted {
                break;
            }
            let pool = match own_dept {
                Some(pool) if rng.chance(0.85) => pool,
                _ => &self.any_pool,
            };
            if pool.is_empty() {
                break;
            }
            let s = pool[rng.skewed(pool.len())];
            if got.contains(&s) || picks.iter().any(|x| x.0 == s) {
                continue;
            }
            got.push(s);
            let prof = if (manager && rng.chance(0.5)) || rng.chance(0.02) { Profile::Power } else { Profile::Regular };
            push(&mut picks, s, prof);
        }
        let (it_count, it_prof) = match p.it {
            ItRole::Admin => (rng.range(3, 8), Profile::Admin),
            ItRole::Support => (rng.range(2, 4), Profile::Support),
            ItRole::No => (0, Profile::Regular),
        };
        for _ in 0..it_count {
            if let Some(&s) = rng.pick(&self.it_pool) {
                let prof = if it_prof == Profile::Admin && rng.chance(0.3) { Profile::Power } else { it_prof };
                push(&mut picks, s, prof);
            }
        }
        for &(s, prof) in self.owns.get(pi).map_or(&[][..], |v| v) {
            push(&mut picks, s, prof);
        }
        picks.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        picks.dedup_by_key(|x| x.0);

        // Most leavers are offboarded properly; the others keep (some) active accounts.
        let offboarded = p.status == PersonStatus::Left && rng.chance(0.35);
        let apps: Vec<&str> = picks.iter().filter_map(|(s, _)| self.systems[*s as usize].app_priv.as_deref()).collect();
        for &(s, profile) in &picks {
            let sys = &self.systems[s as usize];
            let name = match sys.style {
                0 => p.email(),
                1 => p.dotted(),
                _ => p.key.clone(),
            };
            let apps = if s == SSO { apps.clone() } else { Vec::new() };
            let account = Slot { person: Some(p), name, profile, offboarded, apps, rng: rng.clone() };
            // Moves the stream on past this account, as generating it here would.
            self.personal_account(&mut rng, sys, &account, None);
            slot(s as usize, account);
        }
    }

    /// Logins nobody is linked to: left-over accounts of former staff, tests, temps.
    fn unlinked_accounts<'g>(&'g self, slot: &mut dyn FnMut(usize, Slot<'g>)) {
        let mut rng = self.rng(S_UNLINKED);
        for i in 0..(self.n / 250).max(2) {
            let s = if rng.chance(0.5) { rng.pick(&self.everyone).map_or(0, |e| e.0 as usize) } else { rng.below(self.systems.len()) };
            let Some(sys) = self.systems.get(s) else { continue };
            let first = rng.pick(FIRST).copied().unwrap_or("temp").to_ascii_lowercase();
            let last = rng.pick(LAST).copied().unwrap_or("user").to_ascii_lowercase();
            let profile = if rng.chance(0.1) { Profile::Admin } else { Profile::Regular };
            let name = format!("{first}.{last}{}", i + 1);
            let account = Slot { person: None, name, profile, offboarded: false, apps: Vec::new(), rng: rng.clone() };
            self.personal_account(&mut rng, sys, &account, None);
            slot(s, account);
        }
    }

    /// Draws the account and its grants from `rng` and emits them; with no `emit`, only
    /// moves `rng` on as far.
    fn personal_account(&self, rng: &mut Rng, sys: &Sys, owner: &Slot<'_>, emit: Option<&mut dyn FnMut(Record)>) {
        let today = self.today;
        let is_sso = sys.special == Special::Idp;
        let (disabled, last_used) = match owner.person {
            Some(p) if p.status == PersonStatus::Left => {
                // Left: the identity provider is usually switched off, the rest often not.
                let left_on = p.left_on.unwrap_or(today);
                let disabled = owner.offboarded || rng.chance(if is_sso { 0.65 } else { 0.35 });
                let last_used = match rng.unit() {
                    u if u < 0.08 => Some(shift(left_on, rng.range(1, 30)).min(today)),
                    u if u < 0.18 => None,
                    _ => Some(shift(left_on, -rng.range(0, 60))),
                };
                (disabled, last_used)
            }
            Some(_) => {
                let disabled = rng.chance(0.02);
                let last_used = match rng.unit() {
                    _ if disabled => Some(self.day(-rng.range(31, 400))),
                    u if u < 0.06 => None,
                    u if u < 0.10 => Some(self.day(-rng.range(121, 1100))),
                    u if u < 0.22 => Some(self.day(-rng.range(31, 120))),
                    _ => Some(self.day(-rng.range(0, 30))),
                };
                (disabled, last_used)
            }
            None => {
                let disabled = rng.chance(0.3);
                let last_used = match rng.unit() {
                    u if u < 0.2 => None,
                    u if u < 0.7 => Some(self.day(-rng.range(121, 1500))),
                    _ => Some(self.day(-rng.range(0, 120))),
                };
                (disabled, last_used)
            }
        };
        let hired = owner.person.map_or_else(|| self.day(-rng.range(400, 3000)), |p| p.hired);
        let mut created = shift(hired, rng.range(0, 400)).min(today);
        if let Some(lu) = last_used {
            created = created.min(lu);
        }
        let mfa = if !sys.mfa_reported {
            None
        } else if rng.chance(if is_sso { 0.06 } else { 0.115 }) {
            Some(false)
        } else {
            Some(true)
        };

        // Direct grants.
        let profile = owner.profile;
        let mut used: Vec<u16> = sys.base.clone();
        let k = match (sys.special, profile) {
            (Special::Idp, Profile::Regular | Profile::Power) => 0,
            (Special::Idp, Profile::Support) => 2,
            (Special::Idp, Profile::Admin) => rng.range(1, 3),
            (Special::Email, Profile::Admin) => rng.range(1, 2),
            (Special::Email, _) => rng.range(0, 1),
            (_, Profile::Regular) => rng.range(2, 6),
            (_, Profile::Power) => rng.range(3, 6),
            (_, Profile::Support) => rng.range(2, 4),
            (_, Profile::Admin) => rng.range(3, 6),
        } as usize;
        let weights = match (sys.special, profile) {
            (Special::Idp, Profile::Support) => [0, 1000, 0],
            _ => profile.weights(),
        };
        pick_privs(rng, &sys.cat, weights, profile == Profile::Admin, k, &mut used);
        let direct = used.len();

        // Group memberships and role assumption.
        let mut member: Vec<usize> = Vec::with_capacity(4);
        let dept_group = owner.person.and_then(|p| sys.dept_groups.iter().find(|(d, _)| *d == p.dept as usize).map(|(_, g)| *g));
        match profile {
            Profile::Regular => {
                member.extend(sys.users.filter(|_| rng.chance(0.85)));
                member.extend(dept_group.filter(|_| rng.chance(0.7)));
                member.extend(sys.editors.filter(|_| rng.chance(0.1)));
            }
            Profile::Support | Profile::Power => {
                match sys.editors {
                    Some(e) if rng.chance(0.7) => member.push(e),
                    _ => member.extend(sys.users),
                }
                member.extend(dept_group.filter(|_| rng.chance(0.5)));
            }
            Profile::Admin => {
                member.extend(sys.admins.filter(|_| rng.chance(0.75)));
                member.extend(sys.admin_role.filter(|_| rng.chance(0.6)));
                member.extend(sys.deploy_role.filter(|_| rng.chance(0.3)));
                if member.is_empty() {
                    member.extend(sys.editors.or(sys.users));
                }
            }
        }
        member.sort_unstable();
        member.dedup();
        member.truncate(3);

        // Grants as the system reports them: some inherited ones listed with `via`.
        let mut vias: Vec<(u16, usize)> = Vec::new();
        for &g in &member {
            if rng.chance(0.5) {
                if let Some(&i) = rng.pick(&sys.groups[g].privs) {
                    if !used.contains(&i) {
                        used.push(i);
                        vias.push((i, g));
                    }
                }
            }
        }
        // Nothing below draws from the stream.
        let Some(emit) = emit else { return };

        let key = Account::key_of(&sys.key, &owner.name);
        emit(Record::Account(Box::new(Account {
            system: sys.key.clone(),
            name: owner.name.clone(),
            person: owner.person.map(|p| p.key.clone()),
            kind: AccountKind::Personal,
            status: if disabled { AccountStatus::Disabled } else { AccountStatus::Active },
            mfa,
            last_used,
            created: Some(created),
            member_of: member.iter().map(|g| sys.groups[*g].key.clone()).collect(),
        })));
        let mut grants: Vec<_> = used[..direct].iter().map(|&i| sys.cat.grant(i, None)).collect();
        grants.extend(owner.apps.iter().map(|app| (*app, Level::Read, None)));
        grants.extend(vias.iter().map(|&(i, g)| sys.cat.grant(i, Some(&sys.groups[g].name))));
        grants_in_key_order(&key, &mut grants, emit);
    }
}
