//! End-to-end tests of `credchain configure`: profiles written in each cloud's own file, read
//! back by `get --profile` / `profiles`, other content kept, 0600, and missing fields refused
//! without a terminal (the test's stdin is not one). No network.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::Value;

use common::{credchain_in, fresh_home, output};

const SECRET: &str = "ConfigureSecret0123456789";

fn home(name: &str) -> PathBuf {
    fresh_home(&format!("configure-{name}"))
}

/// Runs with stdin not a terminal, so a missing field cannot be asked for.
fn credchain(home: &Path, args: &[&str]) -> Output {
    output(credchain_in(home).args(args).stdin(Stdio::null()))
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {} / {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[cfg(unix)]
fn mode_of(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn alibaba_ak_profile_is_created_and_resolves() {
    let h = home("ak");
    let out = ok(&credchain(
        &h,
        &[
            "configure",
            "--cloud",
            "alibaba",
            "--profile",
            "dev",
            "--mode",
            "AK",
            "--access-key-id",
            "LTAIconfigure0001",
            "--access-key-secret",
            SECRET,
            "--region-id",
            "cn-shanghai",
        ],
    ));
    assert!(
        out.contains("'dev'") && out.contains("AK") && !out.contains(SECRET),
        "{out}"
    );
    let path = h.join(".aliyun/config.json");
    #[cfg(unix)]
    assert_eq!(mode_of(&path), 0o600);
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["current"], "dev");
    assert_eq!(v["profiles"][0]["mode"], "AK");
    assert_eq!(v["profiles"][0]["region_id"], "cn-shanghai");
    let got: Value = serde_json::from_str(&ok(&credchain(
        &h,
        &[
            "get",
            "--cloud",
            "alibaba",
            "--profile",
            "dev",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    assert_eq!(got["access_key_id"], "LTAIconfigure0001");
}

#[test]
fn alibaba_update_keeps_other_profiles_and_keys() {
    let h = home("keep");
    let path = h.join(".aliyun/config.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        r#"{"current": "default", "profiles": [
            {"name": "default", "mode": "AK", "access_key_id": "LTAIkeep", "access_key_secret": "x", "language": "zh"},
            {"name": "ops", "mode": "AK", "access_key_id": "LTAIold", "access_key_secret": "y", "output_format": "json"}
        ], "meta_path": "/keep/this"}"#,
    )
    .unwrap();
    ok(&credchain(
        &h,
        &[
            "configure",
            "--cloud",
            "alibaba",
            "--profile",
            "ops",
            "--mode",
            "RamRoleArn",
            "--access-key-id",
            "LTAInew",
            "--access-key-secret",
            SECRET,
            "--ram-role-arn",
            "acs:ram::1:role/ops",
            "--set-current",
        ],
    ));
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["current"], "ops");
    assert_eq!(v["meta_path"], "/keep/this");
    assert_eq!(v["profiles"][0]["language"], "zh");
    assert_eq!(v["profiles"][1]["mode"], "RamRoleArn");
    assert_eq!(v["profiles"][1]["access_key_id"], "LTAInew");
    assert_eq!(v["profiles"][1]["output_format"], "json");
    assert_eq!(v["profiles"][1]["ram_role_arn"], "acs:ram::1:role/ops");
}

#[test]
fn a_missing_field_without_a_terminal_is_an_error_and_writes_nothing() {
    let h = home("missing");
    let o = credchain(
        &h,
        &[
            "configure",
            "--cloud",
            "alibaba",
            "--profile",
            "dev",
            "--mode",
            "AK",
            "--access-key-id",
            "LTAIx",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--access-key-secret") && err.contains("no terminal"),
        "{err}"
    );
    assert!(!h.join(".aliyun/config.json").exists());
}

#[test]
fn flags_the_mode_does_not_use_and_unknown_modes_are_refused() {
    let h = home("refuse");
    let o = credchain(
        &h,
        &[
            "configure",
            "--cloud",
            "alibaba",
            "--profile",
            "p",
            "--mode",
            "External",
            "--process-command",
            "x",
            "--sts-token",
            "t",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--sts-token is not used by mode External"));
    let o = credchain(
        &h,
        &[
            "configure",
            "--cloud",
            "tencent",
            "--profile",
            "p",
            "--mode",
            "AK",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("keys, role"), "{err}");
}

#[test]
fn tencent_sections_are_written_and_comments_kept() {
    let h = home("tc");
    let path = h.join(".tencentcloud/credentials");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "# my notes\n[other]\nsecret_id = AKIDother\nsecret_key = k\n",
    )
    .unwrap();
    ok(&credchain(
        &h,
        &[
            "configure",
            "--cloud",
            "tencent",
            "--profile",
            "default",
            "--mode",
            "keys",
            "--secret-id",
            "AKIDconfigure1",
            "--secret-key",
            SECRET,
        ],
    ));
    ok(&credchain(
        &h,
        &[
            "configure",
            "--cloud",
            "tencent",
            "--profile",
            "dev",
            "--mode",
            "role",
            "--secret-id",
            "AKIDconfigure2",
            "--secret-key",
            SECRET,
            "--role-arn",
            "qcs::cam::uin/1:roleName/dev",
        ],
    ));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("# my notes\n[other]\nsecret_id = AKIDother\n"),
        "{text}"
    );
    #[cfg(unix)]
    assert_eq!(mode_of(&path), 0o600);
    let got: Value = serde_json::from_str(&ok(&credchain(
        &h,
        &[
            "get",
            "--cloud",
            "tencent",
            "--profile",
            "default",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    assert_eq!(got["access_key_id"], "AKIDconfigure1");
    let listed: Value = serde_json::from_str(&ok(&credchain(
        &h,
        &["profiles", "--cloud", "tencent", "--format", "json"],
    )))
    .unwrap();
    let modes: Vec<&str> = listed["files"][0]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["keys", "keys", "role"]);
}
