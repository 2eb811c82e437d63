//! No secret in any output of the real binary at `-vv` and `RUST_LOG=trace`: `get`, `doctor`,
//! `exec`, `call` and `serve` against the in-process emulator, with good and bad credentials,
//! `user:password@` URLs and inline `--config` JSON. Every known secret (source keys, issued keys
//! and tokens, OIDC tokens, passwords) is looked for raw and percent-encoded (once and twice) in
//! stderr, and in stdout except where printing credentials is the command's job.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use credchain::redact;
use credchain_emulator::routes::alibaba_sts::{ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use credchain_emulator::routes::tencent_sts::{
    EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY, EMULATOR_WEB_IDENTITY_TOKEN,
};

use common::{alibaba_call, credchain_in, http_exchange, scratch, tencent_call, Emu, Guard};

/// Every secret the emulator handed out so far.
fn issued_secrets(emu: &Emu) -> Vec<String> {
    emu.emu()
        .issued()
        .into_iter()
        .flat_map(|c| [c.access_key_secret, c.security_token])
        .collect()
}

/// Secrets that are not the emulator's issued credentials.
const SOURCE_TOKEN: &str = "SourceToken+Leak/Check0123456789==";
const WRONG_SECRET: &str = "WrongSecretLeakCheck0123";
const URL_PASSWORD: &str = "UrlPasswordLeakCheck42";
const INLINE_SECRET: &str = "InlineConfigSecret0123456789";

fn known_secrets(emu: &Emu) -> Vec<String> {
    let mut s: Vec<String> = [
        ACCESS_KEY_SECRET,
        EMULATOR_SECRET_KEY,
        EMULATOR_WEB_IDENTITY_TOKEN,
        SOURCE_TOKEN,
        WRONG_SECRET,
        URL_PASSWORD,
        INLINE_SECRET,
        "987654321987",
    ]
    .map(String::from)
    .to_vec();
    s.extend(issued_secrets(emu));
    s
}

fn credchain() -> Command {
    credchain_in(&scratch("leaks-home"))
}

/// Runs `args` twice: with `-vv`, and with `RUST_LOG=trace` (every crate's trace output).
fn run_verbose(env: &[(&str, String)], args: &[&str]) -> Vec<Output> {
    let mut outs = Vec::new();
    for trace_all in [false, true] {
        let mut cmd = credchain();
        cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        if trace_all {
            cmd.env("RUST_LOG", "trace").args(args);
        } else {
            cmd.arg("-vv").args(args);
        }
        outs.push(cmd.output().expect("credchain runs"));
    }
    outs
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// Fails naming the secret's position (never the secret) when `out` holds one.
fn assert_clean(what: &str, out: &str, secrets: &[String]) {
    for (i, s) in secrets.iter().enumerate() {
        assert!(
            !redact::contains_any(out, [s.as_str()]),
            "{what}: known secret #{i} appears in the output:\n{}",
            redact::remove_values(out, secrets.iter().map(String::as_str))
        );
    }
}

fn ram_role_config(secret: &str, token: Option<&str>) -> String {
    let mut v = serde_json::json!({
        "type": "ram_role_arn",
        "access_key_id": ACCESS_KEY_ID,
        "access_key_secret": secret,
        "role_arn": "acs:ram::123456789012:role/emulator",
    });
    if let Some(t) = token {
        v["security_token"] = t.into();
    }
    v.to_string()
}

#[test]
fn get_prints_credentials_on_stdout_only_and_logs_none() {
    let emu = Emu::start();
    let env = [("ALIBABA_CLOUD_STS_ENDPOINT", emu.url())];
    let config = ram_role_config(ACCESS_KEY_SECRET, None);
    for o in run_verbose(
        &env,
        &[
            "get", "--cloud", "alibaba", "--format", "json", "--config", &config,
        ],
    ) {
        assert!(o.status.success(), "{}", text(&o.stderr));
        let issued = issued_secrets(&emu);
        // `get --format json` prints the issued credentials: that is its job.
        let out = text(&o.stdout);
        assert!(
            issued.iter().any(|s| out.contains(s.as_str())),
            "get --format json printed no issued secret: {}",
            redact::remove_values(&out, issued.iter().map(String::as_str))
        );
        assert_clean("get stderr", &text(&o.stderr), &known_secrets(&emu));
    }
}

#[test]
fn a_signature_mismatch_echoing_the_source_token_reaches_no_output() {
    let emu = Emu::start();
    let env = [("ALIBABA_CLOUD_STS_ENDPOINT", emu.url())];
    let config = ram_role_config(WRONG_SECRET, Some(SOURCE_TOKEN));
    for o in run_verbose(&env, &["get", "--cloud", "alibaba", "--config", &config]) {
        assert!(!o.status.success());
        let err = text(&o.stderr);
        assert!(err.contains("SignatureDoesNotMatch"), "{err}");
        assert!(!err.contains("SecurityToken"), "{err}");
        assert_clean("get stdout", &text(&o.stdout), &known_secrets(&emu));
        assert_clean("get stderr", &err, &known_secrets(&emu));
    }
}

#[test]
fn doctor_never_shows_url_passwords_secret_paths_or_keys() {
    let emu = Emu::start();
    let secret_path = "Zq3xW9vT2kLm8NpR4sYb";
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID.to_string()),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            ACCESS_KEY_SECRET.to_string(),
        ),
        (
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            format!("http://leakuser:{URL_PASSWORD}@127.0.0.1:1/{secret_path}?token=x"),
        ),
        ("TENCENTCLOUD_SECRET_ID", EMULATOR_SECRET_ID.to_string()),
        ("TENCENTCLOUD_SECRET_KEY", EMULATOR_SECRET_KEY.to_string()),
    ];
    for o in run_verbose(&env, &["doctor"]) {
        let mut secrets = known_secrets(&emu);
        secrets.push(secret_path.into());
        secrets.push("leakuser".into());
        assert_clean("doctor stdout", &text(&o.stdout), &secrets);
        assert_clean("doctor stderr", &text(&o.stderr), &secrets);
    }
}

