//! The cache key: which source's credentials a cache file holds.
//!
//! The key is the SHA-256 of a description of the resolved source made of non-secret facts only,
//! so neither a secret nor a hash of one ends up in a file name:
//! - the cloud, the `--profile` name, and the `--config` argument (its absolute path for a file;
//!   only the word "inline" for inline JSON, which may hold secrets);
//! - the resolved provider's name and its `Debug` text, which credchain keeps free of secrets
//!   (role ARN, session name, endpoint, access key id; never a secret or token);
//! - the values of the cloud's non-secret variables that choose or configure a source (access key
//!   ids, role ARNs, session names, profile names, file paths, endpoints with their paths and
//!   queries redacted), so another environment is another entry;
//! - size, modification time and inode of the credentials files the cloud reads and of the
//!   `--config` file, so an edited profile (another role ARN, say) is a new entry at once.
//!
//! The file name is `<cloud>-<sha256 hex>.json`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use credchain::context::Context;
use credchain::{alibaba, tencent, SharedProvider};
use sha2::{Digest, Sha256};

use crate::cli::Cloud;

/// Alibaba variables that choose or configure a source and hold no secret.
const ALIBABA_VARS: &[&str] = &[
    alibaba::env_vars::ACCESS_KEY_ID,
    alibaba::env_vars::ROLE_ARN,
    alibaba::env_vars::ROLE_SESSION_NAME,
    alibaba::env_vars::OIDC_PROVIDER_ARN,
    alibaba::env_vars::OIDC_TOKEN_FILE,
    alibaba::env_vars::STS_REGION,
    alibaba::env_vars::STS_ENDPOINT,
    alibaba::env_vars::VPC_ENDPOINT_ENABLED,
    alibaba::env_vars::ECS_METADATA,
    alibaba::env_vars::ECS_METADATA_DISABLED,
    alibaba::env_vars::ECS_METADATA_SERVICE_ENDPOINT,
    alibaba::env_vars::IMDSV1_DISABLED,
    alibaba::env_vars::CREDENTIALS_URI,
    alibaba::env_vars::CREDENTIALS_FILE,
    alibaba::env_vars::PROFILE,
    alibaba::env_vars::CLI_PROFILE_DISABLED,
    alibaba::env_vars::CONFIG_FILE,
    alibaba::env_vars::EXTERNAL_PROFILES,
    alibaba::env_vars::OAUTH_ENDPOINT,
    alibaba::env_vars::IGNORE_PROFILE,
    alibaba::env_vars::DISABLE_EXTERNAL_PROCESS,
];

/// Tencent variables that choose or configure a source and hold no secret.
const TENCENT_VARS: &[&str] = &[
    tencent::env_vars::SECRET_ID,
    tencent::env_vars::CREDENTIALS_FILE,
    tencent::env_vars::PROFILE,
    tencent::env_vars::TKE_REGION,
    tencent::env_vars::TKE_PROVIDER_ID,
    tencent::env_vars::TKE_WEB_IDENTITY_TOKEN_FILE,
    tencent::env_vars::TKE_ROLE_ARN,
    tencent::env_vars::STS_ENDPOINT,
    tencent::env_vars::METADATA_ENDPOINT,
    tencent::env_vars::METADATA_DISABLED,
    tencent::env_vars::TCCLI_PROFILE,
    tencent::env_vars::ROLE_ARN,
    tencent::env_vars::ROLE_SESSION_NAME,
    tencent::env_vars::REGION,
    tencent::env_vars::WEB_IDENTITY_TOKEN_FILE,
    tencent::env_vars::PROVIDER_ID,
    tencent::env_vars::ROLE_SESSSION_NAME,
    tencent::env_vars::TKE_ROLE_SESSSION_NAME,
];

/// What a command resolved its credentials from.
pub struct Request<'a> {
    /// The cloud.
    pub cloud: Cloud,
    /// `--profile`.
    pub profile: Option<&'a str>,
    /// `--config`.
    pub config: Option<&'a Path>,
}

