//! Code knowledge: who authored which files of a repository, in the compact form a stored
//! scan keeps, and the truck factor computed from it.
//!
//! The truck factor follows Avelino, Passos, Hora and Valente, "A novel approach for
//! estimating truck factors" (ICPC 2016) and its reference implementation
//! (aserg-ufmg/Truck-Factor, `PrunedGreedyTruckFactor`): repeatedly remove the author of
//! the most files until more than half of the files have no author left; the number
//! removed is the truck factor, minus those who authored under a tenth of what the top
//! author did (they are pruned as noise).
//!
//! Files are kept as [`AuthorSet`]s — how many files have exactly this set of authors —
//! so a stored scan stays small (tens of rows for thousands of files) and the truck
//! factor can be recomputed exactly with any set of people gone, which is what "what if
//! this person leaves?" needs.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Share of files that must keep an author for the project to survive (the paper's 50%).
pub const COVERAGE: f64 = 0.5;
/// Authors in the truck-factor set with fewer than this share of the top author's files
/// are pruned from it (the reference's `minPercentage`).
pub const PRUNE_SHARE: f64 = 0.1;

/// What `handover git scan` found in a repository at one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoScan {
    /// The commit scanned (full hex id).
    pub head: String,
    pub scanned_on: Date,
    /// Commits walked (merges included; they contribute no changes).
    pub commits: u64,
    /// Source files at `head` that count (vendored, documentation and generated excluded).
    pub files: u64,
    pub truck_factor: u32,
    /// Everyone who authored at least one file, most files first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<RepoAuthor>,
    /// Files grouped by their exact set of authors (indices into `authors`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub author_sets: Vec<AuthorSet>,
}

/// A developer identity (aliases merged) and, where known, the person it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoAuthor {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// The person this identity belongs to; absent for people outside the organisation
    /// or not yet mapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// Files this developer is an author of.
    pub files: u64,
    /// Creations plus changes over the files at `head` (the tie-break between authors
    /// of equally many files).
    pub changes: u64,
    /// In the truck-factor set at scan time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truck: bool,
}

/// `files` files whose authors are exactly `authors` (indices into [`RepoScan::authors`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorSet {
    pub authors: Vec<u32>,
    pub files: u64,
}

/// The truck factor and who makes it up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruckFactor {
    pub value: u32,
    /// Indices of the authors in the truck-factor set, in the order they were removed.
    pub authors: Vec<u32>,
    /// Share of files that still have an author once the whole set is gone.
    pub coverage: f64,
}

/// One author's weight in the greedy choice: files authored, then changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorWeight {
    pub files: u64,
    pub changes: u64,
}

/// Files authored per author, from the sets.
pub fn files_per_author(sets: &[AuthorSet], n_authors: usize) -> Vec<u64> {
    let mut files = vec![0u64; n_authors];
    for set in sets {
        for &a in &set.authors {
            if let Some(f) = files.get_mut(a as usize) {
                *f += set.files;
            }
        }
    }
    files
}

/// The truck factor over `sets`, with the authors marked in `gone` already removed (pass
/// all `false` for the repository as it is). `changes[a]` breaks ties between authors of
/// equally many files; remaining ties go to the lower index.
pub fn truck_factor(sets: &[AuthorSet], changes: &[u64], gone: &[bool]) -> TruckFactor {
    let n = changes.len();
    let files = files_per_author(sets, n);
    let total: u64 = sets.iter().map(|s| s.files).sum();
    let mut removed: Vec<bool> = (0..n).map(|a| gone.get(a).copied().unwrap_or(false)).collect();
    // Files per set that still have an author; a set is orphaned once all its authors are removed.
    let mut alive: Vec<usize> = sets.iter().map(|s| s.authors.iter().filter(|&&a| !removed[a as usize]).count()).collect();
    let mut covered: u64 = sets.iter().zip(&alive).filter(|(_, &n)| n > 0).map(|(s, _)| s.files).sum();
    let coverage_of = |covered: u64| if total == 0 { 0.0 } else { covered as f64 / total as f64 };

    let mut chosen: Vec<u32> = Vec::new();
    loop {
        // Authors with no files never enter the reference's map, so they end the loop too.
        let top = (0..n).filter(|&a| !removed[a] && files[a] > 0).max_by(|&x, &y| {
            (files[x], changes[x]).cmp(&(files[y], changes[y])).then(y.cmp(&x)) // lower index wins ties
        });
        let Some(top) = top else { break };
        if total > 0 && coverage_of(covered) < COVERAGE {
            break;
        }
        removed[top] = true;
        chosen.push(top as u32);
        for (set, alive) in sets.iter().zip(alive.iter_mut()) {
            if set.authors.contains(&(top as u32)) {
                *alive -= 1;
                if *alive == 0 {
                    covered -= set.files;
                }
            }
        }
    }
    let coverage = coverage_of(covered);
    // Prune authors who hold under a tenth of what the biggest author in the set holds.
    let top_files = chosen.iter().map(|&a| files[a as usize]).max().unwrap_or(0);
    chosen.retain(|&a| top_files == 0 || (files[a as usize] as f64 / top_files as f64) >= PRUNE_SHARE);
    TruckFactor { value: chosen.len() as u32, authors: chosen, coverage }
}

