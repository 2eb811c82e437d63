//! Alibaba STS `GenerateSessionAccessKey` (`docs/sources/alibaba.md#rsa-key-pair`), as the Python
//! reference signs it: RPC v1 parameters, `SignatureMethod=HMAC-SHA1`, and an HMAC key that is
//! the private key file's text followed by `&`.
//!
//! The route knows one key pair, [`PUBLIC_KEY_ID`] / [`PRIVATE_KEY_PEM`] (plus any given to
//! [`route_with_keys`]), checks `Format=JSON`, `Version=2015-04-01`, `SignatureVersion=1.0`,
//! `DurationSeconds` 900..=43200 and the signature (computed with the emulator's own HMAC-SHA1 of
//! [`super::rpc_verify`]), and answers
//! `{"RequestId","SessionAccessKey":{"SessionAccessKeyId","SessionAccessKeySecret","Expiration"}}`.

use serde_json::json;

use super::alibaba_auth::{err, ApiError};
use super::rpc_verify::{all_params, param, rpc_signature};
use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

/// Route name of `GenerateSessionAccessKey`.
pub const ALIBABA_STS_GENERATE_SESSION_ACCESS_KEY: &str = "alibaba.sts.generate_session_access_key";
/// The public key id the emulator knows.
pub const PUBLIC_KEY_ID: &str = "KP-EmulatorPublicKey01";
/// The private key text that goes with it (a fake, public test value).
pub const PRIVATE_KEY_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIICXAIBAAKBgQCEmulatorFakeKeyForTestsOnly0123456789abcdefghijklmnop\nqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/EmulatorFakeKeyForTestsOnly==\n-----END RSA PRIVATE KEY-----\n";

/// The route with the default key pair.
pub fn route() -> Route {
    route_with_keys(Vec::new())
}

/// The route accepting the default pair plus `keys` (`(public key id, private key text)`).
pub fn route_with_keys(keys: Vec<(String, String)>) -> Route {
    let mut known = keys;
    known.push((PUBLIC_KEY_ID.to_string(), PRIVATE_KEY_PEM.to_string()));
    Route::new(
        ALIBABA_STS_GENERATE_SESSION_ACCESS_KEY,
        Matcher::rpc_action("GenerateSessionAccessKey"),
        move |req, ctx| generate(req, ctx, &known),
    )
}

fn error(ctx: &RouteContext<'_>, e: ApiError) -> Reply {
    Reply::json(
        e.status,
        json!({"RequestId": format!("EMU-STS-{:08}", ctx.state().issued().len() + 1),
               "HostId": "sts.ap-northeast-1.aliyuncs.com", "Code": e.code, "Message": e.message}),
    )
}

fn generate(req: &RecordedRequest, ctx: &RouteContext<'_>, known: &[(String, String)]) -> Reply {
    if let Err(e) = verify(req, known) {
        return error(ctx, e);
    }
    let c = ctx.issue_credentials(Cloud::Alibaba);
    Reply::json(
        200,
        json!({
            "RequestId": format!("EMU-STS-{:08}", c.serial),
            "SessionAccessKey": {
                "SessionAccessKeyId": c.access_key_id.replace("STS.", "TMPSK."),
                "SessionAccessKeySecret": c.access_key_secret,
                "Expiration": c.expiration_utc(),
            }
        }),
    )
}

/// The fixed parameters, nonce and timestamp present, the duration, the public key id, and the
/// signature keyed with the private key's text. Unlike `AssumeRole`, neither the time nor the
/// nonce is checked beyond presence, and the errors are the coarser ones this API answers.
fn verify(req: &RecordedRequest, known: &[(String, String)]) -> Result<(), ApiError> {
    let params = all_params(req);
    let get = |k: &str| param(&params, k).unwrap_or_default();
    let fixed = [
        ("Format", "JSON"),
        ("Version", "2015-04-01"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ];
    if let Some((k, _)) = fixed.iter().find(|(k, want)| get(k) != *want) {
        return Err(err(
            400,
            "InvalidParameter",
            format!("The parameter {k} is invalid."),
        ));
    }
    if get("SignatureNonce").is_empty() || get("Timestamp").is_empty() {
        return Err(err(
            400,
            "MissingParameter",
            "SignatureNonce and Timestamp are required.",
        ));
    }
    let duration = get("DurationSeconds").parse::<u64>().unwrap_or(0);
    if !(900..=43_200).contains(&duration) {
        return Err(err(
            400,
            "InvalidParameter.DurationSeconds",
            "The Min/Max value of DurationSeconds is 15min/12hr.",
        ));
    }
    let Some((_, pem)) = known.iter().find(|(id, _)| id == get("AccessKeyId")) else {
        return Err(err(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified public key is not found.",
        ));
    };
    let unsigned: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    if rpc_signature(&req.method, &unsigned, pem) != get("Signature") {
        return Err(err(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        ));
    }
    Ok(())
}
