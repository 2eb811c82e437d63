//! `credchain presign`: the real binary, with a cleared environment (PATH and a temporary HOME
//! only, metadata probing disabled), compared with the URLs the official SDKs produced for the same
//! inputs and clock (`crates/credchain/tests/data/object-storage-vectors.json`).

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use common::{run_in, scratch, Emu};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../credchain/tests/data/object-storage-vectors.json"
);

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| panic!("{VECTORS}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn home() -> PathBuf {
    scratch("presign-home")
}

fn credchain(args: &[String], env: &[(&str, &str)]) -> Output {
    run_in(&home(), args, env)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn input<'a>(v: &'a Value, field: &str) -> &'a str {
    v["input"][field].as_str().unwrap_or("")
}

/// Whether the CLI can express this vector (no extra headers or parameters, default options).
fn cli_expressible(v: &Value) -> bool {
    let empty = |f: &str| v["input"][f].as_array().is_none_or(|a| a.is_empty());
    empty("headers")
        && empty("params")
        && empty("additional_headers")
        && !v["input"]["slash_safe"].as_bool().unwrap_or(false)
        && v["input"]["sign_host"].as_bool().unwrap_or(true)
}

/// Writes a `--config` JSON file and returns its path.
fn config_file(name: &str, json: &Value) -> String {
    let path = home().join(name);
    std::fs::write(&path, json.to_string()).unwrap();
    path.to_string_lossy().to_string()
}

fn args(cloud: &str, v: &Value) -> Vec<String> {
    let mut a: Vec<String> = [
        "presign",
        cloud,
        "--bucket",
        input(v, "bucket"),
        "--key",
        input(v, "key"),
        "--region",
        input(v, "region"),
        "--method",
        input(v, "method"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push("--expires".into());
    a.push(v["input"]["expires"].to_string());
    a.push("--timestamp".into());
    a.push(v["input"]["time"].to_string());
    if let Some(e) = v["input"]["endpoint"].as_str() {
        a.push("--endpoint".into());
        a.push(e.into());
    }
    a
}

fn check(v: &Value, out: &Output, secret: &str) {
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "{}\nstderr: {}",
        v["origin"],
        text(&out.stderr)
    );
    assert_eq!(stdout.matches('\n').count(), 1, "one line: {stdout}");
    assert_eq!(
        stdout.trim_end_matches('\n'),
        v["expected"]["url"].as_str().unwrap(),
        "{}",
        v["origin"]
    );
    assert!(!stdout.contains(secret) && !text(&out.stderr).contains(secret));
}

#[test]
fn alibaba_urls_equal_oss2_and_alibabacloud_oss_v2() {
    let mut n = 0;
    for v in vectors() {
        let version = match v["scheme"].as_str() {
            Some("oss_v1_presign") => "v1",
            Some("oss_v4_presign") => "v4",
            _ => continue,
        };
        if !cli_expressible(&v) {
            continue;
        }
        let id = input(&v, "access_key_id");
        let secret = input(&v, "access_key_secret");
        let mut a = args("alibaba", &v);
        if version == "v1" || n % 2 == 0 {
            a.push("--signature-version".into());
            a.push(version.into());
        }
        let out = match v["input"]["security_token"].as_str() {
            // Temporary credentials through --config, long-term ones through the environment.
            Some(token) => {
                let path = config_file(
                    "ali-sts.json",
                    &serde_json::json!({"type": "sts", "access_key_id": id,
                        "access_key_secret": secret, "security_token": token}),
                );
                a.push("--config".into());
                a.push(path);
                credchain(&a, &[])
            }
            None => credchain(
                &a,
                &[
                    ("ALIBABA_CLOUD_ACCESS_KEY_ID", id),
                    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret),
                ],
            ),
        };
        check(&v, &out, secret);
        n += 1;
    }
    assert!(n >= 60, "only {n} Alibaba vectors ran");
}

#[test]
fn tencent_urls_equal_cos_python_sdk_v5() {
    let mut n = 0;
    for v in vectors() {
        if v["scheme"] != "cos_presign" || !cli_expressible(&v) {
            continue;
        }
        let id = input(&v, "secret_id");
        let secret = input(&v, "secret_key");
        let a = args("tencent", &v);
        let mut env = vec![
            ("TENCENTCLOUD_SECRET_ID", id),
            ("TENCENTCLOUD_SECRET_KEY", secret),
        ];
        if let Some(token) = v["input"]["security_token"].as_str() {
            env.push(("TENCENTCLOUD_SESSION_TOKEN", token));
        }
        check(&v, &credchain(&a, &env), secret);
        n += 1;
    }
    assert!(n >= 35, "only {n} Tencent vectors ran");
}

