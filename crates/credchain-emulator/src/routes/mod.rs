//! The built-in endpoints and their route names.
//!
//! | route name | request |
//! |---|---|
//! | [`ALIBABA_IMDS_TOKEN`] | `PUT /latest/api/token` |
//! | [`ALIBABA_IMDS_ROLE_LIST`] | `GET /latest/meta-data/ram/security-credentials/` |
//! | [`ALIBABA_IMDS_CREDENTIALS`] | `GET /latest/meta-data/ram/security-credentials/<role>` |
//! | [`ALIBABA_CREDENTIALS_URI`] | `GET /credentials-uri` (path configurable) |
//! | [`alibaba_sts::ALIBABA_STS_ASSUME_ROLE`] | `GET`/`POST /?Action=AssumeRole` (RPC v1 signed) |
//! | [`alibaba_sts::ALIBABA_STS_ASSUME_ROLE_WITH_OIDC`] | `POST /?Action=AssumeRoleWithOIDC` |
//! | [`alibaba_session_key::ALIBABA_STS_GENERATE_SESSION_ACCESS_KEY`] | `GET /?Action=GenerateSessionAccessKey` |
//! | [`alibaba_oauth::ALIBABA_OAUTH_TOKEN`] | `POST /v1/token` |
//! | [`alibaba_oauth::ALIBABA_OAUTH_EXCHANGE`] | `POST /v1/exchange` |
//! | [`alibaba_cloudsso::ALIBABA_CLOUDSSO_CREDENTIALS`] | `POST /cloud-credentials` |
//! | [`TENCENT_CVM_ROLE_LIST`] | `GET /latest/meta-data/cam/security-credentials/` |
//! | [`TENCENT_CVM_CREDENTIALS`] | `GET /latest/meta-data/cam/security-credentials/<role>` |
//! | [`TENCENT_STS_ASSUME_ROLE`] | `POST /`, `X-TC-Action: AssumeRole` (TC3 verified) |
//! | [`TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY`] | `POST /`, `X-TC-Action: AssumeRoleWithWebIdentity` |
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

pub mod alibaba_api;
pub mod alibaba_cloudsso;
pub mod alibaba_imds;
pub mod alibaba_oauth;
pub mod alibaba_session_key;
pub mod alibaba_sts;
pub mod caller_identity;
pub mod cos_object;
pub mod credentials_uri;
pub mod crypto;
pub mod object_storage;
pub mod oss_object;
pub mod s3_list;
pub mod s3_object;
pub mod tc3_verify;
pub mod tencent_api;
pub mod tencent_metadata;
pub mod tencent_sts;

/// ECS IMDSv2 session token: `PUT /latest/api/token`.
pub const ALIBABA_IMDS_TOKEN: &str = "alibaba.imds.token";
/// ECS RAM role listing: `GET /latest/meta-data/ram/security-credentials/`.
pub const ALIBABA_IMDS_ROLE_LIST: &str = "alibaba.imds.role_list";
/// ECS RAM role credentials: `GET /latest/meta-data/ram/security-credentials/<role>`.
pub const ALIBABA_IMDS_CREDENTIALS: &str = "alibaba.imds.credentials";
/// Alibaba credentials URI: `GET /credentials-uri` (see
/// [`crate::Emulator::set_credentials_uri_path`]).
pub const ALIBABA_CREDENTIALS_URI: &str = "alibaba.credentials_uri";
/// CVM CAM role listing: `GET /latest/meta-data/cam/security-credentials/`.
pub const TENCENT_CVM_ROLE_LIST: &str = "tencent.cvm.role_list";
/// CVM CAM role credentials: `GET /latest/meta-data/cam/security-credentials/<role>`.
pub const TENCENT_CVM_CREDENTIALS: &str = "tencent.cvm.credentials";
/// Tencent STS AssumeRole: `POST /` with `X-TC-Action: AssumeRole` (see [`tencent_sts`]).
pub const TENCENT_STS_ASSUME_ROLE: &str = "tencent.sts.assume_role";
/// Tencent STS AssumeRoleWithWebIdentity: `POST /` with `X-TC-Action: AssumeRoleWithWebIdentity`.
pub const TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY: &str =
    "tencent.sts.assume_role_with_web_identity";

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
