//! The emulator setup file (`credchain emulate --config`), TOML and JSON: any text parses or is
//! refused without a panic; an accepted file yields a configuration and faults without a panic,
//! and an error never quotes a value from the file.
#![no_main]

use credchain_emulator::setup::{parse_json, parse_toml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for parsed in [parse_toml(text), parse_json(text)] {
        match parsed {
            Ok(file) => {
                let _ = file.emulator_config();
                for f in &file.faults {
                    let _ = f.to_fault();
                }
                let _ = format!("{file:?}");
            }
            Err(e) => assert!(!e.to_string().contains('`'), "{e}"),
        }
    }
});
