//! object_store's `AmazonS3` on an OSS/COS-style S3-compatible bucket, with credchain credentials.
//!
//! ```text
//! cargo run -p credchain --example adapter_object_store --features object-store
//! ```
//!
//! Starts the credchain emulator on 127.0.0.1 (nothing reaches a real cloud), takes STS credentials
//! from an AssumeRole source pointed at it, and writes then reads an object through `AmazonS3`.
//! Against OSS, use `https://s3.oss-<region>.aliyuncs.com` with virtual-hosted requests.

use std::sync::Arc;

use credchain::adapters::object_store::ObjectStoreProvider;
use credchain::alibaba::RamRoleArnProvider;
use credchain::context::{proxy_settings, Context, MemoryEnv};
use credchain::http::ReqwestClient;
use credchain_emulator::routes::alibaba_sts;
use credchain_emulator::Emulator;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start().await?;
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url())]);
    let ctx = Context::empty()
        .with_http(ReqwestClient::new(proxy_settings(&env)))
        .with_env(env);
    let role = RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
        .role_arn("acs:ram::123456789012:role/example")
        .build(&ctx)?;

    let store = AmazonS3Builder::new()
        .with_endpoint(emu.base_url())
        .with_region("oss-cn-hangzhou")
        .with_bucket_name("emu-bucket")
        .with_allow_http(true) // the emulator speaks plain HTTP on loopback
        .with_credentials(Arc::new(ObjectStoreProvider::new(role)))
        .build()?;
    let path = Path::from("examples/hello.txt");
    store
        .put(&path, PutPayload::from("hello from object_store"))
        .await?;
    let bytes = store.get(&path).await?.bytes().await?;
    println!("read back: {}", String::from_utf8_lossy(&bytes));
    Ok(())
}
