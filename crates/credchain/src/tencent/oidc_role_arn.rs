//! STS AssumeRoleWithWebIdentity with given settings (`oidc_role_arn`,
//! `docs/sources/tencent.md#web-identity-and-tke`); the call itself is in [`super::oidc_request`].
//!
//! - `provider_id`, `role_arn` and a token (or a token file, read at every refresh) are required;
//!   `region` defaults to `ap-guangzhou`, `duration_seconds` to 7200 (900..=43200, checked when
//!   built), the session name to a new `credchain-<unix µs>` at each refresh.
//! - Behind the refreshing cache ([`RefreshPolicy::STS`](crate::cache::RefreshPolicy::STS)).

use std::fmt;
use std::path::PathBuf;

use super::config::Config;
use super::oidc_request::{TokenSource, WebIdentityParams};
use super::role_settings::{RoleSettings, StsSettings};
use super::sts::StsClient;
use crate::cache::{CachedProvider, Fetch};
use crate::context::Context;
use crate::credentials::Secret;
use crate::error::{Error, Result};
use crate::provider::ProvideFuture;

/// Builds an [`OidcRoleArnProvider`].
#[derive(Default)]
pub struct OidcRoleArnProviderBuilder {
    role: RoleSettings,
    provider_id: Option<String>,
    web_identity_token: Option<String>,
    web_identity_token_file: Option<PathBuf>,
    sts: StsSettings,
}

impl fmt::Debug for OidcRoleArnProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleArnProviderBuilder")
            .field("region", &self.role.region)
            .field("provider_id", &self.provider_id)
            .field("role_arn", &self.role.role_arn)
            .finish_non_exhaustive()
    }
}

impl OidcRoleArnProviderBuilder {
    /// A builder with the `oidc_role_arn` settings of a [`Config`] (`region`, `provider_id`,
    /// `web_identity_token`, `web_identity_token_file`, `role_arn`, `role_session_name`,
    /// `duration_seconds`, `endpoint`).
    pub fn from_config(c: Config) -> Self {
        OidcRoleArnProviderBuilder {
            role: RoleSettings::from_config(&c),
            sts: StsSettings::from_config(&c),
            provider_id: c.provider_id,
            web_identity_token: c.web_identity_token,
            web_identity_token_file: c.web_identity_token_file.map(PathBuf::from),
        }
    }
    /// `ProviderId`.
    pub fn provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }
    /// The token itself (`WebIdentityToken`).
    pub fn web_identity_token(mut self, token: impl Into<String>) -> Self {
        self.web_identity_token = Some(token.into());
        self
    }
    /// A file holding the token, read at every refresh (wins over a fixed token).
    pub fn web_identity_token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.web_identity_token_file = Some(path.into());
        self
    }
    role_builder_setters!();
    sts_builder_setters!();

    /// Validates (no network call) and builds.
    pub fn build(self, ctx: &Context) -> Result<OidcRoleArnProvider> {
        let name = OidcRoleArnProvider::NAME;
        let required = |v: Option<String>, what: &str| {
            v.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                Error::invalid_config(format!("{what} is required")).with_provider(name)
            })
        };
        let provider_id = required(self.provider_id, "provider_id")?;
        let role = self.role.check("AssumeRoleWithWebIdentity", name)?;
        let token = match (self.web_identity_token_file, self.web_identity_token) {
            (Some(f), _) => TokenSource::File(f),
            (None, Some(t)) if !t.trim().is_empty() => TokenSource::Fixed(Secret::new(t.trim())),
            _ => {
                return Err(Error::invalid_config(
                    "web_identity_token (or a token file) is required",
                )
                .with_provider(name))
            }
        };
        let sts = self.sts.client(ctx, name)?;
        let params = WebIdentityParams {
            role,
            provider_id,
            token,
        };
        Ok(self.sts.cached(OidcRoleArnFetcher { sts, params }, ctx))
    }
}

/// The uncached AssumeRoleWithWebIdentity call behind [`OidcRoleArnProvider`].
pub struct OidcRoleArnFetcher {
    sts: StsClient,
    params: WebIdentityParams,
}

impl fmt::Debug for OidcRoleArnFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleArnProvider")
            .field("endpoint", &self.sts.shown_url())
            .field("region", &self.params.role.region)
            .field("provider_id", &self.params.provider_id)
            .field("role_arn", &self.params.role.role_arn)
            .finish()
    }
}

impl Fetch for OidcRoleArnFetcher {
    const NAME: &'static str = "oidc_role_arn";
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.params.call(&self.sts, Self::NAME))
    }
}

/// `OIDCRoleArnCredential`: temporary credentials from AssumeRoleWithWebIdentity, cached.
///
/// ```
/// use credchain::tencent::OidcRoleArnProvider;
/// use credchain::context::Context;
/// let p = OidcRoleArnProvider::builder()
///     .region("ap-shanghai")
///     .provider_id("OIDC-provider")
///     .web_identity_token("eyJhbGciOi...")
///     .role_arn("qcs::cam::uin/100000000001:roleName/pod")
///     .build(&Context::empty())
///     .unwrap();
/// assert_eq!(p.role_arn(), Some("qcs::cam::uin/100000000001:roleName/pod".to_string()));
/// ```
pub type OidcRoleArnProvider = CachedProvider<OidcRoleArnFetcher>;

impl OidcRoleArnProvider {
    /// The provider name.
    pub const NAME: &'static str = <OidcRoleArnFetcher as Fetch>::NAME;

    /// A builder.
    pub fn builder() -> OidcRoleArnProviderBuilder {
        OidcRoleArnProviderBuilder::default()
    }
    /// The role ARN.
    pub fn role_arn(&self) -> Option<String> {
        Some(self.fetcher().params.role.role_arn.clone())
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

    #[test]
    fn builder_requires_fields() {
        let ctx = Context::empty();
        let e = OidcRoleArnProvider::builder()
            .provider_id("p")
            .role_arn("r")
            .build(&ctx)
            .unwrap_err();
        assert!(e.message().contains("web_identity_token"));
        let e = OidcRoleArnProvider::builder()
            .provider_id("p")
            .role_arn("r")
            .web_identity_token("t")
            .duration_seconds(50000)
            .build(&ctx)
            .unwrap_err();
        assert!(e
            .message()
            .contains("AssumeRoleWithWebIdentity durationSeconds"));
    }
}