#[test]
fn path_style_on_an_ip_endpoint_and_rfc3339_time() {
    let out = credchain(
        &[
            "presign",
            "tencent",
            "--bucket",
            "b-1250000000",
            "--key",
            "a b.txt",
            "--region",
            "ap-guangzhou",
            "--endpoint",
            "http://127.0.0.1:9000",
            "--timestamp",
            "2025-01-01T12:00:00Z",
            "--method",
            "put",
        ]
        .map(String::from),
        &[
            ("TENCENTCLOUD_SECRET_ID", "AKIDid"),
            ("TENCENTCLOUD_SECRET_KEY", "secret-key-value"),
        ],
    );
    let url = text(&out.stdout);
    assert!(
        url.starts_with("http://127.0.0.1:9000/b-1250000000/a%20b.txt?q-sign-algorithm=sha1&q-ak=AKIDid&q-sign-time=1735732740%3B1735736400&"),
        "{url} {}",
        text(&out.stderr)
    );
}

#[test]
fn alibaba_reads_oss_keys_after_alibaba_cloud_keys() {
    let run = |env: &[(&str, &str)]| {
        let out = credchain(
            &[
                "presign",
                "alibaba",
                "--bucket",
                "b",
                "--key",
                "k",
                "--region",
                "cn-hangzhou",
                "--timestamp",
                "2025-01-01T12:00:00Z",
                "--signature-version",
                "v1",
            ]
            .map(String::from),
            env,
        );
        (text(&out.stdout), text(&out.stderr))
    };
    let oss = [
        ("OSS_ACCESS_KEY_ID", "LTAIossKey"),
        ("OSS_ACCESS_KEY_SECRET", "oss-secret-value"),
    ];
    let (url, err) = run(&oss);
    assert!(url.contains("OSSAccessKeyId=LTAIossKey"), "{url} {err}");
    assert!(!url.contains("oss-secret-value") && !err.contains("oss-secret-value"));
    let mut both = oss.to_vec();
    both.extend([
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIaliKey"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ali-secret-value"),
    ]);
    let (url, err) = run(&both);
    assert!(url.contains("OSSAccessKeyId=LTAIaliKey"), "{url} {err}");
}

#[test]
fn bad_input_is_a_clear_error_without_the_secret() {
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIid"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "very-secret-value"),
    ];
    let base = |extra: &[&str]| {
        let mut a: Vec<String> = [
            "presign",
            "alibaba",
            "--bucket",
            "b",
            "--key",
            "k",
            "--region",
            "cn-hangzhou",
        ]
        .map(String::from)
        .to_vec();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    for (extra, needle) in [
        (&["--expires", "604801"][..], "604800"),
        (&["--endpoint", "ftp://x"][..], "endpoint"),
        (&["--timestamp", "tomorrow"][..], "--timestamp"),
        (&["--bucket", "bad/bucket"][..], "bucket"),
        (&["--key", ""][..], "key"),
    ] {
        let out = credchain(&base(extra), &env);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{extra:?} succeeded");
        assert!(out.stdout.is_empty());
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!err.contains("very-secret-value"));
    }
    // No credentials anywhere: the chain's error, nothing on stdout.
    let out = credchain(&base(&[]), &[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

/// `curl` with the body file for PUT; returns (HTTP status, body).
fn curl(method: &str, url: &str, upload: Option<&std::path::Path>) -> (u16, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "20", "-w", "\n%{http_code}"]);
    match upload {
        Some(file) => cmd.arg("-T").arg(file),
        None => cmd.args(["-X", method]),
    };
    let out = cmd
        .arg(url)
        .output()
        .expect("curl is installed (the issue's end-to-end check uses it)");
    let text = text(&out.stdout);
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (status.trim().parse().unwrap_or(0), body.to_string())
}

/// (cloud, signature version, bucket, credential environment).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    [(&'static str, &'static str); 2],
);

