//! Authorship and truck factor on real repositories built with `git` in temp dirs.

use handover_git::{analyze, Options, RepoReport};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A repository under construction; every commit gets the next timestamp.
struct Repo {
    dir: tempfile::TempDir,
    clock: u64,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo { dir: tempfile::tempdir().expect("temp dir"), clock: 1_700_000_000 };
        repo.git(&["init", "-q", "-b", "main"], None);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str], author: Option<(&str, &str, u64)>) {
        let mut cmd = Command::new("git");
        cmd.current_dir(self.path()).args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"]).args(args);
        cmd.env_remove("GIT_DIR").env("GIT_CONFIG_NOSYSTEM", "1").env("HOME", self.path());
        let (name, email, time) = author.unwrap_or(("Setup", "setup@example.com", self.clock));
        let date = format!("{time} +0000");
        cmd.env("GIT_AUTHOR_NAME", name).env("GIT_AUTHOR_EMAIL", email).env("GIT_AUTHOR_DATE", &date);
        cmd.env("GIT_COMMITTER_NAME", name).env("GIT_COMMITTER_EMAIL", email).env("GIT_COMMITTER_DATE", &date);
        let out = cmd.output().expect("git runs (install git to run these tests)");
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Writes files (content) and removes files (None), then commits as `who`.
    fn commit(&mut self, who: (&str, &str), files: &[(&str, Option<&str>)]) {
        for (path, content) in files {
            let full = self.path().join(path);
            match content {
                Some(text) => {
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, text).unwrap();
                    self.git(&["add", "--", path], None);
                }
                None => self.git(&["rm", "-q", "--", path], None),
            }
        }
        self.clock += 60;
        self.git(&["commit", "-q", "--allow-empty", "-m", "change"], Some((who.0, who.1, self.clock)));
    }

    fn rename(&mut self, who: (&str, &str), from: &str, to: &str) {
        if let Some(parent) = self.path().join(to).parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        self.git(&["mv", from, to], None);
        self.clock += 60;
        self.git(&["commit", "-q", "-m", "rename"], Some((who.0, who.1, self.clock)));
    }

    fn report(&self) -> RepoReport {
        self.report_with(&Options::default())
    }

    fn report_with(&self, options: &Options<'_>) -> RepoReport {
        analyze(self.path(), options).expect("analyze")
    }
}

const ANA: (&str, &str) = ("Ana Ortiz", "ana@example.com");
const BEN: (&str, &str) = ("Ben Okafor", "ben@example.com");
const CAI: (&str, &str) = ("Cai Lin", "cai@example.com");

/// Distinct content per call so that git never mistakes two files for a rename.
fn body(tag: &str, lines: usize) -> String {
    (0..lines).map(|i| format!("fn {tag}_{i}() -> u32 {{ {i} }}\n")).collect()
}

fn authors_of(r: &RepoReport) -> Vec<(String, u64)> {
    r.authors.iter().map(|(a, _)| (a.name.clone(), a.files)).collect()
}

#[test]
fn the_creator_is_the_author_until_others_change_it_enough() {
    // The 0.75 edge: with Ben making k changes to Ana's file, Ana's DOA over Ben's is
    // 0.766 at k = 9 (both authors) and 0.734 at k = 10 (Ben alone).
    for (k, ana_is_author) in [(9, true), (10, false)] {
        let mut repo = Repo::new();
        repo.commit(ANA, &[("src/lib.rs", Some(&body("a", 40)))]);
        for i in 0..k {
            let text = format!("{}// edit {i}\n", body("a", 40));
            repo.commit(BEN, &[("src/lib.rs", Some(&text))]);
        }
        let r = repo.report();
        assert_eq!(r.files, 1);
        let names: Vec<String> = r.authors.iter().map(|(a, _)| a.name.clone()).collect();
        assert_eq!(names.contains(&"Ana Ortiz".to_string()), ana_is_author, "k = {k}: {names:?}");
        assert!(names.contains(&"Ben Okafor".to_string()));
    }
}

