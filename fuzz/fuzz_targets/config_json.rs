//! The `--config` parsers of both clouds return errors, never panic, on arbitrary input.
#![no_main]
use credchain::{alibaba, tencent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = alibaba::Config::from_json(&text);
    if let Ok(c) = tencent::Config::from_json(&text) {
        let _ = c.type_name();
    }
});
