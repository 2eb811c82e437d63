//! [`provide_fn`]: a credential source made from a closure, for credentials that come from
//! somewhere credchain does not know (a vault, a sidecar, another SDK's provider).
//!
//! Each call runs the closure; put the source behind a [`crate::cache::RefreshingCache`] (see
//! [`crate::cache::RefreshingCache::with_system_clock`]) to call it only when its credentials
//! near their expiry. Credentials the closure returns without a provider name are named after the
//! source, so chains report `default/<name>`.

use std::fmt;
use std::future::Future;

use crate::credentials::Credentials;
use crate::error::Result;
use crate::provider::{ProvideCredentials, ProvideFuture};

/// A source that runs a closure; made by [`provide_fn`].
pub struct ProvideFn<F> {
    name: String,
    f: F,
}

/// A source named `name` whose credentials come from the async closure `f`.
///
/// Return [`crate::Error::not_configured`] from the closure when it has nothing to offer, so a
/// chain goes on to its next source; any other error stops the chain.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use credchain::{provide_fn, Credentials, ProvideCredentials};
/// use credchain::cache::{RefreshingCache, RefreshPolicy};
///
/// let source = provide_fn("vault", || async {
///     // e.g. read a lease from a secrets manager
///     Ok(Credentials::builder("STS.example", "secret")
///         .security_token("token")
///         .expiration(SystemTime::now() + Duration::from_secs(3600))
///         .build())
/// });
/// let cached = RefreshingCache::with_system_clock(source, RefreshPolicy::STS);
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let c = cached.provide_credentials().await.unwrap();
/// assert_eq!(c.provider_name(), "vault");
/// cached.provide_credentials().await.unwrap();
/// assert_eq!(cached.fetch_count(), 1); // the closure ran once
/// # });
/// ```
pub fn provide_fn<F, Fut>(name: impl Into<String>, f: F) -> ProvideFn<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<Credentials>> + Send + 'static,
{
    ProvideFn {
        name: name.into(),
        f,
    }
}

impl<F> fmt::Debug for ProvideFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvideFn")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<F, Fut> ProvideCredentials for ProvideFn<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<Credentials>> + Send + 'static,
{
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let fut = (self.f)();
        ProvideFuture::new(async move {
            match fut.await {
                Ok(c) if c.provider_name().is_empty() => Ok(c.with_outer_provider(&self.name)),
                Ok(c) => Ok(c),
                Err(e) => Err(e.with_provider(&self.name)),
            }
        })
    }
    fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn runs_the_closure_each_time_and_names_its_answers() {
        let calls = Arc::new(AtomicU32::new(0));
        let counted = calls.clone();
        let p = provide_fn("vault", move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move { Ok(Credentials::builder(format!("id{n}"), "s").build()) }
        });
        assert_eq!(
            p.provide_credentials().await.unwrap().access_key_id(),
            "id0"
        );
        let c = p.provide_credentials().await.unwrap();
        assert_eq!((c.access_key_id(), c.provider_name()), ("id1", "vault"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(format!("{p:?}").contains("vault"));
    }

    #[tokio::test]
    async fn keeps_a_name_the_closure_gave_and_names_errors() {
        let named = provide_fn("outer", || async {
            Ok(Credentials::builder("id", "s")
                .provider_name("inner")
                .build())
        });
        let c = named.provide_credentials().await.unwrap();
        assert_eq!(c.provider_name(), "inner");
        let failing = provide_fn("vault", || async {
            Err(crate::Error::not_configured("no lease"))
        });
        let e = failing.provide_credentials().await.unwrap_err();
        assert!(e.is_not_configured());
        assert_eq!(e.provider(), Some("vault"));
    }
}
