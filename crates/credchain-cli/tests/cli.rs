//! End-to-end tests of the real `credchain` binary. Each run gets a cleared environment (only
//! PATH and a temporary HOME) with metadata probing disabled, so nothing outside loopback is
//! reached and the developer's own credentials are never read.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{run_in, scratch, stderr, stdout};

fn credchain(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(&scratch("cli-home"), args, env)
}

const ALI: [(&str, &str); 3] = [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tCliTestKey"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "cli-test-secret-value"),
    ("ALIBABA_CLOUD_SECURITY_TOKEN", "cli-test-token-value"),
];

#[test]
fn get_json_prints_exactly_one_object() {
    let o = credchain(&["get", "--cloud", "alibaba", "--format", "json"], &ALI);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_key_id",
            "access_key_secret",
            "bearer_token",
            "expiration",
            "provider",
            "security_token",
            "type"
        ]
    );
    assert_eq!(v["access_key_id"], "LTAI5tCliTestKey");
    assert_eq!(v["access_key_secret"], "cli-test-secret-value");
    assert_eq!(v["security_token"], "cli-test-token-value");
    assert_eq!(v["provider"], "default/env");
    assert_eq!(v["type"], "default");
    assert!(v["expiration"].is_null() && v["bearer_token"].is_null());
}

#[test]
fn get_env_uses_the_clouds_own_names() {
    let o = credchain(
        &["get", "--cloud", "tencent", "--format", "env"],
        &[
            ("TENCENTCLOUD_SECRET_ID", "AKIDcli"),
            ("TENCENTCLOUD_SECRET_KEY", "cli-key"),
            ("TENCENTCLOUD_TOKEN", "tok"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("export TENCENTCLOUD_SECRET_ID='AKIDcli'"));
    assert!(out.contains("export TENCENTCLOUD_SECRET_KEY='cli-key'"));
    assert!(out.contains("export TENCENTCLOUD_SESSION_TOKEN='tok'"));
    assert!(out.contains("export TENCENTCLOUD_TOKEN='tok'"));
}

#[test]
fn get_table_redacts_secrets() {
    let o = credchain(&["get", "--cloud", "alibaba", "--format", "table"], &ALI);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("LTAI5tCliTestKey"));
    assert!(
        !out.contains("cli-test-secret-value") && !out.contains("cli-test-token-value"),
        "{out}"
    );
}

#[test]
fn get_with_config_file() {
    let path: PathBuf =
        std::env::temp_dir().join(format!("credchain-cli-cfg-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"type":"sts","access_key_id":"STS.cfg","access_key_secret":"cfg-secret","security_token":"cfg-token"}"#,
    )
    .unwrap();
    let o = credchain(
        &[
            "get",
            "--cloud",
            "alibaba",
            "--config",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["type"].as_str(), v["provider"].as_str()),
        (Some("sts"), Some("static_sts"))
    );
    std::fs::remove_file(&path).ok();
}

#[test]
fn get_failure_is_one_paragraph_without_secrets() {
    let o = credchain(
        &["get", "--cloud", "tencent", "--format", "json"],
        &[
            ("TENCENTCLOUD_SECRET_ID", "AKIDcli"),
            ("TENCENTCLOUD_SECRET_KEY", " padded-secret-key"),
        ],
    );
    assert!(!o.status.success());
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("secret key should not contain spaces"),
        "{err}"
    );
    assert!(!err.contains("padded-secret-key"));
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn get_nothing_configured_says_how_to_fix() {
    let o = credchain(&["get", "--cloud", "alibaba", "--format", "json"], &[]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("set ALIBABA_CLOUD_ACCESS_KEY_ID"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_config_file_names_the_file() {
    let o = credchain(
        &[
            "get",
            "--cloud",
            "tencent",
            "--config",
            "/nonexistent/credchain.json",
        ],
        &[],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("/nonexistent/credchain.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn doctor_emulator_resolves_both_clouds() {
    let o = credchain(&["doctor", "--emulator"], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Alibaba Cloud default chain") && out.contains("Tencent Cloud default chain")
    );
    assert_eq!(out.matches("Winner:").count(), 2, "{out}");
    // Every source of both chains resolves against the emulator (6 Alibaba + 5 Tencent), and so
    // do the sample's named profiles (External, OAuth, CloudSSO, rsa_key_pair).
    assert_eq!(out.matches("found: key").count(), 15, "{out}");
    for via in [
        "cli_profile/external",
        "cli_profile/oauth",
        "cli_profile/cloud_sso",
        "profile/rsa_key_pair",
    ] {
        assert!(out.contains(via), "{via} missing: {out}");
    }
    assert!(
        !out.contains("ERROR") && !out.contains("not configured"),
        "{out}"
    );
    for source in [
        "oidc_role_arn",
        "cli_profile",
        "ecs_ram_role",
        "tke_oidc",
        "tccli",
        "cvm_role",
    ] {
        assert!(out.contains(source), "{source} missing: {out}");
    }
    assert!(out.contains("127.0.0.1"));
    assert!(
        !out.contains("sample-env-secret-not-real") && !out.contains("sample-env-key-not-real")
    );
}

#[test]
fn doctor_with_nothing_configured_explains() {
    let o = credchain(&["doctor"], &[]);
    assert!(!o.status.success());
    let out = stdout(&o);
    assert_eq!(out.matches("No source is configured").count(), 2, "{out}");
    assert!(out.contains("TENCENTCLOUD_SECRET_ID"));
}
