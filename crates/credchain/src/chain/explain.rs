//! [`ProviderChain::explain`]: what every source of a chain answers, and which one the chain
//! would use.
//!
//! - Every source is asked on its own, in order, so a source after the winner is still shown.
//!   The chain's own rule decides the winner: the first source that found credentials, unless a
//!   source before it failed with a real error, where the chain stops
//!   (`docs/architecture.md#chain-semantics`). Explaining does not change which source the chain
//!   remembers.
//! - Sources a chain leaves out because nothing turns them on (the default chains drop RRSA
//!   without its variables, metadata when it is disabled) are listed too, at their place, with
//!   what would turn them on: the chain knows every source it can have
//!   ([`ProviderChain::with_known_sources`]), and [`ChainExplanation::with_left_out`] inserts the
//!   absent ones.
//! - Nothing here holds a secret: found credentials are summarised ([`FoundCredentials`]: masked
//!   key id, provider name, expiry), and errors never hold one (see `error.rs`).

use std::time::{Duration, Instant, SystemTime};

use super::{KnownSource, ProviderChain};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::provider::{ProvideCredentials, SharedProvider};

/// What every source of a chain answered, in order, and which one decides the chain's answer.
///
/// ```
/// use credchain::{provide_fn, Credentials, Error, ProviderChain};
/// use credchain::chain::SourceOutcome;
///
/// let chain = ProviderChain::new("default")
///     .with(provide_fn("env", || async { Err(Error::not_configured("no variables set")) }))
///     .with(provide_fn("file", || async {
///         Ok(Credentials::builder("LTAIexample1234", "secret").provider_name("file").build())
///     }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let explanation = chain.explain().await.unwrap();
/// let env = &explanation.sources()[0];
/// assert!(matches!(env.outcome(), SourceOutcome::NotConfigured(e) if e.message() == "no variables set"));
/// let winner = explanation.winner().unwrap();
/// assert_eq!(winner.name(), "file");
/// let SourceOutcome::Found(found) = winner.outcome() else { unreachable!() };
/// assert_eq!(found.masked_key_id(), "****1234");
/// // No secret in the explanation, not even in its Debug output.
/// assert!(!format!("{explanation:?}").contains("secret"));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct ChainExplanation {
    chain: String,
    sources: Vec<SourceExplanation>,
}

/// What one source answered, and how long it took.
#[derive(Debug, Clone)]
pub struct SourceExplanation {
    name: String,
    outcome: SourceOutcome,
    elapsed: Duration,
}

/// What a source answered.
#[derive(Debug, Clone)]
pub enum SourceOutcome {
    /// It found credentials (summarised, without secrets).
    Found(FoundCredentials),
    /// It is not configured; the error says why, and its hint what to set.
    NotConfigured(Error),
    /// It is configured but failed; a chain stops at such a source.
    Failed(Error),
    /// The chain leaves it out because nothing turns it on; the text says what would.
    LeftOut(String),
}

/// What a source found, without the secrets: enough to tell which identity a chain would use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCredentials {
    provider_name: String,
    masked_key_id: String,
    has_security_token: bool,
    is_bearer: bool,
    expiration: Option<SystemTime>,
}

impl ProviderChain {
    /// Asks every source of the chain, in order, and says what each answered, how long it took
    /// and which one the chain would use ([`ChainExplanation::winner`]). Known sources the chain
    /// left out ([`ProviderChain::known_sources`]) are listed at their place as
    /// [`SourceOutcome::LeftOut`]. Does not change which source the chain remembers.
    ///
    /// Fails only when the chain is misbuilt (an edit named a source it does not have), with the
    /// error the chain answers every call with.
    pub async fn explain(&self) -> Result<ChainExplanation> {
        if let Some(e) = &self.edit_error {
            return Err(e.clone());
        }
        let mut sources = Vec::with_capacity(self.sources.len());
        for source in &self.sources {
            let (answer, elapsed) = self.ask_timed(source, false).await;
            sources.push(SourceExplanation::from_answer(
                source.name(),
                answer,
                elapsed,
            ));
        }
        Ok(ChainExplanation::new(&self.name, sources).with_left_out(&self.known))
    }
}

