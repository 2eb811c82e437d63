//! Every entry of `tests/data/signing-vectors.json` (read at test time), step by step, plus the extra
//! reference values listed in `docs/signing.md` (known digests and MACs, the Alibaba credentials
//! libraries' conformance cases, the STS AssumeRole worked example, SDK-shaped TC3 requests).
//!
//! Each test recomputes every intermediate present under `expected` and compares bytes, so a
//! failure names the faulty step.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use credchain::sign::acs3::{self, Acs3Algorithm, Acs3Request};
use credchain::sign::crypto::{self, RsaSigningKey};
use credchain::sign::encode;
use credchain::sign::oss::{self, OssV1Request, OssV4Request};
use credchain::sign::rpc::{self, RoaRequest, RpcRequest};
use credchain::sign::tc3::{self, Tc3Request};
use credchain::sign::tc_v1::{self, TcV1Method, TcV1Request};
use credchain::sign::{self as sign, DerivedKeyCache, Payload};
use credchain::Credentials;
use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/signing-vectors.json"
);

fn all() -> &'static Vec<Value> {
    static ALL: OnceLock<Vec<Value>> = OnceLock::new();
    ALL.get_or_init(|| {
        let text = std::fs::read_to_string(VECTORS)
            .unwrap_or_else(|e| panic!("cannot read {VECTORS}: {e}"));
        serde_json::from_str(&text).expect("signing.json is a JSON array")
    })
}

fn vector(name: &str) -> &'static Value {
    all()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("vector {name} is missing from signing.json"))
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} is not a string: {v}"))
}

/// An `expected` field, when present.
fn exp<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v["expected"][field].as_str()
}

/// Compares one step, naming it.
fn step(vector: &Value, field: &str, actual: &str) {
    match exp(vector, field) {
        Some(expected) => assert_eq!(
            actual, expected,
            "vector {} step `{field}` differs",
            vector["name"]
        ),
        None => panic!("vector {} has no expected.{field}", vector["name"]),
    }
}

/// Compares every listed step that the vector has; returns how many were compared.
fn steps(vector: &Value, pairs: &[(&str, &str)]) -> usize {
    let mut n = 0;
    for (field, actual) in pairs {
        if exp(vector, field).is_some() {
            step(vector, field, actual);
            n += 1;
        }
    }
    n
}

fn pairs(obj: &Value) -> Vec<(String, String)> {
    match obj {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect(),
        Value::Array(a) => a
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_string(),
                    p[1].as_str().unwrap().to_string(),
                )
            })
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("not a pair list: {other}"),
    }
}

/// The fast path (`tc3::write_authorization`, nothing but the `Authorization` value) gives the
/// full signer's `Authorization` byte for byte, cold and with a cached key.
fn same_fast_tc3(req: &Tc3Request, id: &str, key: &str, full: &tc3::Tc3Signed) {
    for cache in [DerivedKeyCache::disabled(), DerivedKeyCache::new(2)] {
        for _ in 0..2 {
            let mut auth = String::from("kept:");
            tc3::write_authorization(req, id, key, &cache, &mut auth).unwrap();
            assert_eq!(
                auth.strip_prefix("kept:"),
                Some(full.authorization.as_str())
            );
        }
    }
    assert_eq!(
        tc3::authorization(req, id, key, &DerivedKeyCache::disabled()).unwrap(),
        full.authorization
    );
}

/// The same for ACS3 (`acs3::write_authorization`).
fn same_fast_acs3(req: &Acs3Request, id: &str, secret: &str, token: Option<&str>, full: &str) {
    let mut auth = String::new();
    acs3::write_authorization(req, id, secret, token, &mut auth).unwrap();
    assert_eq!(auth, full);
}

fn lower_map(p: &[(String, String)]) -> BTreeMap<String, String> {
    p.iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect()
}

#[test]
fn file_has_19_entries_all_covered() {
    let names: Vec<&str> = all().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 19);
    let covered = [
        "tencent_tc3_cvm_describeinstances_current_doc_x-tc-action",
        "tencent_v1_hmacsha1_cvm_describeinstances_masked_key",
        "tencent_legacy_api2_hmacsha256_cvm_describeinstances",
        "alibaba_acs3_hmac_sha256_ecs_runinstances_doc_fixed_values",
        "alibaba_acs3_hmac_sha256_openapi_util_unittest_method_GET",
        "alibaba_primitive_sm3_test",
        "alibaba_primitive_hmac_sm3_secret_source",
        "alibaba_primitive_hmac_sha256_secret_source",
        "sm3_standard_abc",
        "alibaba_acs3_rsa_sha256_primitive_sign_source",
        "DERIVED_alibaba_acs3_hmac_sm3_doc_inputs",
        "alibaba_percent_encoding_canonical_query",
        "alibaba_percent_encoding_encode_path",
        "alibaba_percent_encoding_encode_param",
        "alibaba_rpc_hmac_sha1_ecs_describeregions_doc",
        "alibaba_rpc_hmac_sha1_openapi_util_unittest_XlUyV4",
        "alibaba_roa_hmac_sha1_openapi_util_unittest_XGXDWA",
        "alibaba_oss_v1_header_signature_doc",
        "alibaba_oss_v4_sdk_TestV4AuthHeader",
    ];
    for n in &names {
        assert!(covered.contains(n), "vector {n} has no test");
    }
    assert!(all().iter().all(|v| v["use_as_test"] == true));
}

