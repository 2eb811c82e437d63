//! The sample setup `credchain doctor --emulator` resolves against the built-in emulator: sample
//! keys, files and endpoint overrides, all in memory, so nothing of the user's real environment or
//! home directory is read and nothing leaves loopback.
//!
//! The sample values are fake and public; they exist only so every source can be seen working.

use credchain::context::{MemoryEnv, MemoryFs};

use crate::cli::Cloud;

/// The sample home directory (in memory).
pub const HOME: &str = "/home/credchain-sample";

/// Environment and files for one cloud's sample setup, pointing every endpoint at `emulator`
/// (a base URL such as `http://127.0.0.1:PORT`).
pub fn setup(cloud: Cloud, emulator: &str) -> (MemoryEnv, MemoryFs) {
    let mut env = MemoryEnv::from_pairs([("HOME", HOME)]);
    let fs = MemoryFs::new();
    match cloud {
        Cloud::Alibaba => {
            env.set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tSampleEnvKey0001");
            env.set(
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                "sample-env-secret-not-real",
            );
            env.set("ALIBABA_CLOUD_STS_ENDPOINT", emulator);
            env.set("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT", emulator);
            env.set("ALIBABA_CLOUD_OAUTH_ENDPOINT", emulator);
            env.set(
                "ALIBABA_CLOUD_CREDENTIALS_URI",
                format!("{emulator}/credentials-uri"),
            );
        }
        Cloud::Tencent => {
            env.set("TENCENTCLOUD_SECRET_ID", "AKIDSampleEnvSecretId0001");
            env.set("TENCENTCLOUD_SECRET_KEY", "sample-env-key-not-real");
            env.set("TENCENTCLOUD_STS_ENDPOINT", emulator);
            env.set("TENCENTCLOUD_METADATA_ENDPOINT", emulator);
        }
    }
    (env, fs)
}
