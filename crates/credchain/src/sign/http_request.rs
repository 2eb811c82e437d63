//! A signed API request as an [`http::Request`], ready for any HTTP client: the signers return
//! the signed parts (query string, headers, body hash); `to_http_request` puts them together with
//! the request they were made from ([`RpcRequest::to_http_request`],
//! [`Acs3Request::to_http_request`], [`Tc3Request::to_http_request`]).
//!
//! The request carries exactly what was signed and nothing else: the URI is
//! `scheme://host/path?query` with the query as signed, the headers are the ones the signer
//! returned (plus, for ACS3, the request's own headers, which the signer does not repeat), and the
//! body is the payload that was hashed. A payload signed only by its hash
//! ([`Payload::Hash`], [`Payload::Unsigned`]) has no body to put in, so that is an error. Header
//! values that carry a credential (`authorization`, any name with `token`) are marked sensitive,
//! so clients that honour [`http::HeaderValue::set_sensitive`] keep them out of logs and caches.

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{Method, Request, Uri};

use super::acs3::{Acs3Request, Acs3Signed};
use super::rpc::{RpcRequest, RpcSigned};
use super::tc3::{Tc3Request, Tc3Signed};
use super::Payload;
use crate::error::{Error, Result};

/// The content type of an RPC form body.
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

impl RpcRequest {
    /// The request `signed` was made from, as an [`http::Request`] to `scheme` (`https`, or
    /// `http` for a local endpoint): `METHOD scheme://host/?<signed query>`, and the form body
    /// with its content type when the request has form parameters.
    ///
    /// ```
    /// use credchain::sign::rpc::{self, RpcRequest};
    /// let req = RpcRequest::new("ecs.aliyuncs.com", "DescribeRegions", "2014-05-26", "2024-01-01T00:00:00Z", "n");
    /// let signed = rpc::sign_with_secret(&req, "id", "secret", None).unwrap();
    /// let http = req.to_http_request(&signed, "https").unwrap();
    /// assert_eq!(http.method(), "GET");
    /// assert_eq!(http.uri().to_string(), format!("https://ecs.aliyuncs.com/?{}", signed.query_string));
    /// assert!(http.headers().is_empty() && http.body().is_empty());
    /// ```
    pub fn to_http_request(&self, signed: &RpcSigned, scheme: &str) -> Result<Request<Vec<u8>>> {
        let uri = uri(scheme, &self.host, "/", &signed.query_string)?;
        let (headers, body) = if self.form.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                vec![(CONTENT_TYPE.as_str(), FORM_CONTENT_TYPE)],
                signed.form_body.clone().into_bytes(),
            )
        };
        request(&self.method, uri, headers, body)
    }
}

impl Acs3Request {
    /// The request `signed` was made from, as an [`http::Request`] to `scheme`:
    /// `METHOD scheme://host<canonical path>?<canonical query>`, the request's headers and the
    /// signer's (`host`, `x-acs-*`, `authorization`), and the payload as the body.
    ///
    /// ```
    /// use credchain::sign::acs3::{self, Acs3Request};
    /// use credchain::sign::Payload;
    /// let mut req = Acs3Request::new("ecs.aliyuncs.com", "DescribeRegions", "2014-05-26", "2024-01-01T00:00:00Z", "n");
    /// req.query = vec![("RegionId".into(), "cn-hangzhou".into())];
    /// req.payload = Payload::Bytes(b"{}".to_vec());
    /// let signed = acs3::sign_with_secret(&req, "id", "secret", None).unwrap();
    /// let http = req.to_http_request(&signed, "https").unwrap();
    /// assert_eq!(http.uri().to_string(), "https://ecs.aliyuncs.com/?RegionId=cn-hangzhou");
    /// assert_eq!(http.headers()["authorization"], signed.authorization.as_str());
    /// assert_eq!(http.body(), b"{}");
    /// ```
    pub fn to_http_request(&self, signed: &Acs3Signed, scheme: &str) -> Result<Request<Vec<u8>>> {
        let uri = uri(
            scheme,
            &self.host,
            &signed.canonical_uri,
            &signed.canonical_query_string,
        )?;
        let headers = self.headers.iter().chain(&signed.headers);
        let headers = headers.map(|(k, v)| (k.as_str(), v.as_str())).collect();
        request(&self.method, uri, headers, body(&self.payload)?)
    }
}

