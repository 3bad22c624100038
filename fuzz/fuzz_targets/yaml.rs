//! The YAML reader under the org file and the Kubernetes reader must never panic, whatever
//! the text; and what `to_yaml` writes of a value it read must read back as that value, as
//! `export → apply → export` relies on.
#![no_main]

use handover_import::yaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(docs) = yaml::parse_all(text) else { return };
    for doc in docs {
        let written = yaml::to_yaml(&doc.value);
        match yaml::parse(&written) {
            Ok(back) => assert_eq!(back.value, doc.value, "written as:\n{written}"),
            Err(e) => panic!("to_yaml wrote YAML that does not read back ({e:?}):\n{written}"),
        }
    }
});
