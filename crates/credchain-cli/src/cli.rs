//! Command-line definitions.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Resolve, inspect and use Alibaba Cloud and Tencent Cloud credentials.
#[derive(Debug, Parser)]
#[command(name = "credchain", version, about, long_about = None)]
pub struct Cli {
    /// More log output on stderr (-v: debug, -vv: trace). RUST_LOG also works. Never shows secrets.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resolve credentials and print them.
    Get(GetArgs),
    /// Show every source of each cloud's default chain: configured or not, what it found, how long
    /// it took, and which one wins.
    Doctor(DoctorArgs),
}

/// Which cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cloud {
    /// Alibaba Cloud (`ALIBABA_CLOUD_*`, ~/.aliyun, ~/.alibabacloud).
    Alibaba,
    /// Tencent Cloud (`TENCENTCLOUD_*`, ~/.tencentcloud).
    Tencent,
}

impl Cloud {
    /// The display name.
    pub fn title(self) -> &'static str {
        match self {
            Cloud::Alibaba => "Alibaba Cloud",
            Cloud::Tencent => "Tencent Cloud",
        }
    }
}

/// Output formats of `get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object; secrets included (that is its job).
    Json,
    /// Shell `export` lines in the cloud's own variable names; secrets included.
    Env,
    /// A human table; secrets redacted. The default on a terminal.
    Table,
}

/// `credchain get`.
#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The cloud.
    #[arg(long, value_enum)]
    pub cloud: Cloud,
    /// Profile name (sets ALIBABA_CLOUD_PROFILE / TENCENTCLOUD_PROFILE for this run).
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON credential config (Alibaba: alibabacloud_credentials Config fields and types;
    /// Tencent: {"type": "credential" | "env" | "profile" | ..., ...}). Default: the default chain.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// `credchain doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Only this cloud (default: both).
    #[arg(long, value_enum)]
    pub cloud: Option<Cloud>,
    /// Start the built-in emulator on loopback, point every endpoint at it, and run the chains
    /// against a sample setup, so every source can be seen working offline.
    #[arg(long)]
    pub emulator: bool,
}
