//! Property tests for COS signing and the OSS/COS presigners: no panics on arbitrary input, keys
//! survive the URL encoding, signatures ignore header-name case and header/parameter order where
//! the algorithm sorts them, and neither a URL nor a `Debug` output carries the secret.

use credchain::sign::cos::{self, CosRequest};
use credchain::sign::cos_presign::{self, CosPresignRequest};
use credchain::sign::encode;
use credchain::sign::object_endpoint::ObjectEndpoint;
use credchain::sign::oss_presign::{self, OssPresignRequest};
use credchain::Credentials;
use proptest::prelude::*;

fn any_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,24}",
        "[a-z/ +~*%=&.中😀]{1,24}",
        proptest::collection::vec(any::<u8>(), 0..30)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((any_string(), any_string()), 0..5)
}

/// Object keys: never empty after trimming (presigners reject those).
fn key() -> impl Strategy<Value = String> {
    any_string().prop_filter("non-blank key", |k| !k.trim().is_empty())
}

const SECRET: &str = "Zq9SecretValue4PropertyTests7Xy";

fn endpoint() -> impl Strategy<Value = Option<ObjectEndpoint>> {
    prop_oneof![
        Just(None),
        Just(Some(
            ObjectEndpoint::parse("http://127.0.0.1:9000").unwrap()
        )),
        Just(Some(
            ObjectEndpoint::parse("oss-accelerate.aliyuncs.com").unwrap()
        )),
    ]
}

