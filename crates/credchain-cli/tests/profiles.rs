//! End-to-end tests of `credchain profiles`: the real binary with a cleared environment and a
//! temporary HOME holding the clouds' own files. No network.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::{fresh_home, json_of, run_in, write_file};

const SECRET: &str = "VerySecretValue0123456789";

fn home(name: &str) -> PathBuf {
    fresh_home(&format!("profiles-{name}"))
}

fn credchain(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(home, args, env)
}

fn alibaba_home(name: &str) -> PathBuf {
    let h = home(name);
    write_file(
        &h.join(".aliyun/config.json"),
        &format!(
            r#"{{"current": "ops", "profiles": [
                {{"name": "default", "mode": "AK", "access_key_id": "LTAIdefault", "access_key_secret": "{SECRET}", "region_id": "cn-hangzhou"}},
                {{"name": "ops", "mode": "RamRoleArn", "access_key_id": "LTAIops", "access_key_secret": "{SECRET}", "ram_role_arn": "acs:ram::1:role/x", "region_id": "cn-shanghai"}}
            ]}}"#
        ),
    );
    write_file(
        &h.join(".alibabacloud/credentials.ini"),
        &format!("[default]\ntype = access_key\naccess_key_id = LTAIini\naccess_key_secret = {SECRET}\n\n[ecs]\ntype = ecs_ram_role\nrole_name = r\n"),
    );
    h
}

#[test]
fn alibaba_lists_both_files_with_modes_and_current() {
    let h = alibaba_home("ali-list");
    let o = credchain(
        &h,
        &["profiles", "--cloud", "alibaba", "--format", "json"],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json_of(&o);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["format"], "aliyun-cli config.json");
    let cfg: Vec<(String, String, bool)> = files[0]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["mode"].as_str().unwrap().into(),
                p["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cfg,
        vec![
            ("default".into(), "AK".into(), false),
            ("ops".into(), "RamRoleArn".into(), true)
        ]
    );
    assert_eq!(files[0]["profiles"][1]["region"], "cn-shanghai");
    assert_eq!(files[1]["profiles"][1]["name"], "ecs");
    assert_eq!(files[1]["profiles"][1]["mode"], "ecs_ram_role");
    assert_eq!(files[1]["profiles"][0]["current"], true);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains(SECRET) && !out.contains("LTAI"), "{out}");
}

#[test]
fn alibaba_profile_env_moves_the_current_mark_and_table_hides_secrets() {
    let h = alibaba_home("ali-env");
    let o = credchain(
        &h,
        &["profiles", "--cloud", "alibaba", "--format", "table"],
        &[("ALIBABA_CLOUD_PROFILE", "default")],
    );
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("* default") && !text.contains("* ops"),
        "{text}"
    );
    assert!(
        text.contains("RamRoleArn") && text.contains("MODE"),
        "{text}"
    );
    assert!(!text.contains(SECRET), "{text}");
}

#[test]
fn tencent_lists_keys_and_role_profiles() {
    let h = home("tc");
    write_file(
        &h.join(".tencentcloud/credentials"),
        &format!("[default]\nsecret_id = AKIDx\nsecret_key = {SECRET}\n\n[dev]\nrole_arn = qcs::cam::uin/1:roleName/r\nsecret_id = AKIDy\nsecret_key = {SECRET}\n"),
    );
    let o = credchain(
        &h,
        &["profiles", "--cloud", "tencent", "--format", "table"],
        &[("TENCENTCLOUD_PROFILE", "dev")],
    );
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("TYPE"), "{text}");
    assert!(text.contains("* dev") && text.contains("role"), "{text}");
    assert!(
        text.contains("  default") && text.contains("keys"),
        "{text}"
    );
    assert!(!text.contains(SECRET) && !text.contains("AKID"), "{text}");
}

#[test]
fn missing_files_are_listed_as_missing() {
    let h = home("none");
    let o = credchain(
        &h,
        &["profiles", "--cloud", "tencent", "--format", "json"],
        &[],
    );
    assert!(o.status.success());
    let v = json_of(&o);
    assert_eq!(v["files"][0]["exists"], false);
}

