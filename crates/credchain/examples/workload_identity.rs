//! Workload identity in a Kubernetes pod: Alibaba Cloud RRSA (ACK) and Tencent Cloud TKE OIDC.
//!
//! ```text
//! cargo run -p credchain --example workload_identity
//! ```
//!
//! The cluster injects the environment:
//! - RRSA: `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
//!   `ALIBABA_CLOUD_OIDC_TOKEN_FILE` -> `AssumeRoleWithOIDC`.
//! - TKE: `TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN` ->
//!   `AssumeRoleWithWebIdentity`.
//!
//! The token file is re-read on every refresh (the kubelet rotates it), and the token goes in the
//! POST body, never in a URL. The default chains try these before the instance role, so a pod
//! never silently acts as its node. Outside a pod both sources say "not configured" and nothing
//! is sent.

use credchain::context::Context;
use credchain::{alibaba, tencent, ProvideCredentials};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let ctx = Context::real();

    // Every field falls back to its environment variable when not given.
    match alibaba::OidcRoleArnProvider::builder()
        .role_session_name("credchain-example")
        .build(&ctx)
    {
        Ok(rrsa) => match rrsa.provide_credentials().await {
            Ok(c) => println!("RRSA: {} from {}", c.masked_key_id(), c.provider_name()),
            Err(e) => println!("RRSA: {e}"),
        },
        Err(e) => println!("RRSA: {e}"),
    }

    let tke = tencent::TkeOidcProvider::from_context(&ctx);
    match tke.provide_credentials().await {
        Ok(c) => println!("TKE OIDC: {} from {}", c.masked_key_id(), c.provider_name()),
        Err(e) => println!("TKE OIDC: {e}"),
    }
}
