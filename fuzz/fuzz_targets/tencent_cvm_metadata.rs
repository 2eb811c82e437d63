//! Tencent CVM instance metadata (`cvm_role`): the role listing (text) and the credentials
//! document, any status and body, give credentials, "not configured" or an error, never a panic.
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::context::{Context, MemoryEnv};
use credchain::tencent::CvmRoleProvider;
use credchain::ProvideCredentials;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(url: &str) -> Template {
    if url.ends_with("/security-credentials/") {
        Template::Text("CvmRole")
    } else {
        Template::Json(vec![
            ("Code", json!("Success")),
            ("TmpSecretId", json!("AKIDtmp")),
            ("TmpSecretKey", json!("secret")),
            ("Token", json!("token")),
            ("ExpiredTime", json!(4_070_908_800u64)),
            ("Expiration", json!(VALID_EXPIRY)),
        ])
    }
}

fuzz_target!(|input: (bool, Vec<Answer>)| {
    let (named_role, answers) = input;
    let ctx = Context::empty()
        .with_env(MemoryEnv::new())
        .with_http(Scripted::new(answers, route));
    let mut b = CvmRoleProvider::builder().endpoint("http://127.0.0.1:9");
    if named_role {
        b = b.role_name("CvmRole");
    }
    let provider = b.build(&ctx).expect("the CVM builder never fails");
    check(block_on(provider.provide_credentials()));
});
