//! Feature `aws`: credchain providers as AWS SDK credential providers, and the reverse.
//!
//! [`AwsProvider`] implements `aws_credential_types::provider::ProvideCredentials` for any credchain
//! provider, so an `aws-sdk-s3` client pointed at the S3-compatible endpoint of OSS
//! (`https://s3.oss-<region>.aliyuncs.com`) or COS (`https://cos.<region>.myqcloud.com`) signs with
//! credchain's sources: STS, RRSA, TKE OIDC, ECS/CVM roles, profiles.
//!
//! - Fields map one to one: key id, secret, security token (sent as `x-amz-security-token`) and
//!   expiry, which the SDK's identity cache uses to know when to ask again.
//! - The provider name is kept: the AWS type wants a `&'static str`, so each distinct credchain
//!   name (`default/ram_role_arn`, ...) is interned once; a process that makes more than
//!   [`MAX_INTERNED_NAMES`] distinct names gets `credchain` for the rest, bounding that memory.
//! - Errors: a credchain "not configured" answer becomes `CredentialsError::CredentialsNotLoaded`
//!   (an AWS chain goes on to its next provider), invalid configuration becomes
//!   `InvalidConfiguration`, every other error `ProviderError`; the credchain error (which never
//!   holds a secret) is kept as the source.
//!
//! [`FromAws`] goes the other way: it makes an AWS provider a credchain source, to put it in a
//! credchain chain or behind credchain's [`crate::cache::RefreshingCache`].
//!
//! ```
//! use aws_credential_types::provider::ProvideCredentials as _;
//! use credchain::adapters::aws::AwsProvider;
//! use credchain::alibaba::StaticAccessKeyProvider;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let provider = AwsProvider::new(StaticAccessKeyProvider::new("LTAIexample", "secret").unwrap());
//! // e.g. aws_sdk_s3::config::Builder::new().credentials_provider(provider)
//! let c = provider.provide_credentials().await.unwrap();
//! assert_eq!(c.access_key_id(), "LTAIexample");
//! # });
//! ```

use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials as AwsProvideCredentials};

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};

/// How many distinct provider names are interned as `&'static str` before falling back to
/// `credchain`.
pub const MAX_INTERNED_NAMES: usize = 256;

/// A credchain provider as an AWS SDK credentials provider.
#[derive(Clone, Debug)]
pub struct AwsProvider {
    inner: SharedProvider,
}

impl AwsProvider {
    /// Wraps `provider` (put an expiring source behind its cache; credchain's STS, OIDC and
    /// instance-role sources already are).
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        AwsProvider {
            inner: SharedProvider::new(provider),
        }
    }
    /// Wraps an already shared provider.
    pub fn from_shared(provider: SharedProvider) -> Self {
        AwsProvider { inner: provider }
    }
    /// The wrapped provider.
    pub fn inner(&self) -> &SharedProvider {
        &self.inner
    }
}

impl AwsProvideCredentials for AwsProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.inner
                .provide_credentials()
                .await
                .map(|c| to_aws_credentials(&c))
                .map_err(to_aws_error)
        })
    }
}

/// The AWS form of one credchain snapshot.
pub fn to_aws_credentials(c: &Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.access_key_secret(),
        c.security_token().map(str::to_string),
        c.expiration(),
        static_name(c.provider_name()),
    )
}

fn to_aws_error(e: Error) -> CredentialsError {
    match e.kind() {
        ErrorKind::NotConfigured => CredentialsError::not_loaded(e),
        ErrorKind::InvalidConfig => CredentialsError::invalid_configuration(e),
        _ => CredentialsError::provider_error(e),
    }
}

/// `name` as a `&'static str`, interned once per distinct name (bounded).
fn static_name(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    let mut names = names.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(n) = names.get(name) {
        return n;
    }
    if names.len() >= MAX_INTERNED_NAMES {
        return "credchain";
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// An AWS SDK credentials provider as a credchain source named `name`.
///
/// ```
/// use credchain::adapters::aws::FromAws;
/// use credchain::cache::{RefreshingCache, RefreshPolicy};
/// use credchain::ProvideCredentials;
///
/// let aws = aws_credential_types::Credentials::new("AKIDexample", "secret", None, None, "Static");
/// let cached = RefreshingCache::with_system_clock(FromAws::new("aws", aws), RefreshPolicy::STS);
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// assert_eq!(cached.provide_credentials().await.unwrap().provider_name(), "aws");
/// # });
/// ```
pub struct FromAws<P> {
    name: String,
    provider: P,
}

impl<P> FromAws<P> {
    /// Wraps `provider` as a credchain source named `name`.
    pub fn new(name: impl Into<String>, provider: P) -> Self {
        FromAws {
            name: name.into(),
            provider,
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for FromAws<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromAws")
            .field("name", &self.name)
            .field("provider", &self.provider)
            .finish()
    }
}

impl<P: AwsProvideCredentials> ProvideCredentials for FromAws<P> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(async move {
            match self.provider.provide_credentials().await {
                Ok(c) => {
                    let mut b = Credentials::builder(c.access_key_id(), c.secret_access_key())
                        .provider_name(&self.name);
                    if let Some(t) = c.session_token() {
                        b = b.security_token(t);
                    }
                    if let Some(e) = c.expiry() {
                        b = b.expiration(e);
                    }
                    Ok(b.build())
                }
                Err(e) => Err(from_aws_error(e).with_provider(&self.name)),
            }
        })
    }
    fn name(&self) -> &str {
        &self.name
    }
}

fn from_aws_error(e: CredentialsError) -> Error {
    // The AWS error's Display is written by its provider; keep only its category and the text
    // of the error itself, which the AWS crates keep free of key material.
    match e {
        CredentialsError::CredentialsNotLoaded(_) => {
            Error::not_configured(format!("the AWS provider has no credentials: {e}"))
        }
        CredentialsError::InvalidConfiguration(_) => {
            Error::invalid_config(format!("the AWS provider is misconfigured: {e}"))
        }
        CredentialsError::ProviderTimedOut(_) => Error::new(
            ErrorKind::Timeout,
            format!("the AWS provider timed out: {e}"),
        ),
        _ => Error::new(ErrorKind::Service, format!("the AWS provider failed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_interned_once() {
        let a = static_name("default/ram_role_arn");
        let b = static_name(&String::from("default/ram_role_arn"));
        assert!(std::ptr::eq(a, b));
    }
}
