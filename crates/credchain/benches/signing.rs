//! Time per signature: TC3 and ACS3 for a typical ~200-byte JSON POST, RPC v1 for a 10-parameter
//! GET, and OSS V4. TC3 and OSS V4 are measured cold (derived-key cache disabled, the HMAC chain
//! runs every time) and with the cached derived key. ACS3 and RPC sign with the raw secret, so
//! they have no derived key to cache.
//!
//! Comparisons with reqsign (crates `reqsign-aliyun-oss` 3.1, `reqsign-tencent-cos` 3.0,
//! `reqsign-core` 3.3; dev-dependencies only, nothing goes over the network):
//! - `oss_v1_header/*` and `oss_v4_header/*`: the same work on both sides, an OSS object `PUT`
//!   with `Content-Type` and `Content-MD5`, header signing, including formatting the date. Ours
//!   returns the headers to add; reqsign writes them into `http::request::Parts`. On both sides
//!   the input request is cloned outside the measured part (`iter_batched_ref`) and the current
//!   time is read inside it. reqsign's signer is `async`; its
//!   future never waits and is polled once with a no-op waker.
//!   `oss_v4_header/credchain_cached_key_authorization_only` is credchain's `Authorization`-only
//!   path (`oss::write_v4_authorization` into a reused string, plus formatting the `x-oss-date`
//!   value the caller sends); `oss_v4_cached_key_authorization_only` is the same path without
//!   reading the clock, next to `oss_v4_cached_key` (the full result).
//! - `tencent_header/*`: **different algorithms**: reqsign's COS signature next to credchain's API
//!   signatures (legacy v1 `HmacSHA1`, TC3 cold and cached) — the per-request cost of a Tencent
//!   header signature in each library, kept for continuity; `cos_header/*` is the like-for-like race.
//! - `cos_header/*`: the same COS `q-sign-algorithm=sha1` work on both sides, a `PUT` with
//!   `Content-Type`, `Content-MD5` and `Host`, all three signed by both. `credchain` returns every
//!   intermediate; `credchain_authorization` only the `Authorization` value (`cos::authorization`).
//! - `cos_presign/*`, `oss_presign_v1/*`, `oss_presign_v4/*`: a presigned one-hour `GET` URL.
//!   Ours returns the URL string; reqsign rewrites the request's URI (`sign_request` with
//!   `expires_in`). The V4 derived key is measured cold and cached; reqsign derives it every time.
//!   COS: `credchain` returns the URL and every signing step, `credchain_url` only the URL
//!   (`cos_presign::url`). The COS groups print their allocations per call before they run.
//!
//! - `aws_sigv4_post_200B`: AWS SigV4 (crate `aws-sigv4` 1.3, dev-dependency) of the same 200-byte
//!   JSON POST, next to `tc3_post_200B_*` and `acs3_hmac_sha256_post_200B` (the same shape of work:
//!   hash the body, hash a canonical request, HMAC a string to sign).
//!
//! Allocations: the bench binary's global allocator counts every allocation; before the main
//! group runs, each main benchmark's closure is called once more and the number of allocations it
//! made is printed (`allocations per signature: ...`).
//!
//! Quick run: `cargo bench -p credchain --bench signing -- --warm-up-time 1 --measurement-time 3`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use credchain::sign::acs3::{self, Acs3Algorithm, Acs3Request};
use credchain::sign::cos::{self, CosRequest};
use credchain::sign::cos_presign::{self, CosPresignRequest};
use credchain::sign::oss::OssV1Request;
use credchain::sign::oss::{self, OssV4Request};
use credchain::sign::oss_presign::{self, OssPresignRequest};
use credchain::sign::rpc::{self, RpcRequest};
use credchain::sign::tc3::{self, Tc3Request};
use credchain::sign::tc_v1::{self, TcV1Request};
use credchain::sign::{format_http_date, DerivedKeyCache, Payload};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use reqsign_core::{Context, SignRequest};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SECRET: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// The system allocator, counting allocations (reallocations count as one more).
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counter has no effect on
// the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Runs `f` once to warm caches, then once more and prints how many allocations that call made
/// (the result is dropped outside the count).
fn report_allocations<R>(name: &str, mut f: impl FnMut() -> R) {
    drop(f());
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let out = f();
    let made = ALLOCATIONS.load(Ordering::Relaxed) - before;
    drop(out);
    println!("{name}: allocations per signature: {made}");
}

