//! Alibaba credentials URI (`credentials_uri`): any status and body give credentials or an
//! error, never a panic.
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::alibaba::CredentialsUriProvider;
use credchain::context::{Context, MemoryEnv};
use credchain::ProvideCredentials;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(_url: &str) -> Template {
    Template::Json(vec![
        ("Code", json!("Success")),
        ("AccessKeyId", json!("STS.id")),
        ("AccessKeySecret", json!("secret")),
        ("SecurityToken", json!("token")),
        ("Expiration", json!(VALID_EXPIRY)),
        ("Message", json!("m")),
    ])
}

fuzz_target!(|answers: Vec<Answer>| {
    let ctx = Context::empty()
        .with_env(MemoryEnv::new())
        .with_http(Scripted::new(answers, route));
    let p = CredentialsUriProvider::builder()
        .uri("http://127.0.0.1:9/credentials")
        .build(&ctx).unwrap();
    check(block_on(p.provide_credentials()));
});
