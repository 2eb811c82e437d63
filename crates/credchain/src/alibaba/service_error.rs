//! The one place that reads Alibaba Cloud service errors: the `{"RequestId","Code","Message"}`
//! body of a failed API call (STS, the metadata and credentials-URI servers that mimic it, and
//! any other Alibaba Cloud API), the CloudSSO (`ErrorCode`, `ErrorMessage`) and OAuth (`error`,
//! `error_description`, `requestId`) variants of it ([`ErrorShape`]), and answers that are not
//! the JSON object they should be.
//!
//! [`service_error`] is public so that callers of other Alibaba Cloud APIs (the CLI's `call`)
//! report failures the same way the credential sources do.

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::http::HttpResponse;

/// Where a service puts its error fields: for each, the keys to read, the first non-empty wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorShape {
    /// Keys of the error code.
    pub code: &'static [&'static str],
    /// Keys of the error message.
    pub message: &'static [&'static str],
    /// Keys of the request id.
    pub request_id: &'static [&'static str],
    /// Whether a body that is not a JSON object is quoted (a short excerpt) as the message.
    pub quote_other_bodies: bool,
}

impl ErrorShape {
    /// Alibaba Cloud APIs (STS, ECS, ...): `Code`, `Message`, `RequestId`.
    pub const API: ErrorShape = ErrorShape {
        code: &["Code"],
        message: &["Message"],
        request_id: &["RequestId"],
        quote_other_bodies: true,
    };
    /// The CloudSSO portal: `ErrorCode` / `ErrorMessage`, else the API keys (as aliyun-cli reads it).
    pub const CLOUD_SSO: ErrorShape = ErrorShape {
        code: &["ErrorCode", "Code"],
        message: &["ErrorMessage", "Message"],
        request_id: &["RequestId"],
        quote_other_bodies: false,
    };
    /// The OAuth server: `error` / `error_description` / `requestId`, else the API keys.
    pub const OAUTH: ErrorShape = ErrorShape {
        code: &["error", "Code"],
        message: &["error_description", "Message"],
        request_id: &["requestId", "RequestId"],
        quote_other_bodies: false,
    };
}

/// The error fields of an Alibaba Cloud API answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceError {
    /// `Code` (empty when absent).
    pub code: String,
    /// `Message` (empty when absent).
    pub message: String,
    /// `RequestId`, when present and not empty.
    pub request_id: Option<String>,
}

impl ServiceError {
    /// Reads `Code`, `Message` and `RequestId` ([`ErrorShape::API`]) from a body that is a JSON
    /// object; `None` for any other body.
    ///
    /// ```
    /// use credchain::alibaba::ServiceError;
    /// let e = ServiceError::parse(br#"{"RequestId":"R1","Code":"NoPermission","Message":"denied"}"#).unwrap();
    /// assert_eq!((e.code.as_str(), e.request_id.as_deref()), ("NoPermission", Some("R1")));
    /// assert!(ServiceError::parse(b"<html>").is_none());
    /// ```
    pub fn parse(body: &[u8]) -> Option<ServiceError> {
        Self::parse_shape(body, &ErrorShape::API)
    }

    /// Reads the fields `shape` names from a body that is a JSON object.
    pub fn parse_shape(body: &[u8], shape: &ErrorShape) -> Option<ServiceError> {
        let v = serde_json::from_slice::<Value>(body)
            .ok()
            .filter(Value::is_object)?;
        let first = |keys: &[&str]| {
            keys.iter()
                .filter_map(|k| v.get(*k).and_then(Value::as_str))
                .find(|s| !s.is_empty())
                .unwrap_or_default()
                .to_string()
        };
        Some(ServiceError {
            code: first(shape.code),
            message: first(shape.message),
            request_id: Some(first(shape.request_id)).filter(|r| !r.is_empty()),
        })
    }
}

/// The error for a failed (non-2xx) answer to `what` sent to `endpoint`: kind
/// [`ErrorKind::Service`], the status, and the service's code, message and request id when the
/// body has them, else a short excerpt of the body.
///
/// ```
/// use credchain::alibaba::service_error;
/// use credchain::http::HttpResponse;
/// let resp = HttpResponse {
///     status: 403,
///     headers: Default::default(),
///     body: br#"{"RequestId":"R1","Code":"NoPermission","Message":"denied"}"#.to_vec().into(),
/// };
/// let e = service_error(&resp, "DescribeRegions", "https://ecs.aliyuncs.com/");
/// assert_eq!(e.message(), "DescribeRegions failed");
/// assert_eq!(e.code(), Some("NoPermission"));
/// ```
pub fn service_error(resp: &HttpResponse, what: &str, endpoint: &str) -> Error {
    service_error_shaped(resp, what, endpoint, &ErrorShape::API)
}