/// Prints the allocations of one call of `f`, then benchmarks it under `name`.
fn measure<R>(c: &mut Criterion, name: &str, mut f: impl FnMut() -> R) {
    report_allocations(name, &mut f);
    c.bench_function(name, |b| b.iter(&mut f));
}

fn body() -> Vec<u8> {
    let b = br#"{"InstanceIds":["ins-09dx96dg","ins-1f2e3d4c"],"Filters":[{"Name":"zone","Values":["ap-guangzhou-3"]},{"Name":"instance-name","Values":["web-server-01"]}],"Offset":0,"Limit":20,"Tag":"env:prod"}"#;
    b.to_vec()
}

fn bench(c: &mut Criterion) {
    let body = body();
    assert!(
        (180..=220).contains(&body.len()),
        "body is {} bytes",
        body.len()
    );

    let mut tc3_req = Tc3Request::new(
        "cvm.tencentcloudapi.com",
        "DescribeInstances",
        "2017-03-12",
        1551113065,
    );
    tc3_req.region = "ap-guangzhou".into();
    tc3_req.payload = Payload::Bytes(body.clone());
    let cold = DerivedKeyCache::disabled();
    let warm = DerivedKeyCache::new(8);
    measure(c, "tc3_post_200B_cold", || {
        tc3::sign_with_cache(black_box(&tc3_req), ID, SECRET, Some("token"), &cold).unwrap()
    });
    measure(c, "tc3_post_200B_cached_key", || {
        tc3::sign_with_cache(black_box(&tc3_req), ID, SECRET, Some("token"), &warm).unwrap()
    });
    // The fast path: only the Authorization value, into a reused string.
    let mut auth = String::with_capacity(256);
    measure(c, "tc3_post_200B_cached_key_authorization_only", || {
        auth.clear();
        tc3::write_authorization(black_box(&tc3_req), ID, SECRET, &warm, &mut auth).unwrap();
        auth.len()
    });

    let mut acs3_req = Acs3Request::new(
        "ecs.cn-hangzhou.aliyuncs.com",
        "DescribeInstances",
        "2014-05-26",
        "2024-01-01T00:00:00Z",
        "3156853299f313e23d1673dc12e1703d",
    );
    acs3_req.headers = vec![("content-type".into(), "application/json".into())];
    acs3_req.payload = Payload::Bytes(body.clone());
    measure(c, "acs3_hmac_sha256_post_200B", || {
        acs3::sign_with_secret(black_box(&acs3_req), ID, SECRET, None).unwrap()
    });
    measure(c, "acs3_hmac_sha256_post_200B_authorization_only", || {
        auth.clear();
        acs3::write_authorization(black_box(&acs3_req), ID, SECRET, None, &mut auth).unwrap();
        auth.len()
    });
    let mut sm3_req = acs3_req.clone();
    sm3_req.algorithm = Acs3Algorithm::HmacSm3;
    measure(c, "acs3_hmac_sm3_post_200B", || {
        acs3::sign_with_secret(black_box(&sm3_req), ID, SECRET, None).unwrap()
    });
    measure(c, "acs3_hmac_sm3_post_200B_authorization_only", || {
        auth.clear();
        acs3::write_authorization(black_box(&sm3_req), ID, SECRET, None, &mut auth).unwrap();
        auth.len()
    });

    let mut rpc_req = RpcRequest::new(
        "ecs.aliyuncs.com",
        "DescribeInstances",
        "2014-05-26",
        "2024-01-01T00:00:00Z",
        "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    );
    rpc_req.query.extend([
        ("RegionId".to_string(), "cn-hangzhou".to_string()),
        ("PageSize".to_string(), "10".to_string()),
    ]);
    // 5 request parameters + 5 added by the signer = 10 signed parameters.
    measure(c, "rpc_v1_get_10_params", || {
        rpc::sign_with_secret(black_box(&rpc_req), ID, SECRET, None).unwrap()
    });
    measure(c, "rpc_v1_get_10_params_signature_only", || {
        auth.clear();
        rpc::write_signature(black_box(&rpc_req), ID, SECRET, None, &mut auth).unwrap();
        auth.len()
    });

    let v4 = OssV4Request::new("PUT", "bucket", "dir/object.txt", "cn-hangzhou", 1702743657);
    measure(c, "oss_v4_cold", || {
        oss::sign_v4_with_cache(black_box(&v4), ID, SECRET, None, &cold).unwrap()
    });
    measure(c, "oss_v4_cached_key", || {
        oss::sign_v4_with_cache(black_box(&v4), ID, SECRET, None, &warm).unwrap()
    });
    measure(c, "oss_v4_cached_key_authorization_only", || {
        auth.clear();
        oss::write_v4_authorization(black_box(&v4), ID, SECRET, None, &warm, &mut auth).unwrap();
        auth.len()
    });
}

/// Polls a future that never waits (reqsign's signers do no I/O) to completion.
fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the signer waited"),
    }
}

