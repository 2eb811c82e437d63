//! OSS signers rewritten as borrowed-slice writers: the `Authorization`-only V4 path equals the
//! full result, and the full V4 and V1 results and both presigned URLs equal a straightforward
//! model built from owned strings (the shape the signers had before they were streamed), on
//! random requests: mixed-case and repeated header names, whitespace, sub-resources, odd bytes in
//! keys and parameters, more headers than fit on the stack.

use credchain::sign::crypto;
use credchain::sign::encode::{encode_param, encode_path};
use credchain::sign::oss::{self, OssV1Request, OssV4Request, V1_SUB_RESOURCES};
use credchain::sign::oss_presign::{self, OssPresignRequest};
use credchain::sign::{format_compact, DerivedKeyCache};
use proptest::prelude::*;

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Content-Type".to_string()),
        Just("content-md5".to_string()),
        Just(" Date ".to_string()),
        Just("x-oss-date".to_string()),
        Just("X-OSS-Content-Sha256".to_string()),
        Just("x-oss-security-token".to_string()),
        "[xX]-[oO][sS][sS]-[a-zA-Z-]{1,6}",
        "[a-zA-Z-]{1,8}",
        " ?[a-zA-Zé-]{1,6} ?",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[ -~]{0,12}", any::<String>()]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((header_name(), value()), 0..22)
}

fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(V1_SUB_RESOURCES).prop_map(str::to_string),
        Just("x-oss-date".to_string()),
        Just("security-token".to_string()),
        Just(String::new()),
        "[ -~]{0,8}",
        any::<String>(),
    ]
}

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((param_name(), value()), 0..20)
}

fn token() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(String::new())),
        "[ -~]{1,12}".prop_map(Some)
    ]
}

/// The V4 canonical request, string to sign and Authorization built from owned strings.
fn model_v4(req: &OssV4Request, id: &str, secret: &str, token: Option<&str>) -> [String; 3] {
    let find = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let date_time = format_compact(req.timestamp).unwrap();
    let date = &date_time[..8];
    let mut generated = vec![
        ("x-oss-date".to_string(), date_time.clone()),
        (
            "x-oss-content-sha256".to_string(),
            "UNSIGNED-PAYLOAD".to_string(),
        ),
    ];
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        generated.push(("x-oss-security-token".to_string(), t.to_string()));
    }
    generated.retain(|(k, _)| find(k).is_none());
    let default = |k: &str| k == "content-type" || k == "content-md5" || k.starts_with("x-oss-");
    let mut additional: Vec<String> = req
        .additional_headers
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !default(h) && find(h).is_some())
        .collect();
    additional.sort();
    additional.dedup();
    let mut signed: Vec<(String, String)> = req
        .headers
        .iter()
        .chain(&generated)
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| default(k) || additional.contains(k))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut lines: Vec<(String, String)> = Vec::new();
    for (k, v) in signed {
        match lines.last_mut() {
            Some(last) if last.0 == k => last.1 = format!("{},{v}", last.1),
            _ => lines.push((k, v)),
        }
    }
    let headers: String = lines.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let mut query: Vec<(String, String)> = req
        .query
        .iter()
        .map(|(k, v)| (encode_param(k), encode_param(v)))
        .collect();
    query.sort_by(|a, b| a.0.cmp(&b.0));
    let query: Vec<String> = query
        .into_iter()
        .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
        .collect();
    let path = if req.bucket.is_empty() {
        format!("/{}", req.key)
    } else {
        format!("/{}/{}", req.bucket, req.key)
    };
    let payload = find("x-oss-content-sha256").unwrap_or("UNSIGNED-PAYLOAD".into());
    let canonical = format!(
        "{}\n{}\n{}\n{headers}\n{}\n{}",
        req.method,
        encode_path(&path),
        query.join("&"),
        additional.join(";"),
        payload.trim()
    );
    let scope = format!("{date}/{}/{}/aliyun_v4_request", req.region, req.product);
    let x_oss_date = find("x-oss-date").unwrap_or(date_time.clone());
    let sts = format!(
        "OSS4-HMAC-SHA256\n{}\n{scope}\n{}",
        x_oss_date.trim(),
        crypto::sha256_hex(canonical.as_bytes())
    );
    let key = oss::derive_v4_key(secret, date, &req.region, &req.product);
    let signature = hex::encode(crypto::hmac_sha256(key.as_bytes(), sts.as_bytes()));
    let extra = if additional.is_empty() {
        String::new()
    } else {
        format!("AdditionalHeaders={},", additional.join(";"))
    };
    let auth = format!("OSS4-HMAC-SHA256 Credential={id}/{scope},{extra}Signature={signature}");
    [canonical, sts, auth]
}

