//! A minimal HTTP/1.1 server on tokio: keep-alive, pipelining, `Content-Length` and chunked
//! request bodies, `Expect: 100-continue`, bounded head and body sizes, and the wire-level faults
//! (truncated body, dropped connection) that a full HTTP stack would not let us produce.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::fault::FaultPlan;
use crate::reply::Reply;
use crate::request::{split_target, RecordedRequest};
use crate::route::RouteContext;
use crate::server_state::ServerState;
use crate::state::lock;

/// Largest request head (request line and header fields) accepted; larger answers 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest request body accepted; larger answers 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most header fields accepted in one request; more answers 431.
const MAX_HEADERS: usize = 128;
/// A connection that sends nothing (or stalls mid-request) for this long is closed.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Accepts connections until `shutdown` fires (or its sender is dropped), then ends every
/// connection task.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<ServerState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(connection(stream, Arc::clone(&shared)));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

/// A parsed request plus what the connection needs to know about it.
struct Incoming {
    request: RecordedRequest,
    keep_alive: bool,
    head_only: bool,
}

/// The outcome of reading: a request, a clean end of the connection, or an error to answer
/// before closing.
enum Read {
    Request(Incoming),
    Closed,
    Reject(Reply),
}

async fn connection(mut stream: TcpStream, shared: Arc<ServerState>) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(8 * 1024);
    loop {
        let incoming = match read_request(&mut stream, &mut buf).await {
            Read::Request(r) => r,
            Read::Closed => return,
            Read::Reject(reply) => {
                let _ = write_reply(&mut stream, &reply, false, false).await;
                return;
            }
        };
        match respond(&mut stream, &shared, incoming).await {
            Ok(true) => continue,
            _ => return,
        }
    }
}

/// Reads more bytes into `buf`; 0 on end of stream, error or timeout.
async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> usize {
    let mut chunk = [0u8; 16 * 1024];
    match tokio::time::timeout(READ_TIMEOUT, stream.read(&mut chunk)).await {
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            n
        }
        _ => 0,
    }
}

struct Head {
    method: String,
    target: String,
    minor_version: u8,
    headers: Vec<(String, String)>,
    len: usize,
}

fn parse_head(buf: &[u8]) -> Result<Option<Head>, Reply> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut fields);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => Ok(Some(Head {
            method: req.method.unwrap_or("").to_string(),
            target: req.path.unwrap_or("/").to_string(),
            minor_version: req.version.unwrap_or(1),
            headers: req
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect(),
            len,
        })),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(too_large(431, "too many header fields")),
        Err(_) => Err(bad_request("malformed request head")),
    }
}

fn bad_request(message: &str) -> Reply {
    Reply::error(400, "EmulatorBadRequest", message)
}