/// The URL path after the host (and, path-style, after the bucket).
fn object_path<'a>(url: &'a str, bucket: &str) -> &'a str {
    let no_query = url.split_once('?').unwrap().0;
    let after_scheme = no_query.split_once("://").unwrap().1;
    let path = &after_scheme[after_scheme.find('/').unwrap() + 1..];
    path.strip_prefix(&format!("{bucket}/")).unwrap_or(path)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn nothing_panics(method in any_string(), bucket in any_string(), k in any_string(),
                      region in any_string(), ep in any_string(), params in pairs(), headers in pairs(),
                      id in any_string(), secret in any_string(), token in proptest::option::of(any_string()),
                      ts in any::<i64>(), expires in any::<u64>()) {
        let creds = Credentials::builder(id.clone(), secret.clone()).security_token_opt(token.clone()).build();
        let mut c = CosRequest::new(method.clone(), k.clone(), ts, expires as i64);
        c.params = params.clone();
        c.headers = headers.clone();
        let _ = cos::sign(&c, &creds);
        let _ = format!("{c:?}");
        let mut o = OssPresignRequest::new(method.clone(), bucket.clone(), k.clone(), region.clone(), ts);
        o.expires = expires;
        o.endpoint_override = ObjectEndpoint::parse(&ep).ok();
        o.params = params.clone();
        o.headers = headers.clone();
        o.additional_headers = headers.iter().map(|(n, _)| n.clone()).collect();
        let _ = oss_presign::presign_v1(&o, &creds);
        let _ = oss_presign::presign_v4(&o, &creds);
        let mut q = CosPresignRequest::new(method, bucket, k, region, ts);
        q.expires = expires;
        q.endpoint_override = ObjectEndpoint::parse(&ep).ok();
        q.params = params;
        q.headers = headers;
        let _ = cos_presign::presign(&q, &creds);
    }

    #[test]
    fn keys_survive_the_url(k in key(), ep in endpoint(), token in proptest::option::of("[ -~]{1,20}"),
                            ts in 0i64..4_000_000_000, slash_safe in any::<bool>()) {
        let creds = Credentials::builder("LTAIid", SECRET).security_token_opt(token).build();
        let mut o = OssPresignRequest::new("GET", "examplebucket", k.clone(), "cn-hangzhou", ts);
        o.endpoint_override = ep.clone();
        o.slash_safe = slash_safe;
        for p in [oss_presign::presign_v1(&o, &creds).unwrap(), oss_presign::presign_v4(&o, &creds).unwrap()] {
            prop_assert_eq!(encode::decode(object_path(&p.url, "examplebucket")), k.as_bytes().to_vec());
            prop_assert!(p.url.is_ascii() && !p.url.contains(SECRET));
            let shown = format!("{:?}", p);
            prop_assert!(!shown.contains(&p.signature));
        }
        let mut q = CosPresignRequest::new("GET", "examplebucket-1250000000", k.clone(), "ap-guangzhou", ts);
        q.endpoint_override = ep;
        let p = cos_presign::presign(&q, &creds).unwrap();
        let want = k.strip_prefix('/').unwrap_or(&k);
        prop_assert_eq!(encode::decode(object_path(&p.url, "examplebucket-1250000000")), want.as_bytes().to_vec());
        prop_assert!(p.url.is_ascii() && !p.url.contains(SECRET));
        let shown = format!("{:?}", p);
        prop_assert!(!shown.contains(&p.signed.signature));
    }

    #[test]
    fn cos_ignores_name_case_and_order(names in proptest::collection::btree_set("[a-z0-9-]{1,8}", 1..5),
                                       values in proptest::collection::vec("[ -~]{0,12}", 5),
                                       mask in proptest::collection::vec(any::<bool>(), 5),
                                       rotate in 0usize..5) {
        let headers: Vec<(String, String)> = names.iter().zip(values.iter())
            .map(|(n, v)| (format!("x-cos-meta-{n}"), v.clone())).collect();
        let params: Vec<(String, String)> = names.iter().zip(values.iter())
            .map(|(n, v)| (n.clone(), v.clone())).collect();
        let mut a = CosRequest::new("PUT", "k", 1_700_000_000, 600);
        a.host = "b-1.cos.ap-guangzhou.myqcloud.com".into();
        a.headers = headers.clone();
        a.params = params.clone();
        let mut b = a.clone();
        let flip = |v: &[(String, String)]| -> Vec<(String, String)> {
            let mut out: Vec<(String, String)> = v.iter().zip(mask.iter().cycle())
                .map(|((k, val), up)| (if *up { k.to_ascii_uppercase() } else { k.clone() }, val.clone()))
                .collect();
            let n = out.len();
            out.rotate_left(rotate % n);
            out
        };
        b.headers = flip(&headers);
        b.params = flip(&params);
        let sa = cos::sign_with_key(&a, "id", SECRET, None);
        let sb = cos::sign_with_key(&b, "id", SECRET, None);
        prop_assert_eq!(&sa.signature, &sb.signature);
        prop_assert_eq!(&sa.header_list, &sb.header_list);
        prop_assert!(!sa.authorization.contains(SECRET));
        // A changed value changes the signature.
        b.headers[0].1.push('!');
        prop_assert_ne!(sa.signature, cos::sign_with_key(&b, "id", SECRET, None).signature);
    }

    #[test]
    fn oss_v4_canonical_query_is_the_sorted_url_query(k in key(), params in proptest::collection::vec(("[a-zA-Z-]{1,8}", "[ -~]{0,8}"), 0..4),
                                                     token in proptest::option::of("[ -~]{1,12}")) {
        let mut o = OssPresignRequest::new("GET", "b", k, "cn-hangzhou", 1_700_000_000);
        // Distinct names not reserved by the signer.
        let mut seen = std::collections::BTreeSet::new();
        o.params = params.into_iter().filter(|(n, _)| !n.starts_with("x-oss-") && seen.insert(n.clone())).collect();
        let p = oss_presign::presign_v4_with_key(&o, "id", SECRET, token.as_deref()).unwrap();
        let query = p.url.split_once('?').unwrap().1;
        let mut pairs: Vec<(&str, &str)> = query.split('&')
            .filter(|kv| !kv.starts_with("x-oss-signature="))
            .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
            .collect();
        pairs.sort();
        let sorted: Vec<String> = pairs.iter().map(|(k, v)| if v.is_empty() { k.to_string() } else { format!("{k}={v}") }).collect();
        prop_assert_eq!(p.canonical_request.lines().nth(2).unwrap(), sorted.join("&"));
    }
}

#[test]
fn bearer_credentials_are_refused() {
    let bearer = Credentials::bearer("bearer-token", "bearer");
    let o = OssPresignRequest::new("GET", "b", "k", "cn-hangzhou", 0);
    assert!(oss_presign::presign_v4(&o, &bearer).is_err());
    assert!(oss_presign::presign_v1(&o, &bearer).is_err());
    let q = CosPresignRequest::new("GET", "b-1", "k", "ap-guangzhou", 0);
    assert!(cos_presign::presign(&q, &bearer).is_err());
    assert!(cos::sign(&CosRequest::new("GET", "k", 0, 1), &bearer).is_err());
}
