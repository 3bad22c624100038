//! Degree of authorship (DOA) per developer and file, and who the authors of each file
//! are — Avelino et al., ICPC 2016, as the reference implementation computes it:
//!
//! - a file's history follows renames back to the path it came from;
//! - FA = 1 for the developer who created the file (and for a different developer who
//!   added it again later), DL = the developer's changes (modifications and renames),
//!   AC = everyone else's changes;
//! - DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC);
//! - authors are those with DOA / max DOA > 0.75 and DOA ≥ 3.293 (a creator always
//!   passes the second test, as in the reference).
//!
//! One deliberate difference: the reference gathers a path's history by name alone, so a
//! file deleted and later re-created at the same path inherits its predecessor's authors.
//! Here a deletion ends a history; what comes back later at that path starts afresh.

use crate::history::{ChangeKind, History};
use std::collections::{HashMap, HashSet};

pub const DOA_BASE: f64 = 3.293;
pub const DOA_FA: f64 = 1.098;
pub const DOA_DL: f64 = 0.164;
pub const DOA_AC: f64 = 0.321;
/// The reference compares against these as Java `float`s; so do we, to agree at the edge.
pub const NORMALIZED_THRESHOLD: f64 = 0.75f32 as f64;
pub const ABSOLUTE_THRESHOLD: f64 = 3.293f32 as f64;

pub fn doa(first_author: bool, deliveries: u32, acceptances: u32) -> f64 {
    DOA_BASE + DOA_FA * f64::from(u8::from(first_author)) + DOA_DL * f64::from(deliveries) - DOA_AC * (1.0 + f64::from(acceptances)).ln()
}

/// One developer's standing on one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub developer: u32,
    pub first_author: bool,
    pub deliveries: u32,
    pub acceptances: u32,
    pub doa: f64,
    pub author: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileAuthorship {
    pub path: u32,
    /// Everyone who touched the file's history, highest DOA first.
    pub standings: Vec<Standing>,
}

impl FileAuthorship {
    pub fn authors(&self) -> impl Iterator<Item = u32> + '_ {
        self.standings.iter().filter(|s| s.author).map(|s| s.developer)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Authorship {
    /// The files that have a history (a file at `HEAD` with none — only possible with a
    /// shallow or grafted history — is left out, as the reference does).
    pub files: Vec<FileAuthorship>,
    /// Per developer: creations plus changes over these files (the tie-break).
    pub changes: Vec<u64>,
}

/// Computes authorship of `files` (path ids) from the history, with each identity
/// attributed to `developer_of[identity]`.
pub fn compute(history: &History, developer_of: &[u32], developers: usize, files: &[u32]) -> Authorship {
    let mut by_path: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, c) in history.changes.iter().enumerate() {
        by_path.entry(c.path).or_default().push(i as u32);
    }
    let mut changes = vec![0u64; developers];
    let mut out = Vec::with_capacity(files.len());
    let mut events: Vec<u32> = Vec::new();
    let mut visited: HashSet<u32> = HashSet::new();
    for &path in files {
        events.clear();
        visited.clear();
        lineage(history, &by_path, path, u32::MAX, &mut events, &mut visited);
        if events.is_empty() {
            continue;
        }
        events.sort_unstable(); // change indices are in time order
        let file = authorship_of(history, developer_of, path, &events);
        for s in &file.standings {
            changes[s.developer as usize] += u64::from(s.first_author) + u64::from(s.deliveries);
        }
        out.push(file);
    }
    Authorship { files: out, changes }
}

/// Collects the changes that make up the history of `path` before commit `before`
/// (exclusive), following renames back to their sources.
fn lineage(history: &History, by_path: &HashMap<u32, Vec<u32>>, path: u32, before: u32, out: &mut Vec<u32>, visited: &mut HashSet<u32>) {
    let Some(list) = by_path.get(&path) else { return };
    let mut born = false;
    for &i in list.iter().rev() {
        let c = &history.changes[i as usize];
        if c.seq >= before {
            continue;
        }
        match c.kind {
            // A deletion before the file's (re)creation ends this history; one after it
            // (on another branch, merged away) does not.
            ChangeKind::Deleted if born => break,
            ChangeKind::Deleted => {}
            ChangeKind::Added | ChangeKind::Modified => {
                born |= c.kind == ChangeKind::Added;
                if visited.insert(i) {
                    out.push(i);
                }
            }
            ChangeKind::Renamed { from } => {
                born = true;
                if visited.insert(i) {
                    out.push(i);
                    lineage(history, by_path, from, c.seq, out, visited);
                }
            }
        }
    }
}

