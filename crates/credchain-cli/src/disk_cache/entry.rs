//! One cache entry: the JSON kept in a cache file, and when it may be reused.
//!
//! ```json
//! {"version": 1, "cloud": "alibaba", "provider": "cli_profile/ram_role_arn",
//!  "access_key_id": "STS.…", "access_key_secret": "…", "security_token": "…",
//!  "expiration": "2026-12-03T18:35:13Z", "fetched_at": "2026-12-03T17:35:13Z"}
//! ```
//!
//! An entry is reused until its prefetch point: [`RefreshPolicy::STS`]'s prefetch margin
//! (15 minutes) before `expiration`, capped at half the lifetime (`expiration - fetched_at`), the
//! point where the library's in-memory cache starts a refresh. Without jitter: a cache file
//! serves one machine, not a fleet. Only credentials with an expiry and an AccessKey pair are
//! written; permanent AccessKeys and bearer tokens never are.

use std::time::{Duration, SystemTime};

use credchain::cache::RefreshPolicy;
use credchain::Credentials;
use serde::{Deserialize, Serialize};

use crate::cli::Cloud;

/// The entry format's version; an entry of another version is not used (and is replaced).
const VERSION: u32 = 1;

/// The stored form. Not `Debug`: it holds secrets.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    version: u32,
    cloud: String,
    provider: String,
    access_key_id: String,
    access_key_secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    security_token: Option<String>,
    /// RFC 3339, UTC.
    expiration: String,
    /// RFC 3339, UTC: when the credentials were received.
    fetched_at: String,
}

/// A decoded entry.
pub struct Entry {
    credentials: Credentials,
    fetched_at: SystemTime,
    expiration: SystemTime,
}

impl Entry {
    /// The entry to write for `credentials` fetched at `now`; `None` for credentials that must
    /// not be cached (no expiry, a bearer token, already expired).
    pub fn of(credentials: &Credentials, now: SystemTime) -> Option<Entry> {
        let expiration = credentials.expiration()?;
        if credentials.access_key_id().is_empty()
            || credentials.access_key_secret().is_empty()
            || credentials.bearer_token().is_some()
            || expiration <= now
        {
            return None;
        }
        Some(Entry {
            credentials: credentials.clone(),
            fetched_at: now,
            expiration,
        })
    }

    /// The JSON to write.
    pub fn encode(&self, cloud: Cloud) -> Vec<u8> {
        let c = &self.credentials;
        let stored = Stored {
            version: VERSION,
            cloud: cloud_name(cloud).into(),
            provider: c.provider_name().into(),
            access_key_id: c.access_key_id().into(),
            access_key_secret: c.access_key_secret().into(),
            security_token: c.security_token().map(str::to_string),
            expiration: rfc3339(self.expiration),
            fetched_at: rfc3339(self.fetched_at),
        };
        let mut json = serde_json::to_vec_pretty(&stored).unwrap_or_default();
        json.push(b'\n');
        json
    }

