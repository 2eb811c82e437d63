//! The fault matrix: every network source against every way its server can misbehave, through
//! the emulator on loopback. For each (source, fault) the outcome is asserted (error kind,
//! provider, endpoint, HTTP status and service code where the server gave them, number of
//! attempts), it arrives within the source's timeout, and no secret (source secret and token,
//! OIDC / OAuth / SSO tokens, private key, anything the emulator issued) appears in the error's
//! `Display` or `Debug` or in the TRACE-level log.
//!
//! All cases run concurrently, one emulator each, so the slow ones (silence) cost one timeout in
//! all. Timeouts are short: set through the builders where the source has the setting, else
//! through [`ShortTimeouts`], an HTTP client wrapper.

mod common;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use credchain::alibaba::{
    CloudSsoProvider, CredentialsUriProvider, EcsRamRoleProvider, OAuthProvider,
    OidcRoleArnProvider, RamRoleArnProvider, RsaKeyPairProvider, StaticStsProvider,
};
use credchain::context::{proxy_settings, Context, MemoryEnv, MemoryFs};
use credchain::http::{BoxFuture, HttpClient, HttpRequest, HttpResponse, ReqwestClient, Timeouts};
use credchain::tencent::{self, CvmRoleProvider, StsAssumeRoleProvider};
use credchain::{Credentials, Error, ErrorKind, ProvideCredentials, Result, SharedProvider};
use credchain_emulator::routes::{
    self, alibaba_cloudsso, alibaba_oauth, alibaba_session_key, alibaba_sts, tencent_sts,
};
use credchain_emulator::{Emulator, Fault, WRONG_TYPE_NUMBER};

// ------------------------------------------------------------------------------ the table

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    AliRamRoleArn,
    AliOidcRoleArn,
    AliEcsRamRole,
    AliCredentialsUri,
    AliRsaKeyPair,
    AliCloudSso,
    AliOAuth,
    TcStsAssumeRole,
    TcOidcRoleArn,
    TcCvmRole,
}

const SOURCES: [Source; 10] = [
    Source::AliRamRoleArn,
    Source::AliOidcRoleArn,
    Source::AliEcsRamRole,
    Source::AliCredentialsUri,
    Source::AliRsaKeyPair,
    Source::AliCloudSso,
    Source::AliOAuth,
    Source::TcStsAssumeRole,
    Source::TcOidcRoleArn,
    Source::TcCvmRole,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Misbehaviour {
    Status500,
    Throttling,
    Forbidden403,
    Silence,
    MidBodyClose,
    OversizedBody,
    InvalidJson,
    MissingField,
    WrongType,
    AlreadyExpired,
    UnparseableExpiry,
}

const MISBEHAVIOURS: [Misbehaviour; 11] = [
    Misbehaviour::Status500,
    Misbehaviour::Throttling,
    Misbehaviour::Forbidden403,
    Misbehaviour::Silence,
    Misbehaviour::MidBodyClose,
    Misbehaviour::OversizedBody,
    Misbehaviour::InvalidJson,
    Misbehaviour::MissingField,
    Misbehaviour::WrongType,
    Misbehaviour::AlreadyExpired,
    Misbehaviour::UnparseableExpiry,
];

/// What a case must end in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    kind: ErrorKind,
    status: Option<u16>,
    code: Option<&'static str>,
    /// The request id the server sent, where it sent one.
    request_id: Option<&'static str>,
    attempts: usize,
}