impl Tc3Request {
    /// The request `signed` was made from, as an [`http::Request`] to `scheme`:
    /// `METHOD scheme://host/?<signed query>` (no `?` without a query), every header the signer
    /// returned (`Host`, `Content-Type`, `X-TC-*`, `Authorization`), and the payload as the body.
    ///
    /// ```
    /// use credchain::sign::{tc3, Payload};
    /// let mut req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
    /// req.payload = Payload::Bytes(b"{}".to_vec());
    /// let signed = tc3::sign_with_key(&req, "AKIDexample", "key", None).unwrap();
    /// let http = req.to_http_request(&signed, "https").unwrap();
    /// assert_eq!((http.method().as_str(), http.uri().to_string().as_str()), ("POST", "https://cvm.tencentcloudapi.com/"));
    /// assert_eq!(http.headers()["x-tc-action"], "DescribeInstances");
    /// assert_eq!(http.headers()["authorization"], signed.authorization.as_str());
    /// ```
    pub fn to_http_request(&self, signed: &Tc3Signed, scheme: &str) -> Result<Request<Vec<u8>>> {
        let uri = uri(scheme, &self.host, "/", &signed.canonical_query_string)?;
        let headers = signed.headers.iter();
        let headers = headers.map(|(k, v)| (k.as_str(), v.as_str())).collect();
        request(&self.method, uri, headers, body(&self.payload)?)
    }
}

/// `scheme://host<path>[?query]`. Errors never show the URI: its query holds the signature.
fn uri(scheme: &str, host: &str, path: &str, query: &str) -> Result<Uri> {
    if host.is_empty() {
        return Err(
            Error::invalid_config("the signed request has no host, so it cannot be sent")
                .with_hint("set the request's host before signing"),
        );
    }
    let text = if query.is_empty() {
        format!("{scheme}://{host}{path}")
    } else {
        format!("{scheme}://{host}{path}?{query}")
    };
    text.parse::<Uri>().map_err(|e| {
        Error::invalid_config(format!(
            "the signed request's URL (host '{}', scheme '{}') is not a valid URI: {e}",
            crate::redact::line(host, 256),
            crate::redact::line(scheme, 16)
        ))
        .with_hint("give a host name (with an optional port) and the scheme http or https")
    })
}

/// The body that was hashed; a payload signed only by its hash has none.
fn body(payload: &Payload) -> Result<Vec<u8>> {
    match payload {
        Payload::Bytes(b) => Ok(b.clone()),
        Payload::Empty => Ok(Vec::new()),
        Payload::Hash(_) | Payload::Unsigned => Err(Error::invalid_config(
            "the request was signed without its body (Payload::Hash or Payload::Unsigned), so \
             it cannot be turned into a request with a body",
        )
        .with_hint(
            "sign with Payload::Bytes, or build the request from the signed headers and attach \
             the body yourself",
        )),
    }
}

fn request(
    method: &str,
    uri: Uri,
    headers: Vec<(&str, &str)>,
    body: Vec<u8>,
) -> Result<Request<Vec<u8>>> {
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
        Error::invalid_config(format!(
            "the signed request's method '{}' is not an HTTP method",
            crate::redact::line(method, 32)
        ))
    })?;
    let mut req = Request::new(body);
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    for (name, value) in headers {
        let (name, value) = header(name, value)?;
        req.headers_mut().append(name, value);
    }
    Ok(req)
}