    /// Decodes a cache file of `cloud`. The reason given on failure never quotes the content.
    pub fn decode(bytes: &[u8], cloud: Cloud) -> Result<Entry, String> {
        let stored: Stored = serde_json::from_slice(bytes).map_err(|e| {
            format!(
                "it is not a valid cache entry ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            )
            .to_lowercase()
        })?;
        if stored.version != VERSION {
            return Err(format!(
                "it has entry version {}, not {VERSION}",
                stored.version
            ));
        }
        if stored.cloud != cloud_name(cloud) {
            return Err("it holds another cloud's credentials".into());
        }
        if stored.access_key_id.is_empty() || stored.access_key_secret.is_empty() {
            return Err("it has an empty access key id or secret".into());
        }
        let expiration = parse_time(&stored.expiration, "expiration")?;
        let fetched_at = parse_time(&stored.fetched_at, "fetched_at")?;
        if fetched_at >= expiration {
            return Err("its fetch time is not before its expiry".into());
        }
        let credentials = Credentials::builder(stored.access_key_id, stored.access_key_secret)
            .security_token_opt(stored.security_token)
            .expiration(expiration)
            .provider_name(stored.provider)
            .build();
        Ok(Entry {
            credentials,
            fetched_at,
            expiration,
        })
    }

    /// Whether the entry may still be used at `now`: fetched in the past (a clock set back
    /// makes it unusable) and not yet at its prefetch point.
    pub fn is_fresh_at(&self, now: SystemTime) -> bool {
        self.fetched_at <= now && now < self.prefetch_at()
    }

    /// Where [`RefreshPolicy::STS`] starts refreshing: its margin before expiry, at most half
    /// the lifetime.
    fn prefetch_at(&self) -> SystemTime {
        let lifetime = self
            .expiration
            .duration_since(self.fetched_at)
            .unwrap_or(Duration::ZERO);
        let margin = RefreshPolicy::STS.prefetch_margin.min(lifetime / 2);
        self.expiration - margin
    }

    /// The cached credentials.
    pub fn into_credentials(self) -> Credentials {
        self.credentials
    }
}

fn cloud_name(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Alibaba => "alibaba",
        Cloud::Tencent => "tencent",
    }
}

fn rfc3339(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

fn parse_time(text: &str, field: &str) -> Result<SystemTime, String> {
    text.parse::<jiff::Timestamp>()
        .map(SystemTime::from)
        .map_err(|_| format!("its {field} is not an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sts(lifetime: Duration, now: SystemTime) -> Credentials {
        Credentials::builder("STS.id", "secret")
            .security_token("token")
            .expiration(now + lifetime)
            .provider_name("ram_role_arn")
            .build()
    }

    #[test]
    fn an_hour_long_entry_is_reused_until_fifteen_minutes_before_expiry() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let e = Entry::of(&sts(Duration::from_secs(3600), now), now).unwrap();
        let e = Entry::decode(&e.encode(Cloud::Alibaba), Cloud::Alibaba).unwrap();
        assert!(e.is_fresh_at(now + Duration::from_secs(45 * 60 - 1)));
        assert!(!e.is_fresh_at(now + Duration::from_secs(45 * 60)));
        assert!(
            !e.is_fresh_at(now - Duration::from_secs(1)),
            "clock set back"
        );
        let c = e.into_credentials();
        assert_eq!(c.security_token(), Some("token"));
        assert_eq!(c.provider_name(), "ram_role_arn");
    }

    #[test]
    fn a_short_entry_is_reused_for_half_its_lifetime() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let e = Entry::of(&sts(Duration::from_secs(600), now), now).unwrap();
        assert!(e.is_fresh_at(now + Duration::from_secs(299)));
        assert!(!e.is_fresh_at(now + Duration::from_secs(300)));
    }

    #[test]
    fn permanent_keys_and_bearer_tokens_are_not_entries() {
        let now = SystemTime::now();
        assert!(Entry::of(&Credentials::builder("LTAI", "s").build(), now).is_none());
        assert!(Entry::of(&Credentials::bearer("b", "x"), now).is_none());
        let expired = sts(Duration::from_secs(1), now - Duration::from_secs(10));
        assert!(Entry::of(&expired, now).is_none());
    }

    #[test]
    fn broken_entries_are_refused_without_quoting_them() {
        let secretish = br#"{"version": 1, "cloud": "alibaba", "access_key_secret": 7}"#;
        let why = Entry::decode(secretish, Cloud::Alibaba).err().unwrap();
        assert!(why.contains("line 1"), "{why}");
        assert!(!why.contains("access_key_secret"), "{why}");
        assert!(Entry::decode(b"\x00\xff binary", Cloud::Alibaba).is_err());
        let now = SystemTime::now();
        let tencent = Entry::of(&sts(Duration::from_secs(3600), now), now).unwrap();
        let why = Entry::decode(&tencent.encode(Cloud::Tencent), Cloud::Alibaba)
            .err()
            .unwrap();
        assert!(why.contains("another cloud"), "{why}");
    }
}
