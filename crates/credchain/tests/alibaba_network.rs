//! Alibaba network sources against the emulator on loopback: ECS metadata, credentials URI, STS
//! AssumeRole (RPC v1 verified by the emulator) and AssumeRoleWithOIDC, with fault cases.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use credchain::alibaba::{
    CredentialsUriProvider, EcsRamRoleProvider, OidcRoleArnProvider, RamRoleArnProvider,
    StaticStsProvider,
};
use credchain::context::{proxy_settings, Context, ManualClock, MemoryEnv, MemoryFs};
use credchain::http::{BoxFuture, HttpClient, HttpRequest, HttpResponse, ReqwestClient, Timeouts};
use credchain::{ErrorKind, ProvideCredentials, SharedProvider};
use credchain_emulator::routes::{self, alibaba_sts};
use credchain_emulator::{Emulator, Fault};

fn ctx(emu: &Emulator, pairs: &[(&str, &str)]) -> Context {
    let mut env = MemoryEnv::from_pairs(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.replace("${EMULATOR}", &emu.base_url()))),
    );
    env.set(
        "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
        emu.base_url(),
    );
    env.set("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url());
    common::context_with(env)
}

fn ram_role(c: &Context) -> RamRoleArnProvider {
    RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
        .role_arn("acs:ram::123456789012:role/emulator")
        .build(c)
        .unwrap()
}

// ----------------------------------------------------------------------------------- ECS

#[tokio::test]
async fn ecs_v2_discovers_role_and_sends_token() {
    let emu = Emulator::start().await.unwrap();
    emu.set_ecs_role_name(Some("  EmulatorEcsRole\n"));
    emu.set_require_imds_token(true);
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(&emu, &[]))
        .unwrap();
    let e = p.provide_credentials().await;
    // The listing carries padding: it is trimmed, but the emulator serves the padded name only.
    assert!(e.is_err());
    emu.set_ecs_role_name(Some("EmulatorEcsRole"));
    emu.clear_requests();
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(&emu, &[]))
        .unwrap();
    let c = p.provide_credentials().await.unwrap();
    assert_eq!(c.provider_name(), "ecs_ram_role");
    assert!(c.security_token().is_some() && c.expiration().is_some());
    let creds = emu.requests_for(routes::ALIBABA_IMDS_CREDENTIALS);
    assert!(creds
        .last()
        .unwrap()
        .header("x-aliyun-ecs-metadata-token")
        .is_some());
    let token_req = &emu.requests_for(routes::ALIBABA_IMDS_TOKEN)[0];
    assert_eq!(
        token_req.header("x-aliyun-ecs-metadata-token-ttl-seconds"),
        Some("21600")
    );
    // Cached: a second call makes no request.
    let n = emu.requests().len();
    p.provide_credentials().await.unwrap();
    assert_eq!(emu.requests().len(), n);
    // A forced refresh reuses the IMDS token and the discovered role name.
    p.force_refresh().await.unwrap();
    assert_eq!(emu.requests_for(routes::ALIBABA_IMDS_TOKEN).len(), 1);
    assert_eq!(emu.requests_for(routes::ALIBABA_IMDS_ROLE_LIST).len(), 1);
}

#[tokio::test]
async fn ecs_role_name_from_env_is_trimmed() {
    let emu = Emulator::start().await.unwrap();
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(
            &emu,
            &[("ALIBABA_CLOUD_ECS_METADATA", " EmulatorEcsRole ")],
        ))
        .unwrap();
    p.provide_credentials().await.unwrap();
    assert!(emu.requests_for(routes::ALIBABA_IMDS_ROLE_LIST).is_empty());
}

