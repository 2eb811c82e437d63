//! [`CloudConfig`]: a credential config of either cloud, the one `config -> provider` entry for
//! both (what `credchain --config` reads), and a profile chosen outside the config
//! ([`CloudConfig::with_profile`], what `credchain --profile` adds).
//!
//! A profile name selects that profile's source directly: for Alibaba
//! [`crate::alibaba::named_profile`] (the config must have no type, or `default`); for Tencent the
//! config's `profile` (types `default` and `profile`). Any other config type does not read
//! profiles, so a profile given with it is refused ([`ProfileConflict`]) rather than ignored.

use std::fmt;

use super::Cloud;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::provider::SharedProvider;

/// A parsed credential config of one cloud, optionally with a profile name chosen outside it.
///
/// ```
/// use credchain::context::Context;
/// use credchain::Cloud;
/// let config = Cloud::Alibaba
///     .config_from_json(r#"{"type":"access_key","access_key_id":"LTAI5tExample","access_key_secret":"s"}"#)
///     .unwrap();
/// assert_eq!((config.cloud(), config.type_name()), (Cloud::Alibaba, "access_key"));
/// assert!(!config.reads_profiles());
/// let configured = config.into_provider(&Context::empty()).unwrap();
/// assert_eq!(configured.provider().name(), "static_ak");
/// assert!(Cloud::Alibaba.config_from_json(r#"{"typo":1}"#).is_err());
/// ```
pub struct CloudConfig {
    of: ConfigOf,
}

/// The cloud's own config type.
enum ConfigOf {
    #[cfg(feature = "alibaba")]
    Alibaba {
        config: crate::alibaba::Config,
        /// Alibaba's config has no profile field: a profile chosen outside it replaces it.
        profile: Option<String>,
    },
    #[cfg(feature = "tencent")]
    Tencent(crate::tencent::Config),
}

impl fmt::Debug for CloudConfig {
    /// The cloud configs' own `Debug`, which hides secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.of {
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba { config, profile } => f
                .debug_struct("CloudConfig::Alibaba")
                .field("config", config)
                .field("profile", profile)
                .finish(),
            #[cfg(feature = "tencent")]
            ConfigOf::Tencent(config) => {
                f.debug_tuple("CloudConfig::Tencent").field(config).finish()
            }
        }
    }
}

/// Why a profile name cannot be added to a config ([`CloudConfig::with_profile`]). It becomes an
/// [`Error`] of kind `InvalidConfig`; a program whose user gave the two in different places
/// (flags, settings) matches on it to name those places instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileConflict {
    /// The config's type does not read profiles (Alibaba: any type but `default`; Tencent: any
    /// type but `default` and `profile`).
    TypeReadsNoProfile {
        /// The config's type.
        type_name: String,
    },
    /// The config already names another profile.
    OtherProfile {
        /// The profile the config names.
        in_config: String,
    },
}

impl fmt::Display for ProfileConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileConflict::TypeReadsNoProfile { type_name } => write!(
                f,
                "a profile name cannot be used with a credential config of type '{type_name}', \
                 which does not read profiles"
            ),
            ProfileConflict::OtherProfile { in_config } => write!(
                f,
                "the profile name differs from the credential config's \"profile\" ('{in_config}')"
            ),
        }
    }
}

impl From<ProfileConflict> for Error {
    fn from(conflict: ProfileConflict) -> Error {
        let hint = match conflict {
            ProfileConflict::TypeReadsNoProfile { .. } => {
                "drop the profile name, or drop the config to use the profile"
            }
            ProfileConflict::OtherProfile { .. } => "give the profile in one place only",
        };
        Error::invalid_config(conflict.to_string()).with_hint(hint)
    }
}

impl CloudConfig {
    /// Parses `json` as a config of `cloud` (see [`Cloud::config_from_json`]).
    pub fn from_json(cloud: Cloud, json: &str) -> Result<CloudConfig> {
        let of = match cloud {
            #[cfg(feature = "alibaba")]
            Cloud::Alibaba => ConfigOf::Alibaba {
                config: crate::alibaba::Config::from_json(json)?,
                profile: None,
            },
            #[cfg(feature = "tencent")]
            Cloud::Tencent => ConfigOf::Tencent(crate::tencent::Config::from_json(json)?),
        };
        Ok(CloudConfig { of })
    }

