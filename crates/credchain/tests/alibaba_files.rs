//! `credentials.ini`, `~/.aliyun/config.json`, the default chain's precedence and the Config
//! facade, against the emulator on loopback where a source needs the network.

mod common;

use credchain::alibaba::{self, CliProfileProvider, Client, Config, ProfileProvider};
use credchain::context::{Context, MemoryEnv, MemoryFs};
use credchain::{ErrorKind, ProvideCredentials};
use credchain_emulator::routes::{self, alibaba_sts};
use credchain_emulator::Emulator;

fn ctx(emu: &Emulator, pairs: &[(&str, &str)], fs: MemoryFs) -> Context {
    let mut env = MemoryEnv::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env.set("HOME", "/home/u");
    env.set(
        "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
        emu.base_url(),
    );
    env.set("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url());
    common::context_with(env).with_fs(fs)
}

const INI: &str = "/home/u/.alibabacloud/credentials.ini";
const CLI: &str = "/home/u/.aliyun/config.json";

fn ini_text() -> String {
    format!(
        "[default]\ntype = access_key\naccess_key_id = LTAI5tIniDefault\naccess_key_secret = IniSecret#1\n\n\
         [off]\nenable = false\ntype = access_key\naccess_key_id = x\naccess_key_secret = y\n\n\
         [ecs]\ntype = ecs_ram_role\nrole_name = EmulatorEcsRole\n\n\
         [ram]\ntype = ram_role_arn\naccess_key_id = {}\naccess_key_secret = {}\nrole_arn = acs:ram::1:role/ini\nrole_session_name = ini-session\n\n\
         [rsa]\ntype = rsa_key_pair\npublic_key_id = k\nprivate_key_file = /k.pem\n\n\
         [notype]\naccess_key_id = a\n",
        alibaba_sts::ACCESS_KEY_ID,
        alibaba_sts::ACCESS_KEY_SECRET
    )
}

#[tokio::test]
async fn ini_sections() {
    let emu = Emulator::start().await.unwrap();
    let fs = MemoryFs::new().with_file(INI, ini_text());
    let get = |profile: &str| {
        let c = ctx(&emu, &[("ALIBABA_CLOUD_PROFILE", profile)], fs.clone());
        ProfileProvider::builder().build(&c).unwrap()
    };
    let c = get("default").provide_credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.access_key_secret()),
        ("LTAI5tIniDefault", "IniSecret#1")
    );
    assert_eq!(c.provider_name(), "profile/static_ak");
    assert!(get("off")
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
    assert!(get("missing")
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
    assert_eq!(
        get("ecs")
            .provide_credentials()
            .await
            .unwrap()
            .provider_name(),
        "profile/ecs_ram_role"
    );
    let c = get("ram").provide_credentials().await.unwrap();
    assert_eq!(c.provider_name(), "profile/ram_role_arn/static_ak");
    let req = &emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE)[0];
    assert_eq!(req.param("RoleSessionName").as_deref(), Some("ini-session"));
    // rsa_key_pair is supported; its key file (/k.pem) is missing here.
    let e = get("rsa").provide_credentials().await.unwrap_err();
    assert!(
        e.to_string().contains("cannot read the private key file"),
        "{e}"
    );
    assert_eq!(e.file(), Some(std::path::Path::new("/k.pem")));
    let e = get("notype").provide_credentials().await.unwrap_err();
    assert!(
        e.to_string().contains("unsupported credential type None"),
        "{e}"
    );
    // An explicitly named missing section is an error.
    let c = ctx(&emu, &[], fs.clone());
    let e = ProfileProvider::builder()
        .profile("nope")
        .build(&c)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
}

