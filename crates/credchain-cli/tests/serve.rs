//! `credchain serve` end to end: the real binary serving credentials it resolves from the
//! in-process emulator, read back by the library's own credentials-URI and CVM-role sources.
//! Cleared environment (PATH and a temporary HOME only), loopback only; every child is killed
//! when its guard drops.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use credchain::alibaba::CredentialsUriProvider;
use credchain::context::{proxy_settings, Context, MemoryEnv};
use credchain::http::ReqwestClient;
use credchain::tencent::CvmRoleProvider;
use credchain::ProvideCredentials;
use credchain_emulator::{routes, Emulator};

use common::{credchain_in, scratch, Guard};

fn credchain() -> Command {
    credchain_in(&scratch("serve-home"))
}

/// Starts `credchain serve` and returns it with the URL of its export line.
fn serve(cmd: &mut Command) -> (Guard, String) {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let Some(url) = guard.served_url(Duration::from_secs(20)) else {
        guard.stop();
        panic!(
            "serve printed no export line; stderr: {}",
            guard.read_stderr()
        );
    };
    (guard, url)
}

/// The socket address of a served URL.
fn addr_of(url: &str) -> std::net::SocketAddr {
    url.strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap()
        .parse()
        .unwrap()
}

/// A context that sees no process environment (so no proxy setting applies).
fn clean_ctx() -> Context {
    let env = MemoryEnv::default();
    let http = ReqwestClient::new(proxy_settings(&env));
    Context::real().with_env(env).with_http(http)
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Sends `signal` to serve and asserts it exits cleanly; its log.
fn stop_with(guard: &mut Guard, signal: &str) -> String {
    guard.signal(signal);
    assert!(guard.wait_exit(Duration::from_secs(10), "serve").success());
    guard.read_stderr()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alibaba_serve_is_read_by_the_credentials_uri_source() {
    let emu = Emulator::start().await.unwrap();
    let (mut guard, url) = serve(
        credchain()
            .env("ALIBABA_CLOUD_CREDENTIALS_URI", emu.url("/credentials-uri"))
            .args(["serve", "--cloud", "alibaba"]),
    );
    let port_and_path = url.strip_prefix("http://127.0.0.1:").expect(&url);
    let path = port_and_path.split_once('/').unwrap().1;
    assert_eq!(path.len(), 32);
    assert!(path.bytes().all(|b| b.is_ascii_hexdigit()));

    let issued = emu.issued();
    assert_eq!(issued.len(), 1);
    let provider = CredentialsUriProvider::builder()
        .uri(url.clone())
        .build(&clean_ctx())
        .unwrap();
    let c = provider.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), issued[0].access_key_id);
    assert_eq!(c.access_key_secret(), issued[0].access_key_secret);
    assert_eq!(c.security_token(), Some(issued[0].security_token.as_str()));
    assert!(c.expiration().is_some());

    // Many reads, one upstream fetch: the server answers from the library's cache.
    let client = plain_client();
    for _ in 0..20 {
        let v: serde_json::Value = client.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(v["Code"], "Success");
        assert_eq!(v["AccessKeyId"], issued[0].access_key_id.as_str());
    }
    assert_eq!(emu.issued_count(routes::ALIBABA_CREDENTIALS_URI), 1);

    // Clean shutdown on SIGTERM.
    stop_with(&mut guard, "TERM");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_other_paths_and_methods_and_logs_no_secret() {
    let emu = Emulator::start().await.unwrap();
    let (mut guard, url) = serve(
        credchain()
            .env("ALIBABA_CLOUD_CREDENTIALS_URI", emu.url("/credentials-uri"))
            .args(["-v", "serve", "--cloud", "alibaba"]),
    );
    let base = &url[..url.len() - 32];
    let client = plain_client();
    let mut wrong = url.clone();
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    for u in [
        base.to_string(),
        format!("{base}credentials-uri"),
        wrong,
        format!("{url}/"),
        format!("{url}x"),
        url[..url.len() - 1].to_string(),
    ] {
        let r = client.get(&u).send().await.unwrap();
        assert_eq!(r.status(), 404, "{u}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("STS."), "{body}");
    }
    let r = client.post(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let r = client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");

    let log = stop_with(&mut guard, "INT");
    assert!(
        log.contains("request"),
        "with -v, requests are logged: {log}"
    );
    let issued = &emu.issued()[0];
    let path = &url[url.len() - 32..];
    for secret in [
        issued.access_key_secret.as_str(),
        issued.security_token.as_str(),
        path,
    ] {
        assert!(!log.contains(secret), "the log shows a secret: {log}");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_serve_is_a_cvm_metadata_endpoint() {
    let emu = Emulator::start().await.unwrap();
    let (_guard, url) = serve(
        credchain()
            .env_remove("TENCENTCLOUD_METADATA_DISABLED")
            .env("TENCENTCLOUD_METADATA_ENDPOINT", emu.base_url())
            .args(["serve", "--cloud", "tencent"]),
    );
    let issued = emu.issued();
    assert_eq!(issued.len(), 1);
    let provider = CvmRoleProvider::builder()
        .endpoint(url.clone())
        .build(&clean_ctx())
        .unwrap();
    let c = provider.provide_credentials().await.unwrap();
    assert_eq!(c.secret_id(), issued[0].access_key_id);
    assert_eq!(c.token(), Some(issued[0].security_token.as_str()));
    assert_eq!(provider.role_name().as_deref(), Some("credchain"));

    let v: serde_json::Value = plain_client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for k in [
        "TmpSecretId",
        "TmpSecretKey",
        "Token",
        "ExpiredTime",
        "Expiration",
    ] {
        assert!(!v[k].is_null(), "{k} in {v}");
    }
    assert_eq!(v["Code"], "Success");
    emu.shutdown().await;
}

#[test]
fn serve_refuses_long_term_keys_and_non_loopback_addresses() {
    let o = credchain()
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIlongterm")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "long-term-secret")
        .args(["serve", "--cloud", "alibaba"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not temporary credentials"), "{err}");
    assert!(!err.contains("long-term-secret"));
    assert!(o.stdout.is_empty());

    let o = credchain()
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.x")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")
        .env("ALIBABA_CLOUD_SECURITY_TOKEN", "t")
        .args(["serve", "--cloud", "alibaba", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("non-loopback"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_logged_only_with_verbose() {
    let emu = Emulator::start().await.unwrap();
    let (mut guard, url) = serve(
        credchain()
            .env("ALIBABA_CLOUD_CREDENTIALS_URI", emu.url("/credentials-uri"))
            .args(["serve", "--cloud", "alibaba"]),
    );
    for _ in 0..5 {
        let r = plain_client().get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let log = stop_with(&mut guard, "TERM");
    assert!(log.contains("serving credentials"), "{log}");
    assert!(
        !log.contains("request"),
        "no per-request lines without -v: {log}"
    );
    emu.shutdown().await;
}

/// Makes sure this process may open `n` more sockets (raising its own soft RLIMIT_NOFILE).
fn allow_open_files(n: u64) {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed by pointer.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        if lim.rlim_cur < n {
            assert!(
                lim.rlim_max >= n,
                "the hard limit of open files is below {n}"
            );
            lim.rlim_cur = n;
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &lim), 0);
        }
    }
}

/// `serve` keeps answering while 1,100 stalled connections are open, with the usual 1,024 file
/// descriptors: stalled peers are closed at the header timeout and evicted at the connection cap
/// (the oldest first), so a client that sends its request gets an answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_keeps_answering_while_1100_stalled_connections_are_open() {
    use std::io::Write;
    use std::os::unix::process::CommandExt;

    let emu = Emulator::start().await.unwrap();
    let mut cmd = credchain();
    cmd.env("ALIBABA_CLOUD_CREDENTIALS_URI", emu.url("/credentials-uri"))
        .args(["serve", "--cloud", "alibaba"]);
    // SAFETY: setrlimit is async-signal-safe; the child gets the common 1,024 descriptors, as
    // when run from a login shell.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 1024,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (mut guard, url) = serve(&mut cmd);
    let addr = addr_of(&url);

    allow_open_files(1100 + 256);
    let stalled = tokio::task::spawn_blocking(move || {
        (0..1100)
            .map(|i| {
                let mut s =
                    std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(10)).unwrap();
                if i % 2 == 0 {
                    // Half of them start a request and never finish it (slow loris).
                    let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n");
                }
                s
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(stalled.len(), 1100);

    // While they are all open (the header timeout is 10 s), legitimate clients are answered.
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(8))
        .build()
        .unwrap();
    let mut answered = 0;
    for _ in 0..5 {
        if let Ok(r) = client.get(&url).send().await {
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            answered += usize::from(v["Code"] == "Success");
        }
    }
    drop(stalled);

    let log = stop_with(&mut guard, "TERM");
    assert!(
        log.contains("connection limit reached"),
        "the cap is logged: {log}"
    );
    let lines = log.lines().count();
    let accept_failed = log.matches("accept failed").count();
    println!(
        "1,100 stalled connections: {answered}/5 legitimate requests answered; \
         {lines} log lines, {accept_failed} 'accept failed'"
    );
    assert_eq!(answered, 5, "every legitimate request is answered");
    assert!(
        lines < 50,
        "a connection flood is a few log lines, not {lines}: {log}"
    );
    assert!(
        !log.contains("accept failed"),
        "never out of file descriptors: {log}"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_is_closed_at_the_header_timeout() {
    use std::io::Read;

    let emu = Emulator::start().await.unwrap();
    let (_guard, url) = serve(
        credchain()
            .env("ALIBABA_CLOUD_CREDENTIALS_URI", emu.url("/credentials-uri"))
            .args(["serve", "--cloud", "alibaba", "--header-timeout", "1"]),
    );
    let addr = addr_of(&url);
    let closed = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        // Far longer than the header timeout: the read ends because serve closes the socket.
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = [0u8; 64];
        matches!(s.read(&mut buf), Ok(0))
            || s.read(&mut buf)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset)
    })
    .await
    .unwrap();
    assert!(closed, "serve closed the silent connection");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alibaba_ecs_metadata_shape_is_read_by_the_ecs_ram_role_source() {
    let emu = Emulator::start().await.unwrap();
    let (_guard, url) = serve(
        credchain()
            .env("ALIBABA_CLOUD_CREDENTIALS_URI", emu.url("/credentials-uri"))
            .args(["serve", "--cloud", "alibaba", "--shape", "ecs-metadata"]),
    );
    let issued = emu.issued();
    assert_eq!(issued.len(), 1);

    // The library's ECS source, configured only through the variable `serve` printed, with
    // IMDSv1 forbidden so the token PUT must work.
    let env = MemoryEnv::from_pairs([
        ("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT", url.as_str()),
        ("ALIBABA_CLOUD_IMDSV1_DISABLED", "true"),
    ]);
    let http = ReqwestClient::new(proxy_settings(&env));
    let ctx = Context::real().with_env(env).with_http(http);
    let provider = credchain::alibaba::EcsRamRoleProvider::builder()
        .build(&ctx)
        .unwrap();
    let c = provider.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), issued[0].access_key_id);
    assert_eq!(c.access_key_secret(), issued[0].access_key_secret);
    assert_eq!(c.security_token(), Some(issued[0].security_token.as_str()));
    assert!(c.expiration().is_some());

    let client = plain_client();
    let list = format!("{url}/latest/meta-data/ram/security-credentials/");
    let r = client.get(&list).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "credchain");
    let v: serde_json::Value = client
        .get(format!("{list}credchain"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["Code"], "Success");
    assert!(v["LastUpdated"].is_string() && v["Expiration"].is_string());
    // Wrong role, token without TTL, token by GET, the bare secret path.
    let r = client.get(format!("{list}other")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let token = format!("{url}/latest/api/token");
    assert_eq!(client.put(&token).send().await.unwrap().status(), 400);
    assert_eq!(client.get(&token).send().await.unwrap().status(), 405);
    assert_eq!(client.get(&url).send().await.unwrap().status(), 404);
}

#[test]
fn ecs_metadata_shape_is_alibaba_only() {
    let o = credchain()
        .env("TENCENTCLOUD_SECRET_ID", "AKIDx")
        .env("TENCENTCLOUD_SECRET_KEY", "k")
        .args(["serve", "--cloud", "tencent", "--shape", "ecs-metadata"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--shape ecs-metadata is Alibaba's"));
}
