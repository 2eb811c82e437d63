//! End-to-end tests of how `credchain call` picks its host and region: `--product`/`--region`
//! with the host rule, the profile's `region_id`, `TENCENTCLOUD_REGION`, and refusals (no
//! endpoint at all, an endpoint with a path). Dry runs only: nothing is sent.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{credchain_in, fresh_home, output};

fn home(name: &str) -> PathBuf {
    fresh_home(&format!("callhosts-{name}"))
}

/// Long-term keys of both clouds: dry runs sign, nothing is sent.
const KEYS: [(&str, &str); 4] = [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIcallHosts01"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "callHostsSecret"),
    ("TENCENTCLOUD_SECRET_ID", "AKIDcallHosts01"),
    ("TENCENTCLOUD_SECRET_KEY", "callHostsSecret"),
];

fn credchain(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    output(
        credchain_in(home)
            .args(args)
            .envs(KEYS)
            .envs(env.iter().copied()),
    )
}

fn out(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

const ALI: &[&str] = &[
    "call",
    "alibaba",
    "--action",
    "DescribeRegions",
    "--version",
    "2014-05-26",
    "--dry-run",
];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

#[test]
fn no_endpoint_and_no_product_says_which_to_give() {
    let h = home("none");
    let o = credchain(&h, ALI, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--endpoint") && err.contains("--product"),
        "{err}"
    );
    assert!(!err.contains("ecs.aliyuncs.com/"), "{err}");
}

#[test]
fn product_and_region_build_the_host_and_send_region_id() {
    let h = home("rule");
    let text = out(&credchain(
        &h,
        &with(ALI, &["--product", "ecs", "--region", "cn-hangzhou"]),
        &[],
    ));
    assert!(
        text.contains("GET https://ecs.cn-hangzhou.aliyuncs.com/?"),
        "{text}"
    );
    assert!(text.contains("RegionId=cn-hangzhou"), "{text}");
    let text = out(&credchain(&h, &with(ALI, &["--product", "sts"]), &[]));
    assert!(text.contains("GET https://sts.aliyuncs.com/?"), "{text}");
}

#[test]
fn the_profile_region_id_is_used() {
    let h = home("profile");
    std::fs::create_dir_all(h.join(".aliyun")).unwrap();
    std::fs::write(
        h.join(".aliyun/config.json"),
        r#"{"current": "dev", "profiles": [{"name": "dev", "mode": "AK", "access_key_id": "LTAIdev", "access_key_secret": "s", "region_id": "cn-shanghai"}]}"#,
    )
    .unwrap();
    let text = out(&credchain(&h, &with(ALI, &["--product", "vpc"]), &[]));
    assert!(
        text.contains("https://vpc.cn-shanghai.aliyuncs.com/"),
        "{text}"
    );
}

#[test]
fn a_product_without_region_is_an_error() {
    let h = home("noregion");
    let o = credchain(&h, &with(ALI, &["--product", "ecs"]), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs a region"));
}

#[test]
fn an_endpoint_with_a_path_is_refused() {
    let h = home("path");
    let o = credchain(
        &h,
        &with(ALI, &["--endpoint", "http://127.0.0.1:9/api?x=1"]),
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("path or query"));
}

#[test]
fn tencent_region_comes_from_the_environment() {
    let h = home("tc");
    let args = [
        "call",
        "tencent",
        "--service",
        "cvm",
        "--action",
        "DescribeInstances",
        "--version",
        "2017-03-12",
        "--dry-run",
        "--timestamp",
        "1704067200",
    ];
    let text = out(&credchain(
        &h,
        &args,
        &[("TENCENTCLOUD_REGION", "ap-shanghai")],
    ));
    assert!(
        text.to_ascii_lowercase()
            .contains("x-tc-region: ap-shanghai"),
        "{text}"
    );
}
