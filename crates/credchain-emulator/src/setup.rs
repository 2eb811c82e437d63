//! The emulator setup file read by `credchain emulate --config`: its format, its parser and the
//! [`EmulatorConfig`] and [`Fault`]s it describes.
//!
//! Every key is optional and unknown keys are errors. TOML (JSON has the same shape):
//!
//! ```toml
//! listen = "127.0.0.1:8765"          # loopback only; default 127.0.0.1:0
//! credential_lifetime_seconds = 3600  # lifetime of every credential the emulator issues
//! require_imds_token = false          # ECS metadata: IMDSv2 token required (IMDSv1 refused)
//! credentials_uri_path = "/credentials-uri"
//!
//! [alibaba]
//! ecs_role_name = "EmulatorEcsRole"   # the ECS instance's RAM role; "" = no role bound
//! access_keys = [{ id = "LTAI...", secret = "..." }]  # AssumeRole and the API routes accept these too
//!
//! [tencent]
//! cvm_role_name = "EmulatorCvmRole"   # the CVM instance's CAM role; "" = no role bound
//! secret_keys = [{ id = "AKID...", secret = "..." }]  # AssumeRole and the API route accept these too
//! oidc_provider_ids = ["my-provider"]  # AssumeRoleWithWebIdentity accepts these too
//! web_identity_tokens = ["eyJ..."]     # ... and these tokens
//! check_timestamp = true               # X-TC-Timestamp within 300 s of now
//!
//! [[faults]]                           # one entry per route; several keys combine
//! route = "alibaba.credentials_uri"    # a route name (see `credchain_emulator::routes`)
//! status = 503                         # answer this status instead (optional `body`)
//! delay_ms = 200                       # wait first
//! malformed_body = true                # body that is not JSON
//! truncated_body = true                # body cut short on the wire
//! missing_fields = ["SecurityToken"]   # fields removed from the JSON answer
//! expired_credentials = true           # issue credentials that expired an hour ago
//! drop_connection = true               # close without answering
//! oversized_body = true                # a body larger than any client accepts
//! wrong_type_fields = ["Expiration"]   # these fields become numbers / strings
//! unparseable_expiry = true            # expiry fields hold text that is no time
//! throttled = true                     # the cloud's own throttling answer
//! mid_body_close = true                # close halfway through the body, no Content-Length
//! times = 2                            # only the next 2 requests (at most 10000); omit: every request
//! ```
//!
//! Bounds, so a typo cannot make the emulator allocate without end: `times` ≤
//! [`MAX_FAULT_TIMES`], `credential_lifetime_seconds` ≤ [`MAX_CREDENTIAL_LIFETIME_SECONDS`].

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use crate::{EmulatorConfig, Fault};

/// The largest `times` of one `[[faults]]` entry.
pub const MAX_FAULT_TIMES: u32 = 10_000;
/// The longest `credential_lifetime_seconds` (ten years).
pub const MAX_CREDENTIAL_LIFETIME_SECONDS: u64 = 10 * 365 * 24 * 3600;

/// The setup file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulateFile {
    /// Loopback address to listen on.
    pub listen: Option<SocketAddr>,
    /// Lifetime of issued credentials, in seconds.
    pub credential_lifetime_seconds: Option<u64>,
    /// Whether ECS metadata requires an IMDSv2 token.
    pub require_imds_token: Option<bool>,
    /// Path of the credentials-URI endpoint.
    pub credentials_uri_path: Option<String>,
    /// Alibaba Cloud settings.
    #[serde(default)]
    pub alibaba: AlibabaSection,
    /// Tencent Cloud settings.
    #[serde(default)]
    pub tencent: TencentSection,
    /// Faults to inject.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

/// `[alibaba]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlibabaSection {
    /// The ECS RAM role ("" = none).
    pub ecs_role_name: Option<String>,
    /// Extra AccessKey pairs AssumeRole accepts.
    #[serde(default)]
    pub access_keys: Vec<KeyPair>,
}

