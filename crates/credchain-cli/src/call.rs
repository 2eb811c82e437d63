//! `credchain call`: resolve credentials, sign one API request, send it, print the JSON response.
//!
//! - Alibaba `--style rpc` (default): RPC signature v1, GET with the signed query. Parameters go in
//!   the query; one named like a common parameter (`Format`, `RegionId`, ...) replaces it.
//! - Alibaba `--style acs3`: OpenAPI V3 `ACS3-HMAC-SHA256`, POST, parameters in the query, headers
//!   as the official SDKs send them.
//! - Tencent: TC3-HMAC-SHA256, POST with a JSON body, `X-TC-Token` for temporary credentials.
//! - `--dry-run` prints the canonical request, the string to sign and the signed request. The
//!   signature is shown; the security token never is (nor the secret, which is never part of
//!   these texts).

use std::fmt::Write as _;
use std::io::IsTerminal;

use credchain::context::Context;
use credchain::http::{
    send_with_retry, HttpRequest, HttpResponse, ProxyPolicy, RetryPolicy, Timeouts,
};
use credchain::sign::{acs3, rpc, tc3, Payload};
use credchain::{Credentials, Error, ErrorKind, Result};
use serde_json::Value;

use crate::cli::{AlibabaCallArgs, CallCommand, Cloud, Style, TencentCallArgs};
use crate::resolve;

/// A request ready to send (or to show).
pub(crate) struct Prepared {
    /// The signed request, as the library builds it from the signed parts.
    pub(crate) request: http::Request<Vec<u8>>,
    /// The signed headers as the signer spells them (`X-TC-Action`), which the dry run shows;
    /// `request` holds the same headers.
    pub(crate) shown_headers: Vec<(String, String)>,
    pub(crate) canonical_request: String,
    pub(crate) string_to_sign: String,
}

impl Prepared {
    /// The URL, query included.
    pub(crate) fn url(&self) -> String {
        self.request.uri().to_string()
    }
}

/// Runs the call; returns what to print on stdout.
pub async fn run(cmd: &CallCommand) -> Result<String> {
    let (cloud, common) = match cmd {
        CallCommand::Alibaba(a) => (Cloud::Alibaba, &a.common),
        CallCommand::Tencent(t) => (Cloud::Tencent, &t.common),
    };
    let ctx = resolve::real_context();
    let (creds, _) =
        resolve::credentials(&common.source.request(cloud), &common.cache, &ctx).await?;
    let prepared = match cmd {
        CallCommand::Alibaba(a) => prepare_alibaba(a, &ctx, &creds)?,
        CallCommand::Tencent(t) => prepare_tencent(t, &ctx, &creds)?,
    };
    if common.dry_run {
        return Ok(redact(&dry_run_text(&prepared), &creds));
    }
    // The service may echo what it was sent (Alibaba's string to sign holds the token).
    let resp = send(&ctx, &prepared)
        .await
        .map_err(|e| e.redact_credentials(&creds))?;
    let json =
        check_response(cloud, &resp, &prepared.url()).map_err(|e| e.redact_credentials(&creds))?;
    Ok(if std::io::stdout().is_terminal() {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        )
    } else {
        format!("{json}\n")
    })
}

/// Splits `--endpoint` into scheme and authority: a bare host means https.
pub(crate) fn endpoint(given: Option<&str>, default_host: String) -> Result<(String, String)> {
    let raw = given.map(str::to_string).unwrap_or(default_host);
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("https".to_string(), raw.as_str()),
    };
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(i) => (rest[..i].to_string(), &rest[i..]),
        None => (rest.to_string(), ""),
    };
    if !tail.is_empty() && tail != "/" {
        return Err(Error::invalid_config(format!(
            "the endpoint '{}' has a path or query, which would be dropped",
            credchain::redact::url(&raw)
        ))
        .with_hint("give only the scheme and host, e.g. http://127.0.0.1:8080 or ecs.cn-hangzhou.aliyuncs.com"));
    }
    if authority.is_empty() || !(scheme == "http" || scheme == "https") {
        return Err(Error::invalid_config(format!(
            "the endpoint '{}' is not a host or an http(s) URL",
            credchain::redact::url(&raw)
        ))
            .with_hint("pass a host such as ecs.cn-hangzhou.aliyuncs.com or a URL such as http://127.0.0.1:8080"));
    }
    Ok((scheme, authority))
}

/// `Key=Value` pairs, split at the first `=`.
fn params(raw: &[String]) -> Result<Vec<(String, String)>> {
    raw.iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(Error::invalid_config(format!(
                "the parameter '{p}' is not Key=Value"
            ))),
        })
        .collect()
}

/// Products served from one central host, `<product>.aliyuncs.com`, whatever the region.
const ALIBABA_CENTRAL_PRODUCTS: &[&str] = &["ram", "sts", "resourcemanager", "cdn"];

