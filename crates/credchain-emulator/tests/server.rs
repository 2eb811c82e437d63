//! The HTTP server itself: recording, keep-alive, framing, limits, bad input, concurrency,
//! lifecycle.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::{get, raw, send, Conn};
use credchain_emulator::routes::{ALIBABA_CREDENTIALS_URI, ALIBABA_IMDS_TOKEN};
use credchain_emulator::{Emulator, Fault, Matcher, Reply, Route, MAX_BODY_BYTES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn echo_route() -> Route {
    Route::new(
        "test.echo",
        Matcher::method_path("POST", "/echo"),
        |req, _| Reply::bytes(200, "application/octet-stream", req.body.clone()),
    )
}

#[tokio::test]
async fn requests_are_recorded_in_full() {
    let emu = Emulator::start().await.unwrap();
    let before = SystemTime::now();
    send(
        emu.addr(),
        &raw(
            "PUT",
            "/latest/api/token?a=1&b=%20",
            &[
                ("X-Aliyun-ECS-Metadata-Token-TTL-Seconds", "60"),
                ("X-Custom", "Value Kept"),
            ],
            b"payload",
        ),
    )
    .await
    .unwrap();
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.path, "/latest/api/token");
    assert_eq!(r.query, "a=1&b=%20");
    assert_eq!(r.query_params()[1], ("b".to_string(), " ".to_string()));
    assert_eq!(r.header("x-custom"), Some("Value Kept"));
    assert!(r.headers.iter().all(|(n, _)| *n == n.to_ascii_lowercase()));
    assert!(r
        .headers
        .iter()
        .any(|(n, _)| n == "x-aliyun-ecs-metadata-token-ttl-seconds"));
    assert_eq!(r.body, b"payload");
    assert_eq!(r.route.as_deref(), Some(ALIBABA_IMDS_TOKEN));
    assert!(r.received_at >= before && r.received_at <= SystemTime::now());
    assert_eq!(emu.requests_for(ALIBABA_IMDS_TOKEN).len(), 1);
    assert!(emu.requests_for(ALIBABA_CREDENTIALS_URI).is_empty());

    emu.clear_requests();
    assert!(emu.requests().is_empty());
    assert_eq!(
        get(emu.addr(), "/credentials-uri").await.unwrap().status,
        200
    );
    assert_eq!(emu.requests().len(), 1);
}

