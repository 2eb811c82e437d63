//! HTTP/1.1 keep-alive load generator for comparing `credchain serve` with a bare hyper server
//! (`benches/serve-compare.sh` drives both). Single-threaded on purpose: pin it to one core with
//! `taskset` and the server to another, and check the `client_cpu` it prints stays well below
//! 1.0 (at 1.0 the generator, not the server, is the bottleneck).
//!
//! ```text
//! loadgen --url URL --connections 100 --seconds 10                 # closed loop: req/s
//! loadgen --url URL --connections 1000 --seconds 10 --rate 5000    # open loop: latency
//! loadgen --url URL --probe                                        # prints the body size
//! ```
//!
//! - **Closed loop**: every connection sends its next request as soon as the previous answer is
//!   in; the figure is requests per second.
//! - **Open loop**: `--rate` requests per second in total, spread evenly over the connections
//!   (connection `i` of `N` sends at `start + i/rate + k*N/rate`). Latency counts from the
//!   *scheduled* send time, so a server that stalls is charged for the requests it delayed
//!   (no coordinated omission); `send_lag` shows how late the generator itself sent.
//!
//! Every answer must be a 200 whose body has the length of the first one; anything else, and
//! any connection failure, is counted as an error (the connection is reopened). Only
//! loopback URLs are accepted. One `key=value` line goes to stdout; the exit status is non-zero
//! on any error.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// What the command line asks for.
struct Options {
    addr: SocketAddr,
    request: Vec<u8>,
    connections: usize,
    seconds: f64,
    warmup: f64,
    /// Total requests per second (open loop); `None` runs a closed loop.
    rate: Option<f64>,
    probe: bool,
}

fn value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn parsed<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    match value(args, name) {
        None => default,
        Some(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {s:?} is not a valid number")),
    }
}

impl Options {
    fn from_args() -> Options {
        let args: Vec<String> = std::env::args().collect();
        let url = value(&args, "--url").expect("--url http://127.0.0.1:PORT/PATH is required");
        let rest = url
            .strip_prefix("http://")
            .expect("--url must be an http:// URL");
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let addr: SocketAddr = authority
            .parse()
            .expect("--url must name an IP:PORT, e.g. http://127.0.0.1:8080/");
        assert!(
            addr.ip().is_loopback(),
            "--url must be a loopback address; this tool never loads another host"
        );
        let path = if path.is_empty() { "/" } else { path };
        let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n\r\n").into_bytes();
        let rate: f64 = parsed(&args, "--rate", 0.0);
        Options {
            addr,
            request,
            connections: parsed(&args, "--connections", 100),
            seconds: parsed(&args, "--seconds", 10.0),
            warmup: parsed(&args, "--warmup", 1.0),
            rate: (rate > 0.0).then_some(rate),
            probe: args.iter().any(|a| a == "--probe"),
        }
    }
}

/// One keep-alive connection with a reusable receive buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// Why an exchange failed.
enum Failure {
    Io(std::io::Error),
    Closed,
    Malformed,
    Status(u16),
    BodyLength(usize),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Io(e) => write!(f, "i/o error: {e}"),
            Failure::Closed => f.write_str("the server closed the connection"),
            Failure::Malformed => f.write_str("malformed HTTP answer"),
            Failure::Status(s) => write!(f, "HTTP status {s}"),
            Failure::BodyLength(n) => write!(f, "a body of {n} bytes, unlike the first answer's"),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends `request` and reads one answer; returns its body length.
    async fn exchange(&mut self, request: &[u8]) -> Result<usize, Failure> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut resp = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head) =
                resp.parse(&self.buf).map_err(|_| Failure::Malformed)?
            {
                let status = resp.code.unwrap_or(0);
                let length = content_length(resp.headers).ok_or(Failure::Malformed)?;
                self.read_at_least(head + length).await?;
                if self.buf.len() != head + length {
                    return Err(Failure::Malformed); // nothing may follow an unpipelined answer
                }
                return match status {
                    200 => Ok(length),
                    s => Err(Failure::Status(s)),
                };
            }
            self.read_some().await?;
        }
    }

    async fn read_some(&mut self) -> Result<(), Failure> {
        if self.buf.capacity() - self.buf.len() < 1024 {
            self.buf.reserve(4096);
        }
        match self.stream.read_buf(&mut self.buf).await? {
            0 => Err(Failure::Closed),
            _ => Ok(()),
        }
    }

    async fn read_at_least(&mut self, n: usize) -> Result<(), Failure> {
        while self.buf.len() < n {
            self.read_some().await?;
        }
        Ok(())
    }
}

fn content_length(headers: &[httparse::Header<'_>]) -> Option<usize> {
    let h = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))?;
    std::str::from_utf8(h.value).ok()?.trim().parse().ok()
}

