//! Alibaba STS grants `DurationSeconds` (default 3600 s) up to the configured lifetime (the
//! role's longest session), for `AssumeRole` and `AssumeRoleWithOIDC`: the answer's `Expiration`
//! and the issued credentials the emulator records expire that long after its clock (fixed here,
//! so the expectation is exact).

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{raw, send};
use credchain_emulator::routes::alibaba_sts::{self, ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use credchain_emulator::time::{format_utc, parse_utc};
use credchain_emulator::Emulator;
use serde_json::Value;

const NOW: u64 = 1_800_000_000;

fn form(pairs: &[(String, String)]) -> String {
    let enc = credchain_emulator::crypto::percent_encode;
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k, false), enc(v, false)))
        .collect();
    parts.join("&")
}

async fn post_form(emu: &Emulator, pairs: &[(String, String)]) -> Value {
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = send(
        emu.addr(),
        &raw("POST", "/", &headers, form(pairs).as_bytes()),
    )
    .await
    .unwrap();
    r.json()
}

fn p(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

async fn oidc(emu: &Emulator, duration: Option<u64>) -> Value {
    let mut pairs = vec![
        p("Action", "AssumeRoleWithOIDC"),
        p("RoleArn", "acs:ram::123456789012:role/emu"),
        p("OIDCProviderArn", "acs:ram::123456789012:oidc-provider/emu"),
        p("OIDCToken", "eyJ.emu.token"),
        p("RoleSessionName", "duration-test"),
    ];
    if let Some(d) = duration {
        pairs.push(p("DurationSeconds", &d.to_string()));
    }
    post_form(emu, &pairs).await
}

/// A signed `AssumeRole`; its `Timestamp` follows the system clock, which the signature check
/// uses, while the grant follows the emulator's fixed clock.
async fn assume_role(emu: &Emulator, duration: u64, nonce: &str) -> Value {
    let mut pairs = vec![
        p("Action", "AssumeRole"),
        p("Format", "JSON"),
        p("Version", "2015-04-01"),
        p("SignatureMethod", "HMAC-SHA1"),
        p("SignatureVersion", "1.0"),
        p("SignatureNonce", nonce),
        p("Timestamp", &format_utc(SystemTime::now())),
        p("AccessKeyId", ACCESS_KEY_ID),
        p("RoleArn", "acs:ram::123456789012:role/emu"),
        p("RoleSessionName", "duration-test"),
        p("DurationSeconds", &duration.to_string()),
    ];
    let signature = alibaba_sts::rpc_signature("POST", &pairs, ACCESS_KEY_SECRET);
    pairs.push(p("Signature", &signature));
    post_form(emu, &pairs).await
}

/// Seconds from the fixed clock to the answer's `Expiration`.
fn granted(answer: &Value) -> u64 {
    let expiration = answer["Credentials"]["Expiration"]
        .as_str()
        .unwrap_or_else(|| panic!("no Credentials.Expiration in {answer}"));
    let at = parse_utc(expiration).expect("Expiration is YYYY-MM-DDThh:mm:ssZ");
    at.duration_since(UNIX_EPOCH).unwrap().as_secs() - NOW
}

/// Seconds from the fixed clock to the expiry the emulator recorded for the last issue.
fn recorded(emu: &Emulator) -> u64 {
    let last = emu.issued().pop().expect("credentials were issued");
    last.expiration
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - NOW
}

#[tokio::test]
async fn oidc_grants_the_shorter_of_requested_and_lifetime() {
    let emu = Emulator::start().await.unwrap();
    emu.set_clock(Some(UNIX_EPOCH + Duration::from_secs(NOW)));
    emu.set_credential_lifetime(Duration::from_secs(3600));
    let capped = oidc(&emu, Some(7200)).await;
    assert_eq!((granted(&capped), recorded(&emu)), (3600, 3600), "{capped}");
    let short = oidc(&emu, Some(900)).await;
    assert_eq!((granted(&short), recorded(&emu)), (900, 900), "{short}");
    emu.set_credential_lifetime(Duration::from_secs(43_200));
    let long = oidc(&emu, Some(43_200)).await;
    assert_eq!((granted(&long), recorded(&emu)), (43_200, 43_200), "{long}");
    // Without DurationSeconds Alibaba's default of 3600 s applies, below the lifetime here.
    let default = oidc(&emu, None).await;
    assert_eq!(
        (granted(&default), recorded(&emu)),
        (3600, 3600),
        "{default}"
    );
    let too_long = oidc(&emu, Some(43_201)).await;
    assert_eq!(
        too_long["Code"], "InvalidParameter.DurationSeconds",
        "{too_long}"
    );
}

#[tokio::test]
async fn assume_role_grants_the_shorter_of_requested_and_lifetime() {
    let emu = Emulator::start().await.unwrap();
    emu.set_clock(Some(UNIX_EPOCH + Duration::from_secs(NOW)));
    emu.set_credential_lifetime(Duration::from_secs(1800));
    let short = assume_role(&emu, 900, "duration-1").await;
    assert_eq!((granted(&short), recorded(&emu)), (900, 900), "{short}");
    let capped = assume_role(&emu, 3600, "duration-2").await;
    assert_eq!((granted(&capped), recorded(&emu)), (1800, 1800), "{capped}");
}
