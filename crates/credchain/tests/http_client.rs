//! The default HTTP client against the emulator on loopback: timeouts, dead and garbage servers,
//! body cap, proxy rules, retries. Nothing here leaves 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use credchain::context::{proxy_settings, MemoryEnv};
use credchain::http::{
    send_with_retry, HttpClient, HttpRequest, ProxyPolicy, ReqwestClient, RetryPolicy, Timeouts,
    MAX_RESPONSE_BODY,
};
use credchain::ErrorKind;
use credchain_emulator::{routes, Emulator, Fault, Matcher, Reply, Route};
use http::Method;

const FAST: Timeouts = Timeouts {
    connect: Duration::from_millis(300),
    read: Duration::from_millis(300),
};

fn client() -> ReqwestClient {
    ReqwestClient::new(proxy_settings(&MemoryEnv::new()))
}

fn uri_request(emu: &Emulator) -> HttpRequest {
    HttpRequest::new(Method::GET, emu.url("/credentials-uri")).timeouts(FAST)
}

#[tokio::test]
async fn ok_response_is_read() {
    let emu = Emulator::start().await.unwrap();
    let resp = client().send(uri_request(&emu)).await.unwrap();
    assert_eq!(resp.status, 200);
    assert!(String::from_utf8_lossy(&resp.body).contains("AccessKeyId"));
}

#[tokio::test]
async fn slow_server_times_out_within_budget() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(
        routes::ALIBABA_CREDENTIALS_URI,
        Fault::Delay(Duration::from_secs(5)),
    );
    let started = Instant::now();
    let e = client().send(uri_request(&emu)).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert_eq!(e.endpoint(), Some(emu.url("/credentials-uri").as_str()));
}

#[tokio::test]
async fn dropped_connection_is_a_transport_error() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(routes::ALIBABA_CREDENTIALS_URI, Fault::DropConnection);
    let e = client().send(uri_request(&emu)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
}

#[tokio::test]
async fn truncated_body_is_an_error() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(routes::ALIBABA_CREDENTIALS_URI, Fault::TruncatedBody);
    let e = client().send(uri_request(&emu)).await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout),
        "{e}"
    );
}

#[tokio::test]
async fn refused_connection_fails_fast() {
    let port = common::closed_port();
    let started = Instant::now();
    let e = client()
        .send(HttpRequest::new(Method::GET, format!("http://127.0.0.1:{port}/x")).timeouts(FAST))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.to_string().contains("cannot connect"), "{e}");
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(Route::new(
        "huge",
        Matcher::method_path("GET", "/huge"),
        |_, _| {
            Reply::bytes(
                200,
                "application/octet-stream",
                vec![b'x'; MAX_RESPONSE_BODY + 1],
            )
        },
    ));
    let e = client()
        .send(HttpRequest::new(Method::GET, emu.url("/huge")).timeouts(Timeouts::STS))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert!(e.to_string().contains("larger than"), "{e}");
}

#[tokio::test]
async fn errors_never_show_the_query() {
    let port = common::closed_port();
    let e = client()
        .send(
            HttpRequest::new(
                Method::GET,
                format!("http://127.0.0.1:{port}/x?Signature=SECRETSIG&Token=T0KEN"),
            )
            .timeouts(FAST),
        )
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("SECRETSIG") && !shown.contains("T0KEN"),
        "{shown}"
    );
}

/// A proxy that refuses connections (a port that was free a moment ago): a request that goes
/// through it fails.
fn dead_proxy_url() -> String {
    format!("http://127.0.0.1:{}", common::closed_port())
}

#[tokio::test]
async fn proxy_from_env_is_used_except_for_metadata() {
    let emu = Emulator::start().await.unwrap();
    let dead = dead_proxy_url();
    let env = MemoryEnv::from_pairs([("HTTP_PROXY", dead.clone())]);
    let client = ReqwestClient::new(proxy_settings(&env));
    let via_proxy = client
        .send(uri_request(&emu).proxy(ProxyPolicy::FromEnv))
        .await;
    assert!(
        via_proxy.is_err(),
        "the request went through the (dead) proxy"
    );
    let direct = client
        .send(uri_request(&emu).proxy(ProxyPolicy::Never))
        .await
        .unwrap();
    assert_eq!(direct.status, 200);
    // NO_PROXY exempts hosts.
    let env = MemoryEnv::from_pairs([("HTTP_PROXY", dead), ("NO_PROXY", "127.0.0.1".to_string())]);
    let client = ReqwestClient::new(proxy_settings(&env));
    assert_eq!(client.send(uri_request(&emu)).await.unwrap().status, 200);
}

/// The lower-case variables are read too, and a proxy variable that cannot be read fails every
/// proxied request with an error naming it, while direct requests still work.
#[tokio::test]
async fn lower_case_and_unreadable_proxy_variables() {
    let emu = Emulator::start().await.unwrap();
    let dead = dead_proxy_url();
    let env = MemoryEnv::from_pairs([("http_proxy", dead)]);
    let client = ReqwestClient::new(proxy_settings(&env));
    assert!(
        client.send(uri_request(&emu)).await.is_err(),
        "http_proxy sends the request to the (dead) proxy"
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let mut env = MemoryEnv::new();
        env.set_os("HTTP_PROXY", std::ffi::OsString::from_vec(vec![0xff]));
        let client = ReqwestClient::new(proxy_settings(&env));
        let e = client.send(uri_request(&emu)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(e.to_string().contains("HTTP_PROXY"), "{e}");
        let direct = client
            .send(uri_request(&emu).proxy(ProxyPolicy::Never))
            .await
            .unwrap();
        assert_eq!(direct.status, 200);
    }
}

#[tokio::test]
async fn retries_5xx_against_a_real_server() {
    let emu = Emulator::start().await.unwrap();
    emu.push_fault(routes::ALIBABA_CREDENTIALS_URI, Fault::status(500));
    emu.push_fault(routes::ALIBABA_CREDENTIALS_URI, Fault::status(503));
    let c = client();
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..RetryPolicy::REMOTE
    };
    let resp = send_with_retry(&c, policy, || Ok(uri_request(&emu)))
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(emu.requests_for(routes::ALIBABA_CREDENTIALS_URI).len(), 3);
    // A 403 is not retried.
    emu.clear_requests();
    emu.push_fault(routes::ALIBABA_CREDENTIALS_URI, Fault::status(403));
    let resp = send_with_retry(&c, policy, || Ok(uri_request(&emu)))
        .await
        .unwrap();
    assert_eq!(resp.status, 403);
    assert_eq!(emu.requests_for(routes::ALIBABA_CREDENTIALS_URI).len(), 1);
}
