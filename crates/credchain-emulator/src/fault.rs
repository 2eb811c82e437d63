//! Fault injection: what to do to a route's normal answer.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::reply::{Reply, ReplyBody};

/// A misbehaviour to apply to requests of one route (see [`crate::Emulator::set_fault`] and
/// [`crate::Emulator::push_fault`]).
///
/// Faults are applied in this order: delays are slept first; then [`Fault::DropConnection`]
/// closes the connection without answering; [`Fault::Status`] replaces the answer (the route's
/// handler does not run, so nothing is issued); otherwise the handler runs (with
/// [`Fault::ExpiredCredentials`] making it issue expired credentials), then
/// [`Fault::MissingFields`] and [`Fault::MalformedBody`] edit its answer, and
/// [`Fault::TruncatedBody`] cuts the answer short on the wire. Combine several with
/// [`Fault::All`] or [`Fault::then`].
///
/// [`Fault::Throttled`] replaces the answer like [`Fault::Status`] (a status fault wins);
/// [`Fault::WrongType`], [`Fault::UnparseableExpiry`] and [`Fault::OversizedBody`] edit the
/// handler's answer (in that order, after the missing fields); [`Fault::MidBodyClose`] cuts it
/// on the wire like [`Fault::TruncatedBody`], but in a chunked body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and body instead of the normal answer. A body that parses as JSON
    /// is sent as `application/json`, anything else as `text/plain`; `None` sends an empty body.
    Status {
        /// The status code.
        status: u16,
        /// The body, if any.
        body: Option<String>,
    },
    /// Wait this long before answering (then answer normally, or apply the other faults).
    Delay(Duration),
    /// Replace the body by bytes that are not JSON (status and headers unchanged).
    MalformedBody,
    /// Announce the full `Content-Length` but send only part of the body, then close.
    TruncatedBody,
    /// Remove these fields from a JSON answer. A plain name (`"SecurityToken"`) is removed at
    /// every depth; a dotted path (`"Credentials.Expiration"`) only there.
    MissingFields(Vec<String>),
    /// Issue credentials that expired one hour ago.
    ExpiredCredentials,
    /// Read the request, then close the connection without sending anything.
    DropConnection,
    /// Answer with the cloud's own throttling answer: Alibaba APIs `400` with
    /// `{"Code":"Throttling.User",...}`, Tencent APIs HTTP `200` with
    /// `{"Response":{"Error":{"Code":"RequestLimitExceeded",...}}}`, instance metadata `429`.
    Throttled,
    /// Change the JSON type of these fields (same naming as [`Fault::MissingFields`]): a string
    /// becomes the number [`WRONG_TYPE_NUMBER`], anything else the string `"wrong-type"`.
    WrongType(Vec<String>),
    /// Every expiry field (`Expiration`, `expiration`, `ExpiredTime`, at any depth) becomes the
    /// string [`UNPARSEABLE_EXPIRY`].
    UnparseableExpiry,
    /// Pad the answer past [`OVERSIZED_BODY_BYTES`] (a JSON answer stays valid JSON).
    OversizedBody,
    /// Send the answer chunked (no `Content-Length`), stop halfway through the first chunk and
    /// close: the client sees the connection end in the middle of the body.
    MidBodyClose,
    /// Apply all of these to the same request.
    All(Vec<Fault>),
}

/// The number [`Fault::WrongType`] puts in place of a string.
pub const WRONG_TYPE_NUMBER: i64 = 987_654_321_987;
/// What [`Fault::UnparseableExpiry`] puts in expiry fields.
pub const UNPARSEABLE_EXPIRY: &str = "next tuesday-ish";
/// The size [`Fault::OversizedBody`] pads answers to: 2 MiB, above any client's cap.
pub const OVERSIZED_BODY_BYTES: usize = 2 * 1024 * 1024;

impl Fault {
    /// [`Fault::Status`] without a body.
    pub fn status(status: u16) -> Self {
        Fault::Status { status, body: None }
    }

    /// [`Fault::Status`] with a body.
    ///
    /// ```
    /// use credchain_emulator::Fault;
    /// let f = Fault::status_with_body(503, r#"{"Code":"ServiceUnavailable"}"#);
    /// assert!(matches!(f, Fault::Status { status: 503, body: Some(_) }));
    /// ```
    pub fn status_with_body(status: u16, body: impl Into<String>) -> Self {
        Fault::Status {
            status,
            body: Some(body.into()),
        }
    }