#[test]
fn truck_factor_of_three_owners() {
    let mut repo = Repo::new();
    // Ana owns 4 files, Ben 3, Cai 3: removing Ana leaves 60% covered, Ben too 30%: TF 2.
    for i in 0..4 {
        repo.commit(ANA, &[(&format!("a/{i}.py"), Some(&body(&format!("a{i}"), 10)))]);
    }
    for i in 0..3 {
        repo.commit(BEN, &[(&format!("b/{i}.py"), Some(&body(&format!("b{i}"), 10)))]);
        repo.commit(CAI, &[(&format!("c/{i}.py"), Some(&body(&format!("c{i}"), 10)))]);
    }
    let r = repo.report_with(&Options { module_depth: 1, ..Options::default() });
    assert_eq!(r.files, 10);
    assert_eq!(r.truck_factor, 2);
    assert_eq!(r.tf_authors, vec!["Ana Ortiz", "Ben Okafor"]);
    assert_eq!(r.commits, 10);
    let modules: Vec<(String, u64, u32)> = r.modules.iter().map(|m| (m.module.clone(), m.files, m.truck_factor)).collect();
    assert_eq!(modules, vec![("a".into(), 4, 1), ("b".into(), 3, 1), ("c".into(), 3, 1)]);
    // The stored groups recompute the same truck factor.
    let scan = r.to_scan(jiff::civil::date(2026, 11, 26), |_, _| None);
    assert_eq!(scan.truck_factor_without(&[false; 3]).value, 2);
    assert_eq!(scan.truck_factor_without(&[true, false, false]).value, 1);
}

#[test]
fn renames_carry_the_history_to_the_new_path() {
    let mut repo = Repo::new();
    repo.commit(ANA, &[("old/engine.rs", Some(&body("engine", 50)))]);
    repo.rename(BEN, "old/engine.rs", "core/engine.rs");
    let r = repo.report();
    assert_eq!(r.files, 1);
    // Ana created it (FA) and Ben renamed it (one change): Ana 4.391 − 0.321·ln 2,
    // Ben 3.457; both above 0.75 of Ana's.
    assert_eq!(authors_of(&r), vec![("Ana Ortiz".to_string(), 1), ("Ben Okafor".to_string(), 1)]);

    // A rename with edits (still ≥ 50% similar) is followed too.
    let mut repo = Repo::new();
    repo.commit(ANA, &[("a.rs", Some(&body("x", 50)))]);
    repo.git(&["mv", "a.rs", "b.rs"], None);
    std::fs::write(repo.path().join("b.rs"), format!("{}fn extra() {{}}\n", body("x", 50))).unwrap();
    repo.git(&["add", "b.rs"], None);
    repo.clock += 60;
    repo.git(&["commit", "-q", "-m", "move and edit"], Some((BEN.0, BEN.1, repo.clock)));
    assert!(repo.report().authors.iter().any(|(a, _)| a.name == "Ana Ortiz"), "the creator survives a rename with edits");
}

#[test]
fn merges_contribute_no_changes() {
    let mut repo = Repo::new();
    repo.commit(ANA, &[("main.go", Some(&body("main", 20)))]);
    repo.git(&["checkout", "-q", "-b", "feature"], None);
    repo.commit(BEN, &[("feature.go", Some(&body("feature", 20)))]);
    repo.git(&["checkout", "-q", "main"], None);
    repo.commit(ANA, &[("other.go", Some(&body("other", 20)))]);
    repo.clock += 60;
    // Cai merges; the merge brings feature.go into main but Cai wrote none of it.
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"], Some((CAI.0, CAI.1, repo.clock)));
    let r = repo.report();
    assert_eq!(r.commits, 4);
    assert_eq!(r.files, 3);
    assert!(!r.authors.iter().any(|(a, _)| a.name == "Cai Lin"), "{:?}", authors_of(&r));
    assert!(r.authors.iter().any(|(a, _)| a.name == "Ben Okafor" && a.files == 1));
}

