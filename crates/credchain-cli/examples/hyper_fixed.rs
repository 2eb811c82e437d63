//! The baseline for `credchain serve` throughput (`benches/serve-compare.sh`): a minimal hyper
//! HTTP/1.1 server that answers every request with the same fixed JSON body, built like serve's
//! (same hyper connection builder, `TCP_NODELAY`, the same two response headers, the same tokio
//! runtime with two worker threads), and nothing else: no routing, no credentials, no
//! connection limits.
//!
//! ```text
//! hyper_fixed --body-bytes 412 [--listen 127.0.0.1:0]
//! ```
//!
//! Prints `export URL=http://ADDR/` and serves until killed. Loopback addresses only.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A JSON object of exactly `len` bytes (at least 10).
fn fixed_body(len: usize) -> Bytes {
    let frame = r#"{"Pad":""}"#.len();
    let pad = len
        .checked_sub(frame)
        .expect("--body-bytes must be at least 10");
    Bytes::from(format!(r#"{{"Pad":"{}"}}"#, "x".repeat(pad)))
}

fn answer(body: &Bytes) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.clone()));
    let headers = r.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    r
}

async fn serve(listener: TcpListener, body: Bytes) {
    let http = hyper::server::conn::http1::Builder::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        let service = service_fn(move |_req: Request<Incoming>| {
            let resp = answer(&body);
            async move { Ok::<_, Infallible>(resp) }
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let len: usize = value(&args, "--body-bytes")
        .expect("--body-bytes N is required (loadgen --probe prints serve's)")
        .parse()
        .expect("--body-bytes must be a number");
    let listen: SocketAddr = value(&args, "--listen")
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .expect("--listen must be IP:PORT");
    assert!(
        listen.ip().is_loopback(),
        "--listen must be a loopback address"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let listener = TcpListener::bind(listen).await.expect("cannot listen");
        let addr = listener.local_addr().expect("local address");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "export URL=http://{addr}/");
        let _ = out.flush();
        drop(out);
        serve(listener, fixed_body(len)).await;
    });
}
