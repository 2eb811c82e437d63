//! How `credchain get` prints credentials.
//!
//! `json` and `env` print secrets because handing them to another program is their job; `table`
//! is for people and redacts them.

use credchain::credentials::REDACTED;
use credchain::Credentials;
use serde_json::{json, Value};

use crate::cli::Cloud;

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

/// Single-quotes a value for POSIX shells.
pub fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// `export` lines in the cloud's own variable names. A missing token is `unset` so an old one
/// from the same shell is not combined with new keys.
pub fn to_env(c: &Credentials, cloud: Cloud) -> String {
    let mut out = String::new();
    let export = |out: &mut String, k: &str, v: &str| {
        out.push_str(&format!("export {k}={}\n", shell_quote(v)))
    };
    let token_vars: &[&str] = match cloud {
        Cloud::Alibaba => {
            export(&mut out, "ALIBABA_CLOUD_ACCESS_KEY_ID", c.access_key_id());
            export(
                &mut out,
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                c.access_key_secret(),
            );
            &["ALIBABA_CLOUD_SECURITY_TOKEN"]
        }
        Cloud::Tencent => {
            export(&mut out, "TENCENTCLOUD_SECRET_ID", c.secret_id());
            export(&mut out, "TENCENTCLOUD_SECRET_KEY", c.secret_key());
            &["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_TOKEN"]
        }
    };
    for var in token_vars {
        match c.security_token() {
            Some(t) => export(&mut out, var, t),
            None => out.push_str(&format!("unset {var}\n")),
        }
    }
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
        let out = to_env(&sts(), Cloud::Alibaba);
        assert!(out.contains("export ALIBABA_CLOUD_ACCESS_KEY_SECRET='sec'\\''ret'\n"));
        let c = Credentials::builder("AKID", "k").build();
        let out = to_env(&c, Cloud::Tencent);
        assert!(
            out.contains("unset TENCENTCLOUD_SESSION_TOKEN")
                && out.contains("unset TENCENTCLOUD_TOKEN")
        );
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