// ---------------------------------------------------------------------------------------------
// Tencent
// ---------------------------------------------------------------------------------------------

#[test]
fn tencent_tc3_cvm_describeinstances_current_doc_x_tc_action() {
    let v = vector("tencent_tc3_cvm_describeinstances_current_doc_x-tc-action");
    let i = &v["inputs"];
    let headers = lower_map(&pairs(&i["headers"]));
    let mut req = Tc3Request::new(
        s(i, "host"),
        s(i, "action"),
        s(i, "version"),
        i["timestamp"].as_i64().unwrap(),
    );
    req.method = s(i, "method").into();
    req.service = s(i, "service").into();
    req.region = s(i, "region").into();
    req.content_type = headers["content-type"].clone();
    req.extra_signed_headers = i["signed_headers_canonical"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "content-type" && *k != "host")
        .cloned()
        .collect();
    assert_eq!(s(i, "query"), "");
    req.payload = Payload::Bytes(s(i, "body").as_bytes().to_vec());
    assert_eq!(
        s(i, "body").len(),
        86,
        "the payload escapes are literal ASCII"
    );

    for cache in [DerivedKeyCache::disabled(), DerivedKeyCache::new(4)] {
        let out =
            tc3::sign_with_cache(&req, s(i, "secret_id"), s(i, "secret"), None, &cache).unwrap();
        assert_eq!(out.date, s(i, "date"));
        assert_eq!(out.canonical_query_string, "");
        same_fast_tc3(&req, s(i, "secret_id"), s(i, "secret"), &out);
        let keys = tc3::derive_keys(s(i, "secret"), &out.date, req.effective_service());
        let n = steps(
            v,
            &[
                ("hashed_request_payload", &out.hashed_request_payload),
                ("canonical_request", &out.canonical_request),
                ("hashed_canonical_request", &out.hashed_canonical_request),
                ("string_to_sign", &out.string_to_sign),
                ("secret_date_hex", &keys.secret_date.to_hex()),
                ("secret_service_hex", &keys.secret_service.to_hex()),
                ("secret_signing_hex", &keys.secret_signing.to_hex()),
                ("signature", &out.signature),
                ("authorization", &out.authorization),
            ],
        );
        assert_eq!(n, 9);
        // The headers the signer produces are the ones the doc sends.
        let sent = lower_map(&out.headers);
        for (k, val) in &headers {
            assert_eq!(sent.get(k), Some(val), "header {k}");
        }
        assert_eq!(sent["authorization"], out.authorization);
        assert!(!sent.contains_key("x-tc-token"));
    }
}

fn v1_params_without_added(query: &[(String, String)]) -> Vec<(String, String)> {
    query
        .iter()
        .filter(|(k, _)| {
            !["SecretId", "Timestamp", "Nonce", "SignatureMethod", "Token"].contains(&k.as_str())
        })
        .cloned()
        .collect()
}

#[test]
fn tencent_v1_hmacsha1_cvm_describeinstances_masked_key() {
    let v = vector("tencent_v1_hmacsha1_cvm_describeinstances_masked_key");
    let i = &v["inputs"];
    let query = pairs(&i["query"]);
    // Lowest level: exactly the documented parameters.
    let out = tc_v1::sign_parameters(
        s(i, "method"),
        s(i, "host"),
        s(i, "uri"),
        &query,
        s(i, "secret"),
        TcV1Method::HmacSha1,
    );
    let n = steps(
        v,
        &[
            ("request_string", &out.request_string),
            ("string_to_sign", &out.string_to_sign),
            ("signature", &out.signature),
            ("signature_url_encoded", &out.signature_url_encoded),
        ],
    );
    assert_eq!(n, 4);
    // Request level: the signer adds SecretId, Timestamp and Nonce itself (no SignatureMethod for SHA-1).
    let req = TcV1Request {
        method: s(i, "method").into(),
        host: s(i, "host").into(),
        path: s(i, "uri").into(),
        params: v1_params_without_added(&query),
        signature_method: TcV1Method::HmacSha1,
        timestamp: i["timestamp"].as_i64().unwrap(),
        nonce: i["nonce"].as_u64().unwrap(),
    };
    let out2 = tc_v1::sign_with_key(&req, s(i, "secret_id"), s(i, "secret"), None);
    step(v, "string_to_sign", &out2.string_to_sign);
    step(v, "signature", &out2.signature);
    assert!(out2.encoded_params.ends_with(&format!(
        "&Signature={}",
        s(&v["expected"], "signature_url_encoded")
    )));
}

