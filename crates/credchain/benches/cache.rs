//! Cached `provide_credentials()` on a warm cache, next to a bare `ArcSwap::load_full` + clone of
//! the same `Credentials`, with 1 and 2 threads; and the same read through a `ProviderChain` whose
//! remembered source is the cache (target: within 2x of the bare load; results in `BENCHMARKS.md`).
//!
//! Run: `cargo bench -p credchain --bench cache`

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use credchain::cache::{RefreshPolicy, RefreshingCache};
use credchain::context::SystemClock;
use credchain::{Credentials, ProvideCredentials, ProvideFuture};
use criterion::{criterion_group, criterion_main, Criterion};

#[derive(Debug)]
struct OneHour;

impl ProvideCredentials for OneHour {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let exp = SystemTime::now() + Duration::from_secs(3600);
        ProvideFuture::ready(Ok(Credentials::builder("STS.bench", "secret")
            .security_token("token")
            .expiration(exp)
            .provider_name("bench")
            .build()))
    }
    fn name(&self) -> &str {
        "bench"
    }
}

/// Polls a future once; the warm cache always answers on the first poll.
fn now_or_never<F: std::future::Future>(f: F) -> Option<F::Output> {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cache = RefreshingCache::new(OneHour, RefreshPolicy::STS, Arc::new(SystemClock));
    let warm = rt.block_on(cache.provide_credentials()).unwrap();
    let swap = Arc::new(ArcSwap::from_pointee(warm));
    // A chain whose remembered source is the cache: what `default_chain()` users call.
    let chain = credchain::ProviderChain::new("default").with(cache.clone());
    rt.block_on(chain.provide_credentials()).unwrap();

    let mut g = c.benchmark_group("cached_read_1_thread");
    g.bench_function("arcswap_load_full_clone", |b| {
        b.iter(|| black_box(Credentials::clone(&swap.load_full())))
    });
    g.bench_function("credchain_cache_provide", |b| {
        b.iter(|| black_box(now_or_never(cache.provide_credentials()).unwrap().unwrap()))
    });
    g.bench_function("credchain_chain_over_cache_provide", |b| {
        b.iter(|| black_box(now_or_never(chain.provide_credentials()).unwrap().unwrap()))
    });
    g.finish();

    // Two threads: the measured thread reads while a second thread hammers the same value.
    let mut g = c.benchmark_group("cached_read_2_threads");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let background = {
        let (stop, cache, swap) = (stop.clone(), cache.clone(), swap.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                black_box(now_or_never(cache.provide_credentials()));
                black_box(swap.load_full());
            }
        })
    };
    g.bench_function("arcswap_load_full_clone", |b| {
        b.iter(|| black_box(Credentials::clone(&swap.load_full())))
    });
    g.bench_function("credchain_cache_provide", |b| {
        b.iter(|| black_box(now_or_never(cache.provide_credentials()).unwrap().unwrap()))
    });
    g.finish();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    background.join().unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