#[tokio::test]
async fn ecs_token_refused_falls_back_to_v1_unless_disabled() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(routes::ALIBABA_IMDS_TOKEN, Fault::status(405));
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(&emu, &[]))
        .unwrap();
    p.provide_credentials().await.unwrap();
    assert!(emu.requests_for(routes::ALIBABA_IMDS_CREDENTIALS)[0]
        .header("x-aliyun-ecs-metadata-token")
        .is_none());

    let p = EcsRamRoleProvider::builder()
        .build(&ctx(&emu, &[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert!(
        e.to_string()
            .contains("Failed to get token from ECS Metadata Service. HttpCode=405"),
        "{e}"
    );
}

#[tokio::test]
async fn ecs_get_with_token_failing_is_retried_without_token() {
    let emu = Emulator::start().await.unwrap();
    emu.push_fault(routes::ALIBABA_IMDS_CREDENTIALS, Fault::status(401));
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(&emu, &[]))
        .unwrap();
    p.provide_credentials().await.unwrap();
    let reqs = emu.requests_for(routes::ALIBABA_IMDS_CREDENTIALS);
    assert_eq!(reqs.len(), 2);
    assert!(reqs[0].header("x-aliyun-ecs-metadata-token").is_some());
    assert!(reqs[1].header("x-aliyun-ecs-metadata-token").is_none());

    // With IMDSv1 disabled there is no retry without the token.
    emu.push_fault(routes::ALIBABA_IMDS_CREDENTIALS, Fault::status(401));
    let p = EcsRamRoleProvider::builder()
        .disable_imds_v1(true)
        .build(&ctx(&emu, &[]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.status(), Some(401));
}

#[tokio::test]
async fn ecs_errors_and_not_configured_cases() {
    let emu = Emulator::start().await.unwrap();
    // Disabled: no request at all.
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(
            &emu,
            &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "TRUE")],
        ))
        .unwrap();
    assert!(p
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
    // A forced refresh (which skips the cache's back-off) is refused the same way.
    assert!(p.force_refresh().await.unwrap_err().is_not_configured());
    assert!(emu.requests().is_empty());
    // No role attached: not configured.
    emu.set_ecs_role_name(None);
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(&emu, &[]))
        .unwrap();
    assert!(p
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
    emu.set_ecs_role_name(Some("EmulatorEcsRole"));
    // Role listing 400: a service error with the status.
    emu.set_fault(routes::ALIBABA_IMDS_ROLE_LIST, Fault::status(400));
    let p = EcsRamRoleProvider::builder()
        .build(&ctx(&emu, &[]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Service, Some(400)));
    emu.clear_faults();
    // Code != Success.
    emu.set_fault(
        routes::ALIBABA_IMDS_CREDENTIALS,
        Fault::status_with_body(200, r#"{"Code":"Failed"}"#),
    );
    let p = EcsRamRoleProvider::builder()
        .role_name("EmulatorEcsRole")
        .build(&ctx(&emu, &[]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert!(
        e.to_string()
            .contains("Failed to get RAM session credentials"),
        "{e}"
    );
    emu.clear_faults();
    // Missing fields, malformed JSON, expired credentials.
    for (fault, kind) in [
        (
            Fault::missing_fields(["SecurityToken"]),
            ErrorKind::InvalidResponse,
        ),
        (Fault::MalformedBody, ErrorKind::InvalidResponse),
        (Fault::ExpiredCredentials, ErrorKind::Expired),
        (Fault::status(500), ErrorKind::Service),
    ] {
        emu.set_fault(routes::ALIBABA_IMDS_CREDENTIALS, fault.clone());
        let p = EcsRamRoleProvider::builder()
            .role_name("EmulatorEcsRole")
            .build(&ctx(&emu, &[]))
            .unwrap();
        let e = p.provide_credentials().await.unwrap_err();
        assert_eq!(e.kind(), kind, "{fault:?}: {e}");
        emu.clear_faults();
    }
}

#[tokio::test]
async fn ecs_off_cloud_is_not_configured_fast() {
    let env = MemoryEnv::from_pairs([(
        "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
        format!("http://127.0.0.1:{}", common::closed_port()),
    )]);
    let c = common::context_with(env);
    let started = std::time::Instant::now();
    let e = EcsRamRoleProvider::builder()
        .build(&c)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(e.is_not_configured(), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn ecs_delay_beyond_timeout_on_credentials_is_a_timeout() {
    let emu = Emulator::start().await.unwrap();
    emu.set_fault(
        routes::ALIBABA_IMDS_CREDENTIALS,
        Fault::Delay(Duration::from_millis(800)),
    );
    let p = EcsRamRoleProvider::builder()
        .timeouts(Timeouts {
            connect: Duration::from_millis(200),
            read: Duration::from_millis(200),
        })
        .build(&ctx(&emu, &[]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
}

// ----------------------------------------------------------------------------------- URI

#[tokio::test]
async fn credentials_uri_cases() {
    let emu = Emulator::start().await.unwrap();
    let uri = emu.url("/credentials-uri?x=1");
    let build = || {
        CredentialsUriProvider::builder()
            .build(&ctx(
                &emu,
                &[("ALIBABA_CLOUD_CREDENTIALS_URI", uri.as_str())],
            ))
            .unwrap()
    };
    let c = build().provide_credentials().await.unwrap();
    assert_eq!(c.provider_name(), "credential_uri");
    assert!(c.security_token().is_some());
    assert_eq!(
        emu.requests_for(routes::ALIBABA_CREDENTIALS_URI)[0].query,
        "x=1"
    );

    for (fault, kind, text) in [
        (
            Fault::status_with_body(200, r#"{"Code":"Failure","Message":"no"}"#),
            ErrorKind::Service,
            "Failure",
        ),
        (
            Fault::missing_fields(["Expiration"]),
            ErrorKind::InvalidResponse,
            "Expiration",
        ),
        (
            Fault::missing_fields(["AccessKeySecret"]),
            ErrorKind::InvalidResponse,
            "AccessKeySecret",
        ),
        (Fault::status(404), ErrorKind::Service, "HTTP 404"),
        (Fault::status(503), ErrorKind::Service, "HTTP 503"),
        (
            Fault::MalformedBody,
            ErrorKind::InvalidResponse,
            "not a JSON object",
        ),
        (Fault::ExpiredCredentials, ErrorKind::Expired, "expired"),
    ] {
        emu.set_fault(routes::ALIBABA_CREDENTIALS_URI, fault.clone());
        let e = build().provide_credentials().await.unwrap_err();
        assert_eq!(e.kind(), kind, "{fault:?}: {e}");
        assert!(e.to_string().contains(text), "{fault:?}: {e}");
        emu.clear_faults();
    }
    // A 503 once is retried.
    emu.push_fault(routes::ALIBABA_CREDENTIALS_URI, Fault::status(503));
    build().provide_credentials().await.unwrap();
    // Not set: not configured.
    let p = CredentialsUriProvider::builder()
        .build(&ctx(&emu, &[]))
        .unwrap();
    assert!(p
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
}

// ----------------------------------------------------------------------------------- AssumeRole

#[tokio::test]
async fn assume_role_signed_request_is_accepted() {
    let emu = Emulator::start().await.unwrap();
    let c = ctx(&emu, &[]);
    let p = RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
        .role_arn("acs:ram::123456789012:role/emulator")
        .policy(r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#)
        .external_id("ext id")
        .build(&c)
        .unwrap();
    assert_eq!(p.duration_seconds(), 3600);
    assert!(p.role_session_name().starts_with("credentials-rust-"));
    let creds = p.provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "ram_role_arn/static_ak");
    assert!(creds.access_key_id().starts_with("STS.") && creds.expiration().is_some());
    let req = &emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE)[0];
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.param("Policy")
            .as_deref()
            .map(|p| p.contains("\"Effect\": \"Allow\"")),
        Some(true)
    );
    assert!(
        !req.query.contains("RoleArn"),
        "role parameters go in the form body"
    );
}

#[tokio::test]
async fn assume_role_with_a_wrong_secret_is_rejected_by_the_emulator() {
    let emu = Emulator::start().await.unwrap();
    let p = RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret("wrong")
        .role_arn("acs:ram::123456789012:role/emulator")
        .build(&ctx(&emu, &[]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Service, Some(400), Some("SignatureDoesNotMatch"))
    );
    assert!(e.request_id().is_some());
    assert!(!e.to_string().contains("wrong"));
}

#[tokio::test]
async fn assume_role_chains_on_sts_sources() {
    let emu = Emulator::start().await.unwrap();
    let c = ctx(&emu, &[]);
    // The ECS credentials issued by the emulator sign the AssumeRole call, token included.
    let ecs = SharedProvider::new(EcsRamRoleProvider::builder().build(&c).unwrap());
    let p = RamRoleArnProvider::builder()
        .source(ecs)
        .role_arn("acs:ram::1:role/chained")
        .build(&c)
        .unwrap();
    let creds = p.provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "ram_role_arn/ecs_ram_role");
    let req = &emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE)[0];
    assert!(req.param("SecurityToken").is_some());
    assert_eq!(
        req.header("x-acs-credentials-provider"),
        Some("ecs_ram_role")
    );
    // A static STS source whose token does not match is rejected.
    let issued = emu.issued()[0].clone();
    let bad = StaticStsProvider::new(
        issued.access_key_id,
        issued.access_key_secret,
        "not-the-token",
    )
    .unwrap();
    let p = RamRoleArnProvider::builder()
        .source(SharedProvider::new(bad))
        .role_arn("acs:ram::1:role/r")
        .build(&c)
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.code(), Some("InvalidSecurityToken.MismatchWithAccessKey"));
}

/// Alibaba's `SignatureDoesNotMatch` message echoes the server's string to sign, which holds the
/// source `SecurityToken`: the error must carry neither the token nor the string to sign.
#[tokio::test]
async fn signature_mismatch_never_echoes_the_source_token() {
    let emu = Emulator::start().await.unwrap();
    let c = ctx(&emu, &[]);
    let ecs = SharedProvider::new(EcsRamRoleProvider::builder().build(&c).unwrap());
    let issued = ecs.provide_credentials().await.unwrap();
    let token = issued.security_token().unwrap().to_string();
    let bad_secret = "WrongSecretValue0123456789";
    let bad = StaticStsProvider::new(issued.access_key_id(), bad_secret, token.clone()).unwrap();
    let p = RamRoleArnProvider::builder()
        .source(SharedProvider::new(bad))
        .role_arn("acs:ram::1:role/r")
        .build(&c)
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.code(), Some("SignatureDoesNotMatch"));
    let text = format!("{e} {e:?}");
    let encoded: String = token
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    for leak in [
        token.as_str(),
        encoded.as_str(),
        bad_secret,
        "SecurityToken",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    assert!(text.contains("string to sign removed"), "{text}");
    assert!(!text.contains('\n'), "{text}");
}

#[test]
fn assume_role_validation() {
    let c = Context::empty();
    let b = || {
        RamRoleArnProvider::builder()
            .access_key_id("id")
            .access_key_secret("s")
    };
    let e = b()
        .role_arn("acs:ram::1:role/r")
        .duration_seconds(899)
        .build(&c)
        .unwrap_err();
    assert!(e.message().contains("900s"));
    assert!(b()
        .role_arn("acs:ram::1:role/r")
        .duration_seconds(900)
        .build(&c)
        .is_ok());
    let e = b().build(&c).unwrap_err();
    assert!(e.message().contains("ALIBABA_CLOUD_ROLE_ARN"));
    let e = RamRoleArnProvider::builder()
        .role_arn("acs:ram::1:role/r")
        .build(&c)
        .unwrap_err();
    assert_eq!(e.message(), "the access key id is empty");
    let env = MemoryEnv::from_pairs([
        ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/env"),
        ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "from-env"),
    ]);
    let p = b().build(&Context::empty().with_env(env)).unwrap();
    assert_eq!(p.role_session_name(), "from-env");
    assert_eq!(p.endpoint(), "https://sts.aliyuncs.com");
}

#[tokio::test]
async fn assume_role_faults() {
    let emu = Emulator::start().await.unwrap();
    let route = alibaba_sts::ALIBABA_STS_ASSUME_ROLE;
    for (fault, kind, text) in [
        (
            Fault::status_with_body(
                403,
                r#"{"RequestId":"R1","Code":"NoPermission","Message":"denied"}"#,
            ),
            ErrorKind::Service,
            "NoPermission",
        ),
        (
            Fault::missing_fields(["Credentials"]),
            ErrorKind::InvalidResponse,
            "no Credentials",
        ),
        (
            Fault::missing_fields(["SecurityToken"]),
            ErrorKind::InvalidResponse,
            "SecurityToken",
        ),
        (
            Fault::missing_fields(["Credentials.Expiration"]),
            ErrorKind::InvalidResponse,
            "Expiration",
        ),
        (
            Fault::MalformedBody,
            ErrorKind::InvalidResponse,
            "not a JSON object",
        ),
        (Fault::ExpiredCredentials, ErrorKind::Expired, "expired"),
    ] {
        emu.set_fault(route, fault.clone());
        let e = ram_role(&ctx(&emu, &[]))
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{fault:?}: {e}");
        assert!(e.to_string().contains(text), "{fault:?}: {e}");
        emu.clear_faults();
    }
    // 500 then throttling, then success: retried, re-signed with fresh nonces.
    emu.push_fault(route, Fault::status(500));
    emu.push_fault(
        route,
        Fault::status_with_body(400, r#"{"Code":"Throttling.User","Message":"slow down"}"#),
    );
    emu.clear_requests();
    ram_role(&ctx(&emu, &[]))
        .provide_credentials()
        .await
        .unwrap();
    let reqs = emu.requests_for(route);
    assert_eq!(reqs.len(), 3);
    let nonces: std::collections::HashSet<_> = reqs
        .iter()
        .map(|r| r.param("SignatureNonce").unwrap())
        .collect();
    assert_eq!(nonces.len(), 3);
    // Delay beyond the read timeout: a timeout error.
    emu.set_fault(route, Fault::Delay(Duration::from_millis(700)));
    let p = RamRoleArnProvider::builder()
        .access_key_id(alibaba_sts::ACCESS_KEY_ID)
        .access_key_secret(alibaba_sts::ACCESS_KEY_SECRET)
        .role_arn("acs:ram::1:role/r")
        .timeouts(Timeouts {
            connect: Duration::from_millis(200),
            read: Duration::from_millis(200),
        })
        .build(&ctx(&emu, &[]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
}

/// Redirects every request to the emulator and records the URL the library built.
#[derive(Debug)]
struct Redirect {
    to: String,
    inner: ReqwestClient,
    seen: Arc<Mutex<Vec<String>>>,
}

impl HttpClient for Redirect {
    fn send(&self, mut req: HttpRequest) -> BoxFuture<'_, credchain::Result<HttpResponse>> {
        self.seen.lock().unwrap().push(req.url.clone());
        let rest = req
            .url
            .split("://")
            .nth(1)
            .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
            .unwrap_or_default();
        req.url = format!("{}{rest}", self.to);
        self.inner.send(req)
    }
}

/// The endpoint matrix (`docs/sources/alibaba.md#sts-endpoint`): region cn-beijing, an STS source,
/// policy and external id: exactly the expected host and parameters.
#[tokio::test]
async fn assume_role_request_has_exactly_the_expected_host_and_parameters() {
    let emu = Emulator::start().await.unwrap();
    let issued = {
        let c = ctx(&emu, &[]);
        EcsRamRoleProvider::builder()
            .build(&c)
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        emu.issued()[0].clone()
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let env = MemoryEnv::new();
    let c = Context::empty()
        .with_http(Redirect {
            to: emu.base_url(),
            inner: ReqwestClient::new(proxy_settings(&env)),
            seen: seen.clone(),
        })
        .with_env(env);
    let source = StaticStsProvider::new(
        &issued.access_key_id,
        &issued.access_key_secret,
        &issued.security_token,
    )
    .unwrap();
    let p = RamRoleArnProvider::builder()
        .source(SharedProvider::new(source))
        .role_arn("acs:ram::123456789012:role/test")
        .role_session_name("session-1")
        .sts_region_id("cn-beijing")
        .policy("{\"Statement\": []}")
        .external_id("abcd1234")
        .duration_seconds(1800)
        .build(&c)
        .unwrap();
    let creds = p.provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "ram_role_arn/static_sts");
    assert!(seen.lock().unwrap()[0].starts_with("https://sts.cn-beijing.aliyuncs.com/?"));
    let req = &emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE)[0];
    let mut names: Vec<String> = req
        .query_params()
        .into_iter()
        .chain(req.form_params())
        .map(|(k, _)| k)
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "AccessKeyId",
            "Action",
            "DurationSeconds",
            "ExternalId",
            "Format",
            "Policy",
            "RoleArn",
            "RoleSessionName",
            "SecurityToken",
            "Signature",
            "SignatureMethod",
            "SignatureNonce",
            "SignatureVersion",
            "Timestamp",
            "Version"
        ]
    );
    let v = |k: &str| req.param(k).unwrap();
    assert_eq!(
        (v("Action"), v("Format"), v("Version")),
        ("AssumeRole".into(), "JSON".into(), "2015-04-01".into())
    );
    assert_eq!(
        (v("SignatureMethod"), v("SignatureVersion")),
        ("HMAC-SHA1".into(), "1.0".into())
    );
    assert_eq!(
        (v("DurationSeconds"), v("RoleSessionName")),
        ("1800".into(), "session-1".into())
    );
    assert_eq!(
        (v("ExternalId"), v("SecurityToken")),
        ("abcd1234".into(), issued.security_token.clone())
    );
    assert!(v("Timestamp").ends_with('Z') && v("Timestamp").len() == 20);
    // The policy's spaces are encoded %20 on the wire, never '+'.
    assert!(req
        .body_text()
        .contains("Policy=%7B%22Statement%22%3A%20%5B%5D%7D"));
}

/// 1000 concurrent callers at expiry cause exactly one AssumeRole request.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn thousand_callers_at_expiry_make_one_assume_role() {
    let emu = Emulator::start().await.unwrap();
    emu.set_credential_lifetime(Duration::from_secs(960));
    let clock = ManualClock::new(SystemTime::now());
    let c = ctx(&emu, &[]).with_clock(clock.clone());
    let p = Arc::new(ram_role(&c));
    let first = p.provide_credentials().await.unwrap();
    assert_eq!(
        emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE).len(),
        1
    );
    // Past the stale point (expiry minus a quarter of the lifetime), before expiry.
    clock.advance(Duration::from_secs(800));
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move { p.provide_credentials().await }));
    }
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap().unwrap().access_key_id().to_string());
    }
    assert_eq!(
        emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE).len(),
        2
    );
    assert_eq!(ids.len(), 1);
    assert!(!ids.contains(first.access_key_id()));
}

