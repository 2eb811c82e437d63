//! Chain-level measurements (issues 4 and 5; results in `BENCHMARKS.md`):
//!
//! 1. Off-cloud default chain with nothing configured and metadata probing disabled: time to the
//!    "nothing configured" error (criterion; target < 10 ms).
//! 2. Off-cloud with metadata probing on, the metadata endpoint a loopback "black hole" that
//!    accepts connections and never answers: time to the error (bounded by the 1 s metadata
//!    budget). Real off-cloud machines see a connect timeout (1 s) or a refused connection.
//! 3. 10,000 concurrent `provide_credentials()` calls at expiry on an AssumeRole source against
//!    the emulator: number of STS requests (target exactly 1) and caller latency p50/p99.
//!
//! Run: `cargo bench -p credchain --bench chains`
//! Everything talks to 127.0.0.1 only.

use std::time::{Duration, Instant};

use credchain::alibaba::RamRoleArnProvider;
use credchain::context::{proxy_settings, Context, MemoryEnv};
use credchain::http::ReqwestClient;
use credchain::tencent::StsAssumeRoleProvider;
use credchain::{alibaba, tencent, ProvideCredentials, SharedProvider};
use credchain_emulator::routes::{alibaba_sts, tencent_sts};
use credchain_emulator::Emulator;
use criterion::Criterion;

fn offline_ctx(pairs: &[(&str, &str)]) -> Context {
    let env = MemoryEnv::from_pairs(pairs.iter().copied());
    Context::empty()
        .with_http(ReqwestClient::new(proxy_settings(&env)))
        .with_env(env)
}

fn bench_nothing_configured(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut g = c.benchmark_group("offcloud_nothing_configured_metadata_disabled");
    g.bench_function("alibaba_default_chain", |b| {
        b.iter(|| {
            let ctx = offline_ctx(&[
                ("HOME", "/nonexistent"),
                ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
            ]);
            let e = rt
                .block_on(alibaba::default_chain(&ctx).provide_credentials())
                .unwrap_err();
            assert!(e.is_not_configured());
        })
    });
    g.bench_function("tencent_default_chain", |b| {
        b.iter(|| {
            let ctx = offline_ctx(&[
                ("HOME", "/nonexistent"),
                ("TENCENTCLOUD_METADATA_DISABLED", "true"),
            ]);
            let e = rt
                .block_on(tencent::default_chain(&ctx).provide_credentials())
                .unwrap_err();
            assert!(e.is_not_configured());
        })
    });
    g.finish();
}

/// A listener that accepts connections and never answers.
async fn black_hole() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    (url, task)
}

async fn metadata_probing_on() {
    let (url, task) = black_hole().await;
    for (cloud, var) in [
        ("alibaba", "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT"),
        ("tencent", "TENCENTCLOUD_METADATA_ENDPOINT"),
    ] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let ctx = offline_ctx(&[("HOME", "/nonexistent"), (var, &url)]);
            let started = Instant::now();
            let outcome = match cloud {
                "alibaba" => alibaba::default_chain(&ctx).provide_credentials().await,
                _ => tencent::default_chain(&ctx).provide_credentials().await,
            };
            times.push(started.elapsed());
            if let Ok(c) = outcome {
                panic!("unexpected credentials from {}", c.provider_name());
            }
        }
        println!("offcloud_metadata_black_hole/{cloud}_default_chain: {times:?} to the error");
    }
    task.abort();
}

async fn thundering_herd(name: &str, provider: SharedProvider, emu: &Emulator, route: &str) {
    provider.provide_credentials().await.expect("first fetch");
    let before = emu.requests_for(route).len();
    // The emulator issued 3-second credentials: wait until they expired, then let everyone in.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    emu.set_credential_lifetime(Duration::from_secs(3600));
    let tasks: Vec<_> = (0..10_000)
        .map(|_| {
            let p = provider.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                p.provide_credentials().await.map(|_| started.elapsed())
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(tasks.len());
    for t in tasks {
        latencies.push(t.await.unwrap().expect("every caller gets credentials"));
    }
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "herd_10000_callers_at_expiry/{name}: {} STS request(s); latency p50 {:?}, p99 {:?}, max {:?}",
        emu.requests_for(route).len() - before,
        p(0.50),
        p(0.99),
        latencies[latencies.len() - 1]
    );
}

async fn herds() {
    let emu = Emulator::start().await.unwrap();
    let base = emu.base_url();

    emu.set_credential_lifetime(Duration::from_secs(3));
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_ENDPOINT", base.as_str())]);
    let ctx = Context::empty()
        .with_http(ReqwestClient::new(proxy_settings(&env)))
        .with_env(env);
    let ali = RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
        .role_arn("acs:ram::123456789012:role/bench")
        .build(&ctx)
        .unwrap();
    thundering_herd(
        "alibaba_ram_role_arn",
        SharedProvider::new(ali),
        &emu,
        alibaba_sts::ALIBABA_STS_ASSUME_ROLE,
    )
    .await;

    emu.set_credential_lifetime(Duration::from_secs(3));
    let env = MemoryEnv::from_pairs([("TENCENTCLOUD_STS_ENDPOINT", base.as_str())]);
    let ctx = Context::empty()
        .with_http(ReqwestClient::new(proxy_settings(&env)))
        .with_env(env);
    let tc = StsAssumeRoleProvider::builder()
        .secret(
            tencent_sts::EMULATOR_SECRET_ID,
            tencent_sts::EMULATOR_SECRET_KEY,
        )
        .role_arn("qcs::cam::uin/100000000001:roleName/bench")
        .build(&ctx)
        .unwrap();
    thundering_herd(
        "tencent_sts_assume_role",
        SharedProvider::new(tc),
        &emu,
        "tencent.sts.assume_role",
    )
    .await;
    emu.shutdown().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut c = Criterion::default().configure_from_args().sample_size(50);
    bench_nothing_configured(&mut c, &rt);
    c.final_summary();
    rt.block_on(metadata_probing_on());
    rt.block_on(herds());
}
