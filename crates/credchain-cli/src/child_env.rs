//! The environment variables that carry credentials to another program: what `exec` sets in the
//! child and what `get --format env` prints.
//!
//! - Alibaba: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//!   `ALIBABA_CLOUD_SECURITY_TOKEN`, `ALIBABA_CLOUD_CREDENTIALS_EXPIRATION` and, when known,
//!   `ALIBABA_CLOUD_REGION_ID`.
//! - Tencent: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN`
//!   and `TENCENTCLOUD_TOKEN` (the SDKs read one or the other),
//!   `TENCENTCLOUD_CREDENTIALS_EXPIRATION` and, when known, `TENCENTCLOUD_REGION`.
//!
//! The expiry is RFC 3339 UTC with second precision (`2026-12-03T17:00:00Z`), the form both
//! clouds' STS responses use; no official SDK reads these two variables: they are for scripts
//! that want to know when to fetch again. A token or expiry variable is removed (`unset`) when the
//! credentials have none, so a stale value of the calling shell is never combined with new keys.
//! The region comes from [`crate::region::known`]; an unknown region leaves the variable alone.

use credchain::Credentials;

use crate::cli::Cloud;

/// The Alibaba expiry variable (credchain's own name; no SDK reads it).
pub const ALIBABA_EXPIRATION_VAR: &str = "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION";
/// The Tencent expiry variable (credchain's own name; no SDK reads it).
pub const TENCENT_EXPIRATION_VAR: &str = "TENCENTCLOUD_CREDENTIALS_EXPIRATION";

/// The environment changes: variables to set and variables to remove.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ChildEnv {
    /// `(name, value)` pairs to set, in a stable order.
    pub set: Vec<(&'static str, String)>,
    /// Names to remove.
    pub remove: Vec<&'static str>,
}

impl ChildEnv {
    fn put(&mut self, name: &'static str, value: Option<&str>) {
        match value {
            Some(v) => self.set.push((name, v.to_string())),
            None => self.remove.push(name),
        }
    }
}

/// The variables for `c` in `cloud`'s names, with `region` when known.
pub fn variables(c: &Credentials, cloud: Cloud, region: Option<&str>) -> ChildEnv {
    type Names = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
        &'static str,
    );
    let (id, secret, tokens, expiry, region_var): Names = match cloud {
        Cloud::Alibaba => (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            &["ALIBABA_CLOUD_SECURITY_TOKEN"],
            ALIBABA_EXPIRATION_VAR,
            crate::region::ALIBABA_REGION_VAR,
        ),
        Cloud::Tencent => (
            "TENCENTCLOUD_SECRET_ID",
            "TENCENTCLOUD_SECRET_KEY",
            &["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_TOKEN"],
            TENCENT_EXPIRATION_VAR,
            crate::region::TENCENT_REGION_VAR,
        ),
    };
    let mut env = ChildEnv::default();
    env.put(id, Some(c.access_key_id()));
    env.put(secret, Some(c.access_key_secret()));
    for var in tokens {
        env.put(var, c.security_token());
    }
    let expiration = c.expiration().map(credchain::time::format_rfc3339);
    env.put(expiry, expiration.as_deref());
    if let Some(r) = region {
        env.put(region_var, Some(r));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_and_region_are_exported_when_known() {
        let exp = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_545_151_178);
        let c = Credentials::builder("STS.id", "s")
            .security_token("t")
            .expiration(exp)
            .build();
        let env = variables(&c, Cloud::Alibaba, Some("cn-hangzhou"));
        assert!(env
            .set
            .contains(&(ALIBABA_EXPIRATION_VAR, "2018-12-18T16:39:38Z".into())));
        assert!(env
            .set
            .contains(&("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou".into())));
        assert!(env.remove.is_empty());
        let env = variables(&c, Cloud::Tencent, Some("ap-guangzhou"));
        assert!(env
            .set
            .contains(&(TENCENT_EXPIRATION_VAR, "2018-12-18T16:39:38Z".into())));
        assert!(env
            .set
            .contains(&("TENCENTCLOUD_REGION", "ap-guangzhou".into())));
    }

    #[test]
    fn long_term_keys_remove_token_and_expiry_and_leave_an_unknown_region_alone() {
        let c = Credentials::builder("LTAI", "s").build();
        let env = variables(&c, Cloud::Alibaba, None);
        assert_eq!(env.set.len(), 2);
        assert_eq!(
            env.remove,
            ["ALIBABA_CLOUD_SECURITY_TOKEN", ALIBABA_EXPIRATION_VAR]
        );
    }
}
