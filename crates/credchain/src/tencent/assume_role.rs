//! STS AssumeRole (`sts_assume_role`, `docs/sources/tencent.md#assumerole`).
//!
//! - TC3-signed POST JSON to `sts.tencentcloudapi.com` (or the builder's endpoint, else
//!   `TENCENTCLOUD_STS_ENDPOINT`: a full URL or a bare host meaning https), version `2018-08-13`,
//!   region `ap-guangzhou` unless set.
//! - Body: `RoleArn`, `RoleSessionName` (default `credchain-<unix µs>`), `DurationSeconds`
//!   (900..=43200, default 7200, checked when the provider is built, before any call), and only when
//!   set `Policy` (sent as given: the API expects it URL-encoded) and `ExternalId`.
//! - The source credentials come from any provider (a static key pair, a CVM role, another
//!   AssumeRole...): they are read once per refresh, as one snapshot, and their token, if any, is
//!   sent as `X-TC-Token`.
//! - Behind the refreshing cache ([`RefreshPolicy::STS`](crate::cache::RefreshPolicy::STS)): one
//!   STS call per refresh however many callers, background refresh from 15 minutes before expiry,
//!   never the SDKs' "after 10 % of the lifetime".

use std::fmt;

use serde_json::{json, Map, Value};

use super::config::Config;
use super::credential::Credential;
use super::role_settings::{RoleRequest, RoleSettings, StsSettings};
use super::sts::{Auth, StsClient};
use crate::cache::{CachedProvider, Fetch};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::ini::Section;
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};

/// Builds a [`StsAssumeRoleProvider`].
#[derive(Default)]
pub struct StsAssumeRoleProviderBuilder {
    source: Option<SharedProvider>,
    secret_id: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
    role: RoleSettings,
    policy: Option<String>,
    external_id: Option<String>,
    sts: StsSettings,
}

impl fmt::Debug for StsAssumeRoleProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsAssumeRoleProviderBuilder")
            .field("role_arn", &self.role.role_arn)
            .field("secret_id", &self.secret_id)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl StsAssumeRoleProviderBuilder {
    /// A builder with the `sts_assume_role` settings of a [`Config`] (`secret_id`, `secret_key`,
    /// `token`, `role_arn`, `role_session_name`, `duration_seconds`, `region`, `policy`,
    /// `external_id`, `endpoint`).
    pub fn from_config(c: Config) -> Self {
        StsAssumeRoleProviderBuilder {
            role: RoleSettings::from_config(&c),
            sts: StsSettings::from_config(&c),
            secret_id: Some(c.secret_id.unwrap_or_default()),
            secret_key: Some(c.secret_key.unwrap_or_default()),
            token: c.token,
            policy: c.policy,
            external_id: c.external_id,
            ..Self::default()
        }
    }
    /// A builder with the role settings of a credentials-file section (`[profile]`): `role_arn`,
    /// `role_session_name`, `duration_seconds`, `region`, `external_id`, `policy`; empty values
    /// count as unset. A `duration_seconds` that is not a number is an error naming its line.
    pub fn from_ini_section(s: &Section, profile: &str) -> Result<Self> {
        let get = |key| s.get_non_empty(key).map(str::to_string);
        let duration_seconds = match s.get_non_empty("duration_seconds") {
            None => None,
            Some(d) => Some(d.parse().map_err(|_| {
                Error::invalid_config(format!(
                    "duration_seconds in [{profile}] is not a whole number of seconds"
                ))
                .with_line(s.line_of("duration_seconds").unwrap_or(s.line))
            })?),
        };
        Ok(StsAssumeRoleProviderBuilder {
            role: RoleSettings {
                role_arn: Some(get("role_arn").unwrap_or_default()),
                role_session_name: get("role_session_name"),
                duration_seconds,
                region: get("region"),
            },
            external_id: get("external_id"),
            policy: get("policy"),
            ..Self::default()
        })
    }

    /// The source credentials as a long-term key pair (validated like [`Credential`]).
    pub fn secret(mut self, secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.secret_id = Some(secret_id.into());
        self.secret_key = Some(secret_key.into());
        self
    }
    /// A token for the key pair given with [`StsAssumeRoleProviderBuilder::secret`] (temporary
    /// source keys).
    pub fn token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }
    /// The source credentials from any provider (chaining). Wins over
    /// [`StsAssumeRoleProviderBuilder::secret`].
    pub fn source(mut self, source: SharedProvider) -> Self {
        self.source = Some(source);
        self
    }
    role_builder_setters!();
    /// The session policy `Policy` (URL-encoded CAM policy, sent as given).
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }
    /// `ExternalId`.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }
    sts_builder_setters!();

    /// Validates everything (no network call) and builds the provider.
    pub fn build(self, ctx: &Context) -> Result<StsAssumeRoleProvider> {
        let name = StsAssumeRoleProvider::NAME;
        let role = self.role.check("AssumeRole", name)?;
        let source = match self.source {
            Some(s) => s,
            None => SharedProvider::new(
                Credential::with_name(self.secret_id, self.secret_key, self.token, "credential")
                    .map_err(|e| e.with_provider(name))?,
            ),
        };
        let fetcher = StsAssumeRoleFetcher {
            sts: self.sts.client(ctx, name)?,
            source,
            role,
            policy: self.policy.filter(|p| !p.is_empty()),
            external_id: self.external_id.filter(|p| !p.is_empty()),
        };
        Ok(self.sts.cached(fetcher, ctx))
    }
}

