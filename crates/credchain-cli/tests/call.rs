//! End-to-end tests of `credchain call`: the real binary, with a cleared environment (PATH and a
//! temporary HOME only, metadata probing disabled), against an in-process emulator on loopback
//! whose generic API routes verify every signature independently of credchain's signer.

mod common;

use std::process::Output;

use credchain_emulator::routes::alibaba_api::{ALIBABA_API_ACS3, ALIBABA_API_RPC};
use credchain_emulator::routes::alibaba_sts::{ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use credchain_emulator::routes::tencent_api::TENCENT_API;
use credchain_emulator::routes::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use credchain_emulator::Cloud;
use serde_json::Value;

use common::{alibaba_call, ok_json, run_in, scratch, stderr, stdout, tencent_call, Emu};

fn credchain(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(&scratch("call-home"), args, env)
}

const ALI: [(&str, &str); 2] = [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET),
];
const TC: [(&str, &str); 2] = [
    ("TENCENTCLOUD_SECRET_ID", EMULATOR_SECRET_ID),
    ("TENCENTCLOUD_SECRET_KEY", EMULATOR_SECRET_KEY),
];

#[test]
fn alibaba_rpc_call_succeeds_and_sends_empty_values() {
    let emu = Emu::start();
    let url = emu.url();
    let o = credchain(
        &alibaba_call(&url, "rpc", &["RegionId=cn-hangzhou", "Empty=", "Eq=a=b"]),
        &ALI,
    );
    let v = ok_json(&o);
    assert_eq!(v["Regions"]["Region"][0]["RegionId"], "cn-hangzhou", "{v}");
    assert!(v["RequestId"].is_string());
    let reqs = emu.emu().requests_for(ALIBABA_API_RPC);
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.param("Empty").as_deref(), Some(""));
    assert!(r.query.split('&').any(|p| p == "Empty="), "{}", r.query);
    assert_eq!(r.param("Eq").as_deref(), Some("a=b"));
    assert_eq!(r.param("RegionId").as_deref(), Some("cn-hangzhou"));
    assert_eq!(r.param("Format").as_deref(), Some("JSON"));
}

#[test]
fn alibaba_acs3_call_succeeds_with_a_long_term_key_and_with_sts_credentials() {
    let emu = Emu::start();
    let url = emu.url();
    let o = credchain(
        &alibaba_call(&url, "acs3", &["RegionId=cn-hangzhou", "Empty="]),
        &ALI,
    );
    let v = ok_json(&o);
    assert_eq!(v["Regions"]["Region"][1]["RegionId"], "cn-shanghai", "{v}");
    let reqs = emu.emu().requests_for(ALIBABA_API_ACS3);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].header("x-acs-action"), Some("DescribeRegions"));
    assert!(
        reqs[0].query.split('&').any(|p| p == "Empty="),
        "{}",
        reqs[0].query
    );
    assert!(reqs[0].header("x-acs-security-token").is_none());

    // STS credentials from the emulator's credentials URI: the token goes in
    // x-acs-security-token, which the emulator requires for issued keys.
    let uri = format!("{url}/credentials-uri");
    let o = credchain(
        &alibaba_call(&url, "acs3", &[]),
        &[("ALIBABA_CLOUD_CREDENTIALS_URI", uri.as_str())],
    );
    ok_json(&o);
    let issued = emu.emu().issued();
    let reqs = emu.emu().requests_for(ALIBABA_API_ACS3);
    assert_eq!(
        reqs[1].header("x-acs-security-token"),
        Some(issued[0].security_token.as_str())
    );
    // And the RPC style with the same kind of credentials (SecurityToken parameter).
    let o = credchain(
        &alibaba_call(&url, "rpc", &[]),
        &[("ALIBABA_CLOUD_CREDENTIALS_URI", uri.as_str())],
    );
    ok_json(&o);
}

