//! The RFC 3339 parser and formatter: any string parses or is refused without a panic; an
//! accepted time formats to a string that parses back to the same second.
#![no_main]

use credchain::time::{format_rfc3339, parse_rfc3339, unix_seconds};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(t) = parse_rfc3339(text) {
        let formatted = format_rfc3339(t);
        let back = parse_rfc3339(&formatted).expect("a formatted time parses");
        assert_eq!(
            unix_seconds(back),
            unix_seconds(t),
            "{text:?} -> {formatted}"
        );
    }
});
