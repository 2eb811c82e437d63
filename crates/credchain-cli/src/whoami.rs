//! `credchain whoami`: resolve credentials and ask STS `GetCallerIdentity` whom they belong to.
//!
//! - Alibaba: STS 2015-04-01, RPC signature v1, `GET https://sts.aliyuncs.com/?Action=GetCallerIdentity`;
//!   the host follows `--endpoint`, else `ALIBABA_CLOUD_STS_ENDPOINT`, else
//!   `sts.<ALIBABA_CLOUD_STS_REGION>.aliyuncs.com` (`sts-vpc.` with
//!   `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`), else `sts.aliyuncs.com` — the same rule the library's
//!   STS-based sources use.
//! - Tencent: STS 2018-08-13, TC3-HMAC-SHA256, `POST https://sts.tencentcloudapi.com/`; the host
//!   follows `--endpoint`, else `TENCENTCLOUD_STS_ENDPOINT`, else the global host. The region is
//!   `TENCENTCLOUD_REGION`, else `ap-guangzhou` (STS needs one; any region answers the same).
//!
//! The output names the provider that supplied the credentials (`Credentials::provider_name`),
//! never a secret or token.

use std::io::IsTerminal;

use credchain::sign::{rpc, tc3, Payload};
use credchain::{Credentials, Error, ErrorKind, Result};
use serde_json::{json, Value};

use crate::call::{self, Prepared};
use crate::cli::{Cloud, ReportFormat, WhoamiArgs};
use crate::resolve;

/// Alibaba STS API version.
const ALIBABA_STS_VERSION: &str = "2015-04-01";
/// Tencent STS API version.
const TENCENT_STS_VERSION: &str = "2018-08-13";
/// Region sent to Tencent STS when `TENCENTCLOUD_REGION` is not set.
const TENCENT_DEFAULT_REGION: &str = "ap-guangzhou";

/// Who the credentials are, in one shape for both clouds.
struct Identity {
    account_id: String,
    arn: String,
    user_id: String,
    principal_id: String,
    identity_type: String,
    provider: String,
    request_id: String,
}

/// Resolves, asks STS, and returns what to print on stdout.
pub async fn run(args: &WhoamiArgs) -> Result<String> {
    let ctx = resolve::real_context();
    let (creds, _) =
        resolve::credentials(&args.source.request(args.cloud), &args.cache, &ctx).await?;
    let prepared = match args.cloud {
        Cloud::Alibaba => alibaba_request(&ctx, args.endpoint.as_deref(), &creds)?,
        Cloud::Tencent => tencent_request(&ctx, args.endpoint.as_deref(), &creds)?,
    };
    let resp = call::send(&ctx, &prepared).await?;
    let url = prepared.url();
    let answer = call::check_response(args.cloud, &resp, &url)?;
    let identity = parse(args.cloud, &answer, creds.provider_name(), &url)?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        ReportFormat::Table
    } else {
        ReportFormat::Json
    });
    Ok(match format {
        ReportFormat::Json => format!("{}\n", to_json(args.cloud, &identity)),
        ReportFormat::Table => to_table(args.cloud, &identity),
    })
}

fn alibaba_request(
    ctx: &credchain::context::Context,
    endpoint: Option<&str>,
    creds: &Credentials,
) -> Result<Prepared> {
    let base = match endpoint {
        Some(e) => e.to_string(),
        None => credchain::alibaba::StsEndpoint::default().resolve(ctx, "sts.aliyuncs.com")?,
    };
    let (scheme, host) = call::endpoint(Some(&base), String::new())?;
    let req = rpc::RpcRequest::new(
        host.as_str(),
        "GetCallerIdentity",
        ALIBABA_STS_VERSION,
        credchain::time::format_rfc3339(ctx.now()),
        credchain::sign::new_nonce(),
    );
    let signed = rpc::sign(&req, creds)?;
    Ok(Prepared {
        request: req.to_http_request(&signed, &scheme)?,
        shown_headers: Vec::new(),
        canonical_request: signed.canonical_query_string,
        string_to_sign: signed.string_to_sign,
    })
}

