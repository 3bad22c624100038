//! Who knows the code: degree of authorship and truck factor from a repository's history.
//!
//! Data flows one way: [`history::read`] (the only IO, through gitoxide) → [`filter`]
//! picks the source files at `HEAD` → [`identity::merge`] folds aliases into developers →
//! [`doa::compute`] finds each file's authors → [`analyze`] groups files by author set and
//! computes the truck factor (the algorithm itself lives in `handover_core::authorship`,
//! so analysis can recompute it with people removed).

pub mod doa;
pub mod filter;
pub mod history;
pub mod identity;

use handover_core::authorship::{truck_factor, AuthorSet, RepoAuthor, RepoScan};
pub use history::GitError;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::AtomicU64;

/// How many authors `top_authors` lists.
pub const TOP_AUTHORS: usize = 10;

#[derive(Default)]
pub struct Options<'a> {
    /// Report modules as the first N directory levels (0: no modules).
    pub module_depth: usize,
    /// Explicit aliases: each pair names (by name or e-mail) two identities of one person.
    pub aliases: Vec<(String, String)>,
    /// Diff threads; 0 = one per core.
    pub threads: usize,
    pub progress: Option<&'a AtomicU64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopAuthor {
    pub name: String,
    pub email: String,
    pub files: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    pub module: String,
    pub files: u64,
    pub truck_factor: u32,
    pub tf_authors: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Excluded {
    pub vendored: u64,
    pub documentation: u64,
    pub generated: u64,
    pub not_source: u64,
}

/// The result for one repository; `--format json` prints this.
#[derive(Debug, Clone, Serialize)]
pub struct RepoReport {
    pub path: String,
    pub head: String,
    pub commits: u64,
    /// Source files counted (with a history).
    pub files: u64,
    pub truck_factor: u32,
    /// Names of the truck-factor authors, in the order the greedy removal took them.
    pub tf_authors: Vec<String>,
    pub top_authors: Vec<TopAuthor>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<ModuleReport>,
    /// Files at `HEAD` left out, by reason.
    pub excluded: Excluded,
    /// Commits diffed with exact rename detection only, because a blob was missing
    /// (partial clone); their renames with edits show as deletion plus addition.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exact_renames_only: Vec<String>,
    /// Aliases given that matched no identity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unused_aliases: Vec<(String, String)>,
    /// Every author, most files first, with the e-mails they committed under (for mapping
    /// to people) and the file groups; what `git scan` stores.
    #[serde(skip)]
    pub authors: Vec<(RepoAuthor, Vec<String>)>,
    #[serde(skip)]
    pub author_sets: Vec<AuthorSet>,
    /// Every file at `HEAD`: its authors (indices into `authors`), or why it does not count.
    #[serde(skip)]
    pub file_list: Vec<FileEntry>,
}

/// One file at `HEAD`, for `handover git files`.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub path: String,
    /// Author names, highest degree of authorship first; empty for excluded files.
    pub authors: Vec<String>,
    /// Why it does not count (`vendored`, `documentation`, `generated`, `not source`,
    /// `no history`); absent for counted files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<&'static str>,
}

impl RepoReport {
    /// The stored form. `person_of` maps an author (name, e-mails) to a person key.
    pub fn to_scan(&self, scanned_on: jiff::civil::Date, person_of: impl Fn(&str, &[String]) -> Option<String>) -> RepoScan {
        RepoScan {
            head: self.head.clone(),
            scanned_on,
            commits: self.commits,
            files: self.files,
            truck_factor: self.truck_factor,
            authors: self.authors.iter().map(|(a, emails)| RepoAuthor { person: person_of(&a.name, emails), ..a.clone() }).collect(),
            author_sets: self.author_sets.clone(),
        }
    }
}

/// Reads and analyses the repository at `path`.
pub fn analyze(path: &Path, options: &Options<'_>) -> Result<RepoReport, GitError> {
    let history = history::read(path, &history::ReadOptions { threads: options.threads, progress: options.progress })?;
    Ok(report(path, &history, options))
}

