//! The `alibabacloud_credentials`-compatible facade: [`Config`] (field names and `type` strings of
//! `alibabacloud_credentials.models.Config`, `docs/sources/alibaba.md#names-and-types`) and
//! [`Client`].
//!
//! Someone porting Python code writes the same config as JSON (this is also what
//! `credchain get --config FILE` reads):
//!
//! ```json
//! {"type": "access_key", "access_key_id": "LTAI...", "access_key_secret": "..."}
//! ```
//!
//! Types available in this version: `access_key`, `sts`, `bearer`, `ecs_ram_role`
//! (`role_name`, `disable_imds_v1`), `ram_role_arn` (`access_key_id`, `access_key_secret`,
//! `security_token`, `role_arn`, `role_session_name`, `role_session_expiration` or
//! `duration_seconds`, `policy`, `external_id`, `sts_endpoint`), `oidc_role_arn` (`role_arn`,
//! `oidc_provider_arn`, `oidc_token_file_path`, `role_session_name`, `role_session_expiration`,
//! `policy`, `sts_endpoint`), `credentials_uri` (`credentials_uri`), and no type (`default`, the
//! default chain), `rsa_key_pair` (`public_key_id`, `private_key_file`, `role_session_expiration`
//! or `duration_seconds`, `sts_endpoint`; default host `sts.ap-northeast-1.aliyuncs.com`).
//! Network types honour `timeout` (read) and `connect_timeout`, in milliseconds. Proxies come from
//! `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` of the context: a non-empty `proxy` is an error (Python
//! honours it; ignoring it would send the requests around the proxy it names), `null` or `""` is
//! accepted.

use std::fmt;

use serde::Deserialize;

use super::chain::default_chain;
use super::settings::shared;
use super::{
    BearerTokenProvider, CredentialsUriProvider, EcsRamRoleProvider, OidcRoleArnProvider,
    RamRoleArnProvider, RsaKeyPairProvider, StaticAccessKeyProvider, StaticStsProvider,
};
use crate::context::Context;
use crate::credentials::Secret;
use crate::error::{Error, Result};
use crate::http::Timeouts;
use crate::provider::{ProvideCredentials, SharedProvider};

/// Builds the source of one `type` from a [`Config`] (each source's own `from_config`).
type FromConfig = fn(&Config, &Context) -> Result<SharedProvider>;

/// The documented types and their sources, in the reference's order.
const SOURCES: [(&str, FromConfig); 8] = [
    ("access_key", |c, ctx| {
        shared(StaticAccessKeyProvider::from_config(c, ctx))
    }),
    ("sts", |c, ctx| {
        shared(StaticStsProvider::from_config(c, ctx))
    }),
    ("bearer", |c, _| shared(BearerTokenProvider::from_config(c))),
    ("ecs_ram_role", |c, ctx| {
        shared(EcsRamRoleProvider::from_config(c, ctx))
    }),
    ("ram_role_arn", |c, ctx| {
        shared(RamRoleArnProvider::from_config(c, ctx))
    }),
    ("rsa_key_pair", |c, ctx| {
        shared(RsaKeyPairProvider::from_config(c, ctx))
    }),
    ("oidc_role_arn", |c, ctx| {
        shared(OidcRoleArnProvider::from_config(c, ctx))
    }),
    ("credentials_uri", |c, ctx| {
        shared(CredentialsUriProvider::from_config(c, ctx))
    }),
];

