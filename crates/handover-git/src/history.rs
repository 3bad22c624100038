//! Reading a repository's history with gitoxide: every commit reachable from `HEAD`, the
//! files each non-merge commit added, modified, renamed or deleted (against its parent,
//! with rename detection like `git log -M`), and the files at `HEAD`.
//!
//! This is the only module that does IO. It runs as a pipeline: the calling thread walks
//! commits and publishes them in batches while worker threads diff the trees of batches
//! already published, so the walk and the diffs overlap. Each worker takes whole batches,
//! which keeps a parent's tree in the same worker's object cache as its child's.

use gix::bstr::{BString, ByteSlice};
use gix::diff::tree_with_rewrites::{Action, ChangeRef, Options as DiffOptions};
use gix::hash::ObjectId;
use gix::objs::commit::ref_iter::Token;
use gix::prelude::FindExt;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

/// Commits handed to a worker at a time.
const BATCH: usize = 256;
/// Per-thread cache of decoded objects; trees are read twice (as a commit's tree and as
/// its child's parent tree), so this turns the second read into a lookup.
const OBJECT_CACHE_BYTES: usize = 32 << 20;
/// Per-thread cache of delta bases: without it, deep delta chains of trees are inflated
/// again for every object (measured: 10% less CPU on ipython's history at 64 MiB).
const PACK_CACHE_BYTES: usize = 64 << 20;

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct GitError {
    pub path: String,
    pub message: String,
}

/// A person as a commit names them (after `.mailmap`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    /// Renamed from the path with this id (the history of `from` continues at `path`).
    Renamed {
        from: u32,
    },
    Deleted,
}

/// One file touched by one commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The commit's position in time order (0 = oldest).
    pub seq: u32,
    /// Index into [`History::identities`].
    pub author: u32,
    pub kind: ChangeKind,
    /// Index into [`History::paths`].
    pub path: u32,
}

/// Everything the authorship computation needs from a repository.
#[derive(Debug, Default)]
pub struct History {
    /// The commit `HEAD` points at (hex).
    pub head: String,
    pub commits: u64,
    pub identities: Vec<Identity>,
    /// Commits per identity.
    pub identity_commits: Vec<u64>,
    pub paths: Vec<String>,
    /// Every change, ordered by `seq`.
    pub changes: Vec<Change>,
    /// Regular and executable files at `HEAD` (path ids).
    pub head_files: Vec<u32>,
    /// Commits where a blob needed for similarity was missing (partial clone), so only
    /// exact renames were detected.
    pub exact_renames_only: Vec<String>,
}

/// How to read.
#[derive(Default)]
pub struct ReadOptions<'a> {
    /// Diff workers; 0 = one per available core.
    pub threads: usize,
    /// Incremented once per commit diffed (for a progress display).
    pub progress: Option<&'a AtomicU64>,
}

/// A commit as the walk sees it.
struct Meta {
    id: ObjectId,
    tree: ObjectId,
    /// Only the first parent's id is needed to diff; merges are marked and skipped.
    parent: Option<ObjectId>,
    merge: bool,
    time: i64,
    author: u32,
}

/// What the walk has published so far.
#[derive(Default)]
struct Published {
    metas: Vec<Meta>,
    /// Commit id → index in `metas`, to find a parent's tree.
    index: HashMap<ObjectId, u32>,
    /// `metas[..claimed]` have been taken by workers.
    claimed: usize,
    done: bool,
    failed: bool,
}

/// One commit for a worker to diff.
struct Job {
    /// Index into the published commits.
    commit: u32,
    id: ObjectId,
    tree: ObjectId,
    /// The parent's tree, when the walk has already reached the parent.
    parent_tree: Option<ObjectId>,
    parent: Option<ObjectId>,
}

#[derive(Default)]
struct WorkerOutput {
    changes: Vec<RawChange>,
    exact_renames_only: Vec<ObjectId>,
}

/// A change as a worker records it, before paths are interned.
struct RawChange {
    commit: u32,
    kind: RawKind,
    path: BString,
}
enum RawKind {
    Added,
    Modified,
    Renamed(BString),
    Deleted,
}

