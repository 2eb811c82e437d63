//! Property tests for `credchain::sign`: no panics on arbitrary input, the fast `Authorization`-only
//! paths equal to the full signers, percent-encoding round trips,
//! and invariance of signatures under header-name case and header/parameter order where the
//! algorithm says so.

use std::collections::BTreeMap;

use credchain::sign::acs3::{self, Acs3Algorithm, Acs3Request};
use credchain::sign::encode;
use credchain::sign::oss::{self, OssV1Request, OssV4Request};
use credchain::sign::rpc::{self, RoaRequest, RpcRequest};
use credchain::sign::tc3::{self, Tc3Request};
use credchain::sign::tc_v1::{self, TcV1Method, TcV1Request};
use credchain::sign::{self as sign, DerivedKeyCache, Payload};
use credchain::Credentials;
use proptest::prelude::*;

fn lossy() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<u8>(), 0..40)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn any_string() -> impl Strategy<Value = String> {
    prop_oneof![lossy(), any::<String>(), "[ -~]{0,20}"]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((any_string(), any_string()), 0..6)
}

fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(Payload::Bytes),
        any_string().prop_map(Payload::Hash),
        Just(Payload::Unsigned),
        Just(Payload::Empty),
    ]
}

fn algorithm() -> impl Strategy<Value = Acs3Algorithm> {
    prop_oneof![
        Just(Acs3Algorithm::HmacSha256),
        Just(Acs3Algorithm::HmacSm3),
        Just(Acs3Algorithm::RsaSha256)
    ]
}

#[derive(Debug, Clone)]
struct Input {
    method: String,
    host: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    payload: Payload,
    id: String,
    secret: String,
    token: Option<String>,
    ts: i64,
    text: String,
}

fn input() -> impl Strategy<Value = Input> {
    (
        (
            any_string(),
            any_string(),
            any_string(),
            pairs(),
            pairs(),
            payload(),
        ),
        (
            any_string(),
            any_string(),
            proptest::option::of(any_string()),
            any::<i64>(),
            any_string(),
        ),
    )
        .prop_map(
            |((method, host, path, query, headers, payload), (id, secret, token, ts, text))| {
                Input {
                    method,
                    host,
                    path,
                    query,
                    headers,
                    payload,
                    id,
                    secret,
                    token,
                    ts,
                    text,
                }
            },
        )
}

/// Distinct lower-case header names with a given prefix, and values.
fn named_headers(prefix: &'static str) -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::btree_map("[a-z0-9-]{1,10}", "[ -~]{0,16}", 1..6).prop_map(
        move |m: BTreeMap<String, String>| {
            m.into_iter()
                .map(|(k, v)| (format!("{prefix}{k}"), v))
                .collect()
        },
    )
}