#[test]
fn exec_and_call_log_no_secret() {
    let emu = Emu::start();
    let env = [
        ("ALIBABA_CLOUD_STS_ENDPOINT", emu.url()),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID.to_string()),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            ACCESS_KEY_SECRET.to_string(),
        ),
        ("TENCENTCLOUD_SECRET_ID", EMULATOR_SECRET_ID.to_string()),
        ("TENCENTCLOUD_SECRET_KEY", EMULATOR_SECRET_KEY.to_string()),
    ];
    let config = ram_role_config(ACCESS_KEY_SECRET, None);
    for o in run_verbose(
        &env,
        &[
            "exec", "--cloud", "alibaba", "--config", &config, "--", "true",
        ],
    ) {
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_clean("exec stdout", &text(&o.stdout), &known_secrets(&emu));
        assert_clean("exec stderr", &text(&o.stderr), &known_secrets(&emu));
    }
    let base = emu.url();
    let calls = [alibaba_call(&base, "rpc", &[]), tencent_call(&base, &[])];
    for args in calls {
        for o in run_verbose(&env, &args) {
            assert!(o.status.success(), "{}", text(&o.stderr));
            assert_clean("call stdout", &text(&o.stdout), &known_secrets(&emu));
            assert_clean("call stderr", &text(&o.stderr), &known_secrets(&emu));
        }
    }
    // A call signed with a wrong secret: the emulator echoes its string to sign.
    let wrong = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID.to_string()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", WRONG_SECRET.to_string()),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", SOURCE_TOKEN.to_string()),
    ];
    for o in run_verbose(&wrong, &alibaba_call(&base, "rpc", &[])) {
        assert!(!o.status.success());
        assert_clean("call stdout", &text(&o.stdout), &known_secrets(&emu));
        assert_clean("call stderr", &text(&o.stderr), &known_secrets(&emu));
    }
}

fn http_get(addr: &str, path: &str) -> String {
    http_exchange(addr, "GET", path, b"")
}

#[test]
fn serve_logs_and_500_bodies_hold_no_secret() {
    let emu = Emu::start();
    for (source, token) in [
        (ACCESS_KEY_SECRET, None),
        (WRONG_SECRET, Some(SOURCE_TOKEN)),
    ] {
        let config = ram_role_config(source, token);
        let mut cmd = credchain();
        cmd.env("ALIBABA_CLOUD_STS_ENDPOINT", emu.url())
            .env("RUST_LOG", "trace")
            .args(["serve", "--cloud", "alibaba", "--config", &config])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut guard = Guard(cmd.spawn().unwrap());
        let Some(url) = guard.served_url(Duration::from_secs(30)) else {
            // A source rejected at start (wrong secret) ends serve before it listens.
            let _ = guard.0.wait();
            let err = guard.read_stderr();
            assert!(token.is_some(), "serve did not start: {err}");
            assert_clean("serve stderr", &err, &known_secrets(&emu));
            continue;
        };
        let rest = url.strip_prefix("http://").unwrap();
        let (addr, path) = rest.split_at(rest.find('/').unwrap());
        let answer = http_get(addr, path);
        if token.is_none() {
            assert!(answer.contains("200 OK"), "{answer}");
        } else {
            assert_clean("serve body", &answer, &known_secrets(&emu));
        }
        // A wrong path is a 404 whose body never shows the real path.
        let miss = http_get(addr, &format!("{path}x"));
        assert!(miss.contains("404"), "{miss}");
        assert!(!miss.contains(&path[1..]), "{miss}");
        guard.stop();
        let err = guard.read_stderr();
        assert!(!err.contains(&path[1..]), "the serve path is logged");
        assert_clean("serve stderr", &err, &known_secrets(&emu));
    }
}

