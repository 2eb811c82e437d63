//! The setters the Tencent STS role source builders share, written once (the lead's builder
//! convention, the same names in both clouds). They set the builder's `sts`
//! ([`StsSettings`](super::role_settings::StsSettings)) and `role`
//! ([`RoleSettings`](super::role_settings::RoleSettings)) fields.

/// Adds `endpoint(..)`, `timeouts(..)` and `refresh_policy(..)` to a builder with a
/// `sts: StsSettings` field.
macro_rules! sts_builder_setters {
    () => {
        /// The STS endpoint: a full URL or a bare host (https). Default:
        /// `TENCENTCLOUD_STS_ENDPOINT`, else `sts.tencentcloudapi.com`.
        pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
            self.sts.endpoint = Some(endpoint.into());
            self
        }
        /// Timeouts of the STS call (default [`Timeouts::STS`](crate::http::Timeouts::STS)).
        pub fn timeouts(mut self, timeouts: crate::http::Timeouts) -> Self {
            self.sts.timeouts = Some(timeouts);
            self
        }
        /// Replaces the cache's refresh policy (default
        /// [`RefreshPolicy::STS`](crate::cache::RefreshPolicy::STS)).
        pub fn refresh_policy(mut self, policy: crate::cache::RefreshPolicy) -> Self {
            self.sts.refresh_policy = Some(policy);
            self
        }
    };
}

/// Adds `role_arn(..)`, `role_session_name(..)`, `duration_seconds(..)` and `region(..)` to a
/// builder with a `role: RoleSettings` field.
macro_rules! role_builder_setters {
    () => {
        /// The role to assume, `RoleArn` (`qcs::cam::uin/<uin>:roleName/<name>`).
        pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
            self.role.role_arn = Some(arn.into());
            self
        }
        /// `RoleSessionName` (2-128 characters of `[\w+=,.@-]`); default a new
        /// `credchain-<unix µs>` at each refresh.
        pub fn role_session_name(mut self, name: impl Into<String>) -> Self {
            self.role.role_session_name = Some(name.into());
            self
        }
        /// `DurationSeconds`, 900..=43200 (default 7200).
        pub fn duration_seconds(mut self, seconds: u64) -> Self {
            self.role.duration_seconds = Some(seconds);
            self
        }
        /// The region sent as `X-TC-Region` (the API requires one; default `ap-guangzhou`).
        pub fn region(mut self, region: impl Into<String>) -> Self {
            self.role.region = Some(region.into());
            self
        }
    };
}
