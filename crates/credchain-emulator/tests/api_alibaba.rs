//! The generic Alibaba endpoints (`alibaba.api.rpc`, `alibaba.api.acs3`) over real HTTP: the
//! official examples verify, tampered requests (body, header, query, timestamp, secret) and
//! replayed nonces are rejected, the sample key and issued STS credentials are accepted.

mod common;

use std::time::{Duration, SystemTime};

use common::{get, Conn, Response};
use credchain_emulator::crypto::{hex, hmac_sha256, percent_encode, sha256};
use credchain_emulator::routes::alibaba_api::{
    acs3_route_with, rpc_route_with, AlibabaApiConfig, ALIBABA_API_ACS3, ALIBABA_API_RPC,
};
use credchain_emulator::routes::alibaba_sts::{self, ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use credchain_emulator::time::format_utc;
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
    r.json()["Code"].as_str().unwrap_or_default().to_string()
}

fn h(n: &str, v: &str) -> (String, String) {
    (n.to_string(), v.to_string())
}

fn config(id: &str, secret: &str, check_timestamp: bool) -> AlibabaApiConfig {
    AlibabaApiConfig {
        keys: vec![(id.into(), secret.into())],
        accept_issued: true,
        check_timestamp,
    }
}

// ---------------------------------------------------------------------------------------------
// ACS3
// ---------------------------------------------------------------------------------------------

