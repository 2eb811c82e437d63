//! The OAuth source (`oauth`, aliyun-cli mode `OAuth`, `docs/sources/alibaba.md#oauth`).
//!
//! - Site: `ALIBABA_CLOUD_OAUTH_ENDPOINT` (the site base URL, a credchain addition) wins over
//!   everything; else the explicit sign-in URL; else the site type: CN
//!   (`https://oauth.aliyun.com`, client id `4038181954557748008`) or INTL
//!   (`https://oauth.alibabacloud.com`, client id `4103531455503354461`).
//! - A previously exchanged STS credential (`access_key_id`, `access_key_secret`, `sts_token`,
//!   `sts_expiration`) is reused until `sts_expiration` without any network call (Python ≥ 1.0.11,
//!   credentials-python #86).
//! - Access-token refresh: `POST {base}/v1/token` (form `grant_type=refresh_token`,
//!   `refresh_token`, `client_id`, `Timestamp`) when a refresh token exists and the access token is
//!   empty, its expiry is 0, or it expires within 1200 s. Both tokens are required in the answer;
//!   `expires_in` defaults to 3600. Without a refresh token the current access token goes straight
//!   to the exchange (credentials-python #81, credentials-go #154).
//! - Exchange: `POST {base}/v1/exchange` with `Authorization: Bearer <access token>`, JSON content
//!   type, empty body. The answer is accepted in camelCase (`accessKeyId`, ...: aliyun-cli, Go,
//!   Java) and PascalCase (`AccessKeyId`, ...: Python); error bodies `{"error",
//!   "error_description", "requestId"}` are reported with their code and request id.
//! - An optional callback receives what the server handed out as soon as it is received: the
//!   tokens right after `/v1/token` (the refresh token may be rotated and the old one revoked),
//!   then the tokens and the STS credential after the exchange. The `cli_profile` source writes
//!   them back into `config.json`. The callback runs on a blocking thread started in the same
//!   poll that parsed the answer, before any further request, so neither a failing exchange nor
//!   a caller that gives up (timeout, dropped future) loses a rotated refresh token.
//! - An optional token source ([`OAuthProviderBuilder::reload_tokens`]) is read before every
//!   fetch: when it holds an access token that expires later than the one in memory (another
//!   process refreshed and persisted it, possibly revoking the refresh token this provider
//!   started with), those tokens are adopted. The `cli_profile` source reads them from
//!   `config.json`, so a long-running process keeps working after a short-lived one rotated the
//!   refresh token.
//! - Cached with [`RefreshPolicy::STS`]; 5 s connect / 10 s read; proxies from the environment.
//!   Provider name `oauth`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use http::Method;
use serde_json::Value;

use super::cli_profile::{sts_fields, CliProfile};
use super::env_vars;
use super::service_error::{parse_json, service_error_shaped, ErrorShape};
use super::settings::SetIf;
use super::sts::as_base_url;
use super::write_back::start_blocking;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::Context;
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, HttpResponse, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::ProvideFuture;
use crate::sign::encode::encode_query;

const NAME: &str = "oauth";

/// The access token is refreshed when it expires within this many seconds.
pub const OAUTH_REFRESH_LEAD_SECONDS: i64 = 1200;

/// The OAuth site of aliyun-cli's `oauth_site_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthSiteType {
    /// China site (`CN`).
    Cn,
    /// International site (`INTL`).
    Intl,
}

impl OAuthSiteType {
    /// Parses `CN` / `INTL`, any case.
    ///
    /// ```
    /// use credchain::alibaba::OAuthSiteType;
    /// assert_eq!(OAuthSiteType::parse("intl"), Some(OAuthSiteType::Intl));
    /// assert_eq!(OAuthSiteType::Cn.client_id(), "4038181954557748008");
    /// assert_eq!(OAuthSiteType::Intl.base_url(), "https://oauth.alibabacloud.com");
    /// assert_eq!(OAuthSiteType::parse("EU"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "CN" => Some(OAuthSiteType::Cn),
            "INTL" => Some(OAuthSiteType::Intl),
            _ => None,
        }
    }
    /// The site's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            OAuthSiteType::Cn => "https://oauth.aliyun.com",
            OAuthSiteType::Intl => "https://oauth.alibabacloud.com",
        }
    }
    /// aliyun-cli's OAuth client id on that site.
    pub fn client_id(self) -> &'static str {
        match self {
            OAuthSiteType::Cn => "4038181954557748008",
            OAuthSiteType::Intl => "4103531455503354461",
        }
    }
}

