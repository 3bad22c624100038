//! The Linux host parsers must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let files = handover_import::linux::HostFiles {
        passwd: text.clone(),
        group: Some(text.clone()),
        shadow: Some(text.clone()),
        sudoers: vec![("sudoers".into(), text.clone())],
        authorized_keys: vec![("root".into(), "keys".into(), text)],
    };
    let _ = handover_import::linux::parse("fuzz", &files, jiff::civil::Date::constant(2026, 11, 26));
});
