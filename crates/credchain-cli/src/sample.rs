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
//! | tccli | `~/.tccli/default.credential` with `role-arn` (AssumeRole) |
//! | cvm_role | the emulator's metadata service |
//!
//! Sources that a default chain reaches only through a named profile are shown too
//! ([`extra_sources`]): config.json `External`, `OAuth` and `CloudSSO` profiles, and a
//! `rsa_key_pair` section of credentials.ini.
//!
//! The sample values are fake and public; the long-term keys are the emulator's test keys.

use credchain::alibaba::{CliProfileProvider, ProfileProvider};
use credchain::context::{Context, MemoryEnv, MemoryFs};
use credchain::SharedProvider;
use credchain_emulator::routes::{alibaba_session_key, alibaba_sts, tencent_sts};
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
            fs.write(
                format!("{HOME}/.aliyun/config.json"),
                aliyun_config_json(&base),
            );
            fs.write(
                format!("{HOME}/.alibabacloud/rsa.pem"),
                alibaba_session_key::PRIVATE_KEY_PEM,
            );
            fs.write(
                format!("{HOME}/.alibabacloud/credentials.ini"),
                format!(
                    "[default]\nenable = true\ntype = ram_role_arn\naccess_key_id = {}\n\
                     access_key_secret = {}\nrole_arn = {ALIBABA_ROLE}\nrole_session_name = credchain-ini\n\n\
                     [sample-rsa]\ntype = rsa_key_pair\npublic_key_id = {}\n\
                     private_key_file = {HOME}/.alibabacloud/rsa.pem\n",
                    alibaba_sts::ACCESS_KEY_ID,
                    alibaba_sts::ACCESS_KEY_SECRET,
                    alibaba_session_key::PUBLIC_KEY_ID,
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
            fs.write(
                format!("{HOME}/.tccli/default.credential"),
                format!(
                    "{{\"secretId\": \"{}\", \"secretKey\": \"{}\", \"role-arn\": \"{TENCENT_ROLE}\", \
                     \"role-session-name\": \"credchain-tccli\"}}",
                    tencent_sts::EMULATOR_SECRET_ID,
                    tencent_sts::EMULATOR_SECRET_KEY
                ),
            );
        }
    }
    (env, fs)
}

/// Sources of the sample setup that the default chain reaches only through a named profile,
/// labelled `source (profile)`.
pub fn extra_sources(cloud: Cloud, ctx: &Context) -> Vec<(String, SharedProvider)> {
    match cloud {
        Cloud::Alibaba => {
            let mut out: Vec<(String, SharedProvider)> =
                ["sample-external", "sample-oauth", "sample-cloud-sso"]
                    .into_iter()
                    .map(|name| {
                        let p = CliProfileProvider::builder().profile(name).build(ctx);
                        (
                            format!("cli_profile ({name})"),
                            built(CliProfileProvider::NAME, p),
                        )
                    })
                    .collect();
            let rsa = ProfileProvider::builder().profile("sample-rsa").build(ctx);
            out.push((
                "profile (sample-rsa)".to_string(),
                built(ProfileProvider::NAME, rsa),
            ));
            out
        }
        Cloud::Tencent => Vec::new(),
    }
}

/// A built source, or one named `name` that answers its build error.
fn built<P: credchain::ProvideCredentials + 'static>(
    name: &str,
    p: credchain::Result<P>,
) -> SharedProvider {
    match p {
        Ok(p) => SharedProvider::new(p),
        Err(e) => SharedProvider::new(credchain::provide_fn(name, move || {
            let e = e.clone();
            async move { Err(e) }
        })),
    }
}

/// aliyun-cli's config.json: `current` is a ChainableRamRoleArn profile whose source is an AK
/// profile holding the emulator's test key; External, OAuth and CloudSSO profiles sit beside it.
fn aliyun_config_json(base: &str) -> String {
    let external_output = r#"{"mode":"StsToken","access_key_id":"STS.sampleExternal","access_key_secret":"sample-external-secret","sts_token":"sample-external-token","expiration":"2099-01-01T00:00:00Z"}"#;
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
            },
            {
                "name": "sample-external",
                "mode": "External",
                "process_command": format!("printf '%s' '{external_output}'")
            },
            {
                "name": "sample-oauth",
                "mode": "OAuth",
                "oauth_site_type": "CN",
                "oauth_access_token": "sample-oauth-access",
                "oauth_access_token_expire": 0,
                "oauth_refresh_token": "sample-oauth-refresh"
            },
            {
                "name": "sample-cloud-sso",
                "mode": "CloudSSO",
                "cloud_sso_sign_in_url": format!("{base}/login"),
                "cloud_sso_account_id": "1234567890",
                "cloud_sso_access_config": "ac-sample",
                "access_token": "sample-sso-token",
                "cloud_sso_access_token_expire": 4102444800u64
            }
        ],
        "meta_path": ""
    })
    .to_string()
}
