//! The `external` credential process (real subprocesses on this machine and an injected runner),
//! and the config.json write-back under concurrency: 8 threads and 4 processes each updating its
//! own profile at once (no update lost), and writers killed midway.
//!
//! Child processes are this test executable re-run with `CREDCHAIN_ALIBABA_WRITER` set, which
//! switches the `writer_mode` test into a writer loop (it does nothing otherwise).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use credchain::alibaba::{
    self, CliProfileProvider, ExternalProvider, ProcessOutput, ProcessRunner,
};
use credchain::context::{Context, ManualClock, MemoryEnv, MemoryFs, OsFs};
use credchain::http::BoxFuture;
use credchain::{ErrorKind, ProvideCredentials};
use serde_json::{json, Value};

const WRITER_VAR: &str = "CREDCHAIN_ALIBABA_WRITER";

fn sh(script: &str) -> String {
    format!("sh -c '{script}'")
}

async fn run(cmd: &str) -> credchain::Result<credchain::Credentials> {
    ExternalProvider::builder()
        .process_command(cmd)
        .timeout(Duration::from_secs(10))
        .build(&Context::empty())?
        .provide_credentials()
        .await
}

#[tokio::test]
async fn real_processes_success_and_failures() {
    let ok = run(&sh(r#"printf "{\"mode\":\"StsToken\",\"access_key_id\":\"STS.ext\",\"access_key_secret\":\"extSecret1\",\"sts_token\":\"extToken1\",\"expiration\":\"2099-01-01T00:00:00Z\"}""#)).await.unwrap();
    assert_eq!(
        (ok.access_key_id(), ok.security_token(), ok.provider_name()),
        ("STS.ext", Some("extToken1"), "external")
    );
    assert!(ok.expiration().is_some());
    // stdout only: stderr noise does not disturb parsing.
    let ok = run(&sh(
        r#"echo noise >&2; printf "{\"access_key_id\":\"a\",\"access_key_secret\":\"b\"}""#,
    ))
    .await
    .unwrap();
    assert!(ok.security_token().is_none() && ok.expiration().is_none());

    let e = run(&sh("echo boom-on-stderr >&2; exit 3"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Process);
    assert!(e.message().contains("exit status 3"), "{e}");
    assert!(e.message().contains("stderr: boom-on-stderr"), "{e}");

    let e = run(&sh("echo not json")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert!(
        e.message()
            .contains("failed to parse external command output"),
        "{e}"
    );
    let e = run(&sh(r#"printf "{\"access_key_id\":\"a\"}""#))
        .await
        .unwrap_err();
    assert!(
        e.message()
            .contains("access_key_id or access_key_secret is empty"),
        "{e}"
    );
    let e = run(&sh(
        r#"printf "{\"mode\":\"StsToken\",\"access_key_id\":\"a\",\"access_key_secret\":\"b\"}""#,
    ))
    .await
    .unwrap_err();
    assert!(e.message().contains("sts_token is empty"), "{e}");

    let e = run("/nonexistent/credchain-helper --x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Process);
    assert!(
        e.message()
            .starts_with("failed to execute external command"),
        "{e}"
    );

    let e = ExternalProvider::builder()
        .process_command("  ")
        .build(&Context::empty())
        .unwrap_err();
    assert_eq!(e.message(), "process_command is empty");
}

#[tokio::test]
async fn timeout_kills_the_process() {
    let p = ExternalProvider::builder()
        .process_command("sleep 30")
        .timeout(Duration::from_millis(300))
        .build(&Context::empty())
        .unwrap();
    assert_eq!(
        ExternalProvider::builder()
            .process_command("x")
            .build(&Context::empty())
            .unwrap()
            .timeout(),
        Duration::from_secs(60)
    );
    let started = std::time::Instant::now();
    let e = p.provide_credentials().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(
        e.message(),
        "command process timed out after 300 milliseconds"
    );
}

/// A runner that counts runs and prints what the test says.
#[derive(Debug)]
struct Fake {
    runs: AtomicUsize,
    expiration: Option<String>,
}

impl ProcessRunner for Fake {
    fn run<'a>(
        &'a self,
        argv: &'a [String],
        _env: &'a [(String, String)],
        _t: Duration,
    ) -> BoxFuture<'a, io::Result<ProcessOutput>> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        assert_eq!(argv, ["my tool", "--arg", "x y"]);
        let mut v = json!({"access_key_id": format!("AK{n}"), "access_key_secret": "s"});
        if let Some(e) = &self.expiration {
            v["expiration"] = json!(e);
        }
        Box::pin(async move {
            Ok(ProcessOutput {
                success: true,
                code: Some(0),
                stdout: v.to_string().into_bytes(),
                stderr: vec![],
            })
        })
    }
}

#[tokio::test]
async fn caching_follows_the_reference() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000);
    let clock = ManualClock::new(start);
    let ctx = Context::empty().with_clock(clock.clone());
    let build = |exp: Option<&str>| {
        let fake = Arc::new(Fake {
            runs: AtomicUsize::new(0),
            expiration: exp.map(str::to_string),
        });
        let p = ExternalProvider::builder()
            .process_command(r#"'my tool' --arg "x y""#)
            .runner(fake.clone())
            .build(&ctx)
            .unwrap();
        (p, fake)
    };
    // No expiration: the command runs on every call.
    let (p, fake) = build(None);
    for i in 1..=3 {
        assert_eq!(
            p.provide_credentials().await.unwrap().access_key_id(),
            format!("AK{i}")
        );
    }
    assert_eq!(fake.runs.load(Ordering::SeqCst), 3);
    // With an expiration one hour ahead: cached until 180 s before it.
    let exp = credchain::time::format_rfc3339(start + Duration::from_secs(3600));
    let (p, fake) = build(Some(&exp));
    p.provide_credentials().await.unwrap();
    clock.advance(Duration::from_secs(3600 - 181));
    assert_eq!(
        p.provide_credentials().await.unwrap().access_key_id(),
        "AK1"
    );
    assert_eq!(fake.runs.load(Ordering::SeqCst), 1);
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        p.provide_credentials().await.unwrap().access_key_id(),
        "AK2"
    );
    assert_eq!(fake.runs.load(Ordering::SeqCst), 2);
    // force_refresh always runs.
    p.force_refresh().await.unwrap();
    assert_eq!(fake.runs.load(Ordering::SeqCst), 3);
}

// ---------------------------------------------------------------------------------------------
// Write-back on a real file.

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "credchain-alibaba-{tag}-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A config.json whose `current` is a ChainableRamRoleArn profile over an External profile, with
/// unknown keys everywhere (and a big padding key so writes take a while).
fn config_text(command: &str, padding: usize) -> String {
    json!({
        "current": "chain",
        "profiles": [
            {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "ext",
             "ram_role_arn": "acs:ram::1:role/x", "output_format": "json", "x_unknown_profile_key": [1, {"a": null}]},
            {"name": "ext", "mode": "External", "process_command": command,
             "language": "zh", "site": "china", "retry_count": 0, "sts_endpoint": "sts.example.com"},
        ],
        "meta_path": "",
        "x_unknown_root_key": {"keep": "me"},
        "padding": "p".repeat(padding),
    })
    .to_string()
}

fn check_file(path: &Path, padding: usize) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("broken config.json: {e}"));
    assert_eq!(v["x_unknown_root_key"], json!({"keep": "me"}));
    assert_eq!(v["meta_path"], "");
    assert_eq!(v["padding"].as_str().map(str::len), Some(padding));
    assert_eq!(
        v["profiles"][0]["x_unknown_profile_key"],
        json!([1, {"a": null}])
    );
    assert_eq!(v["profiles"][0]["output_format"], "json");
    assert_eq!(v["profiles"][1]["language"], "zh");
    assert_eq!(v["profiles"][1]["sts_endpoint"], "sts.example.com");
    v
}

const PID_COMMAND: &str =
    r#"sh -c 'printf "{\"access_key_id\":\"AK%s\",\"access_key_secret\":\"secret%s\"}" $$ $$'"#;

fn os_ctx(home: &Path) -> Context {
    Context::empty()
        .with_env(MemoryEnv::from_pairs([(
            "HOME",
            home.to_string_lossy().to_string(),
        )]))
        .with_fs(OsFs)
}

/// Refreshes the External profile through the `ext` profile directly, `rounds` times.
fn refresh_rounds(home: &Path, rounds: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let p = CliProfileProvider::builder()
        .profile("ext")
        .build(&os_ctx(home))
        .unwrap();
    rt.block_on(async {
        for _ in 0..rounds {
            p.provide_credentials().await.unwrap();
        }
    });
}

#[test]
fn write_back_goes_to_the_source_profile_and_makes_the_file_owner_only() {
    let home = temp_dir("wb");
    let cfg = home.join(".aliyun/config.json");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(&cfg, config_text(PID_COMMAND, 10)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // World-readable before: the written file holds secrets, so it becomes 0600.
        std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    refresh_rounds(&home, 1);
    let v = check_file(&cfg, 10);
    let ext = &v["profiles"][1];
    assert!(ext["access_key_id"].as_str().unwrap().starts_with("AK"));
    assert_eq!(ext["sts_token"], Value::Null);
    assert_eq!(ext["sts_expiration"], 0);
    assert!(
        v["profiles"][0].get("access_key_id").is_none(),
        "the chained profile is untouched"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The current profile chains a RAM role on top of the External one.
    let fs = MemoryFs::new().with_file("/h/.aliyun/config.json", config_text(PID_COMMAND, 1));
    let ctx = Context::empty()
        .with_env(MemoryEnv::from_pairs([("HOME", "/h")]))
        .with_fs(fs);
    let p = CliProfileProvider::builder().build(&ctx).unwrap();
    assert!(format!("{p:?}").contains("ram_role_arn"), "{p:?}");
    assert!(!format!("{p:?}").contains("printf"));
    std::fs::remove_dir_all(&home).unwrap();
}

/// Writes `rounds` updates into profile `w<writer>` only, checking before each one that the
/// profile still holds this writer's previous update: with a lost update (another writer
/// replacing the file from a copy read before that update) the check fails.
fn own_profile_rounds(path: &Path, writer: usize, rounds: u64) {
    let ctx = Context::empty().with_fs(OsFs);
    let name = format!("w{writer}");
    for n in 1..=rounds {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mine = v["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name.as_str())
            .unwrap();
        assert_eq!(
            mine["sts_expiration"],
            n - 1,
            "{name}: an update was lost before round {n}"
        );
        alibaba::write_back::update_profile_fields(
            &ctx,
            path,
            &name,
            "External",
            &[
                ("access_key_id", json!(format!("AK{writer}-{n}"))),
                ("sts_expiration", json!(n)),
            ],
        )
        .unwrap();
    }
}

/// 8 threads and 4 processes each own a profile of the same config.json and update it over
/// and over: every update of every writer survives (the lock serializes the
/// read-modify-write), and no temp or lock file is left.
#[test]
fn eight_threads_and_four_processes_each_updating_its_own_profile() {
    const ROUNDS: u64 = 40;
    const THREADS: usize = 8;
    const PROCESSES: usize = 4;
    let home = temp_dir("conc");
    let cfg = home.join(".aliyun/config.json");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    let mut v: Value = serde_json::from_str(&config_text(PID_COMMAND, 4096)).unwrap();
    let profiles = v["profiles"].as_array_mut().unwrap();
    for w in 0..THREADS + PROCESSES {
        profiles.push(json!({"name": format!("w{w}"), "mode": "External",
            "process_command": "true", "sts_expiration": 0, "x_keep": w}));
    }
    std::fs::write(&cfg, v.to_string()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (THREADS..THREADS + PROCESSES)
        .map(|w| {
            std::process::Command::new(&exe)
                .args(["--exact", "writer_mode", "--nocapture", "--test-threads=1"])
                .env(WRITER_VAR, format!("own:{w}:{ROUNDS}:{}", cfg.display()))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let threads: Vec<_> = (0..THREADS)
        .map(|w| {
            let cfg = cfg.clone();
            std::thread::spawn(move || own_profile_rounds(&cfg, w, ROUNDS))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a writer process failed");
    }
    let v = check_file(&cfg, 4096);
    for w in 0..THREADS + PROCESSES {
        let p = &v["profiles"][2 + w];
        assert_eq!(
            (p["access_key_id"].as_str(), p["sts_expiration"].as_u64()),
            (Some(format!("AK{w}-{ROUNDS}").as_str()), Some(ROUNDS)),
            "writer {w}"
        );
        assert_eq!(p["x_keep"], w);
    }
    // Neither temp files (they hold secrets) nor the lock file are left behind.
    let mut left: Vec<_> = std::fs::read_dir(cfg.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["config.json"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn a_writer_killed_midway_leaves_the_old_or_the_new_file() {
    const PADDING: usize = 512 * 1024;
    let home = temp_dir("kill");
    let cfg = home.join(".aliyun/config.json");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(&cfg, config_text("true", PADDING)).unwrap();
    let exe = std::env::current_exe().unwrap();
    for i in 0..12u64 {
        let mut child = std::process::Command::new(&exe)
            .args(["--exact", "writer_mode", "--nocapture", "--test-threads=1"])
            .env(WRITER_VAR, format!("forever:{}", cfg.display()))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 + (i * 17) % 90));
        child.kill().unwrap();
        child.wait().unwrap();
        check_file(&cfg, PADDING);
    }
    // The next write removes what the killed writers left: temp files holding secrets and the
    // lock file.
    alibaba::write_back::update_profile_fields(
        &Context::empty().with_fs(OsFs),
        &cfg,
        "chain",
        "External",
        &[("access_key_id", json!("AK-after"))],
    )
    .unwrap();
    let left: Vec<_> = std::fs::read_dir(cfg.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["config.json"]);
    std::fs::remove_dir_all(&home).unwrap();
}

/// Not a test of its own: the entry point of the writer processes above.
#[test]
fn writer_mode() {
    let Ok(spec) = std::env::var(WRITER_VAR) else {
        return;
    };
    if let Some(rest) = spec.strip_prefix("own:") {
        let mut parts = rest.splitn(3, ':');
        let (w, rounds, path) = (parts.next(), parts.next(), parts.next());
        own_profile_rounds(
            Path::new(path.unwrap()),
            w.unwrap().parse().unwrap(),
            rounds.unwrap().parse().unwrap(),
        );
    } else if let Some(path) = spec.strip_prefix("forever:") {
        let ctx = Context::empty().with_fs(OsFs);
        for n in 0u64.. {
            alibaba::write_back::update_profile_fields(
                &ctx,
                Path::new(path),
                "chain",
                "External",
                &[
                    ("access_key_id", json!(format!("AK{n}"))),
                    ("sts_expiration", json!(n)),
                ],
            )
            .unwrap();
        }
    }
}
