//! The Linux host parsers must never panic, whatever the bytes. The input is a host's files
//! separated by 0xFF bytes (which UTF-8 text never holds), in this order: passwd, group,
//! shadow, sudoers, authorized_keys (of root); a missing part is a missing file. Separate
//! parts let the fuzzer reach sudoers and keys behind a passwd that parses. The bytes are
//! also split as the framed answer `import linux --ssh` reads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF).map(|p| String::from_utf8_lossy(p).into_owned());
    let files = handover_import::linux::HostFiles {
        passwd: parts.next().unwrap_or_default(),
        group: parts.next(),
        shadow: parts.next(),
        sudoers: parts.next().map(|t| vec![("etc/sudoers".into(), t)]).unwrap_or_default(),
        authorized_keys: parts.next().map(|t| vec![("root".into(), "root/.ssh/authorized_keys".into(), t)]).unwrap_or_default(),
    };
    let _ = handover_import::linux::parse("fuzz", &files, jiff::civil::Date::constant(2026, 11, 26));
    // The same bytes as an answer of `import linux --ssh` (files framed by length).
    let _ = handover_import::linux::parse_frames(data);
});
