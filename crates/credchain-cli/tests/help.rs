//! Every subcommand's `--help` shows examples, the environment it reads and its exit codes, and
//! `--config` says it takes a path or inline JSON.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_credchain"))
        .args(args)
        .arg("--help")
        .env_clear()
        .output()
        .expect("credchain runs");
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).to_string()
}

const SUBCOMMANDS: &[&[&str]] = &[
    &["get"],
    &["whoami"],
    &["profiles"],
    &["configure"],
    &["call", "alibaba"],
    &["call", "tencent"],
    &["presign", "alibaba"],
    &["presign", "tencent"],
    &["doctor"],
    &["exec"],
    &["serve"],
    &["emulate"],
    &["completions"],
];

#[test]
fn every_subcommand_has_examples_environment_and_exit_status() {
    for args in SUBCOMMANDS {
        let text = help(args);
        for section in ["Examples:", "Environment", "Exit status:"] {
            assert!(
                text.contains(section),
                "{args:?} --help lacks {section}:\n{text}"
            );
        }
        assert!(text.contains("credchain "), "{args:?}: no example command");
    }
}

#[test]
fn config_says_path_or_inline_json() {
    for args in [
        &["get"][..],
        &["whoami"],
        &["call", "alibaba"],
        &["exec"],
        &["serve"],
    ] {
        let text = help(args);
        let config = text.split("--config").nth(1).unwrap_or_default();
        assert!(
            config.contains("path") && config.contains('{'),
            "{args:?}: --config help does not say path or inline JSON:\n{text}"
        );
    }
}
