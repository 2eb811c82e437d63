//! End-to-end tests of `credchain whoami`: the real binary with a cleared environment (PATH and a
//! temporary HOME, metadata probing off) against an in-process emulator on loopback, which answers
//! GetCallerIdentity for its long-term keys and for the credentials it issued.

mod common;

use std::process::Output;

use credchain_emulator::routes::alibaba_sts::{ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use credchain_emulator::routes::caller_identity::{ALIBABA_ACCOUNT_ID, TENCENT_ACCOUNT_UIN};
use credchain_emulator::routes::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use serde_json::json;

use common::{ok_json, run_in, scratch, Emu};

fn credchain(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(&scratch("whoami-home"), args, env)
}

#[test]
fn alibaba_long_term_key_is_the_account_root() {
    let emu = Emu::start();
    let url = emu.url();
    let o = credchain(
        &["whoami", "--cloud", "alibaba", "--format", "json"],
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET),
            ("ALIBABA_CLOUD_STS_ENDPOINT", &url),
        ],
    );
    let v = ok_json(&o);
    assert_eq!(v["cloud"], "alibaba");
    assert_eq!(v["account_id"], ALIBABA_ACCOUNT_ID);
    assert_eq!(v["identity_type"], "Account");
    assert_eq!(v["arn"], format!("acs:ram::{ALIBABA_ACCOUNT_ID}:root"));
    assert!(v["provider"].as_str().unwrap().contains("env"), "{v}");
    assert!(!String::from_utf8_lossy(&o.stdout).contains(ACCESS_KEY_SECRET));
}

#[test]
fn alibaba_assumed_role_shows_the_role_and_session() {
    let emu = Emu::start();
    let url = emu.url();
    let config = json!({
        "type": "ram_role_arn",
        "access_key_id": ACCESS_KEY_ID,
        "access_key_secret": ACCESS_KEY_SECRET,
        "role_arn": "acs:ram::1357924680:role/ops-reader",
        "role_session_name": "whoami-test",
    })
    .to_string();
    let o = credchain(
        &[
            "whoami", "--cloud", "alibaba", "--config", &config, "--format", "json",
        ],
        &[("ALIBABA_CLOUD_STS_ENDPOINT", &url)],
    );
    let v = ok_json(&o);
    assert_eq!(v["account_id"], "1357924680");
    assert_eq!(v["identity_type"], "AssumedRoleUser");
    assert_eq!(
        v["arn"],
        "acs:ram::1357924680:assumed-role/ops-reader/whoami-test"
    );
    assert!(
        v["provider"].as_str().unwrap().contains("ram_role_arn"),
        "{v}"
    );
}

#[test]
fn alibaba_table_has_labels_and_no_secret() {
    let emu = Emu::start();
    let url = emu.url();
    let o = credchain(
        &[
            "whoami",
            "--cloud",
            "alibaba",
            "--format",
            "table",
            "--endpoint",
            &url,
        ],
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    for label in ["AccountId", "Arn", "IdentityType", "Credentials from"] {
        assert!(text.contains(label), "{label} missing: {text}");
    }
    assert!(
        !text.contains(ACCESS_KEY_SECRET) && !text.contains('{'),
        "{text}"
    );
}

#[test]
fn tencent_long_term_key_is_the_root_account() {
    let emu = Emu::start();
    let url = emu.url();
    let v = ok_json(&credchain(
        &["whoami", "--cloud", "tencent"],
        &[
            ("TENCENTCLOUD_SECRET_ID", EMULATOR_SECRET_ID),
            ("TENCENTCLOUD_SECRET_KEY", EMULATOR_SECRET_KEY),
            ("TENCENTCLOUD_STS_ENDPOINT", &url),
        ],
    ));
    assert_eq!(v["cloud"], "tencent");
    assert_eq!(v["account_id"], TENCENT_ACCOUNT_UIN);
    assert_eq!(v["identity_type"], "RootAccount");
}

#[test]
fn tencent_assumed_role_shows_the_role() {
    let emu = Emu::start();
    let url = emu.url();
    let config = json!({
        "type": "sts_assume_role",
        "secret_id": EMULATOR_SECRET_ID,
        "secret_key": EMULATOR_SECRET_KEY,
        "role_arn": "qcs::cam::uin/2468013579:roleName/dev-role",
        "role_session_name": "tc-whoami",
        "endpoint": url,
    })
    .to_string();
    let v = ok_json(&credchain(
        &[
            "whoami",
            "--cloud",
            "tencent",
            "--config",
            &config,
            "--endpoint",
            &url,
        ],
        &[],
    ));
    assert_eq!(v["account_id"], "2468013579");
    assert_eq!(v["identity_type"], "CAMRole");
    assert_eq!(
        v["arn"],
        "qcs::sts:2468013579:assumed-role/dev-role/tc-whoami"
    );
}

#[test]
fn an_unknown_key_fails_with_the_service_code_and_no_secret() {
    let emu = Emu::start();
    let url = emu.url();
    let secret = "NotKnownSecretValue123456";
    let o = credchain(
        &["whoami", "--cloud", "alibaba", "--endpoint", &url],
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tUnknownKey000"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("InvalidAccessKeyId.NotFound"), "{err}");
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(!err.contains(secret), "{err}");
}

#[test]
fn help_lists_examples_env_and_exit_codes() {
    let o = credchain(&["whoami", "--help"], &[]);
    let text = String::from_utf8_lossy(&o.stdout);
    for part in [
        "Examples:",
        "ALIBABA_CLOUD_STS_ENDPOINT",
        "TENCENTCLOUD_STS_ENDPOINT",
        "Exit status:",
    ] {
        assert!(text.contains(part), "{part} missing: {text}");
    }
}
