//! Adapters that hand credchain's sources, cache and refresh to other Rust crates; each is an
//! optional cargo feature, off by default.
//!
//! | feature | module | gives |
//! |---|---|---|
//! | `aws` | [`aws`] | `aws_credential_types::provider::ProvideCredentials` (AWS SDK clients pointed at the S3-compatible APIs of OSS and COS), and the reverse |
//! | `object-store` | [`object_store`] | `object_store::CredentialProvider<Credential = AwsCredential>` for `AmazonS3Builder::with_credentials` |
//! | `reqsign` | [`reqsign`] | `reqsign_core::ProvideCredential` for reqsign-aliyun-oss and reqsign-tencent-cos (OpenDAL's signers) |
//! | `middleware` | [`middleware`] | a `reqwest_middleware::Middleware` that signs requests and retries once after an expired-token answer |
//!
//! Every adapter asks the credchain provider it wraps for one snapshot per request, so the key id,
//! secret and token it hands on always belong together, and a refresh by credchain's cache shows up
//! in the next request.

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "middleware")]
pub mod middleware;
#[cfg(feature = "object-store")]
pub mod object_store;
#[cfg(feature = "reqsign")]
pub mod reqsign;
