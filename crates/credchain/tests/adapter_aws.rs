//! Feature `aws`: credchain providers as AWS SDK credential providers.
#![cfg(feature = "aws")]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials as _;
use credchain::adapters::aws::{AwsProvider, FromAws};
use credchain::cache::{RefreshPolicy, RefreshingCache};
use credchain::context::{Clock, ManualClock};
use credchain::{provide_fn, Credentials, Error, ProvideCredentials, ProviderChain};

const LIFETIME: Duration = Duration::from_secs(900);

/// An STS-like source on `clock`: each fetch issues `STS.<n>` valid for [`LIFETIME`].
fn sts(clock: ManualClock, fetches: Arc<AtomicU32>) -> impl ProvideCredentials {
    provide_fn("sts", move || {
        let n = fetches.fetch_add(1, Ordering::SeqCst);
        let expiry = clock.now() + LIFETIME;
        async move {
            Ok(
                Credentials::builder(format!("STS.{n}"), format!("secret{n}"))
                    .security_token(format!("token{n}"))
                    .expiration(expiry)
                    .build(),
            )
        }
    })
}

#[tokio::test]
async fn yields_the_snapshot_with_its_expiry_and_refreshes_at_expiry() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let clock = ManualClock::new(start);
    let fetches = Arc::new(AtomicU32::new(0));
    let cache = RefreshingCache::new(
        sts(clock.clone(), fetches.clone()),
        RefreshPolicy::STS.without_jitter(),
        Arc::new(clock.clone()),
    );
    let chain = ProviderChain::new("default").with(cache);
    let aws = AwsProvider::new(chain);

    let first = aws.provide_credentials().await.unwrap();
    assert_eq!(first.access_key_id(), "STS.0");
    assert_eq!(first.secret_access_key(), "secret0");
    assert_eq!(first.session_token(), Some("token0"));
    assert_eq!(first.expiry(), Some(start + LIFETIME));
    assert!(
        format!("{first:?}").contains("default/sts"),
        "the provider name is kept: {first:?}"
    );
    aws.provide_credentials().await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "served from the cache");

    clock.advance(LIFETIME + Duration::from_secs(1));
    let second = aws.provide_credentials().await.unwrap();
    assert_eq!(second.access_key_id(), "STS.1");
    assert_eq!(second.session_token(), Some("token1"));
    assert_eq!(second.expiry(), Some(clock.now() + LIFETIME));
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn errors_keep_their_category_and_never_a_secret() {
    let none = AwsProvider::new(provide_fn("vault", || async {
        Err(Error::not_configured("no lease"))
    }));
    let e = none.provide_credentials().await.unwrap_err();
    assert!(
        matches!(e, CredentialsError::CredentialsNotLoaded(_)),
        "an AWS chain must go on to its next provider: {e:?}"
    );
    let bad = AwsProvider::new(provide_fn("vault", || async {
        Err(Error::invalid_config("lease malformed"))
    }));
    let e = bad.provide_credentials().await.unwrap_err();
    assert!(matches!(e, CredentialsError::InvalidConfiguration(_)));
}

#[tokio::test]
async fn an_aws_provider_can_sit_behind_credchains_cache() {
    let aws = aws_credential_types::Credentials::new(
        "AKIDexample",
        "secret",
        Some("token".into()),
        Some(SystemTime::now() + Duration::from_secs(3600)),
        "Static",
    );
    let cache = RefreshingCache::with_system_clock(FromAws::new("aws", aws), RefreshPolicy::STS);
    let c = cache.provide_credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.token(), c.provider_name()),
        ("AKIDexample", Some("token"), "aws")
    );
    assert!(c.expiration().is_some());
    cache.provide_credentials().await.unwrap();
    assert_eq!(cache.fetch_count(), 1);
}