    /// [`Fault::MissingFields`] from any list of names.
    pub fn missing_fields<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Fault::MissingFields(names.into_iter().map(Into::into).collect())
    }

    /// Both faults on the same request, e.g. a delay then a dropped connection.
    ///
    /// ```
    /// use std::time::Duration;
    /// use credchain_emulator::Fault;
    /// let f = Fault::Delay(Duration::from_millis(50)).then(Fault::DropConnection);
    /// assert_eq!(f, Fault::All(vec![Fault::Delay(Duration::from_millis(50)), Fault::DropConnection]));
    /// ```
    pub fn then(self, next: Fault) -> Self {
        match self {
            Fault::All(mut v) => {
                v.push(next);
                Fault::All(v)
            }
            first => Fault::All(vec![first, next]),
        }
    }
}

/// A fault flattened into the actions the server takes.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    pub delay: Duration,
    pub drop_connection: bool,
    pub status: Option<(u16, Option<String>)>,
    pub malformed: bool,
    pub truncated: bool,
    pub missing: Vec<String>,
    pub expired: bool,
    pub throttled: bool,
    pub wrong_type: Vec<String>,
    pub unparseable_expiry: bool,
    pub oversized: bool,
    pub mid_body_close: bool,
}

impl FaultPlan {
    pub(crate) fn new(fault: Option<&Fault>) -> Self {
        let mut plan = FaultPlan::default();
        if let Some(f) = fault {
            plan.add(f);
        }
        plan
    }

    fn add(&mut self, fault: &Fault) {
        match fault {
            Fault::Status { status, body } => {
                if self.status.is_none() {
                    self.status = Some((*status, body.clone()));
                }
            }
            Fault::Delay(d) => self.delay = self.delay.saturating_add(*d),
            Fault::MalformedBody => self.malformed = true,
            Fault::TruncatedBody => self.truncated = true,
            Fault::MissingFields(names) => self.missing.extend(names.iter().cloned()),
            Fault::ExpiredCredentials => self.expired = true,
            Fault::DropConnection => self.drop_connection = true,
            Fault::Throttled => self.throttled = true,
            Fault::WrongType(names) => self.wrong_type.extend(names.iter().cloned()),
            Fault::UnparseableExpiry => self.unparseable_expiry = true,
            Fault::OversizedBody => self.oversized = true,
            Fault::MidBodyClose => self.mid_body_close = true,
            Fault::All(faults) => faults.iter().for_each(|f| self.add(f)),
        }
    }

    /// The reply a [`Fault::Status`] stands for.
    pub(crate) fn status_reply(status: u16, body: Option<String>) -> Reply {
        match body {
            None => Reply::empty(status),
            Some(b) if serde_json::from_str::<Value>(&b).is_ok() => {
                Reply::bytes(status, "application/json", b)
            }
            Some(b) => Reply::text(status, b),
        }
    }

    /// The reply a [`Fault::Throttled`] stands for on route `route`.
    pub(crate) fn throttled_reply(route: &str) -> Reply {
        if route.contains(".imds.") || route.contains(".cvm.") {
            return Reply::empty(429);
        }
        if route.starts_with("tencent.") {
            let body = serde_json::json!({"Response": {
                "Error": {"Code": "RequestLimitExceeded", "Message": "Your current request times equals to `30` in a second, which exceeds the frequency limit."},
                "RequestId": "emulator-throttled"}});
            return Reply::json(200, body);
        }
        Reply::json(
            400,
            serde_json::json!({"Code": "Throttling.User",
                "Message": "Request was denied due to user flow control.",
                "RequestId": "emulator-throttled"}),
        )
    }

