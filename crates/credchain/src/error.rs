//! The one error type of the crate.
//!
//! An [`Error`] says what failed ([`ErrorKind`] and a message), where (provider, file and line,
//! endpoint, HTTP status, service error code and message, request id) and what to do (a hint).
//! It never holds a secret, a token or a signature. Text from outside passes through
//! [`crate::redact`] where the builder takes it: [`Error::with_endpoint`] keeps only scheme, host,
//! port and a masked path ([`crate::redact::url`]); [`Error::with_service_error`] cuts the
//! message at "string to sign" (Alibaba echoes the `SecurityToken` there), keeps it on one line
//! and bounds it ([`crate::redact::service_message`]). A source that sent a request with
//! credentials calls [`Error::redact`] / [`Error::redact_credentials`], which replace the values
//! of those credentials (secret and token, raw and percent-encoded) in every text field. File
//! paths are shown as bounded excerpts, and as a safety net every message, hint and source text
//! is kept on one line of at most 1000 characters.
//!
//! The kind drives chain control (`docs/architecture.md#chain-semantics`):
//! [`ErrorKind::NotConfigured`] means "this source has nothing to offer, try the next one"; every
//! other kind stops a chain.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Longest message or hint kept, in characters: a safety net under the excerpts callers make.
const MAX_MESSAGE_CHARS: usize = 1000;

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
                message: crate::redact::line(&message.into(), MAX_MESSAGE_CHARS),
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
        // A layer that already named itself (a source and the chain's wrapper of it both adding
        // `profile`) is not named twice: `default/profile/sts_assume_role`, not
        // `default/profile/profile/sts_assume_role`.
        let already_named = |inner: &str| {
            inner == outer
                || inner
                    .strip_prefix(outer.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        self.details.provider = Some(match self.details.provider.take() {
            Some(inner) if !inner.is_empty() && !already_named(&inner) => {
                format!("{outer}/{inner}")
            }
            Some(inner) if !inner.is_empty() => inner,
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
    /// Names the endpoint. Only scheme, host, port and path are kept, with random-looking path
    /// segments masked ([`crate::redact::url`]): never user info, a query or a signature.
    pub fn with_endpoint(mut self, endpoint: impl AsRef<str>) -> Self {
        self.details.endpoint = Some(crate::redact::url(endpoint.as_ref()));
        self
    }
    /// Records the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.details.status = Some(status);
        self
    }
    /// Records the service's error code, message and request id, made safe: the message is cut
    /// at "string to sign", kept on one line and bounded ([`crate::redact::service_message`]);
    /// code and request id are bounded single lines.
    ///
    /// ```
    /// use credchain::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::Service, "AssumeRole failed").with_service_error(
    ///     "SignatureDoesNotMatch",
    ///     "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&SecurityToken%3DCAIS-token",
    ///     None,
    /// );
    /// assert!(!e.to_string().contains("CAIS-token"));
    /// ```
    pub fn with_service_error(
        mut self,
        code: impl AsRef<str>,
        message: impl AsRef<str>,
        request_id: Option<String>,
    ) -> Self {
        self.details.code = short_field(code.as_ref());
        self.details.service_message =
            Some(crate::redact::service_message(message.as_ref())).filter(|m| !m.is_empty());
        self.details.request_id = request_id.as_deref().and_then(short_field);
        self
    }
    /// Records an error code alone (e.g. Tencent's local `InvalidCredential`).
    pub fn with_code(mut self, code: impl AsRef<str>) -> Self {
        self.details.code = short_field(code.as_ref());
        self
    }
    /// Records a request id alone.
    pub fn with_request_id(mut self, request_id: impl AsRef<str>) -> Self {
        self.details.request_id = short_field(request_id.as_ref());
        self
    }
    /// Replaces every occurrence of `values` (raw or percent-encoded; see
    /// [`crate::redact::remove_values`]) in every text field, the source and the attempts by `***`.
    /// A source that sent credentials or a token calls this with them before returning an error.
    ///
    /// ```
    /// use credchain::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::Service, "rejected")
    ///     .with_service_error("InvalidToken", "token tok-123456 is bad", None)
    ///     .redact(["tok-123456"]);
    /// assert_eq!(e.service_message(), Some("token *** is bad"));
    /// ```
    pub fn redact<'a>(mut self, values: impl IntoIterator<Item = &'a str>) -> Self {
        let values: Vec<&str> = values.into_iter().filter(|v| v.len() >= 4).collect();
        if values.is_empty() {
            return self;
        }
        self.redact_in_place(&values);
        self
    }
    /// [`Error::redact`] with the secret parts of `credentials`: the secret, the security token and
    /// a bearer token. The access key id stays (it names the key, it does not authorize).
    pub fn redact_credentials(self, credentials: &crate::Credentials) -> Self {
        let values = [
            Some(credentials.access_key_secret()),
            credentials.security_token(),
            credentials.bearer_token(),
        ];
        self.redact(values.into_iter().flatten())
    }

    fn redact_in_place(&mut self, values: &[&str]) {
        let d = &mut *self.details;
        let scrub = |s: &mut String| {
            if crate::redact::contains_any(s, values.iter().copied()) {
                *s = crate::redact::remove_values(s, values.iter().copied());
            }
        };
        scrub(&mut d.message);
        for field in [
            &mut d.provider,
            &mut d.endpoint,
            &mut d.code,
            &mut d.service_message,
            &mut d.request_id,
            &mut d.hint,
        ]
        .into_iter()
        .flatten()
        {
            scrub(field);
        }
        if let Some(src) = &d.source {
            let text = src.to_string();
            if crate::redact::contains_any(&text, values.iter().copied()) {
                let safe = crate::redact::remove_values(&text, values.iter().copied());
                d.source = Some(Arc::new(RedactedSource(safe)));
            }
        }
        for a in &mut d.attempts {
            a.redact_in_place(values);
        }
    }
    /// Says what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.details.hint = Some(crate::redact::line(&hint.into(), MAX_MESSAGE_CHARS));
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
                Some(line) => parts.push(format!("file {}:{line}", crate::redact::path(file))),
                None => parts.push(format!("file {}", crate::redact::path(file))),
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
            // Outside text (an OS or library message): one bounded line like every other field.
            let src = crate::redact::line(&src.to_string(), MAX_MESSAGE_CHARS);
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
        if let Some(file) = &d.file {
            s.field("file", &crate::redact::path(file));
        }
        opt!("line", &d.line);
        opt!("endpoint", &d.endpoint);
        opt!("status", &d.status);
        opt!("code", &d.code);
        opt!("service_message", &d.service_message);
        opt!("request_id", &d.request_id);
        opt!("hint", &d.hint);
        if let Some(src) = &d.source {
            s.field(
                "source",
                &crate::redact::line(&src.to_string(), MAX_MESSAGE_CHARS),
            );
        }
        if !d.attempts.is_empty() {
            s.field("attempts", &d.attempts);
        }
        s.finish()
    }
}

