//! The Tencent Cloud default chain (`docs/architecture.md#chain-semantics`,
//! `docs/sources/tencent.md#default-chain`).
//!
//! Order: env -> TKE OIDC -> profile file -> tccli's files -> CVM instance role. A profile named through
//! [`DefaultChainBuilder::profile`] (or `Config`'s `profile`, or `credchain --profile`) replaces the
//! chain with that profile's source alone; `TENCENTCLOUD_PROFILE` keeps the order above. Workload identity ranks above the
//! instance role so a pod never silently acts as its node; the metadata source is last, and skips
//! without a request when `TENCENTCLOUD_METADATA_DISABLED=true`. A source that is not configured
//! is skipped; any other error (a padded env value, a broken credentials file, a rejected STS call)
//! stops the chain. Nothing configured: one error listing every source and why it was skipped.
//! (The Python SDK's order is env -> profile -> CVM -> TKE, and its documented "no valid
//! credentail." error is unreachable: with nothing configured it raises `OSError("TKE_REGION not
//! exist")`; credchain reports what it looked at instead.)

use super::config::Config;
use super::cvm_role::CvmRoleProvider;
use super::environment::EnvironmentProvider;
use super::profile::ProfileProvider;
use super::tccli::TccliProvider;
use super::tke_oidc::TkeOidcProvider;
use crate::chain::{KnownSource, ProviderChain};
use crate::context::Context;
use crate::error::Result;
use crate::provider::{ProvideCredentials, SharedProvider};

/// What to tell a user whose machine has no Tencent Cloud credentials configured.
pub const NOTHING_CONFIGURED_HINT: &str = "configure credentials: set TENCENTCLOUD_SECRET_ID and \
     TENCENTCLOUD_SECRET_KEY (plus TENCENTCLOUD_SESSION_TOKEN for temporary credentials), write \
     ~/.tencentcloud/credentials, run `tccli configure`, set the TKE_* variables for TKE OIDC, or run on a CVM instance with a \
     CAM role";

/// Every source the default chain can have, in order, with what turns it on ([`ProviderChain::explain`]
/// lists a source the chain left out with it). The chain built without a profile has all of them
/// (each says itself what it misses, and the CVM role skips without a request when metadata is
/// disabled); a chain for a named profile ([`DefaultChainBuilder::profile`]) is that profile's
/// source alone and knows no others.
pub const DEFAULT_CHAIN_SOURCES: &[KnownSource] = &[
    KnownSource::new(
        EnvironmentProvider::NAME,
        "set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY",
    ),
    KnownSource::new(
        TkeOidcProvider::NAME,
        "TKE OIDC: set TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN",
    ),
    KnownSource::new(
        ProfileProvider::NAME,
        "write ~/.tencentcloud/credentials or set TENCENTCLOUD_CREDENTIALS_FILE",
    ),
    KnownSource::new(
        TccliProvider::NAME,
        "write ~/.tccli/<profile>.credential (`tccli configure`); the profile is TCCLI_PROFILE, else default",
    ),
    KnownSource::new(
        CvmRoleProvider::NAME,
        "TENCENTCLOUD_METADATA_DISABLED is true: unset it to use the CVM instance's CAM role",
    ),
];

/// The default chain, reading its configuration from `ctx` now.
///
/// ```
/// use credchain::tencent;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("TENCENTCLOUD_METADATA_DISABLED", "true")]));
/// let e = tencent::default_chain(&ctx).provide_credentials().await.unwrap_err();
/// assert!(e.is_not_configured());
/// assert_eq!(e.attempts().len(), 5);
/// assert!(e.to_string().contains("TENCENTCLOUD_SECRET_ID"));
/// # });
/// ```
pub fn default_chain(ctx: &Context) -> ProviderChain {
    DefaultChainBuilder::default().build(ctx)
}

