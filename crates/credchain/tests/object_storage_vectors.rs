//! Every entry of `tests/data/object-storage-vectors.json`: presigned URLs and COS `Authorization`
//! values produced by the official Python SDKs (oss2, alibabacloud-oss-v2, cos-python-sdk-v5) with a
//! frozen clock, compared byte for byte with credchain's.

use std::sync::OnceLock;

use credchain::sign::cos::{self, CosRequest};
use credchain::sign::cos_presign::{self, CosPresignRequest};
use credchain::sign::object_endpoint::ObjectEndpoint;
use credchain::sign::oss_presign::{self, OssPresignRequest};
use credchain::sign::{encode, DerivedKeyCache};
use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/object-storage-vectors.json"
);

fn all() -> &'static Vec<Value> {
    static ALL: OnceLock<Vec<Value>> = OnceLock::new();
    ALL.get_or_init(|| {
        let text = std::fs::read_to_string(VECTORS)
            .unwrap_or_else(|e| panic!("cannot read {VECTORS}: {e}"));
        serde_json::from_str(&text).expect("the vectors file is a JSON array")
    })
}

fn of_scheme(scheme: &str) -> Vec<&'static Value> {
    let v: Vec<&Value> = all().iter().filter(|v| v["scheme"] == scheme).collect();
    assert!(v.len() >= 30, "only {} {scheme} vectors", v.len());
    v
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v["input"][field]
        .as_str()
        .unwrap_or_else(|| panic!("input.{field} is not a string: {v}"))
}

fn token(v: &Value) -> Option<&str> {
    v["input"]["security_token"].as_str()
}

fn num(v: &Value, field: &str) -> i64 {
    v["input"][field]
        .as_i64()
        .unwrap_or_else(|| panic!("input.{field} is not an integer: {v}"))
}

fn pairs(v: &Value, field: &str) -> Vec<(String, String)> {
    v["input"][field]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn expected<'a>(v: &'a Value, field: &str) -> &'a str {
    v["expected"][field]
        .as_str()
        .unwrap_or_else(|| panic!("expected.{field} missing: {v}"))
}

fn oss_request(v: &Value) -> OssPresignRequest {
    let mut r = OssPresignRequest::new(
        s(v, "method"),
        s(v, "bucket"),
        s(v, "key"),
        s(v, "region"),
        num(v, "time"),
    );
    r.expires = num(v, "expires") as u64;
    r.endpoint_override = Some(ObjectEndpoint::parse(s(v, "endpoint")).unwrap());
    r.headers = pairs(v, "headers");
    r.params = pairs(v, "params");
    r
}

#[test]
fn oss_v1_presigned_urls_equal_oss2() {
    let vectors = of_scheme("oss_v1_presign");
    for v in &vectors {
        let mut r = oss_request(v);
        r.slash_safe = v["input"]["slash_safe"].as_bool().unwrap_or(false);
        let p = oss_presign::presign_v1_with_key(
            &r,
            s(v, "access_key_id"),
            s(v, "access_key_secret"),
            token(v),
        )
        .unwrap_or_else(|e| panic!("{e} for {v}"));
        assert_eq!(p.url, expected(v, "url"), "origin: {}", v["origin"]);
    }
    eprintln!("oss_v1_presign: {} vectors match oss2", vectors.len());
}