#[test]
fn an_invalid_file_is_reported_and_exits_1() {
    let h = alibaba_home("ali-bad");
    write_file(
        &h.join(".aliyun/config.json"),
        &format!("{{\"profiles\": [ {{\"access_key_secret\": \"{SECRET}\" "),
    );
    let o = credchain(
        &h,
        &["profiles", "--cloud", "alibaba", "--format", "json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json_of(&o);
    assert!(
        v["files"][0]["error"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{v}"
    );
    assert_eq!(
        v["files"][1]["profiles"].as_array().unwrap().len(),
        2,
        "{v}"
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains(SECRET));
}

#[test]
fn an_unknown_config_json_profile_lists_the_existing_ones() {
    let h = alibaba_home("ali-unknown");
    let o = credchain(&h, &["get", "--cloud", "alibaba", "--profile", "nope"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    // The reference's wording is kept, followed by the profiles that exist.
    assert!(err.contains("unable to get profile with 'nope'"), "{err}");
    assert!(
        err.contains("the file has the profiles 'default', 'ops'"),
        "{err}"
    );
    assert!(!err.contains(SECRET), "{err}");
}

#[test]
fn profiles_that_is_not_a_list_is_an_error_saying_so() {
    let h = home("ali-obj");
    write_file(
        &h.join(".aliyun/config.json"),
        r#"{"current": "default", "profiles": {}}"#,
    );
    let o = credchain(
        &h,
        &["get", "--cloud", "alibaba"],
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("\"profiles\" in the cli credentials file is an object, not a list"),
        "{err}"
    );
}

#[test]
fn a_failing_role_profile_names_each_provider_once() {
    let h = home("tc-role");
    write_file(
        &h.join(".tencentcloud/credentials"),
        &format!("[default]\nrole_arn = qcs::cam::uin/1:roleName/r\nsecret_id = AKIDrole\nsecret_key = {SECRET}\n"),
    );
    // A loopback port nobody listens on: the STS call fails at once, nothing leaves the machine.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sts = format!("http://127.0.0.1:{port}");
    let o = credchain(
        &h,
        &["get", "--cloud", "tencent"],
        &[
            ("TENCENTCLOUD_METADATA_DISABLED", "true"),
            ("TENCENTCLOUD_STS_ENDPOINT", &sts),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("default/profile/sts_assume_role"), "{err}");
    assert!(!err.contains("profile/profile"), "{err}");
}

#[test]
fn a_wrong_type_in_config_json_names_field_profile_and_line() {
    let h = home("ali-type");
    write_file(
        &h.join(".aliyun/config.json"),
        "{\n  \"current\": \"ops\",\n  \"profiles\": [\n    {\"name\": \"default\", \"mode\": \"AK\", \"access_key_id\": \"LTAIa\", \"access_key_secret\": \"s\"},\n    {\n      \"name\": \"ops\",\n      \"mode\": \"AK\",\n      \"access_key_id\": 12345,\n      \"access_key_secret\": \"s\"\n    }\n  ]\n}\n",
    );
    let o = credchain(
        &h,
        &["get", "--cloud", "alibaba"],
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`access_key_id` in profile `ops` (line 8) must be a string, not a number"),
        "{err}"
    );
    assert!(!err.contains("is empty"), "{err}");
}

#[test]
fn tencent_lists_tccli_credential_files_with_their_types() {
    let h = home("tccli");
    write_file(
        &h.join(".tccli/default.credential"),
        &format!(r#"{{"secretId": "AKIDt", "secretKey": "{SECRET}"}}"#),
    );
    write_file(&h.join(".tccli/ops.credential"), r#"{"type": "cvm-role"}"#);
    write_file(
        &h.join(".tccli/ops.configure"),
        r#"{"_sys_param": {"region": "ap-guangzhou"}}"#,
    );
    let o = credchain(
        &h,
        &["profiles", "--cloud", "tencent", "--format", "json"],
        &[("TCCLI_PROFILE", "ops")],
    );
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains(SECRET) && !text.contains("AKIDt"), "{text}");
    let v = json_of(&o);
    let files = v["files"].as_array().unwrap();
    let tccli: Vec<&Value> = files
        .iter()
        .filter(|f| f["path"].as_str().unwrap_or_default().contains(".tccli"))
        .collect();
    assert_eq!(tccli.len(), 2, "{v}");
    let profile = |f: &Value| f["profiles"][0].clone();
    assert_eq!(profile(tccli[0])["name"], "default", "{v}");
    assert_eq!(profile(tccli[0])["mode"], "keys", "{v}");
    assert_eq!(profile(tccli[0])["current"], false, "{v}");
    assert_eq!(profile(tccli[1])["name"], "ops", "{v}");
    assert_eq!(profile(tccli[1])["mode"], "cvm-role", "{v}");
    assert_eq!(profile(tccli[1])["current"], true, "{v}");
}
