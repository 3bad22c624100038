//! The org-file reader must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(file) = handover_import::OrgFile::parse("fuzz.yaml", text) {
            // A file that parses must also render and read back.
            let text = handover_import::orgfile::render(&file.inventory);
            let _ = handover_import::OrgFile::parse("rendered.yaml", &text);
        }
    }
});
