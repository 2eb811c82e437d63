//! The Alibaba Cloud default chain (DESIGN.md §5, `reference/alibaba.md` §4).
//!
//! Order: env -> OIDC (RRSA) -> CLI config.json -> credentials.ini -> ECS instance role ->
//! credentials URI. This version of credchain has the env source; the others are added by the
//! issues that implement them, at their place in this order.

use super::environment::EnvironmentProvider;
use crate::chain::ProviderChain;
use crate::context::Context;

/// What to tell a user whose machine has no Alibaba Cloud credentials configured.
pub const NOTHING_CONFIGURED_HINT: &str = "set ALIBABA_CLOUD_ACCESS_KEY_ID \
     and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)";

/// The default chain, reading its configuration from `ctx` now.
///
/// ```
/// use credchain::alibaba;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
///     ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tExample"),
///     ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret"),
/// ]));
/// let c = alibaba::default_chain(&ctx).provide_credentials().await.unwrap();
/// assert_eq!(c.provider_name(), "default/env");
/// # });
/// ```
pub fn default_chain(ctx: &Context) -> ProviderChain {
    ProviderChain::new("default")
        .with(EnvironmentProvider::from_context(ctx))
        .with_hint(NOTHING_CONFIGURED_HINT)
}
