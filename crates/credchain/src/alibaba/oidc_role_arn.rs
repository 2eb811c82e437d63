//! The OIDC role source (`oidc_role_arn`, RRSA, STS `AssumeRoleWithOIDC`,
//! `docs/sources/alibaba.md#oidc-role-rrsa`).
//!
//! - `role_arn` ← `ALIBABA_CLOUD_ROLE_ARN`, `oidc_provider_arn` ← `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
//!   `oidc_token_file_path` ← `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (all three required),
//!   `role_session_name` ← `ALIBABA_CLOUD_ROLE_SESSION_NAME` (else generated), duration 3600
//!   (at least 900), optional `policy`, endpoint as [`StsEndpoint`](super::StsEndpoint).
//! - The token file is read again for every fetch, so a rotated token is picked up.
//! - Unsigned `POST /`: `Action`, `Format`, `Version`, `Timestamp` in the query; `RoleArn`,
//!   `OIDCProviderArn`, `OIDCToken`, `RoleSessionName`, `DurationSeconds`, `Policy` in the form
//!   body. The token never goes into a URL (`docs/architecture.md#secret-hygiene`).
//! - 5 s connect / 10 s read, proxies from the environment, retried like AssumeRole, cached with
//!   [`RefreshPolicy::STS`]. Credentials are named `oidc_role_arn`.

use std::fmt;
use std::path::PathBuf;

use http::Method;

use super::cli_profile::CliProfile;
use super::env_vars;
use super::profile::IniSection;
use super::settings::{non_empty, SetIf};
use super::sts::{self, StsEndpoint};
use super::Config;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::{Context, MAX_FILE_SIZE};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::ProvideFuture;
use crate::sign::{self, encode::encode_query};

/// Builds an [`OidcRoleArnProvider`].
#[derive(Debug, Clone, Default)]
pub struct OidcRoleArnProviderBuilder {
    role_arn: Option<String>,
    oidc_provider_arn: Option<String>,
    oidc_token_file_path: Option<String>,
    role_session_name: Option<String>,
    duration_seconds: Option<u64>,
    policy: Option<String>,
    endpoint: StsEndpoint,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
}

impl OidcRoleArnProviderBuilder {
    /// The role to assume (default `ALIBABA_CLOUD_ROLE_ARN`).
    pub fn role_arn(mut self, v: impl Into<String>) -> Self {
        self.role_arn = Some(v.into());
        self
    }
    /// The OIDC provider ARN (default `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`).
    pub fn oidc_provider_arn(mut self, v: impl Into<String>) -> Self {
        self.oidc_provider_arn = Some(v.into());
        self
    }
    /// The token file (default `ALIBABA_CLOUD_OIDC_TOKEN_FILE`).
    pub fn oidc_token_file_path(mut self, v: impl Into<String>) -> Self {
        self.oidc_token_file_path = Some(v.into());
        self
    }
    /// The session name (default `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else generated).
    pub fn role_session_name(mut self, v: impl Into<String>) -> Self {
        self.role_session_name = Some(v.into());
        self
    }
    /// Session duration in seconds (default 3600, at least 900).
    pub fn duration_seconds(mut self, s: u64) -> Self {
        self.duration_seconds = Some(s);
        self
    }
    /// An inline policy.
    pub fn policy(mut self, v: impl Into<String>) -> Self {
        self.policy = Some(v.into());
        self
    }
    super::sts::sts_builder_setters!();