/// A refresh that fails with a message echoing a string to sign (as Alibaba STS does): the
/// `serve` HTTP 500 body and its log carry neither the token nor the string to sign.
#[test]
fn serve_500_body_and_log_drop_an_echoed_string_to_sign() {
    let emu = Emu::start();
    emu.emu().set_credential_lifetime(Duration::from_secs(1));
    let mut cmd = credchain();
    cmd.env(
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        format!("{}/credentials-uri", emu.url()),
    )
    .args(["-vv", "serve", "--cloud", "alibaba"])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut guard = Guard(cmd.spawn().unwrap());
    let url = guard
        .served_url(Duration::from_secs(30))
        .expect("serve prints its export line");
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    let echo = format!(
        r#"{{"Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:GET&%2F&SecurityToken%3D{}","RequestId":"R1"}}"#,
        SOURCE_TOKEN.replace('+', "%252B").replace('/', "%252F")
    );
    emu.emu().set_fault(
        credchain_emulator::routes::ALIBABA_CREDENTIALS_URI,
        credchain_emulator::Fault::status_with_body(400, echo),
    );
    // Let the served credentials expire, so the next read must refresh (and fail).
    std::thread::sleep(Duration::from_millis(1500));
    let answer = http_get(addr, path);
    assert!(answer.contains("500"), "{answer}");
    assert!(answer.contains("SignatureDoesNotMatch"), "{answer}");
    assert!(!answer.contains("SecurityToken"), "{answer}");
    guard.stop();
    let err = guard.read_stderr();
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");
    assert!(!err.contains("SecurityToken"), "{err}");
    for out in [&answer, &err] {
        assert_clean("serve", out, &known_secrets(&emu));
    }
}

#[test]
fn inline_config_json_is_accepted_and_never_echoed() {
    let emu = Emu::start();
    let good = serde_json::json!({
        "type": "access_key",
        "access_key_id": "LTAIinline",
        "access_key_secret": INLINE_SECRET,
    })
    .to_string();
    let o = credchain()
        .args([
            "get", "--cloud", "alibaba", "--format", "json", "--config", &good,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("LTAIinline"));
    // Leading whitespace is allowed before the brace.
    let spaced = format!("  {good}");
    let o = credchain()
        .args([
            "get", "--cloud", "alibaba", "--format", "json", "--config", &spaced,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let bad = [
        // A wrong type: serde would quote the number.
        r#"{"type":"access_key","access_key_id":"LTAIinline","access_key_secret":987654321987}"#
            .to_string(),
        // Not JSON at all after the brace.
        format!(r#"{{"type":"access_key","access_key_secret":"{INLINE_SECRET}""#),
        // Unknown field next to a secret.
        format!(r#"{{"type":"access_key","access_key_secret":"{INLINE_SECRET}","bogus":1}}"#),
    ];
    for config in &bad {
        for cloud in ["alibaba", "tencent"] {
            let o = credchain()
                .args(["get", "--cloud", cloud, "--config", config])
                .output()
                .unwrap();
            assert!(!o.status.success());
            let err = text(&o.stderr);
            assert!(err.contains("inline --config JSON"), "{err}");
            assert!(
                !err.contains('{') || !err.contains("access_key_secret\":"),
                "{err}"
            );
            assert_clean("get --config stderr", &err, &known_secrets(&emu));
        }
    }
}

#[test]
fn huge_and_multiline_env_values_are_bounded() {
    let big = format!("SeCrEtStart{}\nsecond line", "A".repeat(130_000));
    for var in [
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        "ALIBABA_CLOUD_CONFIG_FILE",
        "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
        "TENCENTCLOUD_CREDENTIALS_FILE",
    ] {
        let mut cmd = credchain();
        cmd.env(var, &big);
        if var == "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT" {
            // The probe goes to the (invalid, huge) override, never to a real metadata host.
            cmd.env_remove("ALIBABA_CLOUD_ECS_METADATA_DISABLED");
        }
        let o = cmd.arg("doctor").output().unwrap();
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(all.len() < 20_000, "{var}: {} bytes of output", all.len());
        assert!(
            !all.contains("second line"),
            "{var}: the value's second line is printed"
        );
    }
}
