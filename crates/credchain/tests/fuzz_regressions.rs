//! Inputs the fuzz targets (`fuzz/`) found, replayed through the public providers: each once
//! made a source panic, hang or allocate without bound. Every answer is scripted (status, body);
//! no network.

use std::collections::VecDeque;
use std::sync::Mutex;

use credchain::context::{Context, MemoryEnv};
use credchain::http::{BoxFuture, HttpClient, HttpRequest, HttpResponse};
use credchain::{ErrorKind, ProvideCredentials, Result};

/// Answers the requests in order with the scripted answers.
#[derive(Debug)]
struct Replay(Mutex<VecDeque<(u16, &'static str)>>);

impl Replay {
    fn new(answers: &[(u16, &'static str)]) -> Self {
        Replay(Mutex::new(answers.iter().copied().collect()))
    }
}

impl HttpClient for Replay {
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        let next = self.0.lock().unwrap().pop_front();
        let endpoint = req.endpoint().to_string();
        Box::pin(async move {
            let (status, body) = next.ok_or_else(|| {
                credchain::Error::new(ErrorKind::Transport, "no more answers")
                    .with_endpoint(endpoint)
            })?;
            Ok(HttpResponse {
                status,
                headers: http::HeaderMap::new(),
                body: body.as_bytes().to_vec().into(),
            })
        })
    }
}

fn ctx(env: &[(&str, &str)], answers: &[(u16, &'static str)]) -> Context {
    Context::empty()
        .with_env(MemoryEnv::from_pairs(env.iter().copied()))
        .with_http(Replay::new(answers))
}

/// `alibaba_oauth`: an `expires_in` of `i64::MAX` overflowed `now + expires_in` (a panic with
/// overflow checks, a wrapped, long-past expiry without). It saturates now.
#[tokio::test(start_paused = true)]
async fn oauth_huge_expires_in_saturates() {
    let ctx = ctx(
        &[("ALIBABA_CLOUD_OAUTH_ENDPOINT", "http://127.0.0.1:9")],
        &[
            (
                200,
                r#"{"access_token":"at2","refresh_token":"rt2","expires_in":9223372036854775807}"#,
            ),
            (
                200,
                r#"{"accessKeyId":"STS.id","accessKeySecret":"s","securityToken":"t","expiration":"2099-01-01T00:00:00Z"}"#,
            ),
        ],
    );
    let p = credchain::alibaba::OAuthProvider::builder()
        .client_id("4038181954557748008")
        .sign_in_url("http://127.0.0.1:9")
        .refresh_token("rt")
        .build(&ctx)
        .unwrap();
    let c = p.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "STS.id");
}
