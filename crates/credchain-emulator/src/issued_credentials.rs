//! Credentials the emulator hands out.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use crate::time::{format_utc, unix_seconds};

/// Which cloud's naming style issued credentials follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cloud {
    /// Alibaba Cloud: ids look like `STS.emu0001`.
    Alibaba,
    /// Tencent Cloud: ids look like `AKIDemu0001`.
    Tencent,
}

/// One set of temporary credentials issued by a route.
///
/// Every issue gets a new serial number, unique across the whole emulator, and ids, secrets and
/// tokens derived from it, so a test can tell which fetch produced the credentials it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCredentials {
    /// The route that issued them.
    pub route: String,
    /// The serial number (1, 2, …) across all routes of this emulator.
    pub serial: u64,
    /// Access key id (Alibaba `AccessKeyId`, Tencent `TmpSecretId`).
    pub access_key_id: String,
    /// Secret (Alibaba `AccessKeySecret`, Tencent `TmpSecretKey`).
    pub access_key_secret: String,
    /// Session token (Alibaba `SecurityToken`, Tencent `Token`).
    pub security_token: String,
    /// When they were issued (by the emulator's clock, see [`crate::EmulatorState::now`]).
    pub issued_at: SystemTime,
    /// When they expire (in the past when issued under [`crate::Fault::ExpiredCredentials`]).
    pub expiration: SystemTime,
}

impl IssuedCredentials {
    /// The expiration as `YYYY-MM-DDThh:mm:ssZ`.
    pub fn expiration_utc(&self) -> String {
        format_utc(self.expiration)
    }

    /// The expiration as Unix seconds.
    pub fn expiration_unix(&self) -> i64 {
        unix_seconds(self.expiration)
    }

    /// The issue time as `YYYY-MM-DDThh:mm:ssZ`.
    pub fn issued_at_utc(&self) -> String {
        format_utc(self.issued_at)
    }
}

/// How far in the past [`crate::Fault::ExpiredCredentials`] puts the expiration.
pub(crate) const EXPIRED_AGO: Duration = Duration::from_secs(3600);

/// Hands out credentials and remembers them.
#[derive(Debug, Default)]
pub(crate) struct Issuer {
    next_serial: u64,
    log: Vec<IssuedCredentials>,
    per_route: HashMap<String, usize>,
}

impl Issuer {
    pub(crate) fn issue(
        &mut self,
        route: &str,
        cloud: Cloud,
        lifetime: Duration,
        expired: bool,
        now: SystemTime,
    ) -> IssuedCredentials {
        self.next_serial += 1;
        let n = self.next_serial;
        let expiration = if expired {
            now.checked_sub(EXPIRED_AGO).unwrap_or(now)
        } else {
            now.checked_add(lifetime).unwrap_or(now)
        };
        let (id, secret, token) = match cloud {
            Cloud::Alibaba => (
                format!("STS.emu{n:04}"),
                format!("emuAliSecret{n:04}x7Qp"),
                format!("emuAliToken{n:04}CAIS9kQ"),
            ),
            Cloud::Tencent => (
                format!("AKIDemu{n:04}"),
                format!("emuTcSecret{n:04}z3Vw"),
                format!("emuTcToken{n:04}hB2m"),
            ),
        };
        let creds = IssuedCredentials {
            route: route.to_string(),
            serial: n,
            access_key_id: id,
            access_key_secret: secret,
            security_token: token,
            issued_at: now,
            expiration,
        };
        *self.per_route.entry(route.to_string()).or_default() += 1;
        self.log.push(creds.clone());
        creds
    }

    pub(crate) fn all(&self) -> Vec<IssuedCredentials> {
        self.log.clone()
    }

    pub(crate) fn count(&self, route: &str) -> usize {
        self.per_route.get(route).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_and_counted() {
        let mut i = Issuer::default();
        let a = i.issue(
            "x",
            Cloud::Alibaba,
            Duration::from_secs(60),
            false,
            SystemTime::now(),
        );
        let b = i.issue(
            "y",
            Cloud::Tencent,
            Duration::from_secs(60),
            true,
            SystemTime::now(),
        );
        assert_eq!(a.access_key_id, "STS.emu0001");
        assert_eq!(b.access_key_id, "AKIDemu0002");
        assert_ne!(a.access_key_secret, b.access_key_secret);
        assert!(a.expiration > SystemTime::now());
        assert!(b.expiration < SystemTime::now());
        assert_eq!((i.count("x"), i.count("y"), i.count("z")), (1, 1, 0));
        assert_eq!(i.all().len(), 2);
    }
}
