//! The external-process source (`external`, aliyun-cli mode `External`,
//! `docs/sources/alibaba.md#external-process`).
//!
//! - `process_command` is split into a program and its arguments the way the Go and Java
//!   references do it ([`split_command`]): no shell is involved. On Unix, POSIX-like rules:
//!   whitespace separates words; `'...'` is literal; in `"..."` a backslash escapes `"`, `\`, `$`,
//!   `` ` `` and a newline; outside quotes a backslash escapes any character; backslash-newline is a
//!   line continuation (removed) outside and inside double quotes; `""` / `''` are empty words;
//!   adjacent quoted and unquoted segments form one word. On Windows a backslash is literal except
//!   `\"` inside double quotes ([`split_command_windows`]). An empty or all-whitespace command, a
//!   command whose program is empty (`""`), an unclosed quote or a trailing backslash are errors
//!   when the provider is built.
//! - The child inherits the environment, gets no stdin, and must finish within the timeout
//!   (default 60 s, [`ExternalProviderBuilder::timeout`]); on timeout it is killed:
//!   `command process timed out after <ms> milliseconds`. A non-zero exit is an error that includes
//!   the child's stderr as one bounded line ("failed to execute external command: exit status N; stderr: ...",
//!   the reference puts stderr on a new line, unbounded).
//! - Only stdout is parsed ([`parse_process_output`]): a JSON object with `mode`, `access_key_id`,
//!   `access_key_secret`, `sts_token`, `expiration` (`YYYY-MM-DDThh:mm:ssZ`, optional).
//! - Caching as the Python reference: without an expiration the command runs on every call; with
//!   one the credentials are reused until 180 s before it. Concurrent callers share one run. A
//!   failed run is an error (nothing stale is served).
//! - Process execution goes through a [`ProcessRunner`] ([`OsProcessRunner`] by default), so tests
//!   can inject one.
//! - After every successful run an optional callback receives the credentials; the `cli_profile`
//!   source uses it to write them back into `config.json` (`docs/sources/alibaba.md#write-back`).
//! - Provider name `external`. The command line is never shown (it may hold secrets): `Debug` and
//!   errors name the program only.
//! - Re-entry: the child gets `CREDCHAIN_EXTERNAL_PROFILES`, the JSON list of the `External`
//!   profiles running above it plus this one ([`ExternalProviderBuilder::profile`]; the program
//!   name when no profile is given). A source whose profile is already in the list fails at once,
//!   without running anything: its command is resolving credentials through itself (typically
//!   aliyun-cli's `External` mode pointing at `credchain get --format aliyun-external` while that
//!   profile is `current`), which would otherwise start processes without end. The safe setup is
//!   to give the command an explicit profile that is not `External`:
//!   `credchain get --cloud alibaba --profile <source profile> --format aliyun-external`. Nesting
//!   deeper than [`MAX_EXTERNAL_NESTING`] distinct profiles is refused too (an indirect loop).
//!   An unreadable list is an error.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::cli_profile::{sts_fields, CliProfile};

use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::BoxFuture;
use crate::provider::{ProvideCredentials, ProvideFuture};

const NAME: &str = "external";

/// Default time limit of one run.
pub const DEFAULT_EXTERNAL_TIMEOUT: Duration = Duration::from_secs(60);
/// Credentials with an expiration are reused until this long before it.
pub const EXTERNAL_REFRESH_MARGIN: Duration = Duration::from_secs(180);
/// Most `External` profiles that may run inside one another (a loop through several profiles
/// stops here).
pub const MAX_EXTERNAL_NESTING: usize = 4;
/// Largest stdout (and stderr) read from the process: 1 MiB.
pub const MAX_PROCESS_OUTPUT: usize = 1024 * 1024;

/// Splits a command line with the rules of this platform ([`split_command_unix`] or
/// [`split_command_windows`]).
pub fn split_command(command: &str) -> std::result::Result<Vec<String>, String> {
    if cfg!(windows) {
        split_command_windows(command)
    } else {
        split_command_unix(command)
    }
}