/// The cache file name for the source `provider` that `request` resolved to.
pub fn file_name(request: &Request<'_>, provider: &SharedProvider, ctx: &Context) -> String {
    let description = describe(request, provider, ctx);
    tracing::trace!(%description, "the disk cache key describes");
    let digest = Sha256::digest(description.as_bytes());
    let cloud = match request.cloud {
        Cloud::Alibaba => "alibaba",
        Cloud::Tencent => "tencent",
    };
    format!("{cloud}-{}.json", hex::encode(digest))
}

/// The non-secret description the key hashes, one fact a line.
fn describe(request: &Request<'_>, provider: &SharedProvider, ctx: &Context) -> String {
    let mut d = String::from("credchain disk cache key v1\n");
    let _ = writeln!(d, "cloud {:?}", request.cloud);
    let _ = writeln!(d, "profile {:?}", request.profile);
    let _ = writeln!(d, "config {}", config_identity(request.config));
    let settings = without_generated_session_names(&format!("{provider:?}"));
    let _ = writeln!(d, "provider {} {settings}", provider.name());
    let vars = match request.cloud {
        Cloud::Alibaba => ALIBABA_VARS,
        Cloud::Tencent => TENCENT_VARS,
    };
    for name in vars {
        if let Some(value) = ctx.env().var_os(name) {
            let value = value.to_string_lossy();
            let value = if name.contains("ENDPOINT") || name.contains("URI") {
                credchain::redact::url(&value)
            } else {
                value.into_owned()
            };
            let _ = writeln!(d, "env {name}={value:?}");
        }
    }
    let mut files = credentials_files(request, ctx);
    if let Some(path) = request.config.filter(|_| !is_inline(request.config)) {
        files.push(path.to_path_buf());
    }
    for path in files {
        let _ = writeln!(d, "file {:?} {}", path, fingerprint(&path));
    }
    d
}

/// Prefixes of the session names the role sources generate from the clock when none is
/// configured (`credentials-rust-<seconds>`, `credchain-<microseconds>`).
const GENERATED_SESSION_NAMES: [&str; 2] = ["\"credentials-rust-", "\"credchain-"];