/// The timeouts of every request of every case: short enough that the silent cases end soon,
/// long enough that a busy machine does not turn the other cases into timeouts.
const CASE_TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(2),
    read: Duration::from_secs(3),
};
/// Allowed on top of `attempts x CASE_TIMEOUTS.total()` (retry back-offs, scheduling).
const SLACK: Duration = Duration::from_secs(5);
/// How long a silent server stays silent: far longer than any timeout.
const SILENCE: Duration = Duration::from_secs(60);

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::AliRamRoleArn => "ram_role_arn",
            Source::AliOidcRoleArn => "oidc_role_arn",
            Source::AliEcsRamRole => "ecs_ram_role",
            Source::AliCredentialsUri => "credential_uri",
            Source::AliRsaKeyPair => "rsa_key_pair",
            Source::AliCloudSso => "cloud_sso",
            Source::AliOAuth => "oauth",
            Source::TcStsAssumeRole => "sts_assume_role",
            Source::TcOidcRoleArn => "oidc_role_arn",
            Source::TcCvmRole => "cvm_role",
        }
    }

    /// The emulator route the fault is put on (the one answering with credentials).
    fn route(self) -> &'static str {
        match self {
            Source::AliRamRoleArn => alibaba_sts::ALIBABA_STS_ASSUME_ROLE,
            Source::AliOidcRoleArn => alibaba_sts::ALIBABA_STS_ASSUME_ROLE_WITH_OIDC,
            Source::AliEcsRamRole => routes::ALIBABA_IMDS_CREDENTIALS,
            Source::AliCredentialsUri => routes::ALIBABA_CREDENTIALS_URI,
            Source::AliRsaKeyPair => alibaba_session_key::ALIBABA_STS_GENERATE_SESSION_ACCESS_KEY,
            Source::AliCloudSso => alibaba_cloudsso::ALIBABA_CLOUDSSO_CREDENTIALS,
            Source::AliOAuth => alibaba_oauth::ALIBABA_OAUTH_EXCHANGE,
            Source::TcStsAssumeRole => routes::TENCENT_STS_ASSUME_ROLE,
            Source::TcOidcRoleArn => routes::TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY,
            Source::TcCvmRole => routes::TENCENT_CVM_CREDENTIALS,
        }
    }

    fn is_metadata(self) -> bool {
        matches!(self, Source::AliEcsRamRole | Source::TcCvmRole)
    }

    fn is_tencent(self) -> bool {
        matches!(
            self,
            Source::TcStsAssumeRole | Source::TcOidcRoleArn | Source::TcCvmRole
        )
    }

    /// The attempts a retryable answer gets (`RetryPolicy::REMOTE` / `::METADATA`).
    fn retries(self) -> usize {
        if self.is_metadata() {
            2
        } else {
            3
        }
    }

    /// The field holding the issued secret, named as this source's server names it.
    fn secret_field(self) -> &'static str {
        match self {
            Source::AliRsaKeyPair => "SessionAccessKeySecret",
            Source::AliOAuth => "accessKeySecret",
            Source::TcStsAssumeRole | Source::TcOidcRoleArn | Source::TcCvmRole => "TmpSecretKey",
            _ => "AccessKeySecret",
        }
    }

    /// Attempts when every attempt fails at the HTTP level: ECS metadata tries with its
    /// IMDSv2 token, then once more without (IMDSv1 fallback), each under the retry policy.
    fn http_attempts(self, per_try: usize) -> usize {
        if self == Source::AliEcsRamRole {
            2 * per_try
        } else {
            per_try
        }
    }
}

/// A 403 the way each kind of server sends one.
fn forbidden(source: Source) -> Fault {
    if source.is_metadata() {
        Fault::status(403)
    } else if source.is_tencent() {
        Fault::status_with_body(
            403,
            r#"{"Response":{"Error":{"Code":"AuthFailure.UnauthorizedOperation","Message":"not allowed"},"RequestId":"req-403"}}"#,
        )
    } else {
        Fault::status_with_body(
            403,
            r#"{"Code":"NoPermission","Message":"You are not authorized to do this action.","RequestId":"req-403"}"#,
        )
    }
}

fn fault(source: Source, m: Misbehaviour) -> Fault {
    match m {
        Misbehaviour::Status500 => Fault::status(500),
        Misbehaviour::Throttling => Fault::Throttled,
        Misbehaviour::Forbidden403 => forbidden(source),
        Misbehaviour::Silence => Fault::Delay(SILENCE),
        Misbehaviour::MidBodyClose => Fault::MidBodyClose,
        Misbehaviour::OversizedBody => Fault::OversizedBody,
        Misbehaviour::InvalidJson => Fault::MalformedBody,
        Misbehaviour::MissingField => Fault::missing_fields([source.secret_field()]),
        Misbehaviour::WrongType => Fault::WrongType(vec![source.secret_field().into()]),
        Misbehaviour::AlreadyExpired => Fault::ExpiredCredentials,
        Misbehaviour::UnparseableExpiry => Fault::UnparseableExpiry,
    }
}

