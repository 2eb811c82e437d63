//! Assume a role with keys from a profile file: the profile's long-term keys sign the STS call,
//! the cache refreshes the role's temporary credentials in the background before they expire.
//!
//! ```text
//! ALIBABA_CLOUD_ROLE_ARN=acs:ram::<account>:role/<name> \
//! TENCENT_ROLE_ARN=qcs::cam::uin/<uin>:roleName/<name> \
//!     cargo run -p credchain --example assume_role
//! ```
//!
//! - Alibaba: `[default]` of `~/.alibabacloud/credentials.ini` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`,
//!   section `ALIBABA_CLOUD_PROFILE`) -> [`alibaba::RamRoleArnProvider`].
//! - Tencent: `[default]` of `~/.tencentcloud/credentials` (or `TENCENTCLOUD_CREDENTIALS_FILE`,
//!   section `TENCENTCLOUD_PROFILE`) -> [`tencent::StsAssumeRoleProvider`].
//!
//! Without a role ARN or a profile file nothing is sent: the example prints why.

use credchain::context::Context;
use credchain::{alibaba, tencent, ProvideCredentials, SharedProvider};

async fn alibaba_role(ctx: &Context) -> credchain::Result<credchain::Credentials> {
    // Keys from credentials.ini; `ALIBABA_CLOUD_ROLE_ARN` is read by the builder when no
    // role_arn is given.
    let profile = SharedProvider::new(alibaba::ProfileProvider::builder().build(ctx)?);
    let role = alibaba::RamRoleArnProvider::builder()
        .source(profile)
        .role_session_name("credchain-example")
        .duration_seconds(3600)
        .build(ctx)?;
    role.provide_credentials().await
}

async fn tencent_role(ctx: &Context) -> credchain::Result<credchain::Credentials> {
    let Ok(role_arn) = std::env::var("TENCENT_ROLE_ARN") else {
        return Err(credchain::Error::not_configured(
            "set TENCENT_ROLE_ARN=qcs::cam::uin/<uin>:roleName/<name> to try this",
        ));
    };
    let profile = SharedProvider::new(tencent::ProfileProvider::builder().build(ctx)?);
    let role = tencent::StsAssumeRoleProvider::builder()
        .source(profile)
        .role_arn(role_arn)
        .role_session_name("credchain-example")
        .region("ap-guangzhou")
        .build(ctx)?;
    role.provide_credentials().await
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let ctx = Context::real();
    match alibaba_role(&ctx).await {
        Ok(c) => println!(
            "Alibaba Cloud role: {} from {}",
            c.masked_key_id(),
            c.provider_name()
        ),
        Err(e) => println!("Alibaba Cloud role: {e}"),
    }
    match tencent_role(&ctx).await {
        Ok(c) => println!(
            "Tencent Cloud role: {} from {}",
            c.masked_key_id(),
            c.provider_name()
        ),
        Err(e) => println!("Tencent Cloud role: {e}"),
    }
}