// ----------------------------------------------------------------------------------- OIDC

#[tokio::test]
async fn oidc_reads_the_token_at_every_refresh_and_keeps_it_out_of_urls() {
    let emu = Emulator::start().await.unwrap();
    let fs = MemoryFs::new().with_file("/var/run/oidc/token", "eyJtoken-one\n");
    let c = ctx(
        &emu,
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::123456789012:role/rrsa"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::123456789012:oidc-provider/ack-rrsa",
            ),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/oidc/token"),
            ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "pod-session"),
        ],
    )
    .with_fs(fs.clone());
    let p = OidcRoleArnProvider::builder().build(&c).unwrap();
    let creds = p.provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "oidc_role_arn");
    fs.write("/var/run/oidc/token", "eyJtoken-two");
    p.force_refresh().await.unwrap();
    let reqs = emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE_WITH_OIDC);
    let tokens: Vec<String> = reqs.iter().map(|r| r.param("OIDCToken").unwrap()).collect();
    assert_eq!(tokens, ["eyJtoken-one", "eyJtoken-two"]);
    assert!(reqs
        .iter()
        .all(|r| !r.query.contains("OIDCToken") && r.param("Signature").is_none()));
    assert_eq!(
        reqs[0].param("RoleSessionName").as_deref(),
        Some("pod-session")
    );

    // Rejected token, unreadable file.
    fs.write("/var/run/oidc/token", "invalid-token");
    let e = p.force_refresh().await.unwrap_err();
    assert_eq!(e.code(), Some("AuthenticationFail.OIDCToken.Invalid"));
    let p = OidcRoleArnProvider::builder()
        .oidc_token_file_path("/nope")
        .build(&c)
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::File);
    assert!(e.to_string().contains("/nope"));
}

#[test]
fn oidc_requires_all_three_settings() {
    let full = [
        ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r"),
        (
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/p",
        ),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t"),
    ];
    for skip in 0..3 {
        let env = MemoryEnv::from_pairs(
            full.iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, p)| *p),
        );
        let e = OidcRoleArnProvider::builder()
            .build(&Context::empty().with_env(env))
            .unwrap_err();
        assert!(e.message().contains(full[skip].0), "{e}");
    }
}