/// The host of an Alibaba call: `--endpoint`, else the host rule for `--product` and the region.
fn alibaba_host(a: &AlibabaCallArgs, region: Option<&str>) -> Result<(String, String)> {
    if let Some(e) = a.common.endpoint.as_deref() {
        return endpoint(Some(e), String::new());
    }
    let Some(product) = a.product.as_deref().map(str::to_ascii_lowercase) else {
        return Err(Error::invalid_config(
            "call alibaba needs the endpoint: give --endpoint HOST, or --product CODE (with --region \
             or a profile region_id) for <product>.<region>.aliyuncs.com",
        )
        .with_hint("e.g. --product ecs --region cn-hangzhou, or --endpoint ecs.cn-hangzhou.aliyuncs.com"));
    };
    if ALIBABA_CENTRAL_PRODUCTS.contains(&product.as_str()) {
        return endpoint(Some(&format!("{product}.aliyuncs.com")), String::new());
    }
    match region {
        Some(r) => endpoint(Some(&format!("{product}.{r}.aliyuncs.com")), String::new()),
        None => Err(Error::invalid_config(format!(
            "--product {product} needs a region for {product}.<region>.aliyuncs.com"
        ))
        .with_hint("give --region, set region_id in the aliyun-cli profile, or give --endpoint")),
    }
}

/// The region of an Alibaba call: `--region`, else `region_id` of the aliyun-cli profile in use
/// (`--profile`, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`).
fn alibaba_region(a: &AlibabaCallArgs, ctx: &Context) -> Option<String> {
    a.region
        .clone()
        .or_else(|| crate::region::alibaba_profile_region(a.common.source.profile.as_deref(), ctx))
}

fn prepare_alibaba(a: &AlibabaCallArgs, ctx: &Context, creds: &Credentials) -> Result<Prepared> {
    let c = &a.common;
    let region = alibaba_region(a, ctx);
    let (scheme, host) = alibaba_host(a, region.as_deref())?;
    let timestamp = a
        .timestamp
        .clone()
        .unwrap_or_else(|| credchain::time::format_rfc3339(ctx.now()));
    let nonce = a.nonce.clone().unwrap_or_else(credchain::sign::new_nonce);
    let mut params = params(&a.params)?;
    if let Some(r) = region.filter(|_| !params.iter().any(|(k, _)| k == "RegionId")) {
        params.push(("RegionId".to_string(), r));
    }
    match a.style {
        Style::Rpc => {
            let mut req = rpc::RpcRequest::new(
                host.as_str(),
                c.action.as_str(),
                c.version.as_str(),
                timestamp,
                nonce,
            );
            for (k, v) in params {
                match req.query.iter_mut().find(|(qk, _)| *qk == k) {
                    Some(slot) => slot.1 = v,
                    None => req.query.push((k, v)),
                }
            }
            let signed = rpc::sign(&req, creds)?;
            Ok(Prepared {
                request: req.to_http_request(&signed, &scheme)?,
                shown_headers: Vec::new(),
                canonical_request: signed.canonical_query_string,
                string_to_sign: signed.string_to_sign,
            })
        }
        Style::Acs3 => {
            let mut req = acs3::Acs3Request::new(
                host.as_str(),
                c.action.as_str(),
                c.version.as_str(),
                timestamp,
                nonce,
            );
            req.query = params;
            req.payload = Payload::Bytes(Vec::new());
            let signed = acs3::sign(&req, creds)?;
            Ok(Prepared {
                request: req.to_http_request(&signed, &scheme)?,
                shown_headers: signed.headers,
                canonical_request: signed.canonical_request,
                string_to_sign: signed.string_to_sign,
            })
        }
    }
}

fn prepare_tencent(t: &TencentCallArgs, ctx: &Context, creds: &Credentials) -> Result<Prepared> {
    let c = &t.common;
    let (scheme, host) = endpoint(
        c.endpoint.as_deref(),
        format!("{}.tencentcloudapi.com", t.service),
    )?;
    let body = t.body.clone().unwrap_or_else(|| "{}".to_string());
    serde_json::from_str::<Value>(&body).map_err(|e| {
        Error::invalid_config(format!(
            "--body is not valid JSON: {}",
            credchain::redact::json_error(&e)
        ))
    })?;
    let timestamp = t
        .timestamp
        .unwrap_or_else(|| credchain::time::unix_seconds(ctx.now()));
    let mut req = tc3::Tc3Request::new(
        host.as_str(),
        c.action.as_str(),
        c.version.as_str(),
        timestamp,
    );
    req.service = t.service.clone();
    req.region = match t.region.clone() {
        Some(r) => r,
        None => ctx
            .env_non_empty("TENCENTCLOUD_REGION")?
            .unwrap_or_default(),
    };
    req.payload = Payload::Bytes(body.into_bytes());
    let signed = tc3::sign(&req, creds)?;
    Ok(Prepared {
        request: req.to_http_request(&signed, &scheme)?,
        shown_headers: signed.headers,
        canonical_request: signed.canonical_request,
        string_to_sign: signed.string_to_sign,
    })
}