const CONTENT_MD5: &str = "eB5eJF1ptWaXm4bijSPyxw==";
const OSS_URL: &str = "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/dir/object.txt";
const COS_URL: &str =
    "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/object.txt";

fn put_parts(url: &str) -> http::request::Parts {
    http::Request::builder()
        .method("PUT")
        .uri(url)
        .header("content-type", "text/plain")
        .header("content-md5", CONTENT_MD5)
        .body(())
        .unwrap()
        .into_parts()
        .0
}

fn reqsign_comparisons(c: &mut Criterion) {
    let ctx = Context::new();
    let cold = DerivedKeyCache::disabled();
    let warm = DerivedKeyCache::new(8);

    // OSS V1 (HMAC-SHA1 over verb, MD5, type, date, x-oss-* headers and resource).
    let oss_cred = reqsign_aliyun_oss::Credential {
        access_key_id: ID.into(),
        access_key_secret: SECRET.into(),
        security_token: None,
        expires_in: None,
    };
    let ours_v1 = OssV1Request {
        method: "PUT".into(),
        bucket: "examplebucket".into(),
        key: "dir/object.txt".into(),
        query: Vec::new(),
        headers: vec![
            ("Content-Type".into(), "text/plain".into()),
            ("Content-MD5".into(), CONTENT_MD5.into()),
        ],
    };
    let mut g = c.benchmark_group("oss_v1_header");
    g.bench_function("credchain", |b| {
        b.iter_batched_ref(
            || ours_v1.clone(),
            |req| {
                let date = format_http_date(credchain::sign::now_unix()).unwrap();
                req.headers.push(("Date".into(), date));
                oss::sign_v1_with_key(black_box(req), ID, SECRET, None)
            },
            BatchSize::SmallInput,
        )
    });
    let signer = reqsign_aliyun_oss::RequestSigner::new("examplebucket");
    let parts = put_parts(OSS_URL);
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            || parts.clone(),
            |p| ready(signer.sign_request(&ctx, black_box(p), Some(&oss_cred), None)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    // OSS V4 (OSS4-HMAC-SHA256: canonical request, 4-step derived key).
    let mut g = c.benchmark_group("oss_v4_header");
    let mut ours_v4 = OssV4Request::new("PUT", "examplebucket", "dir/object.txt", "cn-hangzhou", 0);
    ours_v4.headers = vec![
        ("Content-Type".into(), "text/plain".into()),
        ("Content-MD5".into(), CONTENT_MD5.into()),
    ];
    g.bench_function("credchain_cold", |b| {
        b.iter_batched_ref(
            || ours_v4.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                oss::sign_v4_with_cache(black_box(r), ID, SECRET, None, &cold).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("credchain_cached_key", |b| {
        b.iter_batched_ref(
            || ours_v4.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                oss::sign_v4_with_cache(black_box(r), ID, SECRET, None, &warm).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    // The Authorization-only fast path; the x-oss-date it signs is formatted inside too.
    let mut auth = String::with_capacity(256);
    g.bench_function("credchain_cached_key_authorization_only", |b| {
        b.iter_batched_ref(
            || ours_v4.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                let date = credchain::sign::format_compact(r.timestamp).unwrap();
                auth.clear();
                oss::write_v4_authorization(black_box(r), ID, SECRET, None, &warm, &mut auth)
                    .unwrap();
                (date, auth.len())
            },
            BatchSize::SmallInput,
        )
    });
    let signer_v4 = reqsign_aliyun_oss::RequestSigner::new("examplebucket")
        .with_signing_version(reqsign_aliyun_oss::SigningVersion::V4)
        .with_region("cn-hangzhou");
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            || parts.clone(),
            |p| ready(signer_v4.sign_request(&ctx, black_box(p), Some(&oss_cred), None)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    // Tencent header signatures: COS q-sign (reqsign) vs credchain's API signatures. Different
    // algorithms, see the module documentation.
    let mut g = c.benchmark_group("tencent_header");
    let cos_cred = reqsign_tencent_cos::Credential {
        secret_id: ID.into(),
        secret_key: SECRET.into(),
        security_token: None,
        expires_in: None,
    };
    let cos_signer = reqsign_tencent_cos::RequestSigner::new();
    let cos_parts = put_parts(COS_URL);
    g.bench_function("reqsign_cos_qsign_sha1", |b| {
        b.iter_batched_ref(
            || cos_parts.clone(),
            |p| ready(cos_signer.sign_request(&ctx, black_box(p), Some(&cos_cred), None)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let mut v1 = TcV1Request::new(
        "cvm.tencentcloudapi.com",
        "DescribeInstances",
        "2017-03-12",
        "ap-guangzhou",
        0,
        11886,
    );
    v1.params.extend([
        ("InstanceIds.0".into(), "ins-09dx96dg".into()),
        ("Limit".into(), "20".into()),
    ]);
    g.bench_function("credchain_api_v1_hmacsha1", |b| {
        b.iter_batched_ref(
            || v1.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                tc_v1::sign_with_key(black_box(r), ID, SECRET, None)
            },
            BatchSize::SmallInput,
        )
    });
    // The fast path: only the Base64 signature, in a new string.
    g.bench_function("credchain_api_v1_hmacsha1_signature_only", |b| {
        b.iter_batched_ref(
            || v1.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                tc_v1::signature(black_box(r), ID, SECRET, None)
            },
            BatchSize::SmallInput,
        )
    });
    report_allocations("tencent_header/credchain_api_v1_hmacsha1", || {
        tc_v1::sign_with_key(black_box(&v1), ID, SECRET, None)
    });
    report_allocations(
        "tencent_header/credchain_api_v1_hmacsha1_signature_only",
        || tc_v1::signature(black_box(&v1), ID, SECRET, None),
    );
    let mut put = Tc3Request::new("cos.tencentcloudapi.com", "PutObject", "2017-03-12", 0);
    put.region = "ap-guangzhou".into();
    put.payload = Payload::Bytes(Vec::new());
    for (name, cache) in [
        ("credchain_tc3_cold", &cold),
        ("credchain_tc3_cached_key", &warm),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || put.clone(),
                |r| {
                    r.timestamp = credchain::sign::now_unix();
                    tc3::sign_with_cache(black_box(r), ID, SECRET, None, cache).unwrap()
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn get_parts(url: &str) -> http::request::Parts {
    http::Request::builder()
        .method("GET")
        .uri(url)
        .body(())
        .unwrap()
        .into_parts()
        .0
}

/// Object storage: COS header signing and presigned URLs, each next to reqsign on the same request.
fn object_storage_comparisons(c: &mut Criterion) {
    let ctx = Context::new();
    let cold = DerivedKeyCache::disabled();
    let warm = DerivedKeyCache::new(8);
    const COS_HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

    // COS q-sign header signing: PUT with Content-Type, Content-MD5 and Host, all three signed
    // on both sides; the current time is read inside the measured part.
    let mut g = c.benchmark_group("cos_header");
    let mut ours = CosRequest::new("PUT", "dir/object.txt", 0, 3600);
    ours.host = COS_HOST.into();
    ours.headers = vec![
        ("Content-Type".into(), "text/plain".into()),
        ("Content-MD5".into(), CONTENT_MD5.into()),
    ];
    g.bench_function("credchain", |b| {
        b.iter_batched_ref(
            || ours.clone(),
            |r| {
                let now = credchain::sign::now_unix();
                r.start = now - 60;
                r.end = now + 3600;
                cos::sign_with_key(black_box(r), ID, SECRET, None)
            },
            BatchSize::SmallInput,
        )
    });
    // The fast path: only the Authorization value, in a new string (reqsign, too, makes a new
    // header value).
    g.bench_function("credchain_authorization", |b| {
        b.iter_batched_ref(
            || ours.clone(),
            |r| {
                let now = credchain::sign::now_unix();
                r.start = now - 60;
                r.end = now + 3600;
                cos::authorization(black_box(r), ID, SECRET, None)
            },
            BatchSize::SmallInput,
        )
    });
    report_allocations("cos_header/credchain", || {
        cos::sign_with_key(black_box(&ours), ID, SECRET, None)
    });
    report_allocations("cos_header/credchain_authorization", || {
        cos::authorization(black_box(&ours), ID, SECRET, None)
    });
    let cos_cred = reqsign_tencent_cos::Credential {
        secret_id: ID.into(),
        secret_key: SECRET.into(),
        security_token: None,
        expires_in: None,
    };
    let cos_signer = reqsign_tencent_cos::RequestSigner::new();
    let mut cos_parts = put_parts(COS_URL);
    cos_parts
        .headers
        .insert(http::header::HOST, COS_HOST.parse().unwrap());
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            || cos_parts.clone(),
            |p| ready(cos_signer.sign_request(&ctx, black_box(p), Some(&cos_cred), None)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    // COS presigned GET URL, one hour.
    let mut g = c.benchmark_group("cos_presign");
    let cos_pre = CosPresignRequest::new(
        "GET",
        "examplebucket-1250000000",
        "dir/object.txt",
        "ap-guangzhou",
        0,
    );
    g.bench_function("credchain", |b| {
        b.iter_batched_ref(
            || cos_pre.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                cos_presign::presign_with_key(black_box(r), ID, SECRET, None).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    // The fast path: only the URL, in a new string.
    g.bench_function("credchain_url", |b| {
        b.iter_batched_ref(
            || cos_pre.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                cos_presign::url(black_box(r), ID, SECRET, None).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    report_allocations("cos_presign/credchain", || {
        cos_presign::presign_with_key(black_box(&cos_pre), ID, SECRET, None).unwrap()
    });
    report_allocations("cos_presign/credchain_url", || {
        cos_presign::url(black_box(&cos_pre), ID, SECRET, None).unwrap()
    });
    let cos_get = get_parts(COS_URL);
    let hour = Some(std::time::Duration::from_secs(3600));
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            || cos_get.clone(),
            |p| ready(cos_signer.sign_request(&ctx, black_box(p), Some(&cos_cred), hour)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    // OSS presigned GET URLs, one hour: V1 (HMAC-SHA1) and V4 (OSS4-HMAC-SHA256 query signing).
    let oss_cred = reqsign_aliyun_oss::Credential {
        access_key_id: ID.into(),
        access_key_secret: SECRET.into(),
        security_token: None,
        expires_in: None,
    };
    let oss_pre =
        OssPresignRequest::new("GET", "examplebucket", "dir/object.txt", "cn-hangzhou", 0);
    let oss_get = get_parts(OSS_URL);
    let mut g = c.benchmark_group("oss_presign_v1");
    g.bench_function("credchain", |b| {
        b.iter_batched_ref(
            || oss_pre.clone(),
            |r| {
                r.timestamp = credchain::sign::now_unix();
                oss_presign::presign_v1_with_key(black_box(r), ID, SECRET, None).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    let signer_v1 = reqsign_aliyun_oss::RequestSigner::new("examplebucket");
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            || oss_get.clone(),
            |p| ready(signer_v1.sign_request(&ctx, black_box(p), Some(&oss_cred), hour)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("oss_presign_v4");
    for (name, cache) in [("credchain_cold", &cold), ("credchain_cached_key", &warm)] {
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || oss_pre.clone(),
                |r| {
                    r.timestamp = credchain::sign::now_unix();
                    oss_presign::presign_v4_with_cache(black_box(r), ID, SECRET, None, cache)
                        .unwrap()
                },
                BatchSize::SmallInput,
            )
        });
    }
    let signer_v4 = reqsign_aliyun_oss::RequestSigner::new("examplebucket")
        .with_signing_version(reqsign_aliyun_oss::SigningVersion::V4)
        .with_region("cn-hangzhou");
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            || oss_get.clone(),
            |p| ready(signer_v4.sign_request(&ctx, black_box(p), Some(&oss_cred), hour)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// AWS SigV4 (aws-sigv4) of the same 200-byte JSON POST as the TC3 and ACS3 benches: the
/// nearest standard algorithm (SHA-256 canonical request, 4-step HMAC key chain that aws-sigv4
/// derives on every call). Its output is the headers to add, like credchain's full signers.
fn aws_sigv4_comparison(c: &mut Criterion) {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;

    let body = body();
    let identity = aws_credential_types::Credentials::new(ID, SECRET, None, None, "bench").into();
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1551113065);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ec2")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let headers = [("content-type", "application/json")];
    measure(c, "aws_sigv4_post_200B", || {
        let signable = SignableRequest::new(
            "POST",
            "https://ec2.us-east-1.amazonaws.com/",
            headers.iter().copied(),
            SignableBody::Bytes(black_box(&body)),
        )
        .unwrap();
        sign(signable, &params).unwrap().into_parts()
    });
}

criterion_group!(
    benches,
    bench,
    aws_sigv4_comparison,
    reqsign_comparisons,
    object_storage_comparisons
);
criterion_main!(benches);
