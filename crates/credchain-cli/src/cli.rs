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
    /// Sign and send one API request with the resolved credentials; print the JSON response.
    #[command(subcommand)]
    Call(CallCommand),
    /// Print a presigned object URL (OSS or COS) signed with the resolved credentials.
    #[command(subcommand)]
    Presign(PresignCommand),
    /// Show every source of each cloud's default chain: configured or not, what it found, how long
    /// it took, and which one wins.
    Doctor(DoctorArgs),
    /// Run a command with the resolved credentials in the cloud's own environment variables.
    Exec(ExecArgs),
    /// Serve the resolved credentials on loopback for other processes (credentials-URI format).
    Serve(ServeArgs),
    /// Run the built-in emulator (STS, instance metadata, credentials URI) on loopback.
    Emulate(EmulateArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
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
    /// The JSON aliyun-cli's `External` profile mode reads from its `process_command`
    /// (`mode`, `access_key_id`, `access_key_secret`, `sts_token`, `expiration`).
    AliyunExternal,
}

/// `credchain get`.
#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The cloud.
    #[arg(long, value_enum)]
    pub cloud: Cloud,
    /// Use this profile's source directly, even when the environment holds keys (Alibaba: a
    /// profile of ~/.aliyun/config.json, else a section of ~/.alibabacloud/credentials.ini;
    /// Tencent: a section of the credentials file, else ~/.tccli/<profile>.credential). A profile
    /// that does not exist is an error.
    /// (ALIBABA_CLOUD_PROFILE / TENCENTCLOUD_PROFILE keep the default chain's order instead.)
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON credential config: a file path, or the JSON itself when it starts with '{'
    /// (Alibaba: alibabacloud_credentials Config fields and types; Tencent: {"type": "credential" |
    /// "env" | "profile" | ..., ...}). Never echoed in errors. Default: the default chain.
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

/// `credchain call alibaba|tencent`.
#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// An Alibaba Cloud OpenAPI call (RPC signature v1 by default, or ACS3 with --style acs3).
    Alibaba(AlibabaCallArgs),
    /// A Tencent Cloud API 3.0 call (TC3-HMAC-SHA256).
    Tencent(TencentCallArgs),
}

/// Alibaba request styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// RPC signature v1: GET with the signed query.
    Rpc,
    /// OpenAPI V3 (ACS3-HMAC-SHA256): POST with the `Authorization` header.
    Acs3,
}

/// What both clouds' calls share.
#[derive(Debug, clap::Args)]
pub struct CommonCallArgs {
    /// API action, e.g. DescribeRegions.
    #[arg(long)]
    pub action: String,
    /// API version, e.g. 2014-05-26.
    #[arg(long)]
    pub version: String,
    /// Endpoint: a host (https) or a full URL such as http://127.0.0.1:8080.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Profile name, as for `get` (selects that profile's source directly).
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON credential config (a file path, or inline JSON starting with `{`), as for `get`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Send nothing; print the canonical request, the string to sign and the signed request
    /// (signature shown, secrets and tokens redacted).
    #[arg(long)]
    pub dry_run: bool,
}

/// `credchain call alibaba`.
#[derive(Debug, clap::Args)]
pub struct AlibabaCallArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonCallArgs,
    /// Signature style.
    #[arg(long, value_enum, default_value = "rpc")]
    pub style: Style,
    /// Fixed timestamp, YYYY-MM-DDThh:mm:ssZ (for reproducible dry runs).
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Fixed signature nonce (for reproducible dry runs).
    #[arg(long)]
    pub nonce: Option<String>,
    /// API parameters as Key=Value (split at the first `=`; `Key=` sends an empty value).
    #[arg(value_name = "KEY=VALUE")]
    pub params: Vec<String>,
}

/// `credchain call tencent`.
#[derive(Debug, clap::Args)]
pub struct TencentCallArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonCallArgs,
    /// Service, e.g. cvm (also the default host `<service>.tencentcloudapi.com`).
    #[arg(long)]
    pub service: String,
    /// Region, e.g. ap-guangzhou (omit for global APIs).
    #[arg(long)]
    pub region: Option<String>,
    /// JSON request body (default `{}`).
    #[arg(long)]
    pub body: Option<String>,
    /// Fixed Unix timestamp in seconds (for reproducible dry runs).
    #[arg(long)]
    pub timestamp: Option<i64>,
}