#[tokio::test]
async fn keep_alive_and_pipelining() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(echo_route());
    let mut c = Conn::open(emu.addr()).await.unwrap();
    for i in 0..5 {
        let body = format!("n={i}");
        let r = c
            .request(&raw("POST", "/echo", &[], body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(r.text(), body);
        assert_eq!(r.header("connection"), Some("keep-alive"));
    }
    // Three pipelined requests in one write.
    let mut batch = raw("POST", "/echo", &[], b"one");
    batch.extend(raw("GET", "/credentials-uri", &[], b""));
    batch.extend(raw("POST", "/echo", &[], b"three"));
    c.write(&batch).await.unwrap();
    assert_eq!(c.read_response().await.unwrap().text(), "one");
    assert_eq!(c.read_response().await.unwrap().json()["Code"], "Success");
    assert_eq!(c.read_response().await.unwrap().text(), "three");
    // Connection: close is honoured.
    let r = c
        .request(&raw("POST", "/echo", &[("Connection", "close")], b"last"))
        .await
        .unwrap();
    assert_eq!(r.header("connection"), Some("close"));
    assert!(c.read_rest().await.unwrap().is_empty());
    assert_eq!(emu.requests().len(), 9);
}

#[tokio::test]
async fn http_1_0_closes_by_default() {
    let emu = Emulator::start().await.unwrap();
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(b"GET /credentials-uri HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(out.contains("Connection: close"));
}

#[tokio::test]
async fn head_gets_headers_only() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(Route::new(
        "test.head",
        Matcher::method_path("HEAD", "/h"),
        |_, _| Reply::text(200, "hello"),
    ));
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(b"HEAD /h HTTP/1.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.contains("Content-Length: 5\r\n"));
    assert!(out.ends_with("\r\n\r\n"));
}

#[tokio::test]
async fn chunked_and_expect_continue_bodies() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(echo_route());
    let mut c = Conn::open(emu.addr()).await.unwrap();
    c.write(b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    c.write(b"2\r\nde\r\n0\r\n\r\n").await.unwrap();
    assert_eq!(c.read_response().await.unwrap().text(), "abcde");

    c.write(b"POST /echo HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        .await
        .unwrap();
    let cont = c.read_response().await.unwrap();
    assert_eq!(cont.status, 100);
    c.write(b"body").await.unwrap();
    assert_eq!(c.read_response().await.unwrap().text(), "body");
}

#[tokio::test]
async fn body_size_is_bounded() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(echo_route());
    // Exactly the limit is fine.
    let body = vec![b'x'; MAX_BODY_BYTES];
    let r = send(emu.addr(), &raw("POST", "/echo", &[], &body))
        .await
        .unwrap();
    assert_eq!((r.status, r.body.len()), (200, MAX_BODY_BYTES));
    // One more is refused before the body is read.
    let mut c = Conn::open(emu.addr()).await.unwrap();
    let head = format!(
        "POST /echo HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
        MAX_BODY_BYTES + 1
    );
    let r = c.request(head.as_bytes()).await.unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.header("connection"), Some("close"));
    // Chunked bodies too.
    let mut c = Conn::open(emu.addr()).await.unwrap();
    let r = c
        .request(b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n")
        .await
        .unwrap();
    assert_eq!(r.status, 413);
}

async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(bytes).await;
    let _ = s.shutdown().await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn bad_input_never_kills_the_server() {
    let emu = Emulator::start().await.unwrap();
    let cases: Vec<(&[u8], &str)> = vec![
        (b"\x00\x01\x02garbage\r\n\r\n", "HTTP/1.1 400"),
        (b"GET / HTTP/9.9\r\n\r\n", "HTTP/1.1 400"),
        (
            b"GET /credentials-uri HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
            "HTTP/1.1 400",
        ),
        (
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "HTTP/1.1 400",
        ),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
            "HTTP/1.1 400",
        ),
        (b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", "HTTP/1.1 400"),
        (b"GET /credentials-uri HTTP/1.1\r\nHost: x", ""), // incomplete, then EOF
        (b"", ""),
    ];
    for (bytes, expect) in cases {
        let out = raw_exchange(emu.addr(), bytes).await;
        assert!(out.starts_with(expect), "{bytes:?} -> {out:?}");
    }
    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..200 {
        many.extend(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend(b"\r\n");
    assert!(raw_exchange(emu.addr(), &many)
        .await
        .starts_with("HTTP/1.1 431"));
    let mut huge = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    huge.extend(vec![b'a'; 70 * 1024]);
    assert!(raw_exchange(emu.addr(), &huge)
        .await
        .starts_with("HTTP/1.1 431"));
    // Non-UTF-8 header values and targets are tolerated.
    let out = raw_exchange(
        emu.addr(),
        b"GET /credentials-uri?q=%ff HTTP/1.1\r\nX-Bin: \xff\xfe\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");

    assert_eq!(
        get(emu.addr(), "/credentials-uri").await.unwrap().status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_requests_are_served_concurrently() {
    let emu = Arc::new(Emulator::start().await.unwrap());
    let delay = Duration::from_millis(300);
    emu.set_fault(ALIBABA_CREDENTIALS_URI, Fault::Delay(delay));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let addr = emu.addr();
        tasks.push(tokio::spawn(
            async move { get(addr, "/credentials-uri").await },
        ));
    }
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        assert_eq!(r.status, 200);
        ids.insert(r.json()["AccessKeyId"].as_str().unwrap().to_string());
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= delay);
    // Serially this would take 15 s.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(ids.len(), 50);
    assert_eq!(emu.issued_count(ALIBABA_CREDENTIALS_URI), 50);
    assert_eq!(emu.requests().len(), 50);
}

#[tokio::test]
async fn shutdown_closes_listener_and_connections() {
    let emu = Emulator::start().await.unwrap();
    let addr = emu.addr();
    let mut idle = Conn::open(addr).await.unwrap();
    assert_eq!(
        idle.request(&raw("GET", "/credentials-uri", &[], b""))
            .await
            .unwrap()
            .status,
        200
    );
    emu.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
    // The idle keep-alive connection was closed by the server.
    let rest = tokio::time::timeout(Duration::from_secs(2), idle.read_rest())
        .await
        .unwrap();
    assert!(rest.map(|b| b.is_empty()).unwrap_or(true));
}

#[tokio::test]
async fn drop_stops_the_server() {
    let emu = Emulator::start().await.unwrap();
    let addr = emu.addr();
    emu.set_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::Delay(Duration::from_secs(30)),
    );
    let mut slow = Conn::open(addr).await.unwrap();
    slow.write(&raw("GET", "/credentials-uri", &[], b""))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(emu);
    // The aborted tasks release the listener and the delayed connection promptly.
    let rest = tokio::time::timeout(Duration::from_secs(2), slow.read_rest())
        .await
        .unwrap();
    assert!(rest.map(|b| b.is_empty()).unwrap_or(true));
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused);
}

#[tokio::test]
async fn only_loopback_addresses() {
    let err = Emulator::start_on("0.0.0.0:0".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let emu = Emulator::start_on("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert!(emu.addr().ip().is_loopback());
    assert_eq!(
        emu.base_url(),
        format!("http://127.0.0.1:{}", emu.addr().port())
    );
    assert_eq!(emu.url("/x"), format!("{}/x", emu.base_url()));
    // A taken port is an error, not a panic.
    assert!(Emulator::start_on(emu.addr()).await.is_err());
}

#[tokio::test]
async fn absolute_form_targets_are_routed() {
    let emu = Emulator::start().await.unwrap();
    let r = send(
        emu.addr(),
        &raw(
            "GET",
            "http://100.100.100.200/latest/meta-data/ram/security-credentials/",
            &[],
            b"",
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.text(), "EmulatorEcsRole");
}
