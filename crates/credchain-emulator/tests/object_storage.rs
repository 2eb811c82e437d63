//! The emulated buckets against requests signed by the official SDKs (oss2, alibabacloud-oss-v2,
//! cos-python-sdk-v5, boto3; see `data/object_storage_sdk_requests.json` for their origin):
//! every recorded request is accepted at its signing time, and every tampered variant is refused
//! with the cloud's error code.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::Conn;
use credchain_emulator::routes::object_storage::object_path;
use credchain_emulator::{Cloud, Emulator, StoredObject};
use serde_json::Value;

const DATA: &str = include_str!("data/object_storage_sdk_requests.json");
/// `signing_time` of the data file: 2026-01-01T10:00:00Z.
const T: u64 = 1_767_261_600;

/// One recorded request, possibly tampered with.
#[derive(Clone, Debug)]
struct Sent {
    name: String,
    cloud: String,
    scheme: String,
    access_key_id: String,
    temporary: bool,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// What a PUT stores: the body, or its decoded form for an `aws-chunked` upload.
    stored_body: Vec<u8>,
}

/// The object requests (PUT/GET/HEAD/DELETE).
fn vectors() -> Vec<Sent> {
    recorded(false)
}

/// The recorded requests, bucket listings or object requests.
fn recorded(listings: bool) -> Vec<Sent> {
    let data: Value = serde_json::from_str(DATA).expect("test data is JSON");
    assert_eq!(data["signing_time_unix"].as_u64(), Some(T));
    data["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r["operation"].is_string() == listings)
        .map(|r| Sent {
            name: r["name"].as_str().unwrap().to_string(),
            cloud: r["cloud"].as_str().unwrap().to_string(),
            scheme: r["scheme"].as_str().unwrap().to_string(),
            access_key_id: r["access_key_id"].as_str().unwrap().to_string(),
            temporary: r["temporary"].as_bool().unwrap(),
            method: r["method"].as_str().unwrap().to_string(),
            target: r["target"].as_str().unwrap().to_string(),
            headers: r["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_string(),
                        h[1].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
            body: r["body"].as_str().unwrap().as_bytes().to_vec(),
            stored_body: r["stored_body"]
                .as_str()
                .or(r["body"].as_str())
                .unwrap()
                .as_bytes()
                .to_vec(),
        })
        .collect()
}

fn vector(name: &str) -> Sent {
    vectors()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

/// A response read until the server closed the connection (works for `HEAD` too).
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn code(&self) -> Option<&str> {
        let start = self.body.find("<Code>")? + "<Code>".len();
        let end = self.body[start..].find("</Code>")? + start;
        Some(&self.body[start..end])
    }
}

impl Sent {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn set_header(&mut self, name: &str, value: &str) {
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(h) => h.1 = value.to_string(),
            None => self.headers.push((name.to_string(), value.to_string())),
        }
    }

    /// The wire bytes: recorded fields except `Expect` and `Connection`, then `Connection: close`.
    fn bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        for (n, v) in &self.headers {
            if n.eq_ignore_ascii_case("expect") || n.eq_ignore_ascii_case("connection") {
                continue;
            }
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str("Connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        let http_chunked = self
            .header("transfer-encoding")
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"));
        if http_chunked {
            bytes.extend_from_slice(format!("{:x}\r\n", self.body.len()).as_bytes());
            bytes.extend_from_slice(&self.body);
            bytes.extend_from_slice(b"\r\n0\r\n\r\n");
        } else {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }

    fn bucket_and_key(&self) -> (String, String) {
        let path = self.target.split('?').next().unwrap();
        let p = object_path(path).expect("object path");
        (p.bucket, p.key)
    }

    fn request_id_header(&self) -> &'static str {
        match self.cloud.as_str() {
            "oss" => "x-oss-request-id",
            "cos" => "x-cos-request-id",
            _ => "x-amz-request-id",
        }
    }

    fn is_query(&self) -> bool {
        self.scheme.ends_with("-query")
    }

    /// Replaces every occurrence of `from` in the target and header values.
    fn replace_everywhere(&mut self, from: &str, to: &str) {
        self.target = self.target.replace(from, to);
        for (_, v) in &mut self.headers {
            *v = v.replace(from, to);
        }
    }

    /// Changes one character of the signature (keeping it hex / base64).
    fn tamper_signature(&mut self) {
        let marker = if self.scheme == "oss-v1-header" {
            format!("{}:", self.access_key_id)
        } else {
            "signature=".to_string()
        };
        let flip = |s: &mut String| -> bool {
            let Some(at) = s.to_ascii_lowercase().find(&marker.to_ascii_lowercase()) else {
                return false;
            };
            let start = at + marker.len();
            let Some(offset) = s[start..].find(|c: char| c.is_ascii_alphanumeric()) else {
                return false;
            };
            let i = start + offset;
            let new = if &s[i..=i] == "a" { "b" } else { "a" };
            s.replace_range(i..=i, new);
            true
        };
        if !flip(&mut self.target) {
            let auth = self
                .headers
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                .expect("a signature somewhere");
            assert!(flip(&mut auth.1), "{}: no signature found", self.name);
        }
    }

    /// Drops every `*security-token` header and query parameter.
    fn drop_token(&mut self) {
        self.headers
            .retain(|(n, _)| !n.to_ascii_lowercase().ends_with("security-token"));
        let (path, query) = self.target.split_once('?').unwrap_or((&self.target, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| {
                !p.split('=')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
                    .ends_with("security-token")
            })
            .filter(|p| !p.is_empty())
            .collect();
        self.target = if kept.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", kept.join("&"))
        };
    }

    fn token(&self) -> &'static str {
        if self.access_key_id.starts_with("STS.") {
            "emuAliToken0001CAIS9kQ"
        } else {
            "emuTcToken0002hB2m"
        }
    }
}

async fn send(emu: &Emulator, sent: &Sent) -> Answer {
    let mut conn = Conn::open(emu.addr()).await.unwrap();
    conn.write(&sent.bytes()).await.unwrap();
    let raw = conn.read_rest().await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// An emulator whose clock reads the signing time and which knows the vectors' temporary keys
/// (the first two it issues).
async fn emulator_at_signing_time() -> Emulator {
    let emu = Emulator::start().await.unwrap();
    emu.set_clock(Some(at(T)));
    // Longer than any window the tests move the clock through.
    emu.set_credential_lifetime(Duration::from_secs(86_400));
    let ali = emu.state().issue("test", Cloud::Alibaba, false);
    let tc = emu.state().issue("test", Cloud::Tencent, false);
    assert_eq!(ali.access_key_id, "STS.emu0001");
    assert_eq!(tc.access_key_id, "AKIDemu0002");
    assert_eq!(ali.security_token, "emuAliToken0001CAIS9kQ");
    emu
}

fn seed(emu: &Emulator, sent: &Sent) {
    let (bucket, key) = sent.bucket_and_key();
    emu.state().objects().put(
        &bucket,
        &key,
        StoredObject::new("seed", "text/x-seed", at(T)),
    );
}

#[tokio::test]
async fn every_sdk_request_is_accepted_at_its_signing_time() {
    let emu = emulator_at_signing_time().await;
    let all = vectors();
    assert_eq!(all.len(), 78);
    for cloud in ["oss", "cos", "s3"] {
        assert!(all.iter().filter(|v| v.cloud == cloud).count() >= 16);
    }
    for v in &all {
        seed(&emu, v);
        let a = send(&emu, v).await;
        let (bucket, key) = v.bucket_and_key();
        let stored = emu.state().objects().get(&bucket, &key);
        assert!(
            a.header(v.request_id_header()).is_some(),
            "{}: {a:?}",
            v.name
        );
        match v.method.as_str() {
            "PUT" => {
                assert_eq!(a.status, 200, "{}: {a:?}", v.name);
                let stored = stored.expect("stored");
                assert_eq!(stored.body, v.stored_body, "{}", v.name);
                assert_eq!(
                    a.header("etag").map(str::to_ascii_lowercase),
                    Some(format!("\"{}\"", stored.md5_hex)),
                    "{}",
                    v.name
                );
            }
            "GET" => {
                assert_eq!((a.status, a.body.as_str()), (200, "seed"), "{}", v.name);
                let expected = if v.target.contains("response-content-type=text%2Fplain") {
                    "text/plain"
                } else {
                    "text/x-seed"
                };
                assert_eq!(a.header("content-type"), Some(expected), "{}", v.name);
            }
            "HEAD" => {
                assert_eq!(a.status, 200, "{}: {a:?}", v.name);
                assert_eq!(a.header("content-length"), Some("4"), "{}", v.name);
                assert!(a.body.is_empty());
            }
            "DELETE" => {
                assert_eq!(a.status, 204, "{}: {a:?}", v.name);
                assert!(stored.is_none(), "{}", v.name);
            }
            m => panic!("unexpected method {m}"),
        }
    }
    assert_eq!(
        emu.requests_for("oss.object").len(),
        all.iter().filter(|v| v.cloud == "oss").count()
    );
}

/// Sends `sent` and checks status and, unless it is a `HEAD` (no body), the error code; the
/// answer must never echo the secret, the token or the signature.
async fn expect_refusal(emu: &Emulator, sent: &Sent, status: u16, code: &str, what: &str) {
    seed(emu, sent);
    let a = send(emu, sent).await;
    assert_eq!(a.status, status, "{} ({what}): {a:?}", sent.name);
    assert!(
        a.header(sent.request_id_header()).is_some(),
        "{}",
        sent.name
    );
    if sent.method != "HEAD" {
        assert_eq!(a.code(), Some(code), "{} ({what}): {}", sent.name, a.body);
        assert!(a.body.contains("<RequestId>"), "{}", a.body);
        for secret in [
            "emuAliSecret0001x7Qp",
            "emuTcSecret0002z3Vw",
            "EmulatorAccessKeySecret01xQz",
            "emuLongTermSecretKey0000000000001",
            sent.token(),
        ] {
            assert!(!a.body.contains(secret), "{}: {}", sent.name, a.body);
        }
    }
    let (bucket, key) = sent.bucket_and_key();
    let left = emu.state().objects().get(&bucket, &key);
    assert_eq!(
        left.map(|o| o.body),
        Some(b"seed".to_vec()),
        "{} ({what}): a refused request changed the object",
        sent.name
    );
}

const MISMATCH: (u16, &str) = (403, "SignatureDoesNotMatch");

#[tokio::test]
async fn tampered_sdk_requests_are_refused_in_each_clouds_shape() {
    let emu = emulator_at_signing_time().await;
    for v in vectors() {
        let mut s = v.clone();
        s.tamper_signature();
        expect_refusal(&emu, &s, MISMATCH.0, MISMATCH.1, "signature").await;

        let mut s = v.clone();
        s.method = match v.method.as_str() {
            "GET" => "DELETE",
            "HEAD" => "GET",
            "PUT" => "DELETE",
            _ => "GET",
        }
        .to_string();
        expect_refusal(&emu, &s, MISMATCH.0, MISMATCH.1, "method").await;

        let mut s = v.clone();
        s.target = s.target.replacen(".txt", ".txu", 1);
        expect_refusal(&emu, &s, MISMATCH.0, MISMATCH.1, "key").await;

        let mut s = v.clone();
        match v.cloud.as_str() {
            "oss" => s.set_header("x-oss-meta-tampered", "1"),
            _ => {
                let host = s.header("host").unwrap().replace("127.0.0.1", "localhost");
                s.set_header("Host", &host);
            }
        }
        expect_refusal(&emu, &s, MISMATCH.0, MISMATCH.1, "signed header").await;

        let mut s = v.clone();
        s.replace_everywhere(&v.access_key_id, "LTAI5tUnknownKeyId99");
        expect_refusal(&emu, &s, 403, "InvalidAccessKeyId", "unknown key").await;

        let other = if v.access_key_id == "LTAI5tEmulatorKeyId01" {
            "AKIDemuLongTermKey00000000000001"
        } else {
            "LTAI5tEmulatorKeyId01"
        };
        let mut s = v.clone();
        s.replace_everywhere(&v.access_key_id, other);
        expect_refusal(&emu, &s, MISMATCH.0, MISMATCH.1, "another key").await;

        if v.is_query() {
            let mut s = v.clone();
            let (from, to) = match v.scheme.as_str() {
                "oss-v1-query" => ("Expires=1767265200", "Expires=1767268800"),
                "oss-v4-query" => ("x-oss-expires=3600", "x-oss-expires=7200"),
                "s3-query" => ("X-Amz-Expires=3600", "X-Amz-Expires=7200"),
                _ => ("1767265200", "1767268800"), // COS q-sign-time end (first occurrence)
            };
            assert!(s.target.contains(from), "{}: {}", v.name, s.target);
            s.target = s.target.replacen(from, to, 1);
            expect_refusal(&emu, &s, MISMATCH.0, MISMATCH.1, "longer expiry").await;
        }

        if v.target.contains("response-content-type=text%2Fplain") {
            let mut s = v.clone();
            s.target = s.target.replace("text%2Fplain", "text%2Fhtml");
            expect_refusal(&emu, &s, MISMATCH.0, MISMATCH.1, "signed parameter").await;
        }

        if v.temporary {
            let mut s = v.clone();
            s.drop_token();
            expect_refusal(&emu, &s, 403, "InvalidAccessKeyId", "no token").await;

            let mut s = v.clone();
            s.replace_everywhere(v.token(), "emuOtherToken9999");
            let (status, code) = match v.cloud.as_str() {
                "s3" => (400, "InvalidToken"),
                _ => (403, "InvalidSecurityToken"),
            };
            expect_refusal(&emu, &s, status, code, "another token").await;
        }
    }
}

#[tokio::test]
async fn expired_urls_and_skewed_requests_are_refused() {
    let emu = emulator_at_signing_time().await;
    for v in vectors() {
        let (later, status, code) = match (v.is_query(), v.cloud.as_str()) {
            // Presigned for 3600 s.
            (true, _) => (T + 3601, 403, "AccessDenied"),
            // cos-python-sdk-v5 signs headers for 10000 s.
            (false, "cos") => (T + 10_001, 403, "AccessDenied"),
            (false, _) => (T + 901, 403, "RequestTimeTooSkewed"),
        };
        emu.set_clock(Some(at(later)));
        expect_refusal(&emu, &v, status, code, "later").await;
        // One second earlier it is still accepted (HEAD is harmless to repeat).
        emu.set_clock(Some(at(later - 1)));
        seed(&emu, &v);
        let a = send(&emu, &v).await;
        assert!(a.status < 300, "{} at the edge: {a:?}", v.name);
        emu.set_clock(Some(at(T)));
    }
}

#[tokio::test]
async fn expired_temporary_keys_are_refused() {
    let emu = Emulator::start().await.unwrap();
    // Issued 4000 s before the signing time with a 3600 s lifetime: expired when the SDKs signed.
    emu.set_clock(Some(at(T - 4000)));
    emu.state().issue("test", Cloud::Alibaba, false);
    emu.state().issue("test", Cloud::Tencent, false);
    emu.set_clock(Some(at(T)));
    for v in vectors().into_iter().filter(|v| v.temporary) {
        let (status, code) = match v.cloud.as_str() {
            "oss" => (403, "SecurityTokenExpired"),
            "cos" => (403, "ExpiredToken"),
            _ => (400, "ExpiredToken"),
        };
        expect_refusal(&emu, &v, status, code, "expired key").await;
    }
}

#[tokio::test]
async fn signed_put_get_head_delete_round_trip() {
    let emu = emulator_at_signing_time().await;
    for (prefix, body) in [
        ("oss_v1_header", "hello oss"),
        ("oss_v4_header", "hello oss v4"),
        ("cos_header", "hello cos"),
        ("s3_header", "hello s3"),
    ] {
        for creds in ["lt", "sts"] {
            let put = send(&emu, &vector(&format!("{prefix}_put_{creds}"))).await;
            assert_eq!(put.status, 200, "{prefix}: {put:?}");
            let etag = put.header("etag").unwrap().to_string();

            let get = send(&emu, &vector(&format!("{prefix}_get_{creds}"))).await;
            assert_eq!((get.status, get.body.as_str()), (200, body), "{prefix}");
            assert_eq!(get.header("etag"), Some(etag.as_str()));
            assert_eq!(
                get.header("last-modified"),
                Some("Thu, 01 Jan 2026 10:00:00 GMT")
            );

            let head = send(&emu, &vector(&format!("{prefix}_head_{creds}"))).await;
            assert_eq!(head.status, 200);
            assert_eq!(
                head.header("content-length"),
                Some(body.len().to_string().as_str())
            );
            assert_eq!(head.header("etag"), Some(etag.as_str()));

            let delete = send(&emu, &vector(&format!("{prefix}_delete_{creds}"))).await;
            assert_eq!(delete.status, 204, "{prefix}: {delete:?}");
            let gone = send(&emu, &vector(&format!("{prefix}_get_{creds}"))).await;
            assert_eq!(
                (gone.status, gone.code()),
                (404, Some("NoSuchKey")),
                "{prefix}"
            );
            let head = send(&emu, &vector(&format!("{prefix}_head_{creds}"))).await;
            assert_eq!(head.status, 404);
        }
    }
    // OSS writes the ETag in upper case, S3 in lower case: the same MD5 either way.
    let s3 = send(&emu, &vector("s3_header_put_lt")).await;
    assert_eq!(
        s3.header("etag"),
        Some("\"b60d991fa6dbd33863c7cec70d15dbac\"")
    );
    let oss = send(&emu, &vector("oss_v1_header_put_lt")).await;
    assert_eq!(
        oss.header("etag"),
        Some("\"337B33C02F89493026843983FF272A30\"")
    );
    assert!(emu
        .state()
        .objects()
        .names()
        .iter()
        .any(|(b, _)| b == "emu-s3"));
}

#[tokio::test]
async fn payload_and_digest_checks() {
    let emu = emulator_at_signing_time().await;
    // boto3 signed the body's SHA-256: another body of the same length is refused.
    let mut s = vector("s3_header_put_lt");
    s.body = b"HELLO S3".to_vec();
    expect_refusal(&emu, &s, 400, "XAmzContentSHA256Mismatch", "body").await;
    // UNSIGNED-PAYLOAD: any body is accepted.
    let mut s = vector("s3_header_put_unsigned_lt");
    s.body = b"another payload!".to_vec();
    assert_eq!(send(&emu, &s).await.status, 200);
    // A Content-MD5 that does not match the body (unsigned for SigV4) is refused.
    let mut s = vector("s3_header_put_lt");
    s.set_header("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
    expect_refusal(&emu, &s, 400, "BadDigest", "content-md5").await;
    // The default-checksum PUT of this boto3 (x-amz-checksum-crc32 signed) is accepted.
    let a = send(&emu, &vector("s3_header_put_default_checksum_sts")).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(
        emu.state()
            .objects()
            .get("emu-s3", "checksum.txt")
            .unwrap()
            .body,
        b"hello checksum"
    );
}

#[tokio::test]
async fn unsigned_object_requests_match_no_route() {
    let emu = emulator_at_signing_time().await;
    let mut s = vector("s3_query_get_lt");
    s.target = s.target.split('?').next().unwrap().to_string();
    let a = send(&emu, &s).await;
    assert_eq!(a.status, 404);
    assert!(a.body.contains("EmulatorRouteNotFound"), "{}", a.body);
    assert_eq!(emu.unmatched_requests().len(), 1);
}

#[tokio::test]
async fn ranged_gets_answer_206_with_content_range() {
    let emu = emulator_at_signing_time().await;
    // Range is not signed by these requests, so adding it keeps the signature valid.
    for name in [
        "s3_header_get_lt",
        "oss_v1_header_get_sts",
        "cos_query_get_lt",
    ] {
        let mut v = vector(name);
        let (bucket, key) = v.bucket_and_key();
        emu.state().objects().put(
            &bucket,
            &key,
            StoredObject::new("0123456789", "text/plain", at(T)),
        );
        v.set_header("Range", "bytes=2-5");
        let a = send(&emu, &v).await;
        assert_eq!((a.status, a.body.as_str()), (206, "2345"), "{name}: {a:?}");
        assert_eq!(a.header("content-range"), Some("bytes 2-5/10"), "{name}");
        v.set_header("Range", "bytes=-3");
        assert_eq!(send(&emu, &v).await.body, "789", "{name}");
        v.set_header("Range", "bytes=10-");
        let a = send(&emu, &v).await;
        assert_eq!((a.status, a.code()), (416, Some("InvalidRange")), "{name}");
    }
}

#[tokio::test]
async fn boto3_listings_are_verified_and_answered() {
    let emu = emulator_at_signing_time().await;
    let objects = emu.state().objects();
    for key in [
        "docs/a.txt",
        "docs/b/c.txt",
        "docs/hello world+~*.txt",
        "top.txt",
    ] {
        objects.put("emu-s3", key, StoredObject::new(key, "", at(T)));
    }
    objects.put("other", "docs/x.txt", StoredObject::new("x", "", at(T)));
    let listings = recorded(true);
    assert_eq!(listings.len(), 4);
    let find = |name: &str| listings.iter().find(|v| v.name == name).unwrap().clone();

    for name in ["s3_header_list_lt", "s3_header_list_sts"] {
        let a = send(&emu, &find(name)).await;
        assert_eq!(a.status, 200, "{name}: {a:?}");
        assert!(a.header("x-amz-request-id").is_some());
        for part in [
            "<Name>emu-s3</Name>",
            "<Prefix>docs/</Prefix>",
            "<KeyCount>3</KeyCount>",
            "<IsTruncated>false</IsTruncated>",
            "<Key>docs/a.txt</Key>",
            "<Key>docs/hello%20world%2B~%2A.txt</Key>",
            "<CommonPrefixes><Prefix>docs/b/</Prefix></CommonPrefixes>",
            "<LastModified>2026-01-01T10:00:00.000Z</LastModified>",
        ] {
            assert!(a.body.contains(part), "{name}: no {part} in {}", a.body);
        }
        assert!(!a.body.contains("top.txt") && !a.body.contains("docs/x.txt"));
    }

    let a = send(&emu, &find("s3_header_list_page_sts")).await;
    assert_eq!(a.status, 200, "{a:?}");
    for part in [
        "<KeyCount>1</KeyCount>",
        "<IsTruncated>true</IsTruncated>",
        "<ContinuationToken>docs/a.txt</ContinuationToken>",
        "<Key>docs/b/c.txt</Key>",
        "<NextContinuationToken>docs/b/c.txt</NextContinuationToken>",
    ] {
        assert!(a.body.contains(part), "no {part} in {}", a.body);
    }

    let presigned = find("s3_query_list_sts");
    let a = send(&emu, &presigned).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(a.body.contains("<Key>docs/b/c.txt</Key>"), "{}", a.body);

    // Tampered or expired listings are refused like object requests.
    let mut s = presigned.clone();
    s.tamper_signature();
    let a = send(&emu, &s).await;
    assert_eq!((a.status, a.code()), (403, Some("SignatureDoesNotMatch")));
    let mut s = presigned.clone();
    s.target = s.target.replace("prefix=docs%2F", "prefix=");
    let a = send(&emu, &s).await;
    assert_eq!((a.status, a.code()), (403, Some("SignatureDoesNotMatch")));
    emu.set_clock(Some(at(T + 3601)));
    let a = send(&emu, &presigned).await;
    assert_eq!((a.status, a.code()), (403, Some("AccessDenied")));
}