/// `credchain presign alibaba|tencent`.
#[derive(Debug, Subcommand)]
pub enum PresignCommand {
    /// An Alibaba Cloud OSS object URL (signature V4 by default, or V1).
    #[command(after_help = "Examples:
  credchain presign alibaba --bucket examplebucket --key dir/file.txt --region cn-hangzhou
  credchain presign alibaba --bucket examplebucket --key up.bin --region cn-hangzhou --method PUT --expires 600
  credchain presign alibaba --bucket examplebucket --key a.txt --region cn-hangzhou --signature-version v1 \\
      --timestamp 2025-01-01T12:00:00Z --profile dev
  credchain presign alibaba --bucket b --key a.txt --region cn-hangzhou --endpoint http://127.0.0.1:8080")]
    Alibaba(AlibabaPresignArgs),
    /// A Tencent Cloud COS object URL (q-sign-algorithm=sha1).
    #[command(after_help = "Examples:
  credchain presign tencent --bucket examplebucket-1250000000 --key dir/file.txt --region ap-guangzhou
  credchain presign tencent --bucket examplebucket-1250000000 --key up.bin --region ap-guangzhou --method PUT
  credchain presign tencent --bucket examplebucket-1250000000 --key a.txt --region ap-guangzhou \\
      --endpoint cos.accelerate.myqcloud.com --timestamp 1735732800")]
    Tencent(TencentPresignArgs),
}

/// What both clouds' presign commands share.
#[derive(Debug, clap::Args)]
pub struct CommonPresignArgs {
    /// Bucket name (Tencent: with its APPID suffix, e.g. examplebucket-1250000000).
    #[arg(long)]
    pub bucket: String,
    /// Object key, as stored (not URL-encoded), e.g. "dir/my file.txt".
    #[arg(long)]
    pub key: String,
    /// Region id, e.g. cn-hangzhou or ap-guangzhou.
    #[arg(long)]
    pub region: String,
    /// Service host replacing the region-derived one (the bucket stays a sub-domain), or a full
    /// http://IP:PORT URL for a path-style URL on that host (e.g. `credchain emulate`).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// The HTTP method the URL is for.
    #[arg(long, default_value = "GET", ignore_case = true,
          value_parser = ["GET", "PUT", "HEAD", "DELETE"])]
    pub method: String,
    /// Validity in seconds (OSS V4: at most 604800).
    #[arg(long, default_value_t = 3600)]
    pub expires: u64,
    /// Signing time, RFC 3339 (2025-01-01T12:00:00Z) or Unix seconds; default now. With it the
    /// output is reproducible and equals the official SDK's URL at that time.
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Profile name, as for `get`.
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON credential config, as for `get`.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// OSS signature versions for presigned URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OssSignatureVersion {
    /// `OSSAccessKeyId`, `Expires`, `Signature` (HMAC-SHA1).
    V1,
    /// `x-oss-signature-version=OSS4-HMAC-SHA256`, region scoped.
    V4,
}

/// `credchain presign alibaba`.
#[derive(Debug, clap::Args)]
pub struct AlibabaPresignArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonPresignArgs,
    /// OSS signature version.
    #[arg(long, value_enum, default_value = "v4")]
    pub signature_version: OssSignatureVersion,
}

/// `credchain presign tencent`.
#[derive(Debug, clap::Args)]
pub struct TencentPresignArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonPresignArgs,
}

/// `credchain exec`.
#[derive(Debug, clap::Args)]
pub struct ExecArgs {
    /// The cloud whose credentials and variable names to use.
    #[arg(long, value_enum)]
    pub cloud: Cloud,
    /// Profile name, as for `get`.
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON credential config (a file path, or inline JSON starting with `{`), as for `get`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The command and its arguments (after `--`).
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true,
          value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

/// `credchain serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The cloud.
    #[arg(long, value_enum)]
    pub cloud: Cloud,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Allow a non-loopback --listen address (anyone who can reach it and knows the path gets
    /// the credentials).
    #[arg(long)]
    pub allow_non_loopback: bool,
    /// Profile name, as for `get`.
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON credential config (a file path, or inline JSON starting with `{`), as for `get`.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `credchain emulate`.
#[derive(Debug, clap::Args)]
pub struct EmulateArgs {
    /// Emulator setup: roles, accepted keys and faults (TOML, or JSON for a `.json` file).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Loopback address to listen on (default: the file's `listen`, else 127.0.0.1:0).
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
}

/// `credchain completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
