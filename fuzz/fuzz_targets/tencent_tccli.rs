//! Fuzzes tccli's `<profile>.credential` JSON reader and the `tccli` source on top of it: any bytes
//! give a parsed file or a clear error, never a panic.
#![no_main]

use credchain::context::{Context, MemoryEnv, MemoryFs};
use credchain::tencent::{parse_tccli_credential, TccliProvider};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = parse_tccli_credential(data) {
        // Empty strings are "absent", so a present field is never empty.
        for v in [&f.secret_id, &f.secret_key, &f.token, &f.role_arn] {
            assert!(v.as_deref() != Some(""));
        }
        let _ = format!("{f:?}");
    }
    let ctx = Context::empty()
        .with_env(MemoryEnv::from_pairs([
            ("HOME", "/h"),
            ("TENCENTCLOUD_STS_ENDPOINT", "http://127.0.0.1:9"),
            ("TENCENTCLOUD_METADATA_ENDPOINT", "http://127.0.0.1:9"),
        ]))
        .with_fs(MemoryFs::new().with_file("/h/.tccli/default.credential", data.to_vec()));
    // The file is read and validated when the provider is built.
    let provider = TccliProvider::from_context(&ctx);
    let _ = (provider.path(), provider.profile());
    let _ = format!("{provider:?}");
});
