//! The writing side of the JSON document Alibaba Cloud's credential endpoints answer, which the
//! `credential_uri` and `ecs_ram_role` sources read: a credentials URI
//! (`docs/sources/alibaba.md#credentials-uri`) answers
//! `{"AccessKeyId","AccessKeySecret","Code":"Success","Expiration","SecurityToken"}`, and the ECS
//! metadata service answers the same document with `LastUpdated`. Times are UTC
//! `YYYY-MM-DDThh:mm:ssZ`. `credchain serve` writes both with [`CredentialsResponse`].

use std::fmt;
use std::time::SystemTime;

use serde::Serialize;

use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, Result};
use crate::time::format_rfc3339;

/// One credentials document, ready to be written as JSON.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use credchain::alibaba::CredentialsResponse;
/// use credchain::Credentials;
/// let c = Credentials::builder("STS.id", "secret")
///     .security_token("token")
///     .expiration(UNIX_EPOCH + Duration::from_secs(1_545_151_178))
///     .build();
/// let json = CredentialsResponse::from_credentials(&c).unwrap().to_json();
/// assert_eq!(
///     json,
///     r#"{"AccessKeyId":"STS.id","AccessKeySecret":"secret","Code":"Success","Expiration":"2018-12-18T16:39:38Z","SecurityToken":"token"}"#
/// );
/// // Long-term keys are not a credentials document: clients require a token and an expiry.
/// assert!(CredentialsResponse::from_credentials(&Credentials::builder("LTAI", "s").build()).is_err());
/// ```
// The fields are in the byte order of their JSON names, the order the documents have always been
// written in (a JSON object map sorts its keys).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialsResponse<'a> {
    access_key_id: &'a str,
    access_key_secret: &'a str,
    code: &'static str,
    expiration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
    security_token: &'a str,
}

impl<'a> CredentialsResponse<'a> {
    /// The credentials-URI document of `c`. `c` must be temporary credentials: an AccessKey
    /// pair, a security token and an expiry (the reading side requires all four).
    pub fn from_credentials(c: &'a Credentials) -> Result<CredentialsResponse<'a>> {
        let Some((token, expiration)) = c.token_and_expiry() else {
            return Err(not_temporary(c));
        };
        Ok(CredentialsResponse {
            access_key_id: c.access_key_id(),
            access_key_secret: c.access_key_secret(),
            code: "Success",
            expiration: format_rfc3339(expiration),
            last_updated: None,
            security_token: token,
        })
    }

    /// The ECS metadata form: the same document with `LastUpdated`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use credchain::alibaba::CredentialsResponse;
    /// use credchain::Credentials;
    /// let c = Credentials::builder("STS.id", "secret")
    ///     .security_token("token")
    ///     .expiration(UNIX_EPOCH + Duration::from_secs(3600))
    ///     .build();
    /// let json = CredentialsResponse::from_credentials(&c).unwrap()
    ///     .last_updated(UNIX_EPOCH + Duration::from_secs(60))
    ///     .to_json();
    /// assert!(json.contains(r#""LastUpdated":"1970-01-01T00:01:00Z""#), "{json}");
    /// ```
    pub fn last_updated(mut self, at: SystemTime) -> Self {
        self.last_updated = Some(format_rfc3339(at));
        self
    }

    /// The JSON text, on one line.
    pub fn to_json(&self) -> String {
        // Strings and an optional string only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl fmt::Debug for CredentialsResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsResponse")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &REDACTED)
            .field("expiration", &self.expiration)
            .field("last_updated", &self.last_updated)
            .field("security_token", &REDACTED)
            .finish()
    }
}

fn not_temporary(c: &Credentials) -> Error {
    Error::invalid_config(format!(
        "the credentials from {} are not temporary credentials (an AccessKey pair, a security \
         token and an expiry), which is all a credentials document can hold",
        c.provider_name()
    ))
    .with_hint("use a source that issues temporary credentials, such as a RAM role")
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::alibaba::{CredentialsUriProvider, EcsRamRoleProvider};
    use crate::context::Context;
    use crate::http::answer_by_url::AnswerByUrl;
    use crate::ProvideCredentials;

    /// Temporary credentials as the source `reader` would name them, with characters that
    /// JSON and URL encodings change.
    fn temporary(reader: &str) -> Credentials {
        Credentials::builder("STS.NUk6", "secret/with+chars")
            .security_token("CAIS token/+=")
            .expiration(UNIX_EPOCH + Duration::from_secs(1_900_000_000))
            .provider_name(reader)
            .build()
    }

    #[tokio::test]
    async fn the_credentials_uri_source_reads_what_is_written() {
        let c = temporary(CredentialsUriProvider::NAME);
        let json = CredentialsResponse::from_credentials(&c).unwrap().to_json();
        let ctx = Context::empty().with_http(AnswerByUrl(move |_: &str| (200, json.clone())));
        let source = CredentialsUriProvider::builder()
            .uri("http://127.0.0.1:1/creds")
            .build(&ctx);
        assert_eq!(source.provide_credentials().await.unwrap(), c);
    }

    #[tokio::test]
    async fn the_ecs_ram_role_source_reads_what_is_written() {
        let c = temporary(EcsRamRoleProvider::NAME);
        let json = CredentialsResponse::from_credentials(&c)
            .unwrap()
            .last_updated(UNIX_EPOCH + Duration::from_secs(1_899_990_000))
            .to_json();
        // The IMDSv2 token, then the document.
        let ctx = Context::empty().with_http(AnswerByUrl(move |url: &str| match url {
            u if u.ends_with("/latest/api/token") => (200, "metadata-token".to_string()),
            _ => (200, json.clone()),
        }));
        let source = EcsRamRoleProvider::builder()
            .endpoint("http://127.0.0.1:1")
            .role_name("served")
            .build(&ctx);
        assert_eq!(source.provide_credentials().await.unwrap(), c);
    }

    #[test]
    fn only_temporary_credentials_are_written() {
        let no_expiry = Credentials::builder("STS.id", "s").security_token("t");
        let in_a_minute = UNIX_EPOCH + Duration::from_secs(60);
        let no_token = Credentials::builder("STS.id", "s").expiration(in_a_minute);
        let bearer = Credentials::bearer("bt", "bearer");
        for c in [no_expiry.build(), no_token.build(), bearer] {
            let e = CredentialsResponse::from_credentials(&c).unwrap_err();
            assert!(e.to_string().contains("not temporary"), "{e}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = temporary("any");
        let shown = format!("{:?}", CredentialsResponse::from_credentials(&c).unwrap());
        assert!(shown.contains("STS.NUk6"), "{shown}");
        assert!(
            !shown.contains("secret/") && !shown.contains("CAIS"),
            "{shown}"
        );
    }
}