impl ChainExplanation {
    /// An explanation of the chain named `chain` from what its sources answered, in order (for
    /// sources asked one by one, e.g. with [`SourceExplanation::ask`]).
    pub fn new(chain: impl Into<String>, sources: Vec<SourceExplanation>) -> Self {
        ChainExplanation {
            chain: chain.into(),
            sources,
        }
    }

    /// Lists the sources the chain leaves out, at their place. `known` is every source the chain
    /// can have, in order, each with what turns it on; those not in the explanation are inserted
    /// as [`SourceOutcome::LeftOut`] after the known sources that come before them. Sources not in
    /// `known` (added by the user) keep their place. ([`ProviderChain::explain`] does this with
    /// the chain's own [`ProviderChain::known_sources`].)
    ///
    /// ```
    /// use credchain::chain::{ChainExplanation, KnownSource, SourceExplanation, SourceOutcome};
    /// use credchain::Error;
    /// let asked = SourceOutcome::NotConfigured(Error::not_configured("unset"));
    /// let explanation = ChainExplanation::new(
    ///     "default",
    ///     vec![SourceExplanation::new("env", asked, std::time::Duration::ZERO)],
    /// )
    /// .with_left_out(&[
    ///     KnownSource::new("env", "set KEY"),
    ///     KnownSource::new("metadata", "unset METADATA_DISABLED"),
    /// ]);
    /// let names: Vec<&str> = explanation.sources().iter().map(|s| s.name()).collect();
    /// assert_eq!(names, ["env", "metadata"]);
    /// assert!(matches!(explanation.sources()[1].outcome(), SourceOutcome::LeftOut(w) if w == "unset METADATA_DISABLED"));
    /// ```
    pub fn with_left_out(self, known: &[KnownSource]) -> Self {
        let present: Vec<String> = self.sources.iter().map(|s| s.name.clone()).collect();
        let absent = |known: &[KnownSource]| -> Vec<SourceExplanation> {
            known
                .iter()
                .filter(|k| !present.iter().any(|p| p == k.name()))
                .map(|k| SourceExplanation::left_out(k.name(), k.turn_on()))
                .collect()
        };
        let mut sources = Vec::with_capacity(self.sources.len() + known.len());
        let mut next_known = 0;
        for source in self.sources {
            let place = known[next_known..]
                .iter()
                .position(|k| k.name() == source.name);
            if let Some(j) = place {
                sources.extend(absent(&known[next_known..next_known + j]));
                next_known += j + 1;
            }
            sources.push(source);
        }
        sources.extend(absent(&known[next_known..]));
        ChainExplanation {
            chain: self.chain,
            sources,
        }
    }

    /// The chain's name.
    pub fn chain(&self) -> &str {
        &self.chain
    }
    /// Every source, in order, left-out ones included.
    pub fn sources(&self) -> &[SourceExplanation] {
        &self.sources
    }
    /// The index of the source that decides the chain's answer: the first that found credentials
    /// or failed with a real error (the chain stops there). `None` when no source is configured.
    pub fn deciding_index(&self) -> Option<usize> {
        self.sources.iter().position(|s| {
            matches!(
                s.outcome,
                SourceOutcome::Found(_) | SourceOutcome::Failed(_)
            )
        })
    }
    /// The source whose credentials the chain would return; `None` when no source is configured
    /// or the deciding source failed.
    pub fn winner(&self) -> Option<&SourceExplanation> {
        let deciding = &self.sources[self.deciding_index()?];
        matches!(deciding.outcome, SourceOutcome::Found(_)).then_some(deciding)
    }
    /// Whether the chain would return credentials.
    pub fn resolved(&self) -> bool {
        self.winner().is_some()
    }
}

impl SourceExplanation {
    /// An explanation of one source from its parts.
    pub fn new(name: impl Into<String>, outcome: SourceOutcome, elapsed: Duration) -> Self {
        SourceExplanation {
            name: name.into(),
            outcome,
            elapsed,
        }
    }

    /// Asks `source` for credentials (through its cache, like a chain does) and explains the
    /// answer under the label `name`.
    pub async fn ask(name: impl Into<String>, source: &SharedProvider) -> Self {
        let started = Instant::now();
        let answer = source.provide_credentials().await;
        Self::from_answer(name, answer, started.elapsed())
    }

