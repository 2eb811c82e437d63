//! What a route handler answers.

use serde_json::Value;

/// The body of a [`Reply`].
///
/// JSON bodies stay structured until the response is written, so that faults such as
/// [`crate::Fault::MissingFields`] can edit them.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplyBody {
    /// No body (`Content-Length: 0`).
    Empty,
    /// Raw bytes, sent as they are.
    Bytes(Vec<u8>),
    /// A JSON document, serialized compactly when sent.
    Json(Value),
}

/// An HTTP response produced by a route handler (before faults are applied).
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Extra header fields. `Content-Length` and `Connection` are always written by the server and
    /// must not be set here.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: ReplyBody,
}

impl Reply {
    /// A JSON reply with `Content-Type: application/json`.
    ///
    /// ```
    /// let r = credchain_emulator::Reply::json(200, serde_json::json!({"Code": "Success"}));
    /// assert_eq!(r.body_bytes(), br#"{"Code":"Success"}"#);
    /// ```
    pub fn json(status: u16, value: Value) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: ReplyBody::Json(value),
        }
    }

    /// A plain-text reply with `Content-Type: text/plain; charset=utf-8`.
    pub fn text(status: u16, text: impl Into<String>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: ReplyBody::Bytes(text.into().into_bytes()),
        }
    }

    /// A reply with the given content type and raw body.
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: ReplyBody::Bytes(body.into()),
        }
    }

    /// A reply without a body.
    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Empty,
        }
    }

    /// The emulator's own JSON error shape: `{"Code": code, "Message": message}`.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Reply::json(
            status,
            serde_json::json!({ "Code": code, "Message": message }),
        )
    }

    /// Returns `self` with a header added.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as it will be sent.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            ReplyBody::Empty => Vec::new(),
            ReplyBody::Bytes(b) => b.clone(),
            ReplyBody::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
        }
    }
}