/// `credchain presign` against `credchain`'s emulator: curl PUTs then GETs an object with the
/// URLs, a GET URL cannot be used to PUT, and an expired URL is refused — for OSS V4, OSS V1 and COS.
#[test]
fn presigned_urls_put_and_get_against_the_emulator_with_curl() {
    use credchain_emulator::routes::{alibaba_sts, tencent_sts};
    let emu = Emu::start();
    let endpoint = emu.url();
    let file = home().join("upload.txt");
    std::fs::write(&file, b"hello presigned world").unwrap();
    let cases: [Case; 3] = [
        (
            "alibaba",
            "v4",
            "emu-bucket",
            [
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", alibaba_sts::ACCESS_KEY_ID),
                (
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                    alibaba_sts::ACCESS_KEY_SECRET,
                ),
            ],
        ),
        (
            "alibaba",
            "v1",
            "emu-bucket",
            [
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", alibaba_sts::ACCESS_KEY_ID),
                (
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                    alibaba_sts::ACCESS_KEY_SECRET,
                ),
            ],
        ),
        (
            "tencent",
            "",
            "emu-bucket-1250000000",
            [
                ("TENCENTCLOUD_SECRET_ID", tencent_sts::EMULATOR_SECRET_ID),
                ("TENCENTCLOUD_SECRET_KEY", tencent_sts::EMULATOR_SECRET_KEY),
            ],
        ),
    ];
    for (cloud, version, bucket, env) in cases {
        let key = format!("dir/{cloud}{version} hello+~*.txt");
        let presign = |method: &str, extra: &[&str]| {
            let mut a: Vec<String> = [
                "presign",
                cloud,
                "--bucket",
                bucket,
                "--key",
                &key,
                "--region",
                "cn-hangzhou",
                "--endpoint",
                &endpoint,
                "--method",
                method,
            ]
            .map(String::from)
            .to_vec();
            if !version.is_empty() {
                a.extend(["--signature-version".to_string(), version.to_string()]);
            }
            a.extend(extra.iter().map(|s| s.to_string()));
            let out = credchain(&a, &env);
            assert!(out.status.success(), "{}", text(&out.stderr));
            text(&out.stdout).trim_end().to_string()
        };
        let put = presign("PUT", &[]);
        assert!(put.starts_with(&format!("{endpoint}/{bucket}/")), "{put}");
        assert_eq!(
            curl("PUT", &put, Some(&file)).0,
            200,
            "{cloud}{version} PUT {put}"
        );
        let get = presign("GET", &[]);
        assert_eq!(
            curl("GET", &get, None),
            (200, "hello presigned world".to_string()),
            "{cloud}{version}"
        );
        // The GET URL does not allow a PUT (the method is signed).
        assert_eq!(curl("PUT", &get, Some(&file)).0, 403, "{cloud}{version}");
        // Signed two hours ago for one minute: expired.
        let past = (credchain::sign::now_unix() - 7200).to_string();
        let expired = presign("GET", &["--timestamp", &past, "--expires", "60"]);
        let (status, body) = curl("GET", &expired, None);
        assert_eq!(status, 403, "{cloud}{version}: {body}");
        assert!(!body.contains(env[1].1), "the secret is not echoed");
        // DELETE, then the object is gone.
        assert!(matches!(
            curl("DELETE", &presign("DELETE", &[]), None).0,
            200 | 204
        ));
        assert_eq!(curl("GET", &get, None).0, 404, "{cloud}{version}");
    }
}

/// `--config` also takes the JSON inline, as for `get`; the URL is the oss2 vector's.
#[test]
fn inline_config_json() {
    let config = r#"{"type":"access_key","access_key_id":"LTAI5tExampleAccessKeyId","access_key_secret":"ExampleAccessKeySecret0123456789"}"#;
    let out = credchain(
        &[
            "presign",
            "alibaba",
            "--bucket",
            "examplebucket",
            "--key",
            "object.txt",
            "--region",
            "cn-hangzhou",
            "--timestamp",
            "1735732800",
            "--signature-version",
            "v1",
            "--config",
            config,
        ]
        .map(String::from),
        &[],
    );
    assert_eq!(
        text(&out.stdout),
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/object.txt?OSSAccessKeyId=LTAI5tExampleAccessKeyId&Expires=1735736400&Signature=4HmAosPxKHIUOXWX%2F9xeJSCHxa8%3D\n",
        "{}",
        text(&out.stderr)
    );
}