fn finish(words: Vec<String>) -> std::result::Result<Vec<String>, String> {
    match words.first() {
        None => Err("process_command is empty".into()),
        Some(p) if p.is_empty() => {
            Err("process_command is empty (the program name is empty)".into())
        }
        Some(_) => Ok(words),
    }
}

/// Splits a command line with POSIX-like rules (see the module docs).
///
/// ```
/// use credchain::alibaba::split_command_unix as split;
/// assert_eq!(split(r#"my-tool --profile "a b" 'c d' e\ f"#).unwrap(), ["my-tool", "--profile", "a b", "c d", "e f"]);
/// assert!(split("  \t ").is_err());
/// assert!(split("tool 'open").is_err());
/// ```
pub fn split_command_unix(command: &str) -> std::result::Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\\' => match chars.next() {
                None => return Err("process_command ends with a backslash".into()),
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(n) => {
                    cur.push(n);
                    in_word = true;
                }
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err("process_command has an unclosed single quote".into()),
                        Some('\'') => break,
                        Some(n) => cur.push(n),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err("process_command has an unclosed double quote".into()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            None => {
                                return Err("process_command has an unclosed double quote".into())
                            }
                            Some('\n') => {}
                            Some('\r') if chars.peek() == Some(&'\n') => {
                                chars.next();
                            }
                            Some(n @ ('"' | '\\' | '$' | '`')) => cur.push(n),
                            Some(n) => {
                                cur.push('\\');
                                cur.push(n);
                            }
                        },
                        Some(n) => cur.push(n),
                    }
                }
            }
            other => {
                cur.push(other);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    finish(words)
}

/// Splits a command line with the Windows rules of the Go reference: quotes group words, a
/// backslash is literal except `\"` inside double quotes.
///
/// ```
/// use credchain::alibaba::split_command_windows as split;
/// assert_eq!(split(r#""C:\Program Files\tool.exe" --x C:\a\b"#).unwrap(), [r"C:\Program Files\tool.exe", "--x", r"C:\a\b"]);
/// ```
pub fn split_command_windows(command: &str) -> std::result::Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err("process_command has an unclosed single quote".into()),
                        Some('\'') => break,
                        Some(n) => cur.push(n),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err("process_command has an unclosed double quote".into()),
                        Some('"') => break,
                        Some('\\') if chars.peek() == Some(&'"') => {
                            chars.next();
                            cur.push('"');
                        }
                        Some(n) => cur.push(n),
                    }
                }
            }
            other => {
                cur.push(other);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    finish(words)
}

/// What the process printed, parsed: the credentials and the declared mode.
///
/// ```
/// let out = br#"{"mode":"StsToken","access_key_id":"STS.a","access_key_secret":"s","sts_token":"t","expiration":"2030-01-01T00:00:00Z"}"#;
/// let c = credchain::alibaba::parse_process_output(out).unwrap();
/// assert_eq!((c.access_key_id(), c.security_token(), c.provider_name()), ("STS.a", Some("t"), "external"));
/// assert!(credchain::alibaba::parse_process_output(br#"{"mode":"StsToken","access_key_id":"a","access_key_secret":"s"}"#).is_err());
/// ```
pub fn parse_process_output(stdout: &[u8]) -> Result<Credentials> {
    let invalid = |m: String| Error::new(ErrorKind::InvalidResponse, m).with_provider(NAME);
    let v: Value = serde_json::from_slice(stdout).map_err(|e| {
        // Category, line and column only: the output holds secrets.
        invalid(format!(
            "failed to parse external command output: {}",
            crate::redact::json_error(&e)
        ))
    })?;
    let Some(obj) = v.as_object() else {
        return Err(invalid(
            "failed to parse external command output: not a JSON object".into(),
        ));
    };
    let s = |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let (Some(id), Some(secret)) = (s("access_key_id"), s("access_key_secret")) else {
        return Err(invalid(
            "invalid credential response: access_key_id or access_key_secret is empty".into(),
        ));
    };
    let token = s("sts_token");
    if obj.get("mode").and_then(Value::as_str) == Some("StsToken") && token.is_none() {
        return Err(invalid(
            "invalid StsToken credential response: sts_token is empty".into(),
        ));
    }
    let expiration = match obj.get("expiration") {
        None | Some(Value::Null) => None,
        Some(Value::String(e)) if e.is_empty() => None,
        Some(Value::String(e)) => Some(crate::time::parse_rfc3339(e).ok_or_else(|| {
            invalid(
                "invalid expiration in the external command output: expected YYYY-MM-DDThh:mm:ssZ"
                    .into(),
            )
        })?),
        Some(_) => {
            return Err(invalid(
                "invalid expiration in the external command output: not a string".into(),
            ))
        }
    };
    super::key_check::check_keys(id, secret, token).map_err(|e| e.with_provider(NAME))?;
    Ok(Credentials::builder(id, secret)
        .security_token_opt(token)
        .expiration_opt(expiration)
        .provider_name(NAME)
        .build())
}

