//! `NO_COLOR` and non-terminals get no ANSI codes. The terminal case runs the binary under
//! util-linux `script`, which gives it a pseudo-terminal; without `script` that case is skipped
//! (said on stderr), the non-terminal case always runs.

mod common;

use std::ffi::OsString;
use std::process::Command;

use common::{clean_env, scratch, BIN};

const ESC: char = '\u{1b}';

/// The clean environment plus an Alibaba key and a terminal type that supports color.
fn base() -> Vec<(&'static str, OsString)> {
    let mut env = clean_env(&scratch("color"));
    env.extend([
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIcolor".into()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "color-secret".into()),
        ("TERM", "xterm-256color".into()),
    ]);
    env
}

const ARGS: [&str; 6] = ["-vv", "get", "--cloud", "alibaba", "--format", "json"];

#[test]
fn a_non_terminal_gets_no_ansi() {
    let o = Command::new(BIN)
        .env_clear()
        .envs(base())
        .args(ARGS)
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.is_empty(), "-vv logs something");
    assert!(!err.contains(ESC), "{err:?}");
}

/// Runs the binary on a pseudo-terminal; `None` when `script` is not installed.
fn on_a_terminal(no_color: Option<&str>) -> Option<String> {
    let line = format!("{} {}", BIN, ARGS.join(" "));
    let mut cmd = Command::new("script");
    cmd.env_clear()
        .envs(base())
        .args(["-qec", &line, "/dev/null"]);
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let o = cmd.output().ok()?;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn no_color_turns_ansi_off_on_a_terminal() {
    let Some(coloured) = on_a_terminal(None) else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    // The control: on a terminal the log lines are coloured, so the assertion below can fail.
    assert!(coloured.contains(ESC), "{coloured:?}");
    let plain = on_a_terminal(Some("1")).unwrap();
    assert!(plain.contains("LTAIcolor"), "{plain:?}");
    assert!(!plain.contains(ESC), "{plain:?}");
}
