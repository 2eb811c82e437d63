//! Property tests for the COS fast paths: `cos::authorization` equals the full result's
//! `authorization`, `cos_presign::url` the full presign's `url`, and the full result's HttpString
//! and lists equal a plain string model of the algorithm (encode every name and value, lower-case
//! the encoded name, last duplicate wins, sort).

use credchain::sign::cos::{self, CosRequest};
use credchain::sign::cos_presign::{self, CosPresignRequest};
use credchain::sign::encode::encode_param;
use credchain::sign::object_endpoint::ObjectEndpoint;
use proptest::prelude::*;

const SECRET: &str = "Zq9SecretValue4CosWriterTests7Xy";

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,20}",
        "[a-zA-Z/ +~*%=&.;中😀-]{0,16}",
        any::<String>(),
    ]
}

/// Header names: signed ones in any case (with stray spaces), `x-cos-*`/`x-ci-*`, and others.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Content-Type",
            "content-md5",
            "HOST",
            "Host",
            " range ",
            "x-cos-security-token",
            "X-Cos-Meta-Ä",
            "x-ci-thing",
            "User-Agent",
            "x-oss-date",
        ])
        .prop_map(str::to_string),
        "[xX]-[cC][oO][sS]-[a-zA-Z/ %]{0,8}",
        text(),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((header_name(), text()), 0..7)
}

/// Parameter names with case and encoding collisions (`a/b`, `A%2Fb`, `PREFIX`, `prefix`).
fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        prop::sample::select(vec![
            "prefix",
            "PREFIX",
            "a/b",
            "A/B",
            "a%2Fb",
            "x-cos-security-token"
        ])
        .prop_map(str::to_string),
        text(),
    ];
    proptest::collection::vec((name, text()), 0..7)
}

fn token() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![Just(String::new()), "[A-Za-z0-9+/=]{1,40}"])
}

fn cos_request() -> impl Strategy<Value = CosRequest> {
    (
        prop_oneof![Just("PUT".to_string()), "[A-Za-z]{1,7}", text()],
        text(),
        params(),
        headers(),
        text(),
        any::<bool>(),
        any::<i64>(),
        any::<i64>(),
    )
        .prop_map(
            |(method, key, params, headers, host, sign_host, start, end)| CosRequest {
                method,
                key,
                params,
                headers,
                host,
                sign_host,
                start,
                end,
            },
        )
}

/// The string model of the signed lists: encoded, lower-cased names, last duplicate wins, sorted.
fn model_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        let name = encode_param(k).to_ascii_lowercase();
        let value = encode_param(v);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => out.push((name, value)),
        }
    }
    out.sort();
    out
}

fn join(pairs: &[(String, String)]) -> String {
    let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    items.join("&")
}

fn names(pairs: &[(String, String)]) -> String {
    let items: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    items.join(";")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn authorization_writer_equals_the_full_result(
        req in cos_request(), id in text(), tok in token(), prefix in text(),
    ) {
        let full = cos::sign_with_key(&req, &id, SECRET, tok.as_deref());
        prop_assert_eq!(&cos::authorization(&req, &id, SECRET, tok.as_deref()), &full.authorization);
        // Appends after what the buffer holds.
        let mut out = prefix.clone();
        cos::write_authorization(&req, &id, SECRET, tok.as_deref(), &mut out);
        prop_assert_eq!(out, format!("{prefix}{}", full.authorization));
    }

    #[test]
    fn full_result_equals_the_string_model(req in cos_request(), tok in token()) {
        let full = cos::sign_with_key(&req, "id", SECRET, tok.as_deref());
        let has = |name: &str| req.headers.iter().any(|(k, _)| k.trim().eq_ignore_ascii_case(name));
        let token = tok.as_deref().filter(|t| !t.is_empty() && !has("x-cos-security-token"));
        let host = (req.sign_host && !req.host.is_empty() && !has("host")).then_some(req.host.as_str());
        let headers = model_pairs(
            req.headers
                .iter()
                .map(|(k, v)| (k.trim(), v.as_str()))
                .filter(|(k, _)| cos::is_signed_header(k))
                .chain(host.map(|h| ("host", h)))
                .chain(token.map(|t| ("x-cos-security-token", t))),
        );
        let params = model_pairs(req.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let expected = format!(
            "{}\n{}\n{}\n{}\n",
            req.method.to_ascii_lowercase(),
            req.http_uri(),
            join(&params),
            join(&headers)
        );
        prop_assert_eq!(&full.http_string, &expected);
        prop_assert_eq!(&full.header_list, &names(&headers));
        prop_assert_eq!(&full.url_param_list, &names(&params));
        prop_assert_eq!(&full.key_time, &format!("{};{}", req.start, req.end));
    }

    #[test]
    fn url_writer_equals_the_full_presign(
        method in prop_oneof![Just("GET".to_string()), "[A-Za-z]{1,6}", text()],
        bucket in prop_oneof![Just("examplebucket-1250000000".to_string()), "[A-Za-z0-9-]{1,12}", text()],
        key in text(),
        region in prop_oneof![Just("ap-guangzhou".to_string()), text()],
        endpoint in prop_oneof![
            Just(None),
            Just(Some(ObjectEndpoint::parse("http://127.0.0.1:9000").unwrap())),
            Just(Some(ObjectEndpoint::parse("https://COS.Example.com:8443").unwrap())),
        ],
        expires in prop_oneof![Just(3600u64), any::<u64>()],
        timestamp in any::<i64>(),
        headers in headers(),
        params in params(),
        sign_host in any::<bool>(),
        id in text(),
        tok in token(),
    ) {
        let mut req = CosPresignRequest::new(method, bucket, key, region, timestamp);
        req.endpoint_override = endpoint;
        req.expires = expires;
        req.headers = headers;
        req.params = params;
        req.sign_host = sign_host;
        let full = cos_presign::presign_with_key(&req, &id, SECRET, tok.as_deref());
        let fast = cos_presign::url(&req, &id, SECRET, tok.as_deref());
        match full {
            Ok(full) => prop_assert_eq!(fast.unwrap(), full.url),
            Err(e) => {
                prop_assert_eq!(fast.unwrap_err().to_string(), e.to_string());
                // A refused request leaves the buffer as it was.
                let mut out = "kept".to_string();
                prop_assert!(cos_presign::write_url(&req, &id, SECRET, tok.as_deref(), &mut out).is_err());
                prop_assert_eq!(out, "kept");
            }
        }
    }
}
