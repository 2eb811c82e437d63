//! [`ProviderChain`]: try sources in order (`docs/architecture.md#chain-semantics`).
//!
//! - A source answering [`ErrorKind::NotConfigured`] is skipped; its reason is kept.
//! - Any other error stops the chain and is returned: silently falling through to another identity
//!   is how applications end up acting as the wrong role. (The Python and Java references skip on
//!   every error; aws-config stops on hard errors, as credchain does.)
//! - When no source is configured, one error lists every source and why it was skipped.
//! - After a source succeeds the chain remembers it and later calls go only to it (the references'
//!   `reuse_last_provider`, default on). It is remembered only after a success (Go remembers it
//!   before trying it, so after a total failure it retries only the last source).
//! - Provider names compose: the `env` source of a chain named `default` reports `default/env`.
//! - Chains compose: [`ProviderChain::with_first`], [`ProviderChain::with_before`],
//!   [`ProviderChain::with_after`], [`ProviderChain::replace`] and [`ProviderChain::without`] edit
//!   any chain, the default chains included, by source name (`env`, `ecs_ram_role`, `cvm_role` ...).
//!   An edit that names a source the chain does not have makes the chain answer an
//!   [`ErrorKind::InvalidConfig`] error naming the missing source and the ones present, rather than
//!   silently leaving the chain as it was; `without` is the exception, since "not in the chain" is
//!   what it asks for (the default chains leave out disabled sources).
//! - [`ProviderChain::explain`] asks every source and says what each answered and which one wins
//!   (`chain/explain.rs`), including the sources a default chain left out because nothing turns
//!   them on, with what would ([`KnownSource`], `chain/known_source.rs`).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{ProvideCredentials, ProvideFuture, Renamed, SharedProvider};

mod explain;
mod known_source;

pub use explain::{ChainExplanation, FoundCredentials, SourceExplanation, SourceOutcome};
pub use known_source::KnownSource;

const NONE: usize = usize::MAX;

/// Sources tried in order; the first that is configured wins.
///
/// ```
/// use credchain::{ProviderChain, ProvideCredentials, SharedProvider};
/// use credchain::alibaba::{EnvironmentProvider, StaticAccessKeyProvider};
/// use credchain::context::{Context, MemoryEnv};
///
/// let ctx = Context::empty().with_env(MemoryEnv::new()); // nothing in the environment
/// let chain = ProviderChain::new("default")
///     .with(EnvironmentProvider::from_context(&ctx))
///     .with(StaticAccessKeyProvider::new("LTAIexample", "secret").unwrap());
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let c = chain.provide_credentials().await.unwrap();
/// assert_eq!(c.provider_name(), "default/static_ak");
/// # });
/// ```
pub struct ProviderChain {
    name: String,
    sources: Vec<SharedProvider>,
    reuse_last: bool,
    winner: AtomicUsize,
    hint: Option<String>,
    /// The `chain/inner` copy of the current snapshot, made once per refresh.
    renamed: Renamed,
    /// The first edit that named a source the chain does not have; the chain answers it.
    edit_error: Option<Error>,
    /// Every source the chain can have, for [`ProviderChain::explain`] (`chain/known_source.rs`).
    known: Vec<KnownSource>,
}

