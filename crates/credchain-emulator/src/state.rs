//! Shared, mutable emulator state that route handlers can read: configuration, the clock, issued
//! credentials, IMDS session tokens and the objects of the emulated buckets.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use crate::issued_credentials::{Cloud, IssuedCredentials, Issuer};
use crate::objects::ObjectStore;

/// The default path of the Alibaba credentials-URI endpoint.
pub const DEFAULT_CREDENTIALS_URI_PATH: &str = "/credentials-uri";

/// The emulator's configuration, readable by handlers through [`EmulatorState::config`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// The RAM role bound to the emulated ECS instance (`None`: no role, the listing answers 404).
    pub ecs_role_name: Option<String>,
    /// The CAM role bound to the emulated CVM instance (`None`: no role, the listing answers 404).
    pub cvm_role_name: Option<String>,
    /// Lifetime of issued credentials (default 3600 s).
    pub credential_lifetime: Duration,
    /// Whether ECS metadata requests must carry a valid `X-aliyun-ecs-metadata-token`
    /// (IMDSv2 enforced, IMDSv1 disabled). Default `false`.
    pub require_imds_token: bool,
    /// The path of the Alibaba credentials-URI endpoint (default `/credentials-uri`).
    pub credentials_uri_path: String,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            ecs_role_name: Some("EmulatorEcsRole".to_string()),
            cvm_role_name: Some("EmulatorCvmRole".to_string()),
            credential_lifetime: Duration::from_secs(3600),
            require_imds_token: false,
            credentials_uri_path: DEFAULT_CREDENTIALS_URI_PATH.to_string(),
        }
    }
}

/// State shared by the server and the route handlers.
#[derive(Debug, Default)]
pub struct EmulatorState {
    config: Mutex<EmulatorConfig>,
    issuer: Mutex<Issuer>,
    imds_tokens: Mutex<ImdsTokens>,
    clock: Mutex<Option<SystemTime>>,
    objects: ObjectStore,
    /// Issued access key id -> the role (ARN and session name) the credentials stand for.
    assumed_roles: Mutex<HashMap<String, AssumedRole>>,
}

/// The role a set of issued credentials stands for, as `GetCallerIdentity` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedRole {
    /// The role's ARN as the caller named it (`acs:ram::<account>:role/<name>`,
    /// `qcs::cam::uin/<uin>:roleName/<name>`), or the bare role name for instance roles.
    pub role_arn: String,
    /// The role session name.
    pub session: String,
}

#[derive(Debug, Default)]
struct ImdsTokens {
    next: u64,
    valid_until: HashMap<String, SystemTime>,
}

/// Locks `m`, ignoring poisoning (a panicking handler must not break the emulator).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl EmulatorState {
    /// A state with the given configuration.
    pub fn new(config: EmulatorConfig) -> Self {
        EmulatorState {
            config: Mutex::new(config),
            ..Default::default()
        }
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> EmulatorConfig {
        lock(&self.config).clone()
    }

    /// Changes the configuration in place.
    pub fn update_config(&self, f: impl FnOnce(&mut EmulatorConfig)) {
        f(&mut lock(&self.config));
    }

    /// The emulator's clock: the time set with [`EmulatorState::set_clock`], else the system
    /// time. Issued credentials are stamped with it and the object-storage routes check
    /// signatures, presigned-URL expiry and token expiry against it, so requests signed at a fixed
    /// moment (test vectors) can be replayed. The credential endpoints' own timestamp checks use
    /// the system time.
    pub fn now(&self) -> SystemTime {
        lock(&self.clock).unwrap_or_else(SystemTime::now)
    }

    /// Fixes the clock at `time` (`None`: follow the system time again).
    pub fn set_clock(&self, time: Option<SystemTime>) {
        *lock(&self.clock) = time;
    }

    /// The objects of the emulated buckets (see [`crate::routes::object_storage`]).
    pub fn objects(&self) -> &ObjectStore {
        &self.objects
    }

    /// Issues credentials for `route` with the configured lifetime, or already expired when
    /// `expired` is true, and counts them for that route. Handlers normally call
    /// [`crate::RouteContext::issue_credentials`] instead, which knows the route and the fault.
    pub fn issue(&self, route: &str, cloud: Cloud, expired: bool) -> IssuedCredentials {
        let lifetime = lock(&self.config).credential_lifetime;
        self.issue_for(route, cloud, lifetime, expired)
    }

    /// As [`EmulatorState::issue`], valid for `lifetime` (a `DurationSeconds` the caller asked for).
    pub fn issue_for(
        &self,
        route: &str,
        cloud: Cloud,
        lifetime: Duration,
        expired: bool,
    ) -> IssuedCredentials {
        let now = self.now();
        lock(&self.issuer).issue(route, cloud, lifetime, expired, now)
    }

    /// Every credential issued so far, oldest first.
    pub fn issued(&self) -> Vec<IssuedCredentials> {
        lock(&self.issuer).all()
    }

    /// The issued credentials whose access key id is `access_key_id` (verifiers look up the
    /// secret and token of a caller signing with issued credentials).
    pub fn issued_with_key(&self, access_key_id: &str) -> Option<IssuedCredentials> {
        lock(&self.issuer)
            .all()
            .into_iter()
            .find(|c| c.access_key_id == access_key_id)
    }

    /// How many credentials `route` has issued.
    pub fn issued_count(&self, route: &str) -> usize {
        lock(&self.issuer).count(route)
    }

    /// Remembers that the issued credentials `access_key_id` stand for `role` (answered by
    /// [`crate::routes::caller_identity`]).
    pub fn record_assumed_role(&self, access_key_id: &str, role: AssumedRole) {
        lock(&self.assumed_roles).insert(access_key_id.to_string(), role);
    }

    /// The role recorded for the issued credentials `access_key_id`.
    pub fn assumed_role(&self, access_key_id: &str) -> Option<AssumedRole> {
        lock(&self.assumed_roles).get(access_key_id).cloned()
    }

    /// Creates an ECS metadata session token valid for `ttl`.
    pub fn mint_imds_token(&self, ttl: Duration) -> String {
        let mut t = lock(&self.imds_tokens);
        t.next += 1;
        let token = format!("emu-imds-token-{:06}-AQAEAGq", t.next);
        let until = SystemTime::now()
            .checked_add(ttl)
            .unwrap_or_else(SystemTime::now);
        t.valid_until.insert(token.clone(), until);
        token
    }

    /// Whether `token` was minted by [`EmulatorState::mint_imds_token`] and has not expired.
    pub fn imds_token_is_valid(&self, token: &str) -> bool {
        lock(&self.imds_tokens)
            .valid_until
            .get(token)
            .is_some_and(|until| *until > SystemTime::now())
    }
}
