//! `credchain exec` end to end: the real binary, a cleared environment (PATH and a temporary
//! HOME only, metadata probing disabled), nothing beyond loopback.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{credchain_in, output, scratch, Guard};

fn credchain() -> Command {
    credchain_in(&scratch("exec-home"))
}

const ALI: [(&str, &str); 2] = [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "X"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "S3cret value"),
];

#[test]
fn passes_the_exit_status_and_the_alibaba_env() {
    let o = output(credchain().envs(ALI).args([
        "exec",
        "--cloud",
        "alibaba",
        "--",
        "sh",
        "-c",
        r#"test "$ALIBABA_CLOUD_ACCESS_KEY_ID" = X && test "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" = "S3cret value" && test -z "${ALIBABA_CLOUD_SECURITY_TOKEN+set}" && exit 7"#,
    ]));
    assert_eq!(
        o.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn tencent_sets_both_token_names() {
    let o = output(credchain()
        .env("TENCENTCLOUD_SECRET_ID", "AKIDexec")
        .env("TENCENTCLOUD_SECRET_KEY", "exec-key")
        .env("TENCENTCLOUD_SESSION_TOKEN", "tok")
        .args([
            "exec", "--cloud", "tencent", "--", "sh", "-c",
            r#"printf '%s|%s|%s|%s' "$TENCENTCLOUD_SECRET_ID" "$TENCENTCLOUD_SECRET_KEY" "$TENCENTCLOUD_SESSION_TOKEN" "$TENCENTCLOUD_TOKEN""#,
        ]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "AKIDexec|exec-key|tok|tok"
    );
}

#[test]
fn a_stale_token_of_the_caller_is_removed() {
    let dir = std::env::temp_dir().join(format!("credchain-exec-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("tencent.json");
    std::fs::write(
        &cfg,
        r#"{"type": "credential", "secret_id": "AKIDfromconfig", "secret_key": "cfg-key"}"#,
    )
    .unwrap();
    let o = output(credchain()
        .env("TENCENTCLOUD_TOKEN", "stale")
        .env("TENCENTCLOUD_SESSION_TOKEN", "stale")
        .args(["exec", "--cloud", "tencent", "--config"])
        .arg(&cfg)
        .args([
            "--", "sh", "-c",
            r#"test "$TENCENTCLOUD_SECRET_ID" = AKIDfromconfig && test -z "${TENCENTCLOUD_TOKEN+set}${TENCENTCLOUD_SESSION_TOKEN+set}""#,
        ]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn stdin_and_stdout_pass_through() {
    let mut child = credchain()
        .envs(ALI)
        .args(["exec", "--cloud", "alibaba", "--", "cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello through\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hello through\n");
}

#[test]
fn killed_by_a_signal_exits_128_plus_the_signal() {
    let o = output(credchain().envs(ALI).args([
        "exec",
        "--cloud",
        "alibaba",
        "--",
        "sh",
        "-c",
        "kill -TERM $$",
    ]));
    assert_eq!(o.status.code(), Some(128 + 15));
}

#[test]
fn sigterm_is_forwarded_to_the_command() {
    let child = credchain()
        .envs(ALI)
        .args([
            "exec",
            "--cloud",
            "alibaba",
            "--",
            "sh",
            "-c",
            "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let mut line = String::new();
    BufReader::new(guard.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    guard.signal("TERM");
    let status = guard.wait_exit(Duration::from_secs(10), "credchain exec");
    assert_eq!(status.code(), Some(42));
}

#[test]
fn a_missing_command_exits_127_and_unresolved_credentials_fail_before_running() {
    let o = output(credchain().envs(ALI).args([
        "exec",
        "--cloud",
        "alibaba",
        "--",
        "credchain-no-such-command-x",
    ]));
    assert_eq!(o.status.code(), Some(127));
    let o = output(credchain().args(["exec", "--cloud", "alibaba", "--", "sh", "-c", "exit 0"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("credchain: error:"));
}

#[test]
fn hyphenated_arguments_reach_the_command() {
    let o = output(credchain().envs(ALI).args([
        "exec",
        "--cloud",
        "alibaba",
        "--",
        "sh",
        "-c",
        "echo \"$1\"",
        "sh",
        "--flag",
    ]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "--flag\n");
}
