//! What the library's integration tests share (each test file that needs it says `mod common;`):
//! a context that sees only the variables a test gives it, a loopback port nobody listens on, and
//! a log writer that keeps what it is given. Each test binary uses only some of these, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use credchain::context::{proxy_settings, Context, MemoryEnv};
use credchain::http::ReqwestClient;

/// A context that sees only `env`: no process environment, no real files, and an HTTP client
/// whose proxy settings come from `env` alone (so a developer's proxy never carries a request to
/// the emulator).
pub fn context_with(env: MemoryEnv) -> Context {
    Context::empty()
        .with_http(ReqwestClient::new(proxy_settings(&env)))
        .with_env(env)
}

/// A loopback port nobody listens on: bound, then released (so almost certainly closed).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A log writer (`tracing_subscriber` `MakeWriter`) that appends every line to one buffer.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
