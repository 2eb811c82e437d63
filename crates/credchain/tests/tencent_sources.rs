//! Tencent Cloud sources against the emulator on loopback (`docs/sources/tencent.md`).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use credchain::context::{Context, ManualClock, MemoryEnv, MemoryFs};
use credchain::tencent::{
    self, CvmRoleProvider, OidcRoleArnProvider, ProfileProvider, StsAssumeRoleProvider,
    TkeOidcProvider,
};
use credchain::{Credentials, ErrorKind, ProvideCredentials, SharedProvider};
use credchain_emulator::routes::tencent_sts::{
    error_body, EMULATOR_OIDC_PROVIDER_ID, EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY,
    EMULATOR_WEB_IDENTITY_TOKEN, EMULATOR_WEB_IDENTITY_TOKEN_ROTATED,
};
use credchain_emulator::routes::{
    TENCENT_CVM_CREDENTIALS, TENCENT_CVM_ROLE_LIST, TENCENT_STS_ASSUME_ROLE,
    TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY,
};
use credchain_emulator::{Emulator, Fault, Matcher, Reply, Route};

const ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/emu-reader";

fn ctx_with(emu: &Emulator, extra: &[(&str, &str)], fs: MemoryFs) -> Context {
    let mut env = MemoryEnv::from_pairs([
        ("HOME", "/home/u"),
        ("TENCENTCLOUD_METADATA_ENDPOINT", emu.base_url().as_str()),
        ("TENCENTCLOUD_STS_ENDPOINT", emu.base_url().as_str()),
    ]);
    for (k, v) in extra {
        env.set(*k, *v);
    }
    common::context_with(env).with_fs(fs)
}

fn ctx(emu: &Emulator) -> Context {
    ctx_with(emu, &[], MemoryFs::new())
}

fn assume_role(ctx: &Context) -> StsAssumeRoleProvider {
    StsAssumeRoleProvider::builder()
        .secret(EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY)
        .role_arn(ROLE_ARN)
        .build(ctx)
        .unwrap()
}

/// The emulator derives id, key and token from one serial: they must agree.
fn serial_of(c: &Credentials) -> String {
    let id = c.secret_id().trim_start_matches("AKIDemu").to_string();
    assert_eq!(
        c.secret_key(),
        format!("emuTcSecret{id}z3Vw"),
        "mixed id/key"
    );
    assert_eq!(
        c.token(),
        Some(format!("emuTcToken{id}hB2m").as_str()),
        "mixed id/token"
    );
    id
}

// ---------------------------------------------------------------- CVM

