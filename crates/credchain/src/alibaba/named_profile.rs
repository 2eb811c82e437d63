//! An explicitly named Alibaba Cloud profile (`credchain --profile NAME`, [`named_profile`]).
//!
//! A profile named by the caller selects that profile's source directly, as aws-cli's
//! `--profile` does: credentials in the environment do not win over it, and nothing else in the
//! default chain is tried. The name is looked up in aliyun-cli's `config.json` first (as
//! `aliyun --profile` does), then as a section of `credentials.ini`; a name found in neither is an
//! error that says where it looked. A broken file or a broken profile is an error too, never a
//! reason to look elsewhere.
//!
//! `ALIBABA_CLOUD_PROFILE` keeps the default chain's semantics (environment keys first), as in the
//! official libraries: only a name given by the caller bypasses the chain.

use super::cli_profile::CliProfileProvider;
use super::profile::ProfileProvider;
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::provider::SharedProvider;

/// The source of the profile `name`: a `config.json` profile, else a `credentials.ini` section.
///
/// ```
/// use credchain::alibaba;
/// use credchain::context::{Context, MemoryEnv, MemoryFs};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty()
///     .with_env(MemoryEnv::from_pairs([
///         ("HOME", "/home/u"),
///         ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
///         ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
///     ]))
///     .with_fs(MemoryFs::new().with_file(
///         "/home/u/.alibabacloud/credentials.ini",
///         "[prod]\ntype = access_key\naccess_key_id = LTAIprod\naccess_key_secret = s\n",
///     ));
/// let c = alibaba::named_profile(&ctx, "prod").unwrap().provide_credentials().await.unwrap();
/// assert_eq!(c.access_key_id(), "LTAIprod"); // not the environment's key
/// let e = alibaba::named_profile(&ctx, "nope").unwrap_err();
/// assert!(e.to_string().contains("credentials.ini"), "{e}");
/// # });
/// ```
pub fn named_profile(ctx: &Context, name: &str) -> Result<SharedProvider> {
    if name.trim().is_empty() {
        return Err(Error::invalid_config("the profile name is empty")
            .with_hint("give a profile name, or leave the profile out to use the default chain"));
    }
    let cli = CliProfileProvider::builder()
        .profile(name)
        .missing_is_not_configured()
        .build(ctx)?;
    let cli_reason = match cli.outcome() {
        Ok(_) => return Ok(SharedProvider::new(cli)),
        // With its hint: config.json's says which profiles the file has.
        Err(e) if e.is_not_configured() => match e.hint() {
            Some(h) => format!("{} ({h})", reason(e)),
            None => reason(e),
        },
        Err(e) => return Err(e.clone()),
    };
    let ini = ProfileProvider::builder()
        .profile(name)
        .missing_is_not_configured()
        .build(ctx)?;
    let ini_reason = match ini.outcome() {
        Ok(_) => return Ok(SharedProvider::new(ini)),
        Err(e) if e.is_not_configured() => reason(e),
        Err(e) => return Err(e.clone()),
    };
    Err(Error::new(
        ErrorKind::InvalidConfig,
        format!(
            "the profile '{name}' was not found: aliyun-cli config.json: {cli_reason}; \
             credentials.ini: {ini_reason}"
        ),
    )
    .with_hint(
        "add the profile (aliyun configure --profile NAME, or a [NAME] section in \
         ~/.alibabacloud/credentials.ini), or name a profile that exists",
    ))
}

/// Why a file did not have the profile, with the file when the message does not name it.
fn reason(e: &Error) -> String {
    match e.file() {
        Some(f) if !e.message().contains(&*f.to_string_lossy()) => {
            format!("{} ({})", e.message(), f.display())
        }
        _ => e.message().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{MemoryEnv, MemoryFs};
    use crate::ProvideCredentials;

    const CONFIG_JSON: &str = r#"{"current":"dev","profiles":[
        {"name":"dev","mode":"AK","access_key_id":"LTAIdev","access_key_secret":"s1"},
        {"name":"shared","mode":"AK","access_key_id":"LTAIcli","access_key_secret":"s2"}]}"#;
    const INI: &str = "[prod]\ntype = access_key\naccess_key_id = LTAIprod\naccess_key_secret = s3\n\
                       [shared]\ntype = access_key\naccess_key_id = LTAIini\naccess_key_secret = s4\n";

    fn ctx(files: &[(&str, &str)]) -> Context {
        let mut fs = MemoryFs::new();
        for (p, t) in files {
            fs = fs.with_file(*p, *t);
        }
        Context::empty()
            .with_env(MemoryEnv::from_pairs([
                ("HOME", "/h"),
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
            ]))
            .with_fs(fs)
    }

    async fn key_of(ctx: &Context, name: &str) -> Result<String> {
        let c = named_profile(ctx, name)?.provide_credentials().await?;
        Ok(c.access_key_id().to_string())
    }

    #[tokio::test]
    async fn explicit_profile_beats_env_keys_in_both_files() {
        let both = ctx(&[
            ("/h/.aliyun/config.json", CONFIG_JSON),
            ("/h/.alibabacloud/credentials.ini", INI),
        ]);
        assert_eq!(key_of(&both, "dev").await.unwrap(), "LTAIdev");
        assert_eq!(key_of(&both, "prod").await.unwrap(), "LTAIprod");
        // config.json first, as aliyun-cli's own --profile.
        assert_eq!(key_of(&both, "shared").await.unwrap(), "LTAIcli");
    }

    #[tokio::test]
    async fn unknown_profile_lists_where_it_looked() {
        for files in [
            vec![],
            vec![("/h/.aliyun/config.json", CONFIG_JSON)],
            vec![("/h/.alibabacloud/credentials.ini", INI)],
        ] {
            let e = key_of(&ctx(&files), "missing").await.unwrap_err();
            let text = e.to_string();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{text}");
            assert!(text.contains("'missing'"), "{text}");
            assert!(
                text.contains("config.json") && text.contains("credentials.ini"),
                "{text}"
            );
        }
    }

    #[tokio::test]
    async fn broken_file_is_an_error_not_a_reason_to_look_elsewhere() {
        let c = ctx(&[
            ("/h/.aliyun/config.json", "{not json"),
            ("/h/.alibabacloud/credentials.ini", INI),
        ]);
        let e = key_of(&c, "prod").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::File, "{e}");
    }
}