    /// The config without settings: the default chain.
    pub fn default_for(cloud: Cloud) -> CloudConfig {
        let of = match cloud {
            #[cfg(feature = "alibaba")]
            Cloud::Alibaba => ConfigOf::Alibaba {
                config: crate::alibaba::Config::default(),
                profile: None,
            },
            #[cfg(feature = "tencent")]
            Cloud::Tencent => ConfigOf::Tencent(crate::tencent::Config::default()),
        };
        CloudConfig { of }
    }

    /// The cloud this config is for.
    pub fn cloud(&self) -> Cloud {
        match &self.of {
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba { .. } => Cloud::Alibaba,
            #[cfg(feature = "tencent")]
            ConfigOf::Tencent(_) => Cloud::Tencent,
        }
    }

    /// The config's `type` as written; no type (or an empty one) is `default`.
    pub fn type_name(&self) -> &str {
        let type_ = match &self.of {
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba { config, .. } => config.type_.as_deref(),
            #[cfg(feature = "tencent")]
            ConfigOf::Tencent(config) => config.type_.as_deref(),
        };
        type_.filter(|t| !t.is_empty()).unwrap_or("default")
    }

    /// Whether a profile name can be added ([`CloudConfig::with_profile`]).
    pub fn reads_profiles(&self) -> bool {
        match &self.of {
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba { .. } => self.type_name() == "default",
            #[cfg(feature = "tencent")]
            ConfigOf::Tencent(_) => matches!(self.type_name(), "default" | "profile"),
        }
    }

    /// The profile the config selects, if any.
    pub fn profile(&self) -> Option<&str> {
        match &self.of {
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba { profile, .. } => profile.as_deref(),
            #[cfg(feature = "tencent")]
            ConfigOf::Tencent(config) => config.profile.as_deref(),
        }
    }

    /// Selects the profile `name`: its source alone is used, environment keys do not win over
    /// it, and a profile that does not exist is an error when the provider is built.
    ///
    /// ```
    /// use credchain::cloud::ProfileConflict;
    /// use credchain::Cloud;
    /// let config = Cloud::Tencent.config_from_json(r#"{"profile":"dev"}"#).unwrap();
    /// assert_eq!(config.with_profile("dev").unwrap().profile(), Some("dev"));
    /// let config = Cloud::Tencent.config_from_json(r#"{"profile":"dev"}"#).unwrap();
    /// assert_eq!(
    ///     config.with_profile("prod").unwrap_err(),
    ///     ProfileConflict::OtherProfile { in_config: "dev".into() }
    /// );
    /// let keys = Cloud::Tencent.config_from_json(r#"{"type":"env"}"#).unwrap();
    /// assert!(matches!(keys.with_profile("dev"), Err(ProfileConflict::TypeReadsNoProfile { .. })));
    /// ```
    pub fn with_profile(mut self, name: &str) -> Result<CloudConfig, ProfileConflict> {
        if !self.reads_profiles() {
            return Err(ProfileConflict::TypeReadsNoProfile {
                type_name: self.type_name().to_string(),
            });
        }
        if let Some(other) = self.profile().filter(|p| *p != name) {
            return Err(ProfileConflict::OtherProfile {
                in_config: other.to_string(),
            });
        }
        match &mut self.of {
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba { profile, .. } => *profile = Some(name.to_string()),
            #[cfg(feature = "tencent")]
            ConfigOf::Tencent(config) => config.profile = Some(name.to_string()),
        }
        Ok(self)
    }

    /// Builds the provider the config describes.
    pub fn into_provider(self, ctx: &Context) -> Result<ConfiguredProvider> {
        match self.of {
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba {
                profile: Some(name),
                ..
            } => {
                let provider = crate::alibaba::named_profile(ctx, &name)?;
                // Named after the profile's source, which only building reveals.
                let type_name = provider.name().to_string();
                Ok(ConfiguredProvider {
                    provider,
                    type_name,
                })
            }
            #[cfg(feature = "alibaba")]
            ConfigOf::Alibaba {
                config,
                profile: None,
            } => {
                let client = crate::alibaba::Client::new(Some(config), ctx)?;
                Ok(ConfiguredProvider {
                    type_name: client.get_type().to_string(),
                    provider: client.provider().clone(),
                })
            }
            #[cfg(feature = "tencent")]
            ConfigOf::Tencent(config) => {
                let type_name = config.type_name().to_string();
                Ok(ConfiguredProvider {
                    provider: config.into_provider(ctx)?,
                    type_name,
                })
            }
        }
    }
}

