//! Alibaba ECS instance metadata (`ecs_ram_role`): the IMDSv2 token, the role listing (text) and
//! the credentials document, each any status and body, give credentials or an error, never a
//! panic.
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::alibaba::EcsRamRoleProvider;
use credchain::context::{Context, MemoryEnv};
use credchain::ProvideCredentials;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(url: &str) -> Template {
    if url.contains("/api/token") {
        Template::Text("imds-token")
    } else if url.ends_with("/security-credentials/") {
        Template::Text("EcsRole")
    } else {
        Template::Json(vec![
            ("Code", json!("Success")),
            ("AccessKeyId", json!("STS.id")),
            ("AccessKeySecret", json!("secret")),
            ("SecurityToken", json!("token")),
            ("Expiration", json!(VALID_EXPIRY)),
            ("LastUpdated", json!("2020-01-01T00:00:00Z")),
        ])
    }
}

fuzz_target!(|input: (bool, Vec<Answer>)| {
    let (named_role, answers) = input;
    let ctx = Context::empty()
        .with_env(MemoryEnv::new())
        .with_http(Scripted::new(answers, route));
    let mut b = EcsRamRoleProvider::builder().endpoint("http://127.0.0.1:9");
    if named_role {
        b = b.role_name("EcsRole");
    }
    check(block_on(b.build(&ctx).unwrap().provide_credentials()));
});
