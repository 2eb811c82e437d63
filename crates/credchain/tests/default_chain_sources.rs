//! The default chains' known sources (`alibaba::DEFAULT_CHAIN_SOURCES`,
//! `tencent::DEFAULT_CHAIN_SOURCES`): they match the chains, `explain` lists the ones a chain left
//! out with what turns them on, and doing what that text says does turn the source on. No network:
//! the contexts have no HTTP client and no source is asked unless its configuration is absent.
#![cfg(all(feature = "alibaba", feature = "tencent"))]

use credchain::chain::{KnownSource, SourceOutcome};
use credchain::context::{Context, MemoryEnv};
use credchain::{alibaba, tencent, ProviderChain};

fn ctx(pairs: &[(&str, &str)]) -> Context {
    Context::empty().with_env(MemoryEnv::from_pairs(pairs.iter().copied()))
}

fn chain_names(chain: &ProviderChain) -> Vec<&str> {
    chain.sources().iter().map(|s| s.name()).collect()
}

fn known_names(known: &[KnownSource]) -> Vec<&'static str> {
    known.iter().map(|k| k.name()).collect()
}

/// The `ALIBABA_CLOUD_*` variables a sentence names.
fn variables(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|w| w.starts_with("ALIBABA_CLOUD_"))
        .collect()
}

/// Every switch on: RRSA, metadata, the credentials URI.
const ALIBABA_ALL_ON: &[(&str, &str)] = &[
    ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r"),
    (
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        "acs:ram::1:oidc-provider/p",
    ),
    ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/token"),
    (
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        "http://127.0.0.1:9/credentials",
    ),
];

#[test]
fn every_known_source_is_in_the_chain_when_everything_is_on() {
    let ali = alibaba::default_chain(&ctx(ALIBABA_ALL_ON));
    assert_eq!(
        chain_names(&ali),
        known_names(alibaba::DEFAULT_CHAIN_SOURCES)
    );
    assert_eq!(ali.known_sources(), alibaba::DEFAULT_CHAIN_SOURCES);
    let tc = tencent::default_chain(&ctx(&[]));
    assert_eq!(
        chain_names(&tc),
        known_names(tencent::DEFAULT_CHAIN_SOURCES)
    );
    assert_eq!(tc.known_sources(), tencent::DEFAULT_CHAIN_SOURCES);
}

#[test]
fn every_known_source_says_what_turns_it_on() {
    for known in [
        alibaba::DEFAULT_CHAIN_SOURCES,
        tencent::DEFAULT_CHAIN_SOURCES,
    ] {
        for k in known {
            assert!(
                k.turn_on().contains("set ") || k.turn_on().contains("write "),
                "{k:?}"
            );
            assert!(!k.turn_on().ends_with('.'), "{k:?}");
        }
    }
}

#[tokio::test]
async fn explain_lists_the_alibaba_sources_left_out_with_what_turns_them_on() {
    let chain = alibaba::default_chain(&ctx(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]));
    assert_eq!(chain_names(&chain), ["env", "cli_profile", "profile"]);
    let x = chain.explain().await.unwrap();
    let names: Vec<&str> = x.sources().iter().map(|s| s.name()).collect();
    assert_eq!(names, known_names(alibaba::DEFAULT_CHAIN_SOURCES));
    let mut left_out = Vec::new();
    for (s, k) in x.sources().iter().zip(alibaba::DEFAULT_CHAIN_SOURCES) {
        if let SourceOutcome::LeftOut(why) = s.outcome() {
            assert_eq!(why, k.turn_on());
            left_out.push(s.name());
        }
    }
    assert_eq!(
        left_out,
        ["oidc_role_arn", "ecs_ram_role", "credential_uri"]
    );
    assert!(!x.resolved());
}

/// Doing what a left-out source's text says puts it in the chain: setting the variables it names,
/// or unsetting the one it says to unset.
#[test]
fn doing_what_the_alibaba_text_says_turns_the_source_on() {
    let off = ctx(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
    let absent: Vec<&KnownSource> = alibaba::DEFAULT_CHAIN_SOURCES
        .iter()
        .filter(|k| !chain_names(&alibaba::default_chain(&off)).contains(&k.name()))
        .collect();
    assert_eq!(absent.len(), 3);
    for k in absent {
        let named = variables(k.turn_on());
        assert!(!named.is_empty(), "{k:?} names no variable");
        let env: Vec<(&str, &str)> = if k.turn_on().contains("unset it") {
            Vec::new()
        } else {
            let value = |v: &str| ALIBABA_ALL_ON.iter().find(|(n, _)| *n == v).copied();
            let mut env: Vec<_> = named.iter().map(|v| value(v).expect(v)).collect();
            env.push(("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"));
            env
        };
        let chain = alibaba::default_chain(&ctx(&env));
        assert!(chain_names(&chain).contains(&k.name()), "{k:?}: {env:?}");
    }
}

#[tokio::test]
async fn tencent_keeps_every_source_and_a_profile_chain_knows_no_others() {
    let off = ctx(&[("TENCENTCLOUD_METADATA_DISABLED", "true")]);
    let x = tencent::default_chain(&off).explain().await.unwrap();
    let names: Vec<&str> = x.sources().iter().map(|s| s.name()).collect();
    assert_eq!(names, known_names(tencent::DEFAULT_CHAIN_SOURCES));
    assert!(x
        .sources()
        .iter()
        .all(|s| !matches!(s.outcome(), SourceOutcome::LeftOut(_))));
    let profile = tencent::DefaultChainBuilder::default()
        .profile("ops")
        .build(&off);
    assert!(profile.known_sources().is_empty());
    assert_eq!(profile.explain().await.unwrap().sources().len(), 1);
}

#[tokio::test]
async fn a_removed_default_source_is_not_listed_as_left_out() {
    let chain = alibaba::default_chain(&ctx(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]))
        .without("credential_uri");
    let x = chain.explain().await.unwrap();
    assert!(x.sources().iter().all(|s| s.name() != "credential_uri"));
    assert!(x.sources().iter().any(|s| s.name() == "ecs_ram_role"));
}
