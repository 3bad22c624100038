//! The LDIF reader and the directory mapping must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ldif) = handover_import::ldif::parse("fuzz.ldif", data) {
        let today = jiff::civil::Date::constant(2026, 11, 26);
        let _ = handover_import::directory::to_records("fuzz", &ldif.entries, today);
    }
});
