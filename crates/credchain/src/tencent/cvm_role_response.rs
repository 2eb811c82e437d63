//! The writing side of the CVM metadata service's role credentials, which the `cvm_role` source
//! reads (`GET /latest/meta-data/cam/security-credentials/<role>`):
//! `{"Code":"Success","Expiration","ExpiredTime","TmpSecretId","TmpSecretKey","Token"}`, with
//! `ExpiredTime` in Unix seconds and `Expiration` as UTC `YYYY-MM-DDThh:mm:ssZ`. `credchain serve`
//! writes it with [`CvmRoleResponse`].

use std::fmt;
use std::time::UNIX_EPOCH;

use serde::Serialize;

use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, Result};
use crate::time::format_rfc3339;

/// One CVM role credentials document, ready to be written as JSON.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use credchain::tencent::CvmRoleResponse;
/// use credchain::Credentials;
/// let c = Credentials::builder("AKIDtmp", "key")
///     .security_token("token")
///     .expiration(UNIX_EPOCH + Duration::from_secs(1_545_151_178))
///     .build();
/// let json = CvmRoleResponse::from_credentials(&c).unwrap().to_json();
/// assert_eq!(
///     json,
///     r#"{"Code":"Success","Expiration":"2018-12-18T16:39:38Z","ExpiredTime":1545151178,"TmpSecretId":"AKIDtmp","TmpSecretKey":"key","Token":"token"}"#
/// );
/// // Long-term keys are not role credentials: the reader requires a token and an expiry.
/// assert!(CvmRoleResponse::from_credentials(&Credentials::builder("AKID", "k").build()).is_err());
/// ```
// The fields are in the byte order of their JSON names, the order the document has always been
// written in (a JSON object map sorts its keys).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CvmRoleResponse<'a> {
    code: &'static str,
    expiration: String,
    expired_time: u64,
    tmp_secret_id: &'a str,
    tmp_secret_key: &'a str,
    token: &'a str,
}

impl<'a> CvmRoleResponse<'a> {
    /// The document of `c`. `c` must be temporary credentials: a SecretId and SecretKey, a
    /// token and an expiry (the reading side requires all four).
    pub fn from_credentials(c: &'a Credentials) -> Result<CvmRoleResponse<'a>> {
        let Some((token, expiration)) = c.token_and_expiry() else {
            return Err(not_temporary(c));
        };
        Ok(CvmRoleResponse {
            code: "Success",
            expiration: format_rfc3339(expiration),
            // An expiry before 1970 cannot be meant; 0 reads as "no ExpiredTime".
            expired_time: expiration
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            tmp_secret_id: c.secret_id(),
            tmp_secret_key: c.secret_key(),
            token,
        })
    }

    /// The JSON text, on one line.
    pub fn to_json(&self) -> String {
        // Strings and a number only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl fmt::Debug for CvmRoleResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvmRoleResponse")
            .field("expiration", &self.expiration)
            .field("tmp_secret_id", &self.tmp_secret_id)
            .field("tmp_secret_key", &REDACTED)
            .field("token", &REDACTED)
            .finish()
    }
}

fn not_temporary(c: &Credentials) -> Error {
    Error::invalid_config(format!(
        "the credentials from {} are not temporary credentials (a SecretId and SecretKey, a \
         token and an expiry), which is all CVM role credentials can hold",
        c.provider_name()
    ))
    .with_hint("use a source that issues temporary credentials, such as a CAM role")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::context::Context;
    use crate::http::answer_by_url::AnswerByUrl;
    use crate::tencent::CvmRoleProvider;
    use crate::ProvideCredentials;

    #[tokio::test]
    async fn the_cvm_role_source_reads_what_is_written() {
        let c = Credentials::builder("AKIDtmp", "key/with+chars")
            .security_token("token/+=")
            .expiration(UNIX_EPOCH + Duration::from_secs(1_900_000_000))
            .provider_name(CvmRoleProvider::NAME)
            .build();
        let json = CvmRoleResponse::from_credentials(&c).unwrap().to_json();
        let ctx = Context::empty().with_http(AnswerByUrl(move |_: &str| (200, json.clone())));
        let source = CvmRoleProvider::builder()
            .endpoint("http://127.0.0.1:1")
            .role_name("served")
            .build(&ctx)
            .unwrap();
        assert_eq!(source.provide_credentials().await.unwrap(), c);
    }

    #[test]
    fn only_temporary_credentials_are_written() {
        let in_a_minute = UNIX_EPOCH + Duration::from_secs(60);
        for c in [
            Credentials::builder("AKID", "k")
                .security_token("t")
                .build(),
            Credentials::builder("AKID", "k")
                .expiration(in_a_minute)
                .build(),
        ] {
            let e = CvmRoleResponse::from_credentials(&c).unwrap_err();
            assert!(e.to_string().contains("not temporary"), "{e}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = Credentials::builder("AKIDtmp", "the-key")
            .security_token("the-token")
            .expiration(UNIX_EPOCH + Duration::from_secs(60))
            .build();
        let shown = format!("{:?}", CvmRoleResponse::from_credentials(&c).unwrap());
        assert!(shown.contains("AKIDtmp"), "{shown}");
        assert!(
            !shown.contains("the-key") && !shown.contains("the-token"),
            "{shown}"
        );
    }
}
