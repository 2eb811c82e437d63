//! The data-driven scenario runner (`docs/architecture.md#tests`, `tests/scenarios/README.md`;
//! aws-config's `test-data` is the model).
//!
//! Every folder `tests/scenarios/<cloud>/<provider>/<case>/` (workspace root) is one case; the
//! provider folder is named after the source the case is about (`chain` for chain order, `config`
//! for the `Config` type dispatch). `CREDCHAIN_SCENARIO=alibaba/env` (or a whole case name such as
//! `alibaba/env/access_key`, or a cloud) runs only the cases under that name; unset, all run. A
//! case folder holds:
//!
//! - `docs`: one line saying what the case checks (required).
//! - `env.json`: the environment, `{"VAR": "value"}`. `${EMULATOR}` in a value becomes the
//!   emulator's base URL (`http://127.0.0.1:PORT`). The process environment is never read.
//! - `fs/` (optional): files mounted at `/` (`fs/home/.aliyun/config.json` is
//!   `/home/.aliyun/config.json`; set `"HOME": "/home"`).
//! - `config.json` (optional): a `credchain get --config` object (Alibaba `Config` field names,
//!   Tencent types); without it the cloud's default chain is used.
//! - `emulator.json` (optional): emulator settings and faults:
//!   `{"ecs_role_name": "r", "cvm_role_name": "r", "credential_lifetime_secs": 3600,
//!     "require_imds_token": true, "faults": [{"route": "alibaba.credentials_uri", "once": true,
//!     "status": 503, "body": "...", "delay_ms": 1500, "malformed": true, "truncated": true,
//!     "missing_fields": ["AccessKeyId"], "expired": true, "drop": true}]}`.
//! - `expected.json` (required): `{"ok": {"access_key_id", "access_key_secret", "security_token",
//!   "bearer_token", "provider", "has_expiration"}}` (each field optional; `null` means absent) or
//!   `{"error": {"kind": "not configured", "contains": ["..."]}}`; optional
//!   `"requests": {"<route>": count}` and `"calls": N` (resolve N times, default 1); optional
//!   `"files": {"/home/.aliyun/config.json": {"contains": ["..."], "lacks": ["..."]}}` checks
//!   the files afterwards (write-back).
//!
//! Adding a case is adding a folder; a folder without `docs` or `expected.json`, or a case left
//! directly under the cloud folder, fails the run. Every case runs with all log output captured
//! at TRACE level, and the run fails if any secret of any selected case (env values named like
//! secrets, secret-looking keys in its files and its `config.json`, token files, private keys,
//! passwords, the credentials and OAuth tokens the emulator issued, the emulator's own long-term
//! keys) appears in a log line, an error message or a `Debug` output.

mod common;

#[path = "scenarios/layout.rs"]
mod layout;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use credchain::context::{proxy_settings, Context, Fs, MemoryEnv, MemoryFs};
use credchain::http::ReqwestClient;
use credchain::{alibaba, tencent, Credentials, ProvideCredentials, SharedProvider};
use credchain_emulator::{Emulator, Fault};
use serde_json::Value;

