//! The AWS IAM reader must never panic, whatever the bytes: the authorization details, and
//! with them a credential report when the input holds a 0xFF byte (which UTF-8 text never
//! does): details before it, report after it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (details, report) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], Some(("report.csv", &data[i + 1..]))),
        None => (data, None),
    };
    let _ = handover_import::aws_iam::parse("fuzz", "details.json", details, report);
});
