//! The built-in endpoints and their route names. Each route's module holds its name (a
//! constant), its matcher and its handler; the verifiers several routes share are modules of
//! their own: [`rpc_verify`] (Alibaba RPC v1), [`acs3_verify`] (Alibaba ACS3), [`tc3_verify`]
//! (Tencent TC3), and the signature checks of the buckets in [`object_storage`] and its dialects.
//!
//! | route name | request |
//! |---|---|
//! | [`alibaba_imds::ALIBABA_IMDS_TOKEN`] | `PUT /latest/api/token` |
//! | [`alibaba_imds::ALIBABA_IMDS_ROLE_LIST`] | `GET /latest/meta-data/ram/security-credentials/` |
//! | [`alibaba_imds::ALIBABA_IMDS_CREDENTIALS`] | `GET /latest/meta-data/ram/security-credentials/<role>` |
//! | [`credentials_uri::ALIBABA_CREDENTIALS_URI`] | `GET /credentials-uri` (path configurable) |
//! | [`alibaba_sts::ALIBABA_STS_ASSUME_ROLE`] | `GET`/`POST /?Action=AssumeRole` (RPC v1 signed) |
//! | [`alibaba_sts::ALIBABA_STS_ASSUME_ROLE_WITH_OIDC`] | `POST /?Action=AssumeRoleWithOIDC` |
//! | [`alibaba_session_key::ALIBABA_STS_GENERATE_SESSION_ACCESS_KEY`] | `GET /?Action=GenerateSessionAccessKey` |
//! | [`alibaba_oauth::ALIBABA_OAUTH_TOKEN`] | `POST /v1/token` |
//! | [`alibaba_oauth::ALIBABA_OAUTH_EXCHANGE`] | `POST /v1/exchange` |
//! | [`alibaba_cloudsso::ALIBABA_CLOUDSSO_CREDENTIALS`] | `POST /cloud-credentials` |
//! | [`tencent_metadata::TENCENT_CVM_ROLE_LIST`] | `GET /latest/meta-data/cam/security-credentials/` |
//! | [`tencent_metadata::TENCENT_CVM_CREDENTIALS`] | `GET /latest/meta-data/cam/security-credentials/<role>` |
//! | [`tencent_sts::TENCENT_STS_ASSUME_ROLE`] | `POST /`, `X-TC-Action: AssumeRole` (TC3 verified) |
//! | [`tencent_sts::TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY`] | `POST /`, `X-TC-Action: AssumeRoleWithWebIdentity` |
//! | [`alibaba_api::ALIBABA_API_ACS3`] | any action with `Authorization: ACS3-HMAC-SHA256 ...` (V3 verified) |
//! | [`alibaba_api::ALIBABA_API_RPC`] | `GET`/`POST /?Action=<any non-STS action>` (RPC v1 verified; `GetCallerIdentity` answered by [`caller_identity`]) |
//! | [`tencent_api::TENCENT_API`] | `POST`/`GET /`, `X-TC-Action: <any non-STS action>` (TC3 verified) |
//! | [`object_storage::OSS_OBJECT`] | `PUT`/`GET`/`HEAD`/`DELETE /<bucket>/<key>`, OSS V1/V4 signed (header or presigned URL) |
//! | [`object_storage::COS_OBJECT`] | `PUT`/`GET`/`HEAD`/`DELETE /<bucket>/<key>`, COS `q-sign-algorithm=sha1` signed |
//! | [`object_storage::S3_OBJECT`] | `PUT`/`GET`/`HEAD`/`DELETE /<bucket>/<key>`, AWS SigV4 (`s3`) signed |
//! | [`s3_list::S3_LIST`] | `GET /<bucket>?list-type=2` (ListObjectsV2), AWS SigV4 (`s3`) signed |
//!
//! The three bucket routes share one in-memory store and tell the cloud by the authorization the
//! request carries: see [`object_storage`].

use crate::route::Route;

pub mod acs3_verify;
pub mod alibaba_api;
mod alibaba_auth;
pub mod alibaba_cloudsso;
pub mod alibaba_imds;
pub mod alibaba_oauth;
pub mod alibaba_session_key;
pub mod alibaba_sts;
pub mod caller_identity;
pub mod cos_object;
pub mod credentials_uri;
pub mod object_storage;
pub mod oss_object;
pub mod rpc_verify;
pub mod s3_list;
pub mod s3_object;
pub mod tc3_verify;
pub mod tencent_api;
pub mod tencent_metadata;
pub mod tencent_sts;

/// The hashing and encoding helpers, at their former path (see [`crate::crypto`]).
pub use crate::crypto;

// Each route's name lives in its route's module; these were the first ones and other crates name
// them from here.
pub use alibaba_imds::{ALIBABA_IMDS_CREDENTIALS, ALIBABA_IMDS_ROLE_LIST, ALIBABA_IMDS_TOKEN};
pub use credentials_uri::ALIBABA_CREDENTIALS_URI;
pub use tencent_metadata::{TENCENT_CVM_CREDENTIALS, TENCENT_CVM_ROLE_LIST};
pub use tencent_sts::{TENCENT_STS_ASSUME_ROLE, TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY};

/// Whether a signed-header list is lower-case, sorted and free of repeats, as the ACS3 and TC3
/// signatures require of `SignedHeaders`.
pub(crate) fn is_canonical_header_list(names: &[&str]) -> bool {
    names.windows(2).all(|w| w[0] < w[1])
        && names
            .iter()
            .all(|n| !n.bytes().any(|b| b.is_ascii_uppercase()))
}

/// The built-in routes, in priority order.
pub(crate) fn builtin(credentials_uri_path: &str) -> Vec<Route> {
    vec![
        alibaba_imds::token_route(),
        alibaba_imds::role_list_route(),
        alibaba_imds::credentials_route(),
        credentials_uri::route(credentials_uri_path),
        alibaba_sts::assume_role_route(),
        alibaba_sts::assume_role_with_oidc_route(),
        alibaba_session_key::route(),
        alibaba_oauth::token_route(),
        alibaba_oauth::exchange_route(),
        alibaba_cloudsso::route(),
        tencent_metadata::role_list_route(),
        tencent_metadata::credentials_route(),
        tencent_sts::assume_role_route(),
        tencent_sts::web_identity_route(),
        alibaba_api::acs3_route(),
        alibaba_api::rpc_route(),
        tencent_api::api_route(),
        oss_object::route_oss(),
        cos_object::route_cos(),
        s3_object::route_s3(),
        s3_list::route_s3_list(),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_header_lists() {
        let ok = |l: &str| super::is_canonical_header_list(&l.split(';').collect::<Vec<_>>());
        assert!(ok("content-type;host;x-tc-action"));
        assert!(ok("host"));
        assert!(!ok("host;content-type"));
        assert!(!ok("host;host"));
        assert!(!ok("Host;x-acs-date"));
    }
}
