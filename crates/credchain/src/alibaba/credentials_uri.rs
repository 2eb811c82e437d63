//! The credentials-URI source (`docs/sources/alibaba.md#credentials-uri`).
//!
//! `GET <uri>` (the URI exactly as given, query included), no authentication. The answer must be
//! HTTP 200 with `{"Code": "Success", "AccessKeyId", "AccessKeySecret", "SecurityToken",
//! "Expiration"}`; anything else is an error. The URI comes from the builder, else
//! `ALIBABA_CLOUD_CREDENTIALS_URI`; neither → "not configured".
//!
//! **Provider name**: `credential_uri`, as the Python and Go references report it (Java says
//! `credentials_uri`; the `Client` type name is `credentials_uri` everywhere, and
//! [`crate::alibaba::Client::get_type`] returns that).
//!
//! 5 s connect / 10 s read, proxies from the environment, 5xx/throttling/connection failures
//! retried, cached with [`RefreshPolicy::STS`].

use std::fmt;

use http::Method;
use serde_json::Value;

use super::cli_profile::CliProfile;
use super::env_vars;
use super::service_error::{parse_json, service_error};
use super::settings::{non_empty, SetIf};
use super::sts;
use super::Config;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::ProvideFuture;

/// Builds a [`CredentialsUriProvider`].
#[derive(Clone, Default)]
pub struct CredentialsUriProviderBuilder {
    uri: Option<String>,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
}

impl fmt::Debug for CredentialsUriProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URI may carry a password, a token in its query or a secret path.
        f.debug_struct("CredentialsUriProviderBuilder")
            .field("uri", &self.uri.as_deref().map(crate::redact::url))
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

impl CredentialsUriProviderBuilder {
    /// The URI (default: `ALIBABA_CLOUD_CREDENTIALS_URI`).
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }
    /// Timeouts (default [`Timeouts::STS`]).
    pub fn timeouts(mut self, t: Timeouts) -> Self {
        self.timeouts = Some(t);
        self
    }
    /// Refresh policy (default [`RefreshPolicy::STS`]).
    pub fn refresh_policy(mut self, p: RefreshPolicy) -> Self {
        self.refresh_policy = Some(p);
        self
    }
    /// Builds the provider. Without a URI it answers "not configured" (this never fails today;
    /// it returns a `Result` as every builder does).
    pub fn build(self, ctx: &Context) -> Result<CredentialsUriProvider> {
        let uri = sts::explicit_or_env(self.uri, ctx, env_vars::CREDENTIALS_URI)
            .map(|u| u.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()))
            .map_err(|e| e.with_provider(NAME));
        let fetcher = CredentialsUriFetcher {
            ctx: ctx.clone(),
            uri,
            timeouts: self.timeouts.unwrap_or(Timeouts::STS),
        };
        Ok(CachedProvider::new(
            fetcher,
            self.refresh_policy.unwrap_or(RefreshPolicy::STS),
            ctx.shared_clock(),
        ))
    }
}

/// Credentials from a local credentials server (`ALIBABA_CLOUD_CREDENTIALS_URI`).
pub type CredentialsUriProvider = CachedProvider<CredentialsUriFetcher>;

impl CredentialsUriProvider {
    /// The provider name (Python/Go spelling).
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> CredentialsUriProviderBuilder {
        CredentialsUriProviderBuilder::default()
    }

    /// Type `credentials_uri` of a [`Config`]: without a URI (here or in
    /// `ALIBABA_CLOUD_CREDENTIALS_URI`) the config is invalid.
    pub(crate) fn from_config(c: &Config, ctx: &Context) -> Result<Self> {
        let p = Self::builder()
            .timeouts(c.timeouts(Timeouts::STS))
            .set_if(
                non_empty(&c.credentials_uri),
                CredentialsUriProviderBuilder::uri,
            )
            .build(ctx)?;
        if !p.is_configured() {
            return Err(not_configured().with_kind(ErrorKind::InvalidConfig));
        }
        Ok(p)
    }

    /// Mode `CredentialsURI` of a `config.json` profile (a credchain extension): key
    /// `credentials_uri`, refused when external sources are disabled.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        p.allow_external_process()?;
        let uri = p.need("credentials_uri")?;
        Self::builder().uri(uri).build(p.ctx())
    }

    /// Whether a URI is configured (an unreadable `ALIBABA_CLOUD_CREDENTIALS_URI` counts: it is
    /// set, and this provider answers its error).
    pub fn is_configured(&self) -> bool {
        !matches!(self.fetcher().uri, Ok(None))
    }
}

fn not_configured() -> Error {
    Error::not_configured(
        "uri or environment variable ALIBABA_CLOUD_CREDENTIALS_URI cannot be empty",
    )
    .with_provider(NAME)
}

/// The `GET <uri>` behind [`CredentialsUriProvider`]. Without a URI, or with an unreadable
/// setting, it answers that at once, without a request.
pub struct CredentialsUriFetcher {
    ctx: Context,
    uri: Result<Option<String>>,
    timeouts: Timeouts,
}

impl fmt::Debug for CredentialsUriFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may carry a token: show the endpoint only.
        let uri = self.uri.as_ref().ok().and_then(|u| u.as_deref());
        f.debug_struct("CredentialsUriProvider")
            .field("uri", &uri.map(crate::redact::url))
            .finish()
    }
}

const NAME: &str = "credential_uri";

impl CredentialsUriFetcher {
    async fn get(&self) -> Result<Credentials> {
        let uri = match &self.uri {
            Ok(Some(uri)) => uri.as_str(),
            Ok(None) => return Err(not_configured()),
            Err(e) => return Err(e.clone()),
        };
        if !(uri.starts_with("http://") || uri.starts_with("https://")) {
            return Err(Error::invalid_config("Credential URI is not valid.")
                .with_provider(NAME)
                .with_hint("use an http:// or https:// URL"));
        }
        let endpoint = crate::redact::url(uri);
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::REMOTE, || {
            Ok(HttpRequest::new(Method::GET, uri)
                .timeouts(self.timeouts)
                .proxy(ProxyPolicy::FromEnv))
        })
        .await
        .map_err(|e| e.with_provider(NAME))?;
        if resp.status != 200 {
            return Err(service_error(
                &resp,
                "getting credentials from the credentials URI",
                &endpoint,
            )
            .with_provider(NAME));
        }
        let v = parse_json(&resp, "credentials URI", NAME, &endpoint)?;
        let code = v.get("Code").and_then(Value::as_str).unwrap_or_default();
        if code != "Success" {
            return Err(Error::new(
                ErrorKind::Service,
                "the credentials URI did not answer Code \"Success\"",
            )
            .with_provider(NAME)
            .with_endpoint(endpoint)
            .with_service_error(
                code,
                v.get("Message").and_then(Value::as_str).unwrap_or_default(),
                None,
            ));
        }
        sts::credentials_from(&v, true, "credentials URI", NAME, &endpoint)
    }
}

impl Fetch for CredentialsUriFetcher {
    const NAME: &'static str = NAME;
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.get())
    }
}
