//! Request signing for Alibaba Cloud and Tencent Cloud APIs, correct to the byte.
//!
//! Every scheme credchain needs is here, each in its own module with a plain input struct and a
//! function that returns **every intermediate** (canonical request, string to sign, signature, the
//! headers or query parameters to add), so tests can compare each step with the published vectors
//! and a CLI can print a dry run:
//!
//! | module | scheme | key material |
//! |---|---|---|
//! | [`acs3`] | Alibaba `ACS3-HMAC-SHA256`, `ACS3-HMAC-SM3`, `ACS3-RSA-SHA256` (OpenAPI V3) | raw secret (RSA: PEM key) |
//! | [`rpc`] | Alibaba RPC signature v1 (HMAC-SHA1, STS `AssumeRole`) and ROA (HMAC-SHA1) | `secret + "&"` / raw secret |
//! | [`oss`] | OSS header signature V1 and V4 (`OSS4-HMAC-SHA256`) | raw secret / `"aliyun_v4" + secret` |
//! | [`tc3`] | Tencent `TC3-HMAC-SHA256` (API 3.0) | `"TC3" + secret` |
//! | [`tc_v1`] | Tencent signature v1 (`HmacSHA1` / `HmacSHA256`, also API 2.0) | raw secret |
//! | [`cos`] | Tencent COS object storage (`q-sign-algorithm=sha1`), `Authorization` header | `HMAC-SHA1(secret, key time)` |
//!
//! Presigned object URLs (the signature in the query string, equal to the official SDKs' URLs):
//! [`oss_presign`] (OSS V1 and V4) and [`cos_presign`] (COS), with hosts from [`object_endpoint`].
//!
//! Building blocks live in [`encode`] (RFC 3986 percent-encoding) and [`crypto`] (SHA-256, SM3,
//! HMACs, RSA).
//!
//! Everything is deterministic: timestamps and nonces are inputs. [`new_nonce`] makes a fresh nonce;
//! the timestamp comes from the caller's clock (a [`Context`](crate::context::Context)'s, inside the
//! library), and the `format_*` helpers (re-exported from [`crate::time`], the one calendar) turn it
//! into each scheme's date form.
//!
//! Each signing function comes in two forms: one taking [`Credentials`](crate::Credentials) (which adds
//! the security token exactly as the scheme requires, and handles bearer tokens where the scheme
//! accepts them) and a lower-level one taking the raw key strings.
//!
//! Derived keys that depend only on (secret, date, scope) — TC3's `SecretSigning` and the OSS V4
//! signing key — are kept in a small bounded [`DerivedKeyCache`], keyed by a keyed hash of the secret
//! and scope (the secret itself is never stored) and zeroized on eviction.
//!
//! Nothing here panics on any input, and no `Debug` output or error contains a secret, a token or a
//! signature.
//!
//! ```
//! use credchain::Credentials;
//! use credchain::sign::tc3::{self, Tc3Request};
//! use credchain::sign::Payload;
//!
//! let creds = Credentials::builder("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").build();
//! let mut req = Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
//! req.region = "ap-guangzhou".into();
//! req.payload = Payload::Bytes(br#"{"Limit": 1}"#.to_vec());
//! let signed = tc3::sign(&req, &creds).unwrap();
//! assert!(signed.authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature="));
//! ```

pub mod acs3;
mod borrowed_pairs;
pub mod cos;
mod cos_lists;
pub mod cos_presign;
pub mod crypto;
mod derived_key;
pub mod encode;
mod headers;
mod http_request;
mod nonce;
pub mod object_endpoint;
pub mod oss;
pub mod oss_presign;
mod oss_v1_canonical;
mod oss_v4_canonical;
mod payload;
mod redact;
pub mod rpc;
mod sink;
pub mod tc3;
pub mod tc_v1;

pub use derived_key::{DerivedKey, DerivedKeyCache};
pub(crate) use headers::{find_header, has_header, lower_case_name, write_merged_headers};
pub use nonce::{new_nonce, new_numeric_nonce};
pub use payload::Payload;
pub(crate) use redact::{Len, RedactedPairs};

pub use crate::time::{format_compact, format_date, format_http_date, format_iso8601, now_unix};