/// `alibabacloud_credentials.models.Config`, field for field. Unknown JSON keys are rejected so a
/// typo is an error, not a silently ignored setting.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Config {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<String>,
    pub security_token: Option<String>,
    pub bearer_token: Option<String>,
    pub duration_seconds: Option<u64>,
    pub role_arn: Option<String>,
    pub oidc_provider_arn: Option<String>,
    pub oidc_token_file_path: Option<String>,
    pub role_session_name: Option<String>,
    pub role_session_expiration: Option<u64>,
    pub policy: Option<String>,
    pub external_id: Option<String>,
    pub sts_endpoint: Option<String>,
    pub public_key_id: Option<String>,
    pub private_key_file: Option<String>,
    pub role_name: Option<String>,
    pub enable_imds_v2: Option<bool>,
    pub disable_imds_v1: Option<bool>,
    pub metadata_token_duration: Option<u64>,
    pub credentials_uri: Option<String>,
    pub host: Option<String>,
    pub timeout: Option<u64>,
    pub connect_timeout: Option<u64>,
    pub proxy: Option<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| Secret::new(""));
        f.debug_struct("Config")
            .field("type", &self.type_)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &hidden(&self.access_key_secret))
            .field("security_token", &hidden(&self.security_token))
            .field("bearer_token", &hidden(&self.bearer_token))
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Parses a JSON object with the Python field names.
    ///
    /// ```
    /// let c = credchain::alibaba::Config::from_json(r#"{"type":"sts","access_key_id":"a"}"#).unwrap();
    /// assert_eq!(c.type_.as_deref(), Some("sts"));
    /// assert!(credchain::alibaba::Config::from_json(r#"{"typo":1}"#).is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Config> {
        serde_json::from_str(text).map_err(|e| {
            Error::invalid_config(format!(
                "the Alibaba Cloud credential config is not valid: {}",
                crate::redact::json_error(&e)
            ))
            .with_hint("use the field names of alibabacloud_credentials.models.Config")
        })
    }

    /// `connect_timeout` and `timeout` (milliseconds) over `default`.
    pub(crate) fn timeouts(&self, default: Timeouts) -> Timeouts {
        default.with_millis(self.connect_timeout, self.timeout)
    }

    /// The session duration: `role_session_expiration`, else `duration_seconds`.
    pub(crate) fn duration(&self) -> Option<u64> {
        self.role_session_expiration.or(self.duration_seconds)
    }
}

/// What `Client::get_credential()` returns in the references.
#[derive(Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct CredentialModel {
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<String>,
    pub security_token: Option<String>,
    pub bearer_token: Option<String>,
    pub type_: String,
    pub provider_name: String,
}

impl fmt::Debug for CredentialModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialModel")
            .field("access_key_id", &self.access_key_id)
            .field("type", &self.type_)
            .field("provider_name", &self.provider_name)
            .finish_non_exhaustive()
    }
}

/// `alibabacloud_credentials.client.Client`: a provider chosen by [`Config`]'s `type`.
///
/// ```
/// use credchain::alibaba::{Client, Config};
/// use credchain::context::Context;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let config = Config::from_json(
///     r#"{"type":"access_key","access_key_id":"LTAI5tExample","access_key_secret":"s"}"#,
/// ).unwrap();
/// let client = Client::new(Some(config), &Context::empty()).unwrap();
/// assert_eq!(client.get_type(), "access_key");
/// let m = client.get_credential().await.unwrap();
/// assert_eq!(m.provider_name, "static_ak");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    type_: String,
    provider: SharedProvider,
}

impl Client {
    /// Builds the provider for `config` (`None`: the default chain, type `default`).
    pub fn new(config: Option<Config>, ctx: &Context) -> Result<Client> {
        let Some(c) = config else {
            return Ok(Client {
                type_: "default".into(),
                provider: SharedProvider::new(default_chain(ctx)),
            });
        };
        if c.proxy.as_deref().is_some_and(|p| !p.trim().is_empty()) {
            return Err(Error::invalid_config(
                "the config's proxy is not supported: credchain takes proxies from the environment",
            )
            .with_hint("remove proxy from the config and set HTTPS_PROXY (and NO_PROXY) instead"));
        }
        let type_ = match c.type_.as_deref() {
            None | Some("") => "default",
            Some(t) => t,
        };
        let provider = match SOURCES.iter().find(|(name, _)| *name == type_) {
            Some((_, from_config)) => from_config(&c, ctx)?,
            None if type_ == "default" => SharedProvider::new(default_chain(ctx)),
            // The Python reference's exact message; the rejected value goes in the hint.
            None => {
                let names: Vec<&str> = SOURCES.iter().map(|(name, _)| *name).collect();
                return Err(Error::invalid_config(format!(
                    "invalid type option, support: {}",
                    names.join(", ")
                ))
                .with_hint(format!(
                    "the config's type is '{type_}' (type names are case-sensitive)"
                )));
            }
        };
        Ok(Client {
            type_: type_.to_string(),
            provider,
        })
    }

