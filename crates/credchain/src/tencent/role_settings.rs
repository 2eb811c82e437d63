//! What the builders of the Tencent STS role sources share: how STS is reached and the result
//! cached ([`StsSettings`]: `sts_assume_role`, `oidc_role_arn`, `tke_oidc`), and the role and
//! session asked for ([`RoleSettings`], checked into a [`RoleRequest`]: the two sources set up
//! by hand).

use super::config::Config;
use super::sts::{self, StsClient};
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::http::Timeouts;

/// How a role source reaches STS and how long it keeps what STS answers.
#[derive(Debug, Default, Clone)]
pub(crate) struct StsSettings {
    /// A full URL or a bare host; `None`: `TENCENTCLOUD_STS_ENDPOINT`, else the public host.
    pub(crate) endpoint: Option<String>,
    /// `None`: [`Timeouts::STS`].
    pub(crate) timeouts: Option<Timeouts>,
    /// `None`: [`RefreshPolicy::STS`].
    pub(crate) refresh_policy: Option<RefreshPolicy>,
}

impl StsSettings {
    /// The `endpoint` of a [`Config`].
    pub(crate) fn from_config(c: &Config) -> Self {
        StsSettings {
            endpoint: c.endpoint.clone(),
            ..Self::default()
        }
    }

    /// The STS client; an invalid endpoint is an error naming `provider`.
    pub(crate) fn client(&self, ctx: &Context, provider: &str) -> Result<StsClient> {
        StsClient::new(ctx, self.endpoint.as_deref(), self.timeouts)
            .map_err(|e| e.with_provider(provider))
    }

    /// `fetcher` behind the refreshing cache.
    pub(crate) fn cached<F: Fetch>(&self, fetcher: F, ctx: &Context) -> CachedProvider<F> {
        let policy = self.refresh_policy.unwrap_or(RefreshPolicy::STS);
        CachedProvider::new(fetcher, policy, ctx.shared_clock())
    }
}

/// The role settings of a builder, as given (empty values count as unset).
#[derive(Debug, Default, Clone)]
pub(crate) struct RoleSettings {
    pub(crate) role_arn: Option<String>,
    pub(crate) role_session_name: Option<String>,
    pub(crate) duration_seconds: Option<u64>,
    pub(crate) region: Option<String>,
}

impl RoleSettings {
    /// The `role_arn`, `role_session_name`, `duration_seconds` and `region` of a [`Config`].
    pub(crate) fn from_config(c: &Config) -> Self {
        RoleSettings {
            role_arn: c.role_arn.clone(),
            role_session_name: c.role_session_name.clone(),
            duration_seconds: c.duration_seconds,
            region: c.region.clone(),
        }
    }

    /// Checks the settings of an STS `action` before any call: `role_arn` is required and the
    /// duration must be in range; errors name `provider`.
    pub(crate) fn check(self, action: &str, provider: &str) -> Result<RoleRequest> {
        let role_arn = self
            .role_arn
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| Error::invalid_config("role_arn is required").with_provider(provider))?;
        let duration = self
            .duration_seconds
            .unwrap_or(sts::DEFAULT_DURATION_SECONDS);
        sts::check_duration(action, duration).map_err(|e| e.with_provider(provider))?;
        Ok(RoleRequest {
            role_arn,
            session_name: self.role_session_name.filter(|s| !s.is_empty()),
            duration,
            region: self
                .region
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| sts::DEFAULT_REGION.into()),
        })
    }
}

/// The role part of an STS request, checked.
#[derive(Debug, Clone)]
pub(crate) struct RoleRequest {
    /// `RoleArn`.
    pub(crate) role_arn: String,
    /// `RoleSessionName`; `None` generates `credchain-<unix µs>` for each call.
    pub(crate) session_name: Option<String>,
    /// `DurationSeconds`.
    pub(crate) duration: u64,
    /// `X-TC-Region`.
    pub(crate) region: String,
}

impl RoleRequest {
    /// The session name of one call: the configured one, else a new generated one.
    pub(crate) fn session_name_for(&self, sts: &StsClient) -> String {
        self.session_name
            .clone()
            .unwrap_or_else(|| sts::generate_session_name(sts.ctx().now()))
    }
}
