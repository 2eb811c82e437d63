//! `credchain completions` and `credchain get --format aliyun-external`, end to end with the real
//! binary in a cleared environment (PATH and a temporary HOME only, metadata probing disabled).

mod common;

use std::path::PathBuf;
use std::process::Output;

use credchain::context::Context;
use credchain::ProvideCredentials;

use common::{run_in, scratch};

fn home() -> PathBuf {
    scratch("extra-home")
}

fn credchain(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(&home(), args, env)
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let o = credchain(&["completions", shell], &[]);
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8(o.stdout).unwrap();
        for sub in ["get", "exec", "serve", "emulate", "doctor", "completions"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(script.contains("aliyun-external"), "{shell}");
    }
    assert!(!credchain(&["completions", "tcsh"], &[]).status.success());
}

const STS: [(&str, &str); 3] = [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.extra"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "extra-secret"),
    ("ALIBABA_CLOUD_SECURITY_TOKEN", "extra-token"),
];

#[test]
fn aliyun_external_is_what_the_external_parser_reads() {
    let o = credchain(
        &["get", "--cloud", "alibaba", "--format", "aliyun-external"],
        &STS,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"mode": "StsToken", "access_key_id": "STS.extra",
                           "access_key_secret": "extra-secret", "sts_token": "extra-token"})
    );
    let c = credchain::alibaba::parse_process_output(&o.stdout).unwrap();
    assert_eq!(c.access_key_id(), "STS.extra");
    assert_eq!(c.access_key_secret(), "extra-secret");
    assert_eq!(c.security_token(), Some("extra-token"));

    let o = credchain(
        &["get", "--cloud", "alibaba", "--format", "aliyun-external"],
        &STS[..2],
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["mode"], "AK");
    let c = credchain::alibaba::parse_process_output(&o.stdout).unwrap();
    assert_eq!(c.security_token(), None);
}

#[tokio::test]
async fn the_library_external_source_runs_credchain_as_its_process_command() {
    // What aliyun-cli does with `"mode": "External", "process_command": "credchain get ..."`.
    // `env -i` keeps the developer's own environment away from the child.
    let command = format!(
        "env -i PATH={path} HOME={home} ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
         ALIBABA_CLOUD_ACCESS_KEY_ID=STS.proc ALIBABA_CLOUD_ACCESS_KEY_SECRET=proc-secret \
         ALIBABA_CLOUD_SECURITY_TOKEN=proc-token {bin} get --cloud alibaba --format aliyun-external",
        path = std::env::var("PATH").unwrap_or_default(),
        home = home().display(),
        bin = env!("CARGO_BIN_EXE_credchain"),
    );
    let provider = credchain::alibaba::ExternalProvider::builder()
        .process_command(command)
        .build(&Context::real())
        .unwrap();
    let c = provider.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "STS.proc");
    assert_eq!(c.security_token(), Some("proc-token"));
    assert_eq!(c.provider_name(), "external");
}

#[test]
fn help_lists_the_everyday_commands() {
    let o = credchain(&["--help"], &[]);
    let help = String::from_utf8_lossy(&o.stdout);
    for sub in ["exec", "serve", "emulate", "completions"] {
        assert!(help.contains(sub), "{help}");
    }
}
