//! End-to-end tests of the on-disk credentials cache (`--cache`, `--cache-dir`,
//! `CREDCHAIN_CACHE_DIR`): the real binary with a cleared environment (PATH, a temporary HOME,
//! metadata probing off) against an in-process emulator that counts the credentials STS issues.

#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use credchain_emulator::routes::alibaba_sts::{
    ACCESS_KEY_ID, ACCESS_KEY_SECRET, ALIBABA_STS_ASSUME_ROLE,
};
use credchain_emulator::routes::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use credchain_emulator::routes::TENCENT_STS_ASSUME_ROLE;
use credchain_emulator::Emulator;
use serde_json::Value;

use common::{fresh_home, ok_json, run_in, stderr};

/// `get` of the `ops` profile as JSON, without the cache options.
const GET_OPS_JSON: [&str; 7] = [
    "get",
    "--cloud",
    "alibaba",
    "--profile",
    "ops",
    "--format",
    "json",
];

/// A fresh HOME with an Alibaba `ops` RamRoleArn profile and a Tencent `ops` role profile, both
/// signing with the emulator's long-term keys.
struct Home(PathBuf);

impl Home {
    fn new(test: &str) -> Home {
        let home = fresh_home(&format!("disk-cache-{test}"));
        std::fs::create_dir_all(home.join(".aliyun")).unwrap();
        std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
        let config = serde_json::json!({
            "current": "ops",
            "profiles": [{
                "name": "ops", "mode": "RamRoleArn",
                "access_key_id": ACCESS_KEY_ID, "access_key_secret": ACCESS_KEY_SECRET,
                "ram_role_arn": "acs:ram::1357924680:role/ops", "ram_session_name": "cache-test",
                "region_id": "cn-hangzhou"
            }]
        });
        write_private(
            &home.join(".aliyun/config.json"),
            config.to_string().as_bytes(),
        );
        let ini = format!(
            "[ops]\nsecret_id = {EMULATOR_SECRET_ID}\nsecret_key = {EMULATOR_SECRET_KEY}\n\
             role_arn = qcs::cam::uin/100000000001:roleName/ops\n"
        );
        write_private(&home.join(".tencentcloud/credentials"), ini.as_bytes());
        Home(home)
    }

