//! The `credchain` command.

mod call;
mod child_env;
mod cli;
mod color;
mod completions;
mod configure;
mod disk_cache;
mod doctor;
mod emulate;
mod error_text;
mod exec;
mod get;
mod output;
mod presign;
mod profiles;
mod region;
mod resolve;
mod sample;
mod serve;
mod whoami;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn init_logging(verbose: u8, long_running: bool) {
    let default = match verbose {
        // serve and emulate log each request at info.
        0 if long_running => "warn,credchain::serve=info,credchain::emulate=info",
        0 => "warn",
        1 => "credchain=debug",
        _ => "credchain=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color::stderr_may_use_ansi())
        .init();
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("credchain: error: {message}");
    ExitCode::FAILURE
}

/// Prints a library error (several lines for a chain that found nothing, see [`error_text`]).
fn fail_with(e: credchain::Error) -> ExitCode {
    fail(error_text::render(&e))
}

/// The runtime a command runs on. The servers (`serve`, `emulate`) answer many connections at
/// once and get two workers; every other command resolves credentials once, where nothing needs
/// parallelism, and runs on the calling thread: no worker threads to start and stop (issue #16,
/// BENCHMARKS.md "Cold start").
fn runtime_for(command: &Command) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match command {
        Command::Serve(_) | Command::Emulate(_) => {
            let mut multi = tokio::runtime::Builder::new_multi_thread();
            multi.worker_threads(2);
            multi
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    builder.enable_all().build()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(
        cli.verbose,
        matches!(cli.command, Command::Serve(_) | Command::Emulate(_)),
    );
    let runtime = match runtime_for(&cli.command) {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let mut stdout = std::io::stdout().lock();
    match &cli.command {
        Command::Get(args) => match runtime.block_on(get::run(args)) {
            Ok(text) => {
                let _ = stdout.write_all(text.as_bytes());
                ExitCode::SUCCESS
            }
            Err(e) => fail_with(e),
        },
        Command::Whoami(args) => match runtime.block_on(whoami::run(args)) {
            Ok(text) => {
                let _ = stdout.write_all(text.as_bytes());
                ExitCode::SUCCESS
            }
            Err(e) => fail_with(e),
        },
        Command::Profiles(args) => match profiles::run(args) {
            Ok((text, all_read)) => {
                let _ = stdout.write_all(text.as_bytes());
                if all_read {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(e) => fail_with(e),
        },
        Command::Configure(args) => match configure::run(args) {
            Ok(text) => {
                let _ = stdout.write_all(text.as_bytes());
                ExitCode::SUCCESS
            }
            Err(e) => fail_with(e),
        },
        Command::Call(cmd) => match runtime.block_on(call::run(cmd)) {
            Ok(text) => {
                let _ = stdout.write_all(text.as_bytes());
                ExitCode::SUCCESS
            }
            Err(e) => fail_with(e),
        },
        Command::Presign(cmd) => match runtime.block_on(presign::run(cmd)) {
            Ok(line) => {
                let _ = stdout.write_all(line.as_bytes());
                ExitCode::SUCCESS
            }
            Err(e) => fail_with(e),
        },
        Command::Doctor(args) => match runtime.block_on(doctor::run(args)) {
            Ok((text, resolved)) => {
                let _ = stdout.write_all(text.as_bytes());
                if resolved {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(e) => fail(format!("cannot start the emulator on loopback: {e}")),
        },
        Command::Exec(args) => runtime.block_on(exec::run(args)).unwrap_or_else(fail_with),
        Command::Serve(args) => match runtime.block_on(serve::run(args)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail_with(e),
        },
        Command::Emulate(args) => match runtime.block_on(emulate::run(args)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail_with(e),
        },
        Command::Completions(args) => {
            let _ = stdout.write_all(&completions::script(args));
            ExitCode::SUCCESS
        }
    }
}