impl ProviderChain {
    /// An empty chain named `name` (e.g. `default`).
    pub fn new(name: impl Into<String>) -> Self {
        ProviderChain {
            name: name.into(),
            sources: Vec::new(),
            reuse_last: true,
            winner: AtomicUsize::new(NONE),
            hint: None,
            renamed: Renamed::new(),
            edit_error: None,
            known: Vec::new(),
        }
    }
    /// Appends a source.
    pub fn with(mut self, source: impl ProvideCredentials + 'static) -> Self {
        self.sources.push(SharedProvider::new(source));
        self
    }
    /// Appends a shared source.
    pub fn with_shared(mut self, source: SharedProvider) -> Self {
        self.sources.push(source);
        self
    }
    /// Puts a source in front of every other one.
    ///
    /// ```
    /// use credchain::{alibaba, provide_fn, Credentials, ProvideCredentials};
    /// use credchain::context::{Context, MemoryEnv};
    /// let ctx = Context::empty().with_env(MemoryEnv::new());
    /// let chain = alibaba::default_chain(&ctx)
    ///     .with_first(provide_fn("vault", || async {
    ///         Ok(Credentials::builder("LTAIvault", "secret").build())
    ///     }))
    ///     .without("ecs_ram_role");
    /// assert_eq!(chain.sources()[0].name(), "vault");
    /// assert!(chain.sources().iter().all(|s| s.name() != "ecs_ram_role"));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(chain.provide_credentials().await.unwrap().provider_name(), "default/vault");
    /// # });
    /// ```
    pub fn with_first(mut self, source: impl ProvideCredentials + 'static) -> Self {
        self.sources.insert(0, SharedProvider::new(source));
        self.forget_winner()
    }
    /// Inserts a source just before the one named `name`.
    pub fn with_before(mut self, name: &str, source: impl ProvideCredentials + 'static) -> Self {
        match self.position(name) {
            Some(i) => self.sources.insert(i, SharedProvider::new(source)),
            None => self.missing("with_before", name),
        }
        self.forget_winner()
    }
    /// Inserts a source just after the one named `name`.
    pub fn with_after(mut self, name: &str, source: impl ProvideCredentials + 'static) -> Self {
        match self.position(name) {
            Some(i) => self.sources.insert(i + 1, SharedProvider::new(source)),
            None => self.missing("with_after", name),
        }
        self.forget_winner()
    }
    /// Puts a source in place of the one named `name`.
    pub fn replace(mut self, name: &str, source: impl ProvideCredentials + 'static) -> Self {
        match self.position(name) {
            Some(i) => {
                let source = SharedProvider::new(source);
                if source.name() != name {
                    self.forget_known(name);
                }
                self.sources[i] = source;
            }
            None => self.missing("replace", name),
        }
        self.forget_winner()
    }
    /// Removes every source named `name` (nothing happens when there is none). A removed source
    /// is not listed as left out by [`ProviderChain::explain`]: the user took it out.
    pub fn without(mut self, name: &str) -> Self {
        self.sources.retain(|s| s.name() != name);
        self.forget_known(name);
        self.forget_winner()
    }

    /// The index of the first source named `name`.
    fn position(&self, name: &str) -> Option<usize> {
        self.sources.iter().position(|s| s.name() == name)
    }
    /// Records (the first) edit that named a source the chain does not have.
    fn missing(&mut self, edit: &str, name: &str) {
        if self.edit_error.is_some() {
            return;
        }
        let present: Vec<&str> = self.sources.iter().map(|s| s.name()).collect();
        self.edit_error = Some(
            Error::invalid_config(format!(
                "{edit}(\"{name}\"): the chain has no source named \"{name}\" (its sources: {})",
                present.join(", ")
            ))
            .with_provider(&self.name)
            .with_hint("name one of the sources listed (ProviderChain::sources lists them)"),
        );
    }
    /// Indexes changed: the remembered source must be found again.
    fn forget_winner(self) -> Self {
        self.winner.store(NONE, Ordering::Release);
        self
    }

    /// Whether to keep using the source that succeeded (default `true`, as the references).
    pub fn reuse_last_provider(mut self, on: bool) -> Self {
        self.reuse_last = on;
        self
    }
    /// What to tell the user when no source is configured.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// The sources, in order.
    pub fn sources(&self) -> &[SharedProvider] {
        &self.sources
    }
    /// The source that succeeded and is remembered, if any.
    pub fn remembered(&self) -> Option<&SharedProvider> {
        self.sources.get(self.winner.load(Ordering::Acquire))
    }

    async fn resolve(&self, force: bool) -> Result<Credentials> {
        if let Some(e) = &self.edit_error {
            return Err(e.clone());
        }
        let remembered = self.winner.load(Ordering::Acquire);
        if let Some(source) = self.sources.get(remembered) {
            return self.ask(source, force).await;
        }
        let mut skipped = Vec::new();
        for (i, source) in self.sources.iter().enumerate() {
            match self.ask(source, force).await {
                Ok(c) => {
                    if self.reuse_last {
                        self.winner.store(i, Ordering::Release);
                    }
                    return Ok(c);
                }
                Err(e) if e.is_not_configured() => {
                    tracing::debug!(chain = %self.name, source = source.name(), reason = %e, "source not configured");
                    skipped.push(e);
                }
                Err(e) => return Err(e),
            }
        }
        let names: Vec<&str> = self.sources.iter().map(|s| s.name()).collect();
        let mut err = Error::new(
            ErrorKind::NotConfigured,
            format!(
                "no credentials found by any source of the chain ({})",
                names.join(", ")
            ),
        )
        .with_provider(&self.name)
        .with_attempts(skipped);
        if let Some(h) = &self.hint {
            err = err.with_hint(h.clone());
        }
        Err(err)
    }

    async fn ask(&self, source: &SharedProvider, force: bool) -> Result<Credentials> {
        let (outcome, _) = self.ask_timed(source, force).await;
        self.name_outcome(source, outcome)
    }

