//! What the server tasks and the [`crate::Emulator`] handle share: the handlers' state, the
//! routes, the faults and the request log.

use std::sync::{Mutex, RwLock};

use crate::fault::FaultTable;
use crate::request::RecordedRequest;
use crate::request_log::RequestLog;
use crate::route::{Registry, Route};
use crate::state::EmulatorState;

#[derive(Debug, Default)]
pub(crate) struct ServerState {
    pub(crate) state: EmulatorState,
    routes: RwLock<Registry>,
    pub(crate) faults: Mutex<FaultTable>,
    requests: RequestLog,
}

impl ServerState {
    pub(crate) fn new(state: EmulatorState, routes: Vec<Route>) -> Self {
        let mut registry = Registry::default();
        routes.into_iter().for_each(|r| registry.add(r));
        ServerState {
            state,
            routes: RwLock::new(registry),
            ..Default::default()
        }
    }

    pub(crate) fn record(&self, request: &RecordedRequest) {
        self.requests.record(request);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.all()
    }

    pub(crate) fn requests_after(&self, seen: u64) -> (Vec<RecordedRequest>, u64) {
        self.requests.after(seen)
    }

    pub(crate) fn clear_requests(&self) {
        self.requests.clear();
    }

    pub(crate) fn find_route(&self, request: &RecordedRequest) -> Option<Route> {
        self.routes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .find(request)
    }

    pub(crate) fn with_routes<T>(&self, f: impl FnOnce(&mut Registry) -> T) -> T {
        f(&mut self.routes.write().unwrap_or_else(|e| e.into_inner()))
    }
}
