//! The setters every Tencent STS source builder has, written once: `endpoint`, `timeouts` and
//! `refresh_policy` (the lead's builder convention, the same names in both clouds).

/// Adds `endpoint(..)`, `timeouts(..)` and `refresh_policy(..)` to a builder whose fields are
/// `endpoint: Option<String>`, `timeouts: Option<Timeouts>` and
/// `refresh_policy: Option<RefreshPolicy>`.
macro_rules! sts_builder_setters {
    () => {
        /// The STS endpoint: a full URL or a bare host (https). Default:
        /// `TENCENTCLOUD_STS_ENDPOINT`, else `sts.tencentcloudapi.com`.
        pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
            self.endpoint = Some(endpoint.into());
            self
        }
        /// Timeouts of the STS call (default [`Timeouts::STS`](crate::http::Timeouts::STS)).
        pub fn timeouts(mut self, timeouts: crate::http::Timeouts) -> Self {
            self.timeouts = Some(timeouts);
            self
        }
        /// Replaces the cache's refresh policy (default
        /// [`RefreshPolicy::STS`](crate::cache::RefreshPolicy::STS)).
        pub fn refresh_policy(mut self, policy: crate::cache::RefreshPolicy) -> Self {
            self.refresh_policy = Some(policy);
            self
        }
    };
}
