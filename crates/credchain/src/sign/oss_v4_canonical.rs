//! The OSS V4 canonical request, string to sign and `Authorization` value, written from borrowed
//! slices of the request into any [`Sink`]: a `String` for the full result, or SHA-256 and HMAC
//! states for the `Authorization`-only path, so the text hashed is the text shown.
//!
//! Header names are compared and sorted ASCII-case-insensitively on the slices as given and
//! lower-cased only as they are written; nothing is copied.

use std::cmp::Ordering;

use super::borrowed_pairs::BorrowedPairs;
use super::encode::{cmp_encoded, encode_into};
use super::oss::OssV4Request;
use super::sink::{put_ascii_lowercase, put_hex, Sink};
use super::{find_header, has_header};

/// The payload hash OSS V4 signs when the request names none.
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Whether OSS signs this header name without being asked: `content-type`, `content-md5` and
/// `x-oss-*` (ASCII case-insensitive).
pub(crate) fn is_default_signed(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-md5")
        || is_oss_header(name)
}

/// Whether a header name starts with `x-oss-` (ASCII case-insensitive).
pub(crate) fn is_oss_header(name: &str) -> bool {
    name.as_bytes()
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"x-oss-"))
}

/// Orders names as their ASCII-lower-cased forms would order.
pub(crate) fn cmp_lower(a: &str, b: &str) -> Ordering {
    fn lower(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().map(|b| b.to_ascii_lowercase())
    }
    lower(a).cmp(lower(b))
}

/// The headers the signer adds and the request does not already carry, in the order they are
/// sent: `x-oss-date`, `x-oss-content-sha256: UNSIGNED-PAYLOAD`, and `x-oss-security-token` for a
/// non-empty token.
pub(crate) fn generated_headers<'a>(
    headers: &[(String, String)],
    date_time: &'a str,
    token: Option<&'a str>,
) -> [Option<(&'static str, &'a str)>; 3] {
    [
        Some(("x-oss-date", date_time)),
        Some(("x-oss-content-sha256", UNSIGNED_PAYLOAD)),
        token
            .filter(|t| !t.is_empty())
            .map(|t| ("x-oss-security-token", t)),
    ]
    .map(|g| g.filter(|(name, _)| !has_header(headers, name)))
}

/// Additional header names held on the stack.
const ADDITIONAL_INLINE: usize = 4;

/// The borrowed, sorted pieces of one OSS V4 signature.
pub(crate) struct V4Parts<'a> {
    /// `(trimmed name, trimmed value)` of every signed header, sorted by lower-cased name; the
    /// values of one name keep the order they are sent in.
    signed: BorrowedPairs<'a>,
    /// The additional header names that are signed (trimmed; value unused), sorted by
    /// lower-cased name, one per name (rarely more than a few).
    additional: BorrowedPairs<'a, ADDITIONAL_INLINE>,
    /// The `x-oss-date` actually signed: the caller's header if given, else the generated one.
    pub(crate) x_oss_date: &'a str,
    /// The last line of the canonical request.
    pub(crate) payload_hash: &'a str,
}

