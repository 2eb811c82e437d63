//! The one trait every credential source implements, its future type, and [`SharedProvider`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use std::task::{Context as TaskContext, Poll};

use crate::credentials::Credentials;
use crate::error::Result;
use crate::http::BoxFuture;

/// The future returned by [`ProvideCredentials::provide_credentials`].
///
/// A named type keeps the trait object-safe without `async_trait`, and its ready variant lets a
/// cached or static source answer without allocating (the hot path,
/// `docs/architecture.md#refresh-policy`).
pub struct ProvideFuture<'a>(Repr<'a>);

enum Repr<'a> {
    Ready(Option<Result<Credentials>>),
    Pending(BoxFuture<'a, Result<Credentials>>),
}

impl<'a> ProvideFuture<'a> {
    /// A future that is already complete.
    #[inline]
    pub fn ready(result: Result<Credentials>) -> Self {
        ProvideFuture(Repr::Ready(Some(result)))
    }
    /// Applies `f` to the outcome. A ready future stays ready (no allocation), so a wrapper over a
    /// warm cache keeps the cache's allocation-free hot path.
    #[inline]
    pub fn map_result(
        self,
        f: impl FnOnce(Result<Credentials>) -> Result<Credentials> + Send + 'a,
    ) -> ProvideFuture<'a> {
        match self.0 {
            Repr::Ready(Some(r)) => ProvideFuture::ready(f(r)),
            Repr::Ready(None) => ProvideFuture::ready(Err(polled_after_completion())),
            Repr::Pending(fut) => ProvideFuture::new(async move { f(fut.await) }),
        }
    }
    /// Wraps any sendable future.
    pub fn new(fut: impl Future<Output = Result<Credentials>> + Send + 'a) -> Self {
        ProvideFuture(Repr::Pending(Box::pin(fut)))
    }
}

impl Future for ProvideFuture<'_> {
    type Output = Result<Credentials>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Repr::Ready(r) => match r.take() {
                Some(r) => Poll::Ready(r),
                None => Poll::Ready(Err(polled_after_completion())),
            },
            Repr::Pending(f) => f.as_mut().poll(cx),
        }
    }
}

/// Polling a finished future is a caller bug; it gets an error, not a panic.
#[cold]
#[inline(never)]
fn polled_after_completion() -> crate::Error {
    crate::Error::invalid_config("ProvideFuture polled after it completed")
}

/// A source of credentials.
///
/// A source that has nothing to offer in this environment (no env var, no file, not on an
/// instance) returns an error of kind [`crate::ErrorKind::NotConfigured`]; a chain then tries the
/// next source. Any other error stops a chain (`docs/architecture.md#chain-semantics`).
///
/// ```
/// use credchain::{Credentials, ProvideCredentials, ProvideFuture};
///
/// #[derive(Debug)]
/// struct Fixed;
/// impl ProvideCredentials for Fixed {
///     fn provide_credentials(&self) -> ProvideFuture<'_> {
///         ProvideFuture::ready(Ok(Credentials::builder("id", "secret").provider_name("fixed").build()))
///     }
///     fn name(&self) -> &str { "fixed" }
/// }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let c = Fixed.provide_credentials().await.unwrap();
/// assert_eq!(c.provider_name(), "fixed");
/// # });
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Returns one consistent snapshot of credentials.
    fn provide_credentials(&self) -> ProvideFuture<'_>;

    /// The provider name as the references spell it (`env`, `static_ak`, `cvm_role`, ...).
    fn name(&self) -> &str;

    /// Fetches new credentials now, bypassing any cache (for a caller whose request was just
    /// rejected with an expired-token error). Sources without a cache just provide again.
    fn force_refresh(&self) -> ProvideFuture<'_> {
        self.provide_credentials()
    }
}

/// Renames a source's credentials `outer/inner`, keeping the renamed copy of the source's current
/// snapshot: a warm source hands back the same snapshot on every call, so the copy (an allocation
/// and a copy of the secrets) is made once per refresh, not once per call.
pub(crate) struct Renamed(ArcSwapOption<(Credentials, Credentials)>);

impl Renamed {
    pub(crate) fn new() -> Self {
        Renamed(ArcSwapOption::empty())
    }

    pub(crate) fn apply(&self, inner: Credentials, outer: &str) -> Credentials {
        if let Some(pair) = self.0.load().as_ref() {
            if pair.0.same_snapshot(&inner) {
                return pair.1.clone();
            }
        }
        let renamed = inner.with_outer_provider(outer);
        self.0.store(Some(Arc::new((inner, renamed.clone()))));
        renamed
    }
}

/// The inner provider a wrapper source (a profile file, config.json) chose when it was built, or
/// the error building it failed with. Answers name the credentials `outer/inner`, so `cli_profile`
/// around `ram_role_arn` reports `cli_profile/ram_role_arn/...`.
// Only the Alibaba wrapper sources (credentials.ini, config.json) use it.
#[cfg_attr(not(feature = "alibaba"), allow(dead_code))]
pub(crate) struct Delegate {
    outer: &'static str,
    inner: crate::Result<SharedProvider>,
    renamed: Renamed,
}

#[cfg_attr(not(feature = "alibaba"), allow(dead_code))]
impl Delegate {
    pub(crate) fn new(outer: &'static str, inner: crate::Result<SharedProvider>) -> Self {
        Delegate {
            outer,
            inner,
            renamed: Renamed::new(),
        }
    }

    pub(crate) fn inner(&self) -> &crate::Result<SharedProvider> {
        &self.inner
    }

    pub(crate) fn provide(&self, force: bool) -> ProvideFuture<'_> {
        match &self.inner {
            Err(e) => ProvideFuture::ready(Err(e.clone())),
            Ok(p) => {
                let fut = if force {
                    p.force_refresh()
                } else {
                    p.provide_credentials()
                };
                fut.map_result(move |r| {
                    r.map(|c| self.renamed.apply(c, self.outer))
                        .map_err(|e| e.with_provider(p.name()))
                })
            }
        }
    }
}

/// A cheaply clonable, shareable provider (`Arc<dyn ProvideCredentials>`).
///
/// ```
/// use credchain::{SharedProvider, alibaba::StaticAccessKeyProvider};
/// let p = SharedProvider::new(StaticAccessKeyProvider::new("id", "secret").unwrap());
/// let q = p.clone(); // shares the same source (and its cache, if any)
/// assert_eq!(q.name(), "static_ak");
/// ```
#[derive(Clone)]
pub struct SharedProvider(Arc<dyn ProvideCredentials>);

impl SharedProvider {
    /// Wraps a provider.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        SharedProvider(Arc::new(provider))
    }
    /// Wraps an already shared provider.
    pub fn from_arc(provider: Arc<dyn ProvideCredentials>) -> Self {
        SharedProvider(provider)
    }
    /// The provider name.
    pub fn name(&self) -> &str {
        self.0.name()
    }
}

impl fmt::Debug for SharedProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ProvideCredentials for SharedProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.0.provide_credentials()
    }
    fn name(&self) -> &str {
        self.0.name()
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        self.0.force_refresh()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }
    fn name(&self) -> &str {
        (**self).name()
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        (**self).force_refresh()
    }
}