/// What the OAuth server handed out (passed to the update callback): after a token refresh
/// (`credentials` is `None`) and after an exchange. Secrets are redacted in `Debug`.
#[derive(Clone)]
pub struct OAuthUpdate {
    /// The refresh token now in use (may be rotated by `/v1/token`).
    pub refresh_token: Option<String>,
    /// The access token now in use.
    pub access_token: String,
    /// Its expiry, Unix seconds.
    pub access_token_expire: i64,
    /// The exchanged STS credential (its expiration is `sts_expiration`); `None` for the update
    /// sent right after a token refresh, before the exchange.
    pub credentials: Option<Credentials>,
}

impl fmt::Debug for OAuthUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthUpdate")
            .field("access_token_expire", &self.access_token_expire)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// Called with what the server handed out, as soon as it is received: after every token
/// refresh and after every exchange. It runs on a blocking thread and may do file I/O.
pub type OAuthUpdateCallback = Arc<dyn Fn(&OAuthUpdate) + Send + Sync>;

/// Returns the tokens persisted elsewhere (another process may have refreshed them), as an
/// [`OAuthUpdate`] whose `credentials` are ignored; `None` when there are none.
pub type OAuthTokenSource = Arc<dyn Fn() -> Option<OAuthUpdate> + Send + Sync>;

/// Builds an [`OAuthProvider`].
#[derive(Default, Clone)]
pub struct OAuthProviderBuilder {
    client_id: Option<String>,
    sign_in_url: Option<String>,
    site_type: Option<OAuthSiteType>,
    access_token: Option<String>,
    access_token_expire: i64,
    refresh_token: Option<String>,
    sts: Option<Credentials>,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
    on_update: Option<OAuthUpdateCallback>,
    reload: Option<OAuthTokenSource>,
}

impl fmt::Debug for OAuthProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProviderBuilder")
            .field("client_id", &self.client_id)
            .field("sign_in_url", &self.sign_in_url)
            .field("site_type", &self.site_type)
            .finish_non_exhaustive()
    }
}

