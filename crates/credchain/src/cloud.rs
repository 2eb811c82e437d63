//! One name for each cloud, and the entry points that dispatch on it: the default chain
//! ([`Cloud::default_chain`]) and a credential config given as JSON ([`Cloud::config_from_json`],
//! [`CloudConfig`]).
//!
//! A program that lets its user pick the cloud at run time (a command-line flag, a setting)
//! parses the name with [`str::parse`] and never matches on the cloud itself:
//!
//! ```
//! use credchain::context::{Context, MemoryEnv};
//! use credchain::{Cloud, ProvideCredentials};
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let cloud: Cloud = "tencent".parse().unwrap();
//! assert_eq!(cloud.to_string(), "tencent");
//! assert_eq!(cloud.title(), "Tencent Cloud");
//!
//! // The config a user wrote, for the cloud they named.
//! let config = cloud
//!     .config_from_json(r#"{"type":"credential","secret_id":"AKIDexample","secret_key":"k"}"#)
//!     .unwrap();
//! let configured = config.into_provider(&Context::empty()).unwrap();
//! assert_eq!(configured.type_name(), "credential");
//! let c = configured.provider().provide_credentials().await.unwrap();
//! assert_eq!(c.secret_id(), "AKIDexample");
//!
//! // No config: the cloud's default chain.
//! let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
//!     ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
//!     ("TENCENTCLOUD_SECRET_KEY", "k"),
//! ]));
//! let c = cloud.default_chain(&ctx).provide_credentials().await.unwrap();
//! assert_eq!(c.secret_id(), "AKIDenv");
//! # });
//! ```

use std::fmt;
use std::str::FromStr;

use crate::chain::ProviderChain;
use crate::context::Context;
use crate::error::{Error, Result};

pub mod config;

pub use config::{CloudConfig, ConfiguredProvider, ProfileConflict};

/// A cloud credchain has sources for. A variant exists only when its feature (`alibaba`,
/// `tencent`) is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cloud {
    /// Alibaba Cloud (`ALIBABA_CLOUD_*`, `~/.aliyun`, `~/.alibabacloud`).
    #[cfg(feature = "alibaba")]
    Alibaba,
    /// Tencent Cloud (`TENCENTCLOUD_*`, `~/.tencentcloud`).
    #[cfg(feature = "tencent")]
    Tencent,
}

/// Every cloud name, also those whose feature is off, so parsing can say how to turn one on (each
/// cloud's feature has the cloud's name).
const NAMES: [&str; 2] = ["alibaba", "tencent"];

impl Cloud {
    /// Every cloud of this build.
    pub const ALL: &'static [Cloud] = &[
        #[cfg(feature = "alibaba")]
        Cloud::Alibaba,
        #[cfg(feature = "tencent")]
        Cloud::Tencent,
    ];

    /// The lower-case name, as parsed and displayed (`alibaba`, `tencent`).
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "alibaba")]
            Cloud::Alibaba => "alibaba",
            #[cfg(feature = "tencent")]
            Cloud::Tencent => "tencent",
        }
    }

    /// The name people read (`Alibaba Cloud`, `Tencent Cloud`).
    pub fn title(self) -> &'static str {
        match self {
            #[cfg(feature = "alibaba")]
            Cloud::Alibaba => "Alibaba Cloud",
            #[cfg(feature = "tencent")]
            Cloud::Tencent => "Tencent Cloud",
        }
    }

    /// The cloud's default chain ([`crate::alibaba::default_chain`],
    /// [`crate::tencent::default_chain`]).
    pub fn default_chain(self, ctx: &Context) -> ProviderChain {
        match self {
            #[cfg(feature = "alibaba")]
            Cloud::Alibaba => crate::alibaba::default_chain(ctx),
            #[cfg(feature = "tencent")]
            Cloud::Tencent => crate::tencent::default_chain(ctx),
        }
    }

    /// Parses a credential config of this cloud from JSON: for Alibaba the fields of
    /// `alibabacloud_credentials.models.Config` ([`crate::alibaba::Config`]), for Tencent a
    /// `type` and the SDK's parameter names ([`crate::tencent::Config`]). Unknown keys are errors.
    pub fn config_from_json(self, json: &str) -> Result<CloudConfig> {
        CloudConfig::from_json(self, json)
    }

    /// The config without settings: the default chain, type `default`.
    pub fn default_config(self) -> CloudConfig {
        CloudConfig::default_for(self)
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cloud {
    type Err = Error;

    /// `alibaba` or `tencent`, exactly (as [`Cloud::name`] spells them).
    ///
    /// ```
    /// use credchain::Cloud;
    /// assert_eq!("alibaba".parse::<Cloud>().unwrap(), Cloud::Alibaba);
    /// let e = "aws".parse::<Cloud>().unwrap_err();
    /// assert!(e.to_string().contains("alibaba, tencent"), "{e}");
    /// ```
    fn from_str(s: &str) -> Result<Cloud> {
        if let Some(cloud) = Cloud::ALL.iter().find(|c| c.name() == s) {
            return Ok(*cloud);
        }
        if NAMES.contains(&s) {
            return Err(Error::invalid_config(format!(
                "the cloud '{s}' is not built into this credchain"
            ))
            .with_hint(format!("build credchain with the '{s}' feature")));
        }
        Err(Error::invalid_config(format!(
            "'{}' is not a cloud credchain knows",
            crate::redact::line(s, 64)
        ))
        .with_hint(format!("use one of {}", NAMES.join(", "))))
    }
}

#[cfg(all(test, feature = "alibaba", feature = "tencent"))]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_display_and_from_str() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.to_string().parse::<Cloud>().unwrap(), *cloud);
        }
        assert_eq!(Cloud::ALL.len(), 2);
    }

    #[test]
    fn only_the_exact_names_parse() {
        for wrong in ["", "Alibaba", " tencent", "aliyun", "aws"] {
            let e = wrong.parse::<Cloud>().unwrap_err();
            assert!(e.to_string().contains("is not a cloud"), "{wrong}: {e}");
        }
    }

    #[test]
    fn titles_name_the_company() {
        assert_eq!(Cloud::Alibaba.title(), "Alibaba Cloud");
        assert_eq!(Cloud::Tencent.title(), "Tencent Cloud");
    }
}
