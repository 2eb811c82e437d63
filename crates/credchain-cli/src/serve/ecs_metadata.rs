//! `serve --cloud alibaba --shape ecs-metadata`: the ECS instance metadata service's credential
//! paths, under the server's secret path, so clients that read
//! `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT` (credchain's `ecs_ram_role` source, OpenDAL /
//! reqsign's OSS chain) get the served credentials.
//!
//! - `PUT <secret>/latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds: 1..=21600`
//!   answers a fresh random token (text), as IMDSv2 does; a missing or invalid TTL is a 400.
//!   Tokens are not checked on the GETs: the secret path already keeps other local users out,
//!   and IMDSv1 clients (no token) must work too.
//! - `GET <secret>/latest/meta-data/ram/security-credentials/` lists the role [`ROLE_NAME`].
//! - `GET <secret>/latest/meta-data/ram/security-credentials/credchain` answers
//!   `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration",
//!   "LastUpdated"}` (times `YYYY-MM-DDThh:mm:ssZ`).
//!
//! The variable's value is `http://ADDR/<secret>`; clients append the standard paths to it.

use std::time::SystemTime;

use credchain::alibaba::CredentialsResponse;
use credchain::{Credentials, Result};

/// The role name the listing answers.
pub const ROLE_NAME: &str = "credchain";
/// The IMDSv2 token path.
pub const TOKEN_PATH: &str = "/latest/api/token";
/// The role listing path; the credentials are at this path plus [`ROLE_NAME`].
pub const ROLE_PATH: &str = "/latest/meta-data/ram/security-credentials/";
/// The header of the token request giving the token's lifetime.
pub const TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
/// The largest token lifetime ECS accepts.
pub const MAX_TOKEN_TTL_SECONDS: u64 = 21_600;

/// What a path below the secret asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// The IMDSv2 token.
    Token,
    /// The role listing.
    RoleList,
    /// The role's credentials.
    Credentials,
    /// Anything else.
    NotFound,
}

/// The target of `tail`, the request path after the secret.
pub fn target(tail: &[u8]) -> Target {
    if tail == TOKEN_PATH.as_bytes() {
        Target::Token
    } else if tail == ROLE_PATH.as_bytes() {
        Target::RoleList
    } else if tail.strip_prefix(ROLE_PATH.as_bytes()) == Some(ROLE_NAME.as_bytes()) {
        Target::Credentials
    } else {
        Target::NotFound
    }
}

/// Checks the token request's TTL header: `Err` holds the message for the 400.
pub fn check_ttl(value: Option<&str>) -> Result<(), &'static str> {
    match value.map(|v| v.trim().parse::<u64>()) {
        Some(Ok(ttl)) if (1..=MAX_TOKEN_TTL_SECONDS).contains(&ttl) => Ok(()),
        Some(_) => Err("X-aliyun-ecs-metadata-token-ttl-seconds must be an integer in 1..=21600"),
        None => Err("send X-aliyun-ecs-metadata-token-ttl-seconds with the token request"),
    }
}

/// The credentials document of the role (the library's, which its `ecs_ram_role` source reads).
pub fn body(c: &Credentials, now: SystemTime) -> Result<String> {
    Ok(CredentialsResponse::from_credentials(c)?
        .last_updated(now)
        .to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(target(b"/latest/api/token"), Target::Token);
        assert_eq!(
            target(b"/latest/meta-data/ram/security-credentials/"),
            Target::RoleList
        );
        assert_eq!(
            target(b"/latest/meta-data/ram/security-credentials/credchain"),
            Target::Credentials
        );
        assert_eq!(
            target(b"/latest/meta-data/ram/security-credentials/other"),
            Target::NotFound
        );
        assert_eq!(target(b""), Target::NotFound);
    }

    #[test]
    fn ttl_header() {
        assert!(check_ttl(Some("21600")).is_ok());
        assert!(check_ttl(Some("0")).is_err());
        assert!(check_ttl(Some("21601")).is_err());
        assert!(check_ttl(Some("x")).is_err());
        assert!(check_ttl(None).is_err());
    }
}
