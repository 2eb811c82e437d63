//! Where a bucket is reached: the scheme, host and addressing style of an object URL, shared by
//! the OSS and COS presigners.
//!
//! - [`ObjectEndpoint::VirtualHosted`]: `scheme://<bucket>.<host>/<key>`, what both clouds use
//!   (`examplebucket.oss-cn-hangzhou.aliyuncs.com`, `examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com`).
//! - [`ObjectEndpoint::PathStyle`]: `scheme://<authority>/<bucket>/<key>`, what the official Alibaba SDKs
//!   switch to for an IP-address endpoint, and what a local emulator serves.
//!
//! [`ObjectEndpoint::parse`] reads a user-supplied endpoint: a bare host (`oss-accelerate.aliyuncs.com`)
//! is virtual-hosted over HTTPS; a full URL keeps its scheme. Either is path-style when its host is an
//! IP address or `localhost` (a bucket cannot be a sub-domain of those).
//!
//! ```
//! use credchain::sign::object_endpoint::ObjectEndpoint;
//! let e = ObjectEndpoint::parse("http://127.0.0.1:9000").unwrap();
//! assert_eq!(e.base_url("b"), "http://127.0.0.1:9000/b/");
//! let e = ObjectEndpoint::parse("oss-accelerate.aliyuncs.com").unwrap();
//! assert_eq!(e.base_url("b"), "https://b.oss-accelerate.aliyuncs.com/");
//! ```

use crate::error::{Error, ErrorKind};

/// How an object URL is formed. See the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectEndpoint {
    /// `scheme://<bucket>.<host>/<key>`.
    VirtualHosted {
        /// `https` or `http`.
        scheme: String,
        /// The service host (and optional `:port`) the bucket name is prefixed to.
        host: String,
    },
    /// `scheme://<authority>/<bucket>/<key>`.
    PathStyle {
        /// `https` or `http`.
        scheme: String,
        /// `host[:port]`.
        authority: String,
    },
}

impl ObjectEndpoint {
    /// Virtual-hosted over HTTPS on `host`.
    ///
    /// ```
    /// use credchain::sign::object_endpoint::ObjectEndpoint;
    /// assert_eq!(ObjectEndpoint::https("oss-cn-hangzhou.aliyuncs.com").host("b"), "b.oss-cn-hangzhou.aliyuncs.com");
    /// ```
    pub fn https(host: impl Into<String>) -> Self {
        ObjectEndpoint::VirtualHosted {
            scheme: "https".into(),
            host: host.into(),
        }
    }

