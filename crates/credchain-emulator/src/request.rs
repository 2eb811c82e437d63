//! The request as the emulator received and recorded it.

use std::borrow::Cow;

use crate::crypto::percent_decode;
use std::time::SystemTime;

/// One HTTP request received by the emulator, as recorded (see [`crate::Emulator::requests`]).
///
/// Every request that parsed as HTTP is recorded, whether a route matched it or not, and whether a
/// fault was then applied to it or not. The recorded request holds whatever the client sent,
/// including authorization headers and tokens: the emulator never prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The request method as sent, e.g. `GET`.
    pub method: String,
    /// The path part of the request target, without the query (`/latest/api/token`). For an
    /// absolute-form target (as sent to a proxy) the scheme and authority are removed.
    pub path: String,
    /// The raw query string without the leading `?` (empty when there is none).
    pub query: String,
    /// Header fields in the order received; names are lower-cased, values as sent (non-UTF-8 bytes
    /// replaced).
    pub headers: Vec<(String, String)>,
    /// The request body (de-chunked when it was sent with `Transfer-Encoding: chunked`). Handlers
    /// get it whole; the copy the emulator keeps ([`crate::Emulator::requests`]) holds at most the
    /// first [`crate::MAX_RECORDED_BODY_BYTES`] (see [`RecordedRequest::body_len`]).
    pub body: Vec<u8>,
    /// The length of the body as received: larger than `body.len()` when the recorded copy was
    /// cut.
    pub body_len: usize,
    /// The name of the route that handled the request, `None` when no route matched.
    pub route: Option<String>,
    /// When the request was fully received.
    pub received_at: SystemTime,
}

impl RecordedRequest {
    /// Creates a request with the given method and target (`/path?query`), no headers and no body.
    /// Useful to test matchers and handlers without a server.
    ///
    /// ```
    /// let r = credchain_emulator::RecordedRequest::new("GET", "/a/b?x=1");
    /// assert_eq!((r.path.as_str(), r.query.as_str()), ("/a/b", "x=1"));
    /// ```
    pub fn new(method: &str, target: &str) -> Self {
        let (path, query) = split_target(target);
        RecordedRequest {
            method: method.to_string(),
            path,
            query,
            headers: Vec::new(),
            body: Vec::new(),
            body_len: 0,
            route: None,
            received_at: SystemTime::now(),
        }
    }

    /// Returns `self` with a header added (the name is lower-cased).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Returns `self` with the given body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.body_len = self.body.len();
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the method is `method` (case-sensitive, as HTTP methods are).
    pub fn is(&self, method: &str) -> bool {
        self.method == method
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body parsed as JSON, `None` when it is not JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The decoded query parameters (`+` is a space, `%XX` escapes decoded), in order.
    pub fn query_params(&self) -> Vec<(String, String)> {
        parse_urlencoded(&self.query)
    }

    /// The decoded form parameters when the body is `application/x-www-form-urlencoded`,
    /// otherwise empty.
    pub fn form_params(&self) -> Vec<(String, String)> {
        let is_form = self
            .header("content-type")
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
            .unwrap_or(false);
        if is_form {
            parse_urlencoded(&self.body_text())
        } else {
            Vec::new()
        }
    }

    /// The first value of parameter `name`, looked up in the query and then in the form body
    /// (Alibaba RPC requests may put parameters in either).
    ///
    /// ```
    /// let r = credchain_emulator::RecordedRequest::new("POST", "/?Action=AssumeRole")
    ///     .with_header("Content-Type", "application/x-www-form-urlencoded")
    ///     .with_body("RoleSessionName=my+session");
    /// assert_eq!(r.param("Action").as_deref(), Some("AssumeRole"));
    /// assert_eq!(r.param("RoleSessionName").as_deref(), Some("my session"));
    /// ```
    pub fn param(&self, name: &str) -> Option<String> {
        self.query_params()
            .into_iter()
            .chain(self.form_params())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// Splits a request target into (path, query), removing the scheme and authority of an
/// absolute-form target.
pub(crate) fn split_target(target: &str) -> (String, String) {
    let mut rest = target;
    for scheme in ["http://", "https://"] {
        if rest.len() >= scheme.len() && rest[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let after = &rest[scheme.len()..];
            rest = match after.find(['/', '?']) {
                Some(i) => &after[i..],
                None => "/",
            };
            break;
        }
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    let path = if path.is_empty() { "/" } else { path };
    (path.to_string(), query.to_string())
}

/// Parses `application/x-www-form-urlencoded` text. Malformed escapes are kept literally.
pub(crate) fn parse_urlencoded(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(pair), String::new()),
        })
        .collect()
}

/// Decodes one urlencoded component: `+` is a space, `%XX` a byte (malformed escapes stay).
pub(crate) fn decode_component(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(split_target("/a?b=c"), ("/a".into(), "b=c".into()));
        assert_eq!(split_target("http://h:1/x?y"), ("/x".into(), "y".into()));
        assert_eq!(split_target("HTTP://h"), ("/".into(), "".into()));
        assert_eq!(split_target("http://h?q=1"), ("/".into(), "q=1".into()));
        assert_eq!(split_target(""), ("/".into(), "".into()));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode_component("a+b%20c%2Fd"), "a b c/d");
        assert_eq!(decode_component("%"), "%");
        assert_eq!(decode_component("%4"), "%4");
        assert_eq!(decode_component("%zz%41"), "%zzA");
        assert_eq!(decode_component("%ff"), "\u{fffd}");
        assert_eq!(
            parse_urlencoded("a=1&&b&c=%3D"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "".into()),
                ("c".into(), "=".into())
            ]
        );
    }

    #[test]
    fn header_lookup_is_case_insensitive() {
        let r = RecordedRequest::new("GET", "/").with_header("X-TC-Action", "AssumeRole");
        assert_eq!(r.header("x-tc-action"), Some("AssumeRole"));
        assert_eq!(r.headers[0].0, "x-tc-action");
        assert!(r.form_params().is_empty());
    }
}