fn tencent_request(
    ctx: &credchain::context::Context,
    endpoint: Option<&str>,
    creds: &Credentials,
) -> Result<Prepared> {
    let env_endpoint = ctx.env_non_empty(credchain::tencent::env_vars::STS_ENDPOINT)?;
    let sts = match endpoint.map(str::to_string).or(env_endpoint) {
        Some(e) => credchain::tencent::StsEndpoint::parse(&e)?,
        None => credchain::tencent::StsEndpoint::default_global(),
    };
    let region = ctx
        .env_non_empty("TENCENTCLOUD_REGION")?
        .unwrap_or_else(|| TENCENT_DEFAULT_REGION.to_string());
    let mut req = tc3::Tc3Request::new(
        sts.host.as_str(),
        "GetCallerIdentity",
        TENCENT_STS_VERSION,
        credchain::time::unix_seconds(ctx.now()),
    );
    req.service = "sts".into();
    req.region = region;
    req.payload = Payload::Bytes(b"{}".to_vec());
    let signed = tc3::sign(&req, creds)?;
    // `sts.url` is `scheme://host/`.
    let scheme = sts.url.split_once("://").map_or("https", |(s, _)| s);
    Ok(Prepared {
        request: req.to_http_request(&signed, scheme)?,
        shown_headers: signed.headers,
        canonical_request: signed.canonical_request,
        string_to_sign: signed.string_to_sign,
    })
}

/// Reads the answer; a field STS must send that is missing is an error naming it.
fn parse(cloud: Cloud, answer: &Value, provider: &str, url: &str) -> Result<Identity> {
    let (body, type_key) = match cloud {
        Cloud::Alibaba => (answer, "IdentityType"),
        Cloud::Tencent => (&answer["Response"], "Type"),
    };
    let field = |k: &str| -> Result<String> {
        body[k].as_str().map(str::to_string).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!("the GetCallerIdentity answer has no string field '{k}'"),
            )
            .with_endpoint(credchain::redact::url(url))
        })
    };
    Ok(Identity {
        account_id: field("AccountId")?,
        arn: field("Arn")?,
        user_id: field("UserId")?,
        principal_id: body["PrincipalId"].as_str().unwrap_or_default().to_string(),
        identity_type: field(type_key)?,
        provider: provider.to_string(),
        request_id: field("RequestId")?,
    })
}

fn to_json(cloud: Cloud, i: &Identity) -> Value {
    json!({
        "cloud": match cloud { Cloud::Alibaba => "alibaba", Cloud::Tencent => "tencent" },
        "account_id": i.account_id,
        "arn": i.arn,
        "user_id": i.user_id,
        "principal_id": i.principal_id,
        "identity_type": i.identity_type,
        "provider": i.provider,
        "request_id": i.request_id,
    })
}

fn to_table(cloud: Cloud, i: &Identity) -> String {
    let account = match cloud {
        Cloud::Alibaba => "AccountId",
        Cloud::Tencent => "AccountId (uin)",
    };
    let rows = [
        ("Cloud", cloud.title()),
        (account, i.account_id.as_str()),
        ("Arn", i.arn.as_str()),
        ("UserId", i.user_id.as_str()),
        ("PrincipalId", i.principal_id.as_str()),
        ("IdentityType", i.identity_type.as_str()),
        ("Credentials from", i.provider.as_str()),
        ("RequestId", i.request_id.as_str()),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named() {
        let answer = json!({"AccountId": "1", "Arn": "a", "UserId": "u", "RequestId": "r"});
        let e = parse(
            Cloud::Alibaba,
            &answer,
            "env",
            "https://sts.aliyuncs.com/?x=1",
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("IdentityType"), "{e}");
        let tc = json!({"Response": {"AccountId": "1", "Arn": "a", "UserId": "u",
            "Type": "RootAccount", "RequestId": "r"}});
        let i = parse(Cloud::Tencent, &tc, "env", "u").unwrap();
        assert_eq!(
            (i.identity_type.as_str(), i.principal_id.as_str()),
            ("RootAccount", "")
        );
    }
}