#[test]
fn tencent_legacy_api2_hmacsha256_cvm_describeinstances() {
    let v = vector("tencent_legacy_api2_hmacsha256_cvm_describeinstances");
    let i = &v["inputs"];
    let query = pairs(&i["query"]);
    assert_eq!(
        tc_v1::parse_method(s(i, "signature_method")).unwrap(),
        TcV1Method::HmacSha256
    );
    let out = tc_v1::sign_parameters(
        s(i, "method"),
        s(i, "host"),
        s(i, "uri"),
        &query,
        s(i, "secret"),
        TcV1Method::HmacSha256,
    );
    assert_eq!(
        steps(
            v,
            &[
                ("string_to_sign", &out.string_to_sign),
                ("signature", &out.signature)
            ]
        ),
        2
    );
    let req = TcV1Request {
        method: s(i, "method").into(),
        host: s(i, "host").into(),
        path: s(i, "uri").into(),
        params: v1_params_without_added(&query),
        signature_method: TcV1Method::HmacSha256,
        timestamp: i["timestamp"].as_i64().unwrap(),
        nonce: i["nonce"].as_u64().unwrap(),
    };
    let out2 = tc_v1::sign_with_key(&req, s(i, "secret_id"), s(i, "secret"), None);
    step(v, "string_to_sign", &out2.string_to_sign);
    step(v, "signature", &out2.signature);
}

// ---------------------------------------------------------------------------------------------
// Alibaba ACS3
// ---------------------------------------------------------------------------------------------

fn acs3_doc_request(v: &Value, algorithm: Acs3Algorithm) -> Acs3Request {
    let i = &v["inputs"];
    let headers = lower_map(&pairs(&i["headers"]));
    let mut req = Acs3Request::new(
        s(i, "host"),
        headers["x-acs-action"].clone(),
        headers["x-acs-version"].clone(),
        s(i, "date"),
        s(i, "nonce"),
    );
    req.algorithm = algorithm;
    req.method = s(i, "method").into();
    req.path = s(i, "uri").into();
    req.query = pairs(&i["query"]);
    req.payload = Payload::Bytes(s(i, "body").as_bytes().to_vec());
    req
}

fn check_acs3_doc(v: &Value, algorithm: Acs3Algorithm) {
    let req = acs3_doc_request(v, algorithm);
    let i = &v["inputs"];
    let out = acs3::sign_with_secret(&req, s(i, "access_key_id"), s(i, "secret"), None).unwrap();
    same_fast_acs3(
        &req,
        s(i, "access_key_id"),
        s(i, "secret"),
        None,
        &out.authorization,
    );
    let sts = acs3::sign_with_secret(&req, "STS.id", s(i, "secret"), Some("tok")).unwrap();
    same_fast_acs3(
        &req,
        "STS.id",
        s(i, "secret"),
        Some("tok"),
        &sts.authorization,
    );
    let n = steps(
        v,
        &[
            ("canonical_query_string", &out.canonical_query_string),
            ("hashed_request_payload", &out.hashed_request_payload),
            ("canonical_request", &out.canonical_request),
            ("hashed_canonical_request", &out.hashed_canonical_request),
            ("string_to_sign", &out.string_to_sign),
            ("signature", &out.signature),
            ("authorization", &out.authorization),
        ],
    );
    assert!(n >= 5);
    // The generated headers are exactly the documented request headers (+ authorization).
    let mut sent = lower_map(&out.headers);
    assert_eq!(
        sent.remove("authorization").as_deref(),
        Some(out.authorization.as_str())
    );
    assert_eq!(sent, lower_map(&pairs(&i["headers"])));
    // Same result through the credentials API.
    let creds = Credentials::builder(s(i, "access_key_id"), s(i, "secret")).build();
    assert_eq!(
        acs3::sign(&req, &creds).unwrap().authorization,
        out.authorization
    );
}

#[test]
fn alibaba_acs3_hmac_sha256_ecs_runinstances_doc_fixed_values() {
    check_acs3_doc(
        vector("alibaba_acs3_hmac_sha256_ecs_runinstances_doc_fixed_values"),
        Acs3Algorithm::HmacSha256,
    );
}

#[test]
fn derived_alibaba_acs3_hmac_sm3_doc_inputs() {
    check_acs3_doc(
        vector("DERIVED_alibaba_acs3_hmac_sm3_doc_inputs"),
        Acs3Algorithm::HmacSm3,
    );
}

#[test]
fn alibaba_acs3_hmac_sha256_openapi_util_unittest_method_get() {
    let v = vector("alibaba_acs3_hmac_sha256_openapi_util_unittest_method_GET");
    let i = &v["inputs"];
    assert!(i["host"].is_null());
    let out = acs3::sign_canonical(
        Acs3Algorithm::HmacSha256,
        s(i, "method"),
        s(i, "uri"),
        &pairs(&i["query"]),
        &pairs(&i["headers"]),
        s(i, "hashed_request_payload_given"),
        s(i, "access_key_id"),
        s(i, "secret"),
    )
    .unwrap();
    let n = steps(
        v,
        &[
            ("canonical_request", &out.canonical_request),
            ("string_to_sign", &out.string_to_sign),
            ("signature", &out.signature),
            ("authorization", &out.authorization),
        ],
    );
    assert_eq!(n, 4);
    // Header order must not matter for the merged value.
    let mut rev = pairs(&i["headers"]);
    rev.reverse();
    let out2 = acs3::sign_canonical(
        Acs3Algorithm::HmacSha256,
        s(i, "method"),
        s(i, "uri"),
        &pairs(&i["query"]),
        &rev,
        s(i, "hashed_request_payload_given"),
        s(i, "access_key_id"),
        s(i, "secret"),
    )
    .unwrap();
    step(v, "signature", &out2.signature);
}

