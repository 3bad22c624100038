//! The GitHub reader (an organisation bundle of REST API answers, or a members array) must
//! never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = handover_import::github::parse("fuzz", "github.json", data);
});
