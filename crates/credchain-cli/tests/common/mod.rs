//! What the CLI's end-to-end tests share (each test file says `mod common;`): the real binary in a
//! cleared environment, an in-process emulator on loopback, a guard that kills a child process,
//! bounded waits, and output readers. Each test binary uses only some of these, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use credchain_emulator::Emulator;
use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_credchain");

/// `credchain-<name>-<pid>` under the temporary directory, created if missing. The tests of one
/// binary that pass the same name share it.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("credchain-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Like [`scratch`], but emptied first: a HOME of one test's own, with no file of an earlier run.
pub fn fresh_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("credchain-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The whole environment of a run: PATH, HOME and both clouds' metadata probing disabled, so the
/// developer's own credentials are never read and no metadata address is ever reached.
pub fn clean_env(home: &Path) -> Vec<(&'static str, OsString)> {
    vec![
        ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ("HOME", home.into()),
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true".into()),
        ("TENCENTCLOUD_METADATA_DISABLED", "true".into()),
    ]
}

/// The binary with nothing but [`clean_env`] in its environment.
pub fn credchain_in(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear().envs(clean_env(home));
    cmd
}

/// Runs the binary with `args`, [`clean_env`] and `env` on top of it.
pub fn run_in(home: &Path, args: &[impl AsRef<OsStr>], env: &[(&str, &str)]) -> Output {
    output(credchain_in(home).args(args).envs(env.iter().copied()))
}

/// Runs `cmd` to the end.
pub fn output(cmd: &mut Command) -> Output {
    cmd.output().expect("credchain runs")
}

/// Runs `cmd` in its own process group and kills the whole group (and fails) if it is still
/// running after 60 s: a run that hangs on a file or recurses into itself fails instead of
/// stalling the suite.
pub fn output_within_a_minute(cmd: &mut Command) -> Output {
    use std::process::Stdio;
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd.spawn().expect("credchain runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-9", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            let args: Vec<_> = cmd.get_args().collect();
            panic!("credchain {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON on standard output of a run that must have succeeded.
pub fn ok_json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        stdout(o),
        stderr(o)
    );
    serde_json::from_str(stdout(o).trim()).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// The JSON on standard output, whatever the exit status.
pub fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} / {}", stdout(o), stderr(o)))
}

/// Writes `text` to `path`, creating its folders.
pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `call alibaba` of ECS DescribeRegions (an API the emulator answers) at `endpoint`, in
/// `style`, then `extra`.
pub fn alibaba_call<'a>(endpoint: &'a str, style: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "call",
        "alibaba",
        "--endpoint",
        endpoint,
        "--action",
        "DescribeRegions",
        "--version",
        "2014-05-26",
        "--style",
        style,
    ];
    a.extend_from_slice(extra);
    a
}

/// `call tencent` of CVM DescribeInstances (an API the emulator answers) at `endpoint`, then
/// `extra`.
pub fn tencent_call<'a>(endpoint: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "call",
        "tencent",
        "--endpoint",
        endpoint,
        "--service",
        "cvm",
        "--region",
        "ap-guangzhou",
        "--action",
        "DescribeInstances",
        "--version",
        "2017-03-12",
    ];
    a.extend_from_slice(extra);
    a
}

/// A child process that is killed and reaped when dropped (also when a test fails).
pub struct Guard(pub Child);

impl Guard {
    /// Sends the signal named `name` (`TERM`, `INT`, ...) with `kill`.
    pub fn signal(&self, name: &str) {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{name} {pid}");
    }

    /// Waits for the child to exit; fails naming `what` if it has not within `limit` (a hang
    /// guard, not a timing assertion).
    pub fn wait_exit(&mut self, limit: Duration, what: &str) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(s) = self.0.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "{what} did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the child and waits for it.
    pub fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// The rest of the child's (piped) standard error.
    pub fn read_stderr(&mut self) -> String {
        let mut err = String::new();
        let _ = self.0.stderr.as_mut().unwrap().read_to_string(&mut err);
        err
    }

    /// The lines of the child's (piped) standard output, read on a thread of their own so the
    /// test can wait for one with a timeout.
    pub fn stdout_lines(&mut self) -> mpsc::Receiver<String> {
        let stdout = self.0.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        rx
    }

    /// The URL of the export line a starting `credchain serve` prints; `None` when it printed
    /// none within `limit`.
    pub fn served_url(&mut self, limit: Duration) -> Option<String> {
        let line = self.stdout_lines().recv_timeout(limit).ok()?;
        let url = line
            .split_once('=')
            .map(|(_, u)| u.to_string())
            .unwrap_or_else(|| panic!("not an export line: {line}"));
        Some(url)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An emulator on its own runtime, alive for the whole test (for tests that are not async).
pub struct Emu {
    emu: Option<Emulator>,
    rt: tokio::runtime::Runtime,
}

impl Emu {
    /// Starts the emulator on a loopback port.
    pub fn start() -> Emu {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt.block_on(Emulator::start()).unwrap();
        Emu { emu: Some(emu), rt }
    }

    /// The emulator itself (its keys, counters and faults).
    pub fn emu(&self) -> &Emulator {
        self.emu.as_ref().unwrap()
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.emu().base_url()
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(e) = self.emu.take() {
            self.rt.block_on(e.shutdown());
        }
    }
}

/// One HTTP/1.1 exchange over a plain socket (no client library, no proxy); the whole answer,
/// head and body.
pub fn http_exchange(addr: &str, method: &str, target: &str, body: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}
