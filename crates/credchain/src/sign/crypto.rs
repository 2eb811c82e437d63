//! Hashes, MACs and RSA used by the signers (RustCrypto implementations).
//!
//! | primitive | used by | output |
//! |---|---|---|
//! | SHA-256 | TC3, ACS3-HMAC-SHA256, ACS3-RSA-SHA256, OSS V4 | lowercase hex |
//! | SM3 | ACS3-HMAC-SM3 | lowercase hex |
//! | HMAC-SHA256 / HMAC-SM3 | TC3, ACS3, OSS V4 | raw bytes / lowercase hex |
//! | HMAC-SHA1 | RPC, ROA, OSS V1, Tencent v1 / COS | Base64 / lowercase hex |
//! | SHA-1 | COS HttpString | lowercase hex |
//! | RSASSA-PKCS1-v1_5 / SHA-256 | ACS3-RSA-SHA256 | lowercase hex |
//!
//! ```
//! use credchain::sign::crypto;
//! assert_eq!(crypto::sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
//! assert_eq!(crypto::hmac_sha1_base64(b"secret", "中文".as_bytes()), "CqCYIa39h9SSWuXnTz8F5hh9UPA=");
//! ```

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use sm3::Sm3;

use crate::credentials::REDACTED;
use crate::error::{Error, ErrorKind};

/// Base64 (standard alphabet, padded).
///
/// ```
/// assert_eq!(credchain::sign::crypto::base64(b"hi"), "aGk=");
/// ```
pub fn base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// SHA-256 digest.
///
/// ```
/// let d = credchain::sign::crypto::sha256(b"");
/// assert_eq!(d[0], 0xe3);
/// ```
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 as lowercase hex.
///
/// ```
/// assert_eq!(
///     credchain::sign::crypto::sha256_hex(b"UNSIGNED-PAYLOAD"),
///     "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96"
/// );
/// ```
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

/// SM3 digest (GB/T 32905-2016).
///
/// ```
/// assert_eq!(credchain::sign::crypto::sm3(b"abc")[0], 0x66);
/// ```
pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

/// SM3 as lowercase hex.
///
/// ```
/// assert_eq!(
///     credchain::sign::crypto::sm3_hex(b"test"),
///     "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
/// );
/// ```
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(sm3(data))
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> M {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the fallback only exists so
    // that this code has no panic path.
    let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <M as hmac::digest::KeyInit>::new(&Default::default()));
    m.update(msg);
    m
}

/// HMAC-SHA256 (key first, message second).
///
/// ```
/// let m = credchain::sign::crypto::hmac_sha256(b"secret", b"source");
/// assert_eq!(hex::encode(m), "1d93c62698a1c26427265668e79fac099aa26c1df873669599a2fb2f272e64c9");
/// ```
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    mac::<Hmac<Sha256>>(key, msg).finalize().into_bytes().into()
}

/// A keyed HMAC-SHA256 state to stream a message into (the signers' string to sign).
pub(crate) fn hmac_sha256_state(key: &[u8]) -> Hmac<Sha256> {
    mac::<Hmac<Sha256>>(key, &[])
}

/// HMAC-SM3 (RFC 2104 HMAC over SM3: 64-byte block, 32-byte output).
///
/// ```
/// let m = credchain::sign::crypto::hmac_sm3(b"secret", b"source");
/// assert_eq!(hex::encode(m), "b9ff646822f41ef647c1416fa2b8408923828abc0464af6706e18db3e8553da8");
/// ```
pub fn hmac_sm3(key: &[u8], msg: &[u8]) -> [u8; 32] {
    mac::<Hmac<Sm3>>(key, msg).finalize().into_bytes().into()
}

/// A keyed HMAC-SM3 state to stream a message into.
pub(crate) fn hmac_sm3_state(key: &[u8]) -> Hmac<Sm3> {
    mac::<Hmac<Sm3>>(key, &[])
}

/// HMAC-SHA1.
///
/// ```
/// assert_eq!(credchain::sign::crypto::hmac_sha1(b"secret", b"source").len(), 20);
/// ```
pub fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    mac::<Hmac<Sha1>>(key, msg).finalize().into_bytes().into()
}