fn authorship_of(history: &History, developer_of: &[u32], path: u32, events: &[u32]) -> FileAuthorship {
    // (developer, first/secondary author, deliveries), in order of first appearance.
    let mut rows: Vec<(u32, bool, u32)> = Vec::new();
    let mut first_author: Option<u32> = None;
    let mut total: u32 = 0;
    for &i in events {
        let c = &history.changes[i as usize];
        let dev = developer_of[c.author as usize];
        let row = match rows.iter().position(|r| r.0 == dev) {
            Some(r) => r,
            None => {
                rows.push((dev, false, 0));
                rows.len() - 1
            }
        };
        match c.kind {
            ChangeKind::Added => match first_author {
                // The creator; or someone else adding it again, who the reference also
                // counts as a creator. The creator re-adding it changes nothing.
                None => {
                    first_author = Some(dev);
                    rows[row].1 = true;
                }
                Some(f) if f != dev => rows[row].1 = true,
                Some(_) => {}
            },
            ChangeKind::Modified | ChangeKind::Renamed { .. } => {
                rows[row].2 += 1;
                total += 1;
            }
            ChangeKind::Deleted => {}
        }
    }
    let mut standings: Vec<Standing> = rows
        .into_iter()
        .map(|(developer, fa, dl)| {
            let ac = total - dl;
            Standing { developer, first_author: fa, deliveries: dl, acceptances: ac, doa: doa(fa, dl, ac), author: false }
        })
        .collect();
    let best = standings.iter().map(|s| s.doa).fold(f64::MIN, f64::max);
    for s in &mut standings {
        s.author = best > 0.0 && s.doa / best > NORMALIZED_THRESHOLD && (s.doa >= ABSOLUTE_THRESHOLD || s.first_author);
    }
    standings.sort_by(|a, b| b.doa.total_cmp(&a.doa).then(a.developer.cmp(&b.developer)));
    FileAuthorship { path, standings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Change, Identity};

    /// A history from (seq, author, kind, path) rows, paths named by number.
    fn history(rows: &[(u32, u32, ChangeKind, u32)]) -> History {
        History {
            identities: (0..4).map(|i| Identity { name: format!("dev{i}"), email: String::new() }).collect(),
            paths: (0..8).map(|i| format!("f{i}.rs")).collect(),
            changes: rows.iter().map(|&(seq, author, kind, path)| Change { seq, author, kind, path }).collect(),
            ..History::default()
        }
    }
    use ChangeKind::*;

    #[test]
    fn the_formula() {
        assert!((doa(true, 0, 0) - 4.391).abs() < 1e-12);
        assert!((doa(false, 3, 2) - (3.293 + 0.492 - 0.321 * 3f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn creator_keeps_authorship_against_a_few_edits() {
        // dev0 creates, dev1 edits twice: dev0 4.391−0.321·ln3 = 4.038; dev1 3.621.
        // 3.621/4.038 = 0.897 > 0.75: both are authors.
        let h = history(&[(0, 0, Added, 0), (1, 1, Modified, 0), (2, 1, Modified, 0)]);
        let a = compute(&h, &[0, 1, 2, 3], 4, &[0]);
        let f = &a.files[0];
        assert_eq!(f.authors().collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(a.changes, vec![1, 2, 0, 0]);
    }

    #[test]
    fn many_edits_by_another_take_over() {
        // dev0 creates; dev1 makes 20 changes: dev0 = 4.391 − 0.321·ln21 = 3.414,
        // dev1 = 3.293 + 3.28 = 6.573. 3.414/6.573 = 0.52: only dev1 is an author.
        let mut rows = vec![(0, 0, Added, 0)];
        rows.extend((1..=20).map(|s| (s, 1, Modified, 0)));
        let a = compute(&history(&rows), &[0, 1, 2, 3], 4, &[0]);
        assert_eq!(a.files[0].authors().collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn renames_carry_history_to_the_new_path() {
        // dev0 creates f0, dev1 renames it to f1: dev0 is the creator of f1.
        let h = history(&[(0, 0, Added, 0), (1, 1, Renamed { from: 0 }, 1)]);
        let a = compute(&h, &[0, 1, 2, 3], 4, &[1]);
        let s = &a.files[0].standings;
        assert!(s.iter().any(|s| s.developer == 0 && s.first_author));
        assert!(s.iter().any(|s| s.developer == 1 && s.deliveries == 1));
    }

    #[test]
    fn a_deleted_file_recreated_starts_afresh() {
        let h = history(&[(0, 0, Added, 0), (1, 0, Modified, 0), (2, 0, Deleted, 0), (3, 1, Added, 0)]);
        let a = compute(&h, &[0, 1, 2, 3], 4, &[0]);
        assert_eq!(a.files[0].standings.len(), 1);
        assert_eq!(a.files[0].authors().collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn aliases_count_as_one_developer() {
        // Identities 0 and 1 are the same developer 0.
        let h = history(&[(0, 0, Added, 0), (1, 1, Modified, 0), (2, 2, Modified, 0)]);
        let a = compute(&h, &[0, 0, 1, 2], 3, &[0]);
        let s = &a.files[0].standings;
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].developer, s[0].first_author, s[0].deliveries, s[0].acceptances), (0, true, 1, 1));
    }

    #[test]
    fn files_without_history_are_left_out() {
        let a = compute(&history(&[(0, 0, Added, 0)]), &[0, 1, 2, 3], 4, &[0, 5]);
        assert_eq!(a.files.len(), 1);
    }

    #[test]
    fn rename_cycles_terminate() {
        let h =
            history(&[(0, 0, Added, 0), (1, 1, Renamed { from: 0 }, 1), (2, 2, Renamed { from: 1 }, 0), (3, 3, Renamed { from: 0 }, 1)]);
        let a = compute(&h, &[0, 1, 2, 3], 4, &[1]);
        assert_eq!(a.files[0].standings.len(), 4);
    }
}
