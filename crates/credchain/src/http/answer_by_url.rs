//! A fake [`HttpClient`] for unit tests: it answers every request from a function of its URL, so
//! a test can put exact bytes in front of a source's parser without a server.

use std::fmt;

use bytes::Bytes;
use http::HeaderMap;

use super::{BoxFuture, HttpClient, HttpRequest, HttpResponse};
use crate::error::Result;

/// Answers `(status, body)` = `answer(url)`.
pub(crate) struct AnswerByUrl<F>(pub F);

impl<F> fmt::Debug for AnswerByUrl<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AnswerByUrl")
    }
}

impl<F> HttpClient for AnswerByUrl<F>
where
    F: Fn(&str) -> (u16, String) + Send + Sync,
{
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        let (status, body) = (self.0)(&req.url);
        Box::pin(async move {
            Ok(HttpResponse {
                status,
                headers: HeaderMap::new(),
                body: Bytes::from(body),
            })
        })
    }
}