impl OAuthProviderBuilder {
    /// The site: base URL and client id (explicit values win).
    pub fn site_type(mut self, s: OAuthSiteType) -> Self {
        self.site_type = Some(s);
        self
    }
    /// The OAuth client id.
    pub fn client_id(mut self, v: impl Into<String>) -> Self {
        self.client_id = Some(v.into());
        self
    }
    /// The sign-in (site base) URL.
    pub fn sign_in_url(mut self, v: impl Into<String>) -> Self {
        self.sign_in_url = Some(v.into());
        self
    }
    /// The current access token.
    pub fn access_token(mut self, v: impl Into<String>) -> Self {
        self.access_token = Some(v.into());
        self
    }
    /// The access token's expiry, Unix seconds (0: unknown, refresh first).
    pub fn access_token_expire(mut self, v: i64) -> Self {
        self.access_token_expire = v;
        self
    }
    /// The refresh token.
    pub fn refresh_token(mut self, v: impl Into<String>) -> Self {
        self.refresh_token = Some(v.into());
        self
    }
    /// A previously exchanged STS credential, reused until `sts_expiration` (Unix seconds).
    pub fn sts(
        mut self,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: impl Into<String>,
        sts_expiration: i64,
    ) -> Self {
        self.sts = Some(
            Credentials::builder(access_key_id, access_key_secret)
                .security_token(security_token)
                .expiration(crate::time::from_unix_seconds(sts_expiration))
                .provider_name(NAME)
                .build(),
        );
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
    /// Called with the new tokens after every token refresh, and with the tokens and the STS
    /// credential after every exchange (see [`OAuthUpdate`]).
    pub fn on_update(mut self, f: OAuthUpdateCallback) -> Self {
        self.on_update = Some(f);
        self
    }
    /// Where to look for tokens persisted by another process before every fetch (see the
    /// module docs); the newer access token wins.
    pub fn reload_tokens(mut self, f: OAuthTokenSource) -> Self {
        self.reload = Some(f);
        self
    }
    /// Validates and builds; `ALIBABA_CLOUD_OAUTH_ENDPOINT` is read from `ctx` now.
    pub fn build(self, ctx: &Context) -> Result<OAuthProvider> {
        let client_id = self
            .client_id
            .filter(|c| !c.is_empty())
            .or_else(|| self.site_type.map(|s| s.client_id().to_string()))
            .ok_or_else(|| Error::invalid_config("the ClientId is empty").with_provider(NAME))?;
        let base = ctx
            .env_non_empty(env_vars::OAUTH_ENDPOINT)
            .map_err(|e| e.with_provider(NAME))?
            .or(self.sign_in_url.filter(|u| !u.trim().is_empty()))
            .or_else(|| self.site_type.map(|s| s.base_url().to_string()))
            .map(|u| as_base_url(u.trim()))
            .ok_or_else(|| {
                Error::invalid_config("the url for sign-in is empty").with_provider(NAME)
            })?;
        let now = crate::time::unix_seconds(ctx.now());
        let persisted = self.sts.filter(|c| {
            !c.access_key_id().is_empty()
                && !c.access_key_secret().is_empty()
                && c.security_token().is_some_and(|t| !t.is_empty())
                && c.expiration()
                    .is_some_and(|e| crate::time::unix_seconds(e) > now)
        });
        let fetcher = OAuthFetcher {
            ctx: ctx.clone(),
            base,
            client_id,
            state: Mutex::new(TokenState {
                access_token: self.access_token.filter(|t| !t.is_empty()).map(Secret::new),
                expire: self.access_token_expire,
                refresh_token: self
                    .refresh_token
                    .filter(|t| !t.is_empty())
                    .map(Secret::new),
            }),
            persisted: Mutex::new(persisted),
            timeouts: self.timeouts.unwrap_or(Timeouts::STS),
            on_update: self.on_update,
            reload: self.reload,
        };
        Ok(CachedProvider::new(
            fetcher,
            self.refresh_policy.unwrap_or(RefreshPolicy::STS),
            ctx.shared_clock(),
        ))
    }
}

/// STS credentials exchanged for an OAuth access token (`oauth`).
pub type OAuthProvider = CachedProvider<OAuthFetcher>;

impl OAuthProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> OAuthProviderBuilder {
        OAuthProviderBuilder::default()
    }
    /// Mode `OAuth` of a `config.json` profile: `oauth_site_type` (CN or INTL, any case;
    /// absent or null: CN), the tokens and a previously exchanged STS credential. Tokens are
    /// read again from the profile before every fetch, and written back into it.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        let site = match p.value("oauth_site_type") {
            None | Some(Value::Null) => OAuthSiteType::Cn,
            Some(v) => v.as_str().and_then(OAuthSiteType::parse).ok_or_else(|| {
                p.invalid("Invalid OAuth site type, support CN or INTL".to_string())
            })?,
        };
        let mut b = Self::builder()
            .site_type(site)
            .access_token_expire(p.int("oauth_access_token_expire"))
            .set_if(
                p.string("oauth_access_token"),
                OAuthProviderBuilder::access_token,
            )
            .set_if(
                p.string("oauth_refresh_token"),
                OAuthProviderBuilder::refresh_token,
            );
        if let (Some(id), Some(secret), Some(token)) = (
            p.string("access_key_id"),
            p.string("access_key_secret"),
            p.string("sts_token"),
        ) {
            b = b.sts(id, secret, token, p.int("sts_expiration"));
        }
        let reread = p.reread();
        let write = p.write_back("OAuth");
        b.reload_tokens(Arc::new(move || {
            reread().as_ref().and_then(tokens_in_profile)
        }))
        .on_update(Arc::new(move |u: &OAuthUpdate| write(profile_fields(u))))
        .build(p.ctx())
        .map_err(|e| p.at_file(e))
    }

    /// The site base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.fetcher().base
    }
    /// The OAuth client id.
    pub fn client_id(&self) -> &str {
        &self.fetcher().client_id
    }
}

