//! Feature `object-store`: `AmazonS3` on the emulator's S3-compatible bucket, signing with an
//! AssumeRole source whose credentials expire during the test.
#![cfg(feature = "object-store")]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use credchain::adapters::object_store::ObjectStoreProvider;
use credchain::alibaba::RamRoleArnProvider;
use credchain::context::{ManualClock, MemoryEnv};
use credchain_emulator::routes::{alibaba_sts, object_storage::S3_OBJECT};
use credchain_emulator::Emulator;
use object_store::aws::{AmazonS3, AmazonS3Builder, AwsCredential};
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload, StaticCredentialProvider};

const LIFETIME: Duration = Duration::from_secs(60);

fn store(emu: &Emulator, credentials: object_store::aws::AwsCredentialProvider) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(emu.base_url())
        .with_region("oss-cn-hangzhou")
        .with_bucket_name("emu-bucket")
        .with_allow_http(true)
        .with_virtual_hosted_style_request(false)
        .with_credentials(credentials)
        .build()
        .unwrap()
}

async fn get_text(s: &AmazonS3, key: &str) -> object_store::Result<String> {
    let bytes = s.get(&Path::from(key)).await?.bytes().await?;
    Ok(String::from_utf8(bytes.to_vec()).unwrap())
}

/// The key id in the `Credential=` part of a SigV4 `Authorization` header.
fn signed_key_id(auth: &str) -> &str {
    let rest = &auth[auth.find("Credential=").unwrap() + "Credential=".len()..];
    &rest[..rest.find('/').unwrap()]
}

#[tokio::test]
async fn put_and_get_through_amazon_s3_across_a_credential_refresh() {
    let emu = Emulator::start().await.unwrap();
    emu.set_credential_lifetime(LIFETIME);
    let clock = ManualClock::new(SystemTime::now());
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url())]);
    let ctx = common::context_with(env).with_clock(clock.clone());
    let role = RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
        .role_arn("acs:ram::123456789012:role/object-store")
        .build(&ctx)
        .unwrap();
    let provider = Arc::new(ObjectStoreProvider::new(role));
    let s3 = store(&emu, provider.clone());

    s3.put(&Path::from("docs/one.txt"), PutPayload::from("first"))
        .await
        .unwrap();
    assert_eq!(get_text(&s3, "docs/one.txt").await.unwrap(), "first");
    let issued = emu.issued();
    assert_eq!(issued.len(), 1, "one AssumeRole for both requests");
    let first = issued[0].clone();

    // Past the first credentials' expiry, for credchain's cache and for the emulator's verifier.
    let later = LIFETIME + Duration::from_secs(5);
    clock.advance(later);
    emu.set_clock(Some(SystemTime::now() + later));
    emu.clear_requests();

    s3.put(&Path::from("docs/two.txt"), PutPayload::from("second"))
        .await
        .unwrap();
    assert_eq!(get_text(&s3, "docs/two.txt").await.unwrap(), "second");
    assert_eq!(get_text(&s3, "docs/one.txt").await.unwrap(), "first");
    let issued = emu.issued();
    assert_eq!(issued.len(), 2, "exactly one refresh");
    let second = issued[1].clone();
    assert_ne!(second.access_key_id, first.access_key_id);

    let signed = emu.requests_for(S3_OBJECT);
    assert_eq!(signed.len(), 3);
    // Each of them succeeded above, so the SigV4 verifier accepted the new key and token.
    for r in &signed {
        assert_eq!(
            signed_key_id(r.header("authorization").unwrap()),
            second.access_key_id
        );
        assert_eq!(
            r.header("x-amz-security-token"),
            Some(second.security_token.as_str())
        );
    }

    let shown = format!("{provider:?}");
    for secret in [&second.access_key_secret, &second.security_token] {
        assert!(!shown.contains(secret.as_str()), "Debug leaks: {shown}");
    }

    // The refresh was needed: the first credentials are now refused.
    let stale = store(
        &emu,
        Arc::new(StaticCredentialProvider::new(AwsCredential {
            key_id: first.access_key_id.clone(),
            secret_key: first.access_key_secret.clone(),
            token: Some(first.security_token.clone()),
        })),
    );
    let e = get_text(&stale, "docs/one.txt").await.unwrap_err();
    assert!(e.to_string().contains("ExpiredToken"), "{e}");
}