    fn from_answer(
        name: impl Into<String>,
        answer: Result<Credentials>,
        elapsed: Duration,
    ) -> Self {
        let outcome = match answer {
            Ok(c) => SourceOutcome::Found(FoundCredentials::of(&c)),
            Err(e) if e.is_not_configured() => SourceOutcome::NotConfigured(e),
            Err(e) => SourceOutcome::Failed(e),
        };
        Self::new(name, outcome, elapsed)
    }

    fn left_out(name: &str, turn_on: &str) -> Self {
        Self::new(
            name,
            SourceOutcome::LeftOut(turn_on.to_string()),
            Duration::ZERO,
        )
    }

    /// The source's name (or the label it was asked under).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// What it answered.
    pub fn outcome(&self) -> &SourceOutcome {
        &self.outcome
    }
    /// How long it took to answer (zero for a left-out source, which is not asked).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl FoundCredentials {
    /// The summary of `credentials`.
    pub fn of(credentials: &Credentials) -> Self {
        FoundCredentials {
            provider_name: credentials.provider_name().to_string(),
            masked_key_id: credentials.masked_key_id(),
            has_security_token: credentials.security_token().is_some(),
            is_bearer: credentials.bearer_token().is_some()
                && credentials.access_key_id().is_empty(),
            expiration: credentials.expiration(),
        }
    }
    /// The name of the provider that made the credentials (`cli_profile/ram_role_arn/static_ak`
    /// when one source signs another's call).
    pub fn provider_name(&self) -> &str {
        &self.provider_name
    }
    /// The access key id, masked to its last 4 characters (`****ABCD`).
    pub fn masked_key_id(&self) -> &str {
        &self.masked_key_id
    }
    /// Whether the credentials carry a security (session) token.
    pub fn has_security_token(&self) -> bool {
        self.has_security_token
    }
    /// Whether the credentials are a bearer token alone, with no access key.
    pub fn is_bearer(&self) -> bool {
        self.is_bearer
    }
    /// When the credentials expire; `None` for long-lived keys.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.expiration
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provide_fn;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    fn found(key: &'static str) -> impl ProvideCredentials {
        provide_fn("found", move || async move {
            Ok(Credentials::builder(key, "s3cret")
                .security_token("t0ken")
                .provider_name("inner")
                .build())
        })
    }
    fn skipped(name: &'static str) -> impl ProvideCredentials {
        provide_fn(name, || async {
            Err(Error::not_configured("nothing here"))
        })
    }
    fn broken(name: &'static str) -> impl ProvideCredentials {
        provide_fn(name, || async {
            Err(Error::new(crate::ErrorKind::File, "malformed file"))
        })
    }