// ---------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------

fn check_primitive(name: &str) {
    let v = vector(name);
    let i = &v["inputs"];
    let msg = s(i, "message").as_bytes();
    let actual = match s(i, "function") {
        "SM3" => crypto::sm3_hex(msg),
        "HMAC-SM3" => hex::encode(crypto::hmac_sm3(s(i, "key").as_bytes(), msg)),
        "HMAC-SHA256" => hex::encode(crypto::hmac_sha256(s(i, "key").as_bytes(), msg)),
        other => panic!("unknown primitive {other}"),
    };
    step(v, "signature", &actual);
}

#[test]
fn alibaba_primitive_sm3_test() {
    check_primitive("alibaba_primitive_sm3_test");
}

#[test]
fn alibaba_primitive_hmac_sm3_secret_source() {
    check_primitive("alibaba_primitive_hmac_sm3_secret_source");
}

#[test]
fn alibaba_primitive_hmac_sha256_secret_source() {
    check_primitive("alibaba_primitive_hmac_sha256_secret_source");
}

#[test]
fn sm3_standard_abc() {
    check_primitive("sm3_standard_abc");
}

#[test]
fn alibaba_acs3_rsa_sha256_primitive_sign_source() {
    let v = vector("alibaba_acs3_rsa_sha256_primitive_sign_source");
    let i = &v["inputs"];
    let b64 = s(i, "private_key_pkcs8_der_base64");
    let key = RsaSigningKey::parse(b64).unwrap();
    assert_eq!(key.bits() as u64, i["key_bits"].as_u64().unwrap());
    step(
        v,
        "signature",
        &key.sign_sha256_hex(s(i, "message").as_bytes()).unwrap(),
    );
    // The SDK tests' mislabelled armour parses as PKCS#8 too.
    let body: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        body.join("\n")
    );
    let key2 = RsaSigningKey::parse(&pem).unwrap();
    step(
        v,
        "signature",
        &key2.sign_sha256_hex(s(i, "message").as_bytes()).unwrap(),
    );
    // End to end: ACS3-RSA-SHA256 with the key as the credential secret; the signature is the
    // RSA signature of the string to sign.
    let mut req = Acs3Request::new(
        "ecs.aliyuncs.com",
        "DescribeRegions",
        "2014-05-26",
        "2024-01-01T00:00:00Z",
        "n",
    );
    req.algorithm = Acs3Algorithm::RsaSha256;
    let out = acs3::sign(&req, &Credentials::builder("id", pem.as_str()).build()).unwrap();
    same_fast_acs3(&req, "id", &pem, None, &out.authorization);
    assert_eq!(
        out.signature,
        key.sign_sha256_hex(out.string_to_sign.as_bytes()).unwrap()
    );
    assert!(out.string_to_sign.starts_with("ACS3-RSA-SHA256\n"));
    assert!(out
        .authorization
        .starts_with("ACS3-RSA-SHA256 Credential=id,SignedHeaders=host;"));
    // A key that does not parse is an InvalidConfig error that does not echo the input.
    let err = acs3::sign(
        &req,
        &Credentials::builder("id", "not-a-key-S3CRET").build(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), credchain::ErrorKind::InvalidConfig);
    assert!(!err.to_string().contains("S3CRET") && !format!("{err:?}").contains("S3CRET"));
}

// ---------------------------------------------------------------------------------------------
// Percent-encoding
// ---------------------------------------------------------------------------------------------

#[test]
fn alibaba_percent_encoding_canonical_query() {
    let v = vector("alibaba_percent_encoding_canonical_query");
    assert!(s(&v["inputs"], "operation").contains("'test': ' ~/*-+'"));
    step(
        v,
        "signature",
        &encode::canonical_query(&[("test", " ~/*-+")]),
    );
}

#[test]
fn alibaba_percent_encoding_encode_path() {
    let v = vector("alibaba_percent_encoding_encode_path");
    assert!(s(&v["inputs"], "operation").contains("'/path/ test'"));
    step(v, "signature", &encode::encode_path("/path/ test"));
}

#[test]
fn alibaba_percent_encoding_encode_param() {
    let v = vector("alibaba_percent_encoding_encode_param");
    assert!(s(&v["inputs"], "operation").contains("'a/b/c/ test'"));
    step(v, "signature", &encode::encode_param("a/b/c/ test"));
}

// ---------------------------------------------------------------------------------------------
// RPC, ROA
// ---------------------------------------------------------------------------------------------

