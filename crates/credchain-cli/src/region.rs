//! The region a command uses when the user did not give one on the command line.
//!
//! Alibaba: `ALIBABA_CLOUD_REGION_ID`, else `region_id` of the aliyun-cli profile in use
//! (`--profile`, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`) in
//! `ALIBABA_CLOUD_CONFIG_FILE` or `~/.aliyun/config.json`. Tencent: `TENCENTCLOUD_REGION`.
//! A region is only a convenience here, so an unreadable file means "unknown", not an error.

use credchain::context::Context;
use serde_json::Value;

use crate::cli::Cloud;

/// The Alibaba region variable the official SDKs and aliyun-cli read.
pub const ALIBABA_REGION_VAR: &str = "ALIBABA_CLOUD_REGION_ID";
/// The Tencent region variable tccli and the SDK examples read.
pub const TENCENT_REGION_VAR: &str = "TENCENTCLOUD_REGION";

/// The region known from the environment or the profile, if any.
pub fn known(cloud: Cloud, profile: Option<&str>, ctx: &Context) -> Option<String> {
    match cloud {
        Cloud::Alibaba => ctx
            .env_non_empty(ALIBABA_REGION_VAR)
            .ok()
            .flatten()
            .or_else(|| alibaba_profile_region(profile, ctx)),
        Cloud::Tencent => ctx.env_non_empty(TENCENT_REGION_VAR).ok().flatten(),
    }
}

/// `region_id` of the aliyun-cli profile in use (`profile`, else `ALIBABA_CLOUD_PROFILE`, else
/// the file's `current`).
pub fn alibaba_profile_region(profile: Option<&str>, ctx: &Context) -> Option<String> {
    let env_path = ctx
        .env_non_empty(credchain::alibaba::env_vars::CONFIG_FILE)
        .ok()
        .flatten();
    let path = env_path.map(std::path::PathBuf::from).or_else(|| {
        ctx.env()
            .home_dir()
            .map(|h| h.join(".aliyun").join("config.json"))
    })?;
    let bytes = ctx
        .fs()
        .read(&path, credchain::context::MAX_FILE_SIZE)
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let name = profile
        .map(str::to_string)
        .or_else(|| {
            ctx.env_non_empty(credchain::alibaba::env_vars::PROFILE)
                .ok()
                .flatten()
        })
        .or_else(|| v["current"].as_str().map(str::to_string))?;
    v["profiles"]
        .as_array()?
        .iter()
        .find(|p| p["name"].as_str() == Some(name.as_str()))?["region_id"]
        .as_str()
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}
