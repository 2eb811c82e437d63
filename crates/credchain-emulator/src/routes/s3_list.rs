//! Listing an S3-style bucket ([`S3_LIST`]): `GET /<bucket>?list-type=2` (ListObjectsV2),
//! path-style, SigV4-verified like [`super::s3_object`] (header or presigned URL).
//!
//! Parameters: `prefix`, `delimiter` (keys sharing the part up to the next delimiter after the
//! prefix are rolled up into `<CommonPrefixes>`), `max-keys` (default and maximum 1000),
//! `continuation-token` / `start-after` (list keys after it; the token the emulator hands out in
//! `<NextContinuationToken>` is the last key or common prefix of the page), `encoding-type=url`
//! (keys and prefixes percent-encoded in the answer). Keys are listed in byte order. A request
//! without `list-type=2` is answered 501 `NotImplemented` (ListObjects V1 is not emulated).

use super::object_storage::{
    dialect, err, error_reply, query_param, request_id, request_id_header, xml_escape, Dialect,
    ObjectError, ObjectPath,
};
use super::s3_object;
use crate::crypto::percent_encode;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};
use crate::time::format_utc;

/// Route name of S3-style bucket listing.
pub const S3_LIST: &str = "s3.list";
/// Most keys in one page.
pub const MAX_KEYS: usize = 1000;

/// The bucket of a bucket-only path (`/<bucket>` or `/<bucket>/`).
fn bucket_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let bucket = rest.strip_suffix('/').unwrap_or(rest);
    (!bucket.is_empty() && !bucket.contains('/')).then_some(bucket)
}

/// The listing route.
pub fn route_s3_list() -> Route {
    Route::new(
        S3_LIST,
        Matcher::new(|r| {
            r.is("GET") && bucket_of(&r.path).is_some() && dialect(r) == Some(Dialect::S3)
        }),
        |req, ctx| {
            let path = ObjectPath {
                bucket: bucket_of(&req.path).unwrap_or("").to_string(),
                key: String::new(),
            };
            match s3_object::verify(req, ctx, &path).and_then(|_| list(req, ctx, &path.bucket)) {
                Ok(reply) => reply,
                Err(e) => error_reply(Dialect::S3, req, &path, &e),
            }
        },
    )
}

/// One page of a listing.
struct Page {
    keys: Vec<String>,
    prefixes: Vec<String>,
    next: Option<String>,
}

/// Lists `names` (sorted) after `after`, under `prefix`, rolled up at `delimiter`.
fn page(names: &[String], prefix: &str, delimiter: &str, after: &str, max: usize) -> Page {
    let mut out = Page {
        keys: Vec::new(),
        prefixes: Vec::new(),
        next: None,
    };
    let mut count = 0;
    for name in names
        .iter()
        .filter(|n| n.starts_with(prefix) && n.as_str() > after)
    {
        let entry = match name[prefix.len()..]
            .find(delimiter)
            .filter(|_| !delimiter.is_empty())
        {
            Some(i) => (name[..prefix.len() + i + delimiter.len()].to_string(), true),
            None => (name.clone(), false),
        };
        // A common prefix that ended the previous page (its token), or was just listed.
        if entry.1 && (entry.0 == after || out.prefixes.last() == Some(&entry.0)) {
            continue;
        }
        if count == max {
            out.next = out.keys.last().max(out.prefixes.last()).cloned();
            break;
        }
        count += 1;
        if entry.1 {
            out.prefixes.push(entry.0);
        } else {
            out.keys.push(entry.0);
        }
    }
    out
}

/// The parameters of a ListObjectsV2 request.
struct ListQuery {
    prefix: String,
    delimiter: String,
    max: usize,
    token: Option<String>,
    /// `continuation-token`, else `start-after`: list the keys after it.
    after: String,
    /// `encoding-type=url`: keys and prefixes percent-encoded in the answer.
    encode: bool,
}

impl ListQuery {
    fn from_request(req: &RecordedRequest) -> Result<Self, ObjectError> {
        if query_param(req, "list-type").as_deref() != Some("2") {
            return Err(err(
                501,
                "NotImplemented",
                "Only ListObjectsV2 (list-type=2) is emulated.",
            ));
        }
        let max = match query_param(req, "max-keys") {
            None => MAX_KEYS,
            Some(m) => m
                .parse::<usize>()
                .map_err(|_| err(400, "InvalidArgument", "max-keys must be a number."))?
                .min(MAX_KEYS),
        };
        let token = query_param(req, "continuation-token");
        Ok(ListQuery {
            prefix: query_param(req, "prefix").unwrap_or_default(),
            delimiter: query_param(req, "delimiter").unwrap_or_default(),
            max,
            after: token
                .clone()
                .or_else(|| query_param(req, "start-after"))
                .unwrap_or_default(),
            token,
            encode: query_param(req, "encoding-type").as_deref() == Some("url"),
        })
    }

