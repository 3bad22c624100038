//! People: a CEO, department heads, team leads and staff in a manager hierarchy.

use crate::words::{self, Uniq, DOMAIN, FIRST, IT, IT_ADMIN_TITLES, IT_SUPPORT_TITLES, LAST, LEADERSHIP, OTHER_DEPTS};
use crate::{Dept, Gen, Profile, Rng, S_PEOPLE};
use handover_core::{Person, PersonKind, PersonStatus, Record};
use jiff::civil::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Rank {
    Staff,
    Lead,
    Head,
    Ceo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItRole {
    No,
    Support,
    Admin,
}

pub(crate) struct Pn {
    pub key: String,
    pub dept: u16,
    pub rank: Rank,
    pub it: ItRole,
    pub status: PersonStatus,
    pub left_on: Option<Date>,
    pub hired: Date,
}

impl Pn {
    /// `anna-smith-2` → `anna.smith.2`: a login that is unique because the key is.
    pub fn dotted(&self) -> String {
        self.key.replace('-', ".")
    }

    pub fn email(&self) -> String {
        format!("{}@{DOMAIN}", self.dotted())
    }
}

/// Departments other than Leadership and IT, by organisation size (8 to 12 in all).
fn other_dept_count(n: usize) -> usize {
    match n {
        0..100 => 6,
        100..1_000 => 7,
        1_000..10_000 => 8,
        10_000..50_000 => 9,
        _ => 10,
    }
}

impl Gen {
    pub(crate) fn people(&mut self, emit: &mut dyn FnMut(Record)) {
        let n = self.n;
        let mut rng = self.rng(S_PEOPLE);
        let mut uniq = Uniq::default();

        let rest = n - 1;
        let it = rest.min((n * 15 / 1000).max(3));
        let others = rest - it;
        let defs = &OTHER_DEPTS[..other_dept_count(n).min(others).min(OTHER_DEPTS.len())];
        let total_weight: usize = defs.iter().map(|d| d.weight as usize).sum::<usize>().max(1);
        let extra = others - defs.len();
        let mut sizes: Vec<usize> = defs.iter().map(|d| 1 + extra * d.weight as usize / total_weight).collect();
        let mut unplaced = others - sizes.iter().sum::<usize>();
        let mut i = 0;
        while unplaced > 0 && !sizes.is_empty() {
            let len = sizes.len();
            sizes[i % len] += 1;
            unplaced -= 1;
            i += 1;
        }

        self.depts.push(Dept { def: &LEADERSHIP, members: vec![0], leads_end: 1 });
        let ceo = self.person(&mut rng, &mut uniq, 0, Rank::Ceo, ItRole::No, None);
        emit(ceo);

        let blocks = std::iter::once((&IT, it)).chain(defs.iter().zip(sizes.iter().copied()));
        for (def, size) in blocks {
            let d = self.depts.len();
            let base = self.people.len() as u32;
            let leads_end = if size == 0 { 0 } else { size.saturating_sub(2) / 8 + 1 };
            self.depts.push(Dept { def, members: (base..base + size as u32).collect(), leads_end });
            for j in 0..size {
                let rank = if j == 0 {
                    Rank::Head
                } else if j < leads_end {
                    Rank::Lead
                } else {
                    Rank::Staff
                };
                let it_role = match (d, rank) {
                    (1, Rank::Staff) if rng.chance(0.45) => ItRole::Support,
                    (1, _) => ItRole::Admin,
                    _ => ItRole::No,
                };
                let manager = if j == 0 { 0 } else { base + ((j - 1) / 8) as u32 };
                let r = self.person(&mut rng, &mut uniq, d, rank, it_role, Some(manager));
                emit(r);
            }
        }

        for (i, p) in self.people.iter().enumerate() {
            match p.it {
                ItRole::Admin => self.tech_pool.push(i as u32),
                ItRole::Support => self.it_support.push(i as u32),
                ItRole::No => {}
            }
        }
        self.owns = vec![Vec::new(); n];
    }

    fn person(&mut self, rng: &mut Rng, uniq: &mut Uniq, d: usize, rank: Rank, it: ItRole, manager: Option<u32>) -> Record {
        let f = rng.below(FIRST.len());
        let l = rng.below(LAST.len());
        let (first, last) = (FIRST[f], LAST[l]);
        let (key, _) = uniq.key(&format!("{}-{}", first.to_ascii_lowercase(), last.to_ascii_lowercase()));
        let def = self.depts[d].def;

        let (status, leaving_on, left_on) = match rng.unit() {
            _ if rank == Rank::Ceo => (PersonStatus::Active, None, None),
            u if u < 0.02 => (PersonStatus::Left, None, Some(self.day(-rng.range(1, 365)))),
            u if u < 0.03 => (PersonStatus::Leaving, Some(self.day(rng.range(1, 90))), None),
            _ => (PersonStatus::Active, None, None),
        };
        let tenure = if rank >= Rank::Head { rng.range(700, 7300) } else { rng.range(14, 5475) };
        let hired = crate::shift(left_on.unwrap_or(self.today), -tenure);
        let kind = match rng.unit() {
            _ if rank != Rank::Staff => PersonKind::Employee,
            u if d == 1 && u < 0.06 => PersonKind::Contractor,
            u if d == 1 && u < 0.12 => PersonKind::VendorStaff,
            u if d != 1 && u < 0.055 => PersonKind::Contractor,
            _ => PersonKind::Employee,
        };
        let title = match rank {
            Rank::Ceo | Rank::Head => def.head,
            Rank::Lead => def.lead,
            Rank::Staff => match it {
                ItRole::Admin => rng.pick(IT_ADMIN_TITLES).copied().unwrap_or(IT.titles[0]),
                ItRole::Support => rng.pick(IT_SUPPORT_TITLES).copied().unwrap_or(IT.titles[0]),
                ItRole::No => rng.pick(def.titles).copied().unwrap_or("Staff"),
            },
        };
        let mut aliases = Vec::new();
        if rng.chance(0.3) {
            aliases.push(format!("{}{}", &first[..1], last).to_ascii_lowercase());
        }
        if rng.chance(0.05) {
            aliases.push(format!("{}.{}@previous-{}.example", first, last, words::slugify(def.name)).to_ascii_lowercase());
        }

        let pn = Pn { key, dept: d as u16, rank, it, status, left_on, hired };
        let record = Record::from(Person {
            key: pn.key.clone(),
            name: format!("{first} {last}"),
            email: Some(pn.email()),
            kind,
            status,
            leaving_on,
            left_on,
            title: Some(title.to_string()),
            department: Some(def.name.to_string()),
            manager: manager.map(|m| self.pkey(m)),
            aliases,
            escrow_key: None,
        });
        self.people.push(pn);
        record
    }

    /// Records that `p` owns system `s` (technically or as the business owner).
    pub(crate) fn own(&mut self, p: u32, s: u32, profile: Profile) {
        if let Some(list) = self.owns.get_mut(p as usize) {
            list.push((s, profile));
        }
    }
}