    #[tokio::test]
    async fn every_source_is_asked_and_the_first_found_wins() {
        let chain = ProviderChain::new("default")
            .with(skipped("a"))
            .with(found("LTAIfirst0001"))
            .with(found("LTAIsecond002"));
        let x = chain.explain().await.unwrap();
        assert_eq!(x.chain(), "default");
        assert_eq!(
            x.sources().len(),
            3,
            "sources after the winner are asked too"
        );
        assert_eq!(x.deciding_index(), Some(1));
        let SourceOutcome::Found(f) = x.winner().unwrap().outcome() else {
            panic!("the winner found credentials")
        };
        assert_eq!(f.masked_key_id(), "****0001");
        assert_eq!(f.provider_name(), "inner", "the source's own provider name");
        assert!(f.has_security_token() && !f.is_bearer());
        assert!(x.resolved());
        assert!(chain.remembered().is_none(), "explaining remembers nothing");
        let shown = format!("{x:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("t0ken"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn a_failure_before_any_credentials_decides_and_nothing_wins() {
        let chain = ProviderChain::new("default")
            .with(skipped("a"))
            .with(broken("b"))
            .with(found("LTAIafter0003"));
        let x = chain.explain().await.unwrap();
        assert_eq!(x.deciding_index(), Some(1));
        assert!(x.winner().is_none() && !x.resolved());
        assert!(
            matches!(x.sources()[1].outcome(), SourceOutcome::Failed(e) if e.message() == "malformed file")
        );
        assert!(matches!(x.sources()[2].outcome(), SourceOutcome::Found(_)));
    }

    #[tokio::test]
    async fn nothing_configured_has_no_deciding_source() {
        let chain = ProviderChain::new("default")
            .with(skipped("a"))
            .with(skipped("b"));
        let x = chain.explain().await.unwrap();
        assert_eq!(x.deciding_index(), None);
        assert!(!x.resolved());
    }

    #[tokio::test]
    async fn a_misbuilt_chain_answers_its_error_and_asks_nobody() {
        let calls = Arc::new(AtomicU32::new(0));
        let counted = calls.clone();
        let chain = ProviderChain::new("default")
            .with(provide_fn("a", move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { Err(Error::not_configured("nothing here")) }
            }))
            .without("x")
            .replace("missing", skipped("b"));
        let e = chain.explain().await.unwrap_err();
        assert!(e.to_string().contains("replace(\"missing\")"), "{e}");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    fn names(x: &ChainExplanation) -> Vec<&str> {
        x.sources().iter().map(|s| s.name()).collect()
    }

    #[test]
    fn left_out_sources_are_listed_at_their_place() {
        let asked = |name: &str| {
            SourceExplanation::new(
                name,
                SourceOutcome::NotConfigured(Error::not_configured("unset")),
                Duration::ZERO,
            )
        };
        let known = [
            KnownSource::new("a", "on a"),
            KnownSource::new("b", "on b"),
            KnownSource::new("c", "on c"),
            KnownSource::new("d", "on d"),
        ];
        // `b` and `d` are left out; `mine` is the user's own source, not in `known`.
        let x = ChainExplanation::new("default", vec![asked("a"), asked("mine"), asked("c")])
            .with_left_out(&known);
        assert_eq!(names(&x), ["a", "mine", "b", "c", "d"]);
        assert!(matches!(x.sources()[2].outcome(), SourceOutcome::LeftOut(w) if w == "on b"));
        assert!(matches!(x.sources()[4].outcome(), SourceOutcome::LeftOut(w) if w == "on d"));
        // Nothing left out: nothing changes.
        let all = ChainExplanation::new("default", known.iter().map(|k| asked(k.name())).collect())
            .with_left_out(&known);
        assert_eq!(names(&all), ["a", "b", "c", "d"]);
    }

    const KNOWN: &[KnownSource] = &[
        KnownSource::new("a", "turn a on"),
        KnownSource::new("b", "turn b on"),
        KnownSource::new("c", "turn c on"),
    ];

    #[tokio::test]
    async fn explain_lists_the_known_sources_the_chain_left_out() {
        let chain = ProviderChain::new("default")
            .with(skipped("a"))
            .with(skipped("c"))
            .with_known_sources(KNOWN);
        let x = chain.explain().await.unwrap();
        assert_eq!(names(&x), ["a", "b", "c"]);
        assert!(matches!(x.sources()[1].outcome(), SourceOutcome::LeftOut(w) if w == "turn b on"));
        assert_eq!(x.sources()[1].elapsed(), Duration::ZERO, "not asked");
        assert_eq!(
            x.deciding_index(),
            None,
            "a left-out source decides nothing"
        );
        // Without known sources nothing is added.
        let bare = ProviderChain::new("default").with(skipped("a"));
        assert_eq!(names(&bare.explain().await.unwrap()), ["a"]);
    }

    #[tokio::test]
    async fn sources_the_user_removed_or_replaced_are_not_listed_as_left_out() {
        let chain = ProviderChain::new("default")
            .with(skipped("a"))
            .with(skipped("c"))
            .with_known_sources(KNOWN)
            .without("b")
            .replace("c", skipped("mine"));
        assert_eq!(chain.known_sources(), &KNOWN[..1]);
        assert_eq!(names(&chain.explain().await.unwrap()), ["a", "mine"]);
        // Replaced by a source of the same name: still known.
        let same = ProviderChain::new("default")
            .with(skipped("a"))
            .with_known_sources(KNOWN)
            .replace("a", skipped("a"));
        assert_eq!(same.known_sources(), KNOWN);
    }
}