/// Everything after reading: pure.
pub fn report(path: &Path, history: &history::History, options: &Options<'_>) -> RepoReport {
    let mut excluded = Excluded::default();
    let files: Vec<u32> = history
        .head_files
        .iter()
        .copied()
        .filter(|&p| match filter::classify(&history.paths[p as usize]) {
            Ok(()) => true,
            Err(why) => {
                *match why {
                    filter::Excluded::Vendored => &mut excluded.vendored,
                    filter::Excluded::Documentation => &mut excluded.documentation,
                    filter::Excluded::Generated => &mut excluded.generated,
                    filter::Excluded::NotSource => &mut excluded.not_source,
                } += 1;
                false
            }
        })
        .collect();
    let devs = identity::merge(&history.identities, &history.identity_commits, &options.aliases);
    let authorship = doa::compute(history, &devs.of_identity, devs.developers.len(), &files);

    // Authors (developers of at least one file), most files first.
    let mut files_of = vec![0u64; devs.developers.len()];
    for f in &authorship.files {
        for a in f.authors() {
            files_of[a as usize] += 1;
        }
    }
    let mut order: Vec<u32> = (0..devs.developers.len() as u32).filter(|&d| files_of[d as usize] > 0).collect();
    order.sort_by(|&a, &b| {
        let key = |d: u32| (std::cmp::Reverse(files_of[d as usize]), std::cmp::Reverse(authorship.changes[d as usize]));
        key(a).cmp(&key(b)).then_with(|| devs.developers[a as usize].name.cmp(&devs.developers[b as usize].name))
    });
    let mut index_of = vec![u32::MAX; devs.developers.len()];
    for (i, &d) in order.iter().enumerate() {
        index_of[d as usize] = i as u32;
    }
    let author_indices = |f: &doa::FileAuthorship| -> Vec<u32> {
        let mut v: Vec<u32> = f.authors().map(|d| index_of[d as usize]).collect();
        v.sort_unstable();
        v
    };
    let changes: Vec<u64> = order.iter().map(|&d| authorship.changes[d as usize]).collect();
    let all: Vec<&doa::FileAuthorship> = authorship.files.iter().collect();
    let sets = group(&all, &author_indices);
    let tf = truck_factor(&sets, &changes, &[]);
    let name_of = |i: u32| devs.developers[order[i as usize] as usize].name.clone();

    let modules = if options.module_depth == 0 {
        Vec::new()
    } else {
        let mut by_module: BTreeMap<String, Vec<&doa::FileAuthorship>> = BTreeMap::new();
        for f in &authorship.files {
            by_module.entry(module_of(&history.paths[f.path as usize], options.module_depth)).or_default().push(f);
        }
        by_module
            .into_iter()
            .map(|(module, files)| {
                let sets = group(&files, &author_indices);
                let tf = truck_factor(&sets, &changes, &[]);
                ModuleReport {
                    module,
                    files: files.len() as u64,
                    truck_factor: tf.value,
                    tf_authors: tf.authors.iter().map(|&a| name_of(a)).collect(),
                }
            })
            .collect()
    };

    let authors: Vec<(RepoAuthor, Vec<String>)> = order
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let dev = &devs.developers[d as usize];
            let author = RepoAuthor {
                name: dev.name.clone(),
                email: dev.email.clone(),
                person: None,
                files: files_of[d as usize],
                changes: authorship.changes[d as usize],
                truck: tf.authors.contains(&(i as u32)),
            };
            (author, dev.emails.clone())
        })
        .collect();
    let mut file_list: Vec<FileEntry> = history
        .head_files
        .iter()
        .filter_map(|&p| {
            let path = &history.paths[p as usize];
            filter::classify(path).err().map(|why| FileEntry { path: path.clone(), authors: Vec::new(), excluded: Some(why.as_str()) })
        })
        .collect();
    let with_history: std::collections::HashSet<u32> = authorship.files.iter().map(|f| f.path).collect();
    file_list.extend(files.iter().filter(|p| !with_history.contains(p)).map(|&p| FileEntry {
        path: history.paths[p as usize].clone(),
        authors: Vec::new(),
        excluded: Some("no history"),
    }));
    file_list.extend(authorship.files.iter().map(|f| FileEntry {
        path: history.paths[f.path as usize].clone(),
        authors: f.authors().map(|d| devs.developers[d as usize].name.clone()).collect(),
        excluded: None,
    }));
    file_list.sort_by(|a, b| a.path.cmp(&b.path));
    RepoReport {
        path: path.display().to_string(),
        head: history.head.clone(),
        commits: history.commits,
        files: authorship.files.len() as u64,
        truck_factor: tf.value,
        tf_authors: tf.authors.iter().map(|&a| name_of(a)).collect(),
        top_authors: authors
            .iter()
            .take(TOP_AUTHORS)
            .map(|(a, _)| TopAuthor { name: a.name.clone(), email: a.email.clone(), files: a.files })
            .collect(),
        modules,
        excluded,
        unused_aliases: devs.unused_aliases,
        exact_renames_only: history.exact_renames_only.clone(),
        authors,
        author_sets: sets,
        file_list,
    }
}

/// Files grouped by their exact author set, largest groups first.
fn group(files: &[&doa::FileAuthorship], author_indices: &impl Fn(&doa::FileAuthorship) -> Vec<u32>) -> Vec<AuthorSet> {
    let mut counts: HashMap<Vec<u32>, u64> = HashMap::new();
    for f in files {
        *counts.entry(author_indices(f)).or_default() += 1;
    }
    let mut sets: Vec<AuthorSet> = counts.into_iter().map(|(authors, files)| AuthorSet { authors, files }).collect();
    sets.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.authors.cmp(&b.authors)));
    sets
}

/// The first `depth` directories of `path`; `.` for files above that depth at the root.
pub fn module_of(path: &str, depth: usize) -> String {
    let dirs: Vec<&str> = path.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    if dirs.is_empty() {
        ".".to_string()
    } else {
        dirs[..dirs.len().min(depth)].join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::module_of;

    #[test]
    fn modules_are_leading_directories() {
        assert_eq!(module_of("src/a/b.rs", 1), "src");
        assert_eq!(module_of("src/a/b.rs", 2), "src/a");
        assert_eq!(module_of("src/a/b.rs", 5), "src/a");
        assert_eq!(module_of("main.rs", 1), ".");
    }
}