/// The result of one process run.
#[derive(Clone, Default)]
pub struct ProcessOutput {
    /// Whether the process exited with status 0.
    pub success: bool,
    /// The exit code, when the process exited (not killed by a signal).
    pub code: Option<i32>,
    /// Standard output (at most 1 MiB).
    pub stdout: Vec<u8>,
    /// Standard error (at most 1 MiB).
    pub stderr: Vec<u8>,
}

impl fmt::Debug for ProcessOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // stdout carries the credentials: sizes only.
        f.debug_struct("ProcessOutput")
            .field("success", &self.success)
            .field("code", &self.code)
            .field("stdout_len", &self.stdout.len())
            .field("stderr_len", &self.stderr.len())
            .finish()
    }
}

/// Runs a program. Injected into [`ExternalProvider`] so tests can replace real processes.
pub trait ProcessRunner: Send + Sync + fmt::Debug {
    /// Runs `argv[0]` with `argv[1..]` and the variables `env` added to the inherited
    /// environment, killing it after `timeout`, which is then reported as an error of kind
    /// [`io::ErrorKind::TimedOut`].
    fn run<'a>(
        &'a self,
        argv: &'a [String],
        env: &'a [(String, String)],
        timeout: Duration,
    ) -> BoxFuture<'a, io::Result<ProcessOutput>>;
}

/// Runs real processes (`tokio::process`), without a shell.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsProcessRunner;

async fn read_limited<R: tokio::io::AsyncRead + Unpin>(r: Option<R>) -> io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    if let Some(r) = r {
        r.take(MAX_PROCESS_OUTPUT as u64 + 1)
            .read_to_end(&mut buf)
            .await?;
    }
    Ok(buf)
}

impl ProcessRunner for OsProcessRunner {
    fn run<'a>(
        &'a self,
        argv: &'a [String],
        env: &'a [(String, String)],
        timeout: Duration,
    ) -> BoxFuture<'a, io::Result<ProcessOutput>> {
        Box::pin(async move {
            let Some((program, args)) = argv.split_first() else {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty command"));
            };
            let mut child = tokio::process::Command::new(program)
                .args(args)
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()?;
            let stdout = child.stdout.take();
            let stderr = child.stderr.take();
            let run = async {
                let (out, err, status) =
                    tokio::join!(read_limited(stdout), read_limited(stderr), child.wait());
                Ok::<_, io::Error>((out?, err?, status?))
            };
            match tokio::time::timeout(timeout, run).await {
                Ok(Ok((stdout, stderr, status))) => {
                    if stdout.len() > MAX_PROCESS_OUTPUT {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("the command printed more than {MAX_PROCESS_OUTPUT} bytes"),
                        ));
                    }
                    Ok(ProcessOutput {
                        success: status.success(),
                        code: status.code(),
                        stdout,
                        stderr,
                    })
                }
                Ok(Err(e)) => Err(e),
                Err(_) => {
                    let _ = child.start_kill();
                    let _ = child.wait().await;
                    Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
                }
            }
        })
    }
}