#[test]
fn alibaba_rpc_hmac_sha1_ecs_describeregions_doc() {
    let v = vector("alibaba_rpc_hmac_sha1_ecs_describeregions_doc");
    let i = &v["inputs"];
    let query = pairs(&i["query"]);
    // Lowest level: the documented parameter set.
    let out = rpc::sign_parameters(s(i, "method"), &query, s(i, "secret"));
    let n = steps(
        v,
        &[
            ("canonical_query_string", &out.canonical_query_string),
            ("string_to_sign", &out.string_to_sign),
            ("signature", &out.signature),
            ("signature_url_encoded", &out.signature_url_encoded),
        ],
    );
    assert_eq!(n, 4);
    let hmac_key = format!("{}&", s(i, "secret"));
    step(v, "hmac_key", &hmac_key);
    step(
        v,
        "signature",
        &crypto::hmac_sha1_base64(hmac_key.as_bytes(), out.string_to_sign.as_bytes()),
    );
    // Request level: the signer adds AccessKeyId, SignatureMethod, SignatureVersion, nonce, timestamp.
    let q = lower_map(&query);
    let mut req = RpcRequest::new(
        s(i, "host"),
        q["action"].clone(),
        q["version"].clone(),
        s(i, "timestamp"),
        s(i, "nonce"),
    );
    req.method = s(i, "method").into();
    req.query = query
        .iter()
        .filter(|(k, _)| ["Action", "Version", "Format"].contains(&k.as_str()))
        .cloned()
        .collect();
    let out2 = rpc::sign_with_secret(&req, s(i, "access_key_id"), s(i, "secret"), None).unwrap();
    step(v, "canonical_query_string", &out2.canonical_query_string);
    step(v, "string_to_sign", &out2.string_to_sign);
    step(v, "signature", &out2.signature);
    assert!(out2.query_string.ends_with(&format!(
        "&Signature={}",
        s(&v["expected"], "signature_url_encoded")
    )));
    let creds = Credentials::builder(s(i, "access_key_id"), s(i, "secret")).build();
    step(v, "signature", &rpc::sign(&req, &creds).unwrap().signature);
}

#[test]
fn alibaba_rpc_hmac_sha1_openapi_util_unittest_xluyv4() {
    let v = vector("alibaba_rpc_hmac_sha1_openapi_util_unittest_XlUyV4");
    let i = &v["inputs"];
    let out = rpc::sign_parameters(s(i, "method"), &pairs(&i["query"]), s(i, "secret"));
    let n = steps(
        v,
        &[
            ("canonical_query_string", &out.canonical_query_string),
            ("string_to_sign", &out.string_to_sign),
            ("signature", &out.signature),
        ],
    );
    assert_eq!(n, 3);
}

#[test]
fn alibaba_roa_hmac_sha1_openapi_util_unittest_xgxdwa() {
    let v = vector("alibaba_roa_hmac_sha1_openapi_util_unittest_XGXDWA");
    let i = &v["inputs"];
    step(
        v,
        "signature",
        &rpc::roa_signature(s(i, "string_to_sign"), s(i, "secret")),
    );
    // The same string from the ROA canonicalization of an empty GET.
    let req = RoaRequest {
        method: "GET".into(),
        ..Default::default()
    };
    assert_eq!(req.string_to_sign(), s(i, "string_to_sign"));
    let out = rpc::sign_roa_with_secret(&req, "id", s(i, "secret"), None);
    step(v, "signature", &out.signature);
    assert_eq!(
        out.authorization,
        format!("acs id:{}", s(&v["expected"], "signature"))
    );
}

// ---------------------------------------------------------------------------------------------
// OSS
// ---------------------------------------------------------------------------------------------

#[test]
fn alibaba_oss_v1_header_signature_doc() {
    let v = vector("alibaba_oss_v1_header_signature_doc");
    let i = &v["inputs"];
    let req = OssV1Request {
        method: s(i, "method").into(),
        bucket: s(i, "bucket").into(),
        key: s(i, "key").into(),
        query: Vec::new(),
        headers: pairs(&i["headers"]),
    };
    assert_eq!(
        format!("/{}/{}", s(i, "bucket"), s(i, "key")),
        s(i, "uri").replacen('/', &format!("/{}/", s(i, "bucket")), 1)
    );
    let out = oss::sign_v1_with_key(&req, s(i, "access_key_id"), s(i, "secret"), None);
    let n = steps(
        v,
        &[
            ("string_to_sign", &out.string_to_sign),
            ("signature", &out.signature),
            ("authorization", &out.authorization),
        ],
    );
    assert_eq!(n, 3);
    let creds = Credentials::builder(s(i, "access_key_id"), s(i, "secret")).build();
    step(
        v,
        "authorization",
        &oss::sign_v1(&req, &creds).unwrap().authorization,
    );
}

