//! The AWS credential report reader (the CSV, or the JSON `GetCredentialReport` answer that
//! wraps it) must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = handover_import::aws_iam::credential_report("report.csv", data);
});