fn too_large(status: u16, message: &str) -> Reply {
    Reply::error(status, "EmulatorRequestTooLarge", message)
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> impl Iterator<Item = &'h str> + 'h {
    let name = name.to_string();
    headers
        .iter()
        .filter(move |(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

/// Comma-separated tokens of every `name` field, lower-cased.
fn tokens(headers: &[(String, String)], name: &str) -> Vec<String> {
    header(headers, name)
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

enum Framing {
    Length(usize),
    Chunked,
}

fn framing(headers: &[(String, String)]) -> Result<Framing, Reply> {
    let te = tokens(headers, "transfer-encoding");
    let lengths: Vec<&str> = header(headers, "content-length").map(str::trim).collect();
    if !te.is_empty() {
        if !lengths.is_empty() {
            return Err(bad_request("both Transfer-Encoding and Content-Length"));
        }
        return match te.last().map(String::as_str) {
            Some("chunked") => Ok(Framing::Chunked),
            _ => Err(bad_request("unsupported Transfer-Encoding")),
        };
    }
    let Some(first) = lengths.first() else {
        return Ok(Framing::Length(0));
    };
    if lengths.iter().any(|l| l != first) || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_request("invalid Content-Length"));
    }
    match first.parse::<u64>() {
        Ok(n) if n <= MAX_BODY_BYTES as u64 => Ok(Framing::Length(n as usize)),
        Ok(_) => Err(too_large(413, "request body too large")),
        Err(_) => Err(bad_request("invalid Content-Length")),
    }
}

/// Decodes a chunked body at the start of `data`: `Ok(None)` when more bytes are needed,
/// otherwise the body and how many bytes of `data` it used (trailers included).
fn decode_chunked(data: &[u8]) -> Result<Option<(Vec<u8>, usize)>, Reply> {
    let mut body = Vec::new();
    let mut pos = 0;
    loop {
        let Some(eol) = find_crlf(&data[pos..]) else {
            if data.len() - pos > 1024 {
                return Err(bad_request("chunk size line too long"));
            }
            return Ok(None);
        };
        let line = std::str::from_utf8(&data[pos..pos + eol])
            .map_err(|_| bad_request("invalid chunk size"))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size_text, 16).map_err(|_| bad_request("invalid chunk size"))?;
        pos += eol + 2;
        if size == 0 {
            // Trailer fields, then an empty line.
            loop {
                let Some(eol) = find_crlf(&data[pos..]) else {
                    if data.len() - pos > MAX_HEAD_BYTES {
                        return Err(too_large(431, "trailer section too large"));
                    }
                    return Ok(None);
                };
                pos += eol + 2;
                if eol == 0 {
                    return Ok(Some((body, pos)));
                }
            }
        }
        if body.len().saturating_add(size) > MAX_BODY_BYTES {
            return Err(too_large(413, "request body too large"));
        }
        if data.len() < pos + size + 2 {
            return Ok(None);
        }
        if &data[pos + size..pos + size + 2] != b"\r\n" {
            return Err(bad_request("chunk not followed by CRLF"));
        }
        body.extend_from_slice(&data[pos..pos + size]);
        pos += size + 2;
    }
}

fn find_crlf(data: &[u8]) -> Option<usize> {
    data.windows(2).position(|w| w == b"\r\n")
}

async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Read {
    let head = loop {
        if !buf.is_empty() {
            match parse_head(buf) {
                Ok(Some(head)) => break head,
                Ok(None) => {}
                Err(reply) => return Read::Reject(reply),
            }
        }
        if buf.len() > MAX_HEAD_BYTES {
            return Read::Reject(too_large(431, "request head too large"));
        }
        if read_more(stream, buf).await == 0 {
            return Read::Closed;
        }
    };
    if head.len > MAX_HEAD_BYTES {
        return Read::Reject(too_large(431, "request head too large"));
    }
    let framing = match framing(&head.headers) {
        Ok(f) => f,
        Err(reply) => return Read::Reject(reply),
    };
    let expects_continue = head.minor_version == 1
        && tokens(&head.headers, "expect")
            .iter()
            .any(|t| t == "100-continue");
    let mut sent_continue = false;
    let body = loop {
        let data = &buf[head.len..];
        let done = match framing {
            Framing::Length(n) if data.len() >= n => Some((data[..n].to_vec(), n)),
            Framing::Length(_) => None,
            Framing::Chunked => match decode_chunked(data) {
                Ok(r) => r,
                Err(reply) => return Read::Reject(reply),
            },
        };
        if let Some((body, used)) = done {
            buf.drain(..head.len + used);
            break body;
        }
        if expects_continue && !sent_continue {
            sent_continue = true;
            if stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .is_err()
            {
                return Read::Closed;
            }
        }
        if read_more(stream, buf).await == 0 {
            return Read::Closed;
        }
    };
    let connection = tokens(&head.headers, "connection");
    let keep_alive = if head.minor_version >= 1 {
        !connection.iter().any(|t| t == "close")
    } else {
        connection.iter().any(|t| t == "keep-alive")
    };
    let (path, query) = split_target(&head.target);
    Read::Request(Incoming {
        head_only: head.method == "HEAD",
        request: RecordedRequest {
            method: head.method,
            path,
            query,
            headers: head.headers,
            body_len: body.len(),
            body,
            route: None,
            received_at: SystemTime::now(),
        },
        keep_alive,
    })
}

/// Answers one request; `Ok(true)` when the connection may carry another.
async fn respond(
    stream: &mut TcpStream,
    shared: &ServerState,
    incoming: Incoming,
) -> std::io::Result<bool> {
    let Incoming {
        mut request,
        keep_alive,
        head_only,
    } = incoming;
    let route = shared.find_route(&request);
    request.route = route.as_ref().map(|r| r.name().to_string());
    shared.record(&request);

    let Some(route) = route else {
        let reply = Reply::error(
            404,
            "EmulatorRouteNotFound",
            &format!("no emulator route for {} {}", request.method, request.path),
        );
        write_reply(stream, &reply, keep_alive, head_only).await?;
        return Ok(keep_alive);
    };

    let fault = lock(&shared.faults).take(route.name());
    let plan = FaultPlan::new(fault.as_ref());
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    if plan.drop_connection {
        return Ok(false);
    }
    let mut reply = match plan.status.clone() {
        Some((status, body)) => FaultPlan::status_reply(status, body),
        None if plan.throttled => FaultPlan::throttled_reply(route.name()),
        None => {
            let ctx = RouteContext::new(&shared.state, route.name(), plan.expired);
            catch_unwind(AssertUnwindSafe(|| route.handle(&request, &ctx))).unwrap_or_else(|_| {
                Reply::error(500, "EmulatorHandlerPanicked", "the route handler panicked")
            })
        }
    };
    plan.edit(&mut reply);
    if plan.truncated {
        write_truncated(stream, &reply).await?;
        return Ok(false);
    }
    if plan.mid_body_close {
        write_mid_body_close(stream, &reply).await?;
        return Ok(false);
    }
    write_reply(stream, &reply, keep_alive, head_only).await?;
    Ok(keep_alive)
}

/// Whether a response with this status carries no body and no `Content-Length`.
fn bodiless(status: u16) -> bool {
    (100..200).contains(&status) || status == 204 || status == 304
}

fn render_head(reply: &Reply, content_length: usize, keep_alive: bool) -> Vec<u8> {
    let reason = http::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason);
    for (name, value) in &reply.headers {
        let reserved = ["content-length", "connection", "transfer-encoding"]
            .iter()
            .any(|r| name.eq_ignore_ascii_case(r));
        let unsafe_text = |s: &str| s.bytes().any(|b| b == b'\r' || b == b'\n');
        if reserved || name.is_empty() || unsafe_text(name) || unsafe_text(value) {
            continue;
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !bodiless(reply.status) {
        head.push_str(&format!("Content-Length: {content_length}\r\n"));
    }
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    head.into_bytes()
}

async fn write_reply(
    stream: &mut TcpStream,
    reply: &Reply,
    keep_alive: bool,
    head_only: bool,
) -> std::io::Result<()> {
    let body = if bodiless(reply.status) {
        Vec::new()
    } else {
        reply.body_bytes()
    };
    let mut out = render_head(reply, body.len(), keep_alive);
    if !head_only {
        out.extend_from_slice(&body);
    }
    stream.write_all(&out).await?;
    stream.flush().await
}

/// Announces the full length, sends less, and closes.
async fn write_truncated(stream: &mut TcpStream, reply: &Reply) -> std::io::Result<()> {
    let body = reply.body_bytes();
    let (declared, sent) = if body.len() >= 2 {
        (body.len(), body.len() / 2)
    } else {
        (body.len() + 16, body.len())
    };
    let mut out = render_head(reply, declared, false);
    out.extend_from_slice(&body[..sent]);
    stream.write_all(&out).await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// Sends the head with `Transfer-Encoding: chunked`, half of the body as an announced full-size
/// chunk, and closes: the body ends mid-chunk, with no length a client could check first.
async fn write_mid_body_close(stream: &mut TcpStream, reply: &Reply) -> std::io::Result<()> {
    let body = reply.body_bytes();
    let head = String::from_utf8_lossy(&render_head(reply, 0, false))
        .replace("Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(format!("{:x}\r\n", body.len().max(2)).as_bytes());
    out.extend_from_slice(&body[..body.len() / 2]);
    stream.write_all(&out).await?;
    stream.flush().await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_decoding() {
        let data = b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\nNEXT";
        let (body, used) = decode_chunked(data).unwrap().unwrap();
        assert_eq!(body, b"Wikipedia");
        assert_eq!(&data[used..], b"NEXT");
        for cut in 0..data.len() - 4 {
            assert!(decode_chunked(&data[..cut]).unwrap().is_none(), "cut {cut}");
        }
        assert!(decode_chunked(b"zz\r\n").is_err());
        assert!(decode_chunked(b"2\r\nabc\r\n").is_err());
        assert!(decode_chunked(b"fffffffffff\r\n").is_err());
        assert!(decode_chunked(b"ffffffffffffffffffffffff\r\n").is_err());
    }

    #[test]
    fn framing_rules() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert!(matches!(framing(&h(&[])), Ok(Framing::Length(0))));
        assert!(matches!(
            framing(&h(&[("content-length", "5")])),
            Ok(Framing::Length(5))
        ));
        assert!(framing(&h(&[("content-length", "5"), ("content-length", "6")])).is_err());
        assert!(framing(&h(&[("content-length", "-1")])).is_err());
        assert!(framing(&h(&[("content-length", "+1")])).is_err());
        assert_eq!(
            framing(&h(&[("content-length", "99999999999999999999999")]))
                .err()
                .map(|r| r.status),
            Some(400)
        );
        assert_eq!(
            framing(&h(&[("content-length", "2000000")]))
                .err()
                .map(|r| r.status),
            Some(413)
        );
        assert!(matches!(
            framing(&h(&[("transfer-encoding", "gzip, chunked")])),
            Ok(Framing::Chunked)
        ));
        assert!(framing(&h(&[
            ("transfer-encoding", "chunked"),
            ("content-length", "1")
        ]))
        .is_err());
        assert!(framing(&h(&[("transfer-encoding", "gzip")])).is_err());
    }

    #[test]
    fn head_rendering_drops_reserved_and_unsafe_headers() {
        let reply = Reply::text(204, "")
            .with_header("Content-Length", "99")
            .with_header("X-Evil", "a\r\nb")
            .with_header("X-Ok", "1");
        let head = String::from_utf8(render_head(&reply, 0, true)).unwrap();
        assert_eq!(
            head,
            "HTTP/1.1 204 No Content\r\nContent-Type: text/plain; charset=utf-8\r\nX-Ok: 1\r\nConnection: keep-alive\r\n\r\n"
        );
    }
}
