//! The Okta, Entra ID and Google Workspace user-export readers must never panic, whatever
//! the bytes. The first byte picks the vendor (0 Okta, 1 Entra, 2 Google, modulo 3) so one
//! target covers the three column sets; the rest is the CSV.
#![no_main]

use handover_import::vendor_csv::{parse, Vendor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, csv)) = data.split_first() else { return };
    let vendor = match first % 3 {
        0 => Vendor::Okta,
        1 => Vendor::Entra,
        _ => Vendor::Google,
    };
    let _ = parse(vendor, "fuzz", "fuzz.csv", csv);
});
