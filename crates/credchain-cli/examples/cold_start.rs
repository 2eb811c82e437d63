//! Cold start of a command: runs it many times, one after the other, and prints the median,
//! 90th percentile and maximum of its wall time and peak resident set size
//! (`benches/cold-start.sh` runs it on `credchain get`).
//!
//! ```text
//! cold_start --runs 200 -- target/release/credchain get --cloud alibaba
//! ```
//!
//! Wall time runs from just before the spawn to the reaping of the child; peak RSS is the
//! child's own `ru_maxrss` from `wait4`, so each run is measured separately. The child inherits
//! this process's environment; its output is discarded. Any run that fails stops the
//! measurement with its exit status.

use std::process::{Command, Stdio};
use std::time::Instant;

/// Wall time (µs) and peak RSS (KiB) of one run.
fn run_once(program: &str, args: &[String]) -> (u64, u64) {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits pid_t");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it for the child we spawned and
    // have not reaped (the `Child` handle is dropped without waiting).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(
        reaped,
        pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{program} failed (wait status {status}); run it by hand to see why"
    );
    drop(child);
    let wall_us = u64::try_from(wall.as_micros()).unwrap_or(u64::MAX);
    (wall_us, u64::try_from(usage.ru_maxrss).unwrap_or(0))
}

fn summary(values: &mut [u64]) -> (u64, u64, u64) {
    values.sort_unstable();
    let at =
        |p: f64| values[((values.len() as f64 * p).ceil() as usize).clamp(1, values.len()) - 1];
    (at(0.5), at(0.9), values[values.len() - 1])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args
        .iter()
        .position(|a| a == "--")
        .expect("usage: cold_start [--runs N] -- PROGRAM ARGS...");
    let runs: usize = match args[..split].iter().position(|a| a == "--runs") {
        Some(i) => args[i + 1].parse().expect("--runs must be a number"),
        None => 200,
    };
    let (program, rest) = args[split + 1..]
        .split_first()
        .expect("no program after --");
    // One run not counted: the binary's pages are then in the page cache, as for any later run.
    run_once(program, rest);
    let (mut walls, mut rss): (Vec<u64>, Vec<u64>) =
        (0..runs.max(1)).map(|_| run_once(program, rest)).unzip();
    let (w50, w90, wmax) = summary(&mut walls);
    let (r50, r90, rmax) = summary(&mut rss);
    println!(
        "runs={} wall_median_us={w50} wall_p90_us={w90} wall_max_us={wmax} \
         rss_median_kib={r50} rss_p90_kib={r90} rss_max_kib={rmax}",
        walls.len()
    );
}
