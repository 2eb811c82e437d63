//! A local fake of the Alibaba Cloud and Tencent Cloud credential endpoints, on loopback, for
//! tests and for `credchain emulate` / `credchain doctor --emulator`.
//!
//! - One [`Emulator`] serves every endpoint on one port (`127.0.0.1:0` by default).
//! - Requests go to the first [`Route`] whose [`Matcher`] accepts them (by method, path, query
//!   or form parameters, headers: not only the path); unmatched requests get a 404 JSON error.
//! - Every request is recorded ([`Emulator::requests`]).
//! - [`Fault`]s are set per route name, persistent ([`Emulator::set_fault`]) or one-shot
//!   ([`Emulator::push_fault`]): status, delay, malformed or truncated body, missing fields,
//!   expired credentials, dropped connection, throttling, wrong types, unparseable expiry,
//!   oversized body, mid-body close.
//! - Issued credentials have unique ids and are counted per route ([`Emulator::issued_count`]).
//! - Built-in routes: Alibaba ECS metadata, Alibaba credentials URI, Tencent CVM metadata, the
//!   STS and generic API endpoints of both clouds (see [`routes`]), and in-memory buckets that
//!   verify OSS V1/V4, COS and AWS SigV4 (`s3`) signatures, path-style `/<bucket>/<key>` (see
//!   [`routes::object_storage`]). The emulator prints nothing.
//! - The emulator's clock ([`EmulatorState::now`]) follows the system time unless fixed with
//!   [`Emulator::set_clock`]; issued credentials and the buckets' signature checks use it, so
//!   requests signed at a fixed moment can be replayed.
//! - The recorded requests are bounded: the newest [`MAX_RECORDED_REQUESTS`], each body cut to
//!   [`MAX_RECORDED_BODY_BYTES`] (handlers always see the whole body).
//!
//! # Why its own HTTP/1.1 server
//!
//! The emulator answers on a small HTTP/1.1 server of its own (tokio and `httparse`, keep-alive,
//! pipelining, `Content-Length` and chunked request bodies, `Expect: 100-continue`) rather than on
//! hyper, because its purpose is to misbehave on the wire in ways a correct HTTP stack refuses to
//! produce: a `Content-Length` promising more bytes than are sent before the connection closes
//! ([`Fault::TruncatedBody`]), a chunked body closed in the middle of a chunk
//! ([`Fault::MidBodyClose`]), a connection closed after the request without any answer
//! ([`Fault::DropConnection`]), and a reply held back for any time ([`Fault::Delay`]). hyper
//! frames bodies itself and would repair or reject each of these, so the faults would need a
//! second, raw-socket path anyway; one server that writes bytes itself keeps a single path. The
//! server is small, refuses oversized heads (431) and bodies (413), closes idle connections, and
//! is driven by the tests in `tests/server.rs` and `tests/faults.rs`.
//!
//! # Layout
//!
//! One file per route family under [`routes`], each holding its route names, matchers and
//! handlers; the signature verifiers several routes share are their own modules
//! ([`routes::rpc_verify`], [`routes::acs3_verify`], [`routes::tc3_verify`], the bucket dialects
//! beside [`routes::object_storage`]); every hash, MAC and encoding comes from [`crypto`], every
//! date from [`time`].
//!
//! ```
//! use credchain_emulator::{routes, Emulator, Fault};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! async fn get(emu: &Emulator, path: &str) -> std::io::Result<String> {
//!     let mut s = tokio::net::TcpStream::connect(emu.addr()).await?;
//!     let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
//!     s.write_all(req.as_bytes()).await?;
//!     let mut out = String::new();
//!     s.read_to_string(&mut out).await?;
//!     Ok(out)
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> std::io::Result<()> {
//!     let emu = Emulator::start().await?;
//!     emu.push_fault(routes::ALIBABA_CREDENTIALS_URI, Fault::status(503));
//!
//!     assert!(get(&emu, "/credentials-uri").await?.starts_with("HTTP/1.1 503"));
//!     let ok = get(&emu, "/credentials-uri").await?;
//!     assert!(ok.starts_with("HTTP/1.1 200"));
//!     assert!(ok.contains(r#""AccessKeyId":"STS.emu0001""#));
//!
//!     assert_eq!(emu.issued_count(routes::ALIBABA_CREDENTIALS_URI), 1);
//!     assert_eq!(emu.requests_for(routes::ALIBABA_CREDENTIALS_URI).len(), 2);
//!     emu.shutdown().await;
//!     Ok(())
//! }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod crypto;
mod emulator;
mod fault;
mod issued_credentials;
mod objects;
mod reply;
mod request;
mod request_log;
mod route;
pub mod routes;
mod server;
mod server_state;
pub mod setup;
mod state;
pub mod time;

pub use emulator::Emulator;
pub use fault::{Fault, OVERSIZED_BODY_BYTES, UNPARSEABLE_EXPIRY, WRONG_TYPE_NUMBER};
pub use issued_credentials::{Cloud, IssuedCredentials};
pub use objects::{ObjectStore, StoredObject};
pub use reply::{Reply, ReplyBody};
pub use request::RecordedRequest;
pub use request_log::{MAX_RECORDED_BODY_BYTES, MAX_RECORDED_REQUESTS};
pub use route::{Matcher, Route, RouteContext};
pub use server::{MAX_BODY_BYTES, MAX_HEAD_BYTES};
pub use state::{AssumedRole, EmulatorConfig, EmulatorState, DEFAULT_CREDENTIALS_URI_PATH};
