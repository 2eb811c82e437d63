//! Fuzzes the credentials.ini parser and the `profile` source built on it: never panics, and
//! every parse error names a line inside the input.
#![no_main]

use credchain::alibaba::ProfileProvider;
use credchain::ini::IniDialect;
use credchain::context::{Context, MemoryEnv, MemoryFs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match IniDialect::ALIBABA.parse(&text) {
        Ok(ini) => {
            for name in ini.section_names() {
                let _ = ini.get(name, "type");
            }
        }
        Err(e) => assert!(e.line >= 1 && e.line <= text.lines().count().max(1)),
    }
    let fs = MemoryFs::new().with_file("/h/.alibabacloud/credentials.ini", data.to_vec());
    let ctx = Context::empty()
        .with_env(MemoryEnv::from_pairs([
            ("HOME", "/h"),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ]))
        .with_fs(fs);
    let _ = format!("{:?}", ProfileProvider::builder().build(&ctx).unwrap());
});
