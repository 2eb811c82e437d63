//! The default credential chain of each cloud.
//!
//! ```text
//! cargo run -p credchain --example default_chain
//! ```
//!
//! Alibaba Cloud: env -> RRSA (OIDC) -> ~/.aliyun/config.json -> ~/.alibabacloud/credentials.ini
//! -> ECS instance role -> credentials URI. Tencent Cloud: env -> TKE OIDC ->
//! ~/.tencentcloud/credentials -> CVM instance role. Only the key id's last characters are
//! printed. With nothing configured each chain prints one error naming every source it tried;
//! set `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` / `TENCENTCLOUD_METADATA_DISABLED=true` off the
//! cloud to skip the instance-metadata probe (otherwise it gives up after its 1 s connect timeout).

use credchain::context::Context;
use credchain::{alibaba, tencent, ProvideCredentials};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let ctx = Context::real();

    match alibaba::default_chain(&ctx).provide_credentials().await {
        Ok(c) => println!(
            "Alibaba Cloud: key {} from {} (token: {}, expires: {})",
            c.masked_key_id(),
            c.provider_name(),
            c.security_token().is_some(),
            c.expiration()
                .map(credchain::time::format_rfc3339)
                .unwrap_or_else(|| "never".into()),
        ),
        Err(e) => println!("Alibaba Cloud: {e}"),
    }

    match tencent::default_chain(&ctx).provide_credentials().await {
        Ok(c) => println!(
            "Tencent Cloud: SecretId {} from {}",
            c.masked_key_id(),
            c.provider_name()
        ),
        Err(e) => println!("Tencent Cloud: {e}"),
    }
}