#[test]
fn oss_v4_presigned_urls_equal_alibabacloud_oss_v2() {
    let vectors = of_scheme("oss_v4_presign");
    let cold = DerivedKeyCache::disabled();
    for v in &vectors {
        let mut r = oss_request(v);
        r.additional_headers = v["input"]["additional_headers"]
            .as_array()
            .map(|a| a.iter().map(|h| h.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let p = oss_presign::presign_v4_with_cache(
            &r,
            s(v, "access_key_id"),
            s(v, "access_key_secret"),
            token(v),
            &cold,
        )
        .unwrap_or_else(|e| panic!("{e} for {v}"));
        assert_eq!(p.url, expected(v, "url"), "origin: {}", v["origin"]);
        // The SDK reports the headers the client must send; every one we signed is among them.
        for (name, _) in &p.signed_headers {
            let sdk = v["expected"]["signed_headers"].as_object().unwrap();
            assert!(
                sdk.keys().any(|k| k.eq_ignore_ascii_case(name)),
                "{name} signed but not reported by the SDK: {v}"
            );
        }
    }
    eprintln!(
        "oss_v4_presign: {} vectors match alibabacloud-oss-v2",
        vectors.len()
    );
}

/// Query pairs of a URL, sorted, and the `x-oss-signature` value.
fn sorted_query(url: &str) -> (Vec<&str>, &str) {
    let (_, query) = url.split_once('?').unwrap();
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort();
    let signature = pairs
        .iter()
        .find_map(|p| p.strip_prefix("x-oss-signature="))
        .unwrap();
    (pairs, signature)
}

/// oss2's V4 `sign_url` orders the parameters differently from alibabacloud-oss-v2 but signs the
/// same canonical request, and (unlike alibabacloud-oss-v2 1.4.1) honours additional headers.
#[test]
fn oss_v4_signatures_equal_oss2_with_additional_headers() {
    let vectors: Vec<&Value> = all()
        .iter()
        .filter(|v| v["scheme"] == "oss_v4_presign_oss2")
        .collect();
    assert!(vectors.len() >= 8);
    for v in &vectors {
        let mut r = oss_request(v);
        r.additional_headers = v["input"]["additional_headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect();
        let p = oss_presign::presign_v4_with_key(
            &r,
            s(v, "access_key_id"),
            s(v, "access_key_secret"),
            token(v),
        )
        .unwrap_or_else(|e| panic!("{e} for {v}"));
        let url = expected(v, "url");
        // oss2 also encodes `/` in the path (its slash_safe=False default): same object.
        assert_eq!(
            encode::decode(p.url.split_once('?').unwrap().0),
            encode::decode(url.split_once('?').unwrap().0)
        );
        assert_eq!(sorted_query(&p.url), sorted_query(url), "{}", v["origin"]);
    }
    eprintln!(
        "oss_v4_presign_oss2: {} signatures match oss2 AuthV4",
        vectors.len()
    );
}

#[test]
fn cos_presigned_urls_equal_cos_python_sdk_v5() {
    let vectors = of_scheme("cos_presign");
    for v in &vectors {
        let mut r = CosPresignRequest::new(
            s(v, "method"),
            s(v, "bucket"),
            s(v, "key"),
            s(v, "region"),
            num(v, "time"),
        );
        r.expires = num(v, "expires") as u64;
        if let Some(e) = v["input"]["endpoint"].as_str() {
            r.endpoint_override = Some(ObjectEndpoint::parse(e).unwrap());
        }
        r.headers = pairs(v, "headers");
        r.params = pairs(v, "params");
        r.sign_host = v["input"]["sign_host"].as_bool().unwrap();
        let p = cos_presign::presign_with_key(&r, s(v, "secret_id"), s(v, "secret_key"), token(v))
            .unwrap_or_else(|e| panic!("{e} for {v}"));
        assert_eq!(p.url, expected(v, "url"), "origin: {}", v["origin"]);
    }
    eprintln!(
        "cos_presign: {} vectors match cos-python-sdk-v5",
        vectors.len()
    );
}

#[test]
fn cos_authorization_equals_cos_python_sdk_v5() {
    let vectors = of_scheme("cos_header");
    for v in &vectors {
        let mut r = CosRequest::new(
            s(v, "method"),
            s(v, "key"),
            num(v, "time"),
            num(v, "expires"),
        );
        r.host = format!("{}.cos.{}.myqcloud.com", s(v, "bucket"), s(v, "region"));
        r.headers = pairs(v, "headers");
        r.params = pairs(v, "params");
        let signed = cos::sign_with_key(&r, s(v, "secret_id"), s(v, "secret_key"), token(v));
        assert_eq!(
            signed.authorization,
            expected(v, "authorization"),
            "origin: {}",
            v["origin"]
        );
        // Every step is consistent with the final value.
        assert!(signed.authorization.ends_with(&signed.signature));
        assert_eq!(
            signed.string_to_sign,
            format!(
                "sha1\n{}\n{}\n",
                signed.key_time,
                credchain::sign::crypto::sha1_hex(signed.http_string.as_bytes())
            )
        );
    }
    eprintln!(
        "cos_header: {} vectors match cos-python-sdk-v5",
        vectors.len()
    );
}

#[test]
fn every_vector_names_its_origin() {
    for v in all() {
        let origin = v["origin"].as_str().unwrap_or("");
        assert!(
            ["oss2 ", "alibabacloud-oss-v2 ", "cos-python-sdk-v5 "]
                .iter()
                .any(|sdk| origin.starts_with(sdk)),
            "{v}"
        );
    }
}