/// A bounded single-line code or request id; `None` when empty.
fn short_field(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut s = crate::redact::excerpt(text);
    if s.chars().count() > 128 {
        s = s.chars().take(128).collect::<String>() + "…";
    }
    Some(s)
}

/// The text of a source error that held a value [`Error::redact`] removed.
#[derive(Debug)]
struct RedactedSource(String);

impl fmt::Display for RedactedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedactedSource {}

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
        let e = Error::not_configured("sts failed")
            .with_provider("sts_assume_role")
            .with_provider("profile")
            .with_provider("profile")
            .with_provider("default");
        assert_eq!(e.provider(), Some("default/profile/sts_assume_role"));
    }

    #[test]
    fn endpoint_keeps_no_userinfo_query_or_secret_path() {
        let e = Error::new(ErrorKind::Transport, "cannot connect")
            .with_endpoint("http://bob:hunter2pass@127.0.0.1:9/Ab3dEf6hIj9kLm2nOp5q/alibaba?x=sig");
        let text = format!("{e} {e:?}");
        assert!(
            !text.contains("hunter2pass") && !text.contains("bob"),
            "{text}"
        );
        assert!(
            !text.contains("Ab3dEf6hIj9kLm2nOp5q") && !text.contains("sig"),
            "{text}"
        );
        assert_eq!(e.endpoint(), Some("http://127.0.0.1:9/***/alibaba"));
    }

    #[test]
    fn service_text_is_scrubbed_and_credentials_removed() {
        let token = "CAIS.token+with/slashes==";
        let secret = "SecretValue0123456789";
        let m = format!(
            "Specified signature is not matched with our calculation. server string to sign              is:POST&%2F&SecurityToken%3D{}",
            token.replace('+', "%2B").replace('/', "%2F")
        );
        let e = Error::new(ErrorKind::Service, "AssumeRole failed")
            .with_service_error("SignatureDoesNotMatch", m, Some("REQ\n1".into()))
            .with_hint(format!("the key {secret} is wrong"))
            .with_source(std::io::Error::other(format!("io with {token}")))
            .with_attempts(vec![Error::not_configured(format!("inner {secret}"))]);
        let creds = crate::Credentials::builder("LTAIkeyid", secret)
            .security_token(token)
            .build();
        let e = e.redact_credentials(&creds);
        let text = format!("{e} {e:?}");
        assert!(!text.contains(token) && !text.contains(secret), "{text}");
        assert!(!text.contains("CAIS.token"), "{text}");
        assert!(text.contains("string to sign removed"), "{text}");
        let long = Error::new(ErrorKind::Service, "x").with_service_error(
            "C
D",
            "m".repeat(5000),
            None,
        );
        assert!(long.to_string().len() < 500 && !long.to_string().contains('\n'));
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