/// Flips the case of header names by a mask, then shuffles.
fn recase(headers: &[(String, String)], mask: &[bool]) -> Vec<(String, String)> {
    headers
        .iter()
        .zip(mask.iter().cycle())
        .map(|((k, v), up)| {
            (
                if *up {
                    k.to_ascii_uppercase()
                } else {
                    k.clone()
                },
                v.clone(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn signing_never_panics(inp in input(), alg in algorithm(), m256 in any::<bool>()) {
        let token = inp.token.as_deref();
        // ACS3
        let req = Acs3Request {
            algorithm: alg,
            method: inp.method.clone(),
            host: inp.host.clone(),
            path: inp.path.clone(),
            query: inp.query.clone(),
            headers: inp.headers.clone(),
            payload: inp.payload.clone(),
            action: inp.text.clone(),
            version: inp.text.clone(),
            date: inp.text.clone(),
            nonce: inp.text.clone(),
        };
        let _ = acs3::sign_with_secret(&req, &inp.id, &inp.secret, token);
        let creds = Credentials::builder(inp.id.clone(), inp.secret.clone()).security_token_opt(inp.token.clone()).build();
        let _ = acs3::sign(&req, &creds);
        let _ = acs3::sign(&req, &Credentials::bearer(inp.secret.clone(), "bearer"));
        let _ = acs3::sign_canonical(alg, &inp.method, &inp.path, &inp.query, &inp.headers, &inp.text, &inp.id, &inp.secret);
        // The fast path agrees with the full signer, error for error.
        let full = acs3::sign_with_secret(&req, &inp.id, &inp.secret, token).map(|s| s.authorization);
        let mut fast = String::new();
        let fast = acs3::write_authorization(&req, &inp.id, &inp.secret, token, &mut fast).map(|()| fast);
        prop_assert_eq!(full.ok(), fast.ok());
        let _ = format!("{req:?}");

        // RPC / ROA
        let rreq = RpcRequest {
            method: inp.method.clone(),
            host: inp.host.clone(),
            query: inp.query.clone(),
            form: inp.headers.clone(),
            timestamp: inp.text.clone(),
            nonce: inp.text.clone(),
        };
        let _ = rpc::sign_with_secret(&rreq, &inp.id, &inp.secret, token);
        let _ = rpc::sign(&rreq, &creds);
        let _ = rpc::sign_parameters(&inp.method, &inp.query, &inp.secret);
        let roa = RoaRequest { method: inp.method.clone(), path: inp.path.clone(), query: inp.query.clone(), headers: inp.headers.clone() };
        let _ = rpc::sign_roa_with_secret(&roa, &inp.id, &inp.secret, token);
        let _ = rpc::sign_roa(&roa, &creds);

        // OSS
        let v1 = OssV1Request { method: inp.method.clone(), bucket: inp.host.clone(), key: inp.path.clone(), query: inp.query.clone(), headers: inp.headers.clone() };
        let _ = oss::sign_v1_with_key(&v1, &inp.id, &inp.secret, token);
        let _ = oss::sign_v1(&v1, &creds);
        let mut v4 = OssV4Request::new(inp.method.clone(), inp.host.clone(), inp.path.clone(), inp.text.clone(), inp.ts);
        v4.query = inp.query.clone();
        v4.headers = inp.headers.clone();
        v4.additional_headers = inp.headers.iter().map(|(k, _)| k.clone()).collect();
        let _ = oss::sign_v4_with_key(&v4, &inp.id, &inp.secret, token);
        let _ = oss::sign_v4_with_cache(&v4, &inp.id, &inp.secret, token, &DerivedKeyCache::disabled());

        // TC3
        let mut t = Tc3Request::new(inp.host.clone(), inp.text.clone(), inp.text.clone(), inp.ts);
        t.method = inp.method.clone();
        t.content_type = inp.text.clone();
        t.query = inp.query.clone();
        t.headers = inp.headers.clone();
        t.extra_signed_headers = inp.headers.iter().map(|(k, _)| k.clone()).collect();
        t.payload = inp.payload.clone();
        let _ = tc3::sign_with_key(&t, &inp.id, &inp.secret, token);
        let _ = tc3::sign(&t, &creds);
        let _ = tc3::skip_sign(&t);
        for cache in [DerivedKeyCache::disabled(), DerivedKeyCache::new(1)] {
            let full = tc3::sign_with_cache(&t, &inp.id, &inp.secret, token, &cache).map(|s| s.authorization);
            let fast = tc3::authorization(&t, &inp.id, &inp.secret, &cache);
            prop_assert_eq!(full.ok(), fast.ok());
        }
        t.extra_signed_headers.clear();
        let _ = tc3::sign_with_cache(&t, &inp.id, &inp.secret, token, &DerivedKeyCache::new(1));

        // Tencent v1
        let v1req = TcV1Request {
            method: inp.method.clone(),
            host: inp.host.clone(),
            path: inp.path.clone(),
            params: inp.query.clone(),
            signature_method: if m256 { TcV1Method::HmacSha256 } else { TcV1Method::HmacSha1 },
            timestamp: inp.ts,
            nonce: inp.ts.unsigned_abs(),
        };
        let _ = tc_v1::sign_with_key(&v1req, &inp.id, &inp.secret, token);
        let _ = tc_v1::sign(&v1req, &creds);
        let _ = tc_v1::parse_method(&inp.text);

        // Helpers
        let _ = sign::format_iso8601(inp.ts);
        let _ = sign::format_date(inp.ts);
        let _ = sign::format_compact(inp.ts);
        let _ = sign::format_http_date(inp.ts);
        let _ = credchain::sign::crypto::RsaSigningKey::parse(&inp.secret);
        let _ = encode::decode(&inp.text);
    }

    #[test]
    fn percent_encoding_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..100), s in any::<String>()) {
        let e = encode::encode_bytes(&bytes);
        prop_assert_eq!(encode::decode(&e), bytes);
        prop_assert!(e.bytes().all(|b| encode::is_unreserved(b) || b == b'%'));
        prop_assert!(!e.contains('+') && !e.contains(' '));
        prop_assert_eq!(encode::decode(&encode::encode_param(&s)), s.as_bytes());
        let p = encode::encode_path(&s);
        prop_assert_eq!(encode::decode(&p), s.as_bytes());
        prop_assert_eq!(p.matches('/').count(), s.matches('/').count());
        // Hex digits are upper case.
        let mut it = e.split('%').skip(1);
        prop_assert!(it.all(|chunk| chunk.chars().take(2).all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())));
    }

    #[test]
    fn acs3_ignores_header_case_and_order(
        headers in named_headers("x-acs-"),
        mask in proptest::collection::vec(any::<bool>(), 1..6),
        seed in any::<u64>(),
        query in proptest::collection::btree_map("[A-Za-z]{1,6}", any::<String>(), 0..5),
        alg in prop_oneof![Just(Acs3Algorithm::HmacSha256), Just(Acs3Algorithm::HmacSm3)],
    ) {
        let query: Vec<(String, String)> = query.into_iter().collect();
        let base = acs3::sign_canonical(alg, "POST", "/a b", &query, &headers, "h", "id", "secret").unwrap();
        let mut h2 = recase(&headers, &mask);
        let mut q2 = query.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut h2);
        fastrand::Rng::with_seed(seed ^ 1).shuffle(&mut q2);
        let other = acs3::sign_canonical(alg, "POST", "/a b", &q2, &h2, "h", "id", "secret").unwrap();
        prop_assert_eq!(&base.canonical_request, &other.canonical_request);
        prop_assert_eq!(&base.signature, &other.signature);
        // Through the request API, caller headers in any order and case.
        let mut req = Acs3Request::new("ecs.aliyuncs.com", "A", "V", "D", "N");
        req.algorithm = alg;
        req.headers = headers.clone();
        let a = acs3::sign_with_secret(&req, "id", "secret", Some("tok")).unwrap();
        req.headers = h2.clone();
        let b = acs3::sign_with_secret(&req, "id", "secret", Some("tok")).unwrap();
        prop_assert_eq!(a.signature, b.signature);
    }

    /// ACS3's `Authorization`-only path against the full signer on requests it optimises for:
    /// many signed headers (more than it sorts on the stack, sometimes), names in any case with
    /// blanks around them, long values (a canonical request larger than its hash buffer), several
    /// secrets.
    #[test]
    fn acs3_authorization_only_equals_full_signer(
        headers in proptest::collection::vec(
            (prop_oneof!["[xX]-[aA][cC][sS]-[a-z]{1,3}", Just("Host".to_string()), Just(" content-type ".to_string()), "[a-z]{1,4}"],
             prop_oneof!["[ -~]{0,12}", "[a-z]{900,1200}", any::<String>()]),
            0..24),
        query in pairs(),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        secret in 0..12usize,
        token in proptest::option::of("[A-Za-z0-9]{0,40}"),
        alg in prop_oneof![Just(Acs3Algorithm::HmacSha256), Just(Acs3Algorithm::HmacSm3)],
    ) {
        let mut req = Acs3Request::new("ecs.cn-hangzhou.aliyuncs.com", "DescribeInstances", "2014-05-26", "2024-01-01T00:00:00Z", "n");
        req.algorithm = alg;
        req.headers = headers;
        req.query = query;
        req.payload = Payload::Bytes(body);
        let secret = format!("secret-{secret}");
        let full = acs3::sign_with_secret(&req, "id", &secret, token.as_deref()).unwrap();
        let mut fast = String::from("kept:");
        acs3::write_authorization(&req, "id", &secret, token.as_deref(), &mut fast).unwrap();
        prop_assert_eq!(&fast["kept:".len()..], full.authorization.as_str());
    }

    #[test]
    fn tc3_ignores_header_case_and_order(
        headers in named_headers("x-tc-extra-"),
        mask in proptest::collection::vec(any::<bool>(), 1..6),
        seed in any::<u64>(),
        token in proptest::option::of("[A-Za-z0-9]{0,12}"),
    ) {
        let mut req = Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
        req.headers = headers.clone();
        req.extra_signed_headers = headers.iter().map(|(k, _)| k.clone()).collect();
        let base = tc3::sign_with_key(&req, "id", "key", None).unwrap();
        let mut h2 = recase(&headers, &mask);
        fastrand::Rng::with_seed(seed).shuffle(&mut h2);
        let rev: Vec<bool> = mask.iter().rev().map(|b| !b).collect();
        let mut names = recase(&headers, &rev).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        fastrand::Rng::with_seed(seed ^ 7).shuffle(&mut names);
        req.headers = h2;
        req.extra_signed_headers = names;
        let other = tc3::sign_with_key(&req, "id", "key", token.as_deref()).unwrap();
        prop_assert_eq!(&base.canonical_request, &other.canonical_request);
        prop_assert_eq!(&base.signature, &other.signature);
    }

    #[test]
    fn oss_ignores_header_case_and_order(
        headers in named_headers("x-oss-meta-"),
        mask in proptest::collection::vec(any::<bool>(), 1..6),
        seed in any::<u64>(),
    ) {
        let mut h2 = recase(&headers, &mask);
        fastrand::Rng::with_seed(seed).shuffle(&mut h2);
        let v1a = OssV1Request { method: "PUT".into(), bucket: "b".into(), key: "k".into(), query: vec![], headers: headers.clone() };
        let v1b = OssV1Request { headers: h2.clone(), ..v1a.clone() };
        prop_assert_eq!(oss::sign_v1_with_key(&v1a, "ak", "sk", None).signature, oss::sign_v1_with_key(&v1b, "ak", "sk", None).signature);
        let mut a = OssV4Request::new("PUT", "b", "k", "cn-hangzhou", 1702743657);
        a.headers = headers.clone();
        let mut b = a.clone();
        b.headers = h2;
        prop_assert_eq!(oss::sign_v4_with_key(&a, "ak", "sk", None).unwrap().signature, oss::sign_v4_with_key(&b, "ak", "sk", None).unwrap().signature);
    }

    #[test]
    fn rpc_and_tc_v1_ignore_parameter_order(
        params in proptest::collection::btree_map("[A-Za-z.]{1,8}", any::<String>(), 0..8),
        seed in any::<u64>(),
    ) {
        let p: Vec<(String, String)> = params.into_iter().collect();
        let mut q = p.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut q);
        prop_assert_eq!(rpc::sign_parameters("GET", &p, "s").signature, rpc::sign_parameters("GET", &q, "s").signature);
        prop_assert_eq!(
            tc_v1::sign_parameters("GET", "h", "/", &p, "s", TcV1Method::HmacSha1).signature,
            tc_v1::sign_parameters("GET", "h", "/", &q, "s", TcV1Method::HmacSha1).signature
        );
    }

    #[test]
    fn rpc_signature_fast_path_agrees_with_full_sign(
        query in proptest::collection::vec(("[A-Za-z.]{1,3}", any::<String>()), 0..40),
        form in pairs(),
        secret in any::<String>(),
        long_secret in any::<bool>(),
        token in proptest::option::of(any::<String>()),
        method in "GET|POST",
    ) {
        let mut req = RpcRequest::new("h", "A", "V", "2024-01-01T00:00:00Z", "n o");
        req.method = method;
        req.query.extend(query);
        req.form = form;
        let secret = if long_secret { secret.repeat(8) + "x".repeat(64).as_str() } else { secret };
        let full = rpc::sign_with_secret(&req, "id", &secret, token.as_deref());
        let mut fast = String::from("kept ");
        let written = rpc::write_signature(&req, "id", &secret, token.as_deref(), &mut fast);
        match full {
            Ok(full) => {
                prop_assert!(written.is_ok());
                prop_assert_eq!(&fast[5..], full.signature.as_str());
                prop_assert_eq!(rpc::signature(&req, "id", &secret, token.as_deref()).unwrap(), full.signature);
            }
            Err(e) => prop_assert_eq!(written.unwrap_err().to_string(), e.to_string()),
        }
    }

    #[test]
    fn debug_output_never_shows_secrets(secret in "[A-Za-z0-9]{16,24}", token in "[A-Za-z0-9]{16,24}") {
        let creds = Credentials::builder("id", secret.clone()).security_token(token.clone()).build();
        let req = Acs3Request::new("ecs.aliyuncs.com", "A", "V", "D", "N");
        let a = acs3::sign(&req, &creds).unwrap();
        let t = tc3::sign(&Tc3Request::new("cvm.tencentcloudapi.com", "A", "V", 1), &creds).unwrap();
        let r = rpc::sign(&RpcRequest::new("h", "A", "V", "T", "N"), &creds).unwrap();
        let o = oss::sign_v4(&OssV4Request::new("GET", "b", "k", "r", 1), &creds).unwrap();
        let shown = format!("{a:?} {t:?} {r:?} {o:?} {a:#?}");
        prop_assert!(!shown.contains(&secret));
        prop_assert!(!shown.contains(&token));
        prop_assert!(!shown.contains(&a.signature) && !shown.contains(&t.signature) && !shown.contains(&o.signature));
    }
}