/// The uncached AssumeRole call behind [`StsAssumeRoleProvider`].
pub struct StsAssumeRoleFetcher {
    sts: StsClient,
    source: SharedProvider,
    role: RoleRequest,
    policy: Option<String>,
    external_id: Option<String>,
}

impl fmt::Debug for StsAssumeRoleFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsAssumeRoleProvider")
            .field("role_arn", &self.role.role_arn)
            .field("endpoint", &self.sts.shown_url())
            .field("region", &self.role.region)
            .field("duration_seconds", &self.role.duration)
            .field("source", &self.source)
            .finish()
    }
}

impl StsAssumeRoleFetcher {
    fn body(&self) -> Value {
        let mut m = Map::new();
        m.insert("RoleArn".into(), json!(self.role.role_arn));
        let session = self.role.session_name_for(&self.sts);
        m.insert("RoleSessionName".into(), json!(session));
        m.insert("DurationSeconds".into(), json!(self.role.duration));
        if let Some(p) = &self.policy {
            m.insert("Policy".into(), json!(p));
        }
        if let Some(x) = &self.external_id {
            m.insert("ExternalId".into(), json!(x));
        }
        Value::Object(m)
    }

    async fn assume_role(&self) -> Result<crate::Credentials> {
        let source = self.source.provide_credentials().await.map_err(|e| {
            // The source being absent is a configuration error of this role, not "not configured".
            let e = if e.is_not_configured() {
                e.with_kind(crate::ErrorKind::InvalidConfig)
            } else {
                e
            };
            e.with_provider(self.source.name())
                .with_provider(StsAssumeRoleProvider::NAME)
        })?;
        self.sts
            .call(
                "AssumeRole",
                &self.role.region,
                &self.body(),
                Auth::Signed(&source),
                StsAssumeRoleProvider::NAME,
            )
            .await
    }
}

impl Fetch for StsAssumeRoleFetcher {
    const NAME: &'static str = "sts_assume_role";
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.assume_role())
    }
}

