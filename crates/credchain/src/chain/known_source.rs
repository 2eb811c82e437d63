//! [`KnownSource`]: a source a chain can have, and what turns it on.
//!
//! A default chain leaves a source out when nothing enables it (Alibaba RRSA without its three
//! variables, the credentials URI without its variable, the ECS role with metadata disabled).
//! Leaving it out keeps `provide_credentials` from asking it, but a user asking "why is my RRSA
//! role not used?" needs to see it anyway: the chain carries every source it can have, in order
//! ([`ProviderChain::with_known_sources`]), and [`ProviderChain::explain`] lists the absent ones at
//! their place as [`SourceOutcome::LeftOut`](super::SourceOutcome::LeftOut) with what turns them on.

use super::ProviderChain;

/// A source a chain can have, by name, with what turns it on when the chain leaves it out.
///
/// The default chains list theirs in [`crate::alibaba::DEFAULT_CHAIN_SOURCES`] and
/// [`crate::tencent::DEFAULT_CHAIN_SOURCES`].
///
/// ```
/// use credchain::chain::KnownSource;
/// const METADATA: KnownSource = KnownSource::new("metadata", "unset METADATA_DISABLED");
/// assert_eq!(METADATA.name(), "metadata");
/// assert_eq!(METADATA.turn_on(), "unset METADATA_DISABLED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KnownSource {
    name: &'static str,
    turn_on: &'static str,
}

impl KnownSource {
    /// The source named `name` (as its provider's `name()` answers), which `turn_on` (what a
    /// user sets, unsets or writes, in a sentence without a final period) turns on.
    pub const fn new(name: &'static str, turn_on: &'static str) -> Self {
        KnownSource { name, turn_on }
    }
    /// The source's name in the chain (`env`, `ecs_ram_role`, ...).
    pub const fn name(&self) -> &'static str {
        self.name
    }
    /// What turns the source on when the chain leaves it out, e.g. `set
    /// ALIBABA_CLOUD_CREDENTIALS_URI`.
    pub const fn turn_on(&self) -> &'static str {
        self.turn_on
    }
}

impl ProviderChain {
    /// Records every source this chain can have, in order, with what turns each on, so
    /// [`ProviderChain::explain`] lists those it left out at their place. The default chains
    /// record theirs; sources added later by the user are not in the list and keep their place.
    ///
    /// ```
    /// use credchain::chain::{KnownSource, SourceOutcome};
    /// use credchain::{provide_fn, Error, ProviderChain};
    /// const KNOWN: &[KnownSource] = &[
    ///     KnownSource::new("env", "set KEY"),
    ///     KnownSource::new("metadata", "unset METADATA_DISABLED"),
    /// ];
    /// // Metadata is disabled, so the chain holds only `env`.
    /// let chain = ProviderChain::new("default")
    ///     .with(provide_fn("env", || async { Err(Error::not_configured("KEY is not set")) }))
    ///     .with_known_sources(KNOWN);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let explanation = chain.explain().await.unwrap();
    /// let metadata = &explanation.sources()[1];
    /// assert_eq!(metadata.name(), "metadata");
    /// assert!(matches!(metadata.outcome(), SourceOutcome::LeftOut(w) if w == "unset METADATA_DISABLED"));
    /// # });
    /// ```
    pub fn with_known_sources(mut self, known: &[KnownSource]) -> Self {
        self.known = known.to_vec();
        self
    }
    /// Every source this chain can have, in order ([`ProviderChain::with_known_sources`]); a
    /// source removed or replaced by an edit is no longer known, so it is not listed as left out.
    pub fn known_sources(&self) -> &[KnownSource] {
        &self.known
    }
    /// An edit took the source `name` out: it is not "left out until turned on" any more.
    pub(super) fn forget_known(&mut self, name: &str) {
        self.known.retain(|k| k.name != name);
    }
}
