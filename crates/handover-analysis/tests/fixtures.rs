//! Data-driven: each folder of `tests/fixtures` is an organisation (`org.yaml`), optional
//! thresholds (`handover.toml`) and, in `whatif`, groups of people (one group per line) whose departure is analysed. The audit
//! findings and the what-if answers are compared with the snapshots in `tests/snapshots`.
//! Add a case by adding a folder.

use handover_analysis::whatif::whatif;
use handover_analysis::{audit, rules, Config, Snapshot};
use handover_core::Inventory;
use handover_import::OrgFile;
use jiff::civil::Date;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

const TODAY: &str = "2026-11-26";

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(!cases.is_empty());
    cases
}

fn load(case: &Path) -> Inventory {
    let path = case.join("org.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = OrgFile::parse(&path.display().to_string(), &text).unwrap_or_else(|d| panic!("{d:?}"));
    let problems = file.inventory.validate();
    assert!(problems.is_empty(), "{}: {problems:?}", path.display());
    file.inventory
}

fn today() -> Date {
    TODAY.parse().unwrap()
}

#[test]
fn fixtures_match_their_snapshots() {
    let mut seen_rules = BTreeSet::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let inv = load(&case);
        let snap = Snapshot::new(&inv);
        let config: Config =
            std::fs::read_to_string(case.join("handover.toml")).map_or_else(|_| Config::default(), |t| toml::from_str(&t).unwrap());
        let mut out = String::new();
        writeln!(out, "# audit").unwrap();
        for f in audit(&snap, &config.thresholds, today()) {
            seen_rules.insert(f.rule);
            let accepted = f.accepted.as_ref().map(|a| format!(" [accepted by {} until {}]", a.by, a.expires)).unwrap_or_default();
            writeln!(out, "{} {} {}: {}{accepted}", f.severity, f.rule, f.subject, f.summary).unwrap();
            for e in &f.evidence {
                writeln!(out, "    {e}").unwrap();
            }
        }
        if let Ok(groups) = std::fs::read_to_string(case.join("whatif")) {
            for group in groups.lines().filter(|l| !l.trim().is_empty()) {
                let people: Vec<u32> =
                    group.split_whitespace().map(|p| snap.person(p).unwrap_or_else(|| panic!("{name}: no person {p}"))).collect();
                writeln!(out, "\n# whatif {group}\n{}", serde_json::to_string_pretty(&whatif(&snap, &people)).unwrap()).unwrap();
            }
        }
        insta::assert_snapshot!(name, out);
    }
    let missing: Vec<&str> = rules::ALL.iter().map(|r| r.id).filter(|id| !seen_rules.contains(id)).collect();
    assert!(missing.is_empty(), "rules no fixture exercises: {missing:?}");
}
