//! The generic Tencent API 3.0 endpoint (`tencent.api`) over real HTTP: the official TC3 example
//! verifies, tampered requests (body, header, timestamp, secret, token) are rejected, the sample
//! key and issued credentials with their `X-TC-Token` are accepted.

mod common;

use std::time::SystemTime;

use common::{get, Conn, Response};
use credchain_emulator::crypto::{hex, hmac_sha256, sha256};
use credchain_emulator::routes::tencent_api::{api_route_with, TencentApiConfig, TENCENT_API};
use credchain_emulator::routes::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use credchain_emulator::routes::TENCENT_STS_ASSUME_ROLE;
use credchain_emulator::time::unix_seconds;
use credchain_emulator::time::utc_date;
use credchain_emulator::Emulator;
use serde_json::Value;

fn vector(name: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../credchain/tests/data/signing-vectors.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
        .clone()
}

fn h(n: &str, v: &str) -> (String, String) {
    (n.to_string(), v.to_string())
}

/// A request with exactly these headers (no default `Host`).
fn wire(method: &str, target: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

async fn send(emu: &Emulator, bytes: Vec<u8>) -> Response {
    Conn::open(emu.addr())
        .await
        .unwrap()
        .request(&bytes)
        .await
        .unwrap()
}

fn code(r: &Response) -> String {
    assert_eq!(r.status, 200, "Tencent answers errors with HTTP 200");
    let v = r.json();
    assert!(v["Response"]["RequestId"].is_string(), "{v}");
    v["Response"]["Error"]["Code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn replace(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            if n.eq_ignore_ascii_case(name) {
                h(n, value)
            } else {
                h(n, v)
            }
        })
        .collect()
}

fn config(id: &str, key: &str, check_timestamp: bool) -> TencentApiConfig {
    TencentApiConfig {
        keys: vec![(id.into(), key.into())],
        accept_issued: true,
        check_timestamp,
    }
}

#[tokio::test]
async fn official_example_verifies_and_tampering_is_rejected() {
    let v = vector("tencent_tc3_cvm_describeinstances_current_doc_x-tc-action");
    let inputs = &v["inputs"];
    let (id, key) = (
        inputs["secret_id"].as_str().unwrap(),
        inputs["secret"].as_str().unwrap(),
    );
    let body = inputs["body"].as_str().unwrap().as_bytes().to_vec();
    let mut headers: Vec<(String, String)> = inputs["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| h(k, v.as_str().unwrap()))
        .collect();
    headers.push(h(
        "Authorization",
        v["expected"]["authorization"].as_str().unwrap(),
    ));

    let emu = Emulator::start().await.unwrap();
    emu.add_route(api_route_with(config(id, key, false)));
    let ok = send(&emu, wire("POST", "/", &headers, &body)).await;
    assert_eq!(code(&ok), "", "{}", ok.text());
    assert_eq!(ok.json()["Response"]["TotalCount"], 0);
    assert_eq!(ok.json()["Response"]["InstanceSet"], serde_json::json!([]));

    // Changed body.
    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("\"Limit\": 1", "\"Limit\": 2");
    let r = send(&emu, wire("POST", "/", &headers, tampered.as_bytes())).await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure");
    // Changed signed header (content-type and the action are signed).
    let r = send(
        &emu,
        wire(
            "POST",
            "/",
            &replace(&headers, "content-type", "application/json"),
            &body,
        ),
    )
    .await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure");
    let r = send(
        &emu,
        wire(
            "POST",
            "/",
            &replace(&headers, "x-tc-action", "DescribeRegions"),
            &body,
        ),
    )
    .await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure");
    // Timestamp moved to another day: the scope's date no longer matches.
    let r = send(
        &emu,
        wire(
            "POST",
            "/",
            &replace(&headers, "x-tc-timestamp", "1551200000"),
            &body,
        ),
    )
    .await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure");
    // A token with a long-term key.
    let mut with_token = headers.clone();
    with_token.push(h("X-TC-Token", "tok"));
    let r = send(&emu, wire("POST", "/", &with_token, &body)).await;
    assert_eq!(code(&r), "AuthFailure.TokenFailure");

    // Wrong secret; timestamp window on (the 2019 example is out of it); unknown SecretId.
    emu.add_route(api_route_with(config(id, "not-the-secret", false)));
    let r = send(&emu, wire("POST", "/", &headers, &body)).await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure");
    emu.add_route(api_route_with(config(id, key, true)));
    let r = send(&emu, wire("POST", "/", &headers, &body)).await;
    assert_eq!(code(&r), "AuthFailure.SignatureExpire");
    emu.add_route(api_route_with(config("AKIDother", key, false)));
    let r = send(&emu, wire("POST", "/", &headers, &body)).await;
    assert_eq!(code(&r), "AuthFailure.SecretIdNotFound");
    assert_eq!(emu.requests_for(TENCENT_API).len(), 9);
    emu.shutdown().await;
}

/// Signs a TC3 POST by hand, for a service behind `host`.
fn tc3_signed(
    host: &str,
    action: &str,
    body: &[u8],
    ts: i64,
    id: &str,
    key: &str,
    token: Option<&str>,
) -> Vec<(String, String)> {
    let date = utc_date(ts);
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\nx-tc-action:{}\n\ncontent-type;host;x-tc-action\n{}",
        action.to_ascii_lowercase(),
        hex(&sha256(body))
    );
    let sts = format!(
        "TC3-HMAC-SHA256\n{ts}\n{date}/cvm/tc3_request\n{}",
        hex(&sha256(canonical.as_bytes()))
    );
    let k = hmac_sha256(format!("TC3{key}").as_bytes(), date.as_bytes());
    let k = hmac_sha256(&hmac_sha256(&k, b"cvm"), b"tc3_request");
    let sig = hex(&hmac_sha256(&k, sts.as_bytes()));
    let mut headers = vec![
        h("Host", host),
        h("Content-Type", "application/json; charset=utf-8"),
        h("X-TC-Action", action),
        h("X-TC-Version", "2017-03-12"),
        h("X-TC-Region", "ap-guangzhou"),
        h("X-TC-Timestamp", &ts.to_string()),
        h(
            "Authorization",
            &format!("TC3-HMAC-SHA256 Credential={id}/{date}/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature={sig}"),
        ),
    ];
    if let Some(t) = token {
        headers.push(h("X-TC-Token", t));
    }
    headers
}