#[test]
fn aliases_by_email_name_mailmap_and_explicit() {
    let mut repo = Repo::new();
    repo.commit(ANA, &[("a.rs", Some(&body("a", 10)))]);
    repo.commit(("ana", "ANA@example.com"), &[("b.rs", Some(&body("b", 10)))]); // same e-mail
    repo.commit(("Ana Ortiz", "ana@home.example"), &[("c.rs", Some(&body("c", 10)))]); // same name
    repo.commit(("aortiz", "aortiz@old.example"), &[("d.rs", Some(&body("d", 10)))]); // only mailmap knows
    repo.commit(("The Ghost", "ghost@old.example"), &[("e.rs", Some(&body("e", 10)))]); // only --alias knows
    repo.commit(BEN, &[(".mailmap", Some("Ana Ortiz <ana@example.com> <aortiz@old.example>\n"))]);
    let r = repo.report_with(&Options { aliases: vec![("ghost@old.example".into(), "Ana Ortiz".into())], ..Options::default() });
    assert_eq!(authors_of(&r), vec![("Ana Ortiz".to_string(), 5)]);
    assert_eq!(r.truck_factor, 1);
    let emails = &r.authors[0].1;
    assert!(emails.contains(&"ana@home.example".to_string()) && emails.contains(&"ghost@old.example".to_string()), "{emails:?}");
}

#[test]
fn vendored_documentation_and_data_files_do_not_count() {
    let mut repo = Repo::new();
    repo.commit(
        ANA,
        &[
            ("src/app.js", Some(&body("app", 10))),
            ("vendor/lib/left-pad.js", Some(&body("pad", 10))),
            ("node_modules/x/index.js", Some(&body("x", 10))),
            ("docs/conf.py", Some(&body("conf", 10))),
            ("README.md", Some("# app\n")),
            ("package.json", Some("{}\n")),
            ("static/app.min.js", Some("var a=1;\n")),
        ],
    );
    let r = repo.report();
    assert_eq!(r.files, 1);
    assert_eq!((r.excluded.vendored, r.excluded.documentation, r.excluded.not_source), (3, 2, 1));
}

#[test]
fn deleted_files_do_not_count_and_recreated_ones_start_afresh() {
    let mut repo = Repo::new();
    repo.commit(ANA, &[("gone.rs", Some(&body("gone", 10))), ("kept.rs", Some(&body("kept", 10)))]);
    repo.commit(ANA, &[("gone.rs", None)]);
    repo.commit(ANA, &[("again.rs", Some(&body("again-1", 10)))]);
    repo.commit(ANA, &[("again.rs", None)]);
    repo.commit(BEN, &[("again.rs", Some(&body("again-2", 10)))]);
    let r = repo.report();
    assert_eq!(r.files, 2, "gone.rs is not at HEAD");
    assert_eq!(authors_of(&r), vec![("Ana Ortiz".to_string(), 1), ("Ben Okafor".to_string(), 1)]);
}

#[test]
fn bare_repositories_and_git_dirs_give_the_same_answer() {
    let mut repo = Repo::new();
    repo.commit(ANA, &[("a.rs", Some(&body("a", 10)))]);
    repo.commit(BEN, &[("b.rs", Some(&body("b", 10)))]);
    let direct = repo.report();
    let bare = tempfile::tempdir().unwrap();
    let bare_path: PathBuf = bare.path().join("mirror.git");
    let out = Command::new("git").args(["clone", "-q", "--bare"]).arg(repo.path()).arg(&bare_path).output().unwrap();
    assert!(out.status.success());
    for path in [bare_path.as_path(), &repo.path().join(".git")] {
        let other = analyze(path, &Options::default()).unwrap();
        assert_eq!((other.head.clone(), other.files, other.truck_factor), (direct.head.clone(), direct.files, direct.truck_factor));
        assert_eq!(authors_of(&other), authors_of(&direct));
    }
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = analyze(dir.path(), &Options::default()).unwrap_err().to_string();
    assert!(e.contains(&dir.path().display().to_string()) && e.contains("not a git repository"), "{e}");
    let empty = Repo::new();
    let e = analyze(empty.path(), &Options::default()).unwrap_err().to_string();
    assert!(e.contains("HEAD"), "an empty repository names HEAD: {e}");
}

#[test]
fn parallel_and_serial_reads_agree() {
    let mut repo = Repo::new();
    for i in 0..40 {
        let who = [ANA, BEN, CAI][i % 3];
        repo.commit(who, &[(&format!("m{}/f{}.rs", i % 4, i % 7), Some(&body(&format!("v{i}"), 5 + i % 3)))]);
    }
    let one = repo.report_with(&Options { threads: 1, ..Options::default() });
    let four = repo.report_with(&Options { threads: 4, ..Options::default() });
    assert_eq!(authors_of(&one), authors_of(&four));
    assert_eq!(one.author_sets, four.author_sets);
}