    /// A key or prefix as the answer shows it.
    fn shown(&self, s: &str) -> String {
        xml_escape(&if self.encode {
            percent_encode(s, true)
        } else {
            s.to_string()
        })
    }
}

fn list(req: &RecordedRequest, ctx: &RouteContext<'_>, bucket: &str) -> Result<Reply, ObjectError> {
    let query = ListQuery::from_request(req)?;
    let store = ctx.state().objects();
    let names: Vec<String> = store
        .names()
        .into_iter()
        .filter(|(b, _)| b == bucket)
        .map(|(_, k)| k)
        .collect();
    let page = page(
        &names,
        &query.prefix,
        &query.delimiter,
        &query.after,
        query.max,
    );
    let mut xml = list_header(&query, bucket, &page);
    for key in &page.keys {
        let Some(o) = store.get(bucket, key) else {
            continue;
        };
        xml.push_str(&format!(
            "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>\"{}\"</ETag>\
             <Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
            query.shown(key),
            format_utc(o.last_modified).replace('Z', ".000Z"),
            o.md5_hex,
            o.body.len()
        ));
    }
    for p in &page.prefixes {
        xml.push_str(&format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            query.shown(p)
        ));
    }
    xml.push_str("</ListBucketResult>");
    Ok(Reply::bytes(200, "application/xml", xml)
        .with_header(request_id_header(Dialect::S3), &request_id(Dialect::S3)))
}

/// The answer up to the listed entries: bucket, prefix, counts, delimiter, encoding, tokens.
fn list_header(query: &ListQuery, bucket: &str, page: &Page) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Name>{}</Name><Prefix>{}</Prefix><KeyCount>{}</KeyCount><MaxKeys>{}</MaxKeys>\
         <IsTruncated>{}</IsTruncated>",
        xml_escape(bucket),
        query.shown(&query.prefix),
        page.keys.len() + page.prefixes.len(),
        query.max,
        page.next.is_some(),
    );
    if !query.delimiter.is_empty() {
        xml.push_str(&format!(
            "<Delimiter>{}</Delimiter>",
            query.shown(&query.delimiter)
        ));
    }
    if query.encode {
        xml.push_str("<EncodingType>url</EncodingType>");
    }
    if let Some(t) = &query.token {
        xml.push_str(&format!(
            "<ContinuationToken>{}</ContinuationToken>",
            xml_escape(t)
        ));
    }
    if let Some(next) = &page.next {
        xml.push_str(&format!(
            "<NextContinuationToken>{}</NextContinuationToken>",
            xml_escape(next)
        ));
    }
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bucket_paths() {
        assert_eq!(bucket_of("/b"), Some("b"));
        assert_eq!(bucket_of("/b/"), Some("b"));
        assert_eq!(bucket_of("/b/k"), None);
        assert_eq!(bucket_of("/"), None);
    }

    #[test]
    fn pages_roll_up_and_continue() {
        let all = names(&[
            "a.txt",
            "docs/a.txt",
            "docs/b/c.txt",
            "docs/b/d.txt",
            "docs/e.txt",
            "z",
        ]);
        let p = page(&all, "docs/", "/", "", 1000);
        assert_eq!(p.keys, names(&["docs/a.txt", "docs/e.txt"]));
        assert_eq!(p.prefixes, names(&["docs/b/"]));
        assert_eq!(p.next, None);
        let p = page(&all, "", "", "", 2);
        assert_eq!(p.keys, names(&["a.txt", "docs/a.txt"]));
        assert_eq!(p.next.as_deref(), Some("docs/a.txt"));
        let p = page(&all, "", "/", "docs/a.txt", 2);
        assert_eq!((p.keys, p.prefixes), (names(&["z"]), names(&["docs/"])));
        let p = page(&all, "docs/", "/", "docs/a.txt", 1);
        assert_eq!(p.prefixes, names(&["docs/b/"]));
        assert_eq!(p.next.as_deref(), Some("docs/b/"));
        let p = page(&all, "docs/", "/", "docs/b/", 5);
        assert_eq!(p.keys, names(&["docs/e.txt"]));
    }
}