/// `[tencent]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentSection {
    /// The CVM CAM role ("" = none).
    pub cvm_role_name: Option<String>,
    /// Extra SecretId/SecretKey pairs AssumeRole accepts.
    #[serde(default)]
    pub secret_keys: Vec<KeyPair>,
    /// Extra accepted OIDC provider ids.
    #[serde(default)]
    pub oidc_provider_ids: Vec<String>,
    /// Extra accepted web identity tokens.
    #[serde(default)]
    pub web_identity_tokens: Vec<String>,
    /// Whether `X-TC-Timestamp` is checked.
    pub check_timestamp: Option<bool>,
}

/// A key id and its secret.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPair {
    /// AccessKey id / SecretId.
    pub id: String,
    /// AccessKey secret / SecretKey.
    pub secret: String,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("id", &self.id)
            .field("secret", &"***")
            .finish()
    }
}

/// One `[[faults]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Route name.
    pub route: String,
    /// Answer this status instead.
    pub status: Option<u16>,
    /// Body for `status`.
    pub body: Option<String>,
    /// Delay before answering.
    pub delay_ms: Option<u64>,
    /// Replace the body by non-JSON.
    #[serde(default)]
    pub malformed_body: bool,
    /// Cut the body short.
    #[serde(default)]
    pub truncated_body: bool,
    /// Fields to remove.
    #[serde(default)]
    pub missing_fields: Vec<String>,
    /// Issue expired credentials.
    #[serde(default)]
    pub expired_credentials: bool,
    /// Close without answering.
    #[serde(default)]
    pub drop_connection: bool,
    /// Send a body larger than any client accepts.
    #[serde(default)]
    pub oversized_body: bool,
    /// Fields whose values change JSON type.
    #[serde(default)]
    pub wrong_type_fields: Vec<String>,
    /// Expiry fields hold text that is no time.
    #[serde(default)]
    pub unparseable_expiry: bool,
    /// Answer with the cloud's throttling error.
    #[serde(default)]
    pub throttled: bool,
    /// Close the connection halfway through the body.
    #[serde(default)]
    pub mid_body_close: bool,
    /// One-shot: the next N requests only.
    pub times: Option<u32>,
}

impl FaultSpec {
    /// The emulator fault this entry describes (`None` when it sets none).
    pub fn to_fault(&self) -> Option<Fault> {
        let mut all = Vec::new();
        if let Some(ms) = self.delay_ms {
            all.push(Fault::Delay(Duration::from_millis(ms)));
        }
        if self.drop_connection {
            all.push(Fault::DropConnection);
        }
        if let Some(status) = self.status {
            all.push(match &self.body {
                Some(b) => Fault::status_with_body(status, b.clone()),
                None => Fault::status(status),
            });
        }
        if self.throttled {
            all.push(Fault::Throttled);
        }
        if self.expired_credentials {
            all.push(Fault::ExpiredCredentials);
        }
        if !self.missing_fields.is_empty() {
            all.push(Fault::missing_fields(self.missing_fields.iter().cloned()));
        }
        if !self.wrong_type_fields.is_empty() {
            all.push(Fault::WrongType(self.wrong_type_fields.clone()));
        }
        if self.unparseable_expiry {
            all.push(Fault::UnparseableExpiry);
        }
        if self.malformed_body {
            all.push(Fault::MalformedBody);
        }
        if self.oversized_body {
            all.push(Fault::OversizedBody);
        }
        if self.truncated_body {
            all.push(Fault::TruncatedBody);
        }
        if self.mid_body_close {
            all.push(Fault::MidBodyClose);
        }
        match all.len() {
            0 => None,
            1 => all.pop(),
            _ => Some(Fault::All(all)),
        }
    }
}

/// Why a setup file was refused; the message names the key at fault, never a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// Parses a TOML setup file.
///
/// ```
/// let f = credchain_emulator::setup::parse_toml("[[faults]]\nroute = \"alibaba.credentials_uri\"\nstatus = 503\n").unwrap();
/// assert_eq!(f.faults.len(), 1);
/// assert!(credchain_emulator::setup::parse_toml("nonsense = 1").is_err());
/// ```
pub fn parse_toml(text: &str) -> Result<EmulateFile, SetupError> {
    let file: EmulateFile =
        toml::from_str(text).map_err(|e| SetupError(without_quoted_values(e.message())))?;
    file.validate()
}

