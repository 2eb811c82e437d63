//! `credchain exec`: run a command with the resolved credentials in the cloud's own environment
//! variables.
//!
//! The variables, the expiry and region ones included, are listed in [`crate::child_env`]. A
//! token or expiry variable is removed from the child's environment when the credentials have
//! none, so a stale value of the calling shell is never combined with new keys. stdin, stdout and
//! stderr are inherited. On Unix, SIGINT, SIGTERM and SIGHUP received by credchain are forwarded
//! to the child; credchain exits with the child's status, or 128 + the signal number when the
//! child was killed by a signal (as shells report it). A command that cannot be started exits
//! 127 (not found) or 126 (any other reason), as shells do.

use std::process::{ExitCode, ExitStatus, Stdio};

use credchain::{Error, Result};

use crate::child_env::ChildEnv;
use crate::cli::{Cloud, ExecArgs};
use crate::disk_cache;
use crate::resolve;

/// The variables `exec` sets and removes for `c` ([`crate::child_env`]).
pub fn child_env(
    c: &credchain::Credentials,
    cloud: Cloud,
    region: Option<&str>,
) -> Result<ChildEnv> {
    if c.access_key_id().is_empty() || c.access_key_secret().is_empty() {
        return Err(Error::invalid_config(
            "these credentials are a bearer token only; they have no environment variables \
             (use `credchain get --format json`)",
        ));
    }
    Ok(crate::child_env::variables(c, cloud, region))
}

/// Resolves the credentials, runs the command, and returns its exit code.
pub async fn run(args: &ExecArgs) -> Result<ExitCode> {
    let ctx = resolve::real_context();
    let request = disk_cache::Request {
        cloud: args.cloud,
        profile: args.profile.as_deref(),
        config: args.config.as_deref(),
    };
    let (credentials, _) = resolve::credentials(&request, &args.cache, &ctx).await?;
    let region = crate::region::known(args.cloud, args.profile.as_deref(), &ctx);
    let ChildEnv { set, remove } = child_env(&credentials, args.cloud, region.as_deref())?;
    drop(credentials);

    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::invalid_config("no command given"));
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(rest)
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    for (k, v) in &set {
        cmd.env(k, v);
    }
    for k in &remove {
        cmd.env_remove(k);
    }
    // Listen for signals before the child exists, so none is lost in between.
    #[cfg(unix)]
    let mut signals = Signals::new().map_err(|e| {
        Error::new(
            credchain::ErrorKind::Process,
            format!("cannot install signal handlers: {e}"),
        )
    })?;
    let program_name = program.to_string_lossy().into_owned();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("credchain: error: cannot run {program_name}: {e}");
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            };
            return Ok(ExitCode::from(code));
        }
    };
    tracing::debug!(program = %program_name, pid = child.id(), "started the command");
    let status = loop {
        #[cfg(unix)]
        {
            tokio::select! {
                status = child.wait() => break status,
                sig = signals.recv() => {
                    if let (Some(sig), Some(pid)) = (sig, child.id()) {
                        tracing::debug!(signal = sig, pid, "forwarding a signal to the command");
                        forward(pid, sig);
                    }
                }
            }
        }
        #[cfg(not(unix))]
        {
            break child.wait().await;
        }
    };
    let status = status.map_err(|e| {
        Error::new(
            credchain::ErrorKind::Process,
            format!("waiting for {program_name} failed: {e}"),
        )
    })?;
    Ok(ExitCode::from(exit_code(status)))
}

/// The exit code that reports `status`: its own code, or 128 + the signal that killed it.
pub fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return (code & 0xff) as u8;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return (128 + sig).clamp(0, 255) as u8;
        }
    }
    1
}

#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// The next signal received (its number); `None` when a stream ended.
    async fn recv(&mut self) -> Option<i32> {
        tokio::select! {
            s = self.int.recv() => s.map(|_| libc::SIGINT),
            s = self.term.recv() => s.map(|_| libc::SIGTERM),
            s = self.hup.recv() => s.map(|_| libc::SIGHUP),
        }
    }
}

#[cfg(unix)]
fn forward(pid: u32, sig: i32) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and has no memory-safety preconditions. The pid is our
    // own child, not yet reaped (child.wait() has not returned), so it cannot have been reused.
    let rc = unsafe { libc::kill(pid, sig) };
    if rc != 0 {
        tracing::debug!(
            error = %std::io::Error::last_os_error(),
            "forwarding the signal failed"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credchain::Credentials;

    #[test]
    fn tencent_sets_both_token_names_or_removes_them() {
        let c = Credentials::builder("AKID", "k")
            .security_token("t")
            .build();
        let ChildEnv { set, remove } = child_env(&c, Cloud::Tencent, None).unwrap();
        assert_eq!(remove, ["TENCENTCLOUD_CREDENTIALS_EXPIRATION"]);
        assert!(set.contains(&("TENCENTCLOUD_SESSION_TOKEN", "t".into())));
        assert!(set.contains(&("TENCENTCLOUD_TOKEN", "t".into())));
        let c = Credentials::builder("LTAI", "s").build();
        let ChildEnv { set, remove } = child_env(&c, Cloud::Alibaba, None).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(
            remove,
            [
                "ALIBABA_CLOUD_SECURITY_TOKEN",
                "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION"
            ]
        );
        assert!(child_env(&Credentials::bearer("b", "x"), Cloud::Alibaba, None).is_err());
    }
}