/// Called with the credentials of every successful run (config.json write-back).
pub type ExternalUpdateCallback = Arc<dyn Fn(&Credentials) + Send + Sync>;

/// Builds an [`ExternalProvider`].
#[derive(Default, Clone)]
pub struct ExternalProviderBuilder {
    process_command: Option<String>,
    profile: Option<String>,
    timeout: Option<Duration>,
    runner: Option<Arc<dyn ProcessRunner>>,
    on_refresh: Option<ExternalUpdateCallback>,
}

impl fmt::Debug for ExternalProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalProviderBuilder")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ExternalProviderBuilder {
    /// The command line (`process_command`).
    pub fn process_command(mut self, c: impl Into<String>) -> Self {
        self.process_command = Some(c.into());
        self
    }
    /// The profile this command belongs to (e.g. `'ext' in /home/u/.aliyun/config.json`): named
    /// in errors, and the key of re-entry detection (default: the program name).
    pub fn profile(mut self, p: impl Into<String>) -> Self {
        self.profile = Some(p.into());
        self
    }
    /// The time limit of one run (default 60 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }
    /// The process runner (default [`OsProcessRunner`]).
    pub fn runner(mut self, r: Arc<dyn ProcessRunner>) -> Self {
        self.runner = Some(r);
        self
    }
    /// A callback receiving the credentials of every successful run.
    pub fn on_refresh(mut self, f: ExternalUpdateCallback) -> Self {
        self.on_refresh = Some(f);
        self
    }
    /// Splits the command and builds the provider.
    pub fn build(self, ctx: &Context) -> Result<ExternalProvider> {
        let command = self.process_command.unwrap_or_default();
        let argv = split_command(&command).map_err(|m| {
            Error::invalid_config(m)
                .with_provider(NAME)
                .with_hint("set process_command to a program and its arguments")
        })?;
        let profile = self.profile.unwrap_or_else(|| argv[0].clone());
        Ok(ExternalProvider {
            ctx: ctx.clone(),
            argv,
            profile,
            timeout: self
                .timeout
                .filter(|t| !t.is_zero())
                .unwrap_or(DEFAULT_EXTERNAL_TIMEOUT),
            runner: self.runner.unwrap_or_else(|| Arc::new(OsProcessRunner)),
            on_refresh: self.on_refresh,
            cached: tokio::sync::Mutex::new(None),
        })
    }
}

/// Credentials printed by an external process (`external`).
pub struct ExternalProvider {
    ctx: Context,
    argv: Vec<String>,
    /// The re-entry key (see the module docs).
    profile: String,
    timeout: Duration,
    runner: Arc<dyn ProcessRunner>,
    on_refresh: Option<ExternalUpdateCallback>,
    /// Credentials with an expiration, reused until [`EXTERNAL_REFRESH_MARGIN`] before it. The
    /// lock is held while the process runs, so concurrent callers share one run.
    cached: tokio::sync::Mutex<Option<Credentials>>,
}

impl fmt::Debug for ExternalProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalProvider")
            .field("program", &self.program())
            .field("args", &self.argv.len().saturating_sub(1))
            .field("timeout", &self.timeout)
            .field("runner", &self.runner)
            .finish()
    }
}