    /// Applies the body-editing faults to a handler's reply.
    pub(crate) fn edit(&self, reply: &mut Reply) {
        if let ReplyBody::Json(v) = &mut reply.body {
            for name in &self.missing {
                edit_field(v, name, &mut |map, k| {
                    map.remove(k);
                });
            }
            for name in &self.wrong_type {
                edit_field(v, name, &mut |map, k| {
                    if let Some(slot) = map.get_mut(k) {
                        *slot = match slot {
                            Value::String(_) => Value::from(WRONG_TYPE_NUMBER),
                            _ => Value::from("wrong-type"),
                        };
                    }
                });
            }
            if self.unparseable_expiry {
                for name in ["Expiration", "expiration", "ExpiredTime"] {
                    edit_field(v, name, &mut |map, k| {
                        if let Some(slot) = map.get_mut(k) {
                            *slot = Value::from(UNPARSEABLE_EXPIRY);
                        }
                    });
                }
            }
        }
        if self.oversized {
            match &mut reply.body {
                ReplyBody::Json(Value::Object(map)) => {
                    map.insert("Padding".into(), Value::from("x".repeat(OVERSIZED_BODY_BYTES)));
                }
                body => *body = ReplyBody::Bytes(vec![b'x'; OVERSIZED_BODY_BYTES]),
            }
        }
        if self.malformed {
            reply.body = ReplyBody::Bytes(MALFORMED_BODY.to_vec());
        }
    }
}

/// What [`Fault::MalformedBody`] sends: starts like the clouds' answers, but is not JSON.
pub(crate) const MALFORMED_BODY: &[u8] = b"<html>{\"Code\": Success, not json</html>";

/// Applies `f` to the object holding `name` (its last segment): a dotted path from the root, or a
/// plain name at every depth.
fn edit_field(v: &mut Value, name: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    if let Some((head, rest)) = name.split_once('.') {
        if let Some(child) = v.get_mut(head) {
            edit_path(child, rest, f);
        }
    } else {
        edit_everywhere(v, name, f);
    }
}

fn edit_path(v: &mut Value, path: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    match path.split_once('.') {
        Some((head, rest)) => {
            if let Some(child) = v.get_mut(head) {
                edit_path(child, rest, f);
            }
        }
        None => {
            if let Value::Object(map) = v {
                f(map, path);
            }
        }
    }
}

fn edit_everywhere(v: &mut Value, name: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    match v {
        Value::Object(map) => {
            if map.contains_key(name) {
                f(map, name);
            }
            map.values_mut().for_each(|c| edit_everywhere(c, name, f));
        }
        Value::Array(items) => items.iter_mut().for_each(|c| edit_everywhere(c, name, f)),
        _ => {}
    }
}

/// Faults per route name: one persistent fault and a queue of one-shot faults.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    persistent: HashMap<String, Fault>,
    one_shot: HashMap<String, VecDeque<Fault>>,
}

impl FaultTable {
    pub(crate) fn set(&mut self, route: &str, fault: Fault) {
        self.persistent.insert(route.to_string(), fault);
    }

    pub(crate) fn push(&mut self, route: &str, fault: Fault) {
        self.one_shot
            .entry(route.to_string())
            .or_default()
            .push_back(fault);
    }

    pub(crate) fn clear_route(&mut self, route: &str) {
        self.persistent.remove(route);
        self.one_shot.remove(route);
    }

    pub(crate) fn clear(&mut self) {
        self.persistent.clear();
        self.one_shot.clear();
    }

    pub(crate) fn pending_one_shot(&self, route: &str) -> usize {
        self.one_shot.get(route).map_or(0, VecDeque::len)
    }