    fn cache(&self) -> PathBuf {
        self.0.join("cache")
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        run_in(&self.0, args, env)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_private(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The cache files (not lock or temp files) in `dir`.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// `get --profile ops` of the cloud with the cache in `home.cache()`.
fn get_cached(home: &Home, cloud: &str, sts: &str, extra: &[&str]) -> Output {
    let dir = home.cache();
    let mut args = vec![
        "get",
        "--cloud",
        cloud,
        "--profile",
        "ops",
        "--cache-dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let var = if cloud == "alibaba" {
        "ALIBABA_CLOUD_STS_ENDPOINT"
    } else {
        "TENCENTCLOUD_STS_ENDPOINT"
    };
    home.run(&args, &[(var, sts)])
}

/// The JSON of a cached `get --format json` of the Alibaba `ops` profile.
fn alibaba_json(home: &Home, emu: &Emulator) -> Value {
    ok_json(&get_cached(
        home,
        "alibaba",
        &emu.base_url(),
        &["--format", "json"],
    ))
}

/// The one cache file after a first cached run.
fn only_entry(home: &Home) -> PathBuf {
    let files = entries(&home.cache());
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_cached_runs_call_sts_once_and_uncached_runs_every_time() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("once");
    let first = alibaba_json(&home, &emu);
    let second = alibaba_json(&home, &emu);
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 1);
    assert_eq!(
        first, second,
        "the second run answers the cached credentials"
    );
    assert!(first["expiration"].is_string() && first["security_token"].is_string());

    let dir = home.cache();
    assert_eq!(mode(&dir), 0o700);
    let file = only_entry(&home);
    assert_eq!(mode(&file), 0o600);
    let name = file.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("alibaba-") && name.ends_with(".json"),
        "{name}"
    );
    for secret in [
        ACCESS_KEY_SECRET,
        first["access_key_secret"].as_str().unwrap(),
    ] {
        assert!(!name.contains(secret));
    }

    let plain = GET_OPS_JSON;
    let sts = emu.base_url();
    for _ in 0..2 {
        ok_json(&home.run(&plain, &[("ALIBABA_CLOUD_STS_ENDPOINT", &sts)]));
    }
    assert_eq!(
        emu.issued_count(ALIBABA_STS_ASSUME_ROLE),
        3,
        "no --cache: STS each time"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn aliyun_external_and_exec_share_the_entry() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("external");
    let external = ok_json(&get_cached(
        &home,
        "alibaba",
        &emu.base_url(),
        &["--format", "aliyun-external"],
    ));
    assert_eq!(external["mode"], "StsToken");
    let again = ok_json(&get_cached(
        &home,
        "alibaba",
        &emu.base_url(),
        &["--format", "aliyun-external"],
    ));
    assert_eq!(external, again);
    let dir = home.cache();
    let o = home.run(
        &[
            "exec",
            "--cloud",
            "alibaba",
            "--profile",
            "ops",
            "--cache-dir",
            dir.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            "printf %s \"$ALIBABA_CLOUD_ACCESS_KEY_ID\"",
        ],
        &[("ALIBABA_CLOUD_STS_ENDPOINT", &emu.base_url())],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        external["access_key_id"].as_str().unwrap()
    );
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn whoami_call_and_presign_use_the_same_entry() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("others");
    let id = alibaba_json(&home, &emu)["access_key_id"].clone();
    let id = id.as_str().unwrap();
    let dir = home.cache();
    let dir = dir.to_str().unwrap();
    let url = emu.base_url();
    let env = [("ALIBABA_CLOUD_STS_ENDPOINT", url.as_str())];
    let cache = ["--profile", "ops", "--cache-dir", dir];
    let whoami = ["whoami", "--cloud", "alibaba", "--format", "json"];
    let who = ok_json(&home.run(&[&whoami[..], &cache].concat(), &env));
    assert_eq!(who["identity_type"], "AssumedRoleUser");
    let call = [
        "call",
        "alibaba",
        "--endpoint",
        &url,
        "--action",
        "DescribeRegions",
        "--version",
        "2014-05-26",
        "--dry-run",
    ];
    let o = home.run(&[&call[..], &cache].concat(), &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(id));
    let presign = [
        "presign",
        "alibaba",
        "--bucket",
        "b",
        "--key",
        "k",
        "--region",
        "cn-hangzhou",
    ];
    let o = home.run(&[&presign[..], &cache].concat(), &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(id));
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn tencent_role_profile_is_cached_and_the_env_variable_turns_the_cache_on() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("tencent");
    let dir = home.cache();
    let env = [
        ("TENCENTCLOUD_STS_ENDPOINT", emu.base_url()),
        ("CREDCHAIN_CACHE_DIR", dir.to_str().unwrap().to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args = [
        "get",
        "--cloud",
        "tencent",
        "--profile",
        "ops",
        "--format",
        "json",
    ];
    let first = ok_json(&home.run(&args, &env));
    let second = ok_json(&home.run(&args, &env));
    assert_eq!(first, second);
    assert_eq!(emu.issued_count(TENCENT_STS_ASSUME_ROLE), 1);
    let file = only_entry(&home);
    assert!(file.to_str().unwrap().contains("tencent-"), "{file:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_chain_and_a_config_file_without_session_name_are_cached() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("chain");
    let dir = home.cache();
    let url = emu.base_url();
    let env = [("ALIBABA_CLOUD_STS_ENDPOINT", url.as_str())];
    // The default chain: config.json's current profile `ops`.
    let chain = [
        "get",
        "--cloud",
        "alibaba",
        "--cache-dir",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ];
    let first = ok_json(&home.run(&chain, &env));
    assert_eq!(ok_json(&home.run(&chain, &env)), first);
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 1);
    // A config file whose role session name is generated from the clock on each run.
    let config = home.0.join("role.json");
    let json = serde_json::json!({
        "type": "ram_role_arn", "access_key_id": ACCESS_KEY_ID,
        "access_key_secret": ACCESS_KEY_SECRET, "role_arn": "acs:ram::1357924680:role/x",
    });
    write_private(&config, json.to_string().as_bytes());
    let file = [
        "get",
        "--cloud",
        "alibaba",
        "--config",
        config.to_str().unwrap(),
        "--cache-dir",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ];
    let first = ok_json(&home.run(&file, &env));
    std::thread::sleep(Duration::from_millis(1100)); // another second: another generated name
    assert_eq!(ok_json(&home.run(&file, &env)), first);
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 2);
    // Editing the file is another entry at once.
    let json = serde_json::json!({
        "type": "ram_role_arn", "access_key_id": ACCESS_KEY_ID,
        "access_key_secret": ACCESS_KEY_SECRET, "role_arn": "acs:ram::1357924680:role/y",
    });
    write_private(&config, json.to_string().as_bytes());
    let other = ok_json(&home.run(&file, &env));
    assert_ne!(other["access_key_id"], first["access_key_id"]);
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 3);
    assert_eq!(entries(&dir).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn default_directory_is_under_xdg_cache_home() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("xdg");
    let xdg = home.0.join("xdg");
    let args = [
        "get",
        "--cloud",
        "alibaba",
        "--profile",
        "ops",
        "--cache",
        "--format",
        "json",
    ];
    let env = [
        ("ALIBABA_CLOUD_STS_ENDPOINT", emu.base_url()),
        ("XDG_CACHE_HOME", xdg.to_str().unwrap().to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok_json(&home.run(&args, &env));
    ok_json(&home.run(&args, &env));
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 1);
    assert_eq!(entries(&xdg.join("credchain")).len(), 1);
    assert_eq!(mode(&xdg.join("credchain")), 0o700);
    // Without XDG_CACHE_HOME: ~/.cache/credchain.
    let url = emu.base_url();
    let env = [("ALIBABA_CLOUD_STS_ENDPOINT", url.as_str())];
    ok_json(&home.run(&args, &env));
    assert_eq!(entries(&home.0.join(".cache/credchain")).len(), 1);
}

#[test]
fn permanent_keys_are_never_written() {
    let home = Home::new("permanent");
    let dir = home.cache();
    let o = home.run(
        &[
            "get",
            "--cloud",
            "alibaba",
            "--cache-dir",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIpermanentkey"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "permanent-s3cr3t"),
        ],
    );
    assert_eq!(ok_json(&o)["access_key_id"], "LTAIpermanentkey");
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_runs_call_sts_once() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("concurrent");
    let url = emu.base_url();
    let outputs: Vec<Output> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| get_cached(&home, "alibaba", &url, &["--format", "json"])))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let ids: Vec<Value> = outputs
        .iter()
        .map(|o| ok_json(o)["access_key_id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 1);
    assert_eq!(entries(&home.cache()).len(), 1, "no lock or temp file left");
}

/// Rewrites the cached entry's times: fetched `ago` minutes ago, expiring `left` minutes from now.
fn set_times(file: &Path, ago: u64, left: u64) {
    let (ago, left) = (
        Duration::from_secs(ago * 60),
        Duration::from_secs(left * 60),
    );
    let mut v: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let now = SystemTime::now();
    let ts = |t: SystemTime| jiff::Timestamp::try_from(t).unwrap().to_string();
    v["fetched_at"] = ts(now - ago).into();
    v["expiration"] = ts(now + left).into();
    write_private(file, v.to_string().as_bytes());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_is_reused_before_its_prefetch_point_and_refetched_after() {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new("prefetch");
    let first = alibaba_json(&home, &emu);
    let file = only_entry(&home);
    // A one-hour credential fetched 40 minutes ago: 20 minutes left, before the 15-minute mark.
    set_times(&file, 40, 20);
    let second = alibaba_json(&home, &emu);
    assert_eq!(second["access_key_id"], first["access_key_id"]);
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 1);
    // 10 minutes left: past the prefetch point, fetched anew and rewritten.
    set_times(&file, 50, 10);
    let third = alibaba_json(&home, &emu);
    assert_ne!(third["access_key_id"], first["access_key_id"]);
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 2);
    let stored: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(stored["access_key_id"], third["access_key_id"]);
    // Expired: never used.
    set_times(&file, 120, 0);
    let fourth = alibaba_json(&home, &emu);
    assert_ne!(fourth["access_key_id"], third["access_key_id"]);
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 3);
}

/// After a first cached run, `spoil` breaks the entry; the next run must warn (naming the file
/// and `why`, quoting nothing), call STS again and leave a good 0600 entry.
async fn broken_entry_is_replaced(test: &str, why: &str, spoil: impl FnOnce(&Path)) {
    let emu = Emulator::start().await.unwrap();
    let home = Home::new(test);
    alibaba_json(&home, &emu);
    let file = only_entry(&home);
    spoil(&file);
    let o = get_cached(&home, "alibaba", &emu.base_url(), &["--format", "json"]);
    let fresh = ok_json(&o);
    let err = stderr(&o);
    assert!(
        err.contains("warning") && err.contains(file.to_str().unwrap()),
        "{err}"
    );
    assert!(err.contains(why), "{why}: {err}");
    assert!(
        !err.contains("CONTENT-MARKER") && !err.contains(ACCESS_KEY_SECRET),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(emu.issued_count(ALIBABA_STS_ASSUME_ROLE), 2);
    assert!(!std::fs::symlink_metadata(&file)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode(&file), 0o600);
    let stored: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(stored["access_key_id"], fresh["access_key_id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn corrupt_json_is_replaced() {
    broken_entry_is_replaced("corrupt", "not a valid cache entry", |f| {
        write_private(f, b"{\"access_key_secret\": \"CONTENT-MARKER\", ");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_types_are_replaced() {
    broken_entry_is_replaced("types", "not a valid cache entry", |f| {
        write_private(
            f,
            br#"{"version": 1, "cloud": "alibaba", "access_key_id": ["CONTENT-MARKER"]}"#,
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn binary_is_replaced() {
    broken_entry_is_replaced("binary", "not a valid cache entry", |f| {
        write_private(f, &[0u8, 0xff, 0xfe, b'C', 0x80, 0x01]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_file_is_replaced() {
    broken_entry_is_replaced("huge", "larger than 65536 bytes", |f| {
        write_private(f, &vec![b' '; 1 << 20]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_other_users_may_read_is_replaced() {
    broken_entry_is_replaced("mode", "other users may access it (mode 0644", |f| {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_of_another_user_is_replaced() {
    // Only root can give a file away; as anyone else, this case cannot be set up.
    let probe =
        std::env::temp_dir().join(format!("credchain-disk-cache-chown-{}", std::process::id()));
    std::fs::write(&probe, b"").unwrap();
    let can_chown = std::os::unix::fs::chown(&probe, Some(1), None).is_ok();
    let _ = std::fs::remove_file(&probe);
    if !can_chown {
        return;
    }
    broken_entry_is_replaced("owner", "belongs to another user (uid 1)", |f| {
        std::os::unix::fs::chown(f, Some(1), None).unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_symlink_is_not_followed() {
    let outside = std::env::temp_dir().join(format!(
        "credchain-disk-cache-outside-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&outside).unwrap();
    let target = outside.join("entry.json");
    let mut before = Vec::new();
    broken_entry_is_replaced("symlink", "symbolic link (not followed)", |f| {
        // The link points to a valid entry: still not used, and the target is left alone.
        std::fs::rename(f, &target).unwrap();
        before = std::fs::read(&target).unwrap();
        std::os::unix::fs::symlink(&target, f).unwrap();
    })
    .await;
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "the target is untouched"
    );
    assert_eq!(
        entries(&outside),
        [target],
        "nothing written next to the target"
    );
    let _ = std::fs::remove_dir_all(&outside);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fifo_does_not_hang() {
    broken_entry_is_replaced("fifo", "not a regular file", |f| {
        std::fs::remove_file(f).unwrap();
        let ok = Command::new("mkfifo").arg(f).status().unwrap().success();
        assert!(ok, "mkfifo");
    })
    .await;
}

fn assert_setting_error(o: &Output, setting: &str, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(setting) && err.contains(what),
        "{setting} / {what}: {err}"
    );
}

#[test]
fn invalid_settings_are_errors_naming_them() {
    let home = Home::new("settings");
    let get = GET_OPS_JSON;
    let o = home.run(&get, &[("CREDCHAIN_CACHE_DIR", "")]);
    assert_setting_error(&o, "CREDCHAIN_CACHE_DIR", "empty");
    let o = home.run(&get, &[("CREDCHAIN_CACHE_DIR", "relative/dir")]);
    assert_setting_error(&o, "CREDCHAIN_CACHE_DIR", "relative");
    let o = home.run(
        &[&get[..], &["--cache"]].concat(),
        &[("XDG_CACHE_HOME", "rel")],
    );
    assert_setting_error(&o, "XDG_CACHE_HOME", "relative");

    let a_file = home.0.join(".aliyun/config.json");
    let o = home.run(
        &[&get[..], &["--cache-dir", a_file.to_str().unwrap()]].concat(),
        &[],
    );
    assert_setting_error(&o, "--cache-dir", "not a directory");
    // clap refuses the empty value itself (usage error, exit 2).
    let o = home.run(&[&get[..], &["--cache-dir", ""]].concat(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--cache-dir"), "{}", stderr(&o));

    let open = home.0.join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = home.run(
        &[&get[..], &["--cache-dir", open.to_str().unwrap()]].concat(),
        &[],
    );
    assert_setting_error(&o, "--cache-dir", "open to other users (mode 0755)");

    let read_only = home.0.join("read-only");
    std::fs::create_dir(&read_only).unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o500)).unwrap();
    let env = [("CREDCHAIN_CACHE_DIR", read_only.to_str().unwrap())];
    let o = home.run(&get, &env);
    // Root may write anywhere; the check only means something for other users.
    if std::fs::write(read_only.join("probe"), b"").is_err() {
        assert_setting_error(&o, "CREDCHAIN_CACHE_DIR", "cannot be written");
    }
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o700)).unwrap();
}
