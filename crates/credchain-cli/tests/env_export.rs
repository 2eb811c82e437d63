//! `get --format env --shell ...` and `exec` export the expiry and the region, end to end: the
//! real binary, a cleared environment, nothing beyond loopback.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use common::{credchain_in, scratch};

fn home(tag: &str) -> PathBuf {
    scratch(&format!("envx-{tag}"))
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const TRICKY: &str = r"it's \ a 'secret' with spaces";

#[test]
fn posix_output_round_trips_through_sh() {
    let h = home("posix");
    let out = ok(&credchain_in(&h)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", TRICKY)
        .env("ALIBABA_CLOUD_REGION_ID", "cn-shanghai")
        .args(["get", "--cloud", "alibaba", "--format", "env"])
        .output()
        .unwrap());
    let mut sh = Command::new("sh")
        .args([
            "-c",
            r#"ALIBABA_CLOUD_CREDENTIALS_EXPIRATION=stale; eval "$(cat)"; printf '%s|%s|%s' "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALIBABA_CLOUD_REGION_ID" "${ALIBABA_CLOUD_CREDENTIALS_EXPIRATION-unset}""#,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    sh.stdin.take().unwrap().write_all(out.as_bytes()).unwrap();
    let o = sh.wait_with_output().unwrap();
    assert_eq!(ok(&o), format!("{TRICKY}|cn-shanghai|unset"));
}

#[test]
fn fish_and_powershell_syntax() {
    let h = home("shells");
    let get = |shell: &str| {
        ok(&credchain_in(&h)
            .env("TENCENTCLOUD_SECRET_ID", "AKIDenv")
            .env("TENCENTCLOUD_SECRET_KEY", TRICKY)
            .env("TENCENTCLOUD_REGION", "ap-beijing")
            .args([
                "get", "--cloud", "tencent", "--format", "env", "--shell", shell,
            ])
            .output()
            .unwrap())
    };
    let fish = get("fish");
    assert!(
        fish.contains(r"set -gx TENCENTCLOUD_SECRET_KEY 'it\'s \\ a \'secret\' with spaces'"),
        "{fish}"
    );
    assert!(
        fish.contains("set -gx TENCENTCLOUD_REGION 'ap-beijing'\n"),
        "{fish}"
    );
    assert!(
        fish.contains("set -e TENCENTCLOUD_CREDENTIALS_EXPIRATION\n"),
        "{fish}"
    );
    let ps = get("powershell");
    assert!(
        ps.contains(r"$Env:TENCENTCLOUD_SECRET_KEY = 'it''s \ a ''secret'' with spaces'"),
        "{ps}"
    );
    assert!(
        ps.contains("$Env:TENCENTCLOUD_REGION = 'ap-beijing'\n"),
        "{ps}"
    );
}

#[test]
fn exec_gets_the_profile_region_and_loses_a_stale_expiry() {
    let h = home("exec");
    std::fs::create_dir_all(h.join(".aliyun")).unwrap();
    std::fs::write(
        h.join(".aliyun/config.json"),
        r#"{"current": "ops", "profiles": [{"name": "ops", "mode": "AK",
            "access_key_id": "LTAIprof", "access_key_secret": "prof-secret",
            "region_id": "cn-zhangjiakou"}]}"#,
    )
    .unwrap();
    let out = ok(&credchain_in(&h)
        .env("ALIBABA_CLOUD_CREDENTIALS_EXPIRATION", "2000-01-01T00:00:00Z")
        .args([
            "exec", "--cloud", "alibaba", "--profile", "ops", "--", "sh", "-c",
            r#"printf '%s|%s|%s' "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_REGION_ID" "${ALIBABA_CLOUD_CREDENTIALS_EXPIRATION-unset}""#,
        ])
        .output()
        .unwrap());
    assert_eq!(out, "LTAIprof|cn-zhangjiakou|unset");
}