#[test]
fn alibaba_oss_v4_sdk_test_v4_auth_header() {
    let v = vector("alibaba_oss_v4_sdk_TestV4AuthHeader");
    let i = &v["inputs"];
    let mut req = OssV4Request::new(
        s(i, "method"),
        s(i, "bucket"),
        s(i, "key"),
        s(i, "region"),
        i["timestamp"].as_i64().unwrap(),
    );
    req.product = s(i, "product").into();
    req.query = pairs(&i["query_params"]);
    req.headers = pairs(&i["headers"]);
    for cache in [DerivedKeyCache::disabled(), DerivedKeyCache::new(2)] {
        let out =
            oss::sign_v4_with_cache(&req, s(i, "access_key_id"), s(i, "secret"), None, &cache)
                .unwrap();
        let n = steps(
            v,
            &[
                ("canonical_request", &out.canonical_request),
                ("string_to_sign", &out.string_to_sign),
                ("signature", &out.signature),
                ("authorization", &out.authorization),
            ],
        );
        assert_eq!(n, 4);
    }
    // Without x-oss-date / x-oss-content-sha256 the signer adds the same values itself.
    let mut bare = req.clone();
    bare.headers
        .retain(|(k, _)| k != "x-oss-date" && k != "x-oss-content-sha256");
    let out = oss::sign_v4_with_key(&bare, s(i, "access_key_id"), s(i, "secret"), None).unwrap();
    step(v, "canonical_request", &out.canonical_request);
    step(v, "authorization", &out.authorization);
    let added = lower_map(&out.headers);
    assert_eq!(added["x-oss-date"], "20231216T162057Z");
    assert_eq!(added["x-oss-content-sha256"], "UNSIGNED-PAYLOAD");
}

// ---------------------------------------------------------------------------------------------
// Extra reference values (not in the file)
// ---------------------------------------------------------------------------------------------

