//! Tencent Cloud API errors: the one place that reads them out of an answer
//! (`docs/sources/tencent.md#sts`).
//!
//! - API 3.0: `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, with any HTTP status
//!   (Tencent answers most errors, throttling included, with HTTP 200).
//! - The legacy v2 shape `{"code", "message", "codeDesc"}`: a non-zero `code` is an error, named by
//!   `codeDesc` when it has one.
//!
//! STS uses it for every answer, the retry loop uses [`RETRY_CLASSIFIER`] to see throttling in an
//! HTTP 200 body, and any other API 3.0 caller (the CLI's `call`) can use [`ServiceError::parse`].

use serde::Deserialize;

use crate::error::Error;
use crate::http::{HttpResponse, RetryClassifier};

/// Code prefix of Tencent's throttling errors.
pub const THROTTLING_CODE_PREFIX: &str = "RequestLimitExceeded";

/// The retry classifier for Tencent Cloud API 3.0: 5xx, 429, and answers of any status whose
/// error code is a throttling code ([`ServiceError::is_throttling`]).
///
/// ```
/// use credchain::http::HttpResponse;
/// use credchain::tencent::service_error::RETRY_CLASSIFIER;
/// let throttled = HttpResponse {
///     status: 200,
///     headers: http::HeaderMap::new(),
///     body: r#"{"Response":{"Error":{"Code":"RequestLimitExceeded"},"RequestId":"r"}}"#.into(),
/// };
/// assert!(RETRY_CLASSIFIER.is_retryable(&throttled));
/// ```
pub const RETRY_CLASSIFIER: RetryClassifier = RetryClassifier::StatusOrThrottledBody(is_throttled);

/// Whether `resp` carries a Tencent throttling error.
fn is_throttled(resp: &HttpResponse) -> bool {
    ServiceError::parse(&resp.body).is_some_and(|e| e.is_throttling())
}

/// An error as the Tencent Cloud service reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// `Error.Code` (e.g. `AuthFailure.SignatureFailure`), or the legacy `codeDesc`/`code`.
    pub code: String,
    /// `Error.Message` (the service's text; [`Error::with_service_error`] bounds and cleans it).
    pub message: String,
    /// `RequestId`, when the answer has one.
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Option<Response>,
    code: Option<serde_json::Value>,
    message: Option<String>,
    #[serde(rename = "codeDesc")]
    code_desc: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Response {
    error: Option<ErrorBody>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
}

impl ServiceError {
    /// The error in an answer body, if it holds one (API 3.0 `Response.Error`, or a legacy
    /// non-zero `code`). A body that is not JSON, or a success, gives `None`.
    ///
    /// ```
    /// use credchain::tencent::service_error::ServiceError;
    /// let e = ServiceError::parse(br#"{"Response":{"Error":{"Code":"AuthFailure","Message":"m"},"RequestId":"r"}}"#).unwrap();
    /// assert_eq!((e.code.as_str(), e.message.as_str(), e.request_id.as_deref()), ("AuthFailure", "m", Some("r")));
    /// let legacy = ServiceError::parse(br#"{"code":4000,"message":"m","codeDesc":"InvalidParameter"}"#).unwrap();
    /// assert_eq!(legacy.code, "InvalidParameter");
    /// assert!(ServiceError::parse(br#"{"Response":{"RequestId":"r"}}"#).is_none());
    /// ```
    pub fn parse(body: &[u8]) -> Option<ServiceError> {
        let env: Envelope = serde_json::from_slice(body).ok()?;
        if let Some(Response {
            error: Some(err),
            request_id,
        }) = env.response
        {
            return Some(ServiceError {
                code: err.code.unwrap_or_default(),
                message: err.message.unwrap_or_default(),
                request_id,
            });
        }
        let code = env
            .code
            .filter(|c| !(c.is_null() || c.as_i64() == Some(0)))?;
        let code = match code {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        Some(ServiceError {
            code: env.code_desc.filter(|d| !d.is_empty()).unwrap_or(code),
            message: env.message.unwrap_or_default(),
            request_id: None,
        })
    }

    /// Whether this is Tencent's throttling (`RequestLimitExceeded*`), worth a retry.
    pub fn is_throttling(&self) -> bool {
        self.code.starts_with(THROTTLING_CODE_PREFIX)
    }

    /// What to do about this error, for the codes whose cause is known.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.code.as_str() {
            "AuthFailure.SignatureExpire" => {
                "the request time is more than 5 minutes off the server's clock: check this machine's clock (NTP)"
            }
            "AuthFailure.SecretIdNotFound" | "AuthFailure.InvalidSecretId" => {
                "the source SecretId does not exist or is disabled: check the key pair used to call STS"
            }
            "AuthFailure.SignatureFailure" => "the source SecretKey does not match the SecretId",
            "AuthFailure.TokenFailure" => "the source credentials' token is invalid or expired",
            "InternalError.GetRoleError" | "InvalidParameter.RoleNotExist" => {
                "check the role ARN and that the role's trust policy allows this caller"
            }
            _ if self.is_throttling() => "STS is throttling: retry later",
            c if c.starts_with("InvalidParameter") => {
                "check the request parameters (role ARN, session name, duration, policy)"
            }
            _ => return None,
        })
    }

    /// `e` with this error's code, message, request id and, for a known code, its hint.
    pub fn attach_to(self, e: Error) -> Error {
        let e = match self.hint() {
            Some(h) => e.with_hint(h),
            None => e,
        };
        e.with_service_error(self.code, self.message, self.request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_zero_code_is_no_error() {
        assert!(ServiceError::parse(br#"{"code":0,"message":"ok"}"#).is_none());
        let e = ServiceError::parse(br#"{"code":"4100","message":"m"}"#).unwrap();
        assert_eq!(e.code, "4100");
        assert!(ServiceError::parse(b"{not json").is_none());
    }

    #[test]
    fn throttling_and_hints() {
        let e = ServiceError::parse(
            br#"{"Response":{"Error":{"Code":"RequestLimitExceeded.UinLimitExceeded"}}}"#,
        )
        .unwrap();
        assert!(e.is_throttling());
        assert_eq!(e.hint(), Some("STS is throttling: retry later"));
        let e =
            ServiceError::parse(br#"{"Response":{"Error":{"Code":"ResourceNotFound"}}}"#).unwrap();
        assert!(!e.is_throttling() && e.hint().is_none());
    }
}
