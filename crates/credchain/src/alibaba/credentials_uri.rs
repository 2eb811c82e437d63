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

use super::env_vars;
use super::remote;
use crate::cache::{RefreshPolicy, RefreshingCache};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::{ProvideCredentials, ProvideFuture};

/// Builds a [`CredentialsUriProvider`].
#[derive(Clone, Default)]
pub struct CredentialsUriProviderBuilder {
    uri: Option<String>,
    timeouts: Option<Timeouts>,
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
    /// Builds the provider. Without a URI it answers "not configured".
    pub fn build(self, ctx: &Context) -> CredentialsUriProvider {
        let uri = remote::explicit_or_env(self.uri, ctx, env_vars::CREDENTIALS_URI)
            .map(|u| u.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()))
            .map_err(|e| e.with_provider(NAME));
        let fetcher = UriFetcher {
            ctx: ctx.clone(),
            uri,
            timeouts: self.timeouts.unwrap_or(Timeouts::STS),
        };
        CredentialsUriProvider {
            cache: RefreshingCache::new(fetcher, RefreshPolicy::STS, ctx.shared_clock()),
        }
    }
}

/// Credentials from a local credentials server (`ALIBABA_CLOUD_CREDENTIALS_URI`).
pub struct CredentialsUriProvider {
    cache: RefreshingCache<UriFetcher>,
}

impl CredentialsUriProvider {
    /// The provider name (Python/Go spelling).
    pub const NAME: &'static str = "credential_uri";

    /// A builder.
    pub fn builder() -> CredentialsUriProviderBuilder {
        CredentialsUriProviderBuilder::default()
    }

    /// Whether a URI is configured (an unreadable `ALIBABA_CLOUD_CREDENTIALS_URI` counts: it is
    /// set, and this provider answers its error).
    pub fn is_configured(&self) -> bool {
        !matches!(self.cache.source().uri, Ok(None))
    }

    /// The answer given without a request: not configured, or an unreadable setting.
    fn refusal(&self) -> Option<Error> {
        match &self.cache.source().uri {
            Ok(Some(_)) => None,
            Ok(None) => Some(not_configured()),
            Err(e) => Some(e.clone()),
        }
    }
}

impl fmt::Debug for CredentialsUriProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may carry a token: show the endpoint only.
        let uri = self
            .cache
            .source()
            .uri
            .as_ref()
            .ok()
            .and_then(|u| u.as_deref());
        let uri = uri.map(crate::redact::url);
        f.debug_struct("CredentialsUriProvider")
            .field("uri", &uri)
            .finish()
    }
}

impl ProvideCredentials for CredentialsUriProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        if let Some(e) = self.refusal() {
            return ProvideFuture::ready(Err(e));
        }
        self.cache.provide_credentials()
    }
    fn name(&self) -> &str {
        Self::NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        if let Some(e) = self.refusal() {
            return ProvideFuture::ready(Err(e));
        }
        self.cache.force_refresh()
    }
}

fn not_configured() -> Error {
    Error::not_configured(
        "uri or environment variable ALIBABA_CLOUD_CREDENTIALS_URI cannot be empty",
    )
    .with_provider(CredentialsUriProvider::NAME)
}

struct UriFetcher {
    ctx: Context,
    uri: Result<Option<String>>,
    timeouts: Timeouts,
}

impl fmt::Debug for UriFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UriFetcher")
            .field(
                "uri",
                &self
                    .uri
                    .as_ref()
                    .ok()
                    .and_then(|u| u.as_deref())
                    .map(crate::redact::url),
            )
            .finish()
    }
}

const NAME: &str = CredentialsUriProvider::NAME;

impl UriFetcher {
    async fn fetch(&self) -> Result<Credentials> {
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
            return Err(remote::service_error(
                &resp,
                "getting credentials from the credentials URI",
                NAME,
                &endpoint,
            ));
        }
        let v = remote::parse_json(&resp, "credentials URI", NAME, &endpoint)?;
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
        remote::credentials_from(&v, true, "credentials URI", NAME, &endpoint)
    }
}

impl ProvideCredentials for UriFetcher {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.fetch())
    }
    fn name(&self) -> &str {
        NAME
    }
}
