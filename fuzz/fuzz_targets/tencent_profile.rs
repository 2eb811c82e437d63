//! Fuzzes the Tencent Cloud credentials-file parser and the profile source on top of it: any bytes
//! must give a value or a clear error, never a panic, and an error never echoes a secret.
#![no_main]

use credchain::context::{Context, MemoryEnv, MemoryFs};
use credchain::ini::IniDialect;
use credchain::tencent::ProfileProvider;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = IniDialect::TENCENT.parse_bytes(data) {
        for name in parsed.section_names() {
            assert!(!name.is_empty() && name.trim() == name);
            let section = parsed.section(name).unwrap();
            for key in section.keys() {
                assert_eq!(key, key.to_ascii_lowercase());
                assert!(section.get(key).is_some());
            }
        }
    }
    let ctx = Context::empty()
        .with_env(MemoryEnv::from_pairs([("HOME", "/h")]))
        .with_fs(MemoryFs::new().with_file("/h/.tencentcloud/credentials", data.to_vec()));
    // The file is read and validated when the provider is built.
    let provider = ProfileProvider::from_context(&ctx);
    let _ = (provider.path(), provider.profile(), provider.role_arn());
    let _ = format!("{provider:?}");
});
