//! Everything the server tasks and the [`crate::Emulator`] handle share.

use std::collections::VecDeque;
use std::sync::{Mutex, RwLock};

use crate::fault::FaultTable;
use crate::request::RecordedRequest;
use crate::route::{Registry, Route};
use crate::state::{lock, EmulatorState};

/// How many requests are kept; older ones are forgotten first (bounds memory of a long-running
/// `credchain emulate`).
pub(crate) const MAX_RECORDED_REQUESTS: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) state: EmulatorState,
    routes: RwLock<Registry>,
    pub(crate) faults: Mutex<FaultTable>,
    requests: Mutex<VecDeque<RecordedRequest>>,
}

impl Shared {
    pub(crate) fn new(state: EmulatorState, routes: Vec<Route>) -> Self {
        let mut registry = Registry::default();
        routes.into_iter().for_each(|r| registry.add(r));
        Shared {
            state,
            routes: RwLock::new(registry),
            ..Default::default()
        }
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        let mut log = lock(&self.requests);
        if log.len() >= MAX_RECORDED_REQUESTS {
            log.pop_front();
        }
        log.push_back(request);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).iter().cloned().collect()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.requests).clear();
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
