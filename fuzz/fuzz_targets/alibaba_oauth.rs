//! Alibaba OAuth (`oauth`): the refresh-token answer and the exchange answer (camelCase or
//! PascalCase), any status and body, give credentials or an error, never a panic; huge
//! `expires_in` values included.
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::alibaba::OAuthProvider;
use credchain::context::{Context, MemoryEnv};
use credchain::ProvideCredentials;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(url: &str) -> Template {
    if url.contains("/v1/token") {
        Template::Json(vec![
            ("access_token", json!("at")),
            ("refresh_token", json!("rt2")),
            ("expires_in", json!(3600)),
            ("token_type", json!("Bearer")),
            ("error", json!("invalid_grant")),
            ("error_description", json!("d")),
        ])
    } else {
        Template::Json(vec![
            ("accessKeyId", json!("STS.id")),
            ("accessKeySecret", json!("secret")),
            ("securityToken", json!("token")),
            ("expiration", json!(VALID_EXPIRY)),
            ("AccessKeyId", json!("STS.id")),
            ("AccessKeySecret", json!("secret")),
            ("SecurityToken", json!("token")),
            ("Expiration", json!(VALID_EXPIRY)),
            ("requestId", json!("r")),
            ("error", json!("invalid_token")),
        ])
    }
}

fuzz_target!(|input: (bool, Vec<Answer>)| {
    let (with_refresh, answers) = input;
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_OAUTH_ENDPOINT", "http://127.0.0.1:9")]);
    let ctx = Context::empty()
        .with_env(env)
        .with_http(Scripted::new(answers, route));
    let mut b = OAuthProvider::builder()
        .client_id("4038181954557748008")
        .sign_in_url("http://127.0.0.1:9")
        .access_token("at");
    if with_refresh {
        b = b.refresh_token("rt");
    }
    check(block_on(b.build(&ctx).unwrap().provide_credentials()));
});
