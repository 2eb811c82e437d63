//! No secret in any output of the real binary at `-vv` and `RUST_LOG=trace`: `get`, `doctor`,
//! `exec`, `call` and `serve` against the in-process emulator, with good and bad credentials,
//! `user:password@` URLs and inline `--config` JSON. Every known secret (source keys, issued keys
//! and tokens, OIDC tokens, passwords) is looked for raw and percent-encoded (once and twice) in
//! stderr, and in stdout except where printing credentials is the command's job.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use credchain::redact;
use credchain_emulator::routes::alibaba_sts::{ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use credchain_emulator::routes::tencent_sts::{
    EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY, EMULATOR_WEB_IDENTITY_TOKEN,
};
use credchain_emulator::Emulator;

/// An emulator on its own runtime, alive for the whole test.
struct Emu {
    emu: Option<Emulator>,
    rt: tokio::runtime::Runtime,
}

impl Emu {
    fn start() -> Emu {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt.block_on(Emulator::start()).unwrap();
        Emu { emu: Some(emu), rt }
    }
    fn emu(&self) -> &Emulator {
        self.emu.as_ref().unwrap()
    }
    fn base(&self) -> String {
        self.emu().base_url()
    }
    /// Every secret the emulator handed out so far.
    fn issued_secrets(&self) -> Vec<String> {
        self.emu()
            .issued()
            .into_iter()
            .flat_map(|c| [c.access_key_secret, c.security_token])
            .collect()
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(e) = self.emu.take() {
            self.rt.block_on(e.shutdown());
        }
    }
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
    s.extend(emu.issued_secrets());
    s
}

fn credchain() -> Command {
    let home = std::env::temp_dir().join(format!("credchain-leaks-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_credchain"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env("TENCENTCLOUD_METADATA_DISABLED", "true");
    cmd
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
    let env = [("ALIBABA_CLOUD_STS_ENDPOINT", emu.base())];
    let config = ram_role_config(ACCESS_KEY_SECRET, None);
    for o in run_verbose(
        &env,
        &["get", "--cloud", "alibaba", "--format", "json", "--config", &config],
    ) {
        assert!(o.status.success(), "{}", text(&o.stderr));
        let issued = emu.issued_secrets();
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
    let env = [("ALIBABA_CLOUD_STS_ENDPOINT", emu.base())];
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
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET.to_string()),
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
        ("ALIBABA_CLOUD_STS_ENDPOINT", emu.base()),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID.to_string()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET.to_string()),
        ("TENCENTCLOUD_SECRET_ID", EMULATOR_SECRET_ID.to_string()),
        ("TENCENTCLOUD_SECRET_KEY", EMULATOR_SECRET_KEY.to_string()),
    ];
    let config = ram_role_config(ACCESS_KEY_SECRET, None);
    for o in run_verbose(
        &env,
        &["exec", "--cloud", "alibaba", "--config", &config, "--", "true"],
    ) {
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_clean("exec stdout", &text(&o.stdout), &known_secrets(&emu));
        assert_clean("exec stderr", &text(&o.stderr), &known_secrets(&emu));
    }
    let base = emu.base();
    let calls: [Vec<&str>; 2] = [
        vec![
            "call", "alibaba", "--endpoint", &base, "--action", "DescribeRegions", "--version",
            "2014-05-26", "--style", "rpc",
        ],
        vec![
            "call", "tencent", "--endpoint", &base, "--service", "cvm", "--region",
            "ap-guangzhou", "--action", "DescribeInstances", "--version", "2017-03-12",
        ],
    ];
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
    let args = [
        "call", "alibaba", "--endpoint", &base, "--action", "DescribeRegions", "--version",
        "2014-05-26", "--style", "rpc",
    ];
    for o in run_verbose(&wrong, &args) {
        assert!(!o.status.success());
        assert_clean("call stdout", &text(&o.stdout), &known_secrets(&emu));
        assert_clean("call stderr", &text(&o.stderr), &known_secrets(&emu));
    }
}

/// Kills and reaps the child when dropped (also when a test fails).
struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn serve_logs_and_500_bodies_hold_no_secret() {
    let emu = Emu::start();
    for (source, token) in [(ACCESS_KEY_SECRET, None), (WRONG_SECRET, Some(SOURCE_TOKEN))] {
        let config = ram_role_config(source, token);
        let mut cmd = credchain();
        cmd.env("ALIBABA_CLOUD_STS_ENDPOINT", emu.base())
            .env("RUST_LOG", "trace")
            .args(["serve", "--cloud", "alibaba", "--config", &config])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut guard = Guard(cmd.spawn().unwrap());
        let stdout = guard.0.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
            // A source rejected at start (wrong secret) ends serve before it listens.
            let _ = guard.0.wait();
            let mut err = String::new();
            let _ = guard.0.stderr.take().unwrap().read_to_string(&mut err);
            assert!(token.is_some(), "serve did not start: {err}");
            assert_clean("serve stderr", &err, &known_secrets(&emu));
            continue;
        };
        let url = line.split_once('=').unwrap().1.to_string();
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
        let _ = guard.0.kill();
        let _ = guard.0.wait();
        let mut err = String::new();
        let _ = guard.0.stderr.take().unwrap().read_to_string(&mut err);
        assert!(!err.contains(&path[1..]), "the serve path is logged");
        assert_clean("serve stderr", &err, &known_secrets(&emu));
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
        .args(["get", "--cloud", "alibaba", "--format", "json", "--config", &good])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("LTAIinline"));
    // Leading whitespace is allowed before the brace.
    let spaced = format!("  {good}");
    let o = credchain()
        .args(["get", "--cloud", "alibaba", "--format", "json", "--config", &spaced])
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
            assert!(!err.contains('{') || !err.contains("access_key_secret\":"), "{err}");
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
        assert!(!all.contains("second line"), "{var}: the value's second line is printed");
    }
}
