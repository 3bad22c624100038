//! Merging the identities commits name into developers.
//!
//! Like the reference tool: identities sharing an e-mail address are one developer, and
//! so are identities sharing a name (compared case-insensitively; empty names never
//! merge). `.mailmap` has already been applied when the history was read. Explicit
//! aliases (`A = B`, each side a name or an e-mail) merge whatever the rules missed.

use crate::history::Identity;
use std::collections::HashMap;

/// A developer: one or more identities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Developer {
    /// Name and e-mail of the identity with the most commits.
    pub name: String,
    pub email: String,
    /// Every e-mail address seen, lower-cased, sorted.
    pub emails: Vec<String>,
    pub commits: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Developers {
    pub developers: Vec<Developer>,
    /// Developer index per identity.
    pub of_identity: Vec<u32>,
    /// Explicit aliases that matched no identity on one side (worth telling the user).
    pub unused_aliases: Vec<(String, String)>,
}

struct UnionFind(Vec<u32>);
impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let parent = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = parent;
            x = parent;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The lower index stays the root, so the result does not depend on order.
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.0[hi as usize] = lo;
        }
    }
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Groups `identities` (with their commit counts) into developers.
pub fn merge(identities: &[Identity], commits: &[u64], aliases: &[(String, String)]) -> Developers {
    let n = identities.len();
    let mut uf = UnionFind((0..n as u32).collect());
    let mut first_with: HashMap<String, u32> = HashMap::new();
    for (i, id) in identities.iter().enumerate() {
        for key in [norm(&id.email), norm(&id.name)].into_iter().enumerate().filter(|(_, k)| !k.is_empty()) {
            // Keys are namespaced so that a name never equals an e-mail by accident.
            let key = format!("{}:{}", key.0, key.1);
            match first_with.get(&key) {
                Some(&j) => uf.union(i as u32, j),
                None => {
                    first_with.insert(key, i as u32);
                }
            }
        }
    }
    let mut unused_aliases = Vec::new();
    let matching = |side: &str| -> Vec<u32> {
        let side = norm(side);
        (0..n as u32).filter(|&i| norm(&identities[i as usize].email) == side || norm(&identities[i as usize].name) == side).collect()
    };
    for (a, b) in aliases {
        let (xs, ys) = (matching(a), matching(b));
        if xs.is_empty() || ys.is_empty() {
            unused_aliases.push((a.clone(), b.clone()));
        }
        for &x in xs.iter().chain(&ys) {
            uf.union(x, xs.first().or(ys.first()).copied().unwrap_or(x));
        }
    }

    let mut dev_of_root: HashMap<u32, u32> = HashMap::new();
    let mut developers: Vec<Developer> = Vec::new();
    let mut best: Vec<u64> = Vec::new();
    let mut of_identity = Vec::with_capacity(n);
    for i in 0..n as u32 {
        let root = uf.find(i);
        let id = &identities[i as usize];
        let c = commits.get(i as usize).copied().unwrap_or(0);
        let d = *dev_of_root.entry(root).or_insert_with(|| {
            developers.push(Developer { name: id.name.clone(), email: id.email.clone(), emails: Vec::new(), commits: 0 });
            best.push(c);
            developers.len() as u32 - 1
        });
        let dev = &mut developers[d as usize];
        dev.commits += c;
        if c > best[d as usize] {
            best[d as usize] = c;
            dev.name = id.name.clone();
            dev.email = id.email.clone();
        }
        let email = norm(&id.email);
        if !email.is_empty() && !dev.emails.contains(&email) {
            dev.emails.push(email);
        }
        of_identity.push(d);
    }
    for dev in &mut developers {
        dev.emails.sort();
        if dev.name.is_empty() {
            dev.name = dev.email.clone();
        }
    }
    Developers { developers, of_identity, unused_aliases }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, email: &str) -> Identity {
        Identity { name: name.into(), email: email.into() }
    }

    #[test]
    fn same_email_or_same_name_is_one_developer() {
        let ids = [
            id("Ada Lovelace", "ada@example.com"),
            id("ada", "ADA@example.com"),           // same e-mail, other case
            id("ADA LOVELACE", "ada@home.example"), // same name, other case
            id("Charles", "charles@example.com"),
        ];
        let d = merge(&ids, &[5, 1, 2, 3], &[]);
        assert_eq!(d.of_identity, vec![0, 0, 0, 1]);
        assert_eq!(d.developers[0].name, "Ada Lovelace");
        assert_eq!(d.developers[0].commits, 8);
        assert_eq!(d.developers[0].emails, vec!["ada@example.com", "ada@home.example"]);
    }

    #[test]
    fn empty_names_and_emails_never_merge() {
        let ids = [id("", "a@example.com"), id("", "b@example.com"), id("x", ""), id("y", "")];
        let d = merge(&ids, &[1, 1, 1, 1], &[]);
        assert_eq!(d.developers.len(), 4);
        assert_eq!(d.developers[0].name, "a@example.com", "a nameless developer is shown by e-mail");
    }

    #[test]
    fn explicit_aliases_merge_and_unknown_ones_are_reported() {
        let ids = [id("Grace", "grace@example.com"), id("ghopper", "gh@users.example")];
        let aliases = [("grace@example.com".to_string(), "ghopper".to_string()), ("nobody".to_string(), "Grace".to_string())];
        let d = merge(&ids, &[1, 4], &aliases);
        assert_eq!(d.of_identity, vec![0, 0]);
        assert_eq!(d.developers[0].name, "ghopper", "the identity with most commits names the developer");
        assert_eq!(d.unused_aliases, vec![("nobody".to_string(), "Grace".to_string())]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn shared_emails_and_names_always_end_in_one_developer(
            ids in proptest::collection::vec(("[ab ]{0,3}", "[xy@]{0,3}"), 0..30),
        ) {
            let identities: Vec<Identity> = ids.iter().map(|(n, e)| Identity { name: n.clone(), email: e.clone() }).collect();
            let commits = vec![1; identities.len()];
            let d = merge(&identities, &commits, &[]);
            prop_assert_eq!(d.of_identity.len(), identities.len());
            prop_assert_eq!(d.developers.iter().map(|x| x.commits).sum::<u64>(), identities.len() as u64);
            for (i, a) in identities.iter().enumerate() {
                for (j, b) in identities.iter().enumerate() {
                    let same_email = !norm(&a.email).is_empty() && norm(&a.email) == norm(&b.email);
                    let same_name = !norm(&a.name).is_empty() && norm(&a.name) == norm(&b.name);
                    if same_email || same_name {
                        prop_assert_eq!(d.of_identity[i], d.of_identity[j]);
                    }
                }
            }
        }
    }
}
