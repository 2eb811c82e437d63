//! The one error type of the crate.
//!
//! An [`Error`] says what failed ([`ErrorKind`] and a message), where (provider, file and line,
//! endpoint, HTTP status, service error code and message, request id) and what to do (a hint).
//! It never holds a secret, a token or a signature: every field is filled by credchain code from
//! non-secret values, and service messages are copied from error responses, which carry none.
//!
//! The kind drives chain control (`docs/architecture.md#chain-semantics`):
//! [`ErrorKind::NotConfigured`] means "this source has nothing to offer, try the next one"; every
//! other kind stops a chain.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in the categories a caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The source is not set up here (no env var, no file, not on an instance). A chain moves on.
    NotConfigured,
    /// The configuration is present but wrong (missing field, bad value, unknown type).
    InvalidConfig,
    /// A credential value is malformed (Tencent `InvalidCredential`: empty, or padded with spaces).
    InvalidCredential,
    /// A file could not be read or parsed.
    File,
    /// The network call failed before a response arrived (connect, TLS, reset, DNS).
    Transport,
    /// The network call took longer than its timeout.
    Timeout,
    /// The server answered with an error (non-2xx, or an error code in the body).
    Service,
    /// The server answered 2xx with a body credchain cannot use (malformed JSON, missing fields).
    InvalidResponse,
    /// The only credentials available are expired.
    Expired,
    /// An external process failed.
    Process,
}

