//! Secrets in errors and `Debug` output: what servers, processes, files and settings send back
//! never reaches an error unscrubbed (values of wrong JSON types, multi-line or huge process
//! stderr, `user:password@` URLs, secret paths), and no public type holding a secret shows it.

mod common;

use std::time::Duration;

use credchain::alibaba::{
    self, BearerTokenProvider, CredentialsUriProvider, ExternalProvider, StaticAccessKeyProvider,
    StaticStsProvider,
};
use credchain::context::{proxy_settings, Context, MemoryEnv, MemoryFs};
use credchain::http::{HttpRequest, ReqwestClient};
use credchain::tencent::{self, CvmRoleProvider, StsAssumeRoleProvider};
use credchain::{redact, Credentials, ProvideCredentials, Secret};
use credchain_emulator::routes::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use credchain_emulator::routes::{TENCENT_CVM_CREDENTIALS, TENCENT_STS_ASSUME_ROLE};
use credchain_emulator::{Emulator, Fault};

const SECRET: &str = "LeakTestSecretValue0123456789";
const TOKEN: &str = "LeakTestToken+With/Slashes==";
const PASSWORD: &str = "LeakTestPassword77";
const NUMBER: &str = "987654321987";

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !redact::contains_any(text, [*s]),
            "{what} shows {s:?}: {text}"
        );
    }
}

fn ctx_with(pairs: &[(&str, String)]) -> Context {
    let env = MemoryEnv::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())));
    common::context_with(env)
}

/// A server answering 2xx with a secret-bearing field of the wrong JSON type: the parse error
/// names the category, the expected type and the position, never the value.
#[tokio::test]
async fn json_type_errors_from_servers_never_show_the_value() {
    let emu = Emulator::start().await.unwrap();
    let ctx = ctx_with(&[
        ("TENCENTCLOUD_STS_ENDPOINT", emu.base_url()),
        ("TENCENTCLOUD_METADATA_ENDPOINT", emu.base_url()),
    ]);
    emu.set_fault(
        TENCENT_STS_ASSUME_ROLE,
        Fault::status_with_body(
            200,
            format!(
                r#"{{"Response":{{"Credentials":{{"TmpSecretId":"AKIDx","TmpSecretKey":{NUMBER},"Token":"t"}},"ExpiredTime":1}}}}"#
            ),
        ),
    );
    let p = StsAssumeRoleProvider::builder()
        .secret(EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY)
        .role_arn("qcs::cam::uin/1:roleName/r")
        .build(&ctx)
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("invalid type: integer, expected"), "{shown}");
    assert_clean("Tencent STS error", &shown, &[NUMBER, EMULATOR_SECRET_KEY]);

    emu.set_fault(
        TENCENT_CVM_CREDENTIALS,
        Fault::status_with_body(
            200,
            format!(
                r#"{{"TmpSecretId":"AKIDx","TmpSecretKey":{NUMBER},"Token":"t","Code":"Success"}}"#
            ),
        ),
    );
    let e = CvmRoleProvider::from_context(&ctx)
        .provide_credentials()
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("line 1 column"), "{shown}");
    assert_clean("CVM error", &shown, &[NUMBER]);
    emu.shutdown().await;
}

