//! Feature `reqsign`: reqsign's OSS (V1 and V4) and COS signers, fed by credchain providers,
//! sign requests the emulator's path-style bucket accepts.
#![cfg(feature = "reqsign")]

mod common;

use credchain::adapters::reqsign::{CosCredentialProvider, OssCredentialProvider};
use credchain::alibaba::RamRoleArnProvider;
use credchain::context::MemoryEnv;
use credchain::{provide_fn, Error, SharedProvider};
use credchain_emulator::routes::alibaba_sts;
use credchain_emulator::routes::object_storage::{COS_OBJECT, OSS_OBJECT};
use credchain_emulator::Emulator;
use reqsign_core::{ProvideCredential, SignRequest, Signer};

fn role(emu: &Emulator, duration_seconds: u64) -> SharedProvider {
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url())]);
    let ctx = common::context_with(env);
    SharedProvider::new(
        RamRoleArnProvider::builder()
            .access_key_id(alibaba_sts::ACCESS_KEY_ID)
            .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
            .role_arn("acs:ram::123456789012:role/reqsign")
            .duration_seconds(duration_seconds)
            .build(&ctx)
            .unwrap(),
    )
}

/// Signs `method url` (with `body`) with `signer`, sends it, and returns status and body.
async fn send<K: reqsign_core::SigningCredential>(
    signer: &Signer<K>,
    method: &str,
    url: &str,
    body: &'static str,
) -> (u16, String) {
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "text/plain")
        .body(())
        .unwrap();
    let (mut parts, ()) = req.into_parts();
    signer.sign(&mut parts, None).await.unwrap();
    let mut r = reqwest::Client::new().request(parts.method.clone(), url);
    for (name, value) in &parts.headers {
        r = r.header(name, value);
    }
    let answer = r.body(body).send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

async fn put_then_get<K, L, B>(emu: &Emulator, loader: L, builder: B, key: &str)
where
    K: reqsign_core::SigningCredential,
    L: ProvideCredential<Credential = K>,
    B: SignRequest<Credential = K>,
{
    let signer = Signer::new(reqsign_core::Context::new(), loader, builder);
    let url = emu.url(&format!("/emu-bucket/{key}"));
    let (status, text) = send(&signer, "PUT", &url, "hello from reqsign").await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = send(&signer, "GET", &url, "").await;
    assert_eq!((status, text.as_str()), (200, "hello from reqsign"));
}

#[tokio::test]
async fn reqsign_oss_v1_and_v4_signers_with_credchain_credentials_are_accepted() {
    let emu = Emulator::start().await.unwrap();
    let sts = role(&emu, 3600);
    put_then_get(
        &emu,
        OssCredentialProvider::from_shared(sts.clone()),
        reqsign_aliyun_oss::RequestSigner::new("emu-bucket"),
        "v1.txt",
    )
    .await;
    put_then_get(
        &emu,
        OssCredentialProvider::from_shared(sts),
        reqsign_aliyun_oss::RequestSigner::new("emu-bucket")
            .with_signing_version(reqsign_aliyun_oss::SigningVersion::V4)
            .with_region("cn-hangzhou"),
        "v4.txt",
    )
    .await;
    let sent = emu.requests_for(OSS_OBJECT);
    assert_eq!(sent.len(), 4);
    let token = emu.issued()[0].security_token.clone();
    assert!(sent
        .iter()
        .all(|r| r.header("x-oss-security-token") == Some(token.as_str())));
}

#[tokio::test]
async fn reqsign_cos_signer_with_credchain_credentials_is_accepted() {
    let emu = Emulator::start().await.unwrap();
    // reqsign's COS signer makes header signatures valid for an hour and wants credentials
    // that outlive that window.
    emu.set_credential_lifetime(std::time::Duration::from_secs(7200));
    put_then_get(
        &emu,
        CosCredentialProvider::from_shared(role(&emu, 7200)),
        reqsign_tencent_cos::RequestSigner::new(),
        "cos.txt",
    )
    .await;
    let sent = emu.requests_for(COS_OBJECT);
    assert_eq!(sent.len(), 2);
    let token = emu.issued()[0].security_token.clone();
    assert!(sent
        .iter()
        .all(|r| r.header("x-cos-security-token") == Some(token.as_str())));
}

#[tokio::test]
async fn not_configured_is_no_credential_and_other_errors_are_errors() {
    let ctx = reqsign_core::Context::new();
    let none = OssCredentialProvider::new(provide_fn("vault", || async {
        Err(Error::not_configured("no lease"))
    }));
    assert!(none.provide_credential(&ctx).await.unwrap().is_none());
    let broken = CosCredentialProvider::new(provide_fn("vault", || async {
        Err(Error::invalid_config("lease malformed"))
    }));
    let e = broken.provide_credential(&ctx).await.unwrap_err();
    assert_eq!(e.kind(), reqsign_core::ErrorKind::ConfigInvalid);
    assert!(e.to_string().contains("lease malformed"), "{e}");
}