/// The OAuth tokens a `config.json` profile holds; `None` without an access token or a
/// readable expiry.
fn tokens_in_profile(profile: &Value) -> Option<OAuthUpdate> {
    let s = |k: &str| profile.get(k).and_then(Value::as_str).map(str::to_string);
    let expire = match profile.get("oauth_access_token_expire") {
        Some(Value::Number(n)) => n.as_i64()?,
        Some(Value::String(t)) => t.trim().parse().ok()?,
        _ => return None,
    };
    Some(OAuthUpdate {
        refresh_token: s("oauth_refresh_token"),
        access_token: s("oauth_access_token")?,
        access_token_expire: expire,
        credentials: None,
    })
}

/// The profile keys an update is written back under.
fn profile_fields(u: &OAuthUpdate) -> super::write_back::Fields {
    let mut fields = vec![
        (
            "oauth_refresh_token",
            u.refresh_token
                .clone()
                .map(Value::from)
                .unwrap_or(Value::Null),
        ),
        ("oauth_access_token", Value::from(u.access_token.clone())),
        (
            "oauth_access_token_expire",
            Value::from(u.access_token_expire),
        ),
    ];
    if let Some(c) = &u.credentials {
        fields.extend(sts_fields(c));
    }
    fields
}

struct TokenState {
    access_token: Option<Secret>,
    expire: i64,
    refresh_token: Option<Secret>,
}

/// The token refresh and exchange behind [`OAuthProvider`].
pub struct OAuthFetcher {
    ctx: Context,
    base: String,
    client_id: String,
    state: Mutex<TokenState>,
    persisted: Mutex<Option<Credentials>>,
    timeouts: Timeouts,
    on_update: Option<OAuthUpdateCallback>,
    reload: Option<OAuthTokenSource>,
}

impl fmt::Debug for OAuthFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("base_url", &crate::redact::url(&self.base))
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The OAuth server's error for a failed `what`.
fn oauth_error(resp: &HttpResponse, what: &str, endpoint: &str) -> Error {
    service_error_shaped(resp, what, endpoint, &ErrorShape::OAUTH).with_provider(NAME)
}

impl OAuthFetcher {
    fn needs_token_refresh(&self, st: &TokenState) -> bool {
        let now = crate::time::unix_seconds(self.ctx.now());
        st.refresh_token.is_some()
            && (st.access_token.is_none()
                || st.expire <= 0
                || st.expire - now <= OAUTH_REFRESH_LEAD_SECONDS)
    }

