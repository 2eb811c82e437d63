//! Feature `reqsign`: credchain providers as reqsign credential loaders for OSS and COS.
//!
//! [`OssCredentialProvider`] implements `reqsign_core::ProvideCredential` for
//! `reqsign_aliyun_oss::Credential`, [`CosCredentialProvider`] for `reqsign_tencent_cos::Credential`,
//! so reqsign's OSS and COS request signers (the ones OpenDAL uses) sign with any credchain source,
//! cache and refresh.
//!
//! - A credchain "not configured" answer becomes `Ok(None)` (reqsign's "no credential here"), so a
//!   reqsign chain goes on; other errors become a reqsign error of kind `CredentialInvalid`
//!   (`ConfigInvalid` for invalid configuration) with the credchain error, which never holds a
//!   secret, as its source.
//! - The expiry is passed on, so reqsign's own check (it asks again when less than two minutes
//!   are left) and credchain's cache agree on when to fetch.
//! - reqsign's COS signer makes header signatures valid for one hour by default and refuses
//!   credentials that expire within that window; with STS credentials, ask for a longer session
//!   (e.g. `duration_seconds(7200)`) or sign with a shorter `expires_in`.
//! - The reqsign `Context` is not used: credchain sources read their environment, files and
//!   clock from the credchain `Context` they were built with.
//!
//! OpenDAL's OSS and COS builders (in the versions read for this adapter) build their reqsign
//! signer and credential loader themselves from their own settings (keys, role ARN, OIDC token)
//! and have no builder method that takes another loader, so these providers plug into reqsign
//! directly, not yet into OpenDAL's `Operator`. What OpenDAL would need: a builder method such as
//! `credential_provider(impl ProvideCredential<Credential = ...>)` used in place of its default
//! chain, as some of its other services allow.
//!
//! ```
//! use credchain::adapters::reqsign::OssCredentialProvider;
//! use credchain::alibaba::StaticAccessKeyProvider;
//!
//! let loader = OssCredentialProvider::new(StaticAccessKeyProvider::new("LTAIexample", "secret").unwrap());
//! let signer = reqsign_core::Signer::new(
//!     reqsign_core::Context::new(),
//!     loader,
//!     reqsign_aliyun_oss::RequestSigner::new("examplebucket"),
//! );
//! # let _ = signer;
//! ```

use std::time::UNIX_EPOCH;

use reqsign_core::time::Timestamp;
use reqsign_core::{Context as ReqsignContext, ProvideCredential};

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::provider::{ProvideCredentials, SharedProvider};

/// A credchain provider as a reqsign loader of OSS credentials.
#[derive(Clone, Debug)]
pub struct OssCredentialProvider {
    inner: SharedProvider,
}

/// A credchain provider as a reqsign loader of COS credentials.
#[derive(Clone, Debug)]
pub struct CosCredentialProvider {
    inner: SharedProvider,
}

impl OssCredentialProvider {
    /// Wraps `provider`.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        OssCredentialProvider {
            inner: SharedProvider::new(provider),
        }
    }
    /// Wraps an already shared provider.
    pub fn from_shared(provider: SharedProvider) -> Self {
        OssCredentialProvider { inner: provider }
    }
}

impl CosCredentialProvider {
    /// Wraps `provider`.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        CosCredentialProvider {
            inner: SharedProvider::new(provider),
        }
    }
    /// Wraps an already shared provider.
    pub fn from_shared(provider: SharedProvider) -> Self {
        CosCredentialProvider { inner: provider }
    }
}

impl ProvideCredential for OssCredentialProvider {
    type Credential = reqsign_aliyun_oss::Credential;

    async fn provide_credential(
        &self,
        _: &ReqsignContext,
    ) -> reqsign_core::Result<Option<Self::Credential>> {
        let Some(c) = load(&self.inner).await? else {
            return Ok(None);
        };
        Ok(Some(reqsign_aliyun_oss::Credential {
            access_key_id: c.access_key_id().to_string(),
            access_key_secret: c.access_key_secret().to_string(),
            security_token: c.security_token().map(str::to_string),
            expires_in: expiry(&c)?,
        }))
    }
}

impl ProvideCredential for CosCredentialProvider {
    type Credential = reqsign_tencent_cos::Credential;

    async fn provide_credential(
        &self,
        _: &ReqsignContext,
    ) -> reqsign_core::Result<Option<Self::Credential>> {
        let Some(c) = load(&self.inner).await? else {
            return Ok(None);
        };
        Ok(Some(reqsign_tencent_cos::Credential {
            secret_id: c.secret_id().to_string(),
            secret_key: c.secret_key().to_string(),
            security_token: c.token().map(str::to_string),
            expires_in: expiry(&c)?,
        }))
    }
}

async fn load(p: &SharedProvider) -> reqsign_core::Result<Option<Credentials>> {
    match p.provide_credentials().await {
        Ok(c) => Ok(Some(c)),
        Err(e) if e.is_not_configured() => Ok(None),
        Err(e) => Err(to_reqsign_error(e)),
    }
}

fn to_reqsign_error(e: Error) -> reqsign_core::Error {
    let message = format!("credchain provider failed: {e}");
    match e.kind() {
        ErrorKind::InvalidConfig => reqsign_core::Error::config_invalid(message),
        _ => reqsign_core::Error::credential_invalid(message),
    }
    .with_source(e)
}

fn expiry(c: &Credentials) -> reqsign_core::Result<Option<Timestamp>> {
    c.expiration()
        .map(|t| {
            let ms = match t.duration_since(UNIX_EPOCH) {
                Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
                Err(_) => 0,
            };
            Timestamp::from_millisecond(ms)
        })
        .transpose()
}