    /// The fault for the next request of `route`: the next one-shot fault if any is queued,
    /// otherwise the persistent fault.
    pub(crate) fn take(&mut self, route: &str) -> Option<Fault> {
        if let Some(q) = self.one_shot.get_mut(route) {
            if let Some(f) = q.pop_front() {
                if q.is_empty() {
                    self.one_shot.remove(route);
                }
                return Some(f);
            }
        }
        self.persistent.get(route).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plan_flattens_and_sums_delays() {
        let f = Fault::Delay(Duration::from_millis(5))
            .then(Fault::Delay(Duration::from_millis(7)))
            .then(Fault::status(500))
            .then(Fault::status(404))
            .then(Fault::missing_fields(["A"]))
            .then(Fault::ExpiredCredentials);
        let p = FaultPlan::new(Some(&f));
        assert_eq!(p.delay, Duration::from_millis(12));
        assert_eq!(p.status, Some((500, None)));
        assert_eq!(p.missing, vec!["A".to_string()]);
        assert!(p.expired && !p.malformed && !p.truncated && !p.drop_connection);
    }

    #[test]
    fn missing_fields_plain_and_dotted() {
        let mut r = Reply::json(
            200,
            json!({"A": 1, "Credentials": {"A": 2, "B": 3}, "List": [{"A": 4, "B": 5}]}),
        );
        FaultPlan::new(Some(&Fault::missing_fields(["A"]))).edit(&mut r);
        assert_eq!(
            r.body,
            ReplyBody::Json(json!({"Credentials": {"B": 3}, "List": [{"B": 5}]}))
        );
        FaultPlan::new(Some(&Fault::missing_fields([
            "Credentials.B",
            "Nope.B",
            "List.B",
        ])))
        .edit(&mut r);
        assert_eq!(
            r.body,
            ReplyBody::Json(json!({"Credentials": {}, "List": [{"B": 5}]}))
        );
    }

    #[test]
    fn malformed_is_not_json() {
        assert!(serde_json::from_slice::<Value>(MALFORMED_BODY).is_err());
        let mut r = Reply::json(200, json!({}));
        FaultPlan::new(Some(&Fault::MalformedBody)).edit(&mut r);
        assert_eq!(r.body_bytes(), MALFORMED_BODY);
        assert_eq!(r.header("content-type"), Some("application/json"));
    }

    #[test]
    fn wrong_type_unparseable_expiry_and_oversized() {
        let mut r = Reply::json(
            200,
            json!({"Credentials": {"AccessKeyId": "a", "Expiration": "2030-01-01T00:00:00Z", "N": 1}, "ExpiredTime": 5}),
        );
        let plan = FaultPlan::new(Some(
            &Fault::WrongType(vec!["AccessKeyId".into(), "Credentials.N".into()])
                .then(Fault::UnparseableExpiry),
        ));
        plan.edit(&mut r);
        assert_eq!(
            r.body,
            ReplyBody::Json(json!({"Credentials": {"AccessKeyId": WRONG_TYPE_NUMBER,
                "Expiration": UNPARSEABLE_EXPIRY, "N": "wrong-type"}, "ExpiredTime": UNPARSEABLE_EXPIRY}))
        );
        FaultPlan::new(Some(&Fault::OversizedBody)).edit(&mut r);
        let bytes = r.body_bytes();
        assert!(bytes.len() > OVERSIZED_BODY_BYTES);
        assert!(serde_json::from_slice::<Value>(&bytes).is_ok());
    }

    #[test]
    fn throttling_per_cloud() {
        let t = FaultPlan::throttled_reply("tencent.sts.assume_role");
        assert_eq!(t.status, 200);
        assert!(String::from_utf8(t.body_bytes()).unwrap().contains("RequestLimitExceeded"));
        let a = FaultPlan::throttled_reply("alibaba.sts.assume_role");
        assert_eq!(a.status, 400);
        assert!(String::from_utf8(a.body_bytes()).unwrap().contains("Throttling.User"));
        assert_eq!(FaultPlan::throttled_reply("alibaba.imds.credentials").status, 429);
        assert_eq!(FaultPlan::throttled_reply("tencent.cvm.credentials").status, 429);
    }

    #[test]
    fn one_shot_before_persistent() {
        let mut t = FaultTable::default();
        t.set("r", Fault::status(500));
        t.push("r", Fault::status(401));
        t.push("r", Fault::DropConnection);
        assert_eq!(t.pending_one_shot("r"), 2);
        assert_eq!(t.take("r"), Some(Fault::status(401)));
        assert_eq!(t.take("r"), Some(Fault::DropConnection));
        assert_eq!(t.take("r"), Some(Fault::status(500)));
        assert_eq!(t.take("r"), Some(Fault::status(500)));
        assert_eq!(t.take("other"), None);
        t.clear_route("r");
        assert_eq!(t.take("r"), None);
    }

    #[test]
    fn status_reply_content_type() {
        let r = FaultPlan::status_reply(500, Some("{\"a\":1}".into()));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let r = FaultPlan::status_reply(500, Some("oops".into()));
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        assert_eq!(FaultPlan::status_reply(204, None).body, ReplyBody::Empty);
    }
}