fn err(path: &Path, message: impl std::fmt::Display) -> GitError {
    GitError { path: path.display().to_string(), message: message.to_string() }
}

/// Reads the history of the repository at `path` (a work tree, its `.git` directory, or a
/// bare repository).
pub fn read(path: &Path, options: &ReadOptions<'_>) -> Result<History, GitError> {
    let mut repo = gix::open(path).map_err(|e| err(path, format!("not a git repository: {e}")))?;
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
    let head = repo.head_id().map_err(|e| err(path, format!("HEAD does not point at a commit: {e}")))?.detach();
    let mailmap = repo.open_mailmap();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };

    let shared = (Mutex::new(Published::default()), Condvar::new());
    let sync_repo = repo.clone().into_sync();
    let mut identities: Vec<Identity> = Vec::new();
    let mut identity_commits: Vec<u64> = Vec::new();

    let worker_results: Vec<Result<WorkerOutput, GitError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let shared = &shared;
                let sync_repo = &sync_repo;
                scope.spawn(move || diff_worker(path, sync_repo, shared, options.progress))
            })
            .collect();
        let walked = walk(&repo, head, &mailmap, &shared, &mut identities, &mut identity_commits);
        {
            let mut p = shared.0.lock().unwrap_or_else(|e| e.into_inner());
            p.done = true;
            p.failed = walked.is_err();
        }
        shared.1.notify_all();
        let mut results: Vec<_> =
            workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err(err(path, "a diff worker panicked")))).collect();
        if let Err(e) = walked {
            results.push(Err(err(path, e)));
        }
        results
    });

    let published = shared.0.into_inner().unwrap_or_else(|e| e.into_inner());
    let metas = published.metas;
    // Time order: oldest first by commit time; ties keep the walk's order reversed
    // (the walk visits children before parents).
    let mut order: Vec<u32> = (0..metas.len() as u32).collect();
    order.sort_by_key(|&i| (metas[i as usize].time, std::cmp::Reverse(i)));
    let mut seq_of = vec![0u32; metas.len()];
    for (seq, &i) in order.iter().enumerate() {
        seq_of[i as usize] = seq as u32;
    }

    let mut paths: Vec<String> = Vec::new();
    let mut path_ids: HashMap<BString, u32> = HashMap::new();
    let mut intern = |p: BString| -> u32 {
        if let Some(&id) = path_ids.get(&p) {
            return id;
        }
        let id = paths.len() as u32;
        paths.push(p.to_str_lossy().into_owned());
        path_ids.insert(p, id);
        id
    };
    let mut changes = Vec::new();
    let mut exact_renames_only = Vec::new();
    for result in worker_results {
        let result = result?;
        exact_renames_only.extend(result.exact_renames_only.iter().map(|id| id.to_hex().to_string()));
        for raw in result.changes {
            let meta = &metas[raw.commit as usize];
            let kind = match raw.kind {
                RawKind::Added => ChangeKind::Added,
                RawKind::Modified => ChangeKind::Modified,
                RawKind::Deleted => ChangeKind::Deleted,
                RawKind::Renamed(from) => ChangeKind::Renamed { from: intern(from) },
            };
            changes.push(Change { seq: seq_of[raw.commit as usize], author: meta.author, kind, path: intern(raw.path) });
        }
    }
    // Stable: within a commit, changes keep the diff's order.
    changes.sort_by_key(|c| c.seq);

    let head_files = head_files(&repo).map_err(|e| err(path, e))?.into_iter().map(&mut intern).collect();
    exact_renames_only.sort();
    Ok(History {
        head: head.to_hex().to_string(),
        commits: metas.len() as u64,
        identities,
        identity_commits,
        paths,
        changes,
        head_files,
        exact_renames_only,
    })
}