    /// A client around any provider; its type is the provider's name (as the references do).
    pub fn from_provider(provider: SharedProvider) -> Client {
        Client {
            type_: provider.name().to_string(),
            provider,
        }
    }

    /// The type name (`access_key`, `sts`, ..., `default`).
    pub fn get_type(&self) -> &str {
        &self.type_
    }

    /// The provider behind this client.
    pub fn provider(&self) -> &SharedProvider {
        &self.provider
    }

    /// Resolves credentials into the references' model.
    pub async fn get_credential(&self) -> Result<CredentialModel> {
        let c = self.provider.provide_credentials().await?;
        let non_empty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        Ok(CredentialModel {
            access_key_id: non_empty(c.access_key_id()),
            access_key_secret: non_empty(c.access_key_secret()),
            security_token: c.security_token().map(str::to_string),
            bearer_token: c.bearer_token().map(str::to_string),
            type_: self.type_.clone(),
            provider_name: c.provider_name().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_unsupported_types_are_clear() {
        let cfg = |t: &str| Config {
            type_: Some(t.into()),
            ..Config::default()
        };
        let e = Client::new(Some(cfg("magic")), &Context::empty()).unwrap_err();
        assert_eq!(
            e.message(),
            "invalid type option, support: access_key, sts, bearer, ecs_ram_role, ram_role_arn, \
             rsa_key_pair, oidc_role_arn, credentials_uri"
        );
        assert!(e.to_string().contains("'magic'"), "{e}");
        let e = Client::new(Some(cfg("rsa_key_pair")), &Context::empty()).unwrap_err();
        assert_eq!(e.message(), "public_key_id cannot be empty");
    }

    #[tokio::test]
    async fn sts_and_bearer_models() {
        let cfg = Config::from_json(
            r#"{"type":"sts","access_key_id":"id","access_key_secret":"s","security_token":"t"}"#,
        )
        .unwrap();
        let m = Client::new(Some(cfg), &Context::empty())
            .unwrap()
            .get_credential()
            .await
            .unwrap();
        assert_eq!(m.security_token.as_deref(), Some("t"));
        assert_eq!(
            (m.type_.as_str(), m.provider_name.as_str()),
            ("sts", "static_sts")
        );
        let cfg = Config::from_json(r#"{"type":"bearer","bearer_token":"bt"}"#).unwrap();
        let m = Client::new(Some(cfg), &Context::empty())
            .unwrap()
            .get_credential()
            .await
            .unwrap();
        assert_eq!(
            (m.type_.as_str(), m.bearer_token.as_deref()),
            ("bearer", Some("bt"))
        );
        assert!(!format!("{m:?}").contains("bt\""));
    }

    #[test]
    fn a_proxy_setting_is_refused_not_ignored() {
        let cfg = Config::from_json(
            r#"{"type":"access_key","access_key_id":"LTAIx","access_key_secret":"s",
                "proxy":"http://127.0.0.1:3128"}"#,
        )
        .unwrap();
        let e = Client::new(Some(cfg), &Context::empty()).unwrap_err();
        assert!(e.to_string().contains("HTTPS_PROXY"), "{e}");
        let cfg = Config::from_json(
            r#"{"type":"access_key","access_key_id":"LTAIx","access_key_secret":"s","proxy":""}"#,
        )
        .unwrap();
        assert!(Client::new(Some(cfg), &Context::empty()).is_ok());
    }

    #[tokio::test]
    async fn no_config_is_the_default_chain() {
        let c = Client::new(None, &Context::empty()).unwrap();
        assert_eq!(c.get_type(), "default");
        assert!(c.get_credential().await.unwrap_err().is_not_configured());
    }
}