#[tokio::test]
async fn cvm_discovers_role_then_caches() {
    let emu = Emulator::start().await.unwrap();
    let p = CvmRoleProvider::from_context(&ctx(&emu));
    assert_eq!(p.role_name(), None);
    let c = p.provide_credentials().await.unwrap();
    serial_of(&c);
    assert_eq!(c.provider_name(), "cvm_role");
    assert!(c.expiration().unwrap() > SystemTime::now());
    assert_eq!(p.role_name().as_deref(), Some("EmulatorCvmRole"));
    let again = p.provide_credentials().await.unwrap();
    assert_eq!(again, c);
    assert_eq!(emu.requests_for(TENCENT_CVM_ROLE_LIST).len(), 1);
    assert_eq!(emu.requests_for(TENCENT_CVM_CREDENTIALS).len(), 1);
    // Never proxied, plain GET without auth.
    let r = &emu.requests_for(TENCENT_CVM_CREDENTIALS)[0];
    assert!(r.header("authorization").is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_given_role_skips_listing() {
    let emu = Emulator::start().await.unwrap();
    let p = CvmRoleProvider::builder()
        .role_name("EmulatorCvmRole")
        .build(&ctx(&emu))
        .unwrap();
    p.provide_credentials().await.unwrap();
    assert_eq!(emu.requests_for(TENCENT_CVM_ROLE_LIST).len(), 0);
    let p = CvmRoleProvider::builder()
        .role_name("OtherRole")
        .build(&ctx(&emu))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Service, Some(404)));
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_no_role_is_not_configured() {
    let emu = Emulator::start().await.unwrap();
    emu.set_cvm_role_name(None);
    let e = CvmRoleProvider::from_context(&ctx(&emu))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(e.is_not_configured(), "{e}");
    assert!(e.to_string().contains("no CAM role"), "{e}");
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_disabled_sends_nothing() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx_with(
        &emu,
        &[("TENCENTCLOUD_METADATA_DISABLED", "true")],
        MemoryFs::new(),
    );
    let e = CvmRoleProvider::from_context(&ctx)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(e.is_not_configured());
    assert!(emu.requests().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_code_not_success_is_an_error() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(Route::new(
        TENCENT_CVM_CREDENTIALS,
        Matcher::method_path(
            "GET",
            "/latest/meta-data/cam/security-credentials/EmulatorCvmRole",
        ),
        |_, _| Reply::json(200, serde_json::json!({"Code": "Failure"})),
    ));
    let e = CvmRoleProvider::from_context(&ctx(&emu))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.code(), Some("Failure"));
    assert!(e.message().contains("code=Failure"), "{e}");
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_faults() {
    let emu = Emulator::start().await.unwrap();
    let cases: Vec<(Fault, ErrorKind)> = vec![
        (Fault::MalformedBody, ErrorKind::InvalidResponse),
        (Fault::missing_fields(["Token"]), ErrorKind::InvalidResponse),
        (
            Fault::missing_fields(["TmpSecretKey"]),
            ErrorKind::InvalidResponse,
        ),
        (Fault::status(500), ErrorKind::Service),
        (Fault::ExpiredCredentials, ErrorKind::Expired),
        (Fault::TruncatedBody, ErrorKind::Transport),
    ];
    for (fault, kind) in cases {
        emu.set_fault(TENCENT_CVM_CREDENTIALS, fault.clone());
        let e = CvmRoleProvider::from_context(&ctx(&emu))
            .provide_credentials()
            .await
            .unwrap_err();
        // A truncated body may surface as a transport error or as invalid JSON.
        if kind == ErrorKind::Transport {
            assert!(
                matches!(e.kind(), ErrorKind::Transport | ErrorKind::InvalidResponse),
                "{fault:?}: {e}"
            );
        } else if kind == ErrorKind::Expired {
            assert!(!e.is_not_configured(), "{fault:?}: {e}");
        } else {
            assert_eq!(e.kind(), kind, "{fault:?}: {e}");
        }
        let shown = format!("{e} {e:?}");
        assert!(
            !shown.contains("emuTcSecret") && !shown.contains("emuTcToken"),
            "{shown}"
        );
    }
    // 5xx is retried once (RetryPolicy::METADATA), then succeeds.
    emu.clear_faults();
    emu.push_fault(TENCENT_CVM_CREDENTIALS, Fault::status(503));
    let before = emu.requests_for(TENCENT_CVM_CREDENTIALS).len();
    CvmRoleProvider::from_context(&ctx(&emu))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(emu.requests_for(TENCENT_CVM_CREDENTIALS).len(), before + 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_timeouts_are_honoured() {
    let emu = Emulator::start().await.unwrap();
    // Listing slower than the 1 s read timeout: treated as "not on a CVM".
    emu.push_fault(TENCENT_CVM_ROLE_LIST, Fault::Delay(Duration::from_secs(3)));
    let started = Instant::now();
    let e = CvmRoleProvider::from_context(&ctx(&emu))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(e.is_not_configured(), "{e}");
    assert!(
        started.elapsed() < Duration::from_millis(2900),
        "{:?}",
        started.elapsed()
    );
    // Credentials slower than the timeout, role known: a timeout error, not "not configured".
    emu.set_fault(
        TENCENT_CVM_CREDENTIALS,
        Fault::Delay(Duration::from_secs(3)),
    );
    let p = CvmRoleProvider::builder()
        .role_name("EmulatorCvmRole")
        .build(&ctx(&emu))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_unreachable_is_not_configured_and_fast() {
    let url = format!("http://127.0.0.1:{}", common::closed_port());
    let env = MemoryEnv::from_pairs([("TENCENTCLOUD_METADATA_ENDPOINT", url.as_str())]);
    let ctx = common::context_with(env);
    let started = Instant::now();
    let e = CvmRoleProvider::from_context(&ctx)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(e.is_not_configured(), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn cvm_refreshes_before_expiry_not_while_valid() {
    let emu = Emulator::start().await.unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let ctx = ctx(&emu).with_clock(clock.clone());
    let p = CvmRoleProvider::from_context(&ctx);
    let first = p.provide_credentials().await.unwrap();
    for _ in 0..5 {
        assert_eq!(p.provide_credentials().await.unwrap(), first);
    }
    assert_eq!(p.fetch_count(), 1);
    // Within the last 300 s of validity a caller waits for a new credential.
    clock.advance(Duration::from_secs(3600 - 299));
    let second = p.provide_credentials().await.unwrap();
    assert_ne!(serial_of(&second), serial_of(&first));
    emu.shutdown().await;
}

// ---------------------------------------------------------------- AssumeRole

#[tokio::test]
async fn assume_role_request_shape_and_signature() {
    let emu = Emulator::start().await.unwrap();
    let p = assume_role(&ctx(&emu));
    let c = p.provide_credentials().await.unwrap();
    serial_of(&c);
    assert_eq!(c.provider_name(), "sts_assume_role");
    let reqs = emu.requests_for(TENCENT_STS_ASSUME_ROLE);
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.header("x-tc-version"), Some("2018-08-13"));
    assert_eq!(r.header("x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("host"), Some(emu.addr().to_string().as_str()));
    assert!(r.header("x-tc-token").is_none());
    assert!(r
        .header("authorization")
        .unwrap()
        .contains("/sts/tc3_request"));
    let body = r.json().unwrap();
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["DurationSeconds", "RoleArn", "RoleSessionName"]);
    assert_eq!(body["DurationSeconds"], 7200);
    assert_eq!(body["RoleArn"], ROLE_ARN);
    let session = body["RoleSessionName"].as_str().unwrap();
    assert!(session.starts_with("credchain-") && session[10..].chars().all(|c| c.is_ascii_digit()));
    // Cached.
    p.provide_credentials().await.unwrap();
    assert_eq!(emu.requests_for(TENCENT_STS_ASSUME_ROLE).len(), 1);
    assert_eq!(p.role_arn(), ROLE_ARN);
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_optional_fields_and_region() {
    let emu = Emulator::start().await.unwrap();
    let p = StsAssumeRoleProvider::builder()
        .secret(EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY)
        .role_arn(ROLE_ARN)
        .role_session_name("my-session")
        .duration_seconds(900)
        .region("ap-shanghai")
        .policy("%7B%22version%22%3A%222.0%22%7D")
        .external_id("ext-123")
        .build(&ctx(&emu))
        .unwrap();
    p.provide_credentials().await.unwrap();
    let r = &emu.requests_for(TENCENT_STS_ASSUME_ROLE)[0];
    assert_eq!(r.header("x-tc-region"), Some("ap-shanghai"));
    let body = r.json().unwrap();
    assert_eq!(body["RoleSessionName"], "my-session");
    assert_eq!(body["DurationSeconds"], 900);
    assert_eq!(body["Policy"], "%7B%22version%22%3A%222.0%22%7D");
    assert_eq!(body["ExternalId"], "ext-123");
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_rejections_carry_code_message_and_request_id() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx(&emu);
    let wrong_key = StsAssumeRoleProvider::builder()
        .secret(EMULATOR_SECRET_ID, "not-the-key")
        .role_arn(ROLE_ARN)
        .build(&ctx)
        .unwrap();
    let e = wrong_key.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.code(), Some("AuthFailure.SignatureFailure"));
    assert!(e.request_id().is_some_and(|r| r.starts_with("emu-tc-")));
    assert!(!format!("{e} {e:?}").contains("not-the-key"));
    let unknown = StsAssumeRoleProvider::builder()
        .secret("AKIDunknown", "k")
        .role_arn(ROLE_ARN)
        .build(&ctx)
        .unwrap();
    assert_eq!(
        unknown.provide_credentials().await.unwrap_err().code(),
        Some("AuthFailure.SecretIdNotFound")
    );
    let bad_arn = StsAssumeRoleProvider::builder()
        .secret(EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY)
        .role_arn("not-an-arn")
        .build(&ctx)
        .unwrap();
    assert_eq!(
        bad_arn.provide_credentials().await.unwrap_err().code(),
        Some("InternalError.GetRoleError")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_clock_skew_is_reported() {
    let emu = Emulator::start().await.unwrap();
    let clock = ManualClock::new(SystemTime::now() - Duration::from_secs(3600));
    let p = assume_role(&ctx(&emu).with_clock(clock));
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.code(), Some("AuthFailure.SignatureExpire"));
    assert!(e.hint().unwrap().contains("clock"));
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_duration_checked_before_any_call() {
    let emu = Emulator::start().await.unwrap();
    for d in [0, 899, 43201] {
        let e = StsAssumeRoleProvider::builder()
            .secret(EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY)
            .role_arn(ROLE_ARN)
            .duration_seconds(d)
            .build(&ctx(&emu))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    }
    assert!(emu.requests().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_retries_throttling_and_5xx() {
    let emu = Emulator::start().await.unwrap();
    emu.push_fault(
        TENCENT_STS_ASSUME_ROLE,
        Fault::status_with_body(200, error_body("RequestLimitExceeded", "too many requests")),
    );
    emu.push_fault(TENCENT_STS_ASSUME_ROLE, Fault::status(503));
    assume_role(&ctx(&emu)).provide_credentials().await.unwrap();
    assert_eq!(emu.requests_for(TENCENT_STS_ASSUME_ROLE).len(), 3);
    // Persistent throttling surfaces as a service error with the code.
    emu.set_fault(
        TENCENT_STS_ASSUME_ROLE,
        Fault::status_with_body(200, error_body("RequestLimitExceeded", "too many requests")),
    );
    let e = assume_role(&ctx(&emu))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("RequestLimitExceeded"));
    emu.shutdown().await;
}

/// One retry loop, whatever status the throttling answer comes with: persistent throttling costs
/// exactly `RetryPolicy::REMOTE.max_attempts` sends (nested loops made it 3 x 3 = 9).
#[tokio::test]
async fn persistent_throttling_is_sent_exactly_three_times() {
    let emu = Emulator::start().await.unwrap();
    for status in [200, 400, 503] {
        emu.set_fault(
            TENCENT_STS_ASSUME_ROLE,
            Fault::status_with_body(
                status,
                error_body("RequestLimitExceeded", "too many requests"),
            ),
        );
        let before = emu.requests_for(TENCENT_STS_ASSUME_ROLE).len();
        let started = Instant::now();
        let e = assume_role(&ctx(&emu))
            .provide_credentials()
            .await
            .unwrap_err();
        let sends = emu.requests_for(TENCENT_STS_ASSUME_ROLE).len() - before;
        println!(
            "throttled with HTTP {status}: {sends} sends in {:?}",
            started.elapsed()
        );
        assert_eq!(e.code(), Some("RequestLimitExceeded"), "HTTP {status}");
        assert_eq!(sends, 3, "HTTP {status}: one retry loop of 3 attempts");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_bad_answers() {
    let emu = Emulator::start().await.unwrap();
    for (fault, kind) in [
        (Fault::MalformedBody, ErrorKind::InvalidResponse),
        (Fault::missing_fields(["Token"]), ErrorKind::InvalidResponse),
        (
            Fault::missing_fields(["ExpiredTime", "Expiration"]),
            ErrorKind::InvalidResponse,
        ),
        (
            Fault::status_with_body(400, error_body("InvalidParameter", "bad")),
            ErrorKind::Service,
        ),
    ] {
        emu.set_fault(TENCENT_STS_ASSUME_ROLE, fault.clone());
        let e = assume_role(&ctx(&emu))
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{fault:?}: {e}");
    }
    emu.set_fault(TENCENT_STS_ASSUME_ROLE, Fault::ExpiredCredentials);
    let e = assume_role(&ctx(&emu))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(!e.is_not_configured());
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_over_a_cvm_role_sends_its_token() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx(&emu);
    let cvm = SharedProvider::new(CvmRoleProvider::from_context(&ctx));
    let p = StsAssumeRoleProvider::builder()
        .source(cvm.clone())
        .role_arn(ROLE_ARN)
        .build(&ctx)
        .unwrap();
    let c = p.provide_credentials().await.unwrap();
    let source = cvm.provide_credentials().await.unwrap();
    assert_ne!(c.secret_id(), source.secret_id());
    let r = &emu.requests_for(TENCENT_STS_ASSUME_ROLE)[0];
    assert_eq!(r.header("x-tc-token"), source.token());
    assert!(r
        .header("authorization")
        .unwrap()
        .contains(source.secret_id()));
    emu.shutdown().await;
}

#[tokio::test]
async fn assume_role_endpoint_is_settable() {
    let emu = Emulator::start().await.unwrap();
    let env = MemoryEnv::new();
    let ctx = common::context_with(env);
    let p = assume_role(&ctx);
    assert_eq!(p.endpoint(), "https://sts.tencentcloudapi.com/");
    p.set_endpoint(&emu.base_url()).unwrap();
    p.provide_credentials().await.unwrap();
    assert_eq!(emu.requests_for(TENCENT_STS_ASSUME_ROLE).len(), 1);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousands_of_callers_at_expiry_cause_one_sts_call() {
    let emu = Emulator::start().await.unwrap();
    emu.set_credential_lifetime(Duration::from_secs(200));
    let clock = ManualClock::new(SystemTime::now());
    let p = Arc::new(assume_role(&ctx(&emu).with_clock(clock.clone())));
    let first = p.provide_credentials().await.unwrap();
    // Past the stale point (a quarter of the 200 s lifetime before expiry), still within the
    // server's 300 s clock tolerance.
    clock.advance(Duration::from_secs(160));
    let barrier = Arc::new(tokio::sync::Barrier::new(1500));
    let tasks: Vec<_> = (0..1500)
        .map(|_| {
            let (p, b) = (p.clone(), barrier.clone());
            tokio::spawn(async move {
                b.wait().await;
                p.provide_credentials().await
            })
        })
        .collect();
    for t in tasks {
        let c = t.await.unwrap().unwrap();
        assert_ne!(serial_of(&c), serial_of(&first));
    }
    assert_eq!(emu.requests_for(TENCENT_STS_ASSUME_ROLE).len(), 2);
    assert_eq!(p.fetch_count(), 2);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_never_see_a_mixed_triple_during_refreshes() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx(&emu);
    let providers: Vec<SharedProvider> = vec![
        SharedProvider::new(assume_role(&ctx)),
        SharedProvider::new(CvmRoleProvider::from_context(&ctx)),
    ];
    for p in providers {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut readers = Vec::new();
        for _ in 0..16 {
            let (p, stop) = (p.clone(), stop.clone());
            readers.push(tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || n == 0 {
                    let c = p.provide_credentials().await.unwrap();
                    serial_of(&c);
                    n += 1;
                    tokio::task::yield_now().await;
                }
                n
            }));
        }
        for _ in 0..20 {
            let c = p.force_refresh().await.unwrap();
            serial_of(&c);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for r in readers {
            assert!(r.await.unwrap() > 0);
        }
    }
    emu.shutdown().await;
}

// ---------------------------------------------------------------- OIDC

fn oidc(ctx: &Context, token: &str) -> OidcRoleArnProvider {
    OidcRoleArnProvider::builder()
        .region("ap-shanghai")
        .provider_id(EMULATOR_OIDC_PROVIDER_ID)
        .web_identity_token(token)
        .role_arn(ROLE_ARN)
        .role_session_name("pod-session")
        .build(ctx)
        .unwrap()
}

#[tokio::test]
async fn oidc_is_unsigned_and_honours_region() {
    let emu = Emulator::start().await.unwrap();
    let p = oidc(&ctx(&emu), EMULATOR_WEB_IDENTITY_TOKEN);
    let c = p.provide_credentials().await.unwrap();
    serial_of(&c);
    assert_eq!(c.provider_name(), "oidc_role_arn");
    let r = &emu.requests_for(TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY)[0];
    assert_eq!(r.header("authorization"), Some("SKIP"));
    assert!(r.header("x-tc-token").is_none());
    assert_eq!(r.header("x-tc-region"), Some("ap-shanghai"));
    let body = r.json().unwrap();
    assert_eq!(body["ProviderId"], EMULATOR_OIDC_PROVIDER_ID);
    assert_eq!(body["WebIdentityToken"], EMULATOR_WEB_IDENTITY_TOKEN);
    assert_eq!(body["RoleSessionName"], "pod-session");
    assert_eq!(body["DurationSeconds"], 7200);
    // The token travels in the body, never in the URL.
    assert!(!r.query.contains("eyJ"));
    let e = oidc(&ctx(&emu), "eyJ.bad.token")
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidParameter.WebIdentityTokenError"));
    assert!(!format!("{e} {e:?}").contains("eyJ.bad.token"));
    emu.shutdown().await;
}

#[tokio::test]
async fn tke_reads_env_and_rereads_the_token_file() {
    let emu = Emulator::start().await.unwrap();
    let fs = MemoryFs::new().with_file(
        "/var/run/tke/token",
        format!("{EMULATOR_WEB_IDENTITY_TOKEN}\n"),
    );
    let ctx = ctx_with(
        &emu,
        &[
            ("TKE_REGION", "ap-singapore"),
            ("TKE_PROVIDER_ID", EMULATOR_OIDC_PROVIDER_ID),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", "/var/run/tke/token"),
            ("TKE_ROLE_ARN", ROLE_ARN),
        ],
        fs.clone(),
    );
    let p = TkeOidcProvider::from_context(&ctx);
    let c = p.provide_credentials().await.unwrap();
    assert_eq!(c.provider_name(), "tke_oidc");
    fs.write("/var/run/tke/token", EMULATOR_WEB_IDENTITY_TOKEN_ROTATED);
    p.force_refresh().await.unwrap();
    let reqs = emu.requests_for(TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("x-tc-region"), Some("ap-singapore"));
    assert_eq!(
        reqs[0].json().unwrap()["WebIdentityToken"],
        EMULATOR_WEB_IDENTITY_TOKEN
    );
    assert_eq!(
        reqs[1].json().unwrap()["WebIdentityToken"],
        EMULATOR_WEB_IDENTITY_TOKEN_ROTATED
    );
    for r in &reqs {
        let s = r.json().unwrap()["RoleSessionName"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            s.starts_with("credchain-") && s[10..].chars().all(|c| c.is_ascii_digit()),
            "{s}"
        );
    }
    // A token file that disappears is an error at the next refresh.
    fs.write("/var/run/tke/token", "");
    let e = p.force_refresh().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::File);
    emu.shutdown().await;
}

#[tokio::test]
async fn tke_missing_variable_is_named() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx_with(
        &emu,
        &[
            ("TKE_REGION", "ap-singapore"),
            ("TKE_PROVIDER_ID", "p"),
            ("TKE_ROLE_ARN", ROLE_ARN),
        ],
        MemoryFs::new(),
    );
    let e = TkeOidcProvider::from_context(&ctx)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert!(e.message().contains("TKE_WEB_IDENTITY_TOKEN_FILE"), "{e}");
    assert!(emu.requests().is_empty());
    emu.shutdown().await;
}

// ---------------------------------------------------------------- profile with a role

#[tokio::test]
async fn profile_with_role_arn_assumes_the_role() {
    let emu = Emulator::start().await.unwrap();
    let file = format!(
        "[default]\nsecret_id = AKIDunused\nsecret_key = unused\n\n[ops]\nsecret_id = {EMULATOR_SECRET_ID}\n\
         secret_key = {EMULATOR_SECRET_KEY}\nrole_arn = {ROLE_ARN}\nrole_session_name = ops-session\n\
         duration_seconds = 3600\n"
    );
    let fs = MemoryFs::new().with_file("/home/u/.tencentcloud/credentials", file);
    let ctx = ctx_with(&emu, &[("TENCENTCLOUD_PROFILE", "ops")], fs);
    let p = ProfileProvider::from_context(&ctx);
    assert_eq!(p.role_arn(), Some(ROLE_ARN));
    let c = p.provide_credentials().await.unwrap();
    serial_of(&c);
    assert_eq!(c.provider_name(), "profile/sts_assume_role");
    let body = emu.requests_for(TENCENT_STS_ASSUME_ROLE)[0].json().unwrap();
    assert_eq!(
        (
            body["RoleSessionName"].as_str(),
            body["DurationSeconds"].as_u64()
        ),
        (Some("ops-session"), Some(3600))
    );
    emu.shutdown().await;
}

// ---------------------------------------------------------------- default chain

const PROFILE_FILE: &str = "[default]\nsecret_id = AKIDprofile\nsecret_key = profilekey\n";

#[tokio::test]
async fn chain_order_env_tke_profile_cvm() {
    let emu = Emulator::start().await.unwrap();
    let env_vars = [
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "envkey"),
    ];
    let tke = [
        ("TKE_REGION", "ap-singapore"),
        ("TKE_PROVIDER_ID", EMULATOR_OIDC_PROVIDER_ID),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", "/token"),
        ("TKE_ROLE_ARN", ROLE_ARN),
    ];
    let fs = || {
        MemoryFs::new()
            .with_file("/home/u/.tencentcloud/credentials", PROFILE_FILE)
            .with_file("/token", EMULATOR_WEB_IDENTITY_TOKEN)
    };
    let all: Vec<(&str, &str)> = env_vars.iter().chain(tke.iter()).copied().collect();
    let c = tencent::default_chain(&ctx_with(&emu, &all, fs()))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (c.secret_id(), c.provider_name()),
        ("AKIDenv", "default/env")
    );
    let c = tencent::default_chain(&ctx_with(&emu, &tke, fs()))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.provider_name(), "default/tke_oidc");
    let c = tencent::default_chain(&ctx_with(&emu, &[], fs()))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (c.secret_id(), c.provider_name()),
        ("AKIDprofile", "default/profile")
    );
    assert!(emu.requests_for(TENCENT_CVM_ROLE_LIST).is_empty());
    let c = tencent::default_chain(&ctx_with(&emu, &[], MemoryFs::new()))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.provider_name(), "default/cvm_role");
    emu.shutdown().await;
}

#[tokio::test]
async fn chain_stops_on_a_broken_profile() {
    let emu = Emulator::start().await.unwrap();
    let fs = MemoryFs::new().with_file(
        "/home/u/.tencentcloud/credentials",
        "[default\nsecret_id=x\n",
    );
    let e = tencent::default_chain(&ctx_with(&emu, &[], fs))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::File);
    assert_eq!(e.provider(), Some("default/profile"));
    assert!(emu.requests().is_empty(), "the CVM role must not be tried");
    let e = tencent::default_chain(&ctx_with(
        &emu,
        &[
            ("TENCENTCLOUD_SECRET_ID", " AKID"),
            ("TENCENTCLOUD_SECRET_KEY", "k"),
        ],
        MemoryFs::new(),
    ))
    .provide_credentials()
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidCredential);
    emu.shutdown().await;
}

#[tokio::test]
async fn chain_nothing_configured_lists_every_source() {
    let emu = Emulator::start().await.unwrap();
    emu.set_cvm_role_name(None);
    let chain = tencent::default_chain(&ctx(&emu));
    let e = chain.provide_credentials().await.unwrap_err();
    assert!(e.is_not_configured());
    let names: Vec<&str> = e.attempts().iter().filter_map(|a| a.provider()).collect();
    assert_eq!(names, ["env", "tke_oidc", "profile", "tccli", "cvm_role"]);
    assert!(chain.remembered().is_none());
    // Disabled metadata: no request at all, and quick.
    emu.clear_requests();
    let started = Instant::now();
    let ctx = ctx_with(
        &emu,
        &[("TENCENTCLOUD_METADATA_DISABLED", "true")],
        MemoryFs::new(),
    );
    assert!(tencent::default_chain(&ctx)
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
    assert!(started.elapsed() < Duration::from_millis(100));
    assert!(emu.requests().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn chain_remembers_the_winner() {
    let emu = Emulator::start().await.unwrap();
    let chain = tencent::default_chain(&ctx(&emu));
    chain.provide_credentials().await.unwrap();
    assert_eq!(chain.remembered().unwrap().name(), "cvm_role");
    chain.provide_credentials().await.unwrap();
    assert_eq!(emu.requests_for(TENCENT_CVM_CREDENTIALS).len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn config_facade_builds_every_type() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx_with(
        &emu,
        &[],
        MemoryFs::new().with_file("/home/u/.tencentcloud/credentials", PROFILE_FILE),
    );
    let configs = [
        (
            format!(
                r#"{{"type":"sts_assume_role","secret_id":"{EMULATOR_SECRET_ID}","secret_key":"{EMULATOR_SECRET_KEY}","role_arn":"{ROLE_ARN}","role_session_name":"s1"}}"#
            ),
            "sts_assume_role",
        ),
        (
            format!(
                r#"{{"type":"oidc_role_arn","region":"ap-beijing","provider_id":"{EMULATOR_OIDC_PROVIDER_ID}","web_identity_token":"{EMULATOR_WEB_IDENTITY_TOKEN}","role_arn":"{ROLE_ARN}","role_session_name":"s2"}}"#
            ),
            "oidc_role_arn",
        ),
        (
            r#"{"type":"cvm_role","role_name":"EmulatorCvmRole"}"#.to_string(),
            "cvm_role",
        ),
        (r#"{"type":"profile"}"#.to_string(), "profile"),
        (r#"{"type":"default"}"#.to_string(), "default/profile"),
    ];
    for (json, provider) in configs {
        let p = tencent::Config::from_json(&json)
            .unwrap()
            .into_provider(&ctx)
            .unwrap();
        let c = p
            .provide_credentials()
            .await
            .unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(c.provider_name(), provider);
    }
    emu.shutdown().await;
}

/// Conformance case 26: when STS grants less than was asked for, refresh timing follows the
/// granted `ExpiredTime` (not `now + requested`, which the SDKs' "10 % of the requested lifetime"
/// rule gets wrong), and a warm read does not call STS again.
#[tokio::test]
async fn sts_granted_shorter_than_requested_uses_the_granted_expiry() {
    let emu = Emulator::start().await.unwrap();
    emu.set_credential_lifetime(Duration::from_secs(900));
    let ctx = ctx(&emu);
    let p = StsAssumeRoleProvider::builder()
        .secret(EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY)
        .role_arn(ROLE_ARN)
        .duration_seconds(7200)
        .build(&ctx)
        .unwrap();
    let before = SystemTime::now();
    let c = p.provide_credentials().await.unwrap();
    let lifetime = c.expiration().unwrap().duration_since(before).unwrap();
    assert!(
        lifetime <= Duration::from_secs(905) && lifetime >= Duration::from_secs(890),
        "expiry follows the granted 900 s, got {lifetime:?}"
    );
    let again = p.provide_credentials().await.unwrap();
    assert_eq!(again.secret_id(), c.secret_id());
    assert_eq!(emu.requests_for("tencent.sts.assume_role").len(), 1);
}
