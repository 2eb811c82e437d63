//! OAuth, CloudSSO and rsa_key_pair against the emulator on loopback, including config.json
//! write-back of OAuth tokens into the source profile of a chain.

mod common;

use credchain::alibaba::{
    CliProfileProvider, Client, CloudSsoProvider, Config, OAuthProvider, ProfileProvider,
};
use credchain::context::{Context, Fs, MemoryEnv, MemoryFs};
use credchain::{ErrorKind, ProvideCredentials};
use credchain_emulator::routes::{
    alibaba_cloudsso, alibaba_oauth, alibaba_session_key, alibaba_sts,
};
use credchain_emulator::{Emulator, Fault};
use serde_json::{json, Value};

fn ctx(emu: &Emulator, fs: MemoryFs) -> Context {
    let mut env = MemoryEnv::from_pairs([("HOME", "/h")]);
    env.set("ALIBABA_CLOUD_OAUTH_ENDPOINT", emu.base_url());
    env.set("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url());
    common::context_with(env).with_fs(fs)
}

fn now() -> i64 {
    credchain::time::unix_seconds(std::time::SystemTime::now())
}

const CLI: &str = "/h/.aliyun/config.json";

fn read_cli(fs: &MemoryFs) -> Value {
    serde_json::from_slice(&fs.read(std::path::Path::new(CLI), 1 << 20).unwrap()).unwrap()
}

#[tokio::test]
async fn oauth_refresh_exchange_and_write_back_into_the_source_profile() {
    let emu = Emulator::start().await.unwrap();
    let cfg = json!({"current": "chain", "profiles": [
        {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "oa", "ram_role_arn": "acs:ram::1:role/top"},
        {"name": "oa", "mode": "OAuth", "oauth_site_type": "intl", "oauth_access_token": "old-access",
         "oauth_access_token_expire": now() + 600, "oauth_refresh_token": "rt-1", "language": "en"}
    ], "meta_path": "", "x_custom": 1});
    let fs = MemoryFs::new().with_file(CLI, cfg.to_string());
    let p = CliProfileProvider::builder()
        .build(&ctx(&emu, fs.clone()))
        .unwrap();
    let c = p.provide_credentials().await.unwrap();
    assert_eq!(c.provider_name(), "cli_profile/ram_role_arn/oauth");
    // Expiring within 1200 s: refreshed first, with the INTL client id.
    let token_req = &emu.requests_for(alibaba_oauth::ALIBABA_OAUTH_TOKEN)[0];
    let form: Vec<(String, String)> = token_req.form_params();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(
        get("client_id").as_deref(),
        Some(alibaba_oauth::INTL_CLIENT_ID)
    );
    assert_eq!(get("refresh_token").as_deref(), Some("rt-1"));
    assert!(get("Timestamp").is_some());
    let ex = &emu.requests_for(alibaba_oauth::ALIBABA_OAUTH_EXCHANGE)[0];
    assert!(ex
        .header("authorization")
        .unwrap()
        .starts_with("Bearer emu-oauth-access-"));
    let v = read_cli(&fs);
    let oa = &v["profiles"][1];
    assert!(oa["oauth_access_token"]
        .as_str()
        .unwrap()
        .starts_with("emu-oauth-access-"));
    assert!(oa["oauth_refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("emu-oauth-refresh-"));
    assert!(oa["sts_expiration"].as_i64().unwrap() > now());
    assert!(oa["access_key_id"].as_str().unwrap().starts_with("STS.emu"));
    assert_eq!(
        (oa["language"].as_str(), v["x_custom"].as_i64()),
        (Some("en"), Some(1))
    );
    assert!(v["profiles"][0].get("oauth_access_token").is_none());

    // A new provider from the rewritten file reuses the persisted STS: no OAuth call at all.
    emu.clear_requests();
    let p = CliProfileProvider::builder()
        .profile("oa")
        .build(&ctx(&emu, fs.clone()))
        .unwrap();
    let c2 = p.provide_credentials().await.unwrap();
    assert_eq!(c2.access_key_id(), oa["access_key_id"].as_str().unwrap());
    assert!(emu.requests().is_empty());
}

/// An OAuth profile whose access token is about to expire: the first call refreshes it.
fn oauth_profile_file() -> MemoryFs {
    let cfg = json!({"current": "oa", "profiles": [
        {"name": "oa", "mode": "OAuth", "oauth_access_token": "old-access",
         "oauth_access_token_expire": now() + 60, "oauth_refresh_token": "rt-old"}
    ]});
    MemoryFs::new().with_file(CLI, cfg.to_string())
}

/// The refresh token config.json holds after exactly one token step: the rotated one the
/// emulator issued (`emu-oauth-refresh-...`), not `rt-old`.
fn persisted_rotated_refresh_token(emu: &Emulator, fs: &MemoryFs) -> String {
    let token_calls = emu.requests_for(alibaba_oauth::ALIBABA_OAUTH_TOKEN);
    assert_eq!(token_calls.len(), 1);
    let oa = &read_cli(fs)["profiles"][0];
    let rt = oa["oauth_refresh_token"].as_str().unwrap_or_default();
    assert!(
        rt.starts_with("emu-oauth-refresh-"),
        "config.json holds {rt:?}, not the rotated refresh token"
    );
    rt.to_string()
}

/// The server rotates the refresh token at the token step (the old one may be revoked); the
/// exchange then fails. config.json must hold the new refresh token, not the old one.
#[tokio::test]
async fn oauth_rotated_refresh_token_is_kept_when_the_exchange_fails() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(alibaba_oauth::ALIBABA_OAUTH_EXCHANGE, Fault::status(500));
    let fs = oauth_profile_file();
    let p = CliProfileProvider::builder()
        .build(&ctx(&emu, fs.clone()))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.status(), Some(500), "{e}");
    let rotated = persisted_rotated_refresh_token(&emu, &fs);
    let oa = &read_cli(&fs)["profiles"][0];
    assert!(oa["oauth_access_token"]
        .as_str()
        .unwrap()
        .starts_with("emu-oauth-access-"));
    assert!(oa["oauth_access_token_expire"].as_i64().unwrap() > now() + 1200);
    assert!(oa.get("access_key_id").is_none(), "no STS credential yet");

    // A new provider (a new process) starts from the file: no second token step, and the
    // exchange uses the persisted access token.
    emu.clear_fault(alibaba_oauth::ALIBABA_OAUTH_EXCHANGE);
    emu.clear_requests();
    let p = CliProfileProvider::builder()
        .build(&ctx(&emu, fs.clone()))
        .unwrap();
    p.provide_credentials().await.unwrap();
    assert!(emu
        .requests_for(alibaba_oauth::ALIBABA_OAUTH_TOKEN)
        .is_empty());
    let oa = &read_cli(&fs)["profiles"][0];
    assert_eq!(oa["oauth_refresh_token"].as_str(), Some(rotated.as_str()));
    assert!(oa["access_key_id"].as_str().unwrap().starts_with("STS.emu"));
}

/// The caller gives up while the exchange is in flight (a timeout, a client that went away):
/// the rotated refresh token is already on disk.
#[tokio::test]
async fn oauth_rotated_refresh_token_is_kept_when_the_caller_gives_up() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(
        alibaba_oauth::ALIBABA_OAUTH_EXCHANGE,
        Fault::Delay(std::time::Duration::from_secs(30)),
    );
    let fs = oauth_profile_file();
    let p = CliProfileProvider::builder()
        .build(&ctx(&emu, fs.clone()))
        .unwrap();
    let exchange_started = async {
        while emu
            .requests_for(alibaba_oauth::ALIBABA_OAUTH_EXCHANGE)
            .is_empty()
        {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    tokio::select! {
        r = p.provide_credentials() => panic!("the exchange is delayed, yet: {r:?}"),
        () = exchange_started => {}
    }
    // The caller's future is dropped here, mid-exchange.
    persisted_rotated_refresh_token(&emu, &fs);
}

/// A long-running process (built first, holding `rt-old` in memory) and a short one that
/// refreshes and persists rotated tokens: the long-running one takes the newer tokens from the
/// file instead of refreshing with its old, possibly revoked, refresh token.
#[tokio::test]
async fn oauth_tokens_refreshed_by_another_process_are_adopted() {
    let emu = Emulator::start().await.unwrap();
    let fs = oauth_profile_file();
    let long_running = CliProfileProvider::builder()
        .build(&ctx(&emu, fs.clone()))
        .unwrap();
    let short = CliProfileProvider::builder()
        .build(&ctx(&emu, fs.clone()))
        .unwrap();
    short.provide_credentials().await.unwrap();
    persisted_rotated_refresh_token(&emu, &fs);
    let on_disk = read_cli(&fs)["profiles"][0]["oauth_access_token"]
        .as_str()
        .unwrap()
        .to_string();
    emu.clear_requests();
    long_running.provide_credentials().await.unwrap();
    assert!(
        emu.requests_for(alibaba_oauth::ALIBABA_OAUTH_TOKEN)
            .is_empty(),
        "refreshed again with the old refresh token"
    );
    let exchange = &emu.requests_for(alibaba_oauth::ALIBABA_OAUTH_EXCHANGE)[0];
    assert_eq!(
        exchange.header("authorization"),
        Some(format!("Bearer {on_disk}").as_str())
    );
}

#[tokio::test]
async fn oauth_no_refresh_token_pascal_case_and_errors() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx(&emu, MemoryFs::new());
    // No refresh token: straight to the exchange; the server answers PascalCase.
    let p = OAuthProvider::builder()
        .client_id("c")
        .sign_in_url("https://oauth.aliyun.com")
        .access_token("at-pascal")
        .access_token_expire(now() + 100)
        .build(&ctx)
        .unwrap();
    assert_eq!(
        p.base_url(),
        emu.base_url(),
        "ALIBABA_CLOUD_OAUTH_ENDPOINT wins"
    );
    let c = p.provide_credentials().await.unwrap();
    assert!(c.access_key_id().starts_with("STS.emu"));
    assert!(emu
        .requests_for(alibaba_oauth::ALIBABA_OAUTH_TOKEN)
        .is_empty());
    // A rejected access token.
    let p = OAuthProvider::builder()
        .client_id("c")
        .sign_in_url("x")
        .access_token("invalid-x")
        .build(&ctx)
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Service, Some(401), Some("invalid_token"))
    );
    assert!(e.request_id().is_some());
    // A rejected refresh token.
    let p = OAuthProvider::builder()
        .client_id(alibaba_oauth::CN_CLIENT_ID)
        .sign_in_url("x")
        .refresh_token("invalid-rt")
        .build(&ctx)
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_grant"), "{e}");
    assert!(!e.to_string().contains("invalid-rt"));
    // Malformed exchange answer.
    emu.push_fault(
        alibaba_oauth::ALIBABA_OAUTH_EXCHANGE,
        Fault::missing_fields(["accessKeySecret"]),
    );
    let p = OAuthProvider::builder()
        .client_id("c")
        .sign_in_url("x")
        .access_token("ok")
        .build(&ctx)
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{e}");
}

