//! Fault injection: what to do to a route's normal answer.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde_json::Value;

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
    /// Apply all of these to the same request.
    All(Vec<Fault>),
}

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

    /// Applies the body-editing faults to a handler's reply.
    pub(crate) fn edit(&self, reply: &mut Reply) {
        if !self.missing.is_empty() {
            if let ReplyBody::Json(v) = &mut reply.body {
                for name in &self.missing {
                    remove_field(v, name);
                }
            }
        }
        if self.malformed {
            reply.body = ReplyBody::Bytes(MALFORMED_BODY.to_vec());
        }
    }
}

/// What [`Fault::MalformedBody`] sends: starts like the clouds' answers, but is not JSON.
pub(crate) const MALFORMED_BODY: &[u8] = b"<html>{\"Code\": Success, not json</html>";

/// Removes `name` from `v`: a dotted path from the root, or a plain name at every depth.
fn remove_field(v: &mut Value, name: &str) {
    if let Some((head, rest)) = name.split_once('.') {
        if let Some(child) = v.get_mut(head) {
            remove_path(child, rest);
        }
    } else {
        remove_everywhere(v, name);
    }
}

fn remove_path(v: &mut Value, path: &str) {
    match path.split_once('.') {
        Some((head, rest)) => {
            if let Some(child) = v.get_mut(head) {
                remove_path(child, rest);
            }
        }
        None => {
            if let Value::Object(map) = v {
                map.remove(path);
            }
        }
    }
}

fn remove_everywhere(v: &mut Value, name: &str) {
    match v {
        Value::Object(map) => {
            map.remove(name);
            map.values_mut().for_each(|c| remove_everywhere(c, name));
        }
        Value::Array(items) => items.iter_mut().for_each(|c| remove_everywhere(c, name)),
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