/// The V1 string to sign built from owned strings.
fn model_v1(req: &OssV1Request, token: Option<&str>) -> String {
    let mut all = req.headers.clone();
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        if !all
            .iter()
            .any(|(k, _)| k.trim().eq_ignore_ascii_case("x-oss-security-token"))
        {
            all.push(("x-oss-security-token".into(), t.into()));
        }
    }
    let get = |name: &str| {
        all.iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut s = format!(
        "{}\n{}\n{}\n{}\n",
        req.method,
        get("content-md5"),
        get("content-type"),
        get("date")
    );
    let mut xs: Vec<(String, String)> = all
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| k.starts_with("x-oss-"))
        .collect();
    xs.sort();
    for (k, v) in xs {
        s += &format!("{k}:{v}\n");
    }
    s + &req.canonical_resource()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn v4_fast_path_and_full_result_equal_the_model(
        method in "[A-Z]{1,7}",
        bucket in prop_oneof![Just(String::new()), "[a-z0-9.-]{1,12}"],
        key in any::<String>(),
        query in params(),
        headers in headers(),
        additional in proptest::collection::vec(header_name(), 0..4),
        region in "[a-z0-9-]{1,12}",
        ts in 0i64..4_000_000_000,
        id in "[A-Za-z0-9]{1,24}",
        secret in any::<String>(),
        token in token(),
    ) {
        let mut req = OssV4Request::new(method, bucket, key, region, ts);
        req.query = query;
        req.headers = headers;
        req.additional_headers = additional;
        let token = token.as_deref();
        let cache = DerivedKeyCache::new(2);
        let full = oss::sign_v4_with_cache(&req, &id, &secret, token, &cache).unwrap();
        let [canonical, sts, auth] = model_v4(&req, &id, &secret, token);
        prop_assert_eq!(&full.canonical_request, &canonical);
        prop_assert_eq!(&full.string_to_sign, &sts);
        prop_assert_eq!(&full.authorization, &auth);
        let mut fast = String::from("kept:");
        oss::write_v4_authorization(&req, &id, &secret, token, &cache, &mut fast).unwrap();
        prop_assert_eq!(fast, format!("kept:{auth}"));
        let cold = oss::v4_authorization(&req, &id, &secret, token, &DerivedKeyCache::disabled()).unwrap();
        prop_assert_eq!(cold, auth);
    }

    #[test]
    fn v1_string_to_sign_equals_the_model(
        method in "[A-Z]{1,7}",
        bucket in prop_oneof![Just(String::new()), "[a-z0-9.-]{1,12}"],
        key in any::<String>(),
        query in params(),
        headers in headers(),
        token in token(),
    ) {
        let req = OssV1Request { method, bucket, key, query, headers };
        let signed = oss::sign_v1_with_key(&req, "ak", "sk", token.as_deref());
        let sts = model_v1(&req, token.as_deref());
        prop_assert_eq!(&signed.string_to_sign, &sts);
        prop_assert_eq!(signed.signature, crypto::hmac_sha1_base64(b"sk", sts.as_bytes()));
    }

    #[test]
    fn presigned_urls_equal_the_model(
        key in "[!-~][ -~]{0,20}",
        params in params(),
        headers in headers(),
        additional in proptest::collection::vec(header_name(), 0..4),
        slash_safe in any::<bool>(),
        ts in 0i64..4_000_000_000,
        token in token(),
    ) {
        let mut req = OssPresignRequest::new("PUT", "bucket", key, "cn-hangzhou", ts);
        req.params = params;
        req.headers = headers;
        req.additional_headers = additional;
        req.slash_safe = slash_safe;
        let token = token.as_deref();

        // V1: the string to sign is the header signer's with the expiry as the date and the
        // parameters (plus the token) as the query.
        let p1 = oss_presign::presign_v1_with_key(&req, "ak", "sk", token).unwrap();
        let reserved = ["security-token", "OSSAccessKeyId", "Expires", "Signature"];
        let mut query: Vec<(String, String)> =
            req.params.iter().filter(|(k, _)| !reserved.contains(&k.as_str())).cloned().collect();
        if let Some(t) = token.filter(|t| !t.is_empty()) {
            query.push(("security-token".into(), t.into()));
        }
        let expires = (ts + 3600).to_string();
        let date = req.headers.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case("x-oss-date"))
            .map(|(_, v)| v.clone()).unwrap_or(expires.clone());
        let mut h = req.headers.clone();
        h.retain(|(k, _)| !k.trim().eq_ignore_ascii_case("date"));
        h.push(("Date".into(), date));
        let v1 = OssV1Request { method: "PUT".into(), bucket: "bucket".into(), key: req.key.clone(), query: query.clone(), headers: h };
        prop_assert_eq!(&p1.string_to_sign, &model_v1(&v1, None));
        // A separator only after something was written (an empty pair writes nothing).
        let mut sent = String::new();
        for (k, v) in query.iter().chain(&[
            ("OSSAccessKeyId".to_string(), "ak".to_string()),
            ("Expires".to_string(), expires),
            ("Signature".to_string(), p1.signature.clone()),
        ]) {
            if !sent.is_empty() {
                sent.push('&');
            }
            sent += &if v.is_empty() { encode_param(k) } else { format!("{}={}", encode_param(k), encode_param(v)) };
        }
        let path = if slash_safe { encode_path(&req.key) } else { encode_param(&req.key) };
        prop_assert_eq!(&p1.url, &format!("https://bucket.oss-cn-hangzhou.aliyuncs.com/{path}?{sent}"));

        // V4: the canonical query is the query sent, sorted.
        let p4 = oss_presign::presign_v4_with_key(&req, "ak", "sk", token).unwrap();
        let (base, query) = p4.url.split_once('?').unwrap();
        prop_assert_eq!(base, format!("https://bucket.oss-cn-hangzhou.aliyuncs.com/{}", encode_path(&req.key)));
        let query = query.strip_suffix(&format!("&x-oss-signature={}", p4.signature)).unwrap();
        let pairs: Vec<String> = query.split('&').filter(|p| !p.is_empty()).map(str::to_string).collect();
        let mut sorted: Vec<(&str, &str)> = pairs.iter().map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
        sorted.sort();
        let canonical_query: Vec<String> = sorted.iter().map(|(k, v)| if v.is_empty() { k.to_string() } else { format!("{k}={v}") }).collect();
        let find = |name: &str| req.headers.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let default = |k: &str| k == "content-type" || k == "content-md5" || k.starts_with("x-oss-");
        let mut add: Vec<String> = req.additional_headers.iter().map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !default(h) && find(h).is_some_and(|v| !v.is_empty())).collect();
        add.sort();
        add.dedup();
        let mut signed: Vec<(String, String)> = req.headers.iter().map(|(k, v)| (k.trim().to_ascii_lowercase(), v.clone()))
            .filter(|(k, _)| default(k) || add.contains(k)).collect();
        signed.sort_by(|a, b| a.0.cmp(&b.0));
        let lines: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
        prop_assert_eq!(&p4.signed_headers, &signed);
        prop_assert_eq!(&p4.canonical_request, &format!(
            "PUT\n{}\n{}\n{lines}\n{}\n{}",
            encode_path(&format!("/bucket/{}", req.key)),
            canonical_query.join("&"),
            add.join(";"),
            find("x-oss-content-sha256").unwrap_or("UNSIGNED-PAYLOAD".into())
        ));
        if !add.is_empty() {
            let want = format!("&x-oss-additional-headers={}", encode_param(&add.join(";")));
            prop_assert!(query.contains(&want));
        }
        let want = format!("x-oss-date={}&x-oss-expires=3600&x-oss-credential=ak%2F", format_compact(ts).unwrap());
        prop_assert!(query.contains(&want));
        let key = oss::derive_v4_key("sk", &format_compact(ts).unwrap()[..8], "cn-hangzhou", "oss");
        prop_assert_eq!(&p4.string_to_sign[p4.string_to_sign.len() - 64..], crypto::sha256_hex(p4.canonical_request.as_bytes()));
        prop_assert_eq!(p4.signature, hex::encode(crypto::hmac_sha256(key.as_bytes(), p4.string_to_sign.as_bytes())));
    }
}