/// Walks every commit reachable from `head` once, publishing them in batches.
fn walk(
    repo: &gix::Repository,
    head: ObjectId,
    mailmap: &gix::mailmap::Snapshot,
    shared: &(Mutex<Published>, Condvar),
    identities: &mut Vec<Identity>,
    identity_commits: &mut Vec<u64>,
) -> Result<(), String> {
    let mut seen: std::collections::HashSet<ObjectId> = std::collections::HashSet::from([head]);
    let mut stack = vec![head];
    let mut buf = Vec::new();
    let mut identity_ix: HashMap<(String, String), u32> = HashMap::new();
    let mut batch: Vec<Meta> = Vec::with_capacity(BATCH);
    let publish = |batch: &mut Vec<Meta>| {
        let mut p = shared.0.lock().unwrap_or_else(|e| e.into_inner());
        for meta in batch.drain(..) {
            let ix = p.metas.len() as u32;
            p.index.insert(meta.id, ix);
            p.metas.push(meta);
        }
        drop(p);
        shared.1.notify_all();
    };
    while let Some(id) = stack.pop() {
        let commit = repo.objects.find_commit_iter(&id, &mut buf).map_err(|e| format!("cannot read commit {id}: {e}"))?;
        let (mut tree, mut parent, mut parents, mut author, mut time) = (None, None, 0usize, None, 0i64);
        for token in commit {
            match token.map_err(|e| format!("cannot parse commit {id}: {e}"))? {
                Token::Tree { id } => tree = Some(id),
                Token::Parent { id } => {
                    parents += 1;
                    parent.get_or_insert(id);
                    if seen.insert(id) {
                        stack.push(id);
                    }
                }
                Token::Author { signature } => {
                    let resolved = mailmap.resolve(signature);
                    author = Some((resolved.name.to_str_lossy().trim().to_owned(), resolved.email.to_str_lossy().trim().to_owned()));
                }
                Token::Committer { signature } => {
                    time = signature.time().map(|t| t.seconds).unwrap_or(0);
                    break;
                }
                _ => {}
            }
        }
        let tree = tree.ok_or_else(|| format!("commit {id} has no tree"))?;
        let author_key = author.unwrap_or_default();
        let next = identity_ix.len() as u32;
        let author = *identity_ix.entry(author_key.clone()).or_insert_with(|| {
            identities.push(Identity { name: author_key.0, email: author_key.1 });
            identity_commits.push(0);
            next
        });
        identity_commits[author as usize] += 1;
        batch.push(Meta { id, tree, parent, merge: parents > 1, time, author });
        if batch.len() == BATCH {
            publish(&mut batch);
        }
    }
    publish(&mut batch);
    Ok(())
}