/// The ACS3 documentation's fixed-value example as (target, headers).
fn acs3_doc_request() -> (String, Vec<(String, String)>) {
    let v = vector("alibaba_acs3_hmac_sha256_ecs_runinstances_doc_fixed_values");
    let target = format!(
        "/?{}",
        v["expected"]["canonical_query_string"].as_str().unwrap()
    );
    let mut headers: Vec<(String, String)> = v["inputs"]["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| h(k, v.as_str().unwrap()))
        .collect();
    headers.push(h(
        "Authorization",
        v["expected"]["authorization"].as_str().unwrap(),
    ));
    (target, headers)
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

#[tokio::test]
async fn acs3_official_example_verifies_and_tampering_is_rejected() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(acs3_route_with(config(
        "YourAccessKeyId",
        "YourAccessKeySecret",
        false,
    )));
    let (target, headers) = acs3_doc_request();

    // Tampered header (signed x-acs-version).
    let r = send(
        &emu,
        wire(
            "POST",
            &target,
            &replace(&headers, "x-acs-version", "2014-05-27"),
            b"",
        ),
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (400, "SignatureDoesNotMatch"),
        "{}",
        r.text()
    );
    // Tampered query.
    let t2 = target.replace("cn-shanghai", "cn-beijing");
    let r = send(&emu, wire("POST", &t2, &headers, b"")).await;
    assert_eq!(code(&r), "SignatureDoesNotMatch");
    // Changed body, content hash left alone, then with the content hash updated.
    let r = send(&emu, wire("POST", &target, &headers, b"{}")).await;
    assert_eq!(code(&r), "SignatureDoesNotMatch");
    assert!(r.text().contains("x-acs-content-sha256"), "{}", r.text());
    let rehashed = replace(&headers, "x-acs-content-sha256", &hex(&sha256(b"{}")));
    let r = send(&emu, wire("POST", &target, &rehashed, b"{}")).await;
    assert_eq!(code(&r), "SignatureDoesNotMatch");
    // An extra x-acs-* header that is not signed.
    let mut extra = headers.clone();
    extra.push(h("x-acs-extra", "1"));
    let r = send(&emu, wire("POST", &target, &extra, b"")).await;
    assert_eq!(code(&r), "IncompleteSignature");
    // Unknown key.
    let r = send(
        &emu,
        wire(
            "POST",
            &target,
            &replace(
                &headers,
                "authorization",
                &headers
                    .last()
                    .unwrap()
                    .1
                    .replace("YourAccessKeyId", "OtherKeyId"),
            ),
            b"",
        ),
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (404, "InvalidAccessKeyId.NotFound")
    );

    // The untouched example verifies (with the date check off), once.
    let r = send(&emu, wire("POST", &target, &headers, b"")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["RequestId"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    let r = send(&emu, wire("POST", &target, &headers, b"")).await;
    assert_eq!((r.status, code(&r).as_str()), (400, "SignatureNonceUsed"));
    assert!(r.json()["RequestId"].is_string());
    assert_eq!(r.json()["HostId"], "ecs.cn-shanghai.aliyuncs.com");

    // Wrong secret for the same id.
    emu.add_route(acs3_route_with(config(
        "YourAccessKeyId",
        "NotTheSecret",
        false,
    )));
    let r = send(&emu, wire("POST", &target, &headers, b"")).await;
    assert_eq!(code(&r), "SignatureDoesNotMatch");
    // Timestamp window on: the 2023 example is out of it.
    emu.add_route(acs3_route_with(config(
        "YourAccessKeyId",
        "YourAccessKeySecret",
        true,
    )));
    let r = send(&emu, wire("POST", &target, &headers, b"")).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (400, "InvalidTimeStamp.Expired")
    );
    assert_eq!(emu.requests_for(ALIBABA_API_ACS3).len(), 10);
    emu.shutdown().await;
}

/// Signs an ACS3 request by hand (query keys and values need no encoding here).
#[allow(clippy::too_many_arguments)]
fn acs3_signed(
    host: &str,
    action: &str,
    query: &[(&str, &str)],
    body: &[u8],
    date: &str,
    nonce: &str,
    id: &str,
    secret: &str,
    token: Option<&str>,
) -> (String, Vec<(String, String)>) {
    let mut q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect();
    q.sort();
    let query = q.join("&");
    let mut signed = vec![
        h("content-type", "application/json"),
        h("host", host),
        h("x-acs-action", action),
        h("x-acs-content-sha256", &hex(&sha256(body))),
        h("x-acs-date", date),
        h("x-acs-signature-nonce", nonce),
        h("x-acs-version", "2014-05-26"),
    ];
    if let Some(t) = token {
        signed.push(h("x-acs-security-token", t));
    }
    signed.sort();
    let names: Vec<&str> = signed.iter().map(|(n, _)| n.as_str()).collect();
    let canonical_headers: String = signed.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let canonical = format!(
        "POST\n/\n{query}\n{canonical_headers}\n{}\n{}",
        names.join(";"),
        hex(&sha256(body))
    );
    let sts = format!("ACS3-HMAC-SHA256\n{}", hex(&sha256(canonical.as_bytes())));
    let sig = hex(&hmac_sha256(secret.as_bytes(), sts.as_bytes()));
    let mut headers = signed.clone();
    headers.push(h(
        "Authorization",
        &format!(
            "ACS3-HMAC-SHA256 Credential={id},SignedHeaders={},Signature={sig}",
            names.join(";")
        ),
    ));
    let target = if query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{query}")
    };
    (target, headers)
}

#[tokio::test]
async fn acs3_fresh_requests_with_the_sample_key_and_issued_credentials() {
    let emu = Emulator::start().await.unwrap();
    let host = emu.addr().to_string();
    let now = format_utc(SystemTime::now());
    let body = br#"{"RegionId":"cn-hangzhou"}"#;

    let (t, hs) = acs3_signed(
        &host,
        "DescribeRegions",
        &[("RegionId", "cn-hangzhou"), ("Empty", "")],
        body,
        &now,
        "n-1",
        ACCESS_KEY_ID,
        ACCESS_KEY_SECRET,
        None,
    );
    let r = send(&emu, wire("POST", &t, &hs, body)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["Regions"]["Region"][0]["RegionId"], "cn-hangzhou");
    let other = send(&emu, {
        let (t, hs) = acs3_signed(
            &host,
            "DescribeInstances",
            &[],
            b"",
            &now,
            "n-2",
            ACCESS_KEY_ID,
            ACCESS_KEY_SECRET,
            None,
        );
        wire("POST", &t, &hs, b"")
    })
    .await;
    assert_eq!(other.status, 200, "{}", other.text());
    assert!(other.json()["RequestId"].is_string());

    // 20 minutes off, correctly signed: out of the window.
    let old = format_utc(SystemTime::now() - Duration::from_secs(20 * 60));
    let (t, hs) = acs3_signed(
        &host,
        "DescribeRegions",
        &[],
        b"",
        &old,
        "n-3",
        ACCESS_KEY_ID,
        ACCESS_KEY_SECRET,
        None,
    );
    let r = send(&emu, wire("POST", &t, &hs, b"")).await;
    assert_eq!(code(&r), "InvalidTimeStamp.Expired");
    // Wrong secret.
    let (t, hs) = acs3_signed(
        &host,
        "DescribeRegions",
        &[],
        b"",
        &now,
        "n-4",
        ACCESS_KEY_ID,
        "wrong",
        None,
    );
    assert_eq!(
        code(&send(&emu, wire("POST", &t, &hs, b"")).await),
        "SignatureDoesNotMatch"
    );

    // Issued STS credentials need their token.
    let issued = get(emu.addr(), "/credentials-uri").await.unwrap().json();
    let (id, secret, token) = (
        issued["AccessKeyId"].as_str().unwrap(),
        issued["AccessKeySecret"].as_str().unwrap(),
        issued["SecurityToken"].as_str().unwrap(),
    );
    let (t, hs) = acs3_signed(
        &host,
        "DescribeRegions",
        &[],
        b"",
        &now,
        "n-5",
        id,
        secret,
        Some(token),
    );
    let r = send(&emu, wire("POST", &t, &hs, b"")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (t, hs) = acs3_signed(
        &host,
        "DescribeRegions",
        &[],
        b"",
        &now,
        "n-6",
        id,
        secret,
        Some("other-token"),
    );
    assert_eq!(
        code(&send(&emu, wire("POST", &t, &hs, b"")).await),
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    // The token header must be signed.
    let (t, hs) = acs3_signed(
        &host,
        "DescribeRegions",
        &[],
        b"",
        &now,
        "n-7",
        id,
        secret,
        None,
    );
    let mut hs = hs;
    hs.push(h("x-acs-security-token", token));
    assert_eq!(
        code(&send(&emu, wire("POST", &t, &hs, b"")).await),
        "IncompleteSignature"
    );
    emu.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// RPC
// ---------------------------------------------------------------------------------------------

fn rpc_target(params: &[(String, String)], signature: &str) -> String {
    let mut q: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect();
    q.push(format!("Signature={}", percent_encode(signature, false)));
    format!("/?{}", q.join("&"))
}

fn rpc_doc_params() -> (Vec<(String, String)>, String) {
    let v = vector("alibaba_rpc_hmac_sha1_ecs_describeregions_doc");
    let params = v["inputs"]["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| h(k, v.as_str().unwrap()))
        .collect();
    (
        params,
        v["expected"]["signature"].as_str().unwrap().to_string(),
    )
}

fn with(params: &[(String, String)], k: &str, v: &str) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = params.iter().filter(|(n, _)| n != k).cloned().collect();
    p.push(h(k, v));
    p
}

#[tokio::test]
async fn rpc_official_example_verifies_and_tampering_is_rejected() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(rpc_route_with(config("testid", "testsecret", false)));
    let (params, sig) = rpc_doc_params();
    let host = [h("Host", "ecs.aliyuncs.com")];
    let xml_code = |r: &Response| {
        let t = r.text();
        t.split("<Code>")
            .nth(1)
            .and_then(|s| s.split("</Code>").next())
            .unwrap_or_default()
            .to_string()
    };

    // Tampered parameter (the doc asks for XML), wrong signature, wrong method.
    let r = send(
        &emu,
        wire(
            "GET",
            &rpc_target(&with(&params, "Format", "JSON"), &sig),
            &host,
            b"",
        ),
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (400, "SignatureDoesNotMatch")
    );
    assert!(
        r.text()
            .contains("server string to sign is:GET&%2F&AccessKeyId%3Dtestid"),
        "{}",
        r.text()
    );
    let r = send(
        &emu,
        wire(
            "GET",
            &rpc_target(&with(&params, "Version", "2014-05-27"), &sig),
            &host,
            b"",
        ),
    )
    .await;
    assert_eq!(xml_code(&r), "SignatureDoesNotMatch");
    let r = send(&emu, wire("POST", &rpc_target(&params, &sig), &host, b"")).await;
    assert_eq!(xml_code(&r), "SignatureDoesNotMatch");

    // The doc example verifies once, answered in XML as asked; the replay is refused.
    let r = send(&emu, wire("GET", &rpc_target(&params, &sig), &host, b"")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("content-type").unwrap().starts_with("text/xml"));
    let text = r.text();
    assert!(
        text.starts_with("<?xml version='1.0' encoding='UTF-8'?><DescribeRegionsResponse>"),
        "{text}"
    );
    assert!(text.contains("<RegionId>cn-hangzhou</RegionId>"), "{text}");
    let r = send(&emu, wire("GET", &rpc_target(&params, &sig), &host, b"")).await;
    assert_eq!(
        (r.status, xml_code(&r).as_str()),
        (400, "SignatureNonceUsed")
    );
    assert!(r.text().contains("<RequestId>"), "{}", r.text());

    // Wrong secret; timestamp window on.
    emu.add_route(rpc_route_with(config("testid", "othersecret", false)));
    let r = send(&emu, wire("GET", &rpc_target(&params, &sig), &host, b"")).await;
    assert_eq!(xml_code(&r), "SignatureDoesNotMatch");
    emu.add_route(rpc_route_with(config("testid", "testsecret", true)));
    let r = send(&emu, wire("GET", &rpc_target(&params, &sig), &host, b"")).await;
    assert_eq!(xml_code(&r), "InvalidTimeStamp.Expired");
    assert_eq!(emu.requests_for(ALIBABA_API_RPC).len(), 7);
    emu.shutdown().await;
}

fn rpc_fresh(
    action: &str,
    nonce: &str,
    ts: &str,
    id: &str,
    token: Option<&str>,
) -> Vec<(String, String)> {
    let mut p = vec![
        h("Action", action),
        h("Version", "2014-05-26"),
        h("Format", "JSON"),
        h("AccessKeyId", id),
        h("SignatureMethod", "HMAC-SHA1"),
        h("SignatureVersion", "1.0"),
        h("SignatureNonce", nonce),
        h("Timestamp", ts),
        h("RegionId", "cn-hangzhou"),
        h("Empty", ""),
    ];
    if let Some(t) = token {
        p.push(h("SecurityToken", t));
    }
    p
}

#[tokio::test]
async fn rpc_fresh_requests_routes_and_errors() {
    let emu = Emulator::start().await.unwrap();
    let host = [h("Host", "ecs.aliyuncs.com")];
    let now = format_utc(SystemTime::now());

    let p = rpc_fresh("DescribeRegions", "r-1", &now, ACCESS_KEY_ID, None);
    let sig = alibaba_sts::rpc_signature("GET", &p, ACCESS_KEY_SECRET);
    let r = send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b"")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["Regions"]["Region"][1]["RegionId"], "cn-shanghai");
    // POST with the parameters in a form body.
    let p = rpc_fresh("DescribeInstances", "r-2", &now, ACCESS_KEY_ID, None);
    let sig = alibaba_sts::rpc_signature("POST", &p, ACCESS_KEY_SECRET);
    let form = rpc_target(&p, &sig)[2..].to_string();
    let r = send(
        &emu,
        wire(
            "POST",
            "/",
            &[
                host[0].clone(),
                h("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(emu.requests_for(ALIBABA_API_RPC).len(), 2);

    // Correctly signed but 20 minutes old.
    let old = format_utc(SystemTime::now() - Duration::from_secs(20 * 60));
    let p = rpc_fresh("DescribeRegions", "r-3", &old, ACCESS_KEY_ID, None);
    let sig = alibaba_sts::rpc_signature("GET", &p, ACCESS_KEY_SECRET);
    assert_eq!(
        code(&send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b"")).await),
        "InvalidTimeStamp.Expired"
    );
    // Wrong secret, missing parameter.
    let p = rpc_fresh("DescribeRegions", "r-4", &now, ACCESS_KEY_ID, None);
    let sig = alibaba_sts::rpc_signature("GET", &p, "wrong");
    assert_eq!(
        code(&send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b"")).await),
        "SignatureDoesNotMatch"
    );
    let p: Vec<_> = rpc_fresh("DescribeRegions", "r-5", &now, ACCESS_KEY_ID, None)
        .into_iter()
        .filter(|(k, _)| k != "SignatureNonce")
        .collect();
    let sig = alibaba_sts::rpc_signature("GET", &p, ACCESS_KEY_SECRET);
    assert_eq!(
        code(&send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b"")).await),
        "MissingSignatureNonce"
    );

    // Issued credentials with and without their token.
    let issued = get(emu.addr(), "/credentials-uri").await.unwrap().json();
    let (id, secret, token) = (
        issued["AccessKeyId"].as_str().unwrap(),
        issued["AccessKeySecret"].as_str().unwrap(),
        issued["SecurityToken"].as_str().unwrap(),
    );
    let p = rpc_fresh("DescribeRegions", "r-6", &now, id, Some(token));
    let sig = alibaba_sts::rpc_signature("GET", &p, secret);
    assert_eq!(
        send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b""))
            .await
            .status,
        200
    );
    let p = rpc_fresh("DescribeRegions", "r-7", &now, id, None);
    let sig = alibaba_sts::rpc_signature("GET", &p, secret);
    assert_eq!(
        code(&send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b"")).await),
        "InvalidSecurityToken.MismatchWithAccessKey"
    );

    // STS actions still go to the STS route.
    let p = rpc_fresh("AssumeRole", "r-8", &now, ACCESS_KEY_ID, None);
    let sig = alibaba_sts::rpc_signature("GET", &p, ACCESS_KEY_SECRET);
    send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b"")).await;
    assert_eq!(
        emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE).len(),
        1
    );
    assert_eq!(emu.requests_for(ALIBABA_API_RPC).len(), 7);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_action_the_emulator_does_not_implement_is_an_error_naming_it() {
    let emu = Emulator::start().await.unwrap();
    let now = format_utc(SystemTime::now());
    // RPC, correctly signed.
    let host = [h("Host", "ecs.aliyuncs.com")];
    let p = rpc_fresh("DeleteInstance", "u-1", &now, ACCESS_KEY_ID, None);
    let sig = alibaba_sts::rpc_signature("GET", &p, ACCESS_KEY_SECRET);
    let r = send(&emu, wire("GET", &rpc_target(&p, &sig), &host, b"")).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (404, "InvalidAction.NotFound")
    );
    let message = r.json()["Message"].as_str().unwrap().to_string();
    assert!(message.contains("`DeleteInstance`"), "{message}");
    assert!(r.json()["RequestId"].is_string());
    // ACS3, correctly signed.
    let addr = emu.addr().to_string();
    let (t, hs) = acs3_signed(
        &addr,
        "StopInstances",
        &[],
        b"",
        &now,
        "u-2",
        ACCESS_KEY_ID,
        ACCESS_KEY_SECRET,
        None,
    );
    let r = send(&emu, wire("POST", &t, &hs, b"")).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (404, "InvalidAction.NotFound")
    );
    assert!(r.json()["Message"]
        .as_str()
        .unwrap()
        .contains("`StopInstances`"));
    emu.shutdown().await;
}