/// Known digests and MACs (SHA-256, SM3, HMACs).
#[test]
fn signing_md_section_1_primitives() {
    assert_eq!(
        crypto::sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        crypto::sha256_hex(b"UNSIGNED-PAYLOAD"),
        "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96"
    );
    assert_eq!(
        crypto::sm3_hex(b"abc"),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
    assert_eq!(
        crypto::sm3_hex(b"test"),
        "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
    );
    assert_eq!(
        crypto::sm3_hex(b""),
        "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
    );
    assert_eq!(
        hex::encode(crypto::hmac_sm3(b"secret", b"source")),
        "b9ff646822f41ef647c1416fa2b8408923828abc0464af6706e18db3e8553da8"
    );
    assert_eq!(
        hex::encode(crypto::hmac_sha256(b"secret", b"source")),
        "1d93c62698a1c26427265668e79fac099aa26c1df873669599a2fb2f272e64c9"
    );
}

/// The Alibaba credentials libraries' conformance cases: HMAC-SHA1 table, percent-encoding, empty
/// params.
#[test]
fn alibaba_conformance_crypto_and_encoding() {
    let table: [(&str, &str, &str); 4] = [
        ("source", "secret", "Jv4yi8SobFhg5t1C7nWLbhBSFZQ="),
        ("中文", "secret", "CqCYIa39h9SSWuXnTz8F5hh9UPA="),
        ("123", "secret", "sU6S6xf2t47FogXuDhqyIPt/htc="),
        ("abc~!@#", "sk#$!~~~", "7eV3A584uvdgKVk8Ck8r9ukg1gE="),
    ];
    for (msg, key, sig) in table {
        assert_eq!(
            crypto::hmac_sha1_base64(key.as_bytes(), msg.as_bytes()),
            sig,
            "HMAC-SHA1({key}, {msg})"
        );
    }
    assert_eq!(
        encode::encode_param(r"123abc!@#$%^&*()-=_+ ~|\/"),
        "123abc%21%40%23%24%25%5E%26%2A%28%29-%3D_%2B%20~%7C%5C%2F"
    );
    assert_eq!(
        rpc::sign_parameters("GET", &[], "secret").string_to_sign,
        "GET&%2F&"
    );
    assert!(
        rpc::sign_parameters("", &[("test".into(), "ok".into())], "x")
            .string_to_sign
            .starts_with("&%2F&")
    );
    // Timestamp round trip of 2018-12-18T16:39:38Z.
    let t = credchain::time::parse_rfc3339("2018-12-18T16:39:38Z").unwrap();
    assert_eq!(
        sign::format_iso8601(credchain::time::unix_seconds(t)).unwrap(),
        "2018-12-18T16:39:38Z"
    );
}

/// The STS AssumeRole worked example (POST, space in the session name → `%2520`).
#[test]
fn alibaba_sts_assumerole_worked_example() {
    let mut req = RpcRequest::new(
        "sts.aliyuncs.com",
        "AssumeRole",
        "2015-04-01",
        "2024-01-01T00:00:00Z",
        "nonce-123",
    );
    req.method = "POST".into();
    req.form = vec![
        ("DurationSeconds".into(), "3600".into()),
        ("RoleArn".into(), "acs:ram::123456789012:role/test".into()),
        ("RoleSessionName".into(), "my session".into()),
    ];
    let out = rpc::sign_with_secret(&req, "akid", "secret", None).unwrap();
    assert_eq!(
        out.string_to_sign,
        "POST&%2F&AccessKeyId%3Dakid%26Action%3DAssumeRole%26DurationSeconds%3D3600%26Format%3DJSON%26RoleArn%3Dacs%253Aram%253A%253A123456789012%253Arole%252Ftest%26RoleSessionName%3Dmy%2520session%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dnonce-123%26SignatureVersion%3D1.0%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3D2015-04-01"
    );
    assert_eq!(out.signature, "SYhekEeD9WpJRSCltgx3BtmEIe4=");
    assert_eq!(out.form_body, "DurationSeconds=3600&RoleArn=acs%3Aram%3A%3A123456789012%3Arole%2Ftest&RoleSessionName=my%20session");
    assert!(!out.query_string.contains("RoleArn"));
    // GET with everything in the query signs differently (the method is signed).
    req.method = "GET".into();
    assert_ne!(
        rpc::sign_with_secret(&req, "akid", "secret", None)
            .unwrap()
            .signature,
        out.signature
    );
}

/// The Tencent v1 EN doc string signed with HmacSHA256 (primitive only: no SignatureMethod param).
#[test]
fn tencent_v1_hmacsha256_primitive() {
    let p: Vec<(String, String)> = [
        ("Action", "DescribeInstances"),
        ("InstanceIds.0", "ins-09dx96dg"),
        ("Limit", "20"),
        ("Nonce", "11886"),
        ("Offset", "0"),
        ("Region", "ap-guangzhou"),
        ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"),
        ("Timestamp", "1465185768"),
        ("Version", "2017-03-12"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let out = tc_v1::sign_parameters(
        "GET",
        "cvm.tencentcloudapi.com",
        "/",
        &p,
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        TcV1Method::HmacSha256,
    );
    assert_eq!(
        out.signature,
        "bR/zQ3QqOmcEYeRv71IzG/NxfisUDgy9cqRMQC+UB5g="
    );
}

const SDK_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SDK_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const ESCAPED_BODY: &str =
    r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

fn sdk_post() -> Tc3Request {
    let mut r = Tc3Request::new(
        "cvm.tencentcloudapi.com",
        "DescribeInstances",
        "2017-03-12",
        1551113065,
    );
    r.region = "ap-guangzhou".into();
    r.payload = Payload::Bytes(ESCAPED_BODY.as_bytes().to_vec());
    r
}

/// SDK-shaped TC3 POST (tencentcloud-sdk-python at a fixed clock): canonical request; a token
/// leaves the signature unchanged and is sent only when non-empty.
#[test]
fn tencent_sdk_shaped_post_and_token() {
    let req = sdk_post();
    let a = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, None).unwrap();
    same_fast_tc3(&req, SDK_ID, SDK_KEY, &a);
    assert_eq!(
        a.canonical_request,
        "POST\n/\n\ncontent-type:application/json\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    );
    assert_eq!(
        a.hashed_request_payload,
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    );
    // Derived keys for the English documentation's key (its SecretDate and SecretService).
    let keys = tc3::derive_keys(SDK_KEY, "2019-02-25", "cvm");
    assert_eq!(
        keys.secret_date.to_hex(),
        "d1308c81fe71cfd4e06437bbc067b2b8a3d2d8c0e375d547f15c41d5214b395a"
    );
    assert_eq!(
        keys.secret_service.to_hex(),
        "3c7cb7c7795393edc14fd2e0e6434a518564b4504b88e94f5d11bf59ba3e7050"
    );

    let with_token = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, Some("tmp-token")).unwrap();
    assert_eq!(with_token.signature, a.signature);
    assert_eq!(with_token.canonical_request, a.canonical_request);
    let token_headers: Vec<_> = with_token
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("x-tc-token"))
        .collect();
    assert_eq!(
        token_headers,
        vec![&("X-TC-Token".to_string(), "tmp-token".to_string())]
    );
    for empty in [None, Some("")] {
        let out = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, empty).unwrap();
        assert!(!out
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("x-tc-token")));
        assert_eq!(out.signature, a.signature);
    }
    // Through Credentials: an empty token is no token.
    let c = Credentials::builder(SDK_ID, SDK_KEY)
        .security_token_opt(Some(""))
        .build();
    let out = tc3::sign(&req, &c).unwrap();
    assert!(!out
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-tc-token")));
    let c = Credentials::builder(SDK_ID, SDK_KEY)
        .security_token("tmp-token")
        .build();
    assert_eq!(tc3::sign(&req, &c).unwrap().headers, with_token.headers);
    // Authorization: SKIP never carries a token.
    let skip = tc3::skip_sign(&req).unwrap();
    assert_eq!(skip.authorization, "SKIP");
    assert!(!skip
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-tc-token")));
}

/// SDK-shaped TC3 GET: canonical query = sent query, empty-body hash.
#[test]
fn tencent_sdk_shaped_get() {
    let mut req = Tc3Request::new(
        "cvm.tencentcloudapi.com",
        "DescribeInstances",
        "2017-03-12",
        1551113065,
    );
    req.method = "GET".into();
    req.region = "ap-guangzhou".into();
    req.content_type = "application/x-www-form-urlencoded".into();
    req.query = vec![
        ("Limit".into(), "1".into()),
        ("Filters.0.Values.0".into(), "未命名".into()),
        ("Filters.0.Name".into(), "instance-name".into()),
    ];
    let out = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, None).unwrap();
    same_fast_tc3(&req, SDK_ID, SDK_KEY, &out);
    assert_eq!(
        out.canonical_request,
        "GET\n/\nLimit=1&Filters.0.Values.0=%E6%9C%AA%E5%91%BD%E5%90%8D&Filters.0.Name=instance-name\ncontent-type:application/x-www-form-urlencoded\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        out.canonical_query_string,
        "Limit=1&Filters.0.Values.0=%E6%9C%AA%E5%91%BD%E5%90%8D&Filters.0.Name=instance-name"
    );
    assert_eq!(out.hashed_request_payload, crypto::sha256_hex(b""));
    // Same SecretSigning as the POST (same key, date, service).
    let post = tc3::sign_with_key(&sdk_post(), SDK_ID, SDK_KEY, None).unwrap();
    assert_eq!(post.credential_scope, out.credential_scope);
}