/// Takes batches of published commits and diffs each non-merge commit against its parent.
fn diff_worker(
    path: &Path,
    sync_repo: &gix::ThreadSafeRepository,
    shared: &(Mutex<Published>, Condvar),
    progress: Option<&AtomicU64>,
) -> Result<WorkerOutput, GitError> {
    let mut repo = sync_repo.to_thread_local();
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
    if std::env::var_os("GIX_PACK_CACHE_MEMORY").is_none() {
        repo.objects.set_pack_cache(|| Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(PACK_CACHE_BYTES)));
    }
    let mut resources = repo.diff_resource_cache_for_tree_diff().map_err(|e| err(path, e))?;
    let mut state = Default::default();
    let (mut old_buf, mut new_buf, mut parent_buf) = (Vec::new(), Vec::new(), Vec::new());
    let options = DiffOptions {
        location: Some(gix::diff::tree::recorder::Location::Path),
        // `git log -M` with an unlimited rename limit, as the reference tool configures it.
        rewrites: Some(gix::diff::Rewrites { copies: None, percentage: Some(0.5), limit: 0, track_empty: false }),
    };
    let mut out = WorkerOutput::default();
    loop {
        // Claim the next batch once a whole one is published (or the walk is over).
        let work: Vec<Job> = {
            let mut p = shared.0.lock().unwrap_or_else(|e| e.into_inner());
            let (start, end) = loop {
                let available = p.metas.len() - p.claimed;
                if p.failed || (p.done && available == 0) {
                    return Ok(out);
                }
                if available >= BATCH || p.done {
                    break (p.claimed, p.claimed + available.min(BATCH));
                }
                p = shared.1.wait(p).unwrap_or_else(|e| e.into_inner());
            };
            p.claimed = end;
            (start..end)
                .filter(|&i| !p.metas[i].merge)
                .map(|i| {
                    let m = &p.metas[i];
                    let parent_tree = m.parent.and_then(|pid| p.index.get(&pid)).map(|&j| p.metas[j as usize].tree);
                    Job { commit: i as u32, id: m.id, tree: m.tree, parent_tree, parent: m.parent }
                })
                .collect()
        };
        for Job { commit, id, tree, parent_tree, parent } in work {
            let parent_tree = match (parent_tree, parent) {
                (Some(t), _) => Some(t),
                // The parent has not been walked yet: read its tree id ourselves.
                (None, Some(pid)) => Some(
                    repo.objects
                        .find_commit_iter(&pid, &mut parent_buf)
                        .map_err(|e| err(path, format!("cannot read commit {pid}: {e}")))?
                        .tree_id()
                        .map_err(|e| err(path, format!("cannot parse commit {pid}: {e}")))?,
                ),
                (None, None) => None,
            };
            let new = repo.objects.find_tree_iter(&tree, &mut new_buf).map_err(|e| err(path, format!("cannot read tree {tree}: {e}")))?;
            let old = match parent_tree {
                Some(t) => repo.objects.find_tree_iter(&t, &mut old_buf).map_err(|e| err(path, format!("cannot read tree {t}: {e}")))?,
                None => gix::objs::TreeRefIter::from_bytes(&[], repo.object_hash()),
            };
            let before = out.changes.len();
            let mut diff = |options: DiffOptions, out: &mut Vec<RawChange>| {
                gix::diff::tree_with_rewrites(
                    old,
                    new,
                    &mut resources,
                    &mut state,
                    &repo.objects,
                    |change: ChangeRef<'_>| {
                        if let Some(raw) = raw_change(commit, change) {
                            out.push(raw);
                        }
                        Ok(Action::Continue(()))
                    },
                    options,
                )
            };
            if let Err(first) = diff(options.clone(), &mut out.changes) {
                // A blob needed to judge similarity is missing (a partial or shallow clone):
                // fall back to exact renames for this commit rather than give up the scan.
                out.changes.truncate(before);
                let exact =
                    DiffOptions { rewrites: options.rewrites.map(|r| gix::diff::Rewrites { percentage: None, ..r }), ..options.clone() };
                diff(exact, &mut out.changes).map_err(|_| err(path, format!("cannot diff commit {id}: {first:?}")))?;
                out.exact_renames_only.push(id);
            }
            resources.clear_resource_cache_keep_allocation();
            if let Some(p) = progress {
                p.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn raw_change(commit: u32, change: ChangeRef<'_>) -> Option<RawChange> {
    let file = |mode: gix::objs::tree::EntryMode| !mode.is_tree();
    let (kind, path) = match change {
        ChangeRef::Addition { location, entry_mode, .. } if file(entry_mode) => (RawKind::Added, location),
        ChangeRef::Deletion { location, entry_mode, .. } if file(entry_mode) => (RawKind::Deleted, location),
        ChangeRef::Modification { location, entry_mode, .. } if file(entry_mode) => (RawKind::Modified, location),
        ChangeRef::Rewrite { source_location, location, entry_mode, copy: false, .. } if file(entry_mode) => {
            (RawKind::Renamed(source_location.to_owned()), location)
        }
        _ => return None,
    };
    Some(RawChange { commit, kind, path: path.to_owned() })
}

/// Regular and executable files in `HEAD`'s tree.
fn head_files(repo: &gix::Repository) -> Result<Vec<BString>, String> {
    let tree = repo.head_tree().map_err(|e| format!("cannot read HEAD's tree: {e}"))?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse().breadthfirst(&mut recorder).map_err(|e| format!("cannot list HEAD's tree: {e}"))?;
    Ok(recorder.records.into_iter().filter(|e| e.mode.is_blob()).map(|e| e.filepath).collect())
}
