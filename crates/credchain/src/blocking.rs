//! Synchronous use of any provider, for code that has no async runtime (feature `blocking`).
//!
//! [`BlockingProvider`] owns a small Tokio runtime (one worker thread, started when the provider is
//! built) and runs the async provider on it. Cost: one OS thread per `BlockingProvider`, and a
//! channel round trip per call that misses the cache; a warm cached read costs about the same as
//! the async read plus that hand-off. Background refreshes run on the owned runtime, so they keep
//! working between calls. Calling it from inside an async runtime is allowed (it never blocks on
//! the caller's runtime), but async code should use the provider directly.

use std::fmt;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{ProvideCredentials, SharedProvider};

/// A provider usable from synchronous code.
///
/// ```
/// use credchain::blocking::BlockingProvider;
/// use credchain::alibaba::StaticAccessKeyProvider;
/// let p = BlockingProvider::new(StaticAccessKeyProvider::new("LTAI5tExample", "secret").unwrap()).unwrap();
/// let c = p.provide_credentials().unwrap();
/// assert_eq!(c.provider_name(), "static_ak");
/// ```
pub struct BlockingProvider {
    provider: SharedProvider,
    /// Always `Some` until dropped (taken in `Drop` to shut down without blocking).
    runtime: Option<tokio::runtime::Runtime>,
}

impl BlockingProvider {
    /// Wraps a provider and starts its runtime.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Result<Self> {
        Self::from_shared(SharedProvider::new(provider))
    }

    /// Wraps a shared provider (its cache is shared with other users of the same provider).
    pub fn from_shared(provider: SharedProvider) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("credchain-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Transport, "cannot start the credchain runtime")
                    .with_source(e)
            })?;
        Ok(BlockingProvider {
            provider,
            runtime: Some(runtime),
        })
    }

    /// Resolves credentials, blocking the calling thread.
    pub fn provide_credentials(&self) -> Result<Credentials> {
        self.run(false)
    }

    /// Forces a refresh, blocking the calling thread.
    pub fn force_refresh(&self) -> Result<Credentials> {
        self.run(true)
    }

    fn run(&self, force: bool) -> Result<Credentials> {
        let Some(runtime) = &self.runtime else {
            return Err(Error::new(
                ErrorKind::Transport,
                "the credchain runtime has shut down",
            ));
        };
        let provider = self.provider.clone();
        let task = runtime.spawn(async move {
            if force {
                provider.force_refresh().await
            } else {
                provider.provide_credentials().await
            }
        });
        // Wait on a std channel rather than `block_on`, so this also works when the caller is
        // itself inside a Tokio runtime.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = tx.send(task.await);
        });
        match rx.recv() {
            Ok(Ok(result)) => result,
            _ => Err(Error::new(
                ErrorKind::Transport,
                "the credential task was cancelled",
            )),
        }
    }
}

impl Drop for BlockingProvider {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside another runtime; this never blocks.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl fmt::Debug for BlockingProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingProvider")
            .field("provider", &self.provider)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Context, MemoryEnv};

    #[test]
    fn works_without_a_runtime() {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
            ("TENCENTCLOUD_SECRET_ID", "AKIDblocking"),
            ("TENCENTCLOUD_SECRET_KEY", "k"),
        ]));
        let p = BlockingProvider::new(crate::tencent::default_chain(&ctx)).unwrap();
        assert_eq!(
            p.provide_credentials().unwrap().provider_name(),
            "default/env"
        );
        assert_eq!(p.force_refresh().unwrap().secret_id(), "AKIDblocking");
    }

    #[tokio::test]
    async fn works_inside_a_runtime_too() {
        let p =
            BlockingProvider::new(crate::alibaba::StaticAccessKeyProvider::new("id", "s").unwrap())
                .unwrap();
        let c = tokio::task::spawn_blocking({
            let p = BlockingProvider::new(
                crate::alibaba::StaticAccessKeyProvider::new("id", "s").unwrap(),
            )
            .unwrap();
            move || p.provide_credentials()
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(c.access_key_id(), "id");
        // Dropping inside a runtime must not panic.
        drop(p);
    }
}
