//! The built-in endpoints and their route names.
//!
//! | route name | request |
//! |---|---|
//! | [`ALIBABA_IMDS_TOKEN`] | `PUT /latest/api/token` |
//! | [`ALIBABA_IMDS_ROLE_LIST`] | `GET /latest/meta-data/ram/security-credentials/` |
//! | [`ALIBABA_IMDS_CREDENTIALS`] | `GET /latest/meta-data/ram/security-credentials/<role>` |
//! | [`ALIBABA_CREDENTIALS_URI`] | `GET /credentials-uri` (path configurable) |
//! | [`TENCENT_CVM_ROLE_LIST`] | `GET /latest/meta-data/cam/security-credentials/` |
//! | [`TENCENT_CVM_CREDENTIALS`] | `GET /latest/meta-data/cam/security-credentials/<role>` |

use crate::route::Route;

pub mod alibaba_imds;
pub mod credentials_uri;
pub mod tencent_metadata;

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

/// The built-in routes, in priority order.
pub(crate) fn builtin(credentials_uri_path: &str) -> Vec<Route> {
    vec![
        alibaba_imds::token_route(),
        alibaba_imds::role_list_route(),
        alibaba_imds::credentials_route(),
        credentials_uri::route(credentials_uri_path),
        tencent_metadata::role_list_route(),
        tencent_metadata::credentials_route(),
    ]
}