    async fn refresh_token(&self, refresh_token: &Secret) -> Result<(Secret, Secret, i64)> {
        let endpoint = format!("{}/v1/token", self.base);
        let body = |ts: String| {
            encode_query(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose()),
                ("client_id", self.client_id.as_str()),
                ("Timestamp", ts.as_str()),
            ])
        };
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::REMOTE, || {
            let ts = crate::time::format_rfc3339(self.ctx.now());
            Ok(HttpRequest::new(Method::POST, endpoint.clone())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .body(body(ts))
                .timeouts(self.timeouts)
                .proxy(ProxyPolicy::FromEnv))
        })
        .await
        .map_err(|e| e.with_provider(NAME))?;
        if resp.status != 200 {
            return Err(oauth_error(&resp, "refreshing the OAuth access token", &endpoint)
                .with_hint("the refresh token may be revoked or expired: run `aliyun configure --mode OAuth` again"));
        }
        let v = parse_json(&resp, "OAuth token", NAME, &endpoint)?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        let (Some(at), Some(rt)) = (s("access_token"), s("refresh_token")) else {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "failed to refresh OAuth token: the answer lacks access_token or refresh_token",
            )
            .with_provider(NAME)
            .with_endpoint(endpoint));
        };
        let expires_in = v.get("expires_in").and_then(Value::as_i64).unwrap_or(3600);
        // Saturating: the value is the server's, and i64::MAX must not overflow.
        let expire = crate::time::unix_seconds(self.ctx.now()).saturating_add(expires_in);
        Ok((Secret::new(at), Secret::new(rt), expire))
    }

    async fn exchange(&self) -> Result<Credentials> {
        if let Some(c) = lock(&self.persisted).take() {
            if c.expiration().is_some_and(|e| self.ctx.now() < e) {
                return Ok(c);
            }
        }
        self.adopt_newer_tokens();
        let (needs, refresh) = {
            let st = lock(&self.state);
            (
                self.needs_token_refresh(&st),
                st.refresh_token.as_ref().map(Secret::clone_secret),
            )
        };
        if let (true, Some(rt)) = (needs, refresh) {
            let (at, new_rt, expire) = self.refresh_token(&rt).await?;
            {
                let mut st = lock(&self.state);
                st.access_token = Some(at);
                st.refresh_token = Some(new_rt);
                st.expire = expire;
            }
            // The old refresh token may be revoked now: hand the new one over before the
            // exchange, which may fail or be abandoned.
            if let Some(write) = self.publish(None) {
                write.await;
            }
        }
        let access_token = lock(&self.state)
            .access_token
            .as_ref()
            .map(Secret::clone_secret)
            .ok_or_else(|| {
                Error::invalid_config("the OAuth profile has no access token and no refresh token")
                    .with_provider(NAME)
                    .with_hint("run `aliyun configure --mode OAuth` again")
            })?;
        let endpoint = format!("{}/v1/exchange", self.base);
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::REMOTE, || {
            Ok(HttpRequest::new(Method::POST, endpoint.clone())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header(
                    "Authorization",
                    &format!("Bearer {}", access_token.expose()),
                )
                .timeouts(self.timeouts)
                .proxy(ProxyPolicy::FromEnv))
        })
        .await
        .map_err(|e| e.with_provider(NAME))?;
        if resp.status != 200 {
            return Err(oauth_error(
                &resp,
                "exchanging the OAuth access token for STS credentials",
                &endpoint,
            ));
        }
        let v = parse_json(&resp, "OAuth exchange", NAME, &endpoint)?;
        if v.get("error").is_some() {
            return Err(oauth_error(
                &resp,
                "exchanging the OAuth access token for STS credentials",
                &endpoint,
            ));
        }
        let c = exchange_credentials(&v, &endpoint)?;
        if let Some(write) = self.publish(Some(c.clone())) {
            write.await;
        }
        Ok(c)
    }

    /// Takes the tokens of the token source when its access token expires later than ours.
    fn adopt_newer_tokens(&self) {
        let Some(disk) = self.reload.as_ref().and_then(|f| f()) else {
            return;
        };
        let mut st = lock(&self.state);
        if disk.access_token.is_empty() || disk.access_token_expire <= st.expire {
            return;
        }
        st.access_token = Some(Secret::new(disk.access_token));
        st.expire = disk.access_token_expire;
        if let Some(rt) = disk.refresh_token.filter(|t| !t.is_empty()) {
            st.refresh_token = Some(Secret::new(rt));
        }
    }

    /// Hands the current tokens (and `credentials`) to the update callback, if any.
    ///
    /// The callback is started before this returns (in the poll that parsed the server's
    /// answer) and runs to the end whether or not the caller awaits the returned future.
    fn publish(
        &self,
        credentials: Option<Credentials>,
    ) -> Option<impl std::future::Future<Output = ()>> {
        let cb = self.on_update.clone()?;
        let update = {
            let st = lock(&self.state);
            OAuthUpdate {
                refresh_token: st.refresh_token.as_ref().map(|t| t.expose().to_string()),
                access_token: st
                    .access_token
                    .as_ref()
                    .map(|t| t.expose().to_string())
                    .unwrap_or_default(),
                access_token_expire: st.expire,
                credentials,
            }
        };
        Some(start_blocking("OAuth update", move || cb(&update)))
    }
}