    /// Parses a host or a full `http(s)://host[:port]` URL (see the module documentation).
    ///
    /// ```
    /// use credchain::sign::object_endpoint::ObjectEndpoint;
    /// assert!(matches!(ObjectEndpoint::parse("http://localhost:8080/").unwrap(), ObjectEndpoint::PathStyle { .. }));
    /// assert!(matches!(ObjectEndpoint::parse("http://oss.example.com").unwrap(), ObjectEndpoint::VirtualHosted { .. }));
    /// assert_eq!(ObjectEndpoint::parse("10.0.0.1:9000").unwrap().base_url("b"), "https://10.0.0.1:9000/b/");
    /// assert!(ObjectEndpoint::parse("ftp://x").is_err());
    /// assert!(ObjectEndpoint::parse("http://h/some/path").is_err());
    /// assert!(ObjectEndpoint::parse("").is_err());
    /// ```
    pub fn parse(endpoint: &str) -> Result<Self, Error> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::InvalidConfig,
                format!("endpoint {endpoint:?} is not usable: {why}"),
            )
            .with_hint("pass a host such as oss-cn-hangzhou.aliyuncs.com, or a URL such as http://127.0.0.1:9000")
        };
        let trimmed = endpoint.trim();
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((s, r)) if s.eq_ignore_ascii_case("https") || s.eq_ignore_ascii_case("http") => {
                (s.to_ascii_lowercase(), r)
            }
            Some(_) => return Err(bad("the scheme must be http or https")),
            None => ("https".to_string(), trimmed),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(bad("no host"));
        }
        if authority.bytes().any(|b| {
            matches!(b, b'/' | b'?' | b'#' | b'@')
                || b.is_ascii_whitespace()
                || b.is_ascii_control()
        }) {
            return Err(bad(
                "expected only host[:port], without path, query, user or spaces",
            ));
        }
        let url: http::Uri = format!("{scheme}://{authority}/")
            .parse()
            .map_err(|_| bad("not a valid host[:port]"))?;
        let host = url.host().unwrap_or("");
        if is_ip_or_localhost(host) {
            Ok(ObjectEndpoint::PathStyle {
                scheme,
                authority: authority.to_string(),
            })
        } else {
            Ok(ObjectEndpoint::VirtualHosted {
                scheme,
                host: authority.to_string(),
            })
        }
    }

    /// The scheme, `https` or `http`.
    ///
    /// ```
    /// assert_eq!(credchain::sign::object_endpoint::ObjectEndpoint::https("h").scheme(), "https");
    /// ```
    pub fn scheme(&self) -> &str {
        match self {
            ObjectEndpoint::VirtualHosted { scheme, .. }
            | ObjectEndpoint::PathStyle { scheme, .. } => scheme,
        }
    }

    /// The `Host` a client sends for `bucket` (`bucket.host`, or the path-style authority).
    ///
    /// ```
    /// use credchain::sign::object_endpoint::ObjectEndpoint;
    /// assert_eq!(ObjectEndpoint::parse("http://127.0.0.1:9000").unwrap().host("b"), "127.0.0.1:9000");
    /// ```
    pub fn host(&self, bucket: &str) -> String {
        match self {
            ObjectEndpoint::VirtualHosted { host, .. } => format!("{bucket}.{host}"),
            ObjectEndpoint::PathStyle { authority, .. } => authority.clone(),
        }
    }

    /// `scheme://host/` (virtual-hosted) or `scheme://authority/bucket/` (path-style): the
    /// encoded key follows.
    ///
    /// ```
    /// use credchain::sign::object_endpoint::ObjectEndpoint;
    /// assert_eq!(ObjectEndpoint::https("cos.ap-guangzhou.myqcloud.com").base_url("b-1250000000"),
    ///            "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/");
    /// ```
    pub fn base_url(&self, bucket: &str) -> String {
        match self {
            ObjectEndpoint::VirtualHosted { scheme, .. } => {
                format!("{scheme}://{}/", self.host(bucket))
            }
            ObjectEndpoint::PathStyle { scheme, authority } => {
                format!("{scheme}://{authority}/{bucket}/")
            }
        }
    }
}

fn is_ip_or_localhost(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_ok() || bare.eq_ignore_ascii_case("localhost")
}

/// Checks a bucket name: non-empty, ASCII letters, digits, `-` and `.` only, so it can be a host
/// label and a path segment without encoding.
pub(crate) fn check_bucket(bucket: &str, cloud: &str) -> Result<(), Error> {
    let ok = !bucket.is_empty()
        && bucket.len() <= 255
        && bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !bucket.starts_with(['-', '.'])
        && !bucket.ends_with(['-', '.']);
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("{cloud} bucket name {bucket:?} is not valid"),
        )
        .with_hint("bucket names use lower-case letters, digits and '-'"))
    }
}

/// Checks a region: non-empty, ASCII letters, digits and `-` only (it becomes part of a host).
pub(crate) fn check_region(region: &str, cloud: &str) -> Result<(), Error> {
    if !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("{cloud} region {region:?} is not valid"),
        )
        .with_hint("pass a region id such as cn-hangzhou or ap-guangzhou"))
    }
}

/// Checks an object key: non-empty (presigned URLs name an object).
pub(crate) fn check_key(key: &str, cloud: &str) -> Result<(), Error> {
    if key.trim().is_empty() {
        Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("{cloud} object key is empty"),
        )
        .with_hint("pass the object key, e.g. dir/file.txt"))
    } else {
        Ok(())
    }
}

/// Checks an HTTP method: non-empty ASCII letters.
pub(crate) fn check_method(method: &str) -> Result<(), Error> {
    if !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("HTTP method {method:?} is not valid"),
        )
        .with_hint("use GET, PUT, HEAD or DELETE"))
    }
}
