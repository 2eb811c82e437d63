//! Share one provider across tasks: a [`SharedProvider`] is an `Arc` inside, so clones share the
//! same source and the same cache. Concurrent callers read the cached credentials lock-free, and
//! at most one fetch runs however many tasks ask at once.
//!
//! ```text
//! ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=... \
//!     cargo run -p credchain --example share_provider
//! ```
//!
//! This example uses the environment source so it never touches the network; in an application,
//! build `SharedProvider::new(alibaba::default_chain(&ctx))` (or any source) once at start-up and
//! hand clones to every task, client and thread.

use credchain::context::Context;
use credchain::{alibaba, ProvideCredentials, SharedProvider};

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let ctx = Context::real();
    let provider = SharedProvider::new(alibaba::EnvironmentProvider::from_context(&ctx));

    let mut tasks = Vec::new();
    for worker in 0..8 {
        let provider = provider.clone();
        tasks.push(tokio::spawn(async move {
            // Ask per request, not once at start-up: the answer is always current.
            let mut ok = 0;
            for _ in 0..1000 {
                match provider.provide_credentials().await {
                    Ok(_) => ok += 1,
                    Err(e) => return Err(format!("worker {worker}: {e}")),
                }
            }
            Ok(ok)
        }));
    }
    for t in tasks {
        match t.await {
            Ok(Ok(n)) => println!("{n} calls answered"),
            Ok(Err(e)) => {
                println!("{e}");
                return;
            }
            Err(e) => println!("task failed: {e}"),
        }
    }
    println!("provider: {}", provider.name());
}
