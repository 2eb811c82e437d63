//! Feature `middleware`: signed calls to the emulator's API routes, and the refresh-and-retry-once
//! rule on expired-token answers (injected with the emulator's faults).
#![cfg(feature = "middleware")]

mod common;

use std::sync::Arc;

use credchain::adapters::middleware::{Scheme, SigningMiddleware};
use credchain::alibaba::RamRoleArnProvider;
use credchain::cache::{RefreshPolicy, RefreshingCache};
use credchain::context::MemoryEnv;
use credchain::{provide_fn, Credentials, SharedProvider};
use credchain_emulator::routes::alibaba_api::{ALIBABA_API_ACS3, ALIBABA_API_RPC};
use credchain_emulator::routes::tencent_api::TENCENT_API;
use credchain_emulator::routes::{alibaba_sts, tencent_sts};
use credchain_emulator::{Emulator, Fault};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};

fn role(emu: &Emulator) -> RamRoleArnProvider {
    let env = MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url())]);
    let ctx = common::context_with(env);
    RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
        .role_arn("acs:ram::123456789012:role/middleware")
        .build(&ctx)
        .unwrap()
}

fn client(scheme: Scheme, provider: SharedProvider) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::from_shared(scheme, provider))
        .build()
}

fn acs3_call(c: &ClientWithMiddleware, emu: &Emulator) -> reqwest_middleware::RequestBuilder {
    c.post(emu.url("/"))
        .header("x-acs-action", "DescribeRegions")
        .header("x-acs-version", "2014-05-26")
}

fn expired_alibaba() -> Fault {
    Fault::Status {
        status: 400,
        body: Some(
            r#"{"RequestId":"req-1","Code":"InvalidSecurityToken.Expired","Message":"token expired"}"#
                .into(),
        ),
    }
}

#[tokio::test]
async fn acs3_rpc_and_tc3_calls_are_signed_and_accepted() {
    let emu = Emulator::start().await.unwrap();
    let sts = SharedProvider::new(role(&emu));

    let acs3 = client(Scheme::Acs3, sts.clone());
    let r = acs3_call(&acs3, &emu).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let sent = &emu.requests_for(ALIBABA_API_ACS3)[0];
    assert_eq!(
        sent.header("x-acs-security-token"),
        Some(emu.issued()[0].security_token.as_str())
    );

    let rpc = client(Scheme::Rpc, sts);
    let r = rpc
        .get(emu.url("/?Action=DescribeRegions&Version=2014-05-26"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(emu.requests_for(ALIBABA_API_RPC).len(), 1);

    let tencent = SharedProvider::new(provide_fn("static", || async {
        Ok(Credentials::builder(
            tencent_sts::EMULATOR_SECRET_ID,
            tencent_sts::EMULATOR_SECRET_KEY,
        )
        .build())
    }));
    let tc3 = client(Scheme::Tc3, tencent);
    let r = tc3
        .post(emu.url("/"))
        .header("X-TC-Action", "DescribeInstances")
        .header("X-TC-Version", "2017-03-12")
        .header("X-TC-Region", "ap-guangzhou")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(
        text.contains("InstanceSet") && !text.contains("Error"),
        "{text}"
    );
}

#[tokio::test]
async fn an_expired_token_answer_causes_one_refresh_and_one_retry() {
    let emu = Emulator::start().await.unwrap();
    let sts = SharedProvider::new(role(&emu));
    let acs3 = client(Scheme::Acs3, sts);
    acs3_call(&acs3, &emu).send().await.unwrap(); // warm: one AssumeRole
    emu.clear_requests();

    emu.push_fault(ALIBABA_API_ACS3, expired_alibaba());
    let r = acs3_call(&acs3, &emu).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let issued = emu.issued();
    assert_eq!(issued.len(), 2, "exactly one refresh");
    let sent = emu.requests_for(ALIBABA_API_ACS3);
    assert_eq!(sent.len(), 2, "exactly one retry");
    assert_eq!(
        sent[0].header("x-acs-security-token"),
        Some(issued[0].security_token.as_str())
    );
    assert_eq!(
        sent[1].header("x-acs-security-token"),
        Some(issued[1].security_token.as_str()),
        "the retry is signed with the refreshed credentials"
    );
}

#[tokio::test]
async fn a_second_expired_answer_is_returned_to_the_caller() {
    let emu = Emulator::start().await.unwrap();
    let acs3 = client(Scheme::Acs3, SharedProvider::new(role(&emu)));
    emu.push_fault(ALIBABA_API_ACS3, expired_alibaba());
    emu.push_fault(ALIBABA_API_ACS3, expired_alibaba());
    let r = acs3_call(&acs3, &emu).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("InvalidSecurityToken.Expired"));
    assert_eq!(emu.requests_for(ALIBABA_API_ACS3).len(), 2, "no third try");
    assert_eq!(emu.issued().len(), 2, "one initial fetch, one refresh");
}

#[tokio::test]
async fn tencent_token_failure_with_http_200_is_retried_once() {
    let emu = Emulator::start().await.unwrap();
    let cache = Arc::new(RefreshingCache::with_system_clock(
        provide_fn("static", || async {
            Ok(Credentials::builder(
                tencent_sts::EMULATOR_SECRET_ID,
                tencent_sts::EMULATOR_SECRET_KEY,
            )
            .build())
        }),
        RefreshPolicy::STS,
    ));
    let tc3 = client(Scheme::Tc3, SharedProvider::from_arc(cache.clone()));
    emu.push_fault(
        TENCENT_API,
        Fault::Status {
            status: 200,
            body: Some(
                r#"{"Response":{"Error":{"Code":"AuthFailure.TokenFailure","Message":"expired"},"RequestId":"r1"}}"#
                    .into(),
            ),
        },
    );
    let r = tc3
        .post(emu.url("/"))
        .header("X-TC-Action", "DescribeInstances")
        .header("X-TC-Version", "2017-03-12")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(text.contains("InstanceSet"), "{text}");
    assert_eq!(emu.requests_for(TENCENT_API).len(), 2);
    assert_eq!(cache.fetch_count(), 2, "one forced refresh");
}