#[tokio::test]
async fn ini_files_and_parse_errors() {
    let emu = Emulator::start().await.unwrap();
    // Go's file name is the fallback.
    let fs = MemoryFs::new().with_file(
        "/home/u/.alibabacloud/credentials",
        "[default]\ntype=access_key\naccess_key_id=a\naccess_key_secret=b\n",
    );
    let p = ProfileProvider::builder()
        .build(&ctx(&emu, &[], fs))
        .unwrap();
    assert_eq!(p.provide_credentials().await.unwrap().access_key_id(), "a");
    // No file: not configured.
    let p = ProfileProvider::builder()
        .build(&ctx(&emu, &[], MemoryFs::new()))
        .unwrap();
    assert!(p
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
    // Parse errors name file and line.
    let fs = MemoryFs::new().with_file(INI, "[default]\ntype = access_key\nbroken line\n");
    let e = ProfileProvider::builder()
        .build(&ctx(&emu, &[], fs))
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.line()), (ErrorKind::File, Some(3)));
    assert!(e.to_string().contains("credentials.ini:3"), "{e}");
    // ALIBABA_CLOUD_CREDENTIALS_FILE must exist.
    let e = ProfileProvider::builder()
        .build(&ctx(
            &emu,
            &[("ALIBABA_CLOUD_CREDENTIALS_FILE", "/etc/ali.ini")],
            MemoryFs::new(),
        ))
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::File);
    // enable must be a boolean.
    let fs = MemoryFs::new().with_file(
        INI,
        "[default]\nenable = maybe\ntype = access_key\naccess_key_id=a\naccess_key_secret=b\n",
    );
    let e = ProfileProvider::builder()
        .build(&ctx(&emu, &[], fs))
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
}