#[tokio::test]
async fn fresh_requests_with_the_sample_key_and_issued_credentials() {
    let emu = Emulator::start().await.unwrap();
    let host = emu.addr().to_string();
    let now = unix_seconds(SystemTime::now());
    let body = br#"{"Limit":1}"#;

    let hs = tc3_signed(
        &host,
        "DescribeInstances",
        body,
        now,
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        None,
    );
    let r = send(&emu, wire("POST", "/", &hs, body)).await;
    assert_eq!(code(&r), "", "{}", r.text());
    assert_eq!(r.json()["Response"]["TotalCount"], 0);
    let hs = tc3_signed(
        &host,
        "DescribeRegions",
        b"{}",
        now,
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        None,
    );
    let r = send(&emu, wire("POST", "/", &hs, b"{}")).await;
    assert_eq!(code(&r), "");
    // Not a JSON object.
    let hs = tc3_signed(
        &host,
        "DescribeRegions",
        b"[]",
        now,
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        None,
    );
    assert_eq!(
        code(&send(&emu, wire("POST", "/", &hs, b"[]")).await),
        "InvalidParameter"
    );

    // Correctly signed, 10 minutes off either way.
    for ts in [now - 600, now + 600] {
        let hs = tc3_signed(
            &host,
            "DescribeInstances",
            body,
            ts,
            EMULATOR_SECRET_ID,
            EMULATOR_SECRET_KEY,
            None,
        );
        assert_eq!(
            code(&send(&emu, wire("POST", "/", &hs, body)).await),
            "AuthFailure.SignatureExpire"
        );
    }
    // Wrong secret.
    let hs = tc3_signed(
        &host,
        "DescribeInstances",
        body,
        now,
        EMULATOR_SECRET_ID,
        "wrong",
        None,
    );
    assert_eq!(
        code(&send(&emu, wire("POST", "/", &hs, body)).await),
        "AuthFailure.SignatureFailure"
    );
    // The endpoint's service must be the scope's service.
    let hs = tc3_signed(
        "cbs.tencentcloudapi.com",
        "DescribeInstances",
        body,
        now,
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        None,
    );
    assert_eq!(
        code(&send(&emu, wire("POST", "/", &hs, body)).await),
        "AuthFailure.SignatureFailure"
    );
    let hs = tc3_signed(
        "cvm.tencentcloudapi.com",
        "DescribeInstances",
        body,
        now,
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        None,
    );
    assert_eq!(code(&send(&emu, wire("POST", "/", &hs, body)).await), "");

    // Issued (CVM role) credentials need their token.
    let role = get(
        emu.addr(),
        "/latest/meta-data/cam/security-credentials/EmulatorCvmRole",
    )
    .await
    .unwrap()
    .json();
    let (id, key, token) = (
        role["TmpSecretId"].as_str().unwrap(),
        role["TmpSecretKey"].as_str().unwrap(),
        role["Token"].as_str().unwrap(),
    );
    let hs = tc3_signed(&host, "DescribeInstances", body, now, id, key, Some(token));
    assert_eq!(code(&send(&emu, wire("POST", "/", &hs, body)).await), "");
    let hs = tc3_signed(&host, "DescribeInstances", body, now, id, key, None);
    assert_eq!(
        code(&send(&emu, wire("POST", "/", &hs, body)).await),
        "AuthFailure.TokenFailure"
    );
    let hs = tc3_signed(
        &host,
        "DescribeInstances",
        body,
        now,
        id,
        key,
        Some("other"),
    );
    assert_eq!(
        code(&send(&emu, wire("POST", "/", &hs, body)).await),
        "AuthFailure.TokenFailure"
    );

    // STS actions stay with the STS route.
    let hs = tc3_signed(
        &host,
        "AssumeRole",
        b"{}",
        now,
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        None,
    );
    send(&emu, wire("POST", "/", &hs, b"{}")).await;
    assert_eq!(emu.requests_for(TENCENT_STS_ASSUME_ROLE).len(), 1);
    assert_eq!(emu.requests_for(TENCENT_API).len(), 11);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_action_the_emulator_does_not_implement_is_an_error_naming_it() {
    let emu = Emulator::start().await.unwrap();
    let host = emu.addr().to_string();
    let now = unix_seconds(SystemTime::now());
    let hs = tc3_signed(
        &host,
        "TerminateInstances",
        b"{}",
        now,
        EMULATOR_SECRET_ID,
        EMULATOR_SECRET_KEY,
        None,
    );
    let r = send(&emu, wire("POST", "/", &hs, b"{}")).await;
    assert_eq!(code(&r), "InvalidAction", "{}", r.text());
    let message = r.json()["Response"]["Error"]["Message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("`TerminateInstances`"), "{message}");
    emu.shutdown().await;
}
