//! The aliyun-cli `config.json` write-back rewriter, on any file content and any profile name,
//! mode and field values:
//! - never panics;
//! - when it writes, the file is still JSON; every key of the root, of the other profiles and of
//!   the target profile keeps its value; the written fields read back as written;
//! - writing the same fields again changes nothing.
#![no_main]
mod common;

use std::path::Path;

use arbitrary::Arbitrary;
use common::Leaf;
use credchain::alibaba::write_back::update_profile_fields;
use credchain::context::{Context, Fs, MemoryFs};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const PATH: &str = "/h/.aliyun/config.json";
const KEYS: [&str; 4] = ["access_token", "refresh_token", "sts_expiration", "name"];

#[derive(Arbitrary, Debug)]
struct Input {
    file: FileText,
    start: String,
    oauth_mode: bool,
    fields: Vec<(u8, Leaf)>,
}

/// Raw bytes, or a plausible file with fuzzer-chosen profiles (reaches the rewriting itself).
#[derive(Arbitrary, Debug)]
enum FileText {
    Raw(Vec<u8>),
    Profiles(Vec<Vec<(String, Leaf)>>, Vec<(String, Leaf)>),
}

fn leaf(l: &Leaf) -> Value {
    match l {
        Leaf::Str(s) => Value::from(s.as_str()),
        Leaf::Int(i) => Value::from(*i),
        Leaf::Bool(b) => Value::from(*b),
        Leaf::Null => Value::Null,
    }
}

fn render(file: &FileText) -> Vec<u8> {
    match file {
        FileText::Raw(b) => b.clone(),
        FileText::Profiles(profiles, root) => {
            let mut obj = serde_json::Map::new();
            for (k, v) in root {
                obj.insert(k.clone(), leaf(v));
            }
            let profiles: Vec<Value> = profiles
                .iter()
                .map(|p| Value::Object(p.iter().map(|(k, v)| (k.clone(), leaf(v))).collect()))
                .collect();
            obj.insert("profiles".into(), Value::Array(profiles));
            serde_json::to_vec_pretty(&Value::Object(obj)).unwrap()
        }
    }
}

fn profile_named<'a>(root: &'a Value, name: &str) -> Option<&'a Value> {
    root["profiles"]
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
}

fuzz_target!(|input: Input| {
    let before = render(&input.file);
    let fs = MemoryFs::new().with_file(PATH, before.clone());
    let ctx = Context::empty().with_fs(fs.clone());
    let mode = if input.oauth_mode {
        "OAuth"
    } else {
        "External"
    };
    let mut fields: Vec<(&str, Value)> = Vec::new();
    for (k, v) in &input.fields {
        let key = KEYS[*k as usize % KEYS.len()];
        if key != "name" && !fields.iter().any(|(n, _)| *n == key) {
            fields.push((key, leaf(v)));
        }
    }
    let path = Path::new(PATH);
    let Ok(Some(target)) = update_profile_fields(&ctx, path, &input.start, mode, &fields) else {
        return;
    };
    let after_bytes = fs.read(path, 1 << 24).unwrap();
    let after: Value = serde_json::from_slice(&after_bytes).expect("the rewritten file is JSON");
    // Written fields read back as written.
    let written = profile_named(&after, &target).expect("the target profile is still there");
    for (k, v) in &fields {
        assert_eq!(written.get(*k), Some(v), "field {k}");
    }
    // Everything else keeps its value (only when the old file had a plain JSON reading).
    if let Ok(old) = serde_json::from_slice::<Value>(&before) {
        for (k, v) in old.as_object().unwrap() {
            if k != "profiles" {
                assert_eq!(after.get(k), Some(v), "root key {k}");
            }
        }
        let old_profiles = old["profiles"].as_array().unwrap();
        let new_profiles = after["profiles"].as_array().unwrap();
        assert_eq!(old_profiles.len(), new_profiles.len());
        let mut target_seen = false;
        for (o, n) in old_profiles.iter().zip(new_profiles) {
            // The rewriter writes the first profile of that name.
            let is_target =
                !target_seen && o.get("name").and_then(Value::as_str) == Some(target.as_str());
            if !is_target {
                assert_eq!(o, n, "another profile changed");
                continue;
            }
            target_seen = true;
            for (k, v) in o.as_object().unwrap() {
                if !fields.iter().any(|(f, _)| f == k) {
                    assert_eq!(n.get(k), Some(v), "target key {k}");
                }
            }
        }
    }
    // Idempotent: the same fields again change nothing.
    let again = update_profile_fields(&ctx, path, &input.start, mode, &fields);
    assert!(matches!(again, Ok(None)), "{again:?}");
    assert_eq!(fs.read(path, 1 << 24).unwrap(), after_bytes);
});
