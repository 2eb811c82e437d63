//! Routes: a name, a matcher and a handler.

use std::fmt;
use std::sync::Arc;

use crate::issued_credentials::{Cloud, IssuedCredentials};
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::state::{EmulatorConfig, EmulatorState};

type MatchFn = dyn Fn(&RecordedRequest) -> bool + Send + Sync;
type HandlerFn = dyn Fn(&RecordedRequest, &RouteContext<'_>) -> Reply + Send + Sync;

/// Decides whether a route handles a request. Matchers look at anything in the request (method,
/// path, query and form parameters, headers, body), not only the path.
#[derive(Clone)]
pub struct Matcher(Arc<MatchFn>);

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Matcher(..)")
    }
}

impl Matcher {
    /// A matcher from any predicate.
    pub fn new(f: impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static) -> Self {
        Matcher(Arc::new(f))
    }

    /// Matches every request.
    pub fn any() -> Self {
        Matcher::new(|_| true)
    }

    /// Matches `method` on exactly `path` (any query).
    ///
    /// ```
    /// use credchain_emulator::{Matcher, RecordedRequest};
    /// let m = Matcher::method_path("PUT", "/latest/api/token");
    /// assert!(m.matches(&RecordedRequest::new("PUT", "/latest/api/token")));
    /// assert!(!m.matches(&RecordedRequest::new("GET", "/latest/api/token")));
    /// ```
    pub fn method_path(method: &str, path: &str) -> Self {
        let (method, path) = (method.to_string(), path.to_string());
        Matcher::new(move |r| r.method == method && r.path == path)
    }

    /// Matches `method` on `prefix` followed by one non-empty path segment (no `/`), e.g.
    /// `/latest/meta-data/ram/security-credentials/<role>`.
    pub fn method_segment_after(method: &str, prefix: &str) -> Self {
        let (method, prefix) = (method.to_string(), prefix.to_string());
        Matcher::new(move |r| {
            r.method == method
                && r.path
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        })
    }

    /// An Alibaba RPC-style call: `GET /` or `POST /` with parameter `Action=<action>` in the
    /// query or the form body.
    ///
    /// ```
    /// use credchain_emulator::{Matcher, RecordedRequest};
    /// let m = Matcher::rpc_action("AssumeRole");
    /// assert!(m.matches(&RecordedRequest::new("GET", "/?Action=AssumeRole&Format=JSON")));
    /// let post = RecordedRequest::new("POST", "/")
    ///     .with_header("content-type", "application/x-www-form-urlencoded")
    ///     .with_body("Action=AssumeRole");
    /// assert!(m.matches(&post));
    /// assert!(!m.matches(&RecordedRequest::new("GET", "/?Action=AssumeRoleWithOIDC")));
    /// ```
    pub fn rpc_action(action: &str) -> Self {
        let action = action.to_string();
        Matcher::new(move |r| {
            (r.is("GET") || r.is("POST"))
                && r.path == "/"
                && r.param("Action").is_some_and(|a| a == action)
        })
    }

    /// A Tencent API 3.0 call: `POST /` with header `X-TC-Action: <action>`.
    ///
    /// ```
    /// use credchain_emulator::{Matcher, RecordedRequest};
    /// let m = Matcher::tc3_action("AssumeRole");
    /// assert!(m.matches(&RecordedRequest::new("POST", "/").with_header("X-TC-Action", "AssumeRole")));
    /// assert!(!m.matches(&RecordedRequest::new("POST", "/")));
    /// ```
    pub fn tc3_action(action: &str) -> Self {
        let action = action.to_string();
        Matcher::new(move |r| {
            r.is("POST") && r.path == "/" && r.header("x-tc-action") == Some(action.as_str())
        })
    }

    /// Matches when both `self` and `other` match.
    pub fn and(self, other: Matcher) -> Self {
        Matcher::new(move |r| self.matches(r) && other.matches(r))
    }

    /// Whether this matcher accepts `request`.
    pub fn matches(&self, request: &RecordedRequest) -> bool {
        (self.0)(request)
    }
}

/// What a handler gets besides the request: the shared state, its route's name, and whether the
/// current request runs under [`crate::Fault::ExpiredCredentials`].
#[derive(Debug)]
pub struct RouteContext<'a> {
    state: &'a EmulatorState,
    route: &'a str,
    expired: bool,
}

impl<'a> RouteContext<'a> {
    /// A context for calling a handler directly (tests of handlers without a server).
    pub fn new(state: &'a EmulatorState, route: &'a str, expired: bool) -> Self {
        RouteContext {
            state,
            route,
            expired,
        }
    }

    /// The emulator state.
    pub fn state(&self) -> &'a EmulatorState {
        self.state
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> EmulatorConfig {
        self.state.config()
    }

    /// The name of the route handling the request.
    pub fn route_name(&self) -> &'a str {
        self.route
    }

    /// Whether credentials issued for this request must already be expired.
    pub fn expired_credentials(&self) -> bool {
        self.expired
    }

    /// Issues credentials for this route (expired when the fault says so) and counts them.
    pub fn issue_credentials(&self, cloud: Cloud) -> IssuedCredentials {
        self.state.issue(self.route, cloud, self.expired)
    }

    /// Issues credentials valid for `lifetime` (the request's `DurationSeconds`) instead of the
    /// configured lifetime; otherwise as [`RouteContext::issue_credentials`].
    pub fn issue_credentials_for(
        &self,
        cloud: Cloud,
        lifetime: std::time::Duration,
    ) -> IssuedCredentials {
        self.state
            .issue_for(self.route, cloud, lifetime, self.expired)
    }
}

/// A named endpoint: requests that its [`Matcher`] accepts are answered by its handler.
///
/// Faults ([`crate::Emulator::set_fault`]) and counters are keyed by the route's name.
///
/// ```
/// use credchain_emulator::{Matcher, Reply, Route};
/// let route = Route::new("test.hello", Matcher::method_path("GET", "/hello"), |_req, _ctx| {
///     Reply::text(200, "hello")
/// });
/// assert_eq!(route.name(), "test.hello");
/// ```
#[derive(Clone)]
pub struct Route {
    name: String,
    matcher: Matcher,
    handler: Arc<HandlerFn>,
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Route {
    /// A route. The handler runs on the server's runtime thread: it must not block.
    pub fn new(
        name: impl Into<String>,
        matcher: Matcher,
        handler: impl Fn(&RecordedRequest, &RouteContext<'_>) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Route {
            name: name.into(),
            matcher,
            handler: Arc::new(handler),
        }
    }

    /// The route's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The route's matcher.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Runs the handler.
    pub fn handle(&self, request: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
        (self.handler)(request, ctx)
    }
}

/// Routes in priority order: the first whose matcher accepts a request handles it.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    routes: Vec<Route>,
}

impl Registry {
    /// Adds `route`; a route with the same name is replaced in place (keeping its priority).
    pub(crate) fn add(&mut self, route: Route) {
        match self.routes.iter_mut().find(|r| r.name == route.name) {
            Some(slot) => *slot = route,
            None => self.routes.push(route),
        }
    }

    pub(crate) fn remove(&mut self, name: &str) -> bool {
        let before = self.routes.len();
        self.routes.retain(|r| r.name != name);
        before != self.routes.len()
    }

    pub(crate) fn find(&self, request: &RecordedRequest) -> Option<Route> {
        self.routes
            .iter()
            .find(|r| r.matcher.matches(request))
            .cloned()
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.routes.iter().map(|r| r.name.clone()).collect()
    }
}