/// One header; a value that carries a credential is marked sensitive. Errors name the header,
/// never its value.
fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let invalid = |what: &str| {
        Error::invalid_config(format!(
            "the signed request's header '{}' has {what} that is not valid HTTP",
            crate::redact::line(name, 64)
        ))
        .with_hint("header names and values must be visible ASCII without line breaks")
    };
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid("a name"))?;
    let mut header_value = HeaderValue::from_str(value).map_err(|_| invalid("a value"))?;
    let lower = header_name.as_str();
    if lower == "authorization" || lower.contains("token") {
        header_value.set_sensitive(true);
    }
    Ok((header_name, header_value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{acs3, rpc, tc3};

    /// The request's headers as sorted (lower-case name, value) pairs (a header map keeps no
    /// order it promises).
    fn pairs(req: &Request<Vec<u8>>) -> Vec<(String, String)> {
        let mut all: Vec<_> = req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        all.sort();
        all
    }

    /// `headers` as [`pairs`] shows them.
    fn lower(headers: &[(String, String)]) -> Vec<(String, String)> {
        let mut all: Vec<_> = headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        all.sort();
        all
    }

    #[test]
    fn tc3_carries_exactly_the_signed_headers_uri_and_body() {
        let mut req = tc3::Tc3Request::new(
            "cvm.tencentcloudapi.com",
            "DescribeInstances",
            "2017-03-12",
            1_704_067_200,
        );
        req.region = "ap-shanghai".into();
        req.query = vec![("Limit".into(), "1".into())];
        req.payload = Payload::Bytes(br#"{"Limit":1}"#.to_vec());
        let signed = tc3::sign_with_key(&req, "AKIDexample", "key", Some("tmp-token")).unwrap();
        let http = req.to_http_request(&signed, "http").unwrap();
        assert_eq!(http.method(), Method::POST);
        assert_eq!(
            http.uri().to_string(),
            format!(
                "http://cvm.tencentcloudapi.com/?{}",
                signed.canonical_query_string
            )
        );
        assert_eq!(pairs(&http), lower(&signed.headers));
        assert_eq!(http.body(), br#"{"Limit":1}"#);
        assert!(http.headers()["x-tc-token"].is_sensitive());
        assert!(http.headers()["authorization"].is_sensitive());
        assert!(!http.headers()["x-tc-region"].is_sensitive());
    }

    #[test]
    fn acs3_adds_the_callers_headers_to_the_signers() {
        let mut req = acs3::Acs3Request::new(
            "ecs.aliyuncs.com",
            "DescribeRegions",
            "2014-05-26",
            "2024-01-01T00:00:00Z",
            "n1",
        );
        req.path = "/a b".into();
        req.query = vec![("RegionId".into(), "cn-hangzhou".into())];
        req.headers = vec![("content-type".into(), "application/json".into())];
        req.payload = Payload::Bytes(b"{}".to_vec());
        let signed = acs3::sign_with_secret(&req, "id", "secret", Some("sts-token")).unwrap();
        let http = req.to_http_request(&signed, "https").unwrap();
        assert_eq!(
            http.uri().to_string(),
            format!(
                "https://ecs.aliyuncs.com{}?{}",
                signed.canonical_uri, signed.canonical_query_string
            )
        );
        assert_eq!(signed.canonical_uri, "/a%20b");
        let mut want = req.headers.clone();
        want.extend(signed.headers.iter().cloned());
        assert_eq!(pairs(&http), lower(&want));
        assert_eq!(http.body(), b"{}");
        assert!(http.headers()["x-acs-security-token"].is_sensitive());
    }

    #[test]
    fn rpc_sends_the_signed_query_and_the_form() {
        let mut req = rpc::RpcRequest::new(
            "sts.aliyuncs.com",
            "AssumeRole",
            "2015-04-01",
            "2024-01-01T00:00:00Z",
            "n",
        );
        req.method = "POST".into();
        req.form = vec![("RoleArn".into(), "acs:ram::1:role/r".into())];
        let signed = rpc::sign_with_secret(&req, "id", "secret", None).unwrap();
        let http = req.to_http_request(&signed, "https").unwrap();
        assert_eq!(http.method(), Method::POST);
        assert_eq!(
            http.uri().to_string(),
            format!("https://sts.aliyuncs.com/?{}", signed.query_string)
        );
        assert_eq!(http.body(), signed.form_body.as_bytes());
        assert_eq!(
            pairs(&http),
            vec![("content-type".to_string(), FORM_CONTENT_TYPE.to_string())]
        );
    }

    #[test]
    fn a_body_known_only_by_its_hash_is_an_error() {
        let mut req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "A", "2017-03-12", 0);
        req.payload = Payload::Unsigned;
        let signed = tc3::sign_with_key(&req, "AKID", "key", None).unwrap();
        let e = req.to_http_request(&signed, "https").unwrap_err();
        assert!(e.to_string().contains("without its body"), "{e}");
    }

    #[test]
    fn errors_never_show_a_header_value() {
        let mut req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "A", "2017-03-12", 0);
        req.headers = vec![("X-TC-Language".into(), "SECRET-LOOKING\nvalue".into())];
        let signed = tc3::sign_with_key(&req, "AKID", "key", None).unwrap();
        let e = req.to_http_request(&signed, "https").unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(
            shown.contains("X-TC-Language") && !shown.contains("SECRET-LOOKING"),
            "{shown}"
        );
        let no_host = acs3::Acs3Request::new("", "A", "2014-05-26", "2024-01-01T00:00:00Z", "n");
        let signed = acs3::sign_with_secret(&no_host, "id", "secret", None).unwrap();
        let e = no_host.to_http_request(&signed, "https").unwrap_err();
        assert!(e.to_string().contains("no host"), "{e}");
    }
}
