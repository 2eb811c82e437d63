//! End-to-end tests of settings that must never silently fall back: an explicit `--profile`
//! beats environment keys, an `External` profile that would run itself fails at once, and an
//! unreadable environment value is an error naming the variable. Each run gets a cleared
//! environment (PATH and its own temporary HOME) with metadata probing disabled.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::{credchain_in, fresh_home, output_within_a_minute, write_file, BIN};

/// A fresh HOME for one test.
fn home(test: &str) -> PathBuf {
    fresh_home(&format!("settings-{test}"))
}

/// Runs the binary, bounded (a run that recursed would otherwise go on forever).
fn credchain(home: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Output {
    output_within_a_minute(credchain_in(home).args(args).envs(env.iter().copied()))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

const ALI_ENV_KEYS: [(&str, &str); 2] = [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tEnvKey"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret-value"),
];

fn config_json(profiles: &str, current: &str) -> String {
    format!(r#"{{"current": "{current}", "profiles": [{profiles}]}}"#)
}

const AK_PROFILE: &str = r#"{"name": "prod", "mode": "AK", "access_key_id": "LTAI5tProdKey",
    "access_key_secret": "prod-secret-value"}"#;

fn key_id(o: &Output) -> String {
    let (out, err) = text(o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["access_key_id"].as_str().unwrap().to_string()
}

#[test]
fn explicit_alibaba_profile_beats_environment_keys() {
    let h = home("ali-profile");
    write_file(
        &h.join(".aliyun/config.json"),
        &config_json(AK_PROFILE, "prod"),
    );
    let env: Vec<(&str, &OsStr)> = ALI_ENV_KEYS.iter().map(|(k, v)| (*k, os(v))).collect();
    let get = ["get", "--cloud", "alibaba", "--format", "json"];
    assert_eq!(key_id(&credchain(&h, &get, &env)), "LTAI5tEnvKey");
    let with_flag = [&get[..], &["--profile", "prod"]].concat();
    assert_eq!(key_id(&credchain(&h, &with_flag, &env)), "LTAI5tProdKey");
    // The variable keeps the reference chain's order: environment keys first.
    let mut by_var = env.clone();
    by_var.push(("ALIBABA_CLOUD_PROFILE", os("prod")));
    assert_eq!(key_id(&credchain(&h, &get, &by_var)), "LTAI5tEnvKey");
    // A credentials.ini section is found too.
    write_file(
        &h.join(".alibabacloud/credentials.ini"),
        "[ini-only]\ntype = access_key\naccess_key_id = LTAI5tIniKey\naccess_key_secret = ini-secret\n",
    );
    let ini = [&get[..], &["--profile", "ini-only"]].concat();
    assert_eq!(key_id(&credchain(&h, &ini, &env)), "LTAI5tIniKey");
}

#[test]
fn explicit_profile_that_does_not_exist_is_an_error_saying_where_it_looked() {
    let h = home("ali-missing");
    write_file(
        &h.join(".aliyun/config.json"),
        &config_json(AK_PROFILE, "prod"),
    );
    let env: Vec<(&str, &OsStr)> = ALI_ENV_KEYS.iter().map(|(k, v)| (*k, os(v))).collect();
    let o = credchain(
        &h,
        &["get", "--cloud", "alibaba", "--profile", "nope"],
        &env,
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("'nope'") && err.contains("config.json"),
        "{err}"
    );
    assert!(err.contains("credentials.ini"), "{err}");
    let o = credchain(
        &h,
        &["get", "--cloud", "tencent", "--profile", "nope"],
        &[
            ("TENCENTCLOUD_SECRET_ID", os("AKIDEnvId")),
            ("TENCENTCLOUD_SECRET_KEY", os("env-key")),
        ],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("[nope]") && err.contains(".tencentcloud/credentials"),
        "{err}"
    );
}

#[test]
fn explicit_tencent_profile_beats_environment_keys() {
    let h = home("tc-profile");
    write_file(
        &h.join(".tencentcloud/credentials"),
        "[default]\nsecret_id = AKIDDefault\nsecret_key = default-key\n\
         [prod]\nsecret_id = AKIDProd\nsecret_key = prod-key\n",
    );
    let env = [
        ("TENCENTCLOUD_SECRET_ID", os("AKIDEnvId")),
        ("TENCENTCLOUD_SECRET_KEY", os("env-key")),
    ];
    let get = ["get", "--cloud", "tencent", "--format", "json"];
    assert_eq!(key_id(&credchain(&h, &get, &env)), "AKIDEnvId");
    let with_flag = [&get[..], &["--profile", "prod"]].concat();
    assert_eq!(key_id(&credchain(&h, &with_flag, &env)), "AKIDProd");
}

/// aliyun-cli's `External` mode pointing at `credchain get` while that profile is `current`: the
/// inner credchain would run the same profile's command again, forever.
#[test]
fn external_profile_running_itself_fails_at_once() {
    let h = home("ext-loop");
    let ext = format!(
        r#"{{"name": "ext", "mode": "External",
            "process_command": "{BIN} get --cloud alibaba --format aliyun-external"}}"#
    );
    write_file(
        &h.join(".aliyun/config.json"),
        &config_json(&format!("{ext}, {AK_PROFILE}"), "ext"),
    );
    let started = Instant::now();
    let o = credchain(
        &h,
        &["get", "--cloud", "alibaba", "--format", "aliyun-external"],
        &[],
    );
    let (out, err) = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(err.contains("would run its own command again"), "{err}");
    assert!(err.contains("'ext'") && err.contains("--profile"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
    // The same through an explicit --profile naming the External profile itself.
    let o = credchain(&h, &["get", "--cloud", "alibaba", "--profile", "ext"], &[]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("would run its own command again"));
}

/// The documented safe setup: the command names a profile that is not External.
#[test]
fn external_profile_with_an_explicit_source_profile_works() {
    let h = home("ext-safe");
    let ext = format!(
        r#"{{"name": "ext", "mode": "External",
            "process_command": "{BIN} get --cloud alibaba --profile prod --format aliyun-external"}}"#
    );
    write_file(
        &h.join(".aliyun/config.json"),
        &config_json(&format!("{ext}, {AK_PROFILE}"), "ext"),
    );
    let o = credchain(&h, &["get", "--cloud", "alibaba", "--format", "json"], &[]);
    assert_eq!(key_id(&o), "LTAI5tProdKey");
}