impl ExternalProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> ExternalProviderBuilder {
        ExternalProviderBuilder::default()
    }
    /// Mode `External` of a `config.json` profile: `process_command`; the credentials of every
    /// run are written back into the profile. Refused when external sources are disabled.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        p.allow_external_process()?;
        let write = p.write_back("External");
        Self::builder()
            .process_command(p.string("process_command").unwrap_or_default())
            .profile(format!("'{}' in {}", p.name(), p.path().display()))
            .on_refresh(Arc::new(move |c| write(sts_fields(c))))
            .build(p.ctx())
            .map_err(|e| p.at_file(e))
    }

    /// The program that is run.
    pub fn program(&self) -> &str {
        self.argv.first().map(String::as_str).unwrap_or_default()
    }
    /// The split command line (it may contain secrets: do not log it).
    pub fn argv(&self) -> &[String] {
        &self.argv
    }
    /// The time limit of one run.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The variables for the child: the profiles running above it plus this one. An error when
    /// this profile is already among them (re-entry) or the nesting is too deep.
    fn child_env(&self) -> Result<Vec<(String, String)>> {
        let var = super::env_vars::EXTERNAL_PROFILES;
        let above: Vec<String> = match self.ctx.env_non_empty(var)? {
            None => Vec::new(),
            Some(v) => serde_json::from_str(&v).map_err(|_| {
                Error::invalid_config(format!("{var} is not a JSON list of strings")).with_hint(
                    format!("credchain sets {var} for the commands of External profiles; unset it"),
                )
            })?,
        };
        if above.contains(&self.profile) {
            return Err(Error::invalid_config(format!(
                // The fix comes before the path: a parent credchain quotes this error from the
                // child's stderr, bounded to a short excerpt.
                "the External profile would run its own command again (give its command an \
                 explicit --profile of a non-External profile): {}; its command resolves \
                 credentials through this same profile, which would start processes without end",
                self.profile
            ))
            .with_hint(
                "give the command an explicit profile that is not External, e.g. \
                 process_command = \"credchain get --cloud alibaba --profile <AK or RamRoleArn \
                 profile> --format aliyun-external\", and do not make it select this profile",
            ));
        }
        if above.len() >= MAX_EXTERNAL_NESTING {
            return Err(Error::invalid_config(format!(
                "External profiles are nested {} deep ({} ran inside {}): refusing to go deeper",
                above.len() + 1,
                self.profile,
                above.join(" inside ")
            ))
            .with_hint("point each External command at a profile that is not External"));
        }
        let mut list = above;
        list.push(self.profile.clone());
        let value = serde_json::to_string(&list).unwrap_or_default();
        Ok(vec![(var.to_string(), value)])
    }

    async fn run_once(&self) -> Result<Credentials> {
        let env = self.child_env().map_err(|e| e.with_provider(NAME))?;
        let out = self
            .runner
            .run(&self.argv, &env, self.timeout)
            .await
            .map_err(|e| {
                if e.kind() == io::ErrorKind::TimedOut {
                    Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "command process timed out after {} milliseconds",
                            self.timeout.as_millis()
                        ),
                    )
                    .with_provider(NAME)
                    .with_hint(format!("the program is {}", self.program()))
                } else {
                    Error::new(
                        ErrorKind::Process,
                        format!("failed to execute external command: {e}"),
                    )
                    .with_provider(NAME)
                    .with_hint(format!("check that {} can be run", self.program()))
                }
            })?;
        if !out.success {
            let status = match out.code {
                Some(c) => format!("exit status {c}"),
                None => "killed by a signal".to_string(),
            };
            // One bounded line: stderr is outside text of any size and may span many lines.
            let stderr = crate::redact::excerpt_bytes(out.stderr.trim_ascii());
            return Err(Error::new(
                ErrorKind::Process,
                format!("failed to execute external command: {status}; stderr: {stderr}"),
            )
            .with_provider(NAME));
        }
        let c = parse_process_output(&out.stdout)
            .map_err(|e| e.with_hint(format!("the program is {}", self.program())))?;
        if let Some(exp) = c.expiration() {
            if exp <= self.ctx.now() {
                return Err(Error::new(
                    ErrorKind::Expired,
                    format!(
                        "the external command returned credentials that expired at {}",
                        crate::time::format_rfc3339(exp)
                    ),
                )
                .with_provider(NAME));
            }
        }
        if let Some(cb) = &self.on_refresh {
            let (cb, c2) = (cb.clone(), c.clone());
            // Blocking file I/O (lock, fsync, rename), started now: it completes even if the
            // caller gives up.
            super::write_back::start_blocking("external credential update", move || cb(&c2)).await;
        }
        Ok(c)
    }

    async fn provide(&self, force: bool) -> Result<Credentials> {
        let mut cached = self.cached.lock().await;
        if !force {
            if let Some(c) = cached.as_ref() {
                let fresh = c
                    .expiration()
                    .and_then(|e| e.checked_sub(EXTERNAL_REFRESH_MARGIN))
                    .is_some_and(|stale| self.ctx.now() < stale);
                if fresh {
                    return Ok(c.clone());
                }
            }
        }
        let c = self.run_once().await?;
        *cached = c.expiration().map(|_| c.clone());
        Ok(c)
    }
}