    /// Asks one source inside its own tracing span: its answer, not yet named as the chain's, and
    /// how long it took.
    async fn ask_timed(
        &self,
        source: &SharedProvider,
        force: bool,
    ) -> (Result<Credentials>, Duration) {
        use tracing::Instrument;
        // One span per source tried, so `-v` output groups what each source did.
        let span =
            tracing::debug_span!("credential_source", chain = %self.name, source = source.name());
        let started = std::time::Instant::now();
        let outcome = if force {
            source.force_refresh().instrument(span.clone()).await
        } else {
            source.provide_credentials().instrument(span.clone()).await
        };
        let elapsed = started.elapsed();
        let _entered = span.enter();
        match &outcome {
            Ok(c) => tracing::debug!(
                elapsed_us = elapsed.as_micros() as u64,
                provider = c.provider_name(),
                "source found credentials"
            ),
            // Error Display never holds a secret (see error.rs).
            Err(e) => tracing::debug!(
                elapsed_us = elapsed.as_micros() as u64,
                kind = %e.kind(),
                error = %e,
                "source gave no credentials"
            ),
        }
        (outcome, elapsed)
    }

    /// Names an answer of `source` as the chain's: credentials become `chain/inner`, errors name
    /// the source (and the chain, for errors that stop it).
    fn name_outcome(
        &self,
        source: &SharedProvider,
        outcome: Result<Credentials>,
    ) -> Result<Credentials> {
        match outcome {
            Ok(c) => Ok(self.renamed.apply(c, &self.name)),
            Err(e) if e.is_not_configured() => Err(e.with_provider(source.name())),
            Err(e) => Err(e.with_provider(source.name()).with_provider(&self.name)),
        }
    }
}

impl fmt::Debug for ProviderChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderChain")
            .field("name", &self.name)
            .field(
                "sources",
                &self.sources.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .field("remembered", &self.remembered().map(|s| s.name()))
            .finish()
    }
}

impl ProvideCredentials for ProviderChain {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        // The remembered source answers directly: a warm cache behind it stays allocation-free.
        if let Some(source) = self.sources.get(self.winner.load(Ordering::Acquire)) {
            return source
                .provide_credentials()
                .map_result(move |r| self.name_outcome(source, r));
        }
        ProvideFuture::new(self.resolve(false))
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.resolve(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;
    use std::sync::Arc;

    #[derive(Debug)]
    struct Scripted {
        name: &'static str,
        answer: fn() -> Result<Credentials>,
        calls: Arc<AtomicU32>,
    }

    impl ProvideCredentials for Scripted {
        fn provide_credentials(&self) -> ProvideFuture<'_> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            ProvideFuture::ready((self.answer)())
        }
        fn name(&self) -> &str {
            self.name
        }
    }