/// Temporary credentials from STS AssumeRole, cached and refreshed before they expire.
///
/// ```
/// use credchain::tencent::StsAssumeRoleProvider;
/// use credchain::context::Context;
/// let p = StsAssumeRoleProvider::builder()
///     .secret("AKIDexample", "key")
///     .role_arn("qcs::cam::uin/100000000001:roleName/reader")
///     .build(&Context::empty())
///     .unwrap();
/// assert_eq!(p.role_arn(), "qcs::cam::uin/100000000001:roleName/reader");
/// assert_eq!(p.endpoint(), "https://sts.tencentcloudapi.com/");
/// // The duration is checked before any call.
/// let e = StsAssumeRoleProvider::builder().secret("AKID", "k").role_arn("qcs::cam::uin/1:roleName/r")
///     .duration_seconds(60).build(&Context::empty()).unwrap_err();
/// assert!(e.message().contains("900~43200"));
/// ```
pub type StsAssumeRoleProvider = CachedProvider<StsAssumeRoleFetcher>;

impl StsAssumeRoleProvider {
    /// The provider name.
    pub const NAME: &'static str = <StsAssumeRoleFetcher as Fetch>::NAME;

    /// A builder.
    pub fn builder() -> StsAssumeRoleProviderBuilder {
        StsAssumeRoleProviderBuilder::default()
    }

    /// The Python constructor's shape: `STSAssumeRoleCredential(secret_id, secret_key, role_arn,
    /// role_session_name, duration_seconds=7200, endpoint=None)` (`new` is the cache's
    /// constructor, [`CachedProvider::new`]).
    pub fn from_secret(
        ctx: &Context,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        role_arn: impl Into<String>,
        role_session_name: impl Into<String>,
    ) -> Result<Self> {
        Self::builder()
            .secret(secret_id, secret_key)
            .role_arn(role_arn)
            .role_session_name(role_session_name)
            .build(ctx)
    }

    /// The role ARN assumed.
    pub fn role_arn(&self) -> &str {
        &self.fetcher().role.role_arn
    }
    /// The STS URL called.
    pub fn endpoint(&self) -> String {
        self.fetcher().sts.url()
    }
    /// Changes the STS endpoint (full URL or bare host) for the next refresh.
    pub fn set_endpoint(&self, endpoint: &str) -> Result<()> {
        self.fetcher()
            .sts
            .set_endpoint(endpoint)
            .map_err(|e| e.with_provider(Self::NAME))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;

    #[test]
    fn validates_before_any_call() {
        let ctx = Context::empty();
        let b = || {
            StsAssumeRoleProvider::builder()
                .secret("AKID", "k")
                .role_arn("qcs::cam::uin/1:roleName/r")
        };
        assert!(b().duration_seconds(899).build(&ctx).is_err());
        assert!(b().duration_seconds(43201).build(&ctx).is_err());
        assert!(b().duration_seconds(43200).build(&ctx).is_ok());
        let e = StsAssumeRoleProvider::builder()
            .secret("AKID", "k")
            .build(&ctx)
            .unwrap_err();
        assert!(e.message().contains("role_arn"));
        let e = b().secret(" AKID", "k").build(&ctx).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidCredential);
    }

    #[test]
    fn endpoint_from_env_and_setter() {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([(
            "TENCENTCLOUD_STS_ENDPOINT",
            "sts.ap-shanghai.tencentcloudapi.com",
        )]));
        let p = StsAssumeRoleProvider::builder()
            .secret("AKID", "k")
            .role_arn("qcs::cam::uin/1:roleName/r")
            .build(&ctx)
            .unwrap();
        assert_eq!(p.endpoint(), "https://sts.ap-shanghai.tencentcloudapi.com/");
        p.set_endpoint("http://127.0.0.1:1").unwrap();
        assert_eq!(p.endpoint(), "http://127.0.0.1:1/");
        assert!(p.set_endpoint("ftp://x").is_err());
    }

    #[test]
    fn body_has_only_documented_fields() {
        let ctx = Context::empty();
        let p = StsAssumeRoleProvider::builder()
            .secret("AKID", "k")
            .role_arn("qcs::cam::uin/1:roleName/r")
            .build(&ctx)
            .unwrap();
        let body = p.fetcher().body();
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["DurationSeconds", "RoleArn", "RoleSessionName"]);
        assert!(body["RoleSessionName"]
            .as_str()
            .unwrap()
            .starts_with("credchain-"));
        assert_eq!(body["DurationSeconds"], 7200);
    }
}
