//! The OSS V1 string to sign, written from borrowed slices of the request (no copies of the
//! headers or parameters), shared by the header signer and the V1 presigner.

use super::borrowed_pairs::BorrowedPairs;
use super::crypto;
use super::oss::V1_SUB_RESOURCES;
use super::oss_v4_canonical::{cmp_lower, is_oss_header};
use super::sink::{put_ascii_lowercase, Sink};

/// The string to sign ([`write_string_to_sign`]) and its signature,
/// `Base64(HMAC-SHA1(secret, StringToSign))`.
pub(crate) fn sign<'a>(
    secret: &str,
    method: &str,
    headers: &[(&'a str, &'a str)],
    bucket: &str,
    key: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
) -> (String, String) {
    let mut string_to_sign = String::with_capacity(STRING_TO_SIGN_CAPACITY);
    write_string_to_sign(&mut string_to_sign, method, headers, bucket, key, query);
    let signature = crypto::hmac_sha1_base64(secret.as_bytes(), string_to_sign.as_bytes());
    (string_to_sign, signature)
}

/// Room for a typical V1 string to sign.
const STRING_TO_SIGN_CAPACITY: usize = 160;

/// `VERB \n Content-MD5 \n Content-Type \n Date \n` + the `x-oss-*` headers as `name:value\n`
/// (names lower-cased, names and values trimmed, sorted by name then value) + the canonical
/// resource. `headers` are all the headers sent (the first of a name gives the MD5, type and
/// date); `query` the parameters, of which the recognised sub-resources are signed.
pub(crate) fn write_string_to_sign<'a>(
    out: &mut dyn Sink,
    method: &str,
    headers: &[(&'a str, &'a str)],
    bucket: &str,
    key: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| *v)
    };
    for part in [
        method,
        "\n",
        get("content-md5"),
        "\n",
        get("content-type"),
        "\n",
        get("date"),
        "\n",
    ] {
        out.put(part);
    }
    let mut oss = BorrowedPairs::new();
    oss.extend(
        headers
            .iter()
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, _)| is_oss_header(k)),
    );
    oss.as_mut_slice()
        .sort_by(|a, b| cmp_lower(a.0, b.0).then_with(|| a.1.cmp(b.1)));
    for (k, v) in oss.as_slice() {
        put_ascii_lowercase(out, k);
        out.put(":");
        out.put(v);
        out.put("\n");
    }
    write_canonical_resource(out, bucket, key, query);
}

/// `/bucket/key`, `/bucket/` or `/`, plus `?` and the sorted sub-resources (`k` or `k=v`, raw).
pub(crate) fn write_canonical_resource<'a>(
    out: &mut dyn Sink,
    bucket: &str,
    key: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
) {
    out.put("/");
    if !bucket.is_empty() {
        out.put(bucket);
        out.put("/");
        out.put(key);
    }
    let mut subs = BorrowedPairs::new();
    subs.extend(query.filter(|(k, _)| V1_SUB_RESOURCES.contains(k)));
    // Stable: the values of one name keep their order.
    subs.as_mut_slice()
        .sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (i, (k, v)) in subs.as_slice().iter().enumerate() {
        out.put(if i == 0 { "?" } else { "&" });
        out.put(k);
        if !v.is_empty() {
            out.put("=");
            out.put(v);
        }
    }
}