    fn src(name: &'static str, answer: fn() -> Result<Credentials>) -> (Scripted, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        (
            Scripted {
                name,
                answer,
                calls: calls.clone(),
            },
            calls,
        )
    }

    fn ok() -> Result<Credentials> {
        Ok(Credentials::builder("id", "s")
            .provider_name("inner")
            .build())
    }
    fn skip() -> Result<Credentials> {
        Err(Error::not_configured("nothing here"))
    }
    fn broken() -> Result<Credentials> {
        Err(Error::new(ErrorKind::File, "malformed file"))
    }

    #[tokio::test]
    async fn skips_not_configured_and_composes_names() {
        let (a, a_calls) = src("a", skip);
        let (b, _) = src("b", ok);
        let chain = ProviderChain::new("default").with(a).with(b);
        let c = chain.provide_credentials().await.unwrap();
        assert_eq!(c.provider_name(), "default/inner");
        assert_eq!(chain.remembered().unwrap().name(), "b");
        chain.provide_credentials().await.unwrap();
        assert_eq!(
            a_calls.load(Ordering::SeqCst),
            1,
            "the winner is remembered"
        );
    }

    #[tokio::test]
    async fn stops_on_hard_errors() {
        let (a, _) = src("a", broken);
        let (b, b_calls) = src("b", ok);
        let chain = ProviderChain::new("default").with(a).with(b);
        let e = chain.provide_credentials().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::File);
        assert_eq!(e.provider(), Some("default/a"));
        assert_eq!(b_calls.load(Ordering::SeqCst), 0);
        assert!(chain.remembered().is_none());
    }

    #[tokio::test]
    async fn lists_every_source_when_nothing_is_configured() {
        let (a, _) = src("a", skip);
        let (b, _) = src("b", skip);
        let chain = ProviderChain::new("default")
            .with(a)
            .with(b)
            .with_hint("set FOO");
        let e = chain.provide_credentials().await.unwrap_err();
        assert!(e.is_not_configured());
        assert_eq!(e.attempts().len(), 2);
        let text = e.to_string();
        assert!(
            text.contains("a: nothing here") && text.contains("b: nothing here"),
            "{text}"
        );
        assert!(text.ends_with("set FOO"));
        // Nothing succeeded, so nothing is remembered (the Go bug).
        assert!(chain.remembered().is_none());
    }

    #[test]
    fn a_warm_source_is_renamed_once_and_answers_without_waiting() {
        #[derive(Debug)]
        struct Fixed(Credentials);
        impl ProvideCredentials for Fixed {
            fn provide_credentials(&self) -> ProvideFuture<'_> {
                ProvideFuture::ready(Ok(self.0.clone()))
            }
            fn name(&self) -> &str {
                "fixed"
            }
        }
        let chain = ProviderChain::new("default").with(Fixed(
            Credentials::builder("id", "s")
                .provider_name("fixed")
                .build(),
        ));
        let poll = |f: ProvideFuture<'_>| {
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            let mut f = std::pin::pin!(f);
            match std::future::Future::poll(f.as_mut(), &mut cx) {
                std::task::Poll::Ready(r) => r.unwrap(),
                std::task::Poll::Pending => panic!("a remembered warm source must answer at once"),
            }
        };
        let first = futures_ready(&chain);
        assert_eq!(first.provider_name(), "default/fixed");
        let a = poll(chain.provide_credentials());
        let b = poll(chain.provide_credentials());
        assert_eq!(a.provider_name(), "default/fixed");
        assert!(a.same_snapshot(&b), "the renamed copy is reused");
    }

    fn futures_ready(chain: &ProviderChain) -> Credentials {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(chain.provide_credentials())
            .unwrap()
    }

    #[tokio::test]
    async fn reuse_can_be_turned_off() {
        let (a, a_calls) = src("a", skip);
        let (b, _) = src("b", ok);
        let chain = ProviderChain::new("default")
            .with(a)
            .with(b)
            .reuse_last_provider(false);
        chain.provide_credentials().await.unwrap();
        chain.provide_credentials().await.unwrap();
        assert_eq!(a_calls.load(Ordering::SeqCst), 2);
    }

    fn names(chain: &ProviderChain) -> Vec<&str> {
        chain.sources().iter().map(|s| s.name()).collect()
    }

    #[tokio::test]
    async fn edits_insert_replace_and_remove_sources_by_name() {
        let chain = ProviderChain::new("default")
            .with(src("a", skip).0)
            .with(src("b", skip).0)
            .with(src("c", skip).0)
            .with_first(src("first", skip).0)
            .with_after("a", src("after_a", skip).0)
            .with_before("c", src("before_c", skip).0)
            .without("b");
        assert_eq!(
            names(&chain),
            ["first", "a", "after_a", "before_c", "c"],
            "each edit lands where it says"
        );
        let (new_c, new_c_calls) = src("c", ok);
        let chain = chain.replace("c", new_c);
        let c = chain.provide_credentials().await.unwrap();
        assert_eq!(c.provider_name(), "default/inner");
        assert_eq!(
            new_c_calls.load(Ordering::SeqCst),
            1,
            "the replacement answered"
        );
        assert_eq!(names(&chain).len(), 5);
        // Removing a source that is not there is what was asked for.
        assert_eq!(names(&chain.without("nope")).len(), 5);
    }

    #[tokio::test]
    async fn an_edit_naming_a_missing_source_makes_the_chain_answer_an_error() {
        let (b, b_calls) = src("b", ok);
        let chain = ProviderChain::new("default")
            .with(b)
            .replace("ecs_ram_role", src("mine", ok).0);
        let e = chain.provide_credentials().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        let text = e.to_string();
        assert!(
            text.contains("replace(\"ecs_ram_role\")") && text.contains("its sources: b"),
            "{text}"
        );
        assert_eq!(
            b_calls.load(Ordering::SeqCst),
            0,
            "a misbuilt chain asks nobody"
        );
    }

    #[tokio::test]
    async fn an_edit_after_use_forgets_the_remembered_source() {
        let (b, _) = src("b", ok);
        let chain = ProviderChain::new("default").with(b);
        chain.provide_credentials().await.unwrap();
        let (first, first_calls) = src("first", ok);
        let chain = chain.with_first(first);
        chain.provide_credentials().await.unwrap();
        assert_eq!(first_calls.load(Ordering::SeqCst), 1);
        assert_eq!(chain.remembered().unwrap().name(), "first");
    }
}
