//! Alibaba CloudSSO (`cloud_sso`): any status and body give credentials or an error, never a
//! panic.
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::alibaba::CloudSsoProvider;
use credchain::context::{Context, MemoryEnv};
use credchain::ProvideCredentials;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(_url: &str) -> Template {
    Template::Json(vec![
        ("RequestId", json!("r")),
        ("CloudCredential.AccessKeyId", json!("STS.id")),
        ("CloudCredential.AccessKeySecret", json!("secret")),
        ("CloudCredential.SecurityToken", json!("token")),
        ("CloudCredential.Expiration", json!(VALID_EXPIRY)),
        ("ErrorCode", json!("InvalidAccessToken")),
        ("ErrorMessage", json!("m")),
        ("Code", json!("c")),
    ])
}

fuzz_target!(|answers: Vec<Answer>| {
    let ctx = Context::empty()
        .with_env(MemoryEnv::new())
        .with_http(Scripted::new(answers, route));
    let p = CloudSsoProvider::builder()
        .sign_in_url("http://127.0.0.1:9/device/login")
        .account_id("123")
        .access_config("ac")
        .access_token("sso-token")
        .access_token_expire(4_000_000_000)
        .build(&ctx)
        .unwrap();
    check(block_on(p.provide_credentials()));
});