fn expected(source: Source, m: Misbehaviour) -> Expected {
    let e = |kind, status, code: Option<&'static str>, attempts| Expected {
        kind,
        status,
        code,
        // The 403 and throttling bodies carry a request id; metadata answers carry none.
        request_id: match (code, m) {
            (Some(_), Misbehaviour::Forbidden403) => Some("req-403"),
            (Some(_), _) => Some("emulator-throttled"),
            (None, _) => None,
        },
        attempts,
    };
    use ErrorKind::*;
    let retried = source.http_attempts(source.retries());
    let once = source.http_attempts(1);
    // A connection cut mid-body is a transport error, retried where connection errors are.
    let transport = source.http_attempts(if source.is_metadata() {
        1
    } else {
        source.retries()
    });
    match m {
        Misbehaviour::Status500 => e(Service, Some(500), None, retried),
        Misbehaviour::Throttling if source.is_metadata() => e(Service, Some(429), None, retried),
        Misbehaviour::Throttling if source.is_tencent() => {
            e(Service, Some(200), Some("RequestLimitExceeded"), retried)
        }
        Misbehaviour::Throttling => e(Service, Some(400), Some("Throttling.User"), retried),
        Misbehaviour::Forbidden403 if source.is_metadata() => e(Service, Some(403), None, once),
        Misbehaviour::Forbidden403 if source.is_tencent() => e(
            Service,
            Some(403),
            Some("AuthFailure.UnauthorizedOperation"),
            1,
        ),
        Misbehaviour::Forbidden403 => e(Service, Some(403), Some("NoPermission"), 1),
        Misbehaviour::Silence => e(Timeout, None, None, once),
        Misbehaviour::MidBodyClose => e(Transport, None, None, transport),
        Misbehaviour::OversizedBody => e(InvalidResponse, Some(200), None, once),
        Misbehaviour::InvalidJson
        | Misbehaviour::MissingField
        | Misbehaviour::WrongType
        | Misbehaviour::UnparseableExpiry => e(InvalidResponse, None, None, 1),
        Misbehaviour::AlreadyExpired => e(Expired, None, None, 1),
    }
}

// ------------------------------------------------------------------------ running a case

/// Gives every request [`CASE_TIMEOUTS`], for the sources without a timeout setting (Tencent;
/// the Alibaba sources get the same through their builders).
#[derive(Debug)]
struct ShortTimeouts(ReqwestClient);

impl HttpClient for ShortTimeouts {
    fn send(&self, mut req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        req.timeouts = CASE_TIMEOUTS;
        self.0.send(req)
    }
}

const OIDC_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.oidc-token-SECRET-7f3a9c.sig";
const OAUTH_ACCESS_TOKEN: &str = "oauth-access-token-SECRET-51d2";
const SSO_ACCESS_TOKEN: &str = "sso-access-token-SECRET-9e8b";

fn context(emu: &Emulator) -> Context {
    let base = emu.base_url();
    let env = MemoryEnv::from_pairs([
        ("HOME", "/h"),
        ("ALIBABA_CLOUD_STS_ENDPOINT", base.as_str()),
        ("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT", base.as_str()),
        ("ALIBABA_CLOUD_OAUTH_ENDPOINT", base.as_str()),
        ("TENCENTCLOUD_METADATA_ENDPOINT", base.as_str()),
        ("TENCENTCLOUD_STS_ENDPOINT", base.as_str()),
    ]);
    let fs = MemoryFs::new()
        .with_file("/oidc-token", OIDC_TOKEN)
        .with_file("/k.pem", alibaba_session_key::PRIVATE_KEY_PEM);
    Context::empty()
        .with_http(ShortTimeouts(ReqwestClient::new(proxy_settings(&env))))
        .with_env(env)
        .with_fs(fs)
}

fn timeouts() -> Timeouts {
    CASE_TIMEOUTS
}

/// Temporary credentials from the (unfaulted) credentials-URI / CVM route, used as the source of
/// the role-assuming sources so that a source token is in play. Fetched with the default
/// timeouts: this step is not under test.
async fn source_credentials(ctx: &Context, emu: &Emulator, tencent: bool) -> Result<Credentials> {
    let ctx = &ctx
        .clone()
        .with_http(ReqwestClient::new(proxy_settings(&MemoryEnv::new())));
    if tencent {
        CvmRoleProvider::builder()
            .endpoint(emu.base_url())
            .build(ctx)
            .unwrap()
            .provide_credentials()
            .await
    } else {
        CredentialsUriProvider::builder()
            .uri(emu.url(&emu.config().credentials_uri_path))
            .build(ctx)
            .unwrap()
            .provide_credentials()
            .await
    }
}

