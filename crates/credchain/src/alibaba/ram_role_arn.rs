//! The RAM role source (`ram_role_arn`, STS `AssumeRole`, `docs/sources/alibaba.md#ram-role`).
//!
//! - Source credentials: any provider ([`RamRoleArnProviderBuilder::source`], which is how
//!   ChainableRamRoleArn works), else an AccessKey (+ STS token) given to the builder, with the
//!   `ALIBABA_CLOUD_ACCESS_KEY_*` fallbacks. The source's STS token is sent as `SecurityToken`.
//! - `role_arn` ← `ALIBABA_CLOUD_ROLE_ARN`; `role_session_name` ← `ALIBABA_CLOUD_ROLE_SESSION_NAME`,
//!   else `credentials-rust-<unix seconds>`; `duration_seconds` default 3600, at least 900;
//!   `policy`, `external_id` sent only when non-empty.
//! - Endpoint: see [`StsEndpoint`](super::StsEndpoint) (`ALIBABA_CLOUD_STS_ENDPOINT` wins).
//! - Wire: `POST /` with `Action`, `Format`, `Version` and the signature parameters in the query,
//!   the role parameters as an `application/x-www-form-urlencoded` body (the Go library's
//!   form), signed with RPC v1 (HMAC-SHA1, RFC 3986 encoding: a space is `%20`, so a policy
//!   with spaces works), a fresh nonce and UTC timestamp for every attempt.
//! - 5 s connect / 10 s read, proxies from the environment, 5xx/throttling/connection failures
//!   retried (each attempt re-signed), cached with [`RefreshPolicy::STS`] (single flight).
//! - Credentials are named `ram_role_arn/<source>` (e.g. `ram_role_arn/static_sts`).

use std::fmt;

use http::Method;

use super::cli_profile::CliProfile;
use super::env_vars;
use super::profile::IniSection;
use super::settings::{non_empty, SetIf};
use super::static_ak::StaticAccessKeyProvider;
use super::static_sts::StaticStsProvider;
use super::sts::{self, StsEndpoint};
use super::Config;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::http::{send_with_retry, HttpRequest, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};
use crate::sign::{self, rpc};

/// Builds a [`RamRoleArnProvider`].
#[derive(Default, Clone)]
pub struct RamRoleArnProviderBuilder {
    source: Option<SharedProvider>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    duration_seconds: Option<u64>,
    policy: Option<String>,
    external_id: Option<String>,
    endpoint: StsEndpoint,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
}

impl fmt::Debug for RamRoleArnProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnProviderBuilder")
            .field(
                "source",
                &self.source.as_ref().map(|s| s.name().to_string()),
            )
            .field("access_key_id", &self.access_key_id)
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

macro_rules! setter {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        pub fn $name(mut self, v: impl Into<String>) -> Self {
            self.$name = Some(v.into());
            self
        }
    };
}

impl RamRoleArnProviderBuilder {
    /// The provider whose credentials sign the AssumeRole call (chaining).
    pub fn source(mut self, p: SharedProvider) -> Self {
        self.source = Some(p);
        self
    }
    setter!(
        /// Source AccessKey id (when no [`source`](Self::source) is given).
        access_key_id
    );
    setter!(
        /// Source AccessKey secret.
        access_key_secret
    );
    setter!(
        /// Source STS token (makes the source `static_sts`).
        security_token
    );
    setter!(
        /// The role to assume (default `ALIBABA_CLOUD_ROLE_ARN`).
        role_arn
    );
    setter!(
        /// The session name (default `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else generated).
        role_session_name
    );
    setter!(
        /// An inline policy narrowing the role's permissions.
        policy
    );
    setter!(
        /// The external id the role's trust policy requires.
        external_id
    );
    /// Session duration in seconds (default 3600, at least 900).
    pub fn duration_seconds(mut self, s: u64) -> Self {
        self.duration_seconds = Some(s);
        self
    }
    super::sts::sts_builder_setters!();

