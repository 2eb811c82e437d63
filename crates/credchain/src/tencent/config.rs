//! The Tencent Cloud credential config: a `type` and the Python constructors' parameter names
//! (`docs/sources/tencent.md#names-and-types`). This is what `credchain get --cloud tencent
//! --config FILE` reads:
//!
//! ```json
//! {"type": "credential", "secret_id": "AKID...", "secret_key": "...", "token": null}
//! ```
//!
//! | type | fields |
//! |---|---|
//! | `credential` | `secret_id`, `secret_key`, `token`? |
//! | `env` | |
//! | `profile` | `profile`? (section; default `TENCENTCLOUD_PROFILE`, else `default`), `endpoint`? (STS, for `role_arn` profiles) |
//! | `cvm_role` | `role_name`?, `endpoint`? (metadata base URL) |
//! | `sts_assume_role` | `secret_id`, `secret_key`, `token`?, `role_arn`, `role_session_name`?, `duration_seconds`?, `region`?, `policy`?, `external_id`?, `endpoint`? |
//! | `oidc_role_arn` | `region`, `provider_id`, `web_identity_token` (or `web_identity_token_file`), `role_arn`, `role_session_name`?, `duration_seconds`?, `endpoint`? |
//! | `tke_oidc` | `endpoint`? (the rest from `TKE_*`) |
//! | `default` | `profile`?, `role_name`? |

use std::fmt;

use serde::Deserialize;

use super::assume_role::StsAssumeRoleProviderBuilder;
use super::chain::DefaultChainBuilder;
use super::credential::Credential;
use super::cvm_role::CvmRoleProviderBuilder;
use super::environment::EnvironmentProvider;
use super::oidc_role_arn::OidcRoleArnProviderBuilder;
use super::profile::ProfileProviderBuilder;
use super::tke_oidc::TkeOidcProviderBuilder;
use crate::context::Context;
use crate::credentials::Secret;
use crate::error::{Error, Result};
use crate::provider::{ProvideCredentials, SharedProvider};

/// Every type name.
pub const TYPES: [&str; 8] = [
    "credential",
    "env",
    "profile",
    "cvm_role",
    "sts_assume_role",
    "oidc_role_arn",
    "tke_oidc",
    "default",
];

/// A Tencent Cloud credential config. Unknown keys are rejected.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Config {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub secret_id: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub profile: Option<String>,
    pub role_name: Option<String>,
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<u64>,
    pub region: Option<String>,
    pub policy: Option<String>,
    pub external_id: Option<String>,
    pub endpoint: Option<String>,
    pub provider_id: Option<String>,
    pub web_identity_token: Option<String>,
    pub web_identity_token_file: Option<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| Secret::new(""));
        f.debug_struct("tencent::Config")
            .field("type", &self.type_)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &hidden(&self.secret_key))
            .field("token", &hidden(&self.token))
            .field("web_identity_token", &hidden(&self.web_identity_token))
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Parses a JSON object.
    ///
    /// ```
    /// let c = credchain::tencent::Config::from_json(r#"{"type":"env"}"#).unwrap();
    /// assert_eq!(c.type_name(), "env");
    /// ```
    pub fn from_json(text: &str) -> Result<Config> {
        serde_json::from_str(text).map_err(|e| {
            Error::invalid_config(format!(
                "the Tencent Cloud credential config is not valid: {}",
                crate::redact::json_error(&e)
            ))
            .with_hint(format!(
                "use \"type\" (one of {}) and the SDK's parameter names",
                TYPES.join(", ")
            ))
        })
    }

    /// The type name; no type means `default`.
    pub fn type_name(&self) -> &str {
        self.type_
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or("default")
    }

    /// Builds the provider this config describes.
    ///
    /// ```
    /// use credchain::tencent::Config;
    /// use credchain::context::Context;
    /// let c = Config::from_json(r#"{"type":"credential","secret_id":"AKID","secret_key":"k"}"#).unwrap();
    /// assert_eq!(c.into_provider(&Context::empty()).unwrap().name(), "credential");
    /// ```
    pub fn into_provider(self, ctx: &Context) -> Result<SharedProvider> {
        let t = self.type_name().to_string();
        let Some((_, build)) = SOURCES.iter().find(|(name, _)| *name == t) else {
            return Err(Error::invalid_config(format!(
                "invalid type option '{t}', support: {}",
                TYPES.join(", ")
            )));
        };
        build(self, ctx)
    }
}

/// Builds one source from a config.
type FromConfig = fn(Config, &Context) -> Result<SharedProvider>;

/// Each `type` and how its source reads its settings (the source's own `from_config`): adding a
/// source adds one line here and its name to [`TYPES`].
const SOURCES: [(&str, FromConfig); 8] = [
    ("credential", |c, _| shared(Credential::from_config(c))),
    ("env", |_, ctx| {
        shared(Ok(EnvironmentProvider::from_context(ctx)))
    }),
    ("profile", |c, ctx| {
        shared(ProfileProviderBuilder::from_config(c).build(ctx))
    }),
    ("cvm_role", |c, ctx| {
        shared(CvmRoleProviderBuilder::from_config(c).build(ctx))
    }),
    ("sts_assume_role", |c, ctx| {
        shared(StsAssumeRoleProviderBuilder::from_config(c).build(ctx))
    }),
    ("oidc_role_arn", |c, ctx| {
        shared(OidcRoleArnProviderBuilder::from_config(c).build(ctx))
    }),
    ("tke_oidc", |c, ctx| {
        shared(TkeOidcProviderBuilder::from_config(c).build(ctx))
    }),
    ("default", |c, ctx| {
        shared(Ok(DefaultChainBuilder::from_config(c).build(ctx)))
    }),
];

fn shared<P: ProvideCredentials + 'static>(built: Result<P>) -> Result<SharedProvider> {
    built.map(SharedProvider::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::provider::ProvideCredentials;

    #[test]
    fn every_type_has_one_source() {
        let names: Vec<&str> = SOURCES.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, TYPES);
    }

    #[tokio::test]
    async fn credential_type_validates() {
        let c = Config::from_json(r#"{"type":"credential","secret_id":"AKID ","secret_key":"k"}"#)
            .unwrap();
        assert_eq!(
            c.into_provider(&Context::empty()).unwrap_err().kind(),
            ErrorKind::InvalidCredential
        );
        let c = Config::from_json(
            r#"{"type":"credential","secret_id":"AKID","secret_key":"k","token":"t"}"#,
        )
        .unwrap();
        let p = c.into_provider(&Context::empty()).unwrap();
        assert_eq!(p.provide_credentials().await.unwrap().token(), Some("t"));
    }

    #[test]
    fn unknown_types_and_fields_are_errors() {
        assert!(Config::from_json(r#"{"type":"credential","SecretId":"x"}"#).is_err());
        let e = Config::from_json(r#"{"type":"magic"}"#)
            .unwrap()
            .into_provider(&Context::empty())
            .unwrap_err();
        assert!(e.message().contains("support: credential, env"));
        for t in TYPES {
            let c = Config::from_json(&format!(r#"{{"type":"{t}"}}"#)).unwrap();
            let built = c.into_provider(&Context::empty());
            // Types needing fields say which; the others build.
            match t {
                "credential" | "sts_assume_role" | "oidc_role_arn" => {
                    assert!(built.is_err(), "{t}")
                }
                _ => assert_eq!(built.unwrap().name(), t),
            }
        }
    }
}
