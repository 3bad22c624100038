//! PDF reports, checked the way a reader sees them: poppler (Debian's poppler-utils, which
//! scripts/test installs) renders each page to an image and extracts the text.

mod common;

use common::{handover, new_database};
use std::path::Path;
use std::process::Command;

fn poppler() -> bool {
    let found = ["pdftoppm", "pdftotext"].iter().all(|t| Command::new(t).arg("-v").output().is_ok());
    if !found {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true needs poppler-utils (scripts/test installs it)");
        eprintln!("SKIPPED: no pdftoppm/pdftotext (apt-get install poppler-utils) to read the PDF back");
    }
    found
}

/// Renders one page; returns (PNG width, PNG height, share of dark pixels in a greyscale render).
fn render(pdf: &Path, page: u32, out: &Path) -> (u32, u32, f64) {
    let page = page.to_string();
    let st =
        Command::new("pdftoppm").args(["-r", "40", "-png", "-singlefile", "-f", &page, "-l", &page]).arg(pdf).arg(out).status().unwrap();
    assert!(st.success());
    let png = std::fs::read(out.with_extension("png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (w, h) = (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    // The same page as greyscale PGM, whose pixels can be counted without an image decoder.
    let st =
        Command::new("pdftoppm").args(["-r", "40", "-gray", "-singlefile", "-f", &page, "-l", &page]).arg(pdf).arg(out).status().unwrap();
    assert!(st.success());
    let pgm = std::fs::read(out.with_extension("pgm")).unwrap();
    let mut fields = 0;
    let mut at = 0;
    while fields < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields += 1;
    }
    let pixels = &pgm[at + 1..];
    assert_eq!(pixels.len() as u32, w * h);
    let dark = pixels.iter().filter(|p| **p < 160).count();
    (w, h, dark as f64 / pixels.len() as f64)
}

fn text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn executive_and_auditor_reports_render_as_real_pdf_pages() {
    if !poppler() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = new_database(tmp.path(), "handover.db");
    assert!(handover(&db).arg("demo").output().unwrap().status.success());
    for (kind, title, known) in [
        ("executive", "IT continuity: executive summary", ["Dana Whitfield", "Top five actions", "risk score"]),
        ("auditor", "Auditor's evidence pack", ["CIS Controls v8", "HO-KEY-001", "Event log:"]),
    ] {
        let pdf = tmp.path().join(format!("{kind}.pdf"));
        let out = handover(&db).args(["report", kind, "--format", "pdf", "-o"]).arg(&pdf).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF-") && bytes.len() > 1000);

        // A4 at 40 dpi, with ink on it but not a black page.
        let (w, h, ink) = render(&pdf, 1, &tmp.path().join(format!("{kind}-1")));
        assert_eq!((w, h), (331, 468), "{kind}: not an A4 page");
        assert!(ink > 0.01 && ink < 0.4, "{kind}: page 1 has {:.3} ink", ink);

        let words = text(&pdf);
        assert!(words.contains(title), "{kind}: {words}");
        for k in known {
            assert!(words.contains(k), "{kind}: {k:?} missing from the PDF's text");
        }
        // Every page numbered of the whole, so none is lost when printed.
        let pages = words.matches("page ").count();
        assert!(pages >= 1 && words.contains(&format!("page {pages} of {pages}")), "{kind}");
    }

    // The auditor's pack is long: it breaks over pages, and every page renders with ink.
    let pdf = tmp.path().join("auditor.pdf");
    let words = text(&pdf);
    assert!(words.contains("page 2 of"), "the auditor's pack should span pages");
    let (_, _, ink) = render(&pdf, 2, &tmp.path().join("auditor-2"));
    assert!(ink > 0.01, "page 2 is blank");
}

#[test]
fn a_pdf_goes_down_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let db = new_database(tmp.path(), "handover.db");
    assert!(handover(&db).arg("demo").output().unwrap().status.success());
    let out = handover(&db).args(["report", "executive", "--format", "pdf"]).output().unwrap();
    // Not a terminal here: the PDF is written to the pipe.
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"%PDF-"));
}