impl ProvideCredentials for ExternalProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.provide(false))
    }
    fn name(&self) -> &str {
        NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.provide(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the child environment it was given; prints fixed AK credentials.
    #[derive(Debug, Default)]
    struct Recorder(std::sync::Mutex<Vec<Vec<(String, String)>>>);

    impl ProcessRunner for Recorder {
        fn run<'a>(
            &'a self,
            _argv: &'a [String],
            env: &'a [(String, String)],
            _timeout: Duration,
        ) -> BoxFuture<'a, io::Result<ProcessOutput>> {
            self.0.lock().unwrap().push(env.to_vec());
            Box::pin(async {
                Ok(ProcessOutput {
                    success: true,
                    code: Some(0),
                    stdout: br#"{"mode":"AK","access_key_id":"LTAIx","access_key_secret":"s"}"#
                        .to_vec(),
                    stderr: vec![],
                })
            })
        }
    }

    fn provider(marker: Option<&str>, runner: Arc<Recorder>) -> ExternalProvider {
        let mut env = crate::context::MemoryEnv::new();
        if let Some(m) = marker {
            env.set(super::super::env_vars::EXTERNAL_PROFILES, m);
        }
        ExternalProvider::builder()
            .process_command("tool get")
            .profile("'ext' in /h/.aliyun/config.json")
            .runner(runner)
            .build(&Context::empty().with_env(env))
            .unwrap()
    }

    #[tokio::test]
    async fn the_child_learns_which_profiles_run_above_it() {
        let runner = Arc::new(Recorder::default());
        let p = provider(Some(r#"["'outer' in /x"]"#), runner.clone());
        p.provide_credentials().await.unwrap();
        let seen = runner.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            [[(
                "CREDCHAIN_EXTERNAL_PROFILES".to_string(),
                r#"["'outer' in /x","'ext' in /h/.aliyun/config.json"]"#.to_string()
            )]]
        );
    }

    #[tokio::test]
    async fn re_entry_fails_at_once_without_running_anything() {
        let runner = Arc::new(Recorder::default());
        let again = r#"["'ext' in /h/.aliyun/config.json"]"#;
        let e = provider(Some(again), runner.clone())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(
            e.to_string().contains("would run its own command again"),
            "{e}"
        );
        let deep = r#"["a","b","c","d"]"#;
        let e = provider(Some(deep), runner.clone())
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(e.to_string().contains("nested 5 deep"), "{e}");
        let garbage = provider(Some("ext"), runner.clone())
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(
            garbage.to_string().contains("CREDCHAIN_EXTERNAL_PROFILES"),
            "{garbage}"
        );
        assert!(runner.0.lock().unwrap().is_empty());
    }

    #[test]
    fn padded_keys_in_process_output_are_refused() {
        let good = br#"{"mode":"AK","access_key_id":"LTAIx","access_key_secret":"s"}"#;
        assert!(parse_process_output(good).is_ok());
        let padded = br#"{"mode":"AK","access_key_id":"LTAIx","access_key_secret":"s\n"}"#;
        let e = parse_process_output(padded).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCredential);
        assert!(e.to_string().contains("access key secret"), "{e}");
    }

    fn ok(s: &str) -> Vec<String> {
        split_command_unix(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    /// Every splitting case of the Go and Java splitters (quotes, escapes, continuations, empty
    /// words).
    #[test]
    fn unix_splitting_cases() {
        assert_eq!(ok("tool --a b"), ["tool", "--a", "b"]);
        assert_eq!(ok("  tool \t --a\t\tb  "), ["tool", "--a", "b"]);
        assert_eq!(
            ok(r#""C:\Program Files\tool.exe" --x"#),
            [r"C:\Program Files\tool.exe", "--x"]
        );
        assert_eq!(
            ok("'/opt/my tools/cred' get"),
            ["/opt/my tools/cred", "get"]
        );
        assert_eq!(
            ok(r#"tool --name "John Smith" --q 'a "b" c'"#),
            ["tool", "--name", "John Smith", "--q", r#"a "b" c"#]
        );
        assert_eq!(
            ok(r"/opt/my\ tools/cred get"),
            ["/opt/my tools/cred", "get"]
        );
        assert_eq!(
            ok(r#"tool "say \"hi\" \\ \$HOME \x""#),
            ["tool", r#"say "hi" \ $HOME \x"#]
        );
        assert_eq!(ok(r#"tool "" '' x"#), ["tool", "", "", "x"]);
        assert_eq!(ok(r#"tool a"b c"'d e'f"#), ["tool", "ab cd ef"]);
        assert_eq!(ok("tool --a \\\n  --b"), ["tool", "--a", "--b"]);
        assert_eq!(ok("tool --a\\\n--b"), ["tool", "--a--b"]);
        assert_eq!(ok("tool \"one \\\ntwo\""), ["tool", "one two"]);
        assert_eq!(ok("tool --a \\\r\n --b"), ["tool", "--a", "--b"]);
        assert_eq!(ok("tool 'a\\b'"), ["tool", "a\\b"]);
        for bad in [
            "", "   ", " \t\n ", "\"\"", "''", "tool 'x", "tool \"x", "tool x\\",
        ] {
            assert!(split_command_unix(bad).is_err(), "{bad:?} must fail");
        }
        assert!(split_command_unix("   ").unwrap_err().contains("empty"));
        assert!(split_command_unix("a 'b").unwrap_err().contains("unclosed"));
        assert!(split_command_unix("a \\")
            .unwrap_err()
            .contains("backslash"));
    }

    #[test]
    fn windows_keeps_backslashes() {
        let w = |s: &str| split_command_windows(s).unwrap();
        assert_eq!(
            w(r#""C:\Program Files\a.exe" C:\x\y "q \"z\"""#),
            [r"C:\Program Files\a.exe", r"C:\x\y", r#"q "z""#]
        );
        assert_eq!(w(r"tool a\ b"), ["tool", r"a\", "b"]);
        assert!(split_command_windows("\"\"").is_err());
        assert!(split_command_windows("a \"b").is_err());
    }

    #[test]
    fn output_contract() {
        let e = parse_process_output(b"not json").unwrap_err();
        assert!(e
            .message()
            .starts_with("failed to parse external command output"));
        let e = parse_process_output(br#"{"access_key_id":"a"}"#).unwrap_err();
        assert!(e
            .message()
            .contains("access_key_id or access_key_secret is empty"));
        let e = parse_process_output(br#"[1]"#).unwrap_err();
        assert!(e.message().contains("not a JSON object"));
        let c =
            parse_process_output(br#"{"mode":"AK","access_key_id":"a","access_key_secret":"s"}"#)
                .unwrap();
        assert!(c.security_token().is_none() && c.expiration().is_none());
        // Only the exact "StsToken" requires a token.
        assert!(parse_process_output(
            br#"{"mode":"ststoken","access_key_id":"a","access_key_secret":"s"}"#
        )
        .is_ok());
        let e = parse_process_output(
            br#"{"access_key_id":"a","access_key_secret":"s","expiration":"tomorrow"}"#,
        )
        .unwrap_err();
        assert!(e.message().contains("invalid expiration"));
    }
}
