//! Alibaba `GenerateSessionAccessKey` (`rsa_key_pair`): any status and body give credentials or
//! an error, never a panic.
#![no_main]
mod common;

use common::{block_on, check, Answer, Scripted, Template, VALID_EXPIRY};
use credchain::alibaba::RsaKeyPairProvider;
use credchain::context::{Context, MemoryEnv, MemoryFs};
use credchain::ProvideCredentials;
use credchain_emulator::routes::alibaba_session_key::PRIVATE_KEY_PEM;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn route(_url: &str) -> Template {
    Template::Json(vec![
        ("RequestId", json!("r")),
        ("SessionAccessKey.SessionAccessKeyId", json!("TMPSK.id")),
        ("SessionAccessKey.SessionAccessKeySecret", json!("secret")),
        ("SessionAccessKey.Expiration", json!(VALID_EXPIRY)),
        ("Code", json!("c")),
        ("Message", json!("m")),
    ])
}

fuzz_target!(|answers: Vec<Answer>| {
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:9")]);
    let ctx = Context::empty()
        .with_env(env)
        .with_fs(MemoryFs::new().with_file("/k.pem", PRIVATE_KEY_PEM))
        .with_http(Scripted::new(answers, route));
    let p = RsaKeyPairProvider::builder()
        .public_key_id("TMPSK.pub")
        .private_key_file("/k.pem")
        .build(&ctx)
        .unwrap();
    check(block_on(p.provide_credentials()));
});
