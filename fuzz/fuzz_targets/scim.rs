//! The SCIM reader must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = handover_import::scim::parse("fuzz.json", "fuzz", data);
});
