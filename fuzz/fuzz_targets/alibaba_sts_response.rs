//! Alibaba STS answers (`AssumeRole` through `ram_role_arn`, `AssumeRoleWithOIDC` through
//! `oidc_role_arn`): any status and body, raw or shaped like the real answer, give credentials
//! with an id and a secret, or an error; never a panic, never a hang (retries run on a paused
//! clock).
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::alibaba::{OidcRoleArnProvider, RamRoleArnProvider};
use credchain::context::{Context, MemoryEnv, MemoryFs};
use credchain::ProvideCredentials;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(_url: &str) -> Template {
    Template::Json(vec![
        ("RequestId", json!("req-1")),
        ("Credentials.AccessKeyId", json!("STS.id")),
        ("Credentials.AccessKeySecret", json!("secret")),
        ("Credentials.SecurityToken", json!("token")),
        ("Credentials.Expiration", json!(VALID_EXPIRY)),
        ("Code", json!("Throttling.User")),
        ("Message", json!("slow down")),
        ("Credentials", json!({})),
    ])
}

fuzz_target!(|input: (bool, Vec<Answer>)| {
    let (oidc, answers) = input;
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:9")]);
    let ctx = Context::empty()
        .with_env(env)
        .with_fs(MemoryFs::new().with_file("/token", "oidc-token"))
        .with_http(Scripted::new(answers, route));
    let outcome = if oidc {
        let p = OidcRoleArnProvider::builder()
            .role_arn("acs:ram::1:role/r")
            .oidc_provider_arn("acs:ram::1:oidc-provider/p")
            .oidc_token_file_path("/token")
            .build(&ctx)
            .unwrap();
        block_on(p.provide_credentials())
    } else {
        let p = RamRoleArnProvider::builder()
            .access_key_id("LTAIid")
            .access_key_secret("source-secret")
            .role_arn("acs:ram::1:role/r")
            .build(&ctx)
            .unwrap();
        block_on(p.provide_credentials())
    };
    check(outcome);
});