    /// Validates and builds; env fallbacks are read from `ctx` now.
    pub fn build(self, ctx: &Context) -> Result<OidcRoleArnProvider> {
        let need = |v: Option<String>, var: &str, field: &str| {
            sts::explicit_or_env(v, ctx, var)
                .map_err(|e| e.with_provider(NAME))?
                .ok_or_else(|| {
                    Error::invalid_config(format!(
                        "{field} or environment variable {var} cannot be empty"
                    ))
                    .with_provider(NAME)
                })
        };
        let role_arn = need(self.role_arn, env_vars::ROLE_ARN, "role_arn")?;
        let provider_arn = need(
            self.oidc_provider_arn,
            env_vars::OIDC_PROVIDER_ARN,
            "oidc_provider_arn",
        )?;
        let token_file = need(
            self.oidc_token_file_path,
            env_vars::OIDC_TOKEN_FILE,
            "oidc_token_file_path",
        )?;
        let session =
            sts::explicit_or_env(self.role_session_name, ctx, env_vars::ROLE_SESSION_NAME)
                .map_err(|e| e.with_provider(NAME))?
                .unwrap_or_else(|| sts::default_session_name(ctx));
        let duration = sts::check_duration(
            self.duration_seconds
                .unwrap_or(sts::DEFAULT_DURATION_SECONDS),
            NAME,
        )?;
        let fetcher = OidcRoleArnFetcher {
            ctx: ctx.clone(),
            role_arn,
            provider_arn,
            token_file: PathBuf::from(token_file),
            session,
            duration,
            policy: self.policy.filter(|p| !p.is_empty()),
            endpoint: self
                .endpoint
                .resolve(ctx, sts::DEFAULT_STS_HOST)
                .map_err(|e| e.with_provider(NAME))?,
            timeouts: self.timeouts.unwrap_or(Timeouts::STS),
        };
        Ok(CachedProvider::new(
            fetcher,
            self.refresh_policy.unwrap_or(RefreshPolicy::STS),
            ctx.shared_clock(),
        ))
    }
}

/// Whether all three RRSA variables are set (the default chain's gate,
/// `docs/sources/alibaba.md#default-chain`).
pub(crate) fn rrsa_env_present(ctx: &Context) -> bool {
    [
        env_vars::OIDC_TOKEN_FILE,
        env_vars::ROLE_ARN,
        env_vars::OIDC_PROVIDER_ARN,
    ]
    .iter()
    // Set but unreadable counts as set: building the source then reports it.
    .all(|v| !matches!(ctx.env_non_empty(v), Ok(None)))
}

/// Credentials from an OIDC token (`oidc_role_arn`, RRSA on ACK).
pub type OidcRoleArnProvider = CachedProvider<OidcRoleArnFetcher>;

impl OidcRoleArnProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> OidcRoleArnProviderBuilder {
        OidcRoleArnProviderBuilder::default()
    }
    /// Type `oidc_role_arn` of a [`Config`].
    pub(crate) fn from_config(c: &Config, ctx: &Context) -> Result<Self> {
        Self::builder()
            .timeouts(c.timeouts(Timeouts::STS))
            .set_if(c.sts_endpoint.clone(), OidcRoleArnProviderBuilder::endpoint)
            .set_if(non_empty(&c.role_arn), OidcRoleArnProviderBuilder::role_arn)
            .set_if(
                non_empty(&c.oidc_provider_arn),
                OidcRoleArnProviderBuilder::oidc_provider_arn,
            )
            .set_if(
                non_empty(&c.oidc_token_file_path),
                OidcRoleArnProviderBuilder::oidc_token_file_path,
            )
            .set_if(
                non_empty(&c.role_session_name),
                OidcRoleArnProviderBuilder::role_session_name,
            )
            .set_if(non_empty(&c.policy), OidcRoleArnProviderBuilder::policy)
            .set_if(c.duration(), OidcRoleArnProviderBuilder::duration_seconds)
            .build(ctx)
    }

    /// Mode `OIDC` of a `config.json` profile.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        Self::builder()
            .endpoint_options(p.sts_endpoint())
            .set_if(
                p.string("ram_role_arn"),
                OidcRoleArnProviderBuilder::role_arn,
            )
            .set_if(
                p.string("oidc_provider_arn"),
                OidcRoleArnProviderBuilder::oidc_provider_arn,
            )
            .set_if(
                p.string("oidc_token_file"),
                OidcRoleArnProviderBuilder::oidc_token_file_path,
            )
            .set_if(
                p.string("ram_session_name"),
                OidcRoleArnProviderBuilder::role_session_name,
            )
            .set_if(
                p.expired_seconds(),
                OidcRoleArnProviderBuilder::duration_seconds,
            )
            .set_if(p.string("policy"), OidcRoleArnProviderBuilder::policy)
            .build(p.ctx())
            .map_err(|e| p.at_file(e))
    }

    /// Type `oidc_role_arn` of a `credentials.ini` section.
    pub(crate) fn from_ini_section(s: &IniSection<'_>) -> Result<Self> {
        Self::builder()
            .set_if(s.get("role_arn"), OidcRoleArnProviderBuilder::role_arn)
            .set_if(
                s.get("oidc_provider_arn"),
                OidcRoleArnProviderBuilder::oidc_provider_arn,
            )
            .set_if(
                s.get("oidc_token_file_path"),
                OidcRoleArnProviderBuilder::oidc_token_file_path,
            )
            .set_if(
                s.get("role_session_name"),
                OidcRoleArnProviderBuilder::role_session_name,
            )
            .set_if(s.get("policy"), OidcRoleArnProviderBuilder::policy)
            .build(s.ctx())
            .map_err(|e| s.at_file(e))
    }

    /// The STS base URL requests go to.
    pub fn endpoint(&self) -> &str {
        &self.fetcher().endpoint
    }
}

