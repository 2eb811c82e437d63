//! How `credchain get` prints credentials.
//!
//! `json` and `env` print secrets because handing them to another program is their job; `table`
//! is for people and redacts them.

use credchain::credentials::REDACTED;
use credchain::Credentials;
use serde_json::{json, Value};

use crate::cli::{Cloud, Shell};

/// The one JSON object of `--format json`.
pub fn to_json(c: &Credentials, type_: &str) -> Value {
    let non_empty = |s: &str| {
        if s.is_empty() {
            Value::Null
        } else {
            Value::String(s.to_string())
        }
    };
    json!({
        "access_key_id": non_empty(c.access_key_id()),
        "access_key_secret": non_empty(c.access_key_secret()),
        "security_token": c.security_token(),
        "bearer_token": c.bearer_token(),
        "expiration": c.expiration().map(credchain::time::format_rfc3339),
        "provider": c.provider_name(),
        "type": type_,
    })
}

/// Single-quotes a value for POSIX shells: `'` becomes `'\''` (close, escaped quote, reopen).
pub fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// Single-quotes a value for fish: inside `'...'` fish treats `\\` and `\'` as escapes.
pub fn fish_quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"))
}

/// Single-quotes a value for PowerShell: inside `'...'` only `'` is special and is doubled.
pub fn powershell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// One line that sets `name` to `value` in `shell`.
fn set_line(shell: Shell, name: &str, value: &str) -> String {
    match shell {
        Shell::Posix => format!("export {name}={}\n", shell_quote(value)),
        Shell::Fish => format!("set -gx {name} {}\n", fish_quote(value)),
        Shell::Powershell => format!("$Env:{name} = {}\n", powershell_quote(value)),
    }
}

/// One line that removes `name` in `shell`.
fn unset_line(shell: Shell, name: &str) -> String {
    match shell {
        Shell::Posix => format!("unset {name}\n"),
        Shell::Fish => format!("set -e {name}\n"),
        Shell::Powershell => format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n"),
    }
}

/// Lines for `shell` that set the cloud's own variables ([`crate::child_env`]: keys, token,
/// expiry, region when known). A missing token or expiry is removed so an old one from the same
/// shell is not combined with new keys.
pub fn to_env(c: &Credentials, cloud: Cloud, region: Option<&str>, shell: Shell) -> String {
    let env = crate::child_env::variables(c, cloud, region);
    let mut out: String = env.set.iter().map(|(k, v)| set_line(shell, k, v)).collect();
    out.extend(env.remove.iter().map(|k| unset_line(shell, k)));
    if c.bearer_token().is_some() {
        out.push_str(
            "# bearer-token credentials have no environment variable; use --format json\n",
        );
    }
    out
}

/// The JSON aliyun-cli's `External` profile mode expects from its `process_command`
/// (`docs/sources/alibaba.md#external-process`): `{"mode": "StsToken", "access_key_id",
/// "access_key_secret", "sts_token", "expiration"}` for temporary credentials, `{"mode": "AK",
/// "access_key_id", "access_key_secret"}` for long-term keys. `expiration` (`YYYY-MM-DDThh:mm:ssZ`)
/// is present when known, so aliyun-cli reuses the credentials until shortly before it instead of
/// re-running the command. Bearer-token credentials have no such form and are an error.
pub fn to_aliyun_external(c: &Credentials) -> credchain::Result<Value> {
    if c.access_key_id().is_empty() || c.access_key_secret().is_empty() {
        return Err(credchain::Error::invalid_config(
            "these credentials have no AccessKey pair (bearer token only); \
             aliyun-cli's External mode needs access_key_id and access_key_secret",
        ));
    }
    let mut v = json!({
        "mode": if c.security_token().is_some() { "StsToken" } else { "AK" },
        "access_key_id": c.access_key_id(),
        "access_key_secret": c.access_key_secret(),
    });
    if let Some(t) = c.security_token() {
        v["sts_token"] = Value::String(t.to_string());
    }
    if let Some(e) = c.expiration() {
        v["expiration"] = Value::String(credchain::time::format_rfc3339(e));
    }
    Ok(v)
}