/// The default chain with explicit settings for its sources.
#[derive(Debug, Default, Clone)]
pub struct DefaultChainBuilder {
    profile: Option<String>,
    role_name: Option<String>,
    sts_endpoint: Option<String>,
    metadata_endpoint: Option<String>,
}

impl DefaultChainBuilder {
    /// A builder with the `default` settings of a [`Config`] (`profile`, `role_name`).
    pub fn from_config(c: Config) -> Self {
        DefaultChainBuilder {
            profile: c.profile,
            role_name: c.role_name,
            ..Self::default()
        }
    }
    /// Selects this profile of the credentials file directly (or, when that file has no such
    /// profile and `~/.tccli/<profile>.credential` exists, that tccli profile): the chain is then
    /// that profile's source alone, so environment keys, TKE OIDC and the CVM role are not tried (as aws-cli's
    /// `--profile` beats environment keys), and a profile that does not exist is an error.
    /// Without it, `TENCENTCLOUD_PROFILE` names the section and the chain keeps its order.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }
    /// The CVM role name (default: discovered).
    pub fn role_name(mut self, role: impl Into<String>) -> Self {
        self.role_name = Some(role.into());
        self
    }
    /// The STS endpoint for TKE OIDC and `role_arn` profiles.
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }
    /// The CVM metadata base URL.
    pub fn metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.metadata_endpoint = Some(endpoint.into());
        self
    }

    /// Builds the chain, reading env and files from `ctx` now.
    pub fn build(self, ctx: &Context) -> ProviderChain {
        let mut profile = ProfileProvider::builder();
        if let Some(e) = &self.sts_endpoint {
            profile = profile.sts_endpoint(e.clone());
        }
        let mut tccli = TccliProvider::builder();
        if let Some(e) = &self.sts_endpoint {
            tccli = tccli.sts_endpoint(e.clone());
        }
        if let Some(e) = &self.metadata_endpoint {
            tccli = tccli.metadata_endpoint(e.clone());
        }
        if let Some(r) = &self.role_name {
            tccli = tccli.role_name(r.clone());
        }
        if let Some(p) = self.profile.filter(|p| !p.is_empty()) {
            let sdk = profile.profile(p.clone()).build(ctx);
            // The SDK file's profile first; tccli's file of that name when the SDK file has none.
            let missing = sdk.as_ref().is_ok_and(ProfileProvider::is_missing_profile);
            let chain = ProviderChain::new("default");
            if missing && super::tccli::credential_file_exists(ctx, &p) {
                return chain.with_shared(built(TccliProvider::NAME, tccli.profile(p).build(ctx)));
            }
            return chain.with_shared(built(ProfileProvider::NAME, sdk));
        }
        let mut cvm = CvmRoleProvider::builder();
        if let Some(r) = self.role_name {
            cvm = cvm.role_name(r);
        }
        if let Some(e) = self.metadata_endpoint {
            cvm = cvm.endpoint(e);
        }
        ProviderChain::new("default")
            .with(EnvironmentProvider::with_sts_endpoint(
                ctx,
                self.sts_endpoint.as_deref(),
            ))
            .with(TkeOidcProvider::with_endpoint(
                ctx,
                self.sts_endpoint.as_deref(),
            ))
            .with_shared(built(ProfileProvider::NAME, profile.build(ctx)))
            .with_shared(built(TccliProvider::NAME, tccli.build(ctx)))
            .with_shared(built(CvmRoleProvider::NAME, cvm.build(ctx)))
            .with_hint(NOTHING_CONFIGURED_HINT)
            .with_known_sources(DEFAULT_CHAIN_SOURCES)
    }
}

/// A built source, or, when its builder failed, a source of that name that answers the build error
/// (a chain stops there, as at any other error of a configured source).
fn built<P: ProvideCredentials + 'static>(name: &'static str, built: Result<P>) -> SharedProvider {
    match built {
        Ok(p) => SharedProvider::new(p),
        Err(e) => SharedProvider::new(crate::provide_fn(name, move || {
            let e = e.clone();
            async move { Err(e) }
        })),
    }
}
