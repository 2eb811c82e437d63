//! The RSA key-pair source (`rsa_key_pair`, STS `GenerateSessionAccessKey`, a Japan-site feature,
//! `docs/sources/alibaba.md#rsa-key-pair`).
//!
//! - Fields: `public_key_id`, `private_key_file` (its content is read when the provider is
//!   built), `duration_seconds` (default 3600, at least 900), endpoint options. Errors:
//!   "public_key_id cannot be empty", "private_key_file cannot be empty", "private_key cannot be
//!   empty".
//! - Endpoint: as [`StsEndpoint`] (`ALIBABA_CLOUD_STS_ENDPOINT` wins), with the default host
//!   `sts.ap-northeast-1.aliyuncs.com` (Python, Java).
//! - Wire and signature as the Python reference: `GET /?Action=GenerateSessionAccessKey&
//!   Format=JSON&Version=2015-04-01&DurationSeconds=..&AccessKeyId=<public_key_id>` plus the RPC v1
//!   signature parameters, signed with HMAC-SHA1 whose key is the private key file's text (as
//!   read, untrimmed) followed by `&`. (Go's legacy SHA256withRSA variant is not used; which one
//!   the live service accepts has not been verified.) Percent-encoding is RFC 3986.
//! - Answer `{"SessionAccessKey":{"SessionAccessKeyId","SessionAccessKeySecret","Expiration"}}`:
//!   an AccessKey with an expiry and **no token**.
//! - Cached with [`RefreshPolicy::STS`]; 5 s connect / 10 s read; proxies from the environment.
//!   Provider name `rsa_key_pair`.

use std::fmt;
use std::path::PathBuf;

use http::Method;
use serde_json::Value;

use super::profile::IniSection;
use super::service_error::{missing_object, parse_json, service_error};
use super::settings::{non_empty, SetIf};
use super::sts::{self, StsEndpoint};
use super::Config;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::{Context, MAX_FILE_SIZE};
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::ProvideFuture;
use crate::sign::{self, rpc};

const NAME: &str = "rsa_key_pair";
/// The default STS host of `rsa_key_pair`.
pub const RSA_KEY_PAIR_STS_HOST: &str = "sts.ap-northeast-1.aliyuncs.com";

/// Builds a [`RsaKeyPairProvider`].
#[derive(Debug, Default, Clone)]
pub struct RsaKeyPairProviderBuilder {
    public_key_id: Option<String>,
    private_key_file: Option<PathBuf>,
    duration_seconds: Option<u64>,
    endpoint: StsEndpoint,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
}

impl RsaKeyPairProviderBuilder {
    /// The public key id (sent as `AccessKeyId`).
    pub fn public_key_id(mut self, v: impl Into<String>) -> Self {
        self.public_key_id = Some(v.into());
        self
    }
    /// The file holding the private key (PEM).
    pub fn private_key_file(mut self, p: impl Into<PathBuf>) -> Self {
        self.private_key_file = Some(p.into());
        self
    }
    /// Session duration in seconds (default 3600, at least 900).
    pub fn duration_seconds(mut self, s: u64) -> Self {
        self.duration_seconds = Some(s);
        self
    }
    super::sts::sts_builder_setters!();
    /// Validates, reads the key file and builds.
    pub fn build(self, ctx: &Context) -> Result<RsaKeyPairProvider> {
        let public_key_id = self
            .public_key_id
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Error::invalid_config("public_key_id cannot be empty").with_provider(NAME)
            })?;
        let file = self
            .private_key_file
            .filter(|p| !p.as_os_str().is_empty())
            .ok_or_else(|| {
                Error::invalid_config("private_key_file cannot be empty").with_provider(NAME)
            })?;
        let bytes = ctx.fs().read(&file, MAX_FILE_SIZE).map_err(|e| {
            Error::new(ErrorKind::File, "cannot read the private key file")
                .with_provider(NAME)
                .with_file(&file)
                .with_source(e)
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::new(ErrorKind::File, "the private key file is not UTF-8 text")
                .with_provider(NAME)
                .with_file(&file)
        })?;
        if text.is_empty() {
            return Err(Error::invalid_config("private_key cannot be empty")
                .with_provider(NAME)
                .with_file(&file));
        }
        let duration = sts::check_duration(
            self.duration_seconds
                .unwrap_or(sts::DEFAULT_DURATION_SECONDS),
            NAME,
        )?;
        let fetcher = RsaKeyPairFetcher {
            ctx: ctx.clone(),
            public_key_id,
            private_key: Secret::new(text),
            duration,
            endpoint: self
                .endpoint
                .resolve(ctx, RSA_KEY_PAIR_STS_HOST)
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

/// Session AccessKeys from an RSA key pair (`rsa_key_pair`).
pub type RsaKeyPairProvider = CachedProvider<RsaKeyPairFetcher>;

impl RsaKeyPairProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;
    /// A builder.
    pub fn builder() -> RsaKeyPairProviderBuilder {
        RsaKeyPairProviderBuilder::default()
    }
    /// Type `rsa_key_pair` of a [`Config`].
    pub(crate) fn from_config(c: &Config, ctx: &Context) -> Result<Self> {
        Self::builder()
            .timeouts(c.timeouts(Timeouts::STS))
            .set_if(c.sts_endpoint.clone(), RsaKeyPairProviderBuilder::endpoint)
            .set_if(
                non_empty(&c.public_key_id),
                RsaKeyPairProviderBuilder::public_key_id,
            )
            .set_if(
                non_empty(&c.private_key_file),
                RsaKeyPairProviderBuilder::private_key_file,
            )
            .set_if(c.duration(), RsaKeyPairProviderBuilder::duration_seconds)
            .build(ctx)
    }

    /// Type `rsa_key_pair` of a `credentials.ini` section.
    pub(crate) fn from_ini_section(s: &IniSection<'_>) -> Result<Self> {
        Self::builder()
            .set_if(
                s.get("public_key_id"),
                RsaKeyPairProviderBuilder::public_key_id,
            )
            .set_if(
                s.get("private_key_file"),
                RsaKeyPairProviderBuilder::private_key_file,
            )
            .build(s.ctx())
            .map_err(|e| s.at_file(e))
    }

    /// The STS base URL.
    pub fn endpoint(&self) -> &str {
        &self.fetcher().endpoint
    }
}

