//! Shared by the server-response targets: a scripted [`HttpClient`] that answers each request
//! with the next fuzzer-chosen answer, and JSON bodies built from a per-route template so the
//! fuzzer reaches the parsers' deep branches (wrong types, missing fields, odd expiries) without
//! first having to discover the JSON syntax.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;

use arbitrary::Arbitrary;
use credchain::http::{BoxFuture, HttpClient, HttpRequest, HttpResponse};
use credchain::{Credentials, Error, ErrorKind, Result};
use serde_json::{Map, Value};

/// One value the fuzzer puts at a template key.
#[derive(Arbitrary, Debug, Clone)]
pub enum Field {
    /// The template's valid value (so the other keys can be explored one at a time).
    Valid,
    /// The key is absent.
    Missing,
    Str(String),
    /// An RFC 3339-like string built from arbitrary parts (a plain `String` rarely gets close).
    Time(TimeParts),
    Int(i64),
    Uint(u64),
    Float(f64),
    Bool(bool),
    Null,
    Array(Vec<Leaf>),
    Object(Vec<(String, Leaf)>),
}

/// A non-recursive JSON value.
#[derive(Arbitrary, Debug, Clone)]
pub enum Leaf {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
}

impl Leaf {
    fn json(&self) -> Value {
        match self {
            Leaf::Str(s) => Value::from(s.as_str()),
            Leaf::Int(i) => Value::from(*i),
            Leaf::Bool(b) => Value::from(*b),
            Leaf::Null => Value::Null,
        }
    }
}

/// Pieces of a timestamp, each unconstrained.
#[derive(Arbitrary, Debug, Clone)]
pub struct TimeParts {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub fraction: Option<u32>,
    pub offset: Option<(bool, u8, u8)>,
}

impl TimeParts {
    pub fn render(&self) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if let Some(f) = self.fraction {
            s.push_str(&format!(".{f}"));
        }
        match self.offset {
            None => s.push('Z'),
            Some((plus, h, m)) => s.push_str(&format!(
                "{}{:02}:{:02}",
                if plus { '+' } else { '-' },
                h,
                m
            )),
        }
        s
    }
}

impl Field {
    fn json(&self, valid: &Value) -> Option<Value> {
        Some(match self {
            Field::Valid => valid.clone(),
            Field::Missing => return None,
            Field::Str(s) => Value::from(s.as_str()),
            Field::Time(t) => Value::from(t.render()),
            Field::Int(i) => Value::from(*i),
            Field::Uint(u) => Value::from(*u),
            Field::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Field::Bool(b) => Value::from(*b),
            Field::Null => Value::Null,
            Field::Array(items) => Value::Array(items.iter().map(Leaf::json).collect()),
            Field::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.json()))
                    .collect::<Map<_, _>>(),
            ),
        })
    }
}

/// A response body: raw bytes, or a JSON object built from the route's template.
#[derive(Arbitrary, Debug, Clone)]
pub enum Body {
    Raw(Vec<u8>),
    Shaped(Vec<Field>),
}

/// One answer: a status (picked mostly among the ones servers send) and a body.
#[derive(Arbitrary, Debug, Clone)]
pub struct Answer {
    pub status: u8,
    pub body: Body,
}

const STATUSES: [u16; 12] = [200, 200, 200, 200, 400, 401, 403, 404, 429, 500, 503, 302];

impl Answer {
    fn status(&self) -> u16 {
        let i = self.status as usize;
        if i < STATUSES.len() * 16 {
            STATUSES[i % STATUSES.len()]
        } else {
            100 + (i as u16 * 3) % 500
        }
    }
}

/// A route's body template: `(dotted path, valid value)` pairs, filled in order by the fuzzer's
/// `Shaped` fields; plain text routes (an IMDS role list) use `Text`.
pub enum Template {
    Json(Vec<(&'static str, Value)>),
    Text(&'static str),
}

impl Template {
    fn render(&self, body: &Body) -> Vec<u8> {
        match (self, body) {
            (_, Body::Raw(bytes)) => bytes.clone(),
            (Template::Text(valid), Body::Shaped(fields)) => match fields.first() {
                Some(Field::Str(s)) => s.clone().into_bytes(),
                _ => valid.as_bytes().to_vec(),
            },
            (Template::Json(keys), Body::Shaped(fields)) => {
                let mut root = Value::Object(Map::new());
                for (i, (path, valid)) in keys.iter().enumerate() {
                    let field = fields.get(i).cloned().unwrap_or(Field::Valid);
                    if let Some(v) = field.json(valid) {
                        insert(&mut root, path, v);
                    }
                }
                root.to_string().into_bytes()
            }
        }
    }
}

fn insert(root: &mut Value, path: &str, v: Value) {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        let Value::Object(map) = node else { return };
        if parts.peek().is_none() {
            map.insert(p.to_string(), v);
            return;
        }
        node = map
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Answers each request with the next scripted answer, rendered with the template the route
/// function picks from the request URL; a transport error once the script is exhausted.
pub struct Scripted {
    answers: Mutex<VecDeque<Answer>>,
    route: fn(&str) -> Template,
}

impl fmt::Debug for Scripted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scripted")
    }
}

impl Scripted {
    pub fn new(answers: Vec<Answer>, route: fn(&str) -> Template) -> Self {
        Scripted {
            answers: Mutex::new(answers.into()),
            route,
        }
    }
}

impl HttpClient for Scripted {
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        let next = self.answers.lock().unwrap().pop_front();
        let out = match next {
            None => Err(Error::new(ErrorKind::Transport, "script exhausted")
                .with_endpoint(req.endpoint().to_string())),
            Some(a) => Ok(HttpResponse {
                status: a.status(),
                headers: http::HeaderMap::new(),
                body: (self.route)(&req.url).render(&a.body).into(),
            }),
        };
        Box::pin(async move { out })
    }
}

/// Runs a future on a current-thread runtime whose clock is paused, so retry back-offs cost
/// nothing.
pub fn block_on<F: Future>(f: F) -> F::Output {
    thread_local! {
        static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
    }
    RT.with(|rt| rt.block_on(f))
}

/// What every source promises about its outcome: credentials have an id and a secret; an error
/// renders (Display and Debug) without panicking.
pub fn check(outcome: Result<Credentials>) {
    match outcome {
        Ok(c) => {
            assert!(!c.access_key_id().is_empty(), "empty id accepted");
            assert!(!c.access_key_secret().is_empty(), "empty secret accepted");
            let _ = format!("{c:?}");
        }
        Err(e) => {
            let _ = format!("{e} {e:?}");
        }
    }
}

/// A future expiry, valid for every parser.
pub const VALID_EXPIRY: &str = "2099-01-01T00:00:00Z";