/// Reads the exchange answer in camelCase or PascalCase.
fn exchange_credentials(v: &Value, endpoint: &str) -> Result<Credentials> {
    let field = |camel: &str, pascal: &str| {
        v.get(camel)
            .or_else(|| v.get(pascal))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let id = field("accessKeyId", "AccessKeyId");
    let secret = field("accessKeySecret", "AccessKeySecret");
    let token = field("securityToken", "SecurityToken");
    let exp = field("expiration", "Expiration");
    let mut missing = Vec::new();
    for (n, f) in [
        ("accessKeyId", id),
        ("accessKeySecret", secret),
        ("securityToken", token),
        ("expiration", exp),
    ] {
        if f.is_none() {
            missing.push(n);
        }
    }
    let invalid = |m: String| {
        Error::new(ErrorKind::InvalidResponse, m)
            .with_provider(NAME)
            .with_endpoint(endpoint)
    };
    if !missing.is_empty() {
        return Err(invalid(format!(
            "the OAuth exchange response lacks {}",
            missing.join(", ")
        )));
    }
    let expiration: SystemTime = exp
        .and_then(crate::time::parse_rfc3339)
        .ok_or_else(|| invalid("the OAuth exchange response has an invalid expiration".into()))?;
    Ok(
        Credentials::builder(id.unwrap_or_default(), secret.unwrap_or_default())
            .security_token_opt(token)
            .expiration(expiration)
            .provider_name(NAME)
            .build(),
    )
}

impl OAuthFetcher {
    /// Removes the tokens in use from an error: a server may echo what it was sent.
    fn redact_tokens(&self, e: Error) -> Error {
        let st = lock(&self.state);
        let tokens = [&st.access_token, &st.refresh_token];
        e.redact(tokens.into_iter().flatten().map(Secret::expose))
    }
}

impl Fetch for OAuthFetcher {
    const NAME: &'static str = NAME;
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(async { self.exchange().await.map_err(|e| self.redact_tokens(e)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{ManualClock, MemoryEnv};
    use std::time::Duration;

    fn exch(expire: i64, at: Option<&str>, rt: Option<&str>, clock: &ManualClock) -> OAuthFetcher {
        let ctx = Context::empty().with_clock(clock.clone());
        OAuthFetcher {
            ctx,
            base: "http://127.0.0.1:1".into(),
            client_id: "c".into(),
            state: Mutex::new(TokenState {
                access_token: at.map(Secret::new),
                expire,
                refresh_token: rt.map(Secret::new),
            }),
            persisted: Mutex::new(None),
            timeouts: Timeouts::STS,
            on_update: None,
            reload: None,
        }
    }

    /// The access token is refreshed only when it is empty, has expiry 0 or expires within 1200 s.
    #[test]
    fn refresh_timing() {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
        let now = 1_000_000;
        let needs = |expire, at, rt| {
            let e = exch(expire, at, rt, &clock);
            let st = lock(&e.state);
            e.needs_token_refresh(&st)
        };
        assert!(needs(now + 1200, Some("a"), Some("r")));
        assert!(!needs(now + 1300, Some("a"), Some("r")));
        assert!(needs(0, Some("a"), Some("r")));
        assert!(needs(now + 5000, None, Some("r")));
        assert!(
            !needs(0, Some("a"), None),
            "no refresh token: straight to exchange"
        );
    }

    #[test]
    fn site_and_override() {
        let b = || OAuthProvider::builder().site_type(OAuthSiteType::Intl);
        let p = b().build(&Context::empty()).unwrap();
        assert_eq!(
            (p.base_url(), p.client_id()),
            ("https://oauth.alibabacloud.com", "4103531455503354461")
        );
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([(
            env_vars::OAUTH_ENDPOINT,
            "http://127.0.0.1:9/",
        )]));
        assert_eq!(b().build(&ctx).unwrap().base_url(), "http://127.0.0.1:9");
        let e = OAuthProvider::builder()
            .sign_in_url("https://x")
            .build(&Context::empty())
            .unwrap_err();
        assert_eq!(e.message(), "the ClientId is empty");
        let e = OAuthProvider::builder()
            .client_id("c")
            .build(&Context::empty())
            .unwrap_err();
        assert_eq!(e.message(), "the url for sign-in is empty");
    }

    #[test]
    fn both_casings() {
        let camel = serde_json::json!({"accessKeyId":"a","accessKeySecret":"s","securityToken":"t","expiration":"2030-01-01T00:00:00Z"});
        let pascal = serde_json::json!({"AccessKeyId":"a","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"});
        for v in [camel, pascal] {
            let c = exchange_credentials(&v, "e").unwrap();
            assert_eq!((c.access_key_id(), c.security_token()), ("a", Some("t")));
        }
        let e = exchange_credentials(&serde_json::json!({"accessKeyId":"a"}), "e").unwrap_err();
        assert!(e.message().contains("accessKeySecret"));
    }
}