/// A keyed HMAC-SHA1 state to stream a message into (the COS string to sign).
pub(crate) fn hmac_sha1_state(key: &[u8]) -> Hmac<Sha1> {
    mac::<Hmac<Sha1>>(key, &[])
}

/// SHA-1 as lowercase hex (COS hashes its HttpString with it).
///
/// ```
/// assert_eq!(credchain::sign::crypto::sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
/// ```
pub fn sha1_hex(data: &[u8]) -> String {
    hex::encode(Sha1::digest(data))
}

/// HMAC-SHA1 as lowercase hex (the COS SignKey and signature).
///
/// ```
/// use credchain::sign::crypto::hmac_sha1_hex;
/// assert_eq!(hmac_sha1_hex(b"key", b"The quick brown fox jumps over the lazy dog"), "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9");
/// ```
pub fn hmac_sha1_hex(key: &[u8], msg: &[u8]) -> String {
    hex::encode(hmac_sha1(key, msg))
}

/// Base64 HMAC-SHA1 (RPC, ROA, OSS V1, Tencent v1 `HmacSHA1`).
///
/// ```
/// use credchain::sign::crypto::hmac_sha1_base64;
/// assert_eq!(hmac_sha1_base64(b"secret", b"source"), "Jv4yi8SobFhg5t1C7nWLbhBSFZQ=");
/// assert_eq!(hmac_sha1_base64(b"sk#$!~~~", b"abc~!@#"), "7eV3A584uvdgKVk8Ck8r9ukg1gE=");
/// ```
pub fn hmac_sha1_base64(key: &[u8], msg: &[u8]) -> String {
    base64(&hmac_sha1(key, msg))
}

/// Base64 HMAC-SHA256 (Tencent v1 `HmacSHA256`).
///
/// ```
/// use credchain::sign::crypto::hmac_sha256_base64;
/// assert_eq!(hmac_sha256_base64(b"secret", b"source").len(), 44);
/// ```
pub fn hmac_sha256_base64(key: &[u8], msg: &[u8]) -> String {
    base64(&hmac_sha256(key, msg))
}

/// An RSA private key for `ACS3-RSA-SHA256` (RSASSA-PKCS1-v1_5 with SHA-256).
///
/// `Debug` prints only the key size.
///
/// ```
/// use credchain::sign::crypto::RsaSigningKey;
/// let err = RsaSigningKey::parse("not a key").unwrap_err();
/// assert_eq!(err.kind(), credchain::ErrorKind::InvalidConfig);
/// assert!(!err.to_string().contains("not a key"));
/// ```
#[derive(Clone)]
pub struct RsaSigningKey(rsa::RsaPrivateKey);

