//! # credchain
//!
//! Resolve, cache and use Alibaba Cloud and Tencent Cloud credentials from Rust: every credential
//! source the official libraries support, with their env vars and file formats unchanged, behind
//! one lock-free refreshing cache, with bounded network I/O and secrets that never leak.
//!
//! ## Quick start
//!
//! ```no_run
//! use credchain::{alibaba, tencent, context::Context, ProvideCredentials};
//!
//! # async fn demo() -> credchain::Result<()> {
//! let ctx = Context::real();
//! let ali = alibaba::default_chain(&ctx).provide_credentials().await?;
//! println!("Alibaba Cloud key {} from {}", ali.masked_key_id(), ali.provider_name());
//! let tc = tencent::default_chain(&ctx).provide_credentials().await?;
//! println!("Tencent Cloud key {} from {}", tc.masked_key_id(), tc.provider_name());
//! # Ok(()) }
//! ```
//!
//! ## Concepts
//! - [`Credentials`]: one immutable snapshot (id, secret, token, expiry, provider name).
//! - [`ProvideCredentials`]: the trait every source implements; [`SharedProvider`] shares one.
//! - [`Cloud`]: a cloud by name, its default chain, and [`CloudConfig`], one credential config
//!   for either cloud (JSON, as `credchain --config` reads it) that builds a provider.
//! - [`ProviderChain`]: sources in order; skips only "not configured", stops on real errors;
//!   edit any chain with `with_first`, `with_after`, `replace`, `without`.
//! - [`provide_fn()`]: a source made from an async closure (cache it with [`cache::RefreshingCache`]).
//! - [`cache::RefreshingCache`]: lock-free cached reads, single-flight background refresh.
//! - [`context::Context`]: env, files, clock and HTTP, injected (tests use in-memory fakes).
//! - [`Error`]: what failed, where, and what to do; never a secret.
//! - [`redact`]: how outside text (server messages, URLs, paths, process output, parse errors)
//!   is made safe before it reaches an error or a log line.
#![warn(missing_docs)]

#[cfg(any(
    feature = "aws",
    feature = "object-store",
    feature = "reqsign",
    feature = "middleware"
))]
pub mod adapters;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod cache;
pub mod chain;
#[cfg(any(feature = "alibaba", feature = "tencent"))]
pub mod cloud;
pub mod context;
pub mod credentials;
pub mod error;
pub mod http;
pub mod ini;
pub mod provide_fn;
pub mod provider;
pub mod redact;
pub mod sign;
pub mod time;

#[cfg(feature = "alibaba")]
pub mod alibaba;
#[cfg(feature = "tencent")]
pub mod tencent;

pub use chain::ProviderChain;
#[cfg(any(feature = "alibaba", feature = "tencent"))]
pub use cloud::{Cloud, CloudConfig, ConfiguredProvider};
pub use credentials::{Credentials, Secret};
pub use error::{Error, ErrorKind, Result};
pub use provide_fn::{provide_fn, ProvideFn};
pub use provider::{ProvideCredentials, ProvideFuture, SharedProvider};
