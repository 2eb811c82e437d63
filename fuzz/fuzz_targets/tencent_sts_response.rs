//! Tencent STS answers (`AssumeRole` through `sts_assume_role`, `AssumeRoleWithWebIdentity`
//! through `oidc_role_arn`): any status and body, including HTTP-200 errors and odd
//! `ExpiredTime` / `Expiration` values, give credentials or an error, never a panic.
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::context::{Context, MemoryEnv};
use credchain::tencent::{OidcRoleArnProvider, StsAssumeRoleProvider};
use credchain::ProvideCredentials;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(_url: &str) -> Template {
    Template::Json(vec![
        ("Response.Credentials.TmpSecretId", json!("AKIDtmp")),
        ("Response.Credentials.TmpSecretKey", json!("secret")),
        ("Response.Credentials.Token", json!("token")),
        ("Response.ExpiredTime", json!(4_070_908_800u64)),
        ("Response.Expiration", json!(VALID_EXPIRY)),
        ("Response.RequestId", json!("r")),
        ("Response.Error.Code", json!("RequestLimitExceeded")),
        ("Response.Error.Message", json!("m")),
    ])
}

fuzz_target!(|input: (bool, Vec<Answer>)| {
    let (oidc, answers) = input;
    let ctx = Context::empty()
        .with_env(MemoryEnv::new())
        .with_http(Scripted::new(answers, route));
    let outcome = if oidc {
        let p = OidcRoleArnProvider::builder()
            .region("ap-guangzhou")
            .provider_id("p")
            .web_identity_token("oidc-token")
            .role_arn("qcs::cam::uin/1:roleName/r")
            .endpoint("http://127.0.0.1:9")
            .build(&ctx)
            .unwrap();
        block_on(p.provide_credentials())
    } else {
        let p = StsAssumeRoleProvider::builder()
            .secret("AKIDsource", "source-secret")
            .role_arn("qcs::cam::uin/1:roleName/r")
            .endpoint("http://127.0.0.1:9")
            .build(&ctx)
            .unwrap();
        block_on(p.provide_credentials())
    };
    check(outcome);
});
