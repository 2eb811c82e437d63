//! aliyun-cli's config.json extras that need a look at the STS request itself (the scenario runner
//! only counts requests): `ALIBABA_CLOUD_EXTERNAL_ID` as the `external_id` fallback, and the
//! profile's own `sts_endpoint`.

mod common;

use credchain::alibaba::CliProfileProvider;
use credchain::context::{Context, MemoryEnv, MemoryFs};
use credchain::ProvideCredentials;
use credchain_emulator::routes::alibaba_sts;
use credchain_emulator::Emulator;
use serde_json::json;

fn ctx(env: &[(&str, String)], profile: serde_json::Value) -> Context {
    let mut pairs: Vec<(String, String)> = vec![("HOME".into(), "/h".into())];
    pairs.extend(env.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let env = MemoryEnv::from_pairs(pairs);
    let config = json!({"current": "r", "profiles": [profile], "meta_path": ""});
    common::context_with(env)
        .with_fs(MemoryFs::new().with_file("/h/.aliyun/config.json", config.to_string()))
}

fn role_profile(extra: serde_json::Value) -> serde_json::Value {
    let mut p = json!({
        "name": "r",
        "mode": "RamRoleArn",
        "access_key_id": alibaba_sts::ACCESS_KEY_ID,
        "access_key_secret": alibaba_sts::ACCESS_KEY_SECRET,
        "ram_role_arn": "acs:ram::1:role/compat",
    });
    p.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    p
}

#[tokio::test]
async fn external_id_falls_back_to_the_env_and_the_profile_wins() {
    let emu = Emulator::start().await.unwrap();
    let env = [
        ("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url()),
        ("ALIBABA_CLOUD_EXTERNAL_ID", "ext-env".to_string()),
    ];
    for (extra, want) in [
        (json!({}), "ext-env"),
        (json!({"external_id": "ext-file"}), "ext-file"),
    ] {
        emu.clear_requests();
        let p = CliProfileProvider::builder()
            .build(&ctx(&env, role_profile(extra)))
            .unwrap();
        p.provide_credentials().await.unwrap();
        let req = &emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE)[0];
        assert_eq!(req.param("ExternalId").as_deref(), Some(want));
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn the_profiles_sts_endpoint_is_used() {
    let emu = Emulator::start().await.unwrap();
    let profile = role_profile(json!({"sts_endpoint": emu.base_url(), "sts_region": "cn-x"}));
    let c = CliProfileProvider::builder()
        .build(&ctx(&[], profile))
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert!(c.expiration().is_some());
    assert_eq!(
        emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE).len(),
        1
    );
    emu.shutdown().await;
}