/// As [`service_error`], for a service whose error fields are laid out as `shape` says.
pub fn service_error_shaped(
    resp: &HttpResponse,
    what: &str,
    endpoint: &str,
    shape: &ErrorShape,
) -> Error {
    let e = Error::new(ErrorKind::Service, format!("{what} failed"))
        .with_endpoint(endpoint)
        .with_status(resp.status);
    match ServiceError::parse_shape(&resp.body, shape) {
        Some(s) => e.with_service_error(s.code, s.message, s.request_id),
        None if !shape.quote_other_bodies => e,
        None => {
            let excerpt = crate::redact::excerpt_bytes(resp.body.trim_ascii());
            if excerpt.is_empty() {
                e
            } else {
                e.with_service_error("", excerpt, None)
            }
        }
    }
}

/// Parses a JSON object body, naming the endpoint when it is not one.
pub(crate) fn parse_json(
    resp: &HttpResponse,
    what: &str,
    provider: &str,
    endpoint: &str,
) -> crate::Result<Value> {
    serde_json::from_slice::<Value>(&resp.body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!("the {what} response is not a JSON object"),
            )
            .with_provider(provider)
            .with_endpoint(endpoint)
            .with_status(resp.status)
        })
}

/// A successful answer to `what` without the object `field` it must hold; names the request id
/// when the answer has one.
pub(crate) fn missing_object(
    v: &Value,
    what: &str,
    field: &str,
    provider: &str,
    endpoint: &str,
) -> Error {
    let e = Error::new(
        ErrorKind::InvalidResponse,
        format!("the {what} response has no {field}"),
    )
    .with_provider(provider)
    .with_endpoint(endpoint);
    match v.get("RequestId").and_then(Value::as_str) {
        Some(r) => e.with_request_id(r),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec().into(),
        }
    }

    #[test]
    fn api_errors_carry_code_message_and_request_id() {
        let e = service_error(
            &resp(
                400,
                r#"{"RequestId":"R-1","Code":"InvalidParameter","Message":"bad"}"#,
            ),
            "AssumeRole",
            "https://sts.aliyuncs.com/",
        );
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.message(), "AssumeRole failed");
        assert_eq!(e.status(), Some(400));
        assert_eq!(
            (e.code(), e.service_message(), e.request_id()),
            (Some("InvalidParameter"), Some("bad"), Some("R-1"))
        );
    }

    #[test]
    fn other_bodies_are_quoted_only_where_the_shape_says_so() {
        let html = resp(502, "<html>bad gateway</html>");
        let api = service_error(&html, "AssumeRole", "https://sts.aliyuncs.com/");
        assert!(api
            .service_message()
            .is_some_and(|m| m.contains("bad gateway")));
        let sso = service_error_shaped(&html, "x", "https://s/", &ErrorShape::CLOUD_SSO);
        assert_eq!(sso.service_message(), None);
        assert_eq!(sso.status(), Some(502));
    }

    #[test]
    fn each_shape_reads_its_own_keys_first() {
        let sso = ServiceError::parse_shape(
            br#"{"ErrorCode":"NoPermission","Code":"x","ErrorMessage":"m","RequestId":"r"}"#,
            &ErrorShape::CLOUD_SSO,
        )
        .unwrap();
        assert_eq!(
            (sso.code.as_str(), sso.message.as_str()),
            ("NoPermission", "m")
        );
        let oauth = ServiceError::parse_shape(
            br#"{"error":"invalid_grant","error_description":"revoked","requestId":"q"}"#,
            &ErrorShape::OAUTH,
        )
        .unwrap();
        assert_eq!(
            (
                oauth.code.as_str(),
                oauth.message.as_str(),
                oauth.request_id.as_deref()
            ),
            ("invalid_grant", "revoked", Some("q"))
        );
        // An empty own key falls back to the API key; an empty request id is none.
        let fallback = ServiceError::parse_shape(
            br#"{"error":"","Code":"Throttling","RequestId":""}"#,
            &ErrorShape::OAUTH,
        )
        .unwrap();
        assert_eq!(
            (fallback.code.as_str(), fallback.request_id),
            ("Throttling", None)
        );
        assert_eq!(ServiceError::parse(b"[1,2]"), None);
    }
}