impl<'a> V4Parts<'a> {
    /// Selects and sorts the signed and additional headers of `req` plus `generated`.
    // Inlined so the caller's frame holds the lists (no copy of them on return).
    #[inline(always)]
    pub(crate) fn new(
        req: &'a OssV4Request,
        generated: &[Option<(&'a str, &'a str)>],
        date_time: &'a str,
    ) -> Self {
        let mut additional = BorrowedPairs::with_inline();
        additional.extend(
            req.additional_headers
                .iter()
                .map(|h| h.trim())
                .filter(|h| !is_default_signed(h) && has_header(&req.headers, h))
                .map(|h| (h, "")),
        );
        additional
            .as_mut_slice()
            .sort_by(|a, b| cmp_lower(a.0, b.0));
        additional.dedup_by(|a, b| a.0.eq_ignore_ascii_case(b.0));

        let mut signed = BorrowedPairs::new();
        let sent = req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        signed.extend(
            sent.chain(generated.iter().flatten().copied())
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, _)| {
                    is_default_signed(k)
                        || additional
                            .as_slice()
                            .iter()
                            .any(|(a, _)| a.eq_ignore_ascii_case(k))
                }),
        );
        // Stable: the values of one name keep the order they are sent in.
        signed.as_mut_slice().sort_by(|a, b| cmp_lower(a.0, b.0));

        V4Parts {
            signed,
            additional,
            x_oss_date: find_header(&req.headers, "x-oss-date")
                .unwrap_or(date_time)
                .trim(),
            payload_hash: find_header(&req.headers, "x-oss-content-sha256")
                .unwrap_or(UNSIGNED_PAYLOAD)
                .trim(),
        }
    }

    /// Whether any additional header is signed (the `Authorization` then lists them).
    pub(crate) fn has_additional(&self) -> bool {
        !self.additional.is_empty()
    }

    /// `VERB \n pe_path(/bucket/key) \n query \n headers \n additional names \n payload hash`.
    pub(crate) fn write_canonical_request(&self, out: &mut dyn Sink, req: &OssV4Request) {
        out.put(&req.method);
        out.put("\n/");
        if !req.bucket.is_empty() {
            encode_into(out, req.bucket.as_bytes(), true);
            out.put("/");
        }
        encode_into(out, req.key.as_bytes(), true);
        out.put("\n");
        write_canonical_query(out, &req.query);
        out.put("\n");
        self.write_signed_headers(out);
        out.put("\n");
        self.write_additional_names(out);
        out.put("\n");
        out.put(self.payload_hash);
    }

    /// `name:value\n` per signed name (lower-cased), the values of a repeated name joined by `,`.
    fn write_signed_headers(&self, out: &mut dyn Sink) {
        let mut prev: Option<&str> = None;
        for &(name, value) in self.signed.as_slice() {
            if prev.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
                out.put(",");
                out.put(value);
                continue;
            }
            if prev.is_some() {
                out.put("\n");
            }
            put_ascii_lowercase(out, name);
            out.put(":");
            out.put(value);
            prev = Some(name);
        }
        if prev.is_some() {
            out.put("\n");
        }
    }

    /// The additional names, lower-cased, joined by `;`.
    pub(crate) fn write_additional_names(&self, out: &mut dyn Sink) {
        for (i, (name, _)) in self.additional.as_slice().iter().enumerate() {
            if i > 0 {
                out.put(";");
            }
            put_ascii_lowercase(out, name);
        }
    }

    /// `OSS4-HMAC-SHA256 \n x-oss-date \n scope \n hex(SHA-256(canonical request))`.
    pub(crate) fn write_string_to_sign(
        &self,
        out: &mut dyn Sink,
        scope: &Scope<'_>,
        canonical_hash: &[u8],
    ) {
        out.put("OSS4-HMAC-SHA256\n");
        out.put(self.x_oss_date);
        out.put("\n");
        scope.write(out);
        out.put("\n");
        put_hex(out, canonical_hash);
    }

    /// `OSS4-HMAC-SHA256 Credential=<id>/<scope>,[AdditionalHeaders=a;b,]Signature=<hex>`.
    pub(crate) fn write_authorization(
        &self,
        out: &mut String,
        access_key_id: &str,
        scope: &Scope<'_>,
        signature: &[u8],
    ) {
        out.push_str("OSS4-HMAC-SHA256 Credential=");
        out.push_str(access_key_id);
        out.push('/');
        scope.write(out);
        out.push(',');
        if self.has_additional() {
            out.push_str("AdditionalHeaders=");
            self.write_additional_names(out);
            out.push(',');
        }
        out.push_str("Signature=");
        put_hex(out, signature);
    }
}

/// The credential scope `<yyyymmdd>/<region>/<product>/aliyun_v4_request`.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// `yyyymmdd` (UTC) of the signing time.
    pub(crate) date: &'a str,
    /// Region, e.g. `cn-hangzhou`.
    pub(crate) region: &'a str,
    /// Product, e.g. `oss`.
    pub(crate) product: &'a str,
}

impl Scope<'_> {
    /// Writes the scope.
    pub(crate) fn write(&self, out: &mut dyn Sink) {
        out.put(self.date);
        out.put("/");
        out.put(self.region);
        out.put("/");
        out.put(self.product);
        out.put("/aliyun_v4_request");
    }
}

/// Keys and values encoded (RFC 3986), sorted by encoded key (equal keys keep their order),
/// joined by `&`; an empty value gives a bare key.
pub(crate) fn write_canonical_query(out: &mut dyn Sink, query: &[(String, String)]) {
    let mut sorted = BorrowedPairs::new();
    sorted.extend(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    sorted
        .as_mut_slice()
        .sort_by(|a, b| cmp_encoded(a.0.as_bytes(), b.0.as_bytes()));
    for (i, (k, v)) in sorted.as_slice().iter().enumerate() {
        if i > 0 {
            out.put("&");
        }
        encode_into(out, k.as_bytes(), false);
        if !v.is_empty() {
            out.put("=");
            encode_into(out, v.as_bytes(), false);
        }
    }
}
