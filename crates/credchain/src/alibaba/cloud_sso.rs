//! The CloudSSO source (`cloud_sso`, aliyun-cli mode `CloudSSO`,
//! `docs/sources/alibaba.md#cloudsso`).
//!
//! - Fields: sign-in URL, account id, access configuration id, SSO access token and its expiry
//!   (Unix seconds). At build time an empty token, an expiry of 0 or one already past is
//!   "CloudSSO access token is empty or expired, please re-login with cli"; an empty URL, account
//!   or configuration is "CloudSSO sign in url or account id or access config is empty". The
//!   token is checked again at every refresh; it is never refreshed and nothing is written back.
//! - Wire: `POST {scheme}://{host[:port]} of the sign-in URL/cloud-credentials` (any path of the
//!   URL is dropped), `Authorization: Bearer <token>`, JSON body
//!   `{"AccountId","AccessConfigurationId"}`; answer
//!   `{"RequestId","CloudCredential":{"AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}}`.
//!   Errors report `ErrorCode` / `ErrorMessage` / `RequestId` (as aliyun-cli does).
//! - Cached with [`RefreshPolicy::STS`]; 5 s connect / 10 s read; proxies from the environment.
//!   Provider name `cloud_sso`.

use std::fmt;

use http::Method;
use serde_json::json;

use super::cli_profile::CliProfile;
use super::service_error::{missing_object, parse_json, service_error_shaped, ErrorShape};
use super::sts;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::Context;
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::ProvideFuture;

const NAME: &str = "cloud_sso";
const EXPIRED: &str = "CloudSSO access token is empty or expired, please re-login with cli";

/// Builds a [`CloudSsoProvider`].
#[derive(Default, Clone)]
pub struct CloudSsoProviderBuilder {
    sign_in_url: Option<String>,
    account_id: Option<String>,
    access_config: Option<String>,
    access_token: Option<String>,
    access_token_expire: i64,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
}

impl fmt::Debug for CloudSsoProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudSsoProviderBuilder")
            .field("sign_in_url", &self.sign_in_url)
            .field("account_id", &self.account_id)
            .field("access_config", &self.access_config)
            .finish_non_exhaustive()
    }
}

impl CloudSsoProviderBuilder {
    /// The sign-in URL (`cloud_sso_sign_in_url`); only scheme, host and port are used.
    pub fn sign_in_url(mut self, v: impl Into<String>) -> Self {
        self.sign_in_url = Some(v.into());
        self
    }
    /// The account id (`cloud_sso_account_id`).
    pub fn account_id(mut self, v: impl Into<String>) -> Self {
        self.account_id = Some(v.into());
        self
    }
    /// The access configuration id (`cloud_sso_access_config`).
    pub fn access_config(mut self, v: impl Into<String>) -> Self {
        self.access_config = Some(v.into());
        self
    }
    /// The SSO access token (`access_token`).
    pub fn access_token(mut self, v: impl Into<String>) -> Self {
        self.access_token = Some(v.into());
        self
    }
    /// Its expiry, Unix seconds (`cloud_sso_access_token_expire`).
    pub fn access_token_expire(mut self, v: i64) -> Self {
        self.access_token_expire = v;
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
    /// Validates and builds.
    pub fn build(self, ctx: &Context) -> Result<CloudSsoProvider> {
        let now = crate::time::unix_seconds(ctx.now());
        let token = self.access_token.filter(|t| !t.is_empty());
        if token.is_none() || self.access_token_expire <= 0 || self.access_token_expire <= now {
            return Err(Error::new(ErrorKind::Expired, EXPIRED)
                .with_provider(NAME)
                .with_hint("run `aliyun configure --mode CloudSSO` again"));
        }
        let non_empty =
            |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let (Some(url), Some(account_id), Some(access_config)) = (
            non_empty(self.sign_in_url),
            non_empty(self.account_id),
            non_empty(self.access_config),
        ) else {
            return Err(Error::invalid_config(
                "CloudSSO sign in url or account id or access config is empty",
            )
            .with_provider(NAME));
        };
        let origin = origin_of(&url).ok_or_else(|| {
            Error::invalid_config("the CloudSSO sign in url is not an http(s) URL")
                .with_provider(NAME)
        })?;
        let fetcher = CloudSsoFetcher {
            ctx: ctx.clone(),
            endpoint: format!("{origin}/cloud-credentials"),
            account_id,
            access_config,
            access_token: Secret::new(token.unwrap_or_default()),
            access_token_expire: self.access_token_expire,
            timeouts: self.timeouts.unwrap_or(Timeouts::STS),
        };
        Ok(CachedProvider::new(
            fetcher,
            self.refresh_policy.unwrap_or(RefreshPolicy::STS),
            ctx.shared_clock(),
        ))
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Drop user-info, if any.
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() {
        return None;
    }
    Some(format!("{}://{host}", scheme.to_ascii_lowercase()))
}

/// STS credentials from CloudSSO (`cloud_sso`).
pub type CloudSsoProvider = CachedProvider<CloudSsoFetcher>;

impl CloudSsoProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;
    /// A builder.
    pub fn builder() -> CloudSsoProviderBuilder {
        CloudSsoProviderBuilder::default()
    }
    /// Mode `CloudSSO` of a `config.json` profile.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        let key = |k: &str| p.string(k).unwrap_or_default();
        Self::builder()
            .sign_in_url(key("cloud_sso_sign_in_url"))
            .account_id(key("cloud_sso_account_id"))
            .access_config(key("cloud_sso_access_config"))
            .access_token(key("access_token"))
            .access_token_expire(p.int("cloud_sso_access_token_expire"))
            .build(p.ctx())
            .map_err(|e| p.at_file(e))
    }