impl ErrorKind {
    /// A short lower-case label, as used in messages and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotConfigured => "not configured",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::InvalidCredential => "invalid credential",
            ErrorKind::File => "file error",
            ErrorKind::Transport => "network error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Service => "service error",
            ErrorKind::InvalidResponse => "invalid response",
            ErrorKind::Expired => "expired",
            ErrorKind::Process => "process error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone)]
struct Details {
    kind: ErrorKind,
    message: String,
    provider: Option<String>,
    file: Option<PathBuf>,
    line: Option<usize>,
    endpoint: Option<String>,
    status: Option<u16>,
    code: Option<String>,
    service_message: Option<String>,
    request_id: Option<String>,
    hint: Option<String>,
    attempts: Vec<Error>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// A credchain error: kind, message, where, and what to do.
///
/// Cheap to clone (so a single-flight refresh can hand the same error to every waiter).
///
/// ```
/// use credchain::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::Service, "AssumeRole was rejected")
///     .with_provider("ram_role_arn")
///     .with_endpoint("https://sts.aliyuncs.com")
///     .with_status(403)
///     .with_service_error("NoPermission", "You are not authorized", Some("4C1A-REQ".into()))
///     .with_hint("grant the RAM user sts:AssumeRole on the role");
/// let text = e.to_string();
/// assert!(text.starts_with("ram_role_arn: AssumeRole was rejected"));
/// assert!(text.contains("HTTP 403") && text.contains("NoPermission") && text.contains("4C1A-REQ"));
/// assert_eq!(e.kind(), ErrorKind::Service);
/// ```
#[derive(Clone)]
pub struct Error {
    // One pointer: keeps `Result<Credentials, Error>` small on the hot path.
    details: Box<Details>,
}

impl Error {
    /// A new error of `kind` with a message saying what failed.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            details: Box::new(Details {
                kind,
                message: message.into(),
                provider: None,
                file: None,
                line: None,
                endpoint: None,
                status: None,
                code: None,
                service_message: None,
                request_id: None,
                hint: None,
                attempts: Vec::new(),
                source: None,
            }),
        }
    }

    /// Shorthand for [`ErrorKind::NotConfigured`].
    pub fn not_configured(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::NotConfigured, message)
    }

    /// Shorthand for [`ErrorKind::InvalidConfig`].
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidConfig, message)
    }

    /// Names the provider (source) that failed; an existing name becomes the inner part
    /// (`outer/inner`), matching how credential provider names compose.
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        let outer = provider.into();
        self.details.provider = Some(match self.details.provider.take() {
            Some(inner) if !inner.is_empty() && inner != outer => format!("{outer}/{inner}"),
            _ => outer,
        });
        self
    }
    /// Names the file involved.
    pub fn with_file(mut self, path: impl AsRef<Path>) -> Self {
        self.details.file = Some(path.as_ref().to_path_buf());
        self
    }
    /// Names the 1-based line in the file.
    pub fn with_line(mut self, line: usize) -> Self {
        self.details.line = Some(line);
        self
    }
    /// Names the endpoint (URL without query; never a signed URL).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.details.endpoint = Some(endpoint.into());
        self
    }
    /// Records the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.details.status = Some(status);
        self
    }
    /// Records the service's error code, message and request id.
    pub fn with_service_error(
        mut self,
        code: impl Into<String>,
        message: impl Into<String>,
        request_id: Option<String>,
    ) -> Self {
        let (code, message) = (code.into(), message.into());
        self.details.code = Some(code).filter(|c| !c.is_empty());
        self.details.service_message = Some(message).filter(|m| !m.is_empty());
        self.details.request_id = request_id.filter(|r| !r.is_empty());
        self
    }
    /// Records an error code alone (e.g. Tencent's local `InvalidCredential`).
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.details.code = Some(code.into()).filter(|c| !c.is_empty());
        self
    }
    /// Records a request id alone.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.details.request_id = Some(request_id.into()).filter(|r| !r.is_empty());
        self
    }
    /// Says what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.details.hint = Some(hint.into());
        self
    }
    /// Keeps the underlying cause (shown by `Display` after the message).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.details.source = Some(Arc::new(source));
        self
    }
    /// Records the reasons of every source a chain tried.
    pub fn with_attempts(mut self, attempts: Vec<Error>) -> Self {
        self.details.attempts = attempts;
        self
    }
    /// Changes the kind (e.g. a missing file is `NotConfigured` in one place, an error in another).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.details.kind = kind;
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.details.kind
    }
    /// Whether a chain should move on to its next source.
    pub fn is_not_configured(&self) -> bool {
        self.details.kind == ErrorKind::NotConfigured
    }
    /// What failed, without the context fields.
    pub fn message(&self) -> &str {
        &self.details.message
    }
    /// The provider that failed.
    pub fn provider(&self) -> Option<&str> {
        self.details.provider.as_deref()
    }
    /// The file involved.
    pub fn file(&self) -> Option<&Path> {
        self.details.file.as_deref()
    }
    /// The 1-based line in the file.
    pub fn line(&self) -> Option<usize> {
        self.details.line
    }
    /// The endpoint called.
    pub fn endpoint(&self) -> Option<&str> {
        self.details.endpoint.as_deref()
    }
    /// The HTTP status received.
    pub fn status(&self) -> Option<u16> {
        self.details.status
    }
    /// The service's error code (e.g. `InvalidParameter`, `AuthFailure.SecretIdNotFound`).
    pub fn code(&self) -> Option<&str> {
        self.details.code.as_deref()
    }
    /// The service's error message.
    pub fn service_message(&self) -> Option<&str> {
        self.details.service_message.as_deref()
    }
    /// The request id the service returned.
    pub fn request_id(&self) -> Option<&str> {
        self.details.request_id.as_deref()
    }
    /// What to do about it.
    pub fn hint(&self) -> Option<&str> {
        self.details.hint.as_deref()
    }
    /// The reasons of every source a chain tried (empty for a single source).
    pub fn attempts(&self) -> &[Error] {
        &self.details.attempts
    }

    fn write_context(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.details;
        let mut parts: Vec<String> = Vec::new();
        if let Some(file) = &d.file {
            match d.line {
                Some(line) => parts.push(format!("file {}:{line}", file.display())),
                None => parts.push(format!("file {}", file.display())),
            }
        }
        if let Some(e) = &d.endpoint {
            parts.push(format!("endpoint {e}"));
        }
        if let Some(s) = d.status {
            parts.push(format!("HTTP {s}"));
        }
        if let Some(c) = &d.code {
            parts.push(format!("code {c}"));
        }
        if let Some(m) = &d.service_message {
            parts.push(format!("message \"{m}\""));
        }
        if let Some(r) = &d.request_id {
            parts.push(format!("request id {r}"));
        }
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.details.provider {
            write!(f, "{p}: ")?;
        }
        f.write_str(&self.details.message)?;
        if let Some(src) = &self.details.source {
            write!(f, ": {src}")?;
        }
        self.write_context(f)?;
        if !self.details.attempts.is_empty() {
            f.write_str(" [")?;
            for (i, a) in self.details.attempts.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str("]")?;
        }
        if let Some(h) = &self.details.hint {
            write!(f, ". {h}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Same fields as Display, structured. Nothing here can hold a secret (see module docs).
        let d = &self.details;
        let mut s = f.debug_struct("Error");
        s.field("kind", &self.details.kind)
            .field("message", &self.details.message);
        macro_rules! opt {
            ($name:literal, $v:expr) => {
                if let Some(v) = $v {
                    s.field($name, v);
                }
            };
        }
        opt!("provider", &d.provider);
        opt!("file", &d.file);
        opt!("line", &d.line);
        opt!("endpoint", &d.endpoint);
        opt!("status", &d.status);
        opt!("code", &d.code);
        opt!("service_message", &d.service_message);
        opt!("request_id", &d.request_id);
        opt!("hint", &d.hint);
        if let Some(src) = &d.source {
            s.field("source", &src.to_string());
        }
        if !d.attempts.is_empty() {
            s.field("attempts", &d.attempts);
        }
        s.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.details
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_every_context_field() {
        let e = Error::new(ErrorKind::File, "cannot parse the credentials file")
            .with_provider("profile")
            .with_file("/home/u/.tencentcloud/credentials")
            .with_line(3)
            .with_hint("fix the section header");
        assert_eq!(
            e.to_string(),
            "profile: cannot parse the credentials file (file /home/u/.tencentcloud/credentials:3). \
             fix the section header"
        );
    }

    #[test]
    fn provider_names_compose_outward() {
        let e = Error::not_configured("no env")
            .with_provider("env")
            .with_provider("default");
        assert_eq!(e.provider(), Some("default/env"));
        let e = Error::not_configured("no env")
            .with_provider("env")
            .with_provider("env");
        assert_eq!(e.provider(), Some("env"));
    }

    #[test]
    fn attempts_are_listed() {
        let e = Error::not_configured("no credentials found").with_attempts(vec![
            Error::not_configured("A unset").with_provider("env"),
            Error::not_configured("no file").with_provider("profile"),
        ]);
        assert_eq!(
            e.to_string(),
            "no credentials found [env: A unset; profile: no file]"
        );
        assert!(format!("{e:?}").contains("attempts"));
    }
}
