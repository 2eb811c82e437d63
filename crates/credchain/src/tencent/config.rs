//! The Tencent Cloud credential config: a `type` and the Python constructors' parameter names
//! (DESIGN.md §2). This is what `credchain get --cloud tencent --config FILE` reads:
//!
//! ```json
//! {"type": "credential", "secret_id": "AKID...", "secret_key": "...", "token": null}
//! ```
//!
//! Types: `credential`, `env`, `profile`, `cvm_role`, `sts_assume_role`, `oidc_role_arn`,
//! `tke_oidc`, `default`. This version builds `credential`, `env` and `default`; the others are
//! recognised and answer a clear "not supported yet" error until their sources land.

use std::fmt;

use serde::Deserialize;

use super::chain::default_chain;
use super::credential::Credential;
use super::environment::EnvironmentProvider;
use crate::context::Context;
use crate::credentials::Secret;
use crate::error::{Error, Result};
use crate::provider::SharedProvider;

/// Every type name.
pub const TYPES: [&str; 8] =
    ["credential", "env", "profile", "cvm_role", "sts_assume_role", "oidc_role_arn", "tke_oidc", "default"];

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
            Error::invalid_config(format!("the Tencent Cloud credential config is not valid: {e}"))
                .with_hint(format!("use \"type\" (one of {}) and the SDK's parameter names", TYPES.join(", ")))
        })
    }

    /// The type name; no type means `default`.
    pub fn type_name(&self) -> &str {
        self.type_.as_deref().filter(|t| !t.is_empty()).unwrap_or("default")
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
        match self.type_name() {
            "default" => Ok(SharedProvider::new(default_chain(ctx))),
            "env" => Ok(SharedProvider::new(EnvironmentProvider::from_context(ctx))),
            "credential" => Ok(SharedProvider::new(Credential::from_parts(self.secret_id, self.secret_key, self.token)?)),
            t if TYPES.contains(&t) => Err(Error::invalid_config(format!(
                "credential type '{t}' is not supported by this version of credchain yet"
            ))
            .with_hint("use credential, env or default for now")),
            t => Err(Error::invalid_config(format!("invalid type option '{t}', support: {}", TYPES.join(", ")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::provider::ProvideCredentials;

    #[tokio::test]
    async fn credential_type_validates() {
        let c = Config::from_json(r#"{"type":"credential","secret_id":"AKID ","secret_key":"k"}"#).unwrap();
        assert_eq!(c.into_provider(&Context::empty()).unwrap_err().kind(), ErrorKind::InvalidCredential);
        let c = Config::from_json(r#"{"type":"credential","secret_id":"AKID","secret_key":"k","token":"t"}"#)
            .unwrap();
        let p = c.into_provider(&Context::empty()).unwrap();
        assert_eq!(p.provide_credentials().await.unwrap().token(), Some("t"));
    }

    #[test]
    fn unknown_types_and_fields_are_errors() {
        assert!(Config::from_json(r#"{"type":"credential","SecretId":"x"}"#).is_err());
        let e = Config::from_json(r#"{"type":"magic"}"#).unwrap().into_provider(&Context::empty()).unwrap_err();
        assert!(e.message().contains("support: credential, env"));
        let e = Config::from_json(r#"{"type":"cvm_role"}"#).unwrap().into_provider(&Context::empty()).unwrap_err();
        assert!(e.message().contains("not supported"));
    }
}