    /// The URL credentials are requested from.
    pub fn endpoint(&self) -> &str {
        &self.fetcher().endpoint
    }
}

/// The `cloud-credentials` call behind [`CloudSsoProvider`].
pub struct CloudSsoFetcher {
    ctx: Context,
    endpoint: String,
    account_id: String,
    access_config: String,
    access_token: Secret,
    access_token_expire: i64,
    timeouts: Timeouts,
}

impl fmt::Debug for CloudSsoFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudSsoProvider")
            .field("endpoint", &crate::redact::url(&self.endpoint))
            .field("account_id", &self.account_id)
            .field("access_config", &self.access_config)
            .field("access_token_expire", &self.access_token_expire)
            .finish()
    }
}

impl CloudSsoFetcher {
    async fn credentials(&self) -> Result<Credentials> {
        if self.access_token_expire <= crate::time::unix_seconds(self.ctx.now()) {
            return Err(Error::new(ErrorKind::Expired, EXPIRED).with_provider(NAME));
        }
        let body =
            json!({"AccountId": self.account_id, "AccessConfigurationId": self.access_config})
                .to_string();
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::REMOTE, || {
            Ok(HttpRequest::new(Method::POST, self.endpoint.clone())
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .header(
                    "Authorization",
                    &format!("Bearer {}", self.access_token.expose()),
                )
                .body(body.clone())
                .timeouts(self.timeouts)
                .proxy(ProxyPolicy::FromEnv))
        })
        .await
        .map_err(|e| e.with_provider(NAME))?;
        if resp.status != 200 {
            return Err(service_error_shaped(
                &resp,
                "getting CloudSSO credentials",
                &self.endpoint,
                &ErrorShape::CLOUD_SSO,
            )
            .with_provider(NAME));
        }
        let v = parse_json(&resp, "CloudSSO", NAME, &self.endpoint)?;
        let Some(cc) = v.get("CloudCredential").filter(|c| c.is_object()) else {
            return Err(missing_object(
                &v,
                "CloudSSO",
                "CloudCredential",
                NAME,
                &self.endpoint,
            ));
        };
        sts::credentials_from(cc, true, "CloudSSO", NAME, &self.endpoint)
    }
}

impl Fetch for CloudSsoFetcher {
    const NAME: &'static str = NAME;
    fn fetch(&self) -> ProvideFuture<'_> {
        // A server may echo the access token it was sent: never let it into the error.
        ProvideFuture::new(async {
            self.credentials()
                .await
                .map_err(|e| e.redact([self.access_token.expose()]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_drops_path() {
        assert_eq!(
            origin_of("https://signin.aliyun.com/d-123/login").as_deref(),
            Some("https://signin.aliyun.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("ftp://x"), None);
    }

    #[test]
    fn validation() {
        let ctx = Context::empty();
        let far = crate::time::unix_seconds(ctx.now()) + 3600;
        let full = || {
            CloudSsoProvider::builder()
                .sign_in_url("https://s/x")
                .account_id("1")
                .access_config("ac")
                .access_token("t")
                .access_token_expire(far)
        };
        assert_eq!(
            full().build(&ctx).unwrap().endpoint(),
            "https://s/cloud-credentials"
        );
        for b in [
            full().access_token(""),
            full().access_token_expire(0),
            full().access_token_expire(10),
        ] {
            assert_eq!(b.build(&ctx).unwrap_err().message(), EXPIRED);
        }
        let e = full().account_id("").build(&ctx).unwrap_err();
        assert!(e.message().contains("sign in url or account id"));
    }
}