fn scenarios_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// The cases this run takes: all, or those [`layout::FILTER_VARIABLE`] names. Panics on a layout
/// problem anywhere in the tree (whatever the filter) and on a filter that selects nothing.
fn selected_cases() -> Vec<layout::Case> {
    let cases = layout::find_cases(&scenarios_root()).unwrap_or_else(|problems| {
        panic!(
            "{} scenario folder(s) under {} break the layout:\n{}",
            problems.len(),
            scenarios_root().display(),
            problems.join("\n")
        )
    });
    let filter = std::env::var(layout::FILTER_VARIABLE).ok();
    let selection = layout::Selection::from_value(filter.as_deref());
    let chosen: Vec<layout::Case> = cases
        .into_iter()
        .filter(|c| selection.takes(&c.name))
        .collect();
    assert!(
        !chosen.is_empty(),
        "no scenario under {} matches {}={:?}; names look like alibaba/env/access_key",
        scenarios_root().display(),
        layout::FILTER_VARIABLE,
        filter.unwrap_or_default()
    );
    chosen
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn fault_from_json(v: &Value) -> Fault {
    let mut parts = Vec::new();
    if let Some(ms) = v["delay_ms"].as_u64() {
        parts.push(Fault::Delay(Duration::from_millis(ms)));
    }
    if v["drop"].as_bool() == Some(true) {
        parts.push(Fault::DropConnection);
    }
    if let Some(status) = v["status"].as_u64() {
        parts.push(Fault::Status {
            status: status as u16,
            body: v["body"].as_str().map(str::to_string),
        });
    }
    if v["expired"].as_bool() == Some(true) {
        parts.push(Fault::ExpiredCredentials);
    }
    if let Some(fields) = v["missing_fields"].as_array() {
        parts.push(Fault::missing_fields(
            fields.iter().filter_map(|f| f.as_str()),
        ));
    }
    if v["malformed"].as_bool() == Some(true) {
        parts.push(Fault::MalformedBody);
    }
    if v["truncated"].as_bool() == Some(true) {
        parts.push(Fault::TruncatedBody);
    }
    Fault::All(parts)
}

async fn configure_emulator(emu: &Emulator, spec: &Value) {
    if let Some(r) = spec.get("ecs_role_name") {
        emu.set_ecs_role_name(r.as_str());
    }
    if let Some(r) = spec.get("cvm_role_name") {
        emu.set_cvm_role_name(r.as_str());
    }
    if let Some(s) = spec["credential_lifetime_secs"].as_u64() {
        emu.set_credential_lifetime(Duration::from_secs(s));
    }
    if let Some(b) = spec["require_imds_token"].as_bool() {
        emu.set_require_imds_token(b);
    }
    for f in spec["faults"].as_array().into_iter().flatten() {
        let route = f["route"].as_str().expect("fault needs a route");
        if f["once"].as_bool() == Some(true) {
            emu.push_fault(route, fault_from_json(f));
        } else {
            emu.set_fault(route, fault_from_json(f));
        }
    }
}

/// Secret-looking values of a case's inputs.
fn input_secrets(env: &HashMap<String, String>, fs_dir: &Path) -> Vec<String> {
    let mut secrets = Vec::new();
    for (k, v) in env {
        let k = k.to_ascii_uppercase();
        let named_secret = (k.contains("SECRET") && !k.ends_with("_ID")) || k.ends_with("TOKEN");
        if named_secret {
            secrets.push(v.clone());
        }
    }
    let mut stack = vec![fs_dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).to_string();
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_lowercase();
            if name.contains("token") {
                secrets.push(text.trim().to_string());
            }
            private_key_lines(&text, &mut secrets);
            if let Ok(json) = serde_json::from_str::<Value>(&text) {
                collect_json_secrets(&json, &mut secrets);
            } else {
                for line in text.lines() {
                    if let Some((k, v)) = line.split_once('=') {
                        if is_secret_key(k.trim()) {
                            secrets.push(v.trim().trim_matches('"').to_string());
                        }
                    }
                }
            }
        }
    }
    secrets
}

/// The base64 lines of a PEM private key (each is a secret on its own).
fn private_key_lines(text: &str, out: &mut Vec<String>) {
    if !text.contains("PRIVATE KEY") {
        return;
    }
    let body = text
        .split("\\n")
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|l| l.len() >= 16 && !l.starts_with("-----"));
    out.extend(body.map(|l| l.trim_matches(['"', ',']).to_string()));
}

/// Values the emulator knows as secrets: its long-term keys, OIDC tokens, the private key of its
/// key pair, and the OAuth tokens it hands out (`emu-oauth-access-…`, `emu-oauth-refresh-…`).
fn emulator_secrets() -> Vec<String> {
    use credchain_emulator::routes::{alibaba_session_key, alibaba_sts, tencent_sts};
    let mut out: Vec<String> = [
        alibaba_sts::ACCESS_KEY_SECRET,
        tencent_sts::EMULATOR_SECRET_KEY,
        tencent_sts::EMULATOR_WEB_IDENTITY_TOKEN,
        tencent_sts::EMULATOR_WEB_IDENTITY_TOKEN_ROTATED,
        "emu-oauth-access-",
        "emu-oauth-refresh-",
    ]
    .map(String::from)
    .to_vec();
    private_key_lines(alibaba_session_key::PRIVATE_KEY_PEM, &mut out);
    out
}

fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k.contains("password")
        || (k.contains("private_key") && !k.contains("file"))
        || (k.contains("secret") && !k.ends_with("_id") && !k.ends_with("id"))
        || (k.contains("token")
            && !k.contains("file")
            && !k.contains("duration")
            && !k.contains("ttl"))
}