/// A provider built from a [`CloudConfig`], and what it was configured as.
#[derive(Debug, Clone)]
pub struct ConfiguredProvider {
    provider: SharedProvider,
    type_name: String,
}

impl ConfiguredProvider {
    /// The provider.
    pub fn provider(&self) -> &SharedProvider {
        &self.provider
    }

    /// The config's type (`default` for the default chain), or for a selected Alibaba profile
    /// the name of that profile's source.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// The provider, without the type.
    pub fn into_provider(self) -> SharedProvider {
        self.provider
    }
}

#[cfg(all(test, feature = "alibaba", feature = "tencent"))]
mod tests {
    use super::*;
    use crate::context::{MemoryEnv, MemoryFs};

    fn home_with_profiles() -> Context {
        Context::empty()
            .with_env(MemoryEnv::from_pairs([
                ("HOME", "/home/u"),
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
            ]))
            .with_fs(
                MemoryFs::new()
                    .with_file(
                        "/home/u/.alibabacloud/credentials.ini",
                        "[prod]\ntype = access_key\naccess_key_id = LTAIprod\naccess_key_secret = s\n",
                    )
                    .with_file(
                        "/home/u/.tencentcloud/credentials",
                        "[prod]\nsecret_id = AKIDprod\nsecret_key = k\n",
                    ),
            )
    }

    #[test]
    fn no_config_is_the_default_chain_of_type_default() {
        let ctx = Context::empty();
        for cloud in Cloud::ALL {
            let configured = cloud.default_config().into_provider(&ctx).unwrap();
            assert_eq!(configured.type_name(), "default", "{cloud}");
            assert_eq!(configured.provider().name(), "default", "{cloud}");
        }
    }

    #[test]
    fn a_type_builds_that_source_in_either_cloud() {
        let ctx = Context::empty();
        let ali = Cloud::Alibaba
            .config_from_json(r#"{"type":"sts","access_key_id":"a","access_key_secret":"s","security_token":"t"}"#)
            .unwrap()
            .into_provider(&ctx)
            .unwrap();
        assert_eq!(
            (ali.type_name(), ali.provider().name()),
            ("sts", "static_sts")
        );
        let tc = Cloud::Tencent
            .config_from_json(r#"{"type":"credential","secret_id":"AKID","secret_key":"k"}"#)
            .unwrap()
            .into_provider(&ctx)
            .unwrap();
        assert_eq!(
            (tc.type_name(), tc.provider().name()),
            ("credential", "credential")
        );
    }

    #[tokio::test]
    async fn a_profile_beats_the_environment_in_both_clouds() {
        use crate::ProvideCredentials;
        let ctx = home_with_profiles();
        let ali = Cloud::Alibaba
            .default_config()
            .with_profile("prod")
            .unwrap()
            .into_provider(&ctx)
            .unwrap();
        assert_eq!(ali.type_name(), ali.provider().name());
        let c = ali.provider().provide_credentials().await.unwrap();
        assert_eq!(c.access_key_id(), "LTAIprod");
        let tc = Cloud::Tencent
            .default_config()
            .with_profile("prod")
            .unwrap()
            .into_provider(&ctx)
            .unwrap();
        assert_eq!(tc.type_name(), "default");
        let c = tc.provider().provide_credentials().await.unwrap();
        assert_eq!(c.secret_id(), "AKIDprod");
    }

    #[test]
    fn a_profile_with_a_type_that_reads_none_is_refused() {
        let ali = Cloud::Alibaba
            .config_from_json(r#"{"type":"access_key"}"#)
            .unwrap();
        assert_eq!(
            ali.with_profile("prod").unwrap_err(),
            ProfileConflict::TypeReadsNoProfile {
                type_name: "access_key".into()
            }
        );
        let tc = Cloud::Tencent
            .config_from_json(r#"{"type":"profile","profile":"a"}"#)
            .unwrap();
        let e = Error::from(tc.with_profile("b").unwrap_err());
        assert_eq!(e.kind(), crate::ErrorKind::InvalidConfig);
        assert!(e.to_string().contains("'a'"), "{e}");
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = Cloud::Alibaba
            .config_from_json(
                r#"{"type":"access_key","access_key_id":"LTAI","access_key_secret":"TOPSECRET"}"#,
            )
            .unwrap();
        let shown = format!("{c:?}");
        assert!(
            shown.contains("LTAI") && !shown.contains("TOPSECRET"),
            "{shown}"
        );
    }
}
