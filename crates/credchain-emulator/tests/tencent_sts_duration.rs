//! Tencent STS honours `DurationSeconds` up to the configured lifetime (the role's longest
//! session): the credentials expire that long after the emulator's clock (fixed here, so the
//! expectation is exact), else after the configured lifetime.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{raw, send};
use credchain_emulator::routes::tencent_sts::{
    EMULATOR_OIDC_PROVIDER_ID, EMULATOR_WEB_IDENTITY_TOKEN,
};
use credchain_emulator::Emulator;
use serde_json::{json, Value};

const NOW: u64 = 1_800_000_000;

async fn web_identity(emu: &Emulator, duration: Option<u64>) -> Value {
    let mut body = json!({
        "ProviderId": EMULATOR_OIDC_PROVIDER_ID,
        "WebIdentityToken": EMULATOR_WEB_IDENTITY_TOKEN,
        "RoleArn": "qcs::cam::uin/100000000001:roleName/emu",
        "RoleSessionName": "duration-test",
    });
    if let Some(d) = duration {
        body["DurationSeconds"] = json!(d);
    }
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", "SKIP"),
        ("X-TC-Action", "AssumeRoleWithWebIdentity"),
        ("X-TC-Version", "2018-08-13"),
        ("X-TC-Region", "ap-guangzhou"),
    ];
    let r = send(
        emu.addr(),
        &raw("POST", "/", &headers, body.to_string().as_bytes()),
    )
    .await
    .unwrap();
    r.json()["Response"].clone()
}

#[tokio::test]
async fn duration_seconds_sets_the_expiry() {
    let emu = Emulator::start().await.unwrap();
    emu.set_clock(Some(UNIX_EPOCH + Duration::from_secs(NOW)));
    // The configured lifetime is the role's longest session: asking for more gets that much.
    emu.set_credential_lifetime(Duration::from_secs(3600));
    let capped = web_identity(&emu, Some(7200)).await;
    assert_eq!(capped["ExpiredTime"], NOW + 3600, "{capped}");
    emu.set_credential_lifetime(Duration::from_secs(43_200));
    let short = web_identity(&emu, Some(900)).await;
    assert_eq!(short["ExpiredTime"], NOW + 900, "{short}");
    let long = web_identity(&emu, Some(43_200)).await;
    assert_eq!(long["ExpiredTime"], NOW + 43_200, "{long}");
    let default = web_identity(&emu, None).await;
    let lifetime = emu.config().credential_lifetime.as_secs();
    assert_eq!(default["ExpiredTime"], NOW + lifetime, "{default}");
    let too_long = web_identity(&emu, Some(43_201)).await;
    assert_eq!(
        too_long["Error"]["Code"], "InvalidParameterValue",
        "{too_long}"
    );
}
