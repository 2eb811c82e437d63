//! Time per signature: TC3 and ACS3 for a typical ~200-byte JSON POST, RPC v1 for a 10-parameter
//! GET, and OSS V4. TC3 and OSS V4 are measured cold (derived-key cache disabled, the HMAC chain
//! runs every time) and with the cached derived key. ACS3 and RPC sign with the raw secret, so
//! they have no derived key to cache.
//!
//! Quick run: `cargo bench -p credchain --bench signing -- --warm-up-time 1 --measurement-time 2`

use std::hint::black_box;

use credchain::sign::acs3::{self, Acs3Algorithm, Acs3Request};
use credchain::sign::oss::{self, OssV4Request};
use credchain::sign::rpc::{self, RpcRequest};
use credchain::sign::tc3::{self, Tc3Request};
use credchain::sign::{DerivedKeyCache, Payload};
use criterion::{criterion_group, criterion_main, Criterion};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SECRET: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

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
    c.bench_function("tc3_post_200B_cold", |b| {
        b.iter(|| {
            tc3::sign_with_cache(black_box(&tc3_req), ID, SECRET, Some("token"), &cold).unwrap()
        })
    });
    c.bench_function("tc3_post_200B_cached_key", |b| {
        b.iter(|| {
            tc3::sign_with_cache(black_box(&tc3_req), ID, SECRET, Some("token"), &warm).unwrap()
        })
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
    c.bench_function("acs3_hmac_sha256_post_200B", |b| {
        b.iter(|| acs3::sign_with_secret(black_box(&acs3_req), ID, SECRET, None).unwrap())
    });
    let mut sm3_req = acs3_req.clone();
    sm3_req.algorithm = Acs3Algorithm::HmacSm3;
    c.bench_function("acs3_hmac_sm3_post_200B", |b| {
        b.iter(|| acs3::sign_with_secret(black_box(&sm3_req), ID, SECRET, None).unwrap())
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
    c.bench_function("rpc_v1_get_10_params", |b| {
        b.iter(|| rpc::sign_with_secret(black_box(&rpc_req), ID, SECRET, None).unwrap())
    });

    let v4 = OssV4Request::new("PUT", "bucket", "dir/object.txt", "cn-hangzhou", 1702743657);
    c.bench_function("oss_v4_cold", |b| {
        b.iter(|| oss::sign_v4_with_cache(black_box(&v4), ID, SECRET, None, &cold).unwrap())
    });
    c.bench_function("oss_v4_cached_key", |b| {
        b.iter(|| oss::sign_v4_with_cache(black_box(&v4), ID, SECRET, None, &warm).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
