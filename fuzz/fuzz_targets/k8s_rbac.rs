//! The Kubernetes RBAC reader must never panic, whatever the bytes. Each 0xFF byte (which
//! UTF-8 text never holds) starts another file, so bindings and the roles they name can
//! come from different files as they do on the command line; each file may hold several
//! YAML documents.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files: Vec<(String, Vec<u8>)> =
        data.split(|&b| b == 0xFF).enumerate().map(|(i, bytes)| (format!("rbac-{i}.yaml"), bytes.to_vec())).collect();
    let _ = handover_import::k8s_rbac::parse("fuzz", &files);
});