    /// Validates and builds; env fallbacks are read from `ctx` now.
    pub fn build(self, ctx: &Context) -> Result<RamRoleArnProvider> {
        let name = RamRoleArnProvider::NAME;
        let source = match self.source {
            Some(s) => s,
            None => {
                let has_token = self
                    .security_token
                    .as_deref()
                    .is_some_and(|t| !t.is_empty());
                let built = if has_token {
                    StaticStsProvider::with_env_fallback(
                        self.access_key_id,
                        self.access_key_secret,
                        self.security_token,
                        ctx,
                    )
                    .map(SharedProvider::new)
                } else {
                    StaticAccessKeyProvider::with_env_fallback(
                        self.access_key_id,
                        self.access_key_secret,
                        ctx,
                    )
                    .map(SharedProvider::new)
                };
                built.map_err(|e| {
                    e.with_hint(
                        "ram_role_arn needs source credentials: an AccessKey or a source provider",
                    )
                })?
            }
        };
        let role_arn = sts::explicit_or_env(self.role_arn, ctx, env_vars::ROLE_ARN)
            .map_err(|e| e.with_provider(name))?
            .ok_or_else(|| {
                Error::invalid_config(
                    "role_arn or environment variable ALIBABA_CLOUD_ROLE_ARN cannot be empty",
                )
                .with_provider(name)
            })?;
        let session =
            sts::explicit_or_env(self.role_session_name, ctx, env_vars::ROLE_SESSION_NAME)
                .map_err(|e| e.with_provider(name))?
                .unwrap_or_else(|| sts::default_session_name(ctx));
        let duration = sts::check_duration(
            self.duration_seconds
                .unwrap_or(sts::DEFAULT_DURATION_SECONDS),
            name,
        )?;
        let endpoint = self
            .endpoint
            .resolve(ctx, sts::DEFAULT_STS_HOST)
            .map_err(|e| e.with_provider(name))?;
        let fetcher = RamRoleArnFetcher {
            ctx: ctx.clone(),
            source,
            role_arn,
            session,
            duration,
            policy: self.policy.filter(|p| !p.is_empty()),
            external_id: self.external_id.filter(|p| !p.is_empty()),
            endpoint,
            timeouts: self.timeouts.unwrap_or(Timeouts::STS),
        };
        Ok(CachedProvider::new(
            fetcher,
            self.refresh_policy.unwrap_or(RefreshPolicy::STS),
            ctx.shared_clock(),
        ))
    }
}

/// Credentials of an assumed RAM role (`ram_role_arn`).
///
/// ```
/// use credchain::alibaba::RamRoleArnProvider;
/// use credchain::context::Context;
/// let e = RamRoleArnProvider::builder()
///     .access_key_id("LTAI5tExample").access_key_secret("s")
///     .role_arn("acs:ram::123456789012:role/test")
///     .duration_seconds(899)
///     .build(&Context::empty())
///     .unwrap_err();
/// assert!(e.message().contains("900s"));
/// ```
pub type RamRoleArnProvider = CachedProvider<RamRoleArnFetcher>;

impl RamRoleArnProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> RamRoleArnProviderBuilder {
        RamRoleArnProviderBuilder::default()
    }
    /// Type `ram_role_arn` of a [`Config`].
    pub(crate) fn from_config(c: &Config, ctx: &Context) -> Result<Self> {
        Self::builder()
            .timeouts(c.timeouts(Timeouts::STS))
            .set_if(c.sts_endpoint.clone(), RamRoleArnProviderBuilder::endpoint)
            .set_if(
                non_empty(&c.access_key_id),
                RamRoleArnProviderBuilder::access_key_id,
            )
            .set_if(
                non_empty(&c.access_key_secret),
                RamRoleArnProviderBuilder::access_key_secret,
            )
            .set_if(
                non_empty(&c.security_token),
                RamRoleArnProviderBuilder::security_token,
            )
            .set_if(non_empty(&c.role_arn), RamRoleArnProviderBuilder::role_arn)
            .set_if(
                non_empty(&c.role_session_name),
                RamRoleArnProviderBuilder::role_session_name,
            )
            .set_if(non_empty(&c.policy), RamRoleArnProviderBuilder::policy)
            .set_if(
                non_empty(&c.external_id),
                RamRoleArnProviderBuilder::external_id,
            )
            .set_if(c.duration(), RamRoleArnProviderBuilder::duration_seconds)
            .build(ctx)
    }

    /// Modes `RamRoleArn` (no `source`: the profile's AccessKey signs) and, with the source
    /// given, `ChainableRamRoleArn` and `RamRoleArnWithRoleName` of a `config.json` profile.
    /// `external_id`, else `ALIBABA_CLOUD_EXTERNAL_ID` (aliyun-cli's fallback).
    pub(crate) fn from_cli_profile(
        p: &CliProfile<'_>,
        source: Option<SharedProvider>,
    ) -> Result<Self> {
        let env_external_id = p.env(env_vars::EXTERNAL_ID)?;
        let b = Self::builder().endpoint_options(p.sts_endpoint()).set_if(
            p.string("ram_role_arn"),
            RamRoleArnProviderBuilder::role_arn,
        );
        let b = match source {
            Some(src) => b.source(src),
            None => b
                .set_if(
                    p.string("access_key_id"),
                    RamRoleArnProviderBuilder::access_key_id,
                )
                .set_if(
                    p.string("access_key_secret"),
                    RamRoleArnProviderBuilder::access_key_secret,
                ),
        };
        b.set_if(
            p.string("ram_session_name"),
            RamRoleArnProviderBuilder::role_session_name,
        )
        .set_if(
            p.expired_seconds(),
            RamRoleArnProviderBuilder::duration_seconds,
        )
        .set_if(p.string("policy"), RamRoleArnProviderBuilder::policy)
        .set_if(
            p.string("external_id").or(env_external_id),
            RamRoleArnProviderBuilder::external_id,
        )
        .build(p.ctx())
        .map_err(|e| p.at_file(e))
    }

    /// Type `ram_role_arn` of a `credentials.ini` section.
    pub(crate) fn from_ini_section(s: &IniSection<'_>) -> Result<Self> {
        Self::builder()
            .set_if(
                s.get("access_key_id"),
                RamRoleArnProviderBuilder::access_key_id,
            )
            .set_if(
                s.get("access_key_secret"),
                RamRoleArnProviderBuilder::access_key_secret,
            )
            .set_if(s.get("role_arn"), RamRoleArnProviderBuilder::role_arn)
            .set_if(
                s.get("role_session_name"),
                RamRoleArnProviderBuilder::role_session_name,
            )
            .set_if(s.get("policy"), RamRoleArnProviderBuilder::policy)
            .build(s.ctx())
            .map_err(|e| s.at_file(e))
    }

    /// The STS base URL requests go to.
    pub fn endpoint(&self) -> &str {
        &self.fetcher().endpoint
    }
    /// The role session name.
    pub fn role_session_name(&self) -> &str {
        &self.fetcher().session
    }
    /// The session duration in seconds.
    pub fn duration_seconds(&self) -> u64 {
        self.fetcher().duration
    }
}