#[test]
fn config_type_errors_never_show_the_value() {
    let json =
        format!(r#"{{"type":"access_key","access_key_id":"a","access_key_secret":{NUMBER}}}"#);
    let e = alibaba::Config::from_json(&json).unwrap_err();
    assert_clean("Alibaba Config", &format!("{e} {e:?}"), &[NUMBER]);
    let json = format!(r#"{{"type":"credential","secret_id":"a","secret_key":{NUMBER}}}"#);
    let e = tencent::Config::from_json(&json).unwrap_err();
    assert_clean("Tencent Config", &format!("{e} {e:?}"), &[NUMBER]);
    let e = alibaba::parse_process_output(
        br#"{"access_key_id":"a","access_key_secret":"LeakTestSecretValue0123456789""#,
    )
    .unwrap_err();
    assert_clean("process output", &format!("{e} {e:?}"), &[SECRET]);
}

/// `user:password@`, a query token and a `serve`-style secret path never reach an error.
#[tokio::test]
async fn urls_in_errors_keep_only_scheme_host_port_and_plain_path() {
    let secret_path = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    let uri = format!("http://alice:{PASSWORD}@127.0.0.1:1/{secret_path}?token={TOKEN}");
    let p = CredentialsUriProvider::builder()
        .uri(uri.clone())
        .build(&ctx_with(&[]))
        .unwrap();
    let e = p.provide_credentials().await.unwrap_err();
    let shown = format!(
        "{e} {e:?} {p:?} {:?}",
        CredentialsUriProvider::builder().uri(uri)
    );
    assert_eq!(e.endpoint(), Some("http://127.0.0.1:1/***"));
    assert_clean(
        "credentials URI",
        &shown,
        &[PASSWORD, TOKEN, secret_path, "alice"],
    );
}

#[tokio::test]
async fn process_stderr_is_one_bounded_line() {
    let script = "i=0; while [ $i -lt 3000 ]; do echo stderr-line-$i >&2; i=$((i+1)); done; exit 4";
    let e = ExternalProvider::builder()
        .process_command(format!("sh -c '{script}'"))
        .timeout(Duration::from_secs(20))
        .build(&Context::empty())
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("exit status 4; stderr: stderr-line-0\\nstderr-line-1"),
        "{shown}"
    );
    assert!(!shown.contains('\n'), "{shown}");
    assert!(shown.len() < 1000, "{} bytes", shown.len());
    assert!(shown.contains("bytes)"), "the cut is not marked: {shown}");
}

#[test]
fn huge_env_values_are_bounded_in_errors() {
    let big = format!("/{}\nsecond-line", "d".repeat(130_000));
    let ctx = Context::empty().with_env(MemoryEnv::from_pairs([(
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        big.as_str(),
    )]));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let e = rt
        .block_on(
            alibaba::ProfileProvider::builder()
                .build(&ctx)
                .unwrap()
                .provide_credentials(),
        )
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(shown.len() < 3000, "{} bytes", shown.len());
    assert!(
        !shown.contains("second-line") || shown.contains("\\nsecond-line"),
        "{shown}"
    );
}

/// Every public type that holds a secret, a token, a password-bearing URL or secret file
/// content: `Debug` (plain and pretty) shows none of it.
#[test]
fn debug_of_public_types_shows_no_secret() {
    let url = format!("http://proxyuser:{PASSWORD}@127.0.0.1:3128/{TOKEN}");
    let ctx = ctx_with(&[
        ("HTTPS_PROXY", url.clone()),
        ("ALIBABA_CLOUD_STS_ENDPOINT", url.clone()),
        (
            "TENCENTCLOUD_STS_ENDPOINT",
            "http://127.0.0.1:1".to_string(),
        ),
    ]);
    let creds = Credentials::builder("LTAIid", SECRET)
        .security_token(TOKEN)
        .build();
    let mut shown: Vec<String> = Vec::new();
    macro_rules! show {
        ($($v:expr),* $(,)?) => { $( shown.push(format!("{:?} {:#?}", $v, $v)); )* };
    }
    show!(
        creds,
        Credentials::bearer(TOKEN, "bearer"),
        Secret::new(SECRET),
        StaticAccessKeyProvider::new("LTAIid", SECRET).unwrap(),
        StaticStsProvider::new("STS.id", SECRET, TOKEN).unwrap(),
        BearerTokenProvider::new(TOKEN).unwrap(),
        ReqwestClient::new(proxy_settings(&MemoryEnv::from_pairs([("HTTPS_PROXY", url.as_str())]))),
        ctx,
        credchain::ini::IniDialect::ALIBABA.parse(&format!("[default]\naccess_key_secret = {SECRET}\n")).unwrap(),
        credchain::ini::IniDialect::TENCENT.parse_bytes(format!("[default]\nsecret_key = {SECRET}\n").as_bytes()).unwrap(),
        alibaba::Config::from_json(&format!(
            r#"{{"type":"ram_role_arn","access_key_id":"a","access_key_secret":"{SECRET}","security_token":"{TOKEN}","role_arn":"r"}}"#
        ))
        .unwrap(),
        tencent::Config::from_json(&format!(
            r#"{{"type":"credential","secret_id":"a","secret_key":"{SECRET}","token":"{TOKEN}"}}"#
        ))
        .unwrap(),
        alibaba::RamRoleArnProvider::builder()
            .access_key_id("LTAIid")
            .access_key_secret(SECRET)
            .security_token(TOKEN)
            .role_arn("acs:ram::1:role/r")
            .build(&ctx_with(&[("ALIBABA_CLOUD_STS_ENDPOINT", url.clone())]))
            .unwrap(),
        CredentialsUriProvider::builder().uri(url.clone()),
        tencent::Credential::new("AKIDid", SECRET, Some(TOKEN.to_string())),
        MemoryEnv::from_pairs([("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)]),
        MemoryFs::new().with_file("/k.pem", format!("-----BEGIN PRIVATE KEY-----\n{SECRET}\n")),
        alibaba::ProcessOutput {
            success: true,
            code: Some(0),
            stdout: format!(r#"{{"access_key_secret":"{SECRET}"}}"#).into_bytes(),
            stderr: TOKEN.as_bytes().to_vec(),
        },
        HttpRequest::new(http::Method::POST, format!("http://u:{PASSWORD}@h/?SecurityToken={TOKEN}"))
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .header("X-TC-Token", TOKEN)
            .body(SECRET.to_string()),
    );
    for s in &shown {
        assert_clean("Debug", s, &[SECRET, TOKEN, PASSWORD, "proxyuser"]);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever text reaches an error from outside (message, service text, endpoint, hint,
    /// source), its `Display` is one line of bounded length.
    #[test]
    fn every_error_is_one_bounded_line(
        message in "\\PC{0,50}|(?s).{0,2000}",
        service in "(?s).{0,3000}",
        code in "(?s).{0,500}",
        endpoint in "(?s).{0,3000}",
        hint in "(?s).{0,3000}",
        source in "(?s).{0,3000}",
    ) {
        let e = credchain::Error::new(credchain::ErrorKind::Service, message)
            .with_endpoint(&endpoint)
            .with_service_error(&code, &service, Some(code.clone()))
            .with_hint(hint)
            .with_source(std::io::Error::other(source))
            .with_file(&endpoint);
        // Debug escapes again (`\\u{..}` for every unprintable character), so its bound is looser.
        for (shown, max) in [(e.to_string(), 6000), (format!("{e:?}"), 60_000)] {
            proptest::prop_assert!(
                !shown.chars().any(|c| c.is_control()),
                "control character in {shown:?}"
            );
            // Message, hint and source 1000 each, service message 300, endpoint and path a few
            // hundred, plus labels.
            proptest::prop_assert!(shown.chars().count() < max, "{} chars", shown.chars().count());
        }
    }
}