/// The `GenerateSessionAccessKey` call behind [`RsaKeyPairProvider`].
pub struct RsaKeyPairFetcher {
    ctx: Context,
    public_key_id: String,
    private_key: Secret,
    duration: u64,
    endpoint: String,
    timeouts: Timeouts,
}

impl fmt::Debug for RsaKeyPairFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKeyPairProvider")
            .field("public_key_id", &self.public_key_id)
            .field("private_key", &self.private_key)
            .field("duration_seconds", &self.duration)
            .field("endpoint", &crate::redact::url(&self.endpoint))
            .finish()
    }
}

impl RsaKeyPairFetcher {
    fn signed_request(&self) -> Result<HttpRequest> {
        let host = self.endpoint.split("://").nth(1).unwrap_or(&self.endpoint);
        let timestamp = sign::format_iso8601(crate::time::unix_seconds(self.ctx.now()))?;
        let mut req = rpc::RpcRequest::new(
            host,
            "GenerateSessionAccessKey",
            sts::STS_VERSION,
            timestamp,
            sign::new_nonce(),
        );
        req.query
            .push(("DurationSeconds".into(), self.duration.to_string()));
        let signed =
            rpc::sign_with_secret(&req, &self.public_key_id, self.private_key.expose(), None)?;
        Ok(HttpRequest::new(
            Method::GET,
            format!("{}/?{}", self.endpoint, signed.query_string),
        )
        .timeouts(self.timeouts)
        .proxy(ProxyPolicy::FromEnv))
    }

    async fn generate(&self) -> Result<Credentials> {
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::REMOTE, || {
            self.signed_request()
        })
        .await
        .map_err(|e| e.with_provider(NAME))?;
        let endpoint = format!("{}/", self.endpoint);
        if !resp.is_success() {
            return Err(
                service_error(&resp, "GenerateSessionAccessKey", &endpoint).with_provider(NAME)
            );
        }
        let v = parse_json(&resp, "GenerateSessionAccessKey", NAME, &endpoint)?;
        let Some(sk) = v.get("SessionAccessKey").filter(|c| c.is_object()) else {
            return Err(missing_object(
                &v,
                "GenerateSessionAccessKey",
                "SessionAccessKey",
                NAME,
                &endpoint,
            ));
        };
        let field = |k: &str| sk.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        let missing: Vec<&str> = ["SessionAccessKeyId", "SessionAccessKeySecret", "Expiration"]
            .into_iter()
            .filter(|k| field(k).is_none())
            .collect();
        let invalid = |m: String| {
            Error::new(ErrorKind::InvalidResponse, m)
                .with_provider(NAME)
                .with_endpoint(endpoint.clone())
        };
        if !missing.is_empty() {
            return Err(invalid(format!(
                "the GenerateSessionAccessKey response lacks {}",
                missing.join(", ")
            )));
        }
        let exp = sts::parse_expiration(sk.get("Expiration")).ok_or_else(|| {
            invalid("the GenerateSessionAccessKey response has an invalid Expiration".into())
        })?;
        Ok(Credentials::builder(
            field("SessionAccessKeyId").unwrap_or_default(),
            field("SessionAccessKeySecret").unwrap_or_default(),
        )
        .expiration(exp)
        .provider_name(NAME)
        .build())
    }
}

impl Fetch for RsaKeyPairFetcher {
    const NAME: &'static str = NAME;
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.generate())
    }
}
