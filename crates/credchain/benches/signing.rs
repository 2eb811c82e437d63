//! Signing benchmarks (placeholder, filled in next commit).
fn main() {}
