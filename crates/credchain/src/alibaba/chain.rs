//! The Alibaba Cloud default chain (`docs/architecture.md#chain-semantics`,
//! `docs/sources/alibaba.md#default-chain`).
//!
//! Order: env -> OIDC (RRSA, only when `ALIBABA_CLOUD_OIDC_TOKEN_FILE`, `ALIBABA_CLOUD_ROLE_ARN`
//! and `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` are all set) -> CLI config.json (skipped with "cli
//! credentials file is disabled" when `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`) -> credentials.ini -> ECS instance role (unless
//! `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`) -> credentials URI (only when
//! `ALIBABA_CLOUD_CREDENTIALS_URI` is set). Sources that are not configured are skipped; any other
//! error stops the chain. Every source reads its configuration now. Switches are
//! booleans as [`crate::context::parse_flag`] reads them (`1`, `yes` count as true); a switch that
//! is not a boolean, or a variable that is not valid UTF-8, makes its source answer that error.
//! `ALIBABA_CLOUD_PROFILE` keeps this order; a profile named by the caller bypasses the chain
//! ([`super::named_profile`]).

use super::cli_profile::CliProfileProvider;
use super::credentials_uri::CredentialsUriProvider;
use super::ecs_ram_role::EcsRamRoleProvider;
use super::env_vars;
use super::environment::EnvironmentProvider;
use super::oidc_role_arn::{rrsa_env_present, OidcRoleArnProvider};
use super::profile::ProfileProvider;
use crate::chain::{KnownSource, ProviderChain};
use crate::context::Context;
use crate::error::Result;
use crate::provider::ProvideCredentials;

/// What to tell a user whose machine has no Alibaba Cloud credentials configured: every kind of
/// place the chain reads, not only the environment variables.
pub const NOTHING_CONFIGURED_HINT: &str = "configure credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID \
     and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials), \
     add a profile to ~/.aliyun/config.json (`credchain configure`) or \
     ~/.alibabacloud/credentials.ini, set the ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_OIDC_* \
     variables for RRSA, or run on an ECS instance with a RAM role";

/// Every source the default chain can have, in order, with what turns it on when the chain leaves
/// it out ([`ProviderChain::explain`] lists those as left out). The chain leaves out RRSA without
/// its three variables, the ECS role when metadata is disabled and the credentials URI without its
/// variable; the other sources are always asked and say themselves what they miss.
pub const DEFAULT_CHAIN_SOURCES: &[KnownSource] = &[
    KnownSource::new(
        EnvironmentProvider::NAME,
        "set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    ),
    KnownSource::new(
        OidcRoleArnProvider::NAME,
        "RRSA: set ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    ),
    KnownSource::new(
        CliProfileProvider::NAME,
        "write ~/.aliyun/config.json (`credchain configure` or `aliyun configure`)",
    ),
    KnownSource::new(
        ProfileProvider::NAME,
        "write ~/.alibabacloud/credentials.ini or set ALIBABA_CLOUD_CREDENTIALS_FILE",
    ),
    KnownSource::new(
        EcsRamRoleProvider::NAME,
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED is true: unset it to use the ECS instance's RAM role",
    ),
    KnownSource::new(
        CredentialsUriProvider::NAME,
        "set ALIBABA_CLOUD_CREDENTIALS_URI",
    ),
];

/// The default chain, reading its configuration from `ctx` now. It knows every source it can have
/// ([`DEFAULT_CHAIN_SOURCES`]), so [`ProviderChain::explain`] also lists those it left out.
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
    let mut chain = ProviderChain::new("default").with(EnvironmentProvider::from_context(ctx));
    if rrsa_env_present(ctx) {
        chain = with_built(
            chain,
            OidcRoleArnProvider::NAME,
            OidcRoleArnProvider::builder().build(ctx),
        );
    }
    // Always present, as in Python: with ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true it answers "not
    // configured" with Python's "cli credentials file is disabled", so the reason is listed.
    chain = with_built(
        chain,
        CliProfileProvider::NAME,
        CliProfileProvider::builder().build(ctx),
    );
    chain = with_built(
        chain,
        ProfileProvider::NAME,
        ProfileProvider::builder().build(ctx),
    );
    match EcsRamRoleProvider::is_disabled(ctx) {
        Ok(true) => {}
        Ok(false) => {
            chain = with_built(
                chain,
                EcsRamRoleProvider::NAME,
                EcsRamRoleProvider::builder().build(ctx),
            )
        }
        Err(error) => {
            chain = chain.with(Failed {
                name: EcsRamRoleProvider::NAME,
                error,
            })
        }
    }
    // Set but unreadable counts as set: the provider answers the error.
    if !matches!(ctx.env_non_empty(env_vars::CREDENTIALS_URI), Ok(None)) {
        chain = with_built(
            chain,
            CredentialsUriProvider::NAME,
            CredentialsUriProvider::builder().build(ctx),
        );
    }
    chain
        .with_hint(NOTHING_CONFIGURED_HINT)
        .with_known_sources(DEFAULT_CHAIN_SOURCES)
}

/// `chain` with the built source, or with one answering its build error.
fn with_built<P: ProvideCredentials + 'static>(
    chain: ProviderChain,
    name: &'static str,
    built: Result<P>,
) -> ProviderChain {
    match built {
        Ok(p) => chain.with(p),
        Err(error) => chain.with(Failed { name, error }),
    }
}

/// A source whose configuration is present but invalid: it answers its build error.
#[derive(Debug)]
struct Failed {
    name: &'static str,
    error: crate::Error,
}

impl crate::ProvideCredentials for Failed {
    fn provide_credentials(&self) -> crate::ProvideFuture<'_> {
        crate::ProvideFuture::ready(Err(self.error.clone()))
    }
    fn name(&self) -> &str {
        self.name
    }
}