/// The `AssumeRole` call behind [`RamRoleArnProvider`].
pub struct RamRoleArnFetcher {
    ctx: Context,
    source: SharedProvider,
    role_arn: String,
    session: String,
    duration: u64,
    policy: Option<String>,
    external_id: Option<String>,
    endpoint: String,
    timeouts: Timeouts,
}

impl fmt::Debug for RamRoleArnFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnProvider")
            .field("source", &self.source.name())
            .field("role_arn", &self.role_arn)
            .field("role_session_name", &self.session)
            .field("duration_seconds", &self.duration)
            .field("policy", &self.policy.is_some())
            .field("external_id", &self.external_id.is_some())
            .field("endpoint", &crate::redact::url(&self.endpoint))
            .finish()
    }
}

const NAME: &str = "ram_role_arn";

impl RamRoleArnFetcher {
    fn signed_request(&self, source: &Credentials) -> Result<HttpRequest> {
        let host = self
            .endpoint
            .split("://")
            .nth(1)
            .unwrap_or(&self.endpoint)
            .to_string();
        let timestamp = sign::format_iso8601(crate::time::unix_seconds(self.ctx.now()))?;
        let mut req = rpc::RpcRequest::new(
            host,
            "AssumeRole",
            sts::STS_VERSION,
            timestamp,
            sign::new_nonce(),
        );
        req.method = "POST".into();
        req.form.push(("RoleArn".into(), self.role_arn.clone()));
        req.form
            .push(("RoleSessionName".into(), self.session.clone()));
        req.form
            .push(("DurationSeconds".into(), self.duration.to_string()));
        if let Some(p) = &self.policy {
            req.form.push(("Policy".into(), p.clone()));
        }
        if let Some(x) = &self.external_id {
            req.form.push(("ExternalId".into(), x.clone()));
        }
        let signed = rpc::sign(&req, source)?;
        Ok(HttpRequest::new(
            Method::POST,
            format!("{}/?{}", self.endpoint, signed.query_string),
        )
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept-Encoding", "identity")
        .header("x-acs-credentials-provider", self.source.name())
        .body(signed.form_body)
        .timeouts(self.timeouts)
        .proxy(ProxyPolicy::FromEnv))
    }

    async fn assume_role(&self) -> Result<Credentials> {
        let source = self
            .source
            .provide_credentials()
            .await
            .map_err(|e| e.with_provider(self.source.name()))?;
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::REMOTE, || {
            self.signed_request(&source)
        })
        .await
        .map_err(|e| e.with_provider(NAME).redact_credentials(&source))?;
        let endpoint = format!("{}/", self.endpoint);
        // The service may echo the request (Alibaba's string to sign holds the SecurityToken).
        let c = sts::sts_credentials(&resp, "AssumeRole", NAME, &endpoint)
            .map_err(|e| e.redact_credentials(&source))?;
        let inner = source.provider_name();
        Ok(if inner.is_empty() {
            c
        } else {
            rename(&c, &format!("{NAME}/{inner}"))
        })
    }
}

/// The same credentials under another provider name.
pub(crate) fn rename(c: &Credentials, name: &str) -> Credentials {
    Credentials::builder(c.access_key_id(), c.access_key_secret())
        .security_token_opt(c.security_token())
        .expiration_opt(c.expiration())
        .provider_name(name)
        .build()
}

impl Fetch for RamRoleArnFetcher {
    const NAME: &'static str = NAME;
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.assume_role())
    }
}