fn collect_json_secrets(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::String(s) if is_secret_key(k) => out.push(s.clone()),
                    _ => collect_json_secrets(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_json_secrets(v, out)),
        _ => {}
    }
}

struct Outcome {
    failures: Vec<String>,
    secrets: Vec<String>,
    texts: Vec<String>,
}

fn build_provider(
    cloud: &str,
    config: Option<Value>,
    ctx: &Context,
) -> credchain::Result<SharedProvider> {
    match cloud {
        "alibaba" => {
            let cfg = config
                .map(|c| alibaba::Config::from_json(&c.to_string()))
                .transpose()?;
            Ok(SharedProvider::new(
                alibaba::Client::new(cfg, ctx)?.provider().clone(),
            ))
        }
        _ => match config {
            Some(c) => tencent::Config::from_json(&c.to_string())?.into_provider(ctx),
            None => Ok(SharedProvider::new(tencent::default_chain(ctx))),
        },
    }
}

fn check_ok(c: &Credentials, expected: &Value, failures: &mut Vec<String>) {
    let opt = |s: Option<&str>| s.map(|s| Value::String(s.into())).unwrap_or(Value::Null);
    let fields = [
        ("access_key_id", Value::String(c.access_key_id().into())),
        (
            "access_key_secret",
            Value::String(c.access_key_secret().into()),
        ),
        ("security_token", opt(c.security_token())),
        ("bearer_token", opt(c.bearer_token())),
        ("provider", Value::String(c.provider_name().into())),
        ("has_expiration", Value::Bool(c.expiration().is_some())),
    ];
    for (name, got) in fields {
        if let Some(want) = expected.get(name) {
            if *want != got {
                // Never print secret values: name the field only.
                let shown = if name.contains("secret") || name.contains("token") {
                    "(hidden)".into()
                } else {
                    got.to_string()
                };
                failures.push(format!("{name}: expected {want}, got {shown}"));
            }
        }
    }
}

/// The `files` expectation: substrings each file must contain or lack after the run. Failures
/// quote the expected substring only, never the file (it holds secrets).
fn check_files(fs: &MemoryFs, spec: &Value, failures: &mut Vec<String>) {
    for (path, want) in spec.as_object().into_iter().flatten() {
        let text = match fs.read(Path::new(path), 1 << 20) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                failures.push(format!("{path}: {e}"));
                continue;
            }
        };
        let strings = |k: &str| {
            want[k]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
        };
        for s in strings("contains").filter(|s| !text.contains(s)) {
            failures.push(format!("{path} should contain {s:?}"));
        }
        for s in strings("lacks").filter(|s| text.contains(s)) {
            failures.push(format!("{path} should not contain {s:?}"));
        }
    }
}

