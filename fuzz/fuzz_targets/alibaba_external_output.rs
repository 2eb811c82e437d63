//! Fuzzes the External credential-process output parser and the `process_command` splitter:
//! any bytes give credentials or an error, never a panic; an accepted output always has a
//! non-empty id and secret; a split command never has an empty program.
#![no_main]

use credchain::alibaba::{parse_process_output, split_command_unix, split_command_windows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = parse_process_output(data) {
        assert!(!c.access_key_id().is_empty() && !c.access_key_secret().is_empty());
        let _ = format!("{c:?}");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for split in [split_command_unix(text), split_command_windows(text)] {
            if let Ok(argv) = split {
                assert!(!argv.is_empty() && !argv[0].is_empty());
            }
        }
    }
});
