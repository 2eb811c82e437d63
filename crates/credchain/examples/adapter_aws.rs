//! A credchain provider as an AWS SDK credentials provider (`aws-credential-types`).
//!
//! ```text
//! cargo run -p credchain --example adapter_aws --features aws
//! ```
//!
//! Starts the credchain emulator on 127.0.0.1 (nothing reaches a real cloud) and shows what an
//! `aws-sdk-s3` client pointed at OSS or COS would get from `credentials_provider(provider)`.

use aws_credential_types::provider::ProvideCredentials as _;
use credchain::adapters::aws::AwsProvider;
use credchain::alibaba::RamRoleArnProvider;
use credchain::context::{proxy_settings, Context, MemoryEnv};
use credchain::http::ReqwestClient;
use credchain_emulator::routes::alibaba_sts;
use credchain_emulator::Emulator;

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

    // e.g. aws_sdk_s3::config::Builder::new().credentials_provider(provider.clone())
    let provider = AwsProvider::new(role);
    let c = provider.provide_credentials().await?;
    let id = c.access_key_id();
    let tail = &id[id.len().saturating_sub(4)..];
    println!(
        "key ****{tail}, token present: {}, expires: {:?}",
        c.session_token().is_some(),
        c.expiry()
    );
    Ok(())
}
