//! Load test of `credchain serve`: N concurrent clients (default 1,000) for S seconds (default 10)
//! against the server on loopback; every answer must be a 200 with the expected credentials.
//! Prints requests, errors, throughput and latency percentiles; exits non-zero on any error.
//!
//! ```text
//! cargo build --release -p credchain-cli
//! cargo run --release -p credchain-cli --example serve_load [-- --clients 1000 --seconds 10]
//! ```
//!
//! It starts the emulator in-process as the upstream credentials URI, runs the real `credchain`
//! binary (next to this example's directory, or `CREDCHAIN_BIN`) as `credchain serve --cloud
//! alibaba` with a cleared environment and its request logging on (stderr discarded), and points
//! the clients at the URL the server prints. `--url URL` loads an already running server instead
//! (then only status 200 and `Code: Success` are checked).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use credchain_emulator::Emulator;

struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn credchain_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("CREDCHAIN_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("own path");
    // target/<profile>/examples/serve_load -> target/<profile>/credchain
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    dir.join(format!("credchain{}", std::env::consts::EXE_SUFFIX))
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = arg(&args, "--clients").map_or(1000, |s| s.parse().expect("--clients N"));
    let seconds: u64 = arg(&args, "--seconds").map_or(10, |s| s.parse().expect("--seconds S"));

    let mut _emu = None;
    let mut _guard = None;
    let mut expected_id = None;
    let url = match arg(&args, "--url") {
        Some(u) => u,
        None => {
            let emu = Emulator::start().await.expect("emulator");
            let bin = credchain_bin();
            let mut child = Command::new(&bin)
                .args(["serve", "--cloud", "alibaba"])
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("HOME", std::env::temp_dir())
                .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
                .env("ALIBABA_CLOUD_CREDENTIALS_URI", emu.url("/credentials-uri"))
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e} (build it first)", bin.display()));
            let stdout = child.stdout.take().expect("stdout");
            _guard = Some(Guard(child));
            let line = tokio::task::spawn_blocking(move || {
                let mut line = String::new();
                BufReader::new(stdout).read_line(&mut line).map(|_| line)
            })
            .await
            .expect("reader")
            .expect("export line");
            let url = line
                .trim()
                .split_once('=')
                .map(|(_, u)| u.to_string())
                .expect("export line");
            expected_id = Some(emu.issued()[0].access_key_id.clone());
            _emu = Some(emu);
            url
        }
    };

    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let expected_id = Arc::new(expected_id);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (client, url, stop, errors, expected_id) = (
            client.clone(),
            url.clone(),
            Arc::clone(&stop),
            Arc::clone(&errors),
            Arc::clone(&expected_id),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(r) if r.status() == 200 => match r.json::<serde_json::Value>().await {
                        Ok(v) => {
                            v["Code"] == "Success"
                                && expected_id
                                    .as_deref()
                                    .is_none_or(|id| v["AccessKeyId"] == id)
                        }
                        Err(_) => false,
                    },
                    _ => false,
                };
                latencies.push(t.elapsed().as_micros() as u32);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len().max(1)) - 1;
        all.get(i).copied().unwrap_or(0) as f64 / 1000.0
    };
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "serve_load: {clients} clients, {elapsed:.1} s: {} requests, {errors} errors, {:.0} req/s, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        all.last().copied().unwrap_or(0) as f64 / 1000.0,
    );
    if let Some(emu) = &_emu {
        println!(
            "upstream fetches during the run: {}",
            emu.issued_count(credchain_emulator::routes::ALIBABA_CREDENTIALS_URI)
        );
    }
    if errors > 0 || all.is_empty() {
        std::process::exit(1);
    }
}