const NAME: &str = "oidc_role_arn";

/// The `AssumeRoleWithOIDC` call behind [`OidcRoleArnProvider`].
pub struct OidcRoleArnFetcher {
    ctx: Context,
    role_arn: String,
    provider_arn: String,
    token_file: PathBuf,
    session: String,
    duration: u64,
    policy: Option<String>,
    endpoint: String,
    timeouts: Timeouts,
}

impl fmt::Debug for OidcRoleArnFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleArnProvider")
            .field("role_arn", &self.role_arn)
            .field("oidc_provider_arn", &self.provider_arn)
            .field("oidc_token_file_path", &self.token_file)
            .field("role_session_name", &self.session)
            .field("duration_seconds", &self.duration)
            .field("endpoint", &crate::redact::url(&self.endpoint))
            .finish()
    }
}

impl OidcRoleArnFetcher {
    fn read_token(&self) -> Result<String> {
        let bytes = self
            .ctx
            .fs()
            .read(&self.token_file, MAX_FILE_SIZE)
            .map_err(|e| {
                Error::new(ErrorKind::File, "cannot read the OIDC token file")
                    .with_provider(NAME)
                    .with_file(&self.token_file)
                    .with_source(e)
            })?;
        let token = String::from_utf8(bytes)
            .map_err(|_| {
                Error::new(
                    ErrorKind::File,
                    "the OIDC token file is not valid UTF-8 text",
                )
                .with_provider(NAME)
                .with_file(&self.token_file)
            })?
            .trim()
            .to_string();
        if token.is_empty() {
            return Err(Error::new(ErrorKind::File, "the OIDC token file is empty")
                .with_provider(NAME)
                .with_file(&self.token_file));
        }
        Ok(token)
    }

    fn request(&self, token: &str) -> Result<HttpRequest> {
        let timestamp = sign::format_iso8601(crate::time::unix_seconds(self.ctx.now()))?;
        let query = encode_query(&[
            ("Action", "AssumeRoleWithOIDC"),
            ("Format", "JSON"),
            ("Version", sts::STS_VERSION),
            ("Timestamp", timestamp.as_str()),
        ]);
        let duration = self.duration.to_string();
        let mut form = vec![
            ("RoleArn", self.role_arn.as_str()),
            ("OIDCProviderArn", self.provider_arn.as_str()),
            ("OIDCToken", token),
            ("RoleSessionName", self.session.as_str()),
            ("DurationSeconds", duration.as_str()),
        ];
        if let Some(p) = &self.policy {
            form.push(("Policy", p.as_str()));
        }
        Ok(
            HttpRequest::new(Method::POST, format!("{}/?{query}", self.endpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept-Encoding", "identity")
                .body(encode_query(&form))
                .timeouts(self.timeouts)
                .proxy(ProxyPolicy::FromEnv),
        )
    }

    async fn assume_role(&self) -> Result<Credentials> {
        let token = zeroize::Zeroizing::new(self.read_token()?);
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::REMOTE, || {
            self.request(&token)
        })
        .await
        .map_err(|e| e.with_provider(NAME).redact([token.as_str()]))?;
        sts::sts_credentials(
            &resp,
            "AssumeRoleWithOIDC",
            NAME,
            &format!("{}/", self.endpoint),
        )
        .map_err(|e| e.redact([token.as_str()]))
    }
}

impl Fetch for OidcRoleArnFetcher {
    const NAME: &'static str = NAME;
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.assume_role())
    }
}