#[cfg(unix)]
#[test]
fn non_utf8_environment_values_are_errors_naming_the_variable() {
    use std::os::unix::ffi::OsStrExt;
    let h = home("non-utf8");
    let bad = OsStr::from_bytes(b"s3cr\xffet");
    for (var, args) in [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ["get", "--cloud", "alibaba"]),
        (
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
            ["get", "--cloud", "alibaba"],
        ),
        ("TENCENTCLOUD_SECRET_KEY", ["get", "--cloud", "tencent"]),
        (
            "TENCENTCLOUD_METADATA_DISABLED",
            ["get", "--cloud", "tencent"],
        ),
    ] {
        let o = credchain(&h, &args, &[(var, bad)]);
        let (_, err) = text(&o);
        assert!(!o.status.success(), "{var}");
        assert!(err.contains(var) && err.contains("UTF-8"), "{var}: {err}");
        assert!(!err.contains("s3cr"), "{err}");
    }
    // The headline case: a non-UTF-8 STS endpoint override never falls back to the public host.
    let cfg = h.join("ram.json");
    write_file(
        &cfg,
        r#"{"type": "ram_role_arn", "access_key_id": "LTAI5tSrc", "access_key_secret": "src-secret",
            "role_arn": "acs:ram::1:role/r"}"#,
    );
    let o = credchain(
        &h,
        &[
            "get",
            "--cloud",
            "alibaba",
            "--config",
            cfg.to_str().unwrap(),
        ],
        &[("ALIBABA_CLOUD_STS_ENDPOINT", bad)],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("ALIBABA_CLOUD_STS_ENDPOINT"), "{err}");
    assert!(!err.contains("aliyuncs.com"), "{err}");
}