/// TC3: the scope date is the UTC date.
#[test]
fn tencent_utc_date_boundary() {
    for (ts, date) in [(1551139199, "2019-02-25"), (1551139200, "2019-02-26")] {
        let mut req = sdk_post();
        req.timestamp = ts;
        let out = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, None).unwrap();
        same_fast_tc3(&req, SDK_ID, SDK_KEY, &out);
        assert_eq!(out.date, date);
        assert_eq!(out.credential_scope, format!("{date}/cvm/tc3_request"));
        assert!(out
            .string_to_sign
            .starts_with(&format!("TC3-HMAC-SHA256\n{ts}\n{date}/cvm/tc3_request\n")));
        assert!(out
            .authorization
            .contains(&format!("Credential={SDK_ID}/{date}/cvm/tc3_request, ")));
        assert!(out
            .headers
            .contains(&("X-TC-Timestamp".into(), ts.to_string())));
    }
}

/// TC3: unsigned payload.
#[test]
fn tencent_unsigned_payload() {
    let mut req = sdk_post();
    req.payload = Payload::Unsigned;
    let out = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, None).unwrap();
    same_fast_tc3(&req, SDK_ID, SDK_KEY, &out);
    assert_eq!(
        out.hashed_request_payload,
        "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96"
    );
    assert!(out
        .canonical_request
        .ends_with("\n438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96"));
    assert!(out
        .headers
        .contains(&("X-TC-Content-SHA256".into(), "UNSIGNED-PAYLOAD".into())));
}

/// TC3: content type identity, extra signed headers, multipart boundary.
#[test]
fn tencent_content_type_and_extra_headers() {
    let plain = tc3::sign_with_key(&sdk_post(), SDK_ID, SDK_KEY, None).unwrap();
    let mut req = sdk_post();
    req.content_type = "application/json; charset=utf-8".into();
    let charset = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, None).unwrap();
    assert_ne!(plain.signature, charset.signature);
    assert!(charset.headers.contains(&(
        "Content-Type".into(),
        "application/json; charset=utf-8".into()
    )));

    let mut req = sdk_post();
    req.extra_signed_headers = vec!["X-TC-Version".into(), "x-tc-action".into()];
    let out = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, None).unwrap();
    same_fast_tc3(&req, SDK_ID, SDK_KEY, &out);
    assert_eq!(
        out.signed_headers,
        "content-type;host;x-tc-action;x-tc-version"
    );
    assert!(out
        .canonical_headers
        .contains("x-tc-action:describeinstances\nx-tc-version:2017-03-12\n"));
    req.extra_signed_headers = vec!["X-TC-Token".into()];
    assert!(tc3::sign_with_key(&req, SDK_ID, SDK_KEY, Some("t")).is_err());
    let cache = DerivedKeyCache::disabled();
    assert!(tc3::authorization(&req, SDK_ID, SDK_KEY, &cache).is_err());

    let mut req = sdk_post();
    req.content_type = "multipart/form-data; boundary=58731222010402".into();
    let out = tc3::sign_with_key(&req, SDK_ID, SDK_KEY, None).unwrap();
    same_fast_tc3(&req, SDK_ID, SDK_KEY, &out);
    assert!(out
        .canonical_headers
        .starts_with("content-type:multipart/form-data; boundary=58731222010402\n"));
}

/// The request `benches/python_tc3.py` times with the Python SDK (and `benches/signing.rs` with
/// credchain): both sides must produce this signature, so the comparison is of the same work.
#[test]
fn tc3_python_benchmark_request() {
    let body = br#"{"InstanceIds":["ins-09dx96dg","ins-1f2e3d4c"],"Filters":[{"Name":"zone","Values":["ap-guangzhou-3"]},{"Name":"instance-name","Values":["web-server-01"]}],"Offset":0,"Limit":20,"Tag":"env:prod"}"#;
    let mut req = Tc3Request::new(
        "cvm.tencentcloudapi.com",
        "DescribeInstances",
        "2017-03-12",
        1551113065,
    );
    req.region = "ap-guangzhou".into();
    req.payload = Payload::Bytes(body.to_vec());
    let out = tc3::sign_with_key(
        &req,
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        None,
    )
    .unwrap();
    // tencentcloud-sdk-python-common 3.1.195, AbstractClient._get_tc3_signature.
    assert_eq!(
        out.signature,
        "9c56fc3f24520dd2bcdd973a668093220effc60d120337e1c178e4eddb35ce99"
    );
}