async fn fetch(source: Source, ctx: &Context, emu: &Emulator) -> Result<Credentials> {
    let tc_role = "qcs::cam::uin/100000000001:roleName/emu-reader";
    match source {
        Source::AliRamRoleArn => {
            let src = source_credentials(ctx, emu, false).await?;
            let sts = StaticStsProvider::new(
                src.access_key_id(),
                src.access_key_secret(),
                src.security_token().unwrap_or_default(),
            )?;
            RamRoleArnProvider::builder()
                .source(SharedProvider::new(sts))
                .role_arn("acs:ram::123456789012:role/emulator")
                .timeouts(timeouts())
                .build(ctx)?
                .provide_credentials()
                .await
        }
        Source::AliOidcRoleArn => {
            OidcRoleArnProvider::builder()
                .role_arn("acs:ram::123456789012:role/rrsa")
                .oidc_provider_arn("acs:ram::123456789012:oidc-provider/ack-rrsa")
                .oidc_token_file_path("/oidc-token")
                .timeouts(timeouts())
                .build(ctx)?
                .provide_credentials()
                .await
        }
        Source::AliEcsRamRole => {
            EcsRamRoleProvider::builder()
                .timeouts(timeouts())
                .build(ctx)
                .unwrap()
                .provide_credentials()
                .await
        }
        Source::AliCredentialsUri => {
            CredentialsUriProvider::builder()
                .uri(emu.url(&emu.config().credentials_uri_path))
                .timeouts(timeouts())
                .build(ctx)
                .unwrap()
                .provide_credentials()
                .await
        }
        Source::AliRsaKeyPair => {
            RsaKeyPairProvider::builder()
                .public_key_id(alibaba_session_key::PUBLIC_KEY_ID)
                .private_key_file("/k.pem")
                .timeouts(timeouts())
                .build(ctx)?
                .provide_credentials()
                .await
        }
        Source::AliCloudSso => {
            CloudSsoProvider::builder()
                .sign_in_url(format!("{}/device/login", emu.base_url()))
                .account_id("123456")
                .access_config("ac-abc")
                .access_token(SSO_ACCESS_TOKEN)
                .access_token_expire(credchain::time::unix_seconds(ctx.now()) + 3600)
                .timeouts(timeouts())
                .build(ctx)?
                .provide_credentials()
                .await
        }
        Source::AliOAuth => {
            OAuthProvider::builder()
                .client_id(alibaba_oauth::CN_CLIENT_ID)
                .sign_in_url("https://signin.aliyun.com")
                .access_token(OAUTH_ACCESS_TOKEN)
                .access_token_expire(credchain::time::unix_seconds(ctx.now()) + 3600)
                .timeouts(timeouts())
                .build(ctx)?
                .provide_credentials()
                .await
        }
        Source::TcStsAssumeRole => {
            let src = source_credentials(ctx, emu, true).await?;
            StsAssumeRoleProvider::builder()
                .secret(src.secret_id(), src.secret_key())
                .token(src.token().map(str::to_string))
                .role_arn(tc_role)
                .endpoint(emu.base_url())
                .build(ctx)?
                .provide_credentials()
                .await
        }
        Source::TcOidcRoleArn => {
            tencent::OidcRoleArnProvider::builder()
                .region("ap-guangzhou")
                .provider_id(tencent_sts::EMULATOR_OIDC_PROVIDER_ID)
                .web_identity_token(tencent_sts::EMULATOR_WEB_IDENTITY_TOKEN)
                .role_arn(tc_role)
                .endpoint(emu.base_url())
                .build(ctx)?
                .provide_credentials()
                .await
        }
        Source::TcCvmRole => {
            CvmRoleProvider::builder()
                .endpoint(emu.base_url())
                .build(ctx)
                .unwrap()
                .provide_credentials()
                .await
        }
    }
}

/// What one case produced, checked after all have run.
struct Outcome {
    source: Source,
    misbehaviour: Misbehaviour,
    result: std::result::Result<Credentials, Error>,
    attempts: usize,
    elapsed: Duration,
    /// Every secret this case put in play: its own and all the emulator issued.
    secrets: Vec<String>,
}

