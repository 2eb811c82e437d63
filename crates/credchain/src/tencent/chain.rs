//! The Tencent Cloud default chain (DESIGN.md §5, `reference/tencent.md` §1.7).
//!
//! Order: env -> TKE OIDC -> profile file -> CVM instance role. Workload identity ranks above the
//! instance role so a pod never silently acts as its node. This version of credchain has the env
//! source; the others are added by the issues that implement them, at their place in this order.

use super::environment::EnvironmentProvider;
use crate::chain::ProviderChain;
use crate::context::Context;

/// What to tell a user whose machine has no Tencent Cloud credentials configured.
pub const NOTHING_CONFIGURED_HINT: &str = "set TENCENTCLOUD_SECRET_ID and \
     TENCENTCLOUD_SECRET_KEY (plus TENCENTCLOUD_SESSION_TOKEN for temporary credentials)";

/// The default chain, reading its configuration from `ctx` now.
///
/// ```
/// use credchain::tencent;
/// use credchain::context::Context;
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let e = tencent::default_chain(&Context::empty()).provide_credentials().await.unwrap_err();
/// assert!(e.is_not_configured());
/// assert!(e.to_string().contains("TENCENTCLOUD_SECRET_ID"));
/// # });
/// ```
pub fn default_chain(ctx: &Context) -> ProviderChain {
    ProviderChain::new("default")
        .with(EnvironmentProvider::from_context(ctx))
        .with_hint(NOTHING_CONFIGURED_HINT)
}
