//! End-to-end tests of `credchain doctor`: off sources with what turns them on, the winner and
//! why, `--profile`, `--format json`. The real binary, cleared environment, temporary HOME,
//! metadata probing disabled (so nothing leaves the machine).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::{fresh_home, json_of, run_in};

fn home(name: &str) -> PathBuf {
    fresh_home(&format!("doctor-{name}"))
}

fn credchain(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(home, args, env)
}

fn names_and_status(cloud: &Value) -> Vec<(String, String)> {
    cloud["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["status"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn every_alibaba_source_is_listed_with_why_it_is_off() {
    let h = home("off");
    let o = credchain(&h, &["doctor", "--cloud", "alibaba"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("off: RRSA: set ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE"),
        "{out}"
    );
    assert!(
        out.contains("off: set ALIBABA_CLOUD_CREDENTIALS_URI"),
        "{out}"
    );
    assert!(
        out.contains("ALIBABA_CLOUD_ECS_METADATA_DISABLED is true"),
        "{out}"
    );
    let v = json_of(&credchain(
        &h,
        &["doctor", "--cloud", "alibaba", "--format", "json"],
        &[],
    ));
    let got = names_and_status(&v["clouds"][0]);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "env",
            "oidc_role_arn",
            "cli_profile",
            "profile",
            "ecs_ram_role",
            "credential_uri"
        ]
    );
    assert_eq!(got[1].1, "off");
    assert_eq!(got[0].1, "not_configured");
    assert_eq!(v["clouds"][0]["resolved"], false);
    assert_eq!(v["clouds"][0]["winner"], Value::Null);
}

#[test]
fn the_nothing_configured_sentence_says_it_once() {
    let h = home("once");
    let o = credchain(&h, &["doctor"], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches("No source is configured").count(), 2, "{out}");
    assert!(
        !out.contains("configure credentials: configure credentials"),
        "{out}"
    );
}

#[test]
fn reference_wordings_are_followed_by_what_to_set() {
    let h = home("hints");
    let o = credchain(&h, &["doctor", "--cloud", "alibaba"], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "Environment variable accessKeyId cannot be empty; set ALIBABA_CLOUD_ACCESS_KEY_ID"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "create ~/.alibabacloud/credentials.ini, or set ALIBABA_CLOUD_CREDENTIALS_FILE"
        ),
        "{out}"
    );
}

#[test]
fn the_winner_is_named_with_why() {
    let h = home("win");
    let o = credchain(
        &h,
        &["doctor", "--cloud", "tencent", "--format", "json"],
        &[
            ("TENCENTCLOUD_SECRET_ID", "AKIDdoctorTest1234"),
            ("TENCENTCLOUD_SECRET_KEY", "doctorSecretValue99"),
        ],
    );
    assert!(o.status.success());
    let v = json_of(&o);
    let c = &v["clouds"][0];
    assert_eq!(c["winner"], "env");
    assert!(
        c["verdict"].as_str().unwrap().contains("first source"),
        "{c}"
    );
    assert_eq!(c["sources"][0]["key_id"], "****1234");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("doctorSecretValue99"));
}

#[test]
fn profile_diagnoses_that_profile_only() {
    let h = home("profile");
    std::fs::create_dir_all(h.join(".aliyun")).unwrap();
    std::fs::write(
        h.join(".aliyun/config.json"),
        r#"{"current": "default", "profiles": [
            {"name": "default", "mode": "AK", "access_key_id": "LTAIdefault0001", "access_key_secret": "s1"},
            {"name": "ops", "mode": "AK", "access_key_id": "LTAIopsKey0002", "access_key_secret": "s2"}
        ]}"#,
    )
    .unwrap();
    // Environment keys do not win over --profile.
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenvKey0003"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s3"),
    ];
    let o = credchain(
        &h,
        &[
            "doctor",
            "--cloud",
            "alibaba",
            "--profile",
            "ops",
            "--format",
            "json",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let v = json_of(&o);
    let c = &v["clouds"][0];
    assert_eq!(c["profile"], "ops");
    assert_eq!(c["sources"].as_array().unwrap().len(), 1);
    assert_eq!(c["sources"][0]["key_id"], "****0002");
    assert!(c["verdict"].as_str().unwrap().contains("--profile"), "{c}");

    let o = credchain(
        &h,
        &["doctor", "--cloud", "alibaba", "--profile", "nope"],
        &env,
    );
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("profile 'nope'") && out.contains("ERROR"),
        "{out}"
    );
    assert!(out.contains("credchain profiles --cloud alibaba"), "{out}");
}

#[test]
fn profile_needs_a_cloud() {
    let h = home("usage");
    let o = credchain(&h, &["doctor", "--profile", "x"], &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_lists_examples_env_and_exit_codes() {
    let h = home("help");
    let out =
        String::from_utf8_lossy(&credchain(&h, &["doctor", "--help"], &[]).stdout).to_string();
    for part in [
        "Examples:",
        "--profile ops",
        "TENCENTCLOUD_METADATA_DISABLED",
        "Exit status:",
    ] {
        assert!(out.contains(part), "{part} missing: {out}");
    }
}