async fn run_case(cloud: &str, dir: &Path) -> Outcome {
    let mut failures = Vec::new();
    let mut texts = Vec::new();
    let emu = Emulator::start().await.expect("emulator starts");
    let env_spec: BTreeMap<String, String> = read_json(&dir.join("env.json"))
        .map(|v| serde_json::from_value(v).expect("env.json is a map of strings"))
        .unwrap_or_default();
    let env: HashMap<String, String> = env_spec
        .into_iter()
        .map(|(k, v)| (k, v.replace("${EMULATOR}", &emu.base_url())))
        .collect();
    if let Some(spec) = read_json(&dir.join("emulator.json")) {
        configure_emulator(&emu, &spec).await;
    }
    let fs_dir = dir.join("fs");
    let fs = if fs_dir.is_dir() {
        MemoryFs::from_dir(&fs_dir).expect("fs/ loads")
    } else {
        MemoryFs::new()
    };
    let mem_env = MemoryEnv::from_pairs(env.clone());
    let ctx = Context::empty()
        .with_http(ReqwestClient::new(proxy_settings(&mem_env)))
        .with_env(mem_env)
        .with_fs(fs.clone());
    let expected = read_json(&dir.join("expected.json")).expect("expected.json");
    let calls = expected["calls"].as_u64().unwrap_or(1);

    let last = match build_provider(cloud, read_json(&dir.join("config.json")), &ctx) {
        Ok(p) => {
            texts.push(format!("{p:?}"));
            let mut last = p.provide_credentials().await;
            for _ in 1..calls.max(1) {
                if last.is_err() {
                    break;
                }
                last = p.provide_credentials().await;
            }
            if let Ok(c) = &last {
                texts.push(format!("{c:?}"));
            }
            last
        }
        Err(e) => Err(e),
    };
    match (&last, expected.get("ok"), expected.get("error")) {
        (Ok(c), Some(want), _) => check_ok(c, want, &mut failures),
        (Err(e), _, Some(want)) => {
            texts.push(e.to_string());
            texts.push(format!("{e:?}"));
            if let Some(kind) = want["kind"].as_str() {
                if e.kind().as_str() != kind {
                    failures.push(format!(
                        "error kind: expected {kind}, got {} ({e})",
                        e.kind()
                    ));
                }
            }
            for s in want["contains"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str())
            {
                if !e.to_string().contains(s) {
                    failures.push(format!("error should contain {s:?}: {e}"));
                }
            }
        }
        (Ok(c), None, _) => failures.push(format!(
            "expected an error, got credentials from {}",
            c.provider_name()
        )),
        (Err(e), _, None) => failures.push(format!("expected credentials, got error: {e}")),
    }
    for (route, count) in expected["requests"].as_object().into_iter().flatten() {
        let got = emu.requests_for(route).len() as u64;
        if Some(got) != count.as_u64() {
            failures.push(format!("requests to {route}: expected {count}, got {got}"));
        }
    }
    check_files(&fs, &expected["files"], &mut failures);
    let mut secrets = input_secrets(&env, &fs_dir);
    if let Some(config) = read_json(&dir.join("config.json")) {
        collect_json_secrets(&config, &mut secrets);
    }
    secrets.extend(emulator_secrets());
    for issued in emu.issued() {
        secrets.push(issued.access_key_secret);
        secrets.push(issued.security_token);
    }
    if let Some(ok) = expected.get("ok") {
        for k in ["access_key_secret", "security_token", "bearer_token"] {
            if let Some(s) = ok[k].as_str() {
                secrets.push(s.to_string());
            }
        }
    }
    emu.shutdown().await;
    Outcome {
        failures,
        secrets,
        texts,
    }
}

/// Logged at TRACE before the cases run; finding it in the capture proves the capture's level.
const CAPTURE_PROBE: &str = "scenario log capture probe";

#[test]
fn every_scenario_passes_and_no_secret_leaks() {
    let cases = selected_cases();
    let logs = common::Captured::default();
    // The global subscriber (the only test of this binary that logs) at TRACE, with `log` records bridged in,
    // so the HTTP stack's own logging (reqwest, hyper) is captured as well.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .try_init()
        .expect("the scenario test installs the only subscriber");
    tracing::trace!("{CAPTURE_PROBE}");
    // A current-thread runtime keeps every task (background refreshes included) on this thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut report = Vec::new();
    let mut all_secrets = Vec::new();
    let mut all_texts = Vec::new();
    for case in &cases {
        let name = case.name.clone();
        let outcome = rt.block_on(run_case(case.cloud, &case.dir));
        for f in outcome.failures {
            report.push(format!("{name}: {f}"));
        }
        all_secrets.extend(outcome.secrets.into_iter().map(|s| (name.clone(), s)));
        all_texts.extend(outcome.texts.into_iter().map(|t| (name.clone(), t)));
    }
    let log_text = logs.text();
    // The probe, not the cases' own logging, proves the capture works at TRACE: a selection of
    // cases that send no request logs nothing.
    assert!(
        log_text.contains(CAPTURE_PROBE),
        "the log capture is not at TRACE level"
    );
    for (case, secret) in all_secrets.iter().filter(|(_, s)| s.len() >= 6) {
        // Raw, percent-encoded or encoded twice (as in an RPC string to sign).
        let found = |text: &str| credchain::redact::contains_any(text, [secret.as_str()]);
        if found(&log_text) {
            report.push(format!(
                "{case}: a secret of this case appears in the captured logs"
            ));
        }
        for (where_, text) in &all_texts {
            if found(text) {
                report.push(format!(
                    "{case}: a secret of this case appears in output of {where_}"
                ));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} scenarios failed:\n{}",
        report.len(),
        cases.len(),
        report.join("\n")
    );
    eprintln!("{} scenarios passed", cases.len());
}
