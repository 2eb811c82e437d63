//! The STS AssumeRoleWithWebIdentity call that `oidc_role_arn` and `tke_oidc` share
//! (`docs/sources/tencent.md#web-identity-and-tke`).
//!
//! - Unsigned: `Authorization: SKIP`, and never an `X-TC-Token`.
//! - Body: `ProviderId`, `WebIdentityToken`, `RoleArn`, `RoleSessionName`, `DurationSeconds`.
//! - The region is the configured one (`X-TC-Region`).
//! - A token file is read at every call (projected tokens rotate); its content is the token, with
//!   surrounding whitespace (a trailing newline) removed, since a JWT never contains any.

use std::path::PathBuf;

use serde_json::json;

use super::role_settings::RoleRequest;
use super::sts::{Auth, StsClient};
use crate::context::MAX_FILE_SIZE;
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, ErrorKind, Result};

/// Where the web identity token comes from.
pub(crate) enum TokenSource {
    Fixed(Secret),
    File(PathBuf),
}

/// The request parameters of one call.
pub(crate) struct WebIdentityParams {
    /// The role, session name, duration and region.
    pub(crate) role: RoleRequest,
    pub(crate) provider_id: String,
    pub(crate) token: TokenSource,
}

impl WebIdentityParams {
    /// Calls AssumeRoleWithWebIdentity, naming the credentials (and errors) `provider`.
    pub(crate) async fn call(&self, sts: &StsClient, provider: &str) -> Result<Credentials> {
        let token = self
            .read_token(sts)
            .map_err(|e| e.with_provider(provider))?;
        let body = json!({
            "ProviderId": self.provider_id,
            "WebIdentityToken": token.expose(),
            "RoleArn": self.role.role_arn,
            "RoleSessionName": self.role.session_name_for(sts),
            "DurationSeconds": self.role.duration,
        });
        sts.call(
            "AssumeRoleWithWebIdentity",
            &self.role.region,
            &body,
            Auth::Skip,
            provider,
        )
        .await
        .map_err(|e| e.redact([token.expose()]))
    }

    fn read_token(&self, sts: &StsClient) -> Result<Secret> {
        let path = match &self.token {
            TokenSource::Fixed(t) => return Ok(t.clone_secret()),
            TokenSource::File(path) => path,
        };
        let bytes = sts.ctx().fs().read(path, MAX_FILE_SIZE).map_err(|e| {
            Error::new(ErrorKind::File, "cannot read the web identity token file")
                .with_source(e)
                .with_file(path)
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::new(
                ErrorKind::File,
                "the web identity token file is not UTF-8 text",
            )
            .with_file(path)
        })?;
        let token = Secret::new(text.trim());
        if token.is_empty() {
            return Err(
                Error::new(ErrorKind::File, "the web identity token file is empty").with_file(path),
            );
        }
        Ok(token)
    }
}