fn cli_json() -> String {
    serde_json::json!({
        "current": "AK",
        "meta_path": "",
        "profiles": [
            {"name": "AK", "mode": "AK", "access_key_id": "LTAI5tCliAk", "access_key_secret": "CliSecret", "region_id": "cn-hangzhou", "output_format": "json"},
            {"name": "Sts", "mode": "StsToken", "access_key_id": "STS.cli", "access_key_secret": "s", "sts_token": "tok"},
            {"name": "Ram", "mode": "RamRoleArn", "access_key_id": alibaba_sts::ACCESS_KEY_ID, "access_key_secret": alibaba_sts::ACCESS_KEY_SECRET, "ram_role_arn": "acs:ram::1:role/cli", "ram_session_name": "cli-session", "expired_seconds": 0},
            {"name": "Chain", "mode": "ChainableRamRoleArn", "source_profile": "Ram", "ram_role_arn": "acs:ram::1:role/chained"},
            {"name": "Bad", "mode": "ChainableRamRoleArn", "source_profile": "InvalidSource", "ram_role_arn": "acs:ram::1:role/x"},
            {"name": "LoopA", "mode": "ChainableRamRoleArn", "source_profile": "LoopB", "ram_role_arn": "acs:ram::1:role/x"},
            {"name": "LoopB", "mode": "ChainableRamRoleArn", "source_profile": "LoopA", "ram_role_arn": "acs:ram::1:role/x"},
            {"name": "Ecs", "mode": "EcsRamRole", "ram_role_name": "EmulatorEcsRole"},
            {"name": "Uri", "mode": "CredentialsURI", "credentials_uri": "@URI@"},
            {"name": "Unsupported", "mode": "RsaKeyPair"}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn config_json_modes() {
    let emu = Emulator::start().await.unwrap();
    let fs = MemoryFs::new().with_file(
        CLI,
        cli_json().replace("@URI@", &emu.url("/credentials-uri")),
    );
    let c = ctx(&emu, &[], fs);
    let get = |name: &str| {
        CliProfileProvider::builder()
            .profile(name)
            .build(&c)
            .unwrap()
    };
    let cur = CliProfileProvider::builder()
        .build(&c)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (cur.access_key_id(), cur.provider_name()),
        ("LTAI5tCliAk", "cli_profile/static_ak")
    );
    assert_eq!(
        get("Sts")
            .provide_credentials()
            .await
            .unwrap()
            .provider_name(),
        "cli_profile/static_sts"
    );
    let ram = get("Ram").provide_credentials().await.unwrap();
    assert_eq!(ram.provider_name(), "cli_profile/ram_role_arn/static_ak");
    let req = &emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE)[0];
    assert_eq!(req.param("DurationSeconds").as_deref(), Some("3600"));
    let chained = get("Chain").provide_credentials().await.unwrap();
    assert_eq!(
        chained.provider_name(),
        "cli_profile/ram_role_arn/ram_role_arn/static_ak"
    );
    let e = get("Bad").provide_credentials().await.unwrap_err();
    assert!(
        e.to_string()
            .contains("get source profile failed: unable to get profile with 'InvalidSource'"),
        "{e}"
    );
    let e = get("LoopA").provide_credentials().await.unwrap_err();
    assert!(e.to_string().contains("cycle"), "{e}");
    assert_eq!(
        get("Ecs")
            .provide_credentials()
            .await
            .unwrap()
            .provider_name(),
        "cli_profile/ecs_ram_role"
    );
    assert_eq!(
        get("Uri")
            .provide_credentials()
            .await
            .unwrap()
            .provider_name(),
        "cli_profile/credential_uri"
    );
    let e = get("Unsupported").provide_credentials().await.unwrap_err();
    assert!(
        e.to_string()
            .contains("unsupported profile mode 'RsaKeyPair'"),
        "{e}"
    );
    let e = get("Nobody").provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert!(e
        .to_string()
        .contains("unable to get profile with 'Nobody'"));
    // From ALIBABA_CLOUD_PROFILE, an unknown name is "not configured" (it may be an INI section).
    let c2 = ctx(
        &emu,
        &[("ALIBABA_CLOUD_PROFILE", "Nobody")],
        MemoryFs::new().with_file(CLI, cli_json()),
    );
    assert!(CliProfileProvider::builder()
        .build(&c2)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err()
        .is_not_configured());
}

#[tokio::test]
async fn config_json_file_errors() {
    let emu = Emulator::start().await.unwrap();
    let run = |fs: MemoryFs, env: &[(&str, &str)]| {
        let c = ctx(&emu, env, fs);
        async move {
            CliProfileProvider::builder()
                .build(&c)
                .unwrap()
                .provide_credentials()
                .await
                .unwrap_err()
        }
    };
    assert!(run(MemoryFs::new(), &[]).await.is_not_configured());
    let e = run(
        MemoryFs::new().with_file(CLI, cli_json()),
        &[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")],
    )
    .await;
    assert!(e.is_not_configured() && e.message().contains("disabled"));
    let dir = MemoryFs::new().with_file("/home/u/.aliyun/config.json/inner", "x");
    assert_eq!(run(dir, &[]).await.kind(), ErrorKind::File);
    let e = run(MemoryFs::new().with_file(CLI, "{not json"), &[]).await;
    assert_eq!(e.kind(), ErrorKind::File);
    assert!(
        e.to_string()
            .contains("failed to parse credential form cli credentials file"),
        "{e}"
    );
    assert!(run(MemoryFs::new().with_file(CLI, "{}"), &[])
        .await
        .is_not_configured());
    let e = run(
        MemoryFs::new().with_file(
            CLI,
            r#"{"current":"gone","profiles":[{"name":"a","mode":"AK"}]}"#,
        ),
        &[],
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert!(e.to_string().contains("unable to get profile with 'gone'"));
    // ALIBABA_CLOUD_CONFIG_FILE overrides the path.
    let c = ctx(
        &emu,
        &[("ALIBABA_CLOUD_CONFIG_FILE", "/etc/aliyun.json")],
        MemoryFs::new().with_file("/etc/aliyun.json", cli_json()),
    );
    assert!(CliProfileProvider::builder()
        .build(&c)
        .unwrap()
        .provide_credentials()
        .await
        .is_ok());
}

#[tokio::test]
async fn default_chain_precedence() {
    let emu = Emulator::start().await.unwrap();
    let env_ak = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tEnv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "EnvSecret"),
    ];
    let both = || {
        MemoryFs::new()
            .with_file(CLI, cli_json())
            .with_file(INI, ini_text())
    };
    let name = |pairs: &[(&str, &str)], fs: MemoryFs| {
        let c = ctx(&emu, pairs, fs);
        async move {
            alibaba::default_chain(&c)
                .provide_credentials()
                .await
                .map(|c| c.provider_name().to_string())
        }
    };
    assert_eq!(name(&env_ak, both()).await.unwrap(), "default/env");
    assert_eq!(
        name(&[], both()).await.unwrap(),
        "default/cli_profile/static_ak"
    );
    let ini_only = MemoryFs::new().with_file(INI, ini_text());
    assert_eq!(
        name(&[], ini_only.clone()).await.unwrap(),
        "default/profile/static_ak"
    );
    assert_eq!(
        name(&[], MemoryFs::new()).await.unwrap(),
        "default/ecs_ram_role"
    );
    let uri = emu.url("/credentials-uri");
    let no_ecs = [
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ("ALIBABA_CLOUD_CREDENTIALS_URI", uri.as_str()),
    ];
    assert_eq!(
        name(&no_ecs, MemoryFs::new()).await.unwrap(),
        "default/credential_uri"
    );
    // OIDC beats the CLI file.
    let oidc = [
        ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/rrsa"),
        (
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/p",
        ),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t"),
    ];
    assert_eq!(
        name(&oidc, both().with_file("/t", "eyJ")).await.unwrap(),
        "default/oidc_role_arn"
    );
    // A hard error stops the chain (broken config.json does not fall through to the INI file).
    let broken = MemoryFs::new()
        .with_file(CLI, "{oops")
        .with_file(INI, ini_text());
    let e = name(&[], broken).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::File);
    assert_eq!(e.provider(), Some("default/cli_profile"));
    // Nothing configured, metadata disabled: one not-configured error listing every source.
    let e = name(
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
        MemoryFs::new(),
    )
    .await
    .unwrap_err();
    assert!(e.is_not_configured());
    assert_eq!(e.attempts().len(), 3);
    assert!(emu.requests_for(routes::ALIBABA_CREDENTIALS_URI).len() == 1);
}

#[tokio::test]
async fn config_facade_types() {
    let emu = Emulator::start().await.unwrap();
    let c = ctx(&emu, &[], MemoryFs::new().with_file("/t", "eyJ"));
    let model = |json: String| {
        let c = c.clone();
        async move {
            let client = Client::new(Some(Config::from_json(&json)?), &c)?;
            let m = client.get_credential().await?;
            Ok::<_, credchain::Error>((client.get_type().to_string(), m.provider_name))
        }
    };
    let ram = format!(
        r#"{{"type":"ram_role_arn","access_key_id":"{}","access_key_secret":"{}","role_arn":"acs:ram::1:role/x","role_session_expiration":1200,"timeout":5000,"connect_timeout":1000}}"#,
        alibaba_sts::ACCESS_KEY_ID,
        alibaba_sts::ACCESS_KEY_SECRET
    );
    assert_eq!(
        model(ram).await.unwrap(),
        ("ram_role_arn".into(), "ram_role_arn/static_ak".into())
    );
    assert_eq!(
        emu.requests_for(alibaba_sts::ALIBABA_STS_ASSUME_ROLE)[0]
            .param("DurationSeconds")
            .as_deref(),
        Some("1200")
    );
    let ecs = r#"{"type":"ecs_ram_role","role_name":"EmulatorEcsRole","disable_imds_v1":true}"#
        .to_string();
    assert_eq!(
        model(ecs).await.unwrap(),
        ("ecs_ram_role".into(), "ecs_ram_role".into())
    );
    let uri = format!(
        r#"{{"type":"credentials_uri","credentials_uri":"{}"}}"#,
        emu.url("/credentials-uri")
    );
    assert_eq!(
        model(uri).await.unwrap(),
        ("credentials_uri".into(), "credential_uri".into())
    );
    let oidc = r#"{"type":"oidc_role_arn","role_arn":"acs:ram::1:role/r","oidc_provider_arn":"acs:ram::1:oidc-provider/p","oidc_token_file_path":"/t"}"#;
    assert_eq!(
        model(oidc.into()).await.unwrap(),
        ("oidc_role_arn".into(), "oidc_role_arn".into())
    );
    let e = model(r#"{"type":"ram_role_arn","access_key_id":"a","access_key_secret":"b","role_arn":"acs:ram::1:role/x","role_session_expiration":899}"#.into()).await.unwrap_err();
    assert!(e.message().contains("900s"));
    let e = model(r#"{"type":"credentials_uri"}"#.into())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
}
