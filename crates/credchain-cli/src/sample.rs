//! The sample setup `credchain doctor --emulator` resolves against the built-in emulator: sample
//! keys, files and endpoint overrides, all in memory, so nothing of the user's real environment or
//! home directory is read and nothing leaves loopback.
//!
//! Every source of each default chain is configured, so the doctor can show each one working:
//!
//! | Alibaba source | sample |
//! |---|---|
//! | env | `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` |
//! | oidc_role_arn (RRSA) | the three `ALIBABA_CLOUD_*` OIDC variables and a token file |
//! | cli_profile | `~/.aliyun/config.json`: a ChainableRamRoleArn profile over an AK profile |
//! | profile | `~/.alibabacloud/credentials.ini`, a `ram_role_arn` section |
//! | ecs_ram_role | the emulator's metadata service (IMDSv2 token required) |
//! | credentials URI | `ALIBABA_CLOUD_CREDENTIALS_URI` at the emulator |
//!
//! | Tencent source | sample |
//! |---|---|
//! | env | `TENCENTCLOUD_SECRET_ID` / `_KEY` |
//! | tke_oidc | the four `TKE_*` variables and a token file |
//! | profile | `~/.tencentcloud/credentials`, `[default]` with a `role_arn` (AssumeRole) |
//! | cvm_role | the emulator's metadata service |
//!
//! The sample values are fake and public; the long-term keys are the emulator's test keys.

use credchain::context::{MemoryEnv, MemoryFs};
use credchain_emulator::routes::{alibaba_sts, tencent_sts};
use credchain_emulator::Emulator;

use crate::cli::Cloud;

/// The sample home directory (in memory).
pub const HOME: &str = "/home/credchain-sample";

const ALIBABA_ROLE: &str = "acs:ram::123456789012:role/credchain-sample";
const TENCENT_ROLE: &str = "qcs::cam::uin/100000000001:roleName/credchain-sample";

/// Environment and files for one cloud's sample setup, pointing every endpoint at the emulator.
pub fn setup(cloud: Cloud, emulator: &Emulator) -> (MemoryEnv, MemoryFs) {
    let base = emulator.base_url();
    let mut env = MemoryEnv::from_pairs([("HOME", HOME)]);
    let fs = MemoryFs::new();
    match cloud {
        Cloud::Alibaba => {
            emulator.set_require_imds_token(true);
            env.set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tSampleEnvKey0001");
            env.set(
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                "sample-env-secret-not-real",
            );
            env.set("ALIBABA_CLOUD_ROLE_ARN", ALIBABA_ROLE);
            env.set(
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::123456789012:oidc-provider/ack-rrsa-sample",
            );
            env.set(
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                format!("{HOME}/rrsa/token"),
            );
            env.set("ALIBABA_CLOUD_STS_ENDPOINT", &base);
            env.set("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT", &base);
            env.set("ALIBABA_CLOUD_OAUTH_ENDPOINT", &base);
            env.set(
                "ALIBABA_CLOUD_CREDENTIALS_URI",
                format!("{base}/credentials-uri"),
            );
            fs.write(format!("{HOME}/rrsa/token"), "sample-rrsa-oidc-token");
            fs.write(format!("{HOME}/.aliyun/config.json"), aliyun_config_json());
            fs.write(
                format!("{HOME}/.alibabacloud/credentials.ini"),
                format!(
                    "[default]\nenable = true\ntype = ram_role_arn\naccess_key_id = {}\n\
                     access_key_secret = {}\nrole_arn = {ALIBABA_ROLE}\nrole_session_name = credchain-ini\n",
                    alibaba_sts::ACCESS_KEY_ID,
                    alibaba_sts::ACCESS_KEY_SECRET
                ),
            );
        }
        Cloud::Tencent => {
            env.set("TENCENTCLOUD_SECRET_ID", "AKIDSampleEnvSecretId0001");
            env.set("TENCENTCLOUD_SECRET_KEY", "sample-env-key-not-real");
            env.set("TKE_REGION", "ap-guangzhou");
            env.set("TKE_PROVIDER_ID", tencent_sts::EMULATOR_OIDC_PROVIDER_ID);
            env.set("TKE_ROLE_ARN", TENCENT_ROLE);
            env.set("TKE_WEB_IDENTITY_TOKEN_FILE", format!("{HOME}/tke/token"));
            env.set("TENCENTCLOUD_STS_ENDPOINT", &base);
            env.set("TENCENTCLOUD_METADATA_ENDPOINT", &base);
            fs.write(
                format!("{HOME}/tke/token"),
                tencent_sts::EMULATOR_WEB_IDENTITY_TOKEN,
            );
            fs.write(
                format!("{HOME}/.tencentcloud/credentials"),
                format!(
                    "[default]\nsecret_id = {}\nsecret_key = {}\nrole_arn = {TENCENT_ROLE}\n\
                     role_session_name = credchain-profile\n",
                    tencent_sts::EMULATOR_SECRET_ID,
                    tencent_sts::EMULATOR_SECRET_KEY
                ),
            );
        }
    }
    (env, fs)
}

/// aliyun-cli's config.json: `current` is a ChainableRamRoleArn profile whose source is an AK
/// profile holding the emulator's test key.
fn aliyun_config_json() -> String {
    serde_json::json!({
        "current": "sample-chained-role",
        "profiles": [
            {
                "name": "sample-ak",
                "mode": "AK",
                "access_key_id": alibaba_sts::ACCESS_KEY_ID,
                "access_key_secret": alibaba_sts::ACCESS_KEY_SECRET,
                "region_id": "cn-hangzhou"
            },
            {
                "name": "sample-chained-role",
                "mode": "ChainableRamRoleArn",
                "source_profile": "sample-ak",
                "ram_role_arn": ALIBABA_ROLE,
                "ram_session_name": "credchain-cli-profile",
                "region_id": "cn-hangzhou"
            }
        ],
        "meta_path": ""
    })
    .to_string()
}
