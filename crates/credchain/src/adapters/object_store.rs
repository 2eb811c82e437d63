//! Feature `object-store`: a credchain provider as an `object_store` credential provider.
//!
//! [`ObjectStoreProvider`] implements `object_store::CredentialProvider<Credential = AwsCredential>`,
//! so `AmazonS3Builder::with_credentials` reaches the S3-compatible APIs of OSS and COS with any
//! credchain source: cached, refreshing STS, RRSA, TKE OIDC and instance-role credentials, the
//! token sent as `x-amz-security-token`. That is what DataFusion, Polars, delta-rs and Lance use.
//!
//! `object_store` asks for a credential before every request. The provider asks credchain (a
//! lock-free cache read when warm) and keeps the `AwsCredential` it made for the current snapshot,
//! so the conversion happens once per refresh, not once per request.
//!
//! ```no_run
//! use std::sync::Arc;
//! use object_store::aws::AmazonS3Builder;
//! use credchain::adapters::object_store::ObjectStoreProvider;
//! use credchain::{alibaba, context::Context};
//!
//! let ctx = Context::real();
//! let store = AmazonS3Builder::new()
//!     .with_endpoint("https://s3.oss-cn-hangzhou.aliyuncs.com")
//!     .with_region("oss-cn-hangzhou")
//!     .with_bucket_name("examplebucket")
//!     .with_virtual_hosted_style_request(true)
//!     .with_credentials(Arc::new(ObjectStoreProvider::new(alibaba::default_chain(&ctx))))
//!     .build()?;
//! # Ok::<(), object_store::Error>(())
//! ```

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use object_store::aws::AwsCredential;

use crate::credentials::Credentials;
use crate::provider::{ProvideCredentials, SharedProvider};

/// A credchain provider as an `object_store` AWS credential provider. `Debug` shows the wrapped
/// provider, never key material.
pub struct ObjectStoreProvider {
    inner: SharedProvider,
    /// The snapshot last converted, and its conversion.
    current: ArcSwapOption<(Credentials, Arc<AwsCredential>)>,
}

impl ObjectStoreProvider {
    /// Wraps `provider` (put an expiring source behind its cache; credchain's STS, OIDC and
    /// instance-role sources already are).
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_shared(SharedProvider::new(provider))
    }
    /// Wraps an already shared provider.
    pub fn from_shared(provider: SharedProvider) -> Self {
        ObjectStoreProvider {
            inner: provider,
            current: ArcSwapOption::empty(),
        }
    }
    /// The wrapped provider.
    pub fn inner(&self) -> &SharedProvider {
        &self.inner
    }

    fn convert(&self, c: Credentials) -> Arc<AwsCredential> {
        if let Some(pair) = self.current.load().as_ref() {
            if pair.0.same_snapshot(&c) {
                return pair.1.clone();
            }
        }
        let aws = Arc::new(AwsCredential {
            key_id: c.access_key_id().to_string(),
            secret_key: c.access_key_secret().to_string(),
            token: c.security_token().map(str::to_string),
        });
        self.current.store(Some(Arc::new((c, aws.clone()))));
        aws
    }
}

impl std::fmt::Debug for ObjectStoreProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStoreProvider")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl object_store::CredentialProvider for ObjectStoreProvider {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        match self.inner.provide_credentials().await {
            Ok(c) => Ok(self.convert(c)),
            Err(e) => Err(object_store::Error::Generic {
                store: "credchain",
                source: Box::new(e),
            }),
        }
    }
}