async fn run_case(source: Source, m: Misbehaviour) -> Outcome {
    let emu = Emulator::start().await.expect("emulator starts");
    emu.set_fault(source.route(), fault(source, m));
    let ctx = context(&emu);
    let started = Instant::now();
    let result = fetch(source, &ctx, &emu).await;
    let elapsed = started.elapsed();
    let attempts = emu.requests_for(source.route()).len();
    let mut secrets: Vec<String> = vec![
        alibaba_sts::ACCESS_KEY_SECRET.into(),
        tencent_sts::EMULATOR_SECRET_KEY.into(),
        tencent_sts::EMULATOR_WEB_IDENTITY_TOKEN.into(),
        OIDC_TOKEN.into(),
        OAUTH_ACCESS_TOKEN.into(),
        SSO_ACCESS_TOKEN.into(),
        // A line from the middle of the private key.
        alibaba_session_key::PRIVATE_KEY_PEM
            .lines()
            .nth(3)
            .unwrap_or_default()
            .into(),
        WRONG_TYPE_NUMBER.to_string(),
    ];
    for issued in emu.issued() {
        secrets.push(issued.access_key_secret);
        secrets.push(issued.security_token);
    }
    emu.shutdown().await;
    Outcome {
        source,
        misbehaviour: m,
        result,
        attempts,
        elapsed,
        secrets,
    }
}

/// Checks one outcome; every failed assertion is returned as a line, so one run reports all.
fn check(o: &Outcome, log: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let case = format!("{:?} x {:?}", o.source, o.misbehaviour);
    let want = expected(o.source, o.misbehaviour);
    let e = match &o.result {
        Ok(c) => {
            problems.push(format!(
                "{case}: succeeded (key {}), expected {want:?}",
                c.masked_key_id()
            ));
            return problems;
        }
        Err(e) => e,
    };
    let got = Expected {
        kind: e.kind(),
        // A status is required where expected; elsewhere its presence is not judged.
        status: want.status.and(e.status()),
        code: want.code.filter(|c| e.code() == Some(*c)),
        request_id: want.request_id.filter(|r| e.request_id() == Some(*r)),
        attempts: o.attempts,
    };
    if got != want {
        problems.push(format!(
            "{case}: got {got:?} (code {:?}), expected {want:?}: {e}",
            e.code()
        ));
    }
    if e.provider().is_none_or(|p| !p.ends_with(o.source.name())) {
        problems.push(format!(
            "{case}: provider {:?}, expected {}",
            e.provider(),
            o.source.name()
        ));
    }
    let endpoint_known_missing = o.misbehaviour == Misbehaviour::AlreadyExpired;
    if e.endpoint().is_none() && !endpoint_known_missing {
        problems.push(format!("{case}: the error names no endpoint: {e}"));
    }
    let bound = CASE_TIMEOUTS.total() * want.attempts as u32 + SLACK;
    if o.elapsed > bound {
        problems.push(format!("{case}: took {:?}, more than {bound:?}", o.elapsed));
    }
    let shown = format!("{e}\n{e:?}");
    for s in o.secrets.iter().filter(|s| s.len() >= 6) {
        if shown.contains(s.as_str()) {
            problems.push(format!("{case}: the error shows the secret {s:?}: {shown}"));
        }
        if log.contains(s.as_str()) {
            problems.push(format!("{case}: the TRACE log shows the secret {s:?}"));
        }
    }
    problems
}

// ------------------------------------------------------------------------- TRACE capture

/// Every event of this test binary, at TRACE, as text.
fn captured_log() -> &'static common::Captured {
    static LOG: OnceLock<common::Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = common::Captured::default();
        let writer = log.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        log
    })
}

// --------------------------------------------------------------------------------- the test

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_network_source_against_every_fault() {
    let log = captured_log();
    // Bounded concurrency: all at once would starve the emulators on a busy machine.
    let permits = Arc::new(tokio::sync::Semaphore::new(6));
    let mut cases = tokio::task::JoinSet::new();
    for source in SOURCES {
        for m in MISBEHAVIOURS {
            let permits = permits.clone();
            cases.spawn(async move {
                let _permit = permits.acquire_owned().await;
                run_case(source, m).await
            });
        }
    }
    let mut outcomes = Vec::new();
    while let Some(o) = cases.join_next().await {
        outcomes.push(o.expect("no case panics"));
    }
    assert_eq!(outcomes.len(), SOURCES.len() * MISBEHAVIOURS.len());
    let text = log.text();
    assert!(
        text.contains("TRACE") || text.contains("DEBUG"),
        "the log is captured"
    );
    let problems: Vec<String> = outcomes.iter().flat_map(|o| check(o, &text)).collect();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
