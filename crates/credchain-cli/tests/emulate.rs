//! `credchain emulate` end to end: the real binary runs the emulator from a config file, and
//! `credchain get` runs resolve every Alibaba and Tencent source through the printed exports.
//! Cleared environment (PATH and a temporary HOME only), loopback only; the emulator process is
//! killed when its guard drops.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use credchain_emulator::routes::{alibaba_sts, tencent_sts};

use common::{alibaba_call, credchain_in, http_exchange, scratch, tencent_call, Guard};

fn home() -> PathBuf {
    scratch("emulate-home")
}

fn credchain() -> Command {
    credchain_in(&home())
}

const CONFIG: &str = r#"
credential_lifetime_seconds = 3600

[alibaba]
ecs_role_name = "FileEcsRole"
access_keys = [{ id = "LTAI5tFromTheFile01", secret = "file-secret-01" }]

[tencent]
cvm_role_name = "FileCvmRole"
secret_keys = [{ id = "AKIDFromTheFile00000000000000001", secret = "file-secret-key-000000000000001" }]

[[faults]]
route = "alibaba.credentials_uri"
status = 503
times = 1

[[faults]]
route = "tencent.sts.assume_role_with_web_identity"
delay_ms = 10
"#;

/// Starts the emulator from `config` and returns it with its exports.
fn emulate(config: &str, name: &str) -> (Guard, HashMap<String, String>) {
    let path = home().join(name);
    std::fs::write(&path, config).unwrap();
    let child = credchain()
        .args(["emulate", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let rx = guard.stdout_lines();
    let mut exports = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while exports.len() < 9 {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("emulate prints its exports");
        if let Some((k, v)) = line
            .strip_prefix("export ")
            .and_then(|kv| kv.split_once('='))
        {
            assert!(v.starts_with("http://127.0.0.1:"), "{line}");
            exports.insert(k.to_string(), v.to_string());
        }
    }
    (guard, exports)
}

fn get(cloud: &str, exports: &[(&str, &str)], extra: &[&str]) -> serde_json::Value {
    let o: Output = credchain()
        .args(["get", "--cloud", cloud, "--format", "json"])
        .args(extra)
        .envs(exports.iter().copied())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "get {cloud} {extra:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn write(name: &str, text: &str) -> String {
    let p = home().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn every_source_resolves_through_the_emulator() {
    let (_guard, ex) = emulate(CONFIG, "emulate.toml");
    let e = |k: &str| ex[k].clone();
    let sts_ali = e("ALIBABA_CLOUD_STS_ENDPOINT");
    let sts_tc = e("TENCENTCLOUD_STS_ENDPOINT");

    // Credentials URI (its first request gets the file's one-shot 503; the retry succeeds).
    let v = get(
        "alibaba",
        &[(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            &e("ALIBABA_CLOUD_CREDENTIALS_URI"),
        )],
        &[],
    );
    assert_eq!(v["provider"], "default/credential_uri");
    assert!(v["access_key_id"].as_str().unwrap().starts_with("STS."));
    assert!(v["security_token"].is_string() && v["expiration"].is_string());

    // ECS instance role (the file's role name), metadata probing enabled for this run.
    let o = credchain()
        .env_remove("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
        .env(
            "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
            e("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT"),
        )
        .args(["get", "--cloud", "alibaba", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["provider"], "default/ecs_ram_role");

    // RAM role ARN with the built-in key and with the key from the file.
    for (id, secret) in [
        (alibaba_sts::ACCESS_KEY_ID, alibaba_sts::ACCESS_KEY_SECRET),
        ("LTAI5tFromTheFile01", "file-secret-01"),
    ] {
        let cfg = write(
            &format!("ram-{id}.json"),
            &serde_json::json!({
                "type": "ram_role_arn", "access_key_id": id, "access_key_secret": secret,
                "role_arn": "acs:ram::123456789012:role/emu", "role_session_name": "emu-session"
            })
            .to_string(),
        );
        let v = get(
            "alibaba",
            &[("ALIBABA_CLOUD_STS_ENDPOINT", &sts_ali)],
            &["--config", &cfg],
        );
        assert_eq!(v["type"], "ram_role_arn");
        assert!(v["security_token"].is_string());
    }

    // RRSA (OIDC) through the default chain.
    let token = write("ali-oidc-token", "emu-oidc-token");
    let v = get(
        "alibaba",
        &[
            ("ALIBABA_CLOUD_STS_ENDPOINT", &sts_ali),
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::123456789012:role/pod"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::123456789012:oidc-provider/ack",
            ),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &token),
        ],
        &[],
    );
    assert_eq!(v["provider"], "default/oidc_role_arn");

    // Tencent CVM role.
    let o = credchain()
        .env_remove("TENCENTCLOUD_METADATA_DISABLED")
        .env(
            "TENCENTCLOUD_METADATA_ENDPOINT",
            e("TENCENTCLOUD_METADATA_ENDPOINT"),
        )
        .args(["get", "--cloud", "tencent", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["provider"], "default/cvm_role");

    // Tencent AssumeRole with the built-in key and with the key from the file.
    for (id, key) in [
        (
            tencent_sts::EMULATOR_SECRET_ID,
            tencent_sts::EMULATOR_SECRET_KEY,
        ),
        (
            "AKIDFromTheFile00000000000000001",
            "file-secret-key-000000000000001",
        ),
    ] {
        let cfg = write(
            &format!("tc-{id}.json"),
            &serde_json::json!({
                "type": "sts_assume_role", "secret_id": id, "secret_key": key,
                "role_arn": "qcs::cam::uin/100000000001:roleName/emu",
                "role_session_name": "emu-session"
            })
            .to_string(),
        );
        let v = get(
            "tencent",
            &[("TENCENTCLOUD_STS_ENDPOINT", &sts_tc)],
            &["--config", &cfg],
        );
        assert_eq!(v["type"], "sts_assume_role");
        assert!(v["security_token"].is_string());
    }

    // TKE OIDC through the default chain.
    let token = write("tke-token", tencent_sts::EMULATOR_WEB_IDENTITY_TOKEN);
    let v = get(
        "tencent",
        &[
            ("TENCENTCLOUD_STS_ENDPOINT", &sts_tc),
            ("TKE_REGION", "ap-guangzhou"),
            ("TKE_PROVIDER_ID", tencent_sts::EMULATOR_OIDC_PROVIDER_ID),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", &token),
            ("TKE_ROLE_ARN", "qcs::cam::uin/100000000001:roleName/emu"),
        ],
        &[],
    );
    assert_eq!(v["provider"], "default/tke_oidc");
}

#[test]
fn faults_from_the_file_are_applied() {
    let config = r#"
[tencent]
cvm_role_name = ""

[[faults]]
route = "alibaba.credentials_uri"
expired_credentials = true
"#;
    let (_guard, ex) = emulate(config, "faults.toml");
    let o = credchain()
        .env(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            &ex["ALIBABA_CLOUD_CREDENTIALS_URI"],
        )
        .args(["get", "--cloud", "alibaba", "--format", "json"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("xpired"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // No CVM role bound: the metadata source fails.
    let o = credchain()
        .env_remove("TENCENTCLOUD_METADATA_DISABLED")
        .env(
            "TENCENTCLOUD_METADATA_ENDPOINT",
            &ex["TENCENTCLOUD_METADATA_ENDPOINT"],
        )
        .args(["get", "--cloud", "tencent", "--format", "json"])
        .output()
        .unwrap();
    assert!(!o.status.success());
}

#[test]
fn a_bad_config_is_an_error_before_listening() {
    let path = home().join("bad.toml");
    std::fs::write(
        &path,
        "[[faults]]\nroute = \"no.such.route\"\nstatus = 500\n",
    )
    .unwrap();
    let o = credchain()
        .args(["emulate", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown route"));
    let o = credchain()
        .args(["emulate", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("loopback"));
}

/// One HTTP/1.1 exchange over a plain socket; returns (status, body).
fn http(endpoint: &str, method: &str, target: &str, body: &[u8]) -> (u16, String) {
    let addr = endpoint.strip_prefix("http://").unwrap();
    let out = http_exchange(addr, method, target, body);
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// An OSS V1 presigned target for the emulator's built-in key, valid for 10 minutes.
fn oss_v1_presigned(method: &str, bucket: &str, key: &str) -> String {
    use credchain_emulator::routes::crypto::{base64, hmac_sha1, percent_encode};
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let string_to_sign = format!("{method}\n\n\n{expires}\n/{bucket}/{key}");
    let signature = base64(&hmac_sha1(
        alibaba_sts::ACCESS_KEY_SECRET.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    format!(
        "/{bucket}/{key}?OSSAccessKeyId={}&Expires={expires}&Signature={}",
        alibaba_sts::ACCESS_KEY_ID,
        percent_encode(&signature, false)
    )
}

#[test]
fn the_exported_bucket_endpoints_hold_objects() {
    let (_guard, ex) = emulate(CONFIG, "buckets.toml");
    let base = &ex["ALIBABA_CLOUD_STS_ENDPOINT"];
    for name in [
        "CREDCHAIN_EMULATOR_OSS_ENDPOINT",
        "CREDCHAIN_EMULATOR_COS_ENDPOINT",
        "CREDCHAIN_EMULATOR_S3_ENDPOINT",
    ] {
        assert_eq!(&ex[name], base, "{name}");
    }
    let oss = &ex["CREDCHAIN_EMULATOR_OSS_ENDPOINT"];
    let put = oss_v1_presigned("PUT", "emu-bucket", "hello.txt");
    assert_eq!(http(oss, "PUT", &put, b"hello bucket").0, 200);
    let got = http(
        oss,
        "GET",
        &oss_v1_presigned("GET", "emu-bucket", "hello.txt"),
        b"",
    );
    assert_eq!(got, (200, "hello bucket".to_string()));
    // The PUT URL does not allow a GET.
    let (status, body) = http(oss, "GET", &put, b"");
    assert_eq!(status, 403);
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
}

/// `call` with these keys against the emulator's base URL; its exit status and stderr.
fn call_with(cloud: &str, base: &str, keys: [(&str, &str); 2]) -> (bool, String) {
    let args = match cloud {
        "alibaba" => alibaba_call(base, "rpc", &[]),
        _ => tencent_call(base, &[]),
    };
    let o = credchain().args(args).envs(keys).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_api_routes_accept_the_keys_of_the_setup_file() {
    let (_emu, exports) = emulate(CONFIG, "api-keys.toml");
    let base = exports["ALIBABA_CLOUD_STS_ENDPOINT"].clone();
    let (ok, err) = call_with(
        "alibaba",
        &base,
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tFromTheFile01"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "file-secret-01"),
        ],
    );
    assert!(ok, "{err}");
    let (ok, err) = call_with(
        "tencent",
        &base,
        [
            ("TENCENTCLOUD_SECRET_ID", "AKIDFromTheFile00000000000000001"),
            ("TENCENTCLOUD_SECRET_KEY", "file-secret-key-000000000000001"),
        ],
    );
    assert!(ok, "{err}");
    // The key is checked, not merely any signature accepted.
    let (ok, _) = call_with(
        "alibaba",
        &base,
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tFromTheFile01"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret"),
        ],
    );
    assert!(!ok);
}

#[cfg(unix)]
#[test]
fn sigterm_is_logged_before_exiting() {
    let mut guard = Guard(
        credchain()
            .args(["emulate", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The first export line means the emulator listens and its signal handlers are installed.
    let mut lines = BufReader::new(guard.0.stdout.take().unwrap()).lines();
    let first = lines
        .find(|l| l.as_ref().is_ok_and(|l| l.starts_with("export ")))
        .expect("emulate prints its exports");
    assert!(first.is_ok());
    guard.signal("TERM");
    let status = guard.wait_exit(Duration::from_secs(30), "emulate on SIGTERM");
    let err = guard.read_stderr();
    assert!(status.success(), "{status:?} {err}");
    assert!(err.contains("received SIGTERM"), "{err:?}");
}
