//! Every fault kind, as a real client over loopback sees it.

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::{get, raw, send, Conn};
use credchain_emulator::routes::{
    ALIBABA_CREDENTIALS_URI, ALIBABA_IMDS_CREDENTIALS, ALIBABA_IMDS_ROLE_LIST,
    TENCENT_CVM_CREDENTIALS,
};
use credchain_emulator::time::{format_utc, parse_utc, unix_seconds};
use credchain_emulator::{Emulator, Fault};

const URI: &str = "/credentials-uri";
const ECS_CREDS: &str = "/latest/meta-data/ram/security-credentials/EmulatorEcsRole";
const CVM_CREDS: &str = "/latest/meta-data/cam/security-credentials/EmulatorCvmRole";

#[tokio::test]
async fn status_fault_with_json_text_and_no_body() {
    let emu = Emulator::start().await.unwrap();
    emu.push_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::status_with_body(403, r#"{"Code":"Forbidden"}"#),
    );
    emu.push_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::status_with_body(500, "boom"),
    );
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::status(502));

    let r = get(emu.addr(), URI).await.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["Code"], "Forbidden");

    let r = get(emu.addr(), URI).await.unwrap();
    assert_eq!((r.status, r.text().as_str()), (500, "boom"));

    let r = get(emu.addr(), URI).await.unwrap();
    assert_eq!((r.status, r.body.len()), (502, 0));

    // A status fault replaces the handler: nothing was issued.
    assert_eq!(emu.issued_count(ALIBABA_CREDENTIALS_URI), 0);
    assert_eq!(get(emu.addr(), URI).await.unwrap().status, 200);
    assert_eq!(emu.issued_count(ALIBABA_CREDENTIALS_URI), 1);
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let emu = Emulator::start().await.unwrap();
    let delay = Duration::from_millis(300);
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::Delay(delay));
    let started = Instant::now();
    let r = get(emu.addr(), URI).await.unwrap();
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Code"], "Success");
}

#[tokio::test]
async fn delay_composes_with_other_faults() {
    let emu = Emulator::start().await.unwrap();
    let delay = Duration::from_millis(200);
    emu.push_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::Delay(delay).then(Fault::DropConnection),
    );
    emu.push_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::Delay(delay).then(Fault::status(503)),
    );
    let started = Instant::now();
    assert!(get(emu.addr(), URI).await.is_err());
    assert!(started.elapsed() >= delay);
    let started = Instant::now();
    assert_eq!(get(emu.addr(), URI).await.unwrap().status, 503);
    assert!(started.elapsed() >= delay);
}

#[tokio::test]
async fn malformed_body_is_not_json() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(ALIBABA_IMDS_CREDENTIALS, Fault::MalformedBody);
    let r = get(emu.addr(), ECS_CREDS).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(!r.body.is_empty());
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
}

#[tokio::test]
async fn truncated_body_is_a_short_read() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(ALIBABA_CREDENTIALS_URI, Fault::TruncatedBody);
    // Our strict client fails...
    let err = get(emu.addr(), URI).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    // ...and the raw bytes show fewer body bytes than announced, then end of stream.
    let mut c = Conn::open(emu.addr()).await.unwrap();
    c.write(&raw("GET", URI, &[], b"")).await.unwrap();
    let all = String::from_utf8(c.read_rest().await.unwrap()).unwrap();
    let (head, body) = all.split_once("\r\n\r\n").unwrap();
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    assert!(head.contains("Connection: close"));
    assert!(
        !body.is_empty() && body.len() < declared,
        "{} < {declared}",
        body.len()
    );
    assert!(body.starts_with(r#"{"#));
}

#[tokio::test]
async fn truncated_empty_body_still_announces_more() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::status(500).then(Fault::TruncatedBody),
    );
    assert!(get(emu.addr(), URI).await.is_err());
}

#[tokio::test]
async fn dropped_connection_is_an_error() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(TENCENT_CVM_CREDENTIALS, Fault::DropConnection);
    let mut c = Conn::open(emu.addr()).await.unwrap();
    c.write(&raw("GET", CVM_CREDS, &[], b"")).await.unwrap();
    // Nothing at all comes back: end of stream (or a reset) without a byte.
    match c.read_rest().await {
        Ok(bytes) => assert!(bytes.is_empty()),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
    }
    assert!(get(emu.addr(), CVM_CREDS).await.is_err());
    assert_eq!(emu.issued_count(TENCENT_CVM_CREDENTIALS), 0);
    assert_eq!(emu.requests_for(TENCENT_CVM_CREDENTIALS).len(), 2);
}