/// Parses a JSON setup file (same keys as TOML).
pub fn parse_json(text: &str) -> Result<EmulateFile, SetupError> {
    let file: EmulateFile = serde_json::from_str(text)
        .map_err(|e| SetupError(without_quoted_values(&e.to_string())))?;
    file.validate()
}

impl EmulateFile {
    fn validate(self) -> Result<Self, SetupError> {
        if let Some(s) = self.credential_lifetime_seconds {
            if s > MAX_CREDENTIAL_LIFETIME_SECONDS {
                return Err(SetupError(format!(
                    "credential_lifetime_seconds is {s}; at most {MAX_CREDENTIAL_LIFETIME_SECONDS}"
                )));
            }
        }
        if let Some(f) = self.faults.iter().find(|f| f.times > Some(MAX_FAULT_TIMES)) {
            return Err(SetupError(format!(
                "[[faults]] for {:?}: times is {}; at most {MAX_FAULT_TIMES}",
                f.route,
                f.times.unwrap_or_default()
            )));
        }
        Ok(self)
    }

    /// The emulator configuration the file describes.
    pub fn emulator_config(&self) -> EmulatorConfig {
        let mut c = EmulatorConfig::default();
        if let Some(r) = role(&self.alibaba.ecs_role_name) {
            c.ecs_role_name = r;
        }
        if let Some(r) = role(&self.tencent.cvm_role_name) {
            c.cvm_role_name = r;
        }
        if let Some(s) = self.credential_lifetime_seconds {
            c.credential_lifetime = Duration::from_secs(s);
        }
        if let Some(b) = self.require_imds_token {
            c.require_imds_token = b;
        }
        if let Some(p) = &self.credentials_uri_path {
            c.credentials_uri_path = if p.starts_with('/') {
                p.clone()
            } else {
                format!("/{p}")
            };
        }
        c
    }
}

/// serde quotes offending values between backticks (``invalid type: string `s3cr3t` ``); a value
/// may be a secret, so it is cut, keeping the field and the expected type.
fn without_quoted_values(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    for (i, part) in msg.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
        } else {
            out.push_str("(value hidden)");
        }
    }
    out
}

fn role(name: &Option<String>) -> Option<Option<String>> {
    name.as_ref()
        .map(|n| Some(n.trim().to_string()).filter(|n| !n.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_roles() {
        let f = parse_json(
            r#"{"alibaba": {"ecs_role_name": ""}, "tencent": {"cvm_role_name": "R"},
                "credential_lifetime_seconds": 900,
                "faults": [{"route": "alibaba.credentials_uri", "status": 503, "delay_ms": 5, "times": 1}]}"#,
        )
        .unwrap();
        let c = f.emulator_config();
        assert_eq!(c.ecs_role_name, None);
        assert_eq!(c.cvm_role_name.as_deref(), Some("R"));
        assert_eq!(c.credential_lifetime, Duration::from_secs(900));
        assert!(matches!(f.faults[0].to_fault(), Some(Fault::All(v)) if v.len() == 2));
        assert!(parse_toml("nonsense = 1").is_err());
    }

    /// `times = 4000000000` queued four billion faults (memory without bound) before it was
    /// bounded; a huge lifetime is refused too.
    #[test]
    fn huge_counts_are_refused() {
        let e = parse_toml("[[faults]]\nroute = \"r\"\nstatus = 500\ntimes = 4000000000\n")
            .unwrap_err();
        assert!(e.to_string().contains("times is 4000000000"), "{e}");
        assert!(parse_toml("[[faults]]\nroute = \"r\"\nstatus = 500\ntimes = 10000\n").is_ok());
        let e = parse_toml("credential_lifetime_seconds = 1000000000000").unwrap_err();
        assert!(e.to_string().contains("credential_lifetime_seconds"), "{e}");
    }

    #[test]
    fn secrets_stay_out_of_errors_and_debug() {
        let f = parse_toml(
            "[alibaba]\naccess_keys = [{ id = \"LTAIx\", secret = \"s3cr3t-value\" }]\n",
        )
        .unwrap();
        assert!(!format!("{f:?}").contains("s3cr3t-value"));
        let e = parse_json(r#"{"alibaba": {"access_keys": [{"id": "i", "secret": 123456789}]}}"#)
            .unwrap_err();
        assert!(!e.to_string().contains("123456789"), "{e}");
    }
}
