//! `credchain presign alibaba|tencent`: a presigned object URL from the resolved credentials.
//!
//! - Credentials come from the cloud's default chain, `--profile` or `--config`, exactly as for
//!   `credchain get`; for Alibaba without `--profile` / `--config`, the OSS tools'
//!   `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET` / `OSS_SESSION_TOKEN` are read right after the
//!   `ALIBABA_CLOUD_*` variables ([`credchain::alibaba::object_storage_chain`]).
//! - Alibaba signs with OSS V4 query signing by default (`--signature-version v1` for the older
//!   `OSSAccessKeyId`/`Expires`/`Signature` form); Tencent with the COS `q-sign-algorithm=sha1`
//!   signature (temporary credentials add the signed `x-cos-security-token` parameter).
//! - Host: `B.oss-R.aliyuncs.com` / `B-APPID.cos.R.myqcloud.com`; `--endpoint HOST` replaces the
//!   region-derived host and keeps the bucket virtual-hosted; a full `http://IP:PORT` (or
//!   `http://localhost:PORT`) URL gives a path-style URL on that host (an emulator).
//! - `--timestamp` fixes the signing time; the URL is then the one the official SDK (oss2,
//!   alibabacloud-oss-v2, cos-python-sdk-v5) produces when its clock reads that time.
//! - stdout is exactly one line, the URL. The secret is never printed (it is not part of a
//!   presigned URL); errors go to stderr.

use credchain::sign::cos_presign::{self, CosPresignRequest};
use credchain::sign::object_endpoint::ObjectEndpoint;
use credchain::sign::oss_presign::{self, OssPresignRequest};
use credchain::{Error, ErrorKind, Result};

use crate::cli::{Cloud, OssSignatureVersion, PresignCommand};
use crate::{disk_cache, resolve};

/// Resolves credentials and presigns; returns the line for stdout.
pub async fn run(cmd: &PresignCommand) -> Result<String> {
    let (cloud, common) = match cmd {
        PresignCommand::Alibaba(a) => (Cloud::Alibaba, &a.common),
        PresignCommand::Tencent(t) => (Cloud::Tencent, &t.common),
    };
    // Check the inputs before any credential source runs (a typo should not cost a network call).
    let ctx = resolve::real_context();
    let timestamp = match common.timestamp.as_deref() {
        Some(t) => parse_timestamp(t)?,
        None => credchain::time::unix_seconds(ctx.now()),
    };
    let endpoint = common
        .endpoint
        .as_deref()
        .map(ObjectEndpoint::parse)
        .transpose()?;
    let method = common.method.to_ascii_uppercase();
    let provider = match (cloud, &common.config, &common.profile) {
        // The OSS tools' OSS_* keys count too, after the ALIBABA_CLOUD_* ones.
        (Cloud::Alibaba, None, None) => {
            credchain::SharedProvider::new(credchain::alibaba::object_storage_chain(&ctx))
        }
        _ => {
            resolve::provider(
                cloud,
                common.config.as_deref(),
                common.profile.as_deref(),
                &ctx,
            )?
            .0
        }
    };
    let request = disk_cache::Request {
        cloud,
        profile: common.profile.as_deref(),
        config: common.config.as_deref(),
    };
    let creds = disk_cache::credentials(&common.cache, &request, &provider, &ctx).await?;
    let url = match cmd {
        PresignCommand::Alibaba(a) => {
            let mut req = OssPresignRequest::new(
                method,
                common.bucket.as_str(),
                common.key.as_str(),
                common.region.as_str(),
                timestamp,
            );
            req.expires = common.expires;
            req.endpoint_override = endpoint;
            match a.signature_version {
                OssSignatureVersion::V1 => oss_presign::presign_v1(&req, &creds)?.url,
                OssSignatureVersion::V4 => oss_presign::presign_v4(&req, &creds)?.url,
            }
        }
        PresignCommand::Tencent(_) => {
            let mut req = CosPresignRequest::new(
                method,
                common.bucket.as_str(),
                common.key.as_str(),
                common.region.as_str(),
                timestamp,
            );
            req.expires = common.expires;
            req.endpoint_override = endpoint;
            cos_presign::presign(&req, &creds)?.url
        }
    };
    Ok(format!("{url}\n"))
}

/// `--timestamp`: RFC 3339 (`2025-01-01T12:00:00Z`, any offset) or Unix seconds.
fn parse_timestamp(text: &str) -> Result<i64> {
    let t = text.trim();
    let parsed = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        t.parse::<i64>().ok()
    } else {
        t.parse::<jiff::Timestamp>().ok().map(|ts| ts.as_second())
    };
    match parsed {
        Some(secs) if secs >= 0 => Ok(secs),
        _ => Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("--timestamp {t:?} is neither RFC 3339 nor Unix seconds"),
        )
        .with_hint("pass e.g. 2025-01-01T12:00:00Z or 1735732800")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_both_forms() {
        assert_eq!(parse_timestamp("1735732800").unwrap(), 1735732800);
        assert_eq!(parse_timestamp("2025-01-01T12:00:00Z").unwrap(), 1735732800);
        assert_eq!(
            parse_timestamp("2025-01-01T20:00:00+08:00").unwrap(),
            1735732800
        );
        for bad in [
            "",
            "yesterday",
            "-5",
            "2025-13-01T00:00:00Z",
            "99999999999999999999",
        ] {
            let e = parse_timestamp(bad).unwrap_err().to_string();
            assert!(e.contains("--timestamp"), "{e}");
        }
    }
}