impl RsaSigningKey {
    /// Parses a key given as PEM (any label: the Alibaba SDK tests wrap a PKCS#8 body in a
    /// mislabelled `RSA PRIVATE KEY` armour), or as bare Base64 DER. PKCS#8 is tried first, then
    /// PKCS#1.
    ///
    /// ```
    /// use credchain::sign::crypto::RsaSigningKey;
    /// assert!(RsaSigningKey::parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, Error> {
        let body: String = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("-----") && !l.contains(':'))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|_| invalid_key("it is neither PEM nor Base64"))?;
        let der = zeroize::Zeroizing::new(der);
        Self::from_der(&der)
    }

    /// Parses DER bytes: PKCS#8 `PrivateKeyInfo`, or else PKCS#1 `RSAPrivateKey`.
    ///
    /// ```
    /// use credchain::sign::crypto::RsaSigningKey;
    /// assert!(RsaSigningKey::from_der(&[0x30, 0x00]).is_err());
    /// ```
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        rsa::RsaPrivateKey::from_pkcs8_der(der)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_der(der))
            .map(RsaSigningKey)
            .map_err(|_| invalid_key("it is not a PKCS#8 or PKCS#1 RSA private key"))
    }

    /// The modulus size in bits.
    ///
    /// ```
    /// # use credchain::sign::crypto::RsaSigningKey;
    /// # fn key() -> Option<RsaSigningKey> { None }
    /// if let Some(k) = key() { assert!(k.bits() >= 1024); }
    /// ```
    pub fn bits(&self) -> usize {
        use rsa::traits::PublicKeyParts;
        self.0.size() * 8
    }

    /// RSASSA-PKCS1-v1_5 signature over SHA-256(`msg`) (deterministic).
    ///
    /// The private-key operation is blinded with a fresh random value from the OS random source,
    /// so its timing does not depend on the key (unblinded RSA leaks the key to timing attacks).
    /// Blinding does not change the result: PKCS#1 v1.5 signatures stay deterministic.
    ///
    /// ```
    /// # use credchain::sign::crypto::RsaSigningKey;
    /// # fn key() -> Option<RsaSigningKey> { None }
    /// if let Some(k) = key() { assert_eq!(k.sign_sha256(b"source").unwrap().len(), k.bits() / 8); }
    /// ```
    pub fn sign_sha256(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_sha256_blinded(&mut rsa::rand_core::OsRng, msg)
    }

    /// [`RsaSigningKey::sign_sha256`] with blinding values drawn from `rng`.
    fn sign_sha256_blinded(
        &self,
        rng: &mut impl rsa::rand_core::CryptoRngCore,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let digest = sha256(msg);
        self.0
            .sign_with_rng(rng, rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidConfig,
                    "RSA signing failed: the key is unusable",
                )
            })
    }

    /// [`RsaSigningKey::sign_sha256`] as lowercase hex (the `ACS3-RSA-SHA256` signature form).
    ///
    /// ```
    /// # use credchain::sign::crypto::RsaSigningKey;
    /// # fn key() -> Option<RsaSigningKey> { None }
    /// if let Some(k) = key() { assert_eq!(k.sign_sha256_hex(b"x").unwrap().len(), k.bits() / 4); }
    /// ```
    pub fn sign_sha256_hex(&self, msg: &[u8]) -> Result<String, Error> {
        self.sign_sha256(msg).map(hex::encode)
    }
}

fn invalid_key(why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidConfig,
        format!("cannot read the RSA private key: {why}"),
    )
    .with_hint("give the private key as PEM (PKCS#8 or PKCS#1) or Base64 DER")
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaSigningKey({} bits, {REDACTED})", self.bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the bytes drawn from the OS random source.
    struct CountingRng(usize);
    impl rsa::rand_core::RngCore for CountingRng {
        fn next_u32(&mut self) -> u32 {
            self.0 += 4;
            rsa::rand_core::OsRng.next_u32()
        }
        fn next_u64(&mut self) -> u64 {
            self.0 += 8;
            rsa::rand_core::OsRng.next_u64()
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            self.0 += dest.len();
            rsa::rand_core::OsRng.fill_bytes(dest)
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
            self.0 += dest.len();
            rsa::rand_core::OsRng.try_fill_bytes(dest)
        }
    }
    impl rsa::rand_core::CryptoRng for CountingRng {}

    /// The published ACS3-RSA-SHA256 vector (tests/data/signing-vectors.json).
    fn vector() -> (RsaSigningKey, String) {
        let all: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/signing-vectors.json")).unwrap();
        let v = all
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "alibaba_acs3_rsa_sha256_primitive_sign_source")
            .unwrap();
        let key = RsaSigningKey::parse(
            v["inputs"]["private_key_pkcs8_der_base64"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        (
            key,
            v["expected"]["signature"].as_str().unwrap().to_string(),
        )
    }

    #[test]
    fn rsa_signing_is_blinded_and_still_deterministic() {
        let (key, expected) = vector();
        let mut rng = CountingRng(0);
        let sig = key.sign_sha256_blinded(&mut rng, b"source").unwrap();
        assert!(
            rng.0 > 0,
            "the private-key operation drew no blinding value"
        );
        assert_eq!(hex::encode(sig), expected);
        // The public entry point blinds too, and gives the same bytes.
        assert_eq!(key.sign_sha256_hex(b"source").unwrap(), expected);
    }

    #[test]
    fn known_digests() {
        assert_eq!(
            sm3_hex(b""),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
        );
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            hmac_sha1_base64(b"secret", b"123"),
            "sU6S6xf2t47FogXuDhqyIPt/htc="
        );
    }
}