#[test]
fn tencent_call_succeeds_with_and_without_a_token() {
    let emu = Emu::start();
    let url = emu.url();
    let o = credchain(&tencent_call(&url, &["--body", r#"{"Limit":1}"#]), &TC);
    let v = ok_json(&o);
    assert_eq!(v["Response"]["TotalCount"], 0, "{v}");
    assert_eq!(v["Response"]["InstanceSet"], serde_json::json!([]));
    assert!(v["Response"]["RequestId"].is_string());

    let c = emu
        .emu()
        .state()
        .issue("test.tencent", Cloud::Tencent, false);
    let o = credchain(
        &tencent_call(&url, &[]),
        &[
            ("TENCENTCLOUD_SECRET_ID", c.access_key_id.as_str()),
            ("TENCENTCLOUD_SECRET_KEY", c.access_key_secret.as_str()),
            ("TENCENTCLOUD_SESSION_TOKEN", c.security_token.as_str()),
        ],
    );
    ok_json(&o);
    let reqs = emu.emu().requests_for(TENCENT_API);
    assert_eq!(reqs.len(), 2);
    assert!(reqs[0].header("x-tc-token").is_none());
    assert_eq!(
        reqs[1].header("x-tc-token"),
        Some(c.security_token.as_str())
    );
    assert_eq!(reqs[1].body, b"{}");
    assert_eq!(reqs[0].header("x-tc-region"), Some("ap-guangzhou"));
}

#[test]
fn api_errors_exit_non_zero_with_code_message_and_request_id() {
    let emu = Emu::start();
    let url = emu.url();
    let wrong_ali = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret"),
    ];
    for style in ["rpc", "acs3"] {
        let o = credchain(&alibaba_call(&url, style, &[]), &wrong_ali);
        assert!(!o.status.success(), "{style}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(err.contains("SignatureDoesNotMatch"), "{style}: {err}");
        assert!(
            err.contains("not matched") || err.contains("does not conform"),
            "{style}: {err}"
        );
        assert!(
            err.contains("-E3A1-4C0D-8B5E-"),
            "{style}: request id missing: {err}"
        );
        assert!(!err.contains("not-the-secret"), "{err}");
    }
    let o = credchain(
        &tencent_call(&url, &[]),
        &[
            ("TENCENTCLOUD_SECRET_ID", EMULATOR_SECRET_ID),
            ("TENCENTCLOUD_SECRET_KEY", "not-the-secret"),
        ],
    );
    assert!(!o.status.success(), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("AuthFailure.SignatureFailure"), "{err}");
    assert!(err.contains("could not be validated"), "{err}");
    assert!(
        err.contains("-7c3a-4e1f-9d2b-"),
        "request id missing: {err}"
    );
    // An unknown Alibaba key: HTTP 404 with the service's error.
    let o = credchain(
        &alibaba_call(&url, "rpc", &[]),
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIunknown"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "x"),
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("InvalidAccessKeyId.NotFound"),
        "{}",
        stderr(&o)
    );
}

fn doc_vector() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../credchain/tests/data/signing-vectors.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "alibaba_rpc_hmac_sha1_ecs_describeregions_doc")
        .expect("the RPC doc vector")
        .clone()
}

#[test]
fn rpc_dry_run_reproduces_the_official_example() {
    let v = doc_vector();
    let (inputs, expected) = (&v["inputs"], &v["expected"]);
    let emu = Emu::start();
    let url = emu.url();
    let env = [
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            inputs["access_key_id"].as_str().unwrap(),
        ),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            inputs["secret"].as_str().unwrap(),
        ),
    ];
    let args = alibaba_call(
        &url,
        "rpc",
        &[
            "--timestamp",
            inputs["timestamp"].as_str().unwrap(),
            "--nonce",
            inputs["nonce"].as_str().unwrap(),
            "--dry-run",
            "Format=XML",
        ],
    );
    let first = credchain(&args, &env);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    for key in [
        "canonical_query_string",
        "string_to_sign",
        "signature_url_encoded",
    ] {
        let want = expected[key].as_str().unwrap();
        assert!(out.contains(want), "{key} {want} missing from:\n{out}");
    }
    assert!(
        out.contains(&format!(
            "Signature={}",
            expected["signature_url_encoded"].as_str().unwrap()
        )),
        "{out}"
    );
    assert!(!out.contains(inputs["secret"].as_str().unwrap()), "{out}");
    let second = credchain(&args, &env);
    assert_eq!(out, stdout(&second), "a fixed dry run is reproducible");
    assert!(emu.emu().requests().is_empty(), "a dry run sends nothing");
}

#[test]
fn dry_runs_never_show_the_secret_or_the_token() {
    let emu = Emu::start();
    let url = emu.url();
    // Characters that percent-encoding changes, so encoded forms are checked too.
    let secret = "dry-run-SECRET/value+1";
    let token = "dry-run-TOKEN/with+chars=";
    let ali = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tDryRun"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", token),
    ];
    let tc = [
        ("TENCENTCLOUD_SECRET_ID", "AKIDdryrun"),
        ("TENCENTCLOUD_SECRET_KEY", secret),
        ("TENCENTCLOUD_SESSION_TOKEN", token),
    ];
    let fixed = [
        "--timestamp",
        "2024-01-01T00:00:00Z",
        "--nonce",
        "n1",
        "--dry-run",
    ];
    let runs = [
        credchain(&alibaba_call(&url, "rpc", &fixed), &ali),
        credchain(&alibaba_call(&url, "acs3", &fixed), &ali),
        credchain(
            &tencent_call(&url, &["--timestamp", "1704067200", "--dry-run"]),
            &tc,
        ),
    ];
    for o in &runs {
        assert!(o.status.success(), "{}", stderr(o));
        let all = format!("{}{}", stdout(o), stderr(o));
        for s in [secret, token] {
            for form in [
                s.to_string(),
                s.replace('/', "%2F")
                    .replace('+', "%2B")
                    .replace('=', "%3D"),
                "dry-run-SECRET".to_string(),
                "dry-run-TOKEN".to_string(),
            ] {
                assert!(!all.contains(&form), "{form} shown in:\n{all}");
            }
        }
        assert!(all.contains("== string to sign =="), "{all}");
    }
    // The signature is shown, and the Tencent dry run is reproducible too.
    assert!(stdout(&runs[0]).contains("Signature="));
    assert!(stdout(&runs[1]).contains("Signature="));
    assert!(stdout(&runs[2]).contains("Signature="));
    let again = credchain(
        &tencent_call(&url, &["--timestamp", "1704067200", "--dry-run"]),
        &tc,
    );
    assert_eq!(stdout(&runs[2]), stdout(&again));
    assert!(emu.emu().requests().is_empty(), "dry runs send nothing");
}
