//! Fuzzes the aliyun-cli config.json source: any file content (including deep
//! `source_profile` chains and cycles) builds a provider or an error, never a panic or a hang.
#![no_main]

use credchain::alibaba::CliProfileProvider;
use credchain::context::{Context, MemoryEnv, MemoryFs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fs = MemoryFs::new().with_file("/h/.aliyun/config.json", data.to_vec());
    let ctx = Context::empty()
        .with_env(MemoryEnv::from_pairs([("HOME", "/h")]))
        .with_fs(fs);
    let p = CliProfileProvider::builder().build(&ctx).unwrap();
    let _ = format!("{p:?}");
});