impl RepoScan {
    /// The truck factor with the authors who are `gone` (by index) removed.
    pub fn truck_factor_without(&self, gone: &[bool]) -> TruckFactor {
        let changes: Vec<u64> = self.authors.iter().map(|a| a.changes).collect();
        truck_factor(&self.author_sets, &changes, gone)
    }

    /// Problems with the scan's own consistency: author indices in range.
    pub fn dangling_author_index(&self) -> Option<(usize, u32)> {
        self.author_sets
            .iter()
            .enumerate()
            .find_map(|(i, s)| s.authors.iter().find(|&&a| a as usize >= self.authors.len()).map(|&a| (i, a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(authors: &[u32], files: u64) -> AuthorSet {
        AuthorSet { authors: authors.to_vec(), files }
    }

    #[test]
    fn one_author_of_everything_is_a_truck_factor_of_one() {
        let tf = truck_factor(&[set(&[0], 10)], &[5], &[]);
        assert_eq!((tf.value, tf.authors.clone(), tf.coverage), (1, vec![0], 0.0));
    }

    #[test]
    fn removal_stops_once_half_the_files_are_orphaned() {
        // a: 4 files alone, b: 3 alone, c: 3 alone. Removing a leaves 60% covered (≥ 50%),
        // removing b too leaves 30%: TF 2.
        let sets = [set(&[0], 4), set(&[1], 3), set(&[2], 3)];
        let tf = truck_factor(&sets, &[0, 0, 0], &[]);
        assert_eq!(tf.value, 2);
        assert_eq!(tf.authors, vec![0, 1]);
        assert!((tf.coverage - 0.3).abs() < 1e-9);
    }

    #[test]
    fn exactly_half_covered_keeps_removing() {
        // After removing a, exactly 50% remains covered: not below 50%, so b goes too.
        let sets = [set(&[0], 5), set(&[1], 5)];
        assert_eq!(truck_factor(&sets, &[0, 0], &[]).value, 2);
    }

    #[test]
    fn shared_files_need_every_author_gone() {
        // Both authors of every file: the first removal orphans nothing.
        let sets = [set(&[0, 1], 10)];
        let tf = truck_factor(&sets, &[0, 0], &[]);
        assert_eq!(tf.value, 2);
    }

    #[test]
    fn ties_go_to_more_changes_then_lower_index() {
        let sets = [set(&[0], 5), set(&[1], 5)];
        assert_eq!(truck_factor(&sets, &[1, 9], &[]).authors[0], 1);
        assert_eq!(truck_factor(&sets, &[3, 3], &[]).authors[0], 0);
    }

    #[test]
    fn small_authors_are_pruned_from_the_set() {
        // a owns 100 files; twenty others own 6 each. Removing a leaves 120/220 covered,
        // so two of the small authors go too before coverage drops under half; at 6% of
        // a's files each, both are pruned.
        let mut sets = vec![set(&[0], 100)];
        sets.extend((1..=20).map(|a| set(&[a], 6)));
        let tf = truck_factor(&sets, &[0; 21], &[]);
        assert_eq!(tf.authors, vec![0]);
        assert_eq!(tf.value, 1);
    }

    #[test]
    fn people_already_gone_are_not_counted() {
        let sets = [set(&[0], 4), set(&[1], 3), set(&[2], 3)];
        // Without a: 60% covered by b and c; removing b leaves 30%: TF 1.
        assert_eq!(truck_factor(&sets, &[0, 0, 0], &[true, false, false]).value, 1);
        // Without a and b: 30% covered already: TF 0.
        assert_eq!(truck_factor(&sets, &[0, 0, 0], &[true, true, false]).value, 0);
    }

    #[test]
    fn no_files_is_a_truck_factor_of_zero() {
        assert_eq!(truck_factor(&[], &[], &[]).value, 0);
        // Files nobody authors count in the total but give nobody to remove.
        assert_eq!(truck_factor(&[set(&[], 3)], &[], &[]).value, 0);
    }
}
