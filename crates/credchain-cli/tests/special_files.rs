//! Non-regular files (a FIFO, a character device, a directory) wherever credchain reads a file:
//! every one is refused at once with an error naming the file and what it is, instead of
//! blocking on a FIFO that has no writer or reading `/dev/zero` without end. Real binary,
//! cleared environment; every run is bounded so a hang fails the test instead of stalling it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{credchain_in, output_within_a_minute, scratch};

fn home() -> PathBuf {
    scratch("special")
}

/// A FIFO nobody writes to: opening it for reading blocks for ever.
fn fifo(name: &str) -> PathBuf {
    let path = home().join(name);
    let ok = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(ok.success(), "mkfifo");
    path
}

/// Runs credchain with `env`, bounded: a run that hangs on a special file fails instead.
fn credchain(args: &[&str], env: &[(&str, &Path)]) -> Output {
    output_within_a_minute(
        credchain_in(&home())
            .args(args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_os_str())))
            .stdin(Stdio::null()),
    )
}

fn assert_refused(o: &Output, path: &Path, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains(what), "should say {what}: {err}");
    assert!(
        err.contains(&*path.to_string_lossy()),
        "should name {}: {err}",
        path.display()
    );
}

#[test]
fn emulate_refuses_a_fifo_a_device_and_a_directory_as_its_config() {
    let dir = home();
    for (path, what) in [
        (fifo("emulate.toml"), "FIFO"),
        (PathBuf::from("/dev/zero"), "character device"),
        (dir.clone(), "directory"),
    ] {
        let o = credchain(&["emulate", "--config", path.to_str().unwrap()], &[]);
        assert_refused(&o, &path, what);
    }
}

#[test]
fn get_refuses_a_fifo_as_config_credentials_or_token_file() {
    let pipe = fifo("config.json");
    let p = pipe.as_path();
    let role = Path::new("acs:ram::1:role/r");
    let provider = Path::new("acs:ram::1:oidc-provider/p");
    let cases: Vec<(&str, Vec<(&str, &Path)>)> = vec![
        ("alibaba", vec![("ALIBABA_CLOUD_CONFIG_FILE", p)]),
        ("alibaba", vec![("ALIBABA_CLOUD_CREDENTIALS_FILE", p)]),
        (
            "alibaba",
            vec![
                ("ALIBABA_CLOUD_ROLE_ARN", role),
                ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", provider),
                ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", p),
            ],
        ),
        ("tencent", vec![("TENCENTCLOUD_CREDENTIALS_FILE", p)]),
    ];
    for (cloud, env) in cases {
        let o = credchain(&["get", "--cloud", cloud, "--format", "json"], &env);
        assert_refused(&o, p, "FIFO");
    }
    let o = credchain(
        &["get", "--cloud", "alibaba", "--config", p.to_str().unwrap()],
        &[],
    );
    assert_refused(&o, p, "FIFO");
}