/// What one connection saw inside the measured window.
#[derive(Default)]
struct Tally {
    /// Microseconds per answered request (from the scheduled send in an open loop).
    latencies: Vec<u32>,
    /// Microseconds the generator sent late (open loop only).
    send_lag: Vec<u32>,
    /// Every answer, warm-up and stragglers included (for the server's CPU time per request).
    answered_total: u64,
    errors: u64,
    first_error: Option<String>,
}

/// The measured window and what every answer must look like.
#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    end: Instant,
    body_len: usize,
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// Runs one connection until the window ends. `schedule`: `(first send, interval)` for an open
/// loop; `None` for a closed loop.
async fn drive(
    opts: &Options,
    window: Window,
    mut conn: Conn,
    schedule: Option<(Instant, Duration)>,
) -> Tally {
    let mut tally = Tally::default();
    let mut due = schedule.map(|(first, _)| first);
    loop {
        if let Some(at) = due {
            tokio::time::sleep_until(at).await;
        }
        let sent = Instant::now();
        if sent >= window.end {
            return tally;
        }
        let scheduled = due.unwrap_or(sent);
        if let (Some(at), Some((_, interval))) = (due, schedule) {
            due = Some(at + interval);
        }
        let outcome = match conn.exchange(&opts.request).await {
            Ok(len) if len != window.body_len => Err(Failure::BodyLength(len)),
            other => other,
        };
        let done = Instant::now();
        let counted = scheduled >= window.start && done <= window.end;
        match outcome {
            Ok(_) => {
                tally.answered_total += 1;
                if counted {
                    tally.latencies.push(micros(done - scheduled));
                    if schedule.is_some() {
                        tally.send_lag.push(micros(sent - scheduled));
                    }
                }
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| e.to_string());
                match Conn::open(opts.addr).await {
                    Ok(c) => conn = c,
                    Err(e) => {
                        tally.first_error.get_or_insert_with(|| e.to_string());
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
        }
    }
}

/// CPU seconds this process has used (user + system).
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn run(opts: Options) -> bool {
    let mut first = Conn::open(opts.addr)
        .await
        .expect("cannot connect to --url");
    let body_len = match first.exchange(&opts.request).await {
        Ok(n) => n,
        Err(e) => panic!("the first request failed: {e}"),
    };
    if opts.probe {
        println!("body_bytes={body_len}");
        return true;
    }
    let mut conns = vec![first];
    while conns.len() < opts.connections {
        conns.push(
            Conn::open(opts.addr)
                .await
                .expect("cannot open a connection"),
        );
    }
    let opts = std::rc::Rc::new(opts);
    let start = Instant::now() + Duration::from_millis(100) + Duration::from_secs_f64(opts.warmup);
    let window = Window {
        start,
        end: start + Duration::from_secs_f64(opts.seconds),
        body_len,
    };
    let begin = Instant::now();
    let n = conns.len();
    let local = tokio::task::LocalSet::new();
    let mut tasks = Vec::with_capacity(n);
    for (i, conn) in conns.into_iter().enumerate() {
        let schedule = opts.rate.map(|rate| {
            let first =
                begin + Duration::from_millis(100) + Duration::from_secs_f64(i as f64 / rate);
            (first, Duration::from_secs_f64(n as f64 / rate))
        });
        let opts = std::rc::Rc::clone(&opts);
        tasks.push(local.spawn_local(async move { drive(&opts, window, conn, schedule).await }));
    }
    let cpu_before = cpu_seconds();
    let tallies = local
        .run_until(async {
            let mut all = Vec::with_capacity(tasks.len());
            for t in tasks {
                all.push(t.await.expect("connection task"));
            }
            all
        })
        .await;
    let cpu = (cpu_seconds() - cpu_before) / begin.elapsed().as_secs_f64();
    report(&opts, n, tallies, cpu)
}

fn report(opts: &Options, n: usize, tallies: Vec<Tally>, cpu: f64) -> bool {
    let mut lat = Vec::new();
    let mut lag = Vec::new();
    let mut errors = 0;
    let mut total = 0;
    let mut first_error = None;
    for t in tallies {
        total += t.answered_total;
        lat.extend(t.latencies);
        lag.extend(t.send_lag);
        errors += t.errors;
        first_error = first_error.or(t.first_error);
    }
    lat.sort_unstable();
    lag.sort_unstable();
    let mode = match opts.rate {
        Some(r) => format!("open rate={r:.0}"),
        None => "closed".to_string(),
    };
    println!(
        "mode={mode} connections={n} seconds={:.1} requests={} errors={errors} rps={:.0} \
         p50_us={} p99_us={} p999_us={} max_us={} send_lag_p99_us={} answered_total={total} client_cpu={cpu:.2}",
        opts.seconds,
        lat.len(),
        lat.len() as f64 / opts.seconds,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        lat.last().copied().unwrap_or(0),
        percentile(&lag, 0.99),
    );
    if let Some(e) = first_error {
        eprintln!("loadgen: first error: {e}");
    }
    errors == 0 && !lat.is_empty()
}

fn main() -> std::process::ExitCode {
    let opts = Options::from_args();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if runtime.block_on(run(opts)) {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