/// A human-readable table with secrets redacted.
pub fn to_table(c: &Credentials, type_: &str) -> String {
    let redacted = |present: bool| if present { REDACTED } else { "-" };
    let rows = [
        ("provider", c.provider_name().to_string()),
        ("type", type_.to_string()),
        (
            "access key id",
            if c.access_key_id().is_empty() {
                "-".into()
            } else {
                c.access_key_id().to_string()
            },
        ),
        (
            "access key secret",
            redacted(!c.access_key_secret().is_empty()).to_string(),
        ),
        (
            "security token",
            redacted(c.security_token().is_some()).to_string(),
        ),
        (
            "bearer token",
            redacted(c.bearer_token().is_some()).to_string(),
        ),
        (
            "expiration",
            c.expiration()
                .map(credchain::time::format_rfc3339)
                .unwrap_or_else(|| "never".into()),
        ),
    ];
    rows.iter().map(|(k, v)| format!("{k:<18} {v}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sts() -> Credentials {
        Credentials::builder("STS.id", "sec'ret")
            .security_token("tok")
            .provider_name("default/env")
            .build()
    }

    #[test]
    fn json_has_exactly_the_documented_fields() {
        let v = to_json(&sts(), "default");
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 7);
        assert_eq!(v["security_token"], "tok");
        assert_eq!(v["bearer_token"], Value::Null);
        assert_eq!(v["expiration"], Value::Null);
        assert_eq!(v["type"], "default");
    }

    #[test]
    fn env_quotes_and_unsets() {
        let out = to_env(&sts(), Cloud::Alibaba, None, Shell::Posix);
        assert!(out.contains("export ALIBABA_CLOUD_ACCESS_KEY_SECRET='sec'\\''ret'\n"));
        let c = Credentials::builder("AKID", "k").build();
        let out = to_env(&c, Cloud::Tencent, None, Shell::Posix);
        assert!(
            out.contains("unset TENCENTCLOUD_SESSION_TOKEN")
                && out.contains("unset TENCENTCLOUD_TOKEN")
        );
    }

    const TRICKY: &str = r"it's a \ and a space";

    #[test]
    fn posix_quoting_survives_quotes_backslashes_and_spaces() {
        assert_eq!(shell_quote(TRICKY), r"'it'\''s a \ and a space'");
    }

    #[test]
    fn fish_quoting_escapes_backslash_and_quote() {
        assert_eq!(fish_quote(TRICKY), r"'it\'s a \\ and a space'");
    }

    #[test]
    fn powershell_quoting_doubles_quotes_only() {
        assert_eq!(powershell_quote(TRICKY), r"'it''s a \ and a space'");
    }

    #[test]
    fn each_shell_sets_and_unsets_in_its_own_syntax() {
        let c = Credentials::builder("LTAI", TRICKY).build();
        let fish = to_env(&c, Cloud::Alibaba, Some("cn-hangzhou"), Shell::Fish);
        assert!(
            fish.contains("set -gx ALIBABA_CLOUD_ACCESS_KEY_SECRET 'it\\'s a \\\\ and a space'\n")
        );
        assert!(fish.contains("set -gx ALIBABA_CLOUD_REGION_ID 'cn-hangzhou'\n"));
        assert!(fish.contains("set -e ALIBABA_CLOUD_SECURITY_TOKEN\n"));
        let ps = to_env(&c, Cloud::Tencent, None, Shell::Powershell);
        assert!(ps.contains("$Env:TENCENTCLOUD_SECRET_KEY = 'it''s a \\ and a space'\n"));
        assert!(ps.contains("Remove-Item Env:TENCENTCLOUD_CREDENTIALS_EXPIRATION"));
        assert!(!ps.contains("TENCENTCLOUD_REGION"));
    }

    #[test]
    fn aliyun_external_shapes() {
        // The shape of `docs/sources/alibaba.md#external-process`; tests/cli_extra.rs also parses
        // the real binary's output with the library's External parser.
        let exp = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_545_151_178);
        let c = Credentials::builder("STS.id", "sec")
            .security_token("tok")
            .expiration(exp)
            .build();
        let v = to_aliyun_external(&c).unwrap();
        assert_eq!(
            v,
            json!({"mode": "StsToken", "access_key_id": "STS.id", "access_key_secret": "sec",
                   "sts_token": "tok", "expiration": "2018-12-18T16:39:38Z"})
        );
        let v = to_aliyun_external(&Credentials::builder("LTAI", "sec").build()).unwrap();
        assert_eq!(
            v,
            json!({"mode": "AK", "access_key_id": "LTAI", "access_key_secret": "sec"})
        );
        assert!(to_aliyun_external(&Credentials::bearer("b", "x")).is_err());
    }

    #[test]
    fn table_redacts() {
        let t = to_table(&sts(), "default");
        assert!(!t.contains("sec'ret") && !t.contains("tok\n") && t.contains("STS.id"));
    }
}