/// `debug` with the digits of generated session names removed: they change on every run, and
/// would otherwise make every run a new key.
fn without_generated_session_names(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some((at, prefix)) = GENERATED_SESSION_NAMES
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, *p)))
        .min()
    {
        let after = &rest[at + prefix.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..at + prefix.len()]);
        if digits > 0 && after[digits..].starts_with('"') {
            out.push_str("<generated>");
        } else {
            out.push_str(&after[..digits]);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// A `--config` argument: a file's absolute path, or "inline" (its JSON may hold secrets).
fn config_identity(config: Option<&Path>) -> String {
    match config {
        None => "none".into(),
        Some(_) if is_inline(config) => "inline".into(),
        Some(path) => format!(
            "file {:?}",
            std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
        ),
    }
}

fn is_inline(config: Option<&Path>) -> bool {
    config.is_some_and(crate::resolve::is_inline_config)
}

/// The credentials files the cloud's sources read, whether they exist or not.
fn credentials_files(request: &Request<'_>, ctx: &Context) -> Vec<PathBuf> {
    let env = ctx.env();
    let home = env.home_dir().unwrap_or_default();
    let from_env = |name: &str| {
        env.var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    match request.cloud {
        Cloud::Alibaba => vec![
            from_env(alibaba::env_vars::CONFIG_FILE)
                .unwrap_or_else(|| home.join(".aliyun/config.json")),
            from_env(alibaba::env_vars::CREDENTIALS_FILE)
                .unwrap_or_else(|| home.join(".alibabacloud/credentials.ini")),
            home.join(".alibabacloud/credentials"),
        ],
        Cloud::Tencent => {
            let mut files = vec![
                from_env(tencent::env_vars::CREDENTIALS_FILE)
                    .unwrap_or_else(|| home.join(".tencentcloud/credentials")),
                PathBuf::from("/etc/tencentcloud/credentials"),
            ];
            let tccli = env
                .var_os(tencent::env_vars::TCCLI_PROFILE)
                .map(|v| v.to_string_lossy().into_owned());
            for name in [
                request.profile.map(str::to_string),
                tccli,
                Some("default".into()),
            ]
            .into_iter()
            .flatten()
            {
                files.push(home.join(".tccli").join(format!("{name}.credential")));
            }
            files
        }
    }
}

/// Size, modification time and inode of `path`, or "absent".
fn fingerprint(path: &Path) -> String {
    let Ok(meta) = std::fs::metadata(path) else {
        return "absent".into();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0u64;
    format!("{} {modified} {inode}", meta.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use credchain::alibaba::StaticAccessKeyProvider;
    use credchain::context::MemoryEnv;

    fn name(env: &[(&str, &str)], profile: Option<&str>) -> String {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs(env.iter().copied()));
        let provider =
            SharedProvider::new(StaticAccessKeyProvider::new("LTAIkey", "s3cr3t").unwrap());
        let request = Request {
            cloud: Cloud::Alibaba,
            profile,
            config: None,
        };
        file_name(&request, &provider, &ctx)
    }

    #[test]
    fn profile_and_environment_change_the_key_secrets_do_not_enter_it() {
        let home = [("HOME", "/nonexistent-home")];
        let base = name(&home, Some("ops"));
        assert!(
            base.starts_with("alibaba-") && base.ends_with(".json"),
            "{base}"
        );
        assert_eq!(base.len(), "alibaba-".len() + 64 + ".json".len());
        assert_eq!(base, name(&home, Some("ops")), "stable");
        assert_ne!(base, name(&home, Some("dev")));
        let role = [
            ("HOME", "/nonexistent-home"),
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/a"),
        ];
        assert_ne!(base, name(&role, Some("ops")));
        let secret = [
            ("HOME", "/nonexistent-home"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "x"),
        ];
        assert_eq!(
            base,
            name(&secret, Some("ops")),
            "a secret is not part of the key"
        );
    }

    #[test]
    fn generated_session_names_do_not_change_the_key() {
        let a = r#"P { role_session_name: "credentials-rust-1796320716", x: "credchain-17963207161234" }"#;
        let b = r#"P { role_session_name: "credentials-rust-1796320999", x: "credchain-17963207169999" }"#;
        assert_eq!(
            without_generated_session_names(a),
            without_generated_session_names(b)
        );
        assert_eq!(
            without_generated_session_names(a),
            r#"P { role_session_name: "credentials-rust-<generated>", x: "credchain-<generated>" }"#
        );
        let named = r#"P { role_session_name: "credchain-ops", y: "credchain-12x" }"#;
        assert_eq!(without_generated_session_names(named), named);
    }

    #[test]
    fn the_description_holds_no_secret() {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
            ("HOME", "/nonexistent-home"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-s3cr3t"),
            (
                "ALIBABA_CLOUD_CREDENTIALS_URI",
                "http://127.0.0.1:1/Xk3pQ9rT2vLm8NwZ4bYc/x?sig=s3cr3t",
            ),
        ]));
        let provider =
            SharedProvider::new(StaticAccessKeyProvider::new("LTAIkey", "s3cr3t").unwrap());
        let inline = Path::new(r#"{"access_key_secret": "inline-s3cr3t"}"#);
        let request = Request {
            cloud: Cloud::Alibaba,
            profile: None,
            config: Some(inline),
        };
        let d = describe(&request, &provider, &ctx);
        assert!(d.contains("LTAIkey"), "{d}");
        assert!(d.contains("config inline"), "{d}");
        assert!(
            !d.contains("s3cr3t") && !d.contains("Xk3pQ9rT2vLm8NwZ4bYc"),
            "{d}"
        );
    }
}