fn dry_run_text(p: &Prepared) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== canonical request ==\n{}\n", p.canonical_request);
    let _ = writeln!(out, "== string to sign ==\n{}\n", p.string_to_sign);
    let _ = writeln!(
        out,
        "== signed request ==\n{} {}",
        p.request.method(),
        p.url()
    );
    for (k, v) in &p.shown_headers {
        let _ = writeln!(out, "{k}: {v}");
    }
    let body = p.request.body();
    if !body.is_empty() {
        let _ = writeln!(out, "\n{}", String::from_utf8_lossy(body));
    }
    out
}

/// Replaces the security token and the secret (raw, percent-encoded, and double-encoded as in an
/// RPC string to sign) with `***`, the library's one redaction ([`credchain::redact`]).
fn redact(text: &str, creds: &Credentials) -> String {
    let secrets = [
        Some(creds.access_key_secret()),
        creds.security_token(),
        creds.bearer_token(),
    ];
    credchain::redact::remove_values(text, secrets.into_iter().flatten())
}

/// Sends the signed request as built; the HTTP client sets `Host` from the URL itself.
pub(crate) async fn send(ctx: &Context, p: &Prepared) -> Result<HttpResponse> {
    let signed = &p.request;
    send_with_retry(ctx.http().as_ref(), RetryPolicy::NONE, || {
        let mut req = HttpRequest::new(signed.method().clone(), signed.uri().to_string())
            .timeouts(Timeouts::STS)
            .proxy(ProxyPolicy::FromEnv)
            .body(signed.body().clone());
        req.headers = signed.headers().clone();
        req.headers.remove(http::header::HOST);
        Ok(req)
    })
    .await
}

/// The response JSON, or the service's error (code, message, request id).
pub(crate) fn check_response(cloud: Cloud, resp: &HttpResponse, url: &str) -> Result<Value> {
    let endpoint = credchain::redact::url(url);
    // The library's parsers are the one reading of each cloud's error body; Tencent reports
    // errors in HTTP 200 answers too, Alibaba only in failed ones.
    let service_error = match cloud {
        Cloud::Tencent => credchain::tencent::service_error::ServiceError::parse(&resp.body)
            .map(|e| (e.code, e.message, e.request_id)),
        Cloud::Alibaba if !resp.is_success() => credchain::alibaba::ServiceError::parse(&resp.body)
            .map(|e| (e.code, e.message, e.request_id)),
        Cloud::Alibaba => None,
    };
    if let Some((code, message, request_id)) = service_error {
        return Err(Error::new(ErrorKind::Service, "the API call failed")
            .with_endpoint(endpoint)
            .with_status(resp.status)
            .with_service_error(code, message, request_id));
    }
    match serde_json::from_slice::<Value>(&resp.body) {
        Ok(j) if resp.is_success() => Ok(j),
        _ => Err(Error::new(
            ErrorKind::InvalidResponse,
            "the response is not a JSON API answer",
        )
        .with_endpoint(endpoint)
        .with_status(resp.status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint(Some("ecs.aliyuncs.com"), String::new()).unwrap(),
            ("https".into(), "ecs.aliyuncs.com".into())
        );
        assert_eq!(
            endpoint(Some("http://127.0.0.1:8080/"), String::new()).unwrap(),
            ("http".into(), "127.0.0.1:8080".into())
        );
        for with_more in [
            "http://127.0.0.1:8080/x",
            "ecs.aliyuncs.com?a=b",
            "h.example/#f",
        ] {
            let e = endpoint(Some(with_more), String::new()).unwrap_err();
            assert!(e.to_string().contains("path or query"), "{e}");
        }
        assert_eq!(
            endpoint(None, "cvm.tencentcloudapi.com".into()).unwrap().1,
            "cvm.tencentcloudapi.com"
        );
        assert!(endpoint(Some("ftp://x"), String::new()).is_err());
        assert!(endpoint(Some("http://"), String::new()).is_err());
    }

    #[test]
    fn params_split_at_first_equals() {
        let p = params(&["A=b=c".into(), "Empty=".into()]).unwrap();
        assert_eq!(
            p,
            vec![("A".into(), "b=c".into()), ("Empty".into(), String::new())]
        );
        assert!(params(&["novalue".into()]).is_err());
        assert!(params(&["=v".into()]).is_err());
    }

    #[test]
    fn redaction_covers_encoded_tokens() {
        let c = Credentials::builder("id", "sec")
            .security_token("a/b+c")
            .build();
        let text = "x a/b+c y a%2Fb%2Bc z a%252Fb%252Bc";
        let r = redact(text, &c);
        assert!(
            !r.contains("a/b") && !r.contains("a%2F") && !r.contains("a%25"),
            "{r}"
        );
    }
}