#[tokio::test]
async fn missing_fields_are_absent() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(
        ALIBABA_IMDS_CREDENTIALS,
        Fault::missing_fields(["SecurityToken", "Expiration"]),
    );
    let v = get(emu.addr(), ECS_CREDS).await.unwrap().json();
    let obj = v.as_object().unwrap();
    assert!(!obj.contains_key("SecurityToken"));
    assert!(!obj.contains_key("Expiration"));
    assert_eq!(obj["Code"], "Success");
    assert!(obj.contains_key("AccessKeyId") && obj.contains_key("AccessKeySecret"));

    emu.set_fault(TENCENT_CVM_CREDENTIALS, Fault::missing_fields(["Token"]));
    let v = get(emu.addr(), CVM_CREDS).await.unwrap().json();
    assert!(v.get("Token").is_none());
    assert!(v.get("TmpSecretId").is_some());
}

#[tokio::test]
async fn expired_credentials_are_in_the_past() {
    let emu = Emulator::start().await.unwrap();
    emu.push_fault(ALIBABA_IMDS_CREDENTIALS, Fault::ExpiredCredentials);
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::ExpiredCredentials);
    emu.push_fault(TENCENT_CVM_CREDENTIALS, Fault::ExpiredCredentials);
    let now = SystemTime::now();

    for path in [ECS_CREDS, URI] {
        let v = get(emu.addr(), path).await.unwrap().json();
        let exp = parse_utc(v["Expiration"].as_str().unwrap()).unwrap();
        assert!(
            exp < now,
            "{path}: {} not before {}",
            format_utc(exp),
            format_utc(now)
        );
        assert_eq!(v["Code"], "Success");
    }
    let v = get(emu.addr(), CVM_CREDS).await.unwrap().json();
    assert!(v["ExpiredTime"].as_i64().unwrap() < unix_seconds(now));
    assert!(parse_utc(v["Expiration"].as_str().unwrap()).unwrap() < now);

    // One-shot: the next answers are valid again.
    let v = get(emu.addr(), CVM_CREDS).await.unwrap().json();
    assert!(v["ExpiredTime"].as_i64().unwrap() > unix_seconds(now) + 3000);
    assert_eq!(
        emu.issued().iter().filter(|c| c.expiration < now).count(),
        3
    );
}

#[tokio::test]
async fn one_shot_faults_are_consumed_in_order_then_persistent_applies() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(ALIBABA_CREDENTIALS_URI, Fault::status(500));
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::status(401));
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::status(429));
    assert_eq!(emu.pending_faults(ALIBABA_CREDENTIALS_URI), 2);

    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(get(emu.addr(), URI).await.unwrap().status);
    }
    assert_eq!(statuses, [401, 429, 500, 500]);
    assert_eq!(emu.pending_faults(ALIBABA_CREDENTIALS_URI), 0);

    emu.clear_fault(ALIBABA_CREDENTIALS_URI);
    assert_eq!(get(emu.addr(), URI).await.unwrap().status, 200);

    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::status(503));
    assert_eq!(get(emu.addr(), URI).await.unwrap().status, 503);
    assert_eq!(get(emu.addr(), URI).await.unwrap().status, 200);
}

#[tokio::test]
async fn faults_are_keyed_by_route() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(ALIBABA_IMDS_ROLE_LIST, Fault::status(500));
    emu.set_fault("no.such.route", Fault::DropConnection);
    assert_eq!(
        get(emu.addr(), "/latest/meta-data/ram/security-credentials/")
            .await
            .unwrap()
            .status,
        500
    );
    assert_eq!(get(emu.addr(), ECS_CREDS).await.unwrap().status, 200);
    emu.clear_faults();
    let r = get(emu.addr(), "/latest/meta-data/ram/security-credentials/")
        .await
        .unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "EmulatorEcsRole"));
}

#[tokio::test]
async fn faulted_connection_does_not_break_keep_alive_of_others() {
    let emu = Emulator::start().await.unwrap();
    let mut c = Conn::open(emu.addr()).await.unwrap();
    assert_eq!(
        c.request(&raw("GET", URI, &[], b"")).await.unwrap().status,
        200
    );
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::MalformedBody);
    // Malformed keeps the connection usable: the framing is intact.
    assert_eq!(
        c.request(&raw("GET", URI, &[], b"")).await.unwrap().status,
        200
    );
    assert_eq!(
        c.request(&raw("GET", URI, &[], b"")).await.unwrap().json()["Code"],
        "Success"
    );
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::DropConnection);
    assert!(c.request(&raw("GET", URI, &[], b"")).await.is_err());
    assert_eq!(
        send(emu.addr(), &raw("GET", URI, &[], b""))
            .await
            .unwrap()
            .status,
        200
    );
}