#[tokio::test]
async fn cloud_sso_against_the_emulator() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx(&emu, MemoryFs::new());
    let b = || {
        CloudSsoProvider::builder()
            .sign_in_url(format!("{}/device/login?x=1", emu.base_url()))
            .account_id("123456")
            .access_config("ac-abc")
            .access_token("sso-token")
            .access_token_expire(now() + 3600)
    };
    let c = b()
        .build(&ctx)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.provider_name(), "cloud_sso");
    assert!(c.security_token().is_some());
    let req = &emu.requests_for(alibaba_cloudsso::ALIBABA_CLOUDSSO_CREDENTIALS)[0];
    assert_eq!(req.path, "/cloud-credentials");
    assert_eq!(req.json().unwrap()["AccessConfigurationId"], "ac-abc");
    let e = b()
        .access_token("invalid-t")
        .build(&ctx)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(401), Some("InvalidAccessToken"))
    );
    let e = b().access_token_expire(now() - 1).build(&ctx).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
}

#[tokio::test]
async fn rsa_key_pair_config_and_ini() {
    let emu = Emulator::start().await.unwrap();
    let fs = MemoryFs::new()
        .with_file("/k.pem", alibaba_session_key::PRIVATE_KEY_PEM)
        .with_file(
            "/wrong.pem",
            "-----BEGIN RSA PRIVATE KEY-----\nother\n-----END RSA PRIVATE KEY-----\n",
        )
        .with_file(
            "/h/.alibabacloud/credentials.ini",
            format!(
                "[default]\ntype = rsa_key_pair\npublic_key_id = {}\nprivate_key_file = /k.pem\n",
                alibaba_session_key::PUBLIC_KEY_ID
            ),
        );
    let ctx = ctx(&emu, fs);
    let cfg = Config::from_json(
        &json!({"type": "rsa_key_pair", "public_key_id": alibaba_session_key::PUBLIC_KEY_ID,
        "private_key_file": "/k.pem", "role_session_expiration": 1800})
        .to_string(),
    )
    .unwrap();
    let client = Client::new(Some(cfg), &ctx).unwrap();
    assert_eq!(client.get_type(), "rsa_key_pair");
    let m = client.get_credential().await.unwrap();
    assert_eq!(m.provider_name, "rsa_key_pair");
    assert!(m.access_key_id.unwrap().starts_with("TMPSK."));
    assert!(m.security_token.is_none());
    let req = &emu.requests_for(alibaba_session_key::ALIBABA_STS_GENERATE_SESSION_ACCESS_KEY)[0];
    assert_eq!(
        (req.method.as_str(), req.param("DurationSeconds").as_deref()),
        ("GET", Some("1800"))
    );
    let c = ProfileProvider::builder()
        .build(&ctx)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.provider_name(), "profile/rsa_key_pair");
    // Wrong key: the emulator's independent signature check rejects it.
    let cfg = Config::from_json(
        &json!({"type": "rsa_key_pair", "public_key_id": alibaba_session_key::PUBLIC_KEY_ID,
        "private_key_file": "/wrong.pem"})
        .to_string(),
    )
    .unwrap();
    let e = Client::new(Some(cfg), &ctx)
        .unwrap()
        .get_credential()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e}");
    // Default endpoint without the override.
    let plain = Context::empty().with_fs(MemoryFs::new().with_file("/k.pem", "x"));
    let p = credchain::alibaba::RsaKeyPairProvider::builder()
        .public_key_id("k")
        .private_key_file("/k.pem")
        .build(&plain)
        .unwrap();
    assert_eq!(p.endpoint(), "https://sts.ap-northeast-1.aliyuncs.com");
    let _ = alibaba_sts::ACCESS_KEY_ID;
}
