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
    #[command(after_help = GET_HELP)]
    Get(GetArgs),
    /// Resolve credentials and ask STS GetCallerIdentity whom they belong to.
    #[command(after_help = WHOAMI_HELP)]
    Whoami(WhoamiArgs),
    /// List every profile of every file the cloud reads (no secrets shown).
    #[command(after_help = PROFILES_HELP)]
    Profiles(ProfilesArgs),
    /// Write a profile in the cloud's own credentials file and format.
    #[command(after_help = CONFIGURE_HELP)]
    Configure(Box<ConfigureArgs>),
    /// Sign and send one API request with the resolved credentials; print the JSON response.
    #[command(subcommand)]
    Call(CallCommand),
    /// Print a presigned object URL (OSS or COS) signed with the resolved credentials.
    #[command(subcommand)]
    Presign(PresignCommand),
    /// Show every source of each cloud's default chain: configured or not, what it found, how long
    /// it took, and which one wins.
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),
    /// Run a command with the resolved credentials in the cloud's own environment variables.
    #[command(after_help = EXEC_HELP)]
    Exec(ExecArgs),
    /// Serve the resolved credentials on loopback for other processes (credentials-URI format).
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Run the built-in emulator (STS, instance metadata, credentials URI) on loopback.
    #[command(after_help = EMULATE_HELP)]
    Emulate(EmulateArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  credchain completions bash > ~/.local/share/bash-completion/completions/credchain
  credchain completions zsh > \"${fpath[1]}/_credchain\"
  credchain completions fish > ~/.config/fish/completions/credchain.fish

Environment: none.

Exit status:
  0  the script was printed
  2  invalid command-line arguments")]
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
        credchain::Cloud::from(self).title()
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
    /// The shell syntax of `--format env` (posix: `export N='v'`; fish: `set -gx N 'v'`;
    /// powershell: `$Env:N = 'v'`).
    #[arg(long, value_enum, default_value = "posix")]
    pub shell: Shell,
    /// The on-disk credentials cache.
    #[command(flatten)]
    pub cache: CacheArgs,
}

/// Where `whoami` and `call` take their credentials from: a profile or a JSON config (as `get`
/// reads them), else the default chain.
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// Profile name, as for `get` (selects that profile's source directly).
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON credential config: a file path, or the JSON itself when it starts with '{', as for
    /// `get`.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// The opt-in on-disk cache of temporary credentials (`crate::disk_cache`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CacheArgs {
    /// Reuse temporary credentials from an owner-only file in the cache directory until 15
    /// minutes before they expire (at most half their lifetime), so short-lived runs do not call
    /// STS each time. Permanent AccessKeys are never written. Directory: CREDCHAIN_CACHE_DIR,
    /// else $XDG_CACHE_HOME/credchain, else ~/.cache/credchain.
    #[arg(long)]
    pub cache: bool,
    /// Turn the cache on with this directory (created 0700 when missing); implies --cache and
    /// overrides CREDCHAIN_CACHE_DIR (which also turns the cache on by itself).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// The shell `get --format env` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// sh, bash, zsh, dash, ksh: `export NAME='value'` / `unset NAME`.
    Posix,
    /// fish: `set -gx NAME 'value'` / `set -e NAME`.
    Fish,
    /// PowerShell: `$Env:NAME = 'value'` / `Remove-Item Env:NAME`.
    Powershell,
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
    /// Diagnose this profile (the source `get --profile P` uses) instead of the default chain.
    #[arg(long, requires = "cloud")]
    pub profile: Option<String>,
    /// Output format (default: table).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

/// `credchain call alibaba|tencent`.
#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// An Alibaba Cloud OpenAPI call (RPC signature v1 by default, or ACS3 with --style acs3).
    #[command(after_help = CALL_ALIBABA_HELP)]
    Alibaba(AlibabaCallArgs),
    /// A Tencent Cloud API 3.0 call (TC3-HMAC-SHA256).
    #[command(after_help = CALL_TENCENT_HELP)]
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
    /// Endpoint: a host (https) or a URL such as http://127.0.0.1:8080 (no path or query).
    /// Alibaba: required unless --product is given.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Where the credentials come from.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Send nothing; print the canonical request, the string to sign and the signed request
    /// (signature shown, secrets and tokens redacted).
    #[arg(long)]
    pub dry_run: bool,
    /// The on-disk credentials cache, as for `get`.
    #[command(flatten)]
    pub cache: CacheArgs,
}

/// `credchain call alibaba`.
#[derive(Debug, clap::Args)]
pub struct AlibabaCallArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonCallArgs,
    /// Product code for the host rule `<product>.<region>.aliyuncs.com` (e.g. ecs, vpc, sts);
    /// ram, sts, resourcemanager and cdn use their central host `<product>.aliyuncs.com`.
    /// Ignored with --endpoint.
    #[arg(long)]
    pub product: Option<String>,
    /// Region id, e.g. cn-hangzhou (default: the profile's region_id in aliyun-cli's
    /// config.json). Also sent as RegionId unless a RegionId=... parameter is given.
    #[arg(long)]
    pub region: Option<String>,
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
    /// Region, e.g. ap-guangzhou (default: TENCENTCLOUD_REGION; omit both for global APIs).
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
  credchain presign alibaba --bucket b --key a.txt --region cn-hangzhou --endpoint http://127.0.0.1:8080

Environment:
  The Alibaba default chain's variables (ALIBABA_CLOUD_*; see `credchain doctor --help`).
  CREDCHAIN_CACHE_DIR, XDG_CACHE_HOME: the credentials cache (see `credchain get --help`).

Exit status:
  0  the URL was printed
  1  no credentials, a configuration error, or invalid input (bucket, key, region, endpoint, time)
  2  invalid command-line arguments")]
    Alibaba(AlibabaPresignArgs),
    /// A Tencent Cloud COS object URL (q-sign-algorithm=sha1).
    #[command(after_help = "Examples:
  credchain presign tencent --bucket examplebucket-1250000000 --key dir/file.txt --region ap-guangzhou
  credchain presign tencent --bucket examplebucket-1250000000 --key up.bin --region ap-guangzhou --method PUT
  credchain presign tencent --bucket examplebucket-1250000000 --key a.txt --region ap-guangzhou \\
      --endpoint cos.accelerate.myqcloud.com --timestamp 1735732800

Environment:
  The Tencent default chain's variables (TENCENTCLOUD_*, TKE_*; see `credchain doctor --help`).
  CREDCHAIN_CACHE_DIR, XDG_CACHE_HOME: the credentials cache (see `credchain get --help`).

Exit status:
  0  the URL was printed
  1  no credentials, a configuration error, or invalid input (bucket, key, region, endpoint, time)
  2  invalid command-line arguments")]
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
    /// The on-disk credentials cache, as for `get`.
    #[command(flatten)]
    pub cache: CacheArgs,
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
    /// The on-disk credentials cache, as for `get`.
    #[command(flatten)]
    pub cache: CacheArgs,
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
    /// The protocol to answer in (Alibaba only; default credentials-uri). ecs-metadata: the ECS
    /// metadata service (token PUT, role listing, credentials) for clients that read
    /// ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT. Tencent is always the CVM metadata shape.
    #[arg(long, value_enum)]
    pub shape: Option<ServeShape>,
    /// Most connections open at once; at the limit, the connection that has waited longest
    /// without a request is closed to make room.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub max_connections: u64,
    /// Seconds a new connection has to send its request headers.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Seconds a keep-alive connection may stay idle between requests.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,
}

/// What `serve` answers like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServeShape {
    /// Alibaba's credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`); Tencent's CVM metadata.
    CredentialsUri,
    /// Alibaba's ECS metadata service (`ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT`).
    EcsMetadata,
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

const WHOAMI_HELP: &str = "Examples:
  credchain whoami --cloud alibaba
  credchain whoami --cloud alibaba --profile ops --format json
  credchain whoami --cloud tencent --config '{\"type\": \"profile\", \"profile\": \"dev\"}'
  credchain whoami --cloud tencent --endpoint http://127.0.0.1:8080   # e.g. `credchain emulate`

Environment:
  The credential variables of the cloud's default chain (ALIBABA_CLOUD_* / TENCENTCLOUD_*; see
  `credchain doctor`), plus:
  ALIBABA_CLOUD_STS_ENDPOINT, ALIBABA_CLOUD_STS_REGION, ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED
      Alibaba STS host (default sts.aliyuncs.com)
  TENCENTCLOUD_STS_ENDPOINT   Tencent STS host or URL (default sts.tencentcloudapi.com)
  TENCENTCLOUD_REGION         region sent to Tencent STS (default ap-guangzhou)
  CREDCHAIN_CACHE_DIR, XDG_CACHE_HOME: the credentials cache (see `credchain get --help`).
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY

Exit status:
  0  the identity was printed
  1  no credentials, a configuration error, or STS refused or could not be reached (the error
     names the provider, endpoint, HTTP status, service code and request id)
  2  invalid command-line arguments";

/// Output formats of `whoami`, `profiles` and `doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Labelled lines. The default on a terminal.
    Table,
    /// One JSON object: cloud, account_id, arn, user_id, principal_id, identity_type, provider,
    /// request_id.
    Json,
}

/// `credchain whoami`.
#[derive(Debug, clap::Args)]
pub struct WhoamiArgs {
    /// The cloud.
    #[arg(long, value_enum)]
    pub cloud: Cloud,
    /// Where the credentials come from.
    #[command(flatten)]
    pub source: SourceArgs,
    /// The STS endpoint: a host (https) or a URL such as http://127.0.0.1:8080 (default: the
    /// STS environment variables below, else the cloud's public STS host).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// The on-disk credentials cache, as for `get`.
    #[command(flatten)]
    pub cache: CacheArgs,
}

const PROFILES_HELP: &str = "Examples:
  credchain profiles --cloud alibaba
  credchain profiles --cloud tencent --format json

Files read (the first existing one of each group, as the default chain reads them):
  Alibaba: ALIBABA_CLOUD_CONFIG_FILE, else ~/.aliyun/config.json (aliyun-cli; `current` marks the
           default); ALIBABA_CLOUD_CREDENTIALS_FILE, else ~/.alibabacloud/credentials.ini, else
           ~/.alibabacloud/credentials
  Tencent: TENCENTCLOUD_CREDENTIALS_FILE, else ~/.tencentcloud/credentials, else
           /etc/tencentcloud/credentials

Environment:
  ALIBABA_CLOUD_PROFILE, TENCENTCLOUD_PROFILE   the profile marked current (else config.json's
                                                `current`, or `default`)
  HOME                                          where ~ is

Exit status:
  0  every file that exists was read
  1  a file exists but cannot be read or parsed (it is listed with the error; the others too)
  2  invalid command-line arguments";

/// `credchain profiles`.
#[derive(Debug, clap::Args)]
pub struct ProfilesArgs {
    /// The cloud.
    #[arg(long, value_enum)]
    pub cloud: Cloud,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

const DOCTOR_HELP: &str = "Examples:
  credchain doctor
  credchain doctor --cloud alibaba --profile ops
  credchain doctor --format json
  credchain doctor --emulator          # every source working against the built-in emulator

Environment:
  Everything the default chains read: ALIBABA_CLOUD_* (ACCESS_KEY_ID, ACCESS_KEY_SECRET,
  SECURITY_TOKEN, ROLE_ARN, OIDC_PROVIDER_ARN, OIDC_TOKEN_FILE, PROFILE, CONFIG_FILE,
  CREDENTIALS_FILE, CLI_PROFILE_DISABLED, ECS_METADATA, ECS_METADATA_DISABLED,
  ECS_METADATA_SERVICE_ENDPOINT, CREDENTIALS_URI, STS_ENDPOINT, STS_REGION, ...) and
  TENCENTCLOUD_* (SECRET_ID, SECRET_KEY, SESSION_TOKEN, PROFILE, CREDENTIALS_FILE,
  METADATA_DISABLED, METADATA_ENDPOINT, STS_ENDPOINT), TKE_*, HOME, HTTPS_PROXY/NO_PROXY.
  Off a cloud instance the metadata probes cost about one second (both clouds in parallel);
  set ALIBABA_CLOUD_ECS_METADATA_DISABLED=true / TENCENTCLOUD_METADATA_DISABLED=true to skip them.

Exit status:
  0  every diagnosed chain (or profile) resolves
  1  a chain or profile does not resolve (the report says why), or the emulator cannot start
  2  invalid command-line arguments (--profile needs --cloud)";

const CONFIGURE_HELP: &str = "Examples:
  credchain configure --cloud alibaba --profile dev --mode AK --access-key-id LTAI5t...   # secret asked
  credchain configure --cloud alibaba --profile ops --mode RamRoleArn --access-key-id LTAI5t... \\
      --ram-role-arn acs:ram::123456789012:role/ops --region-id cn-hangzhou --set-current
  credchain configure --cloud alibaba --profile ci --mode External --process-command 'credchain get --cloud alibaba --format aliyun-external'
  credchain configure --cloud tencent --profile default --mode keys --secret-id AKID...
  credchain configure --cloud tencent --profile dev --mode role --secret-id AKID... \\
      --role-arn qcs::cam::uin/100000000001:roleName/dev

Modes and their keys (required, [optional]):
  Alibaba (aliyun-cli config.json; every mode also takes [--region-id]):
    AK                   --access-key-id --access-key-secret
    StsToken             --access-key-id --access-key-secret --sts-token
    RamRoleArn           --access-key-id --access-key-secret --ram-role-arn [--ram-session-name]
    EcsRamRole           [--ram-role-name]
    OIDC                 --ram-role-arn --oidc-provider-arn --oidc-token-file [--ram-session-name]
    ChainableRamRoleArn  --source-profile --ram-role-arn [--ram-session-name]
    CredentialsURI       --credentials-uri
    External             --process-command
  Tencent (credentials file):
    keys                 --secret-id --secret-key [--token]
    role                 --secret-id --secret-key --role-arn [--role-session-name]
A required key not given is asked for on the terminal (secrets without echo); without a terminal
it is an error. Prefer the prompt to secret flags, which other local users may see in `ps`.

Environment:
  ALIBABA_CLOUD_CONFIG_FILE       the file to write (default ~/.aliyun/config.json)
  TENCENTCLOUD_CREDENTIALS_FILE   the file to write (default ~/.tencentcloud/credentials)
  HOME                            where ~ is

The file is written under a lock, replaced atomically and left owner-only (0600); every other
profile, key and comment in it is kept.

Exit status:
  0  the profile was written
  1  a field is missing or invalid, or the file cannot be read, parsed or written (nothing is
     written then)
  2  invalid command-line arguments";

/// `credchain configure`.
#[derive(Debug, clap::Args)]
pub struct ConfigureArgs {
    /// The cloud.
    #[arg(long, value_enum)]
    pub cloud: Cloud,
    /// The profile (section) name; created or updated.
    #[arg(long)]
    pub profile: String,
    /// The mode (Alibaba: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn,
    /// CredentialsURI, External; Tencent: keys, role).
    #[arg(long)]
    pub mode: String,
    /// Make it config.json's `current` profile (Alibaba).
    #[arg(long)]
    pub set_current: bool,
    /// Alibaba access_key_id.
    #[arg(long, help_heading = "Alibaba keys")]
    pub access_key_id: Option<String>,
    /// Alibaba access_key_secret (asked without echo when omitted).
    #[arg(long, help_heading = "Alibaba keys")]
    pub access_key_secret: Option<String>,
    /// Alibaba sts_token (asked without echo when omitted).
    #[arg(long, help_heading = "Alibaba keys")]
    pub sts_token: Option<String>,
    /// Alibaba ram_role_arn.
    #[arg(long, help_heading = "Alibaba keys")]
    pub ram_role_arn: Option<String>,
    /// Alibaba ram_session_name.
    #[arg(long, help_heading = "Alibaba keys")]
    pub ram_session_name: Option<String>,
    /// Alibaba ram_role_name (EcsRamRole; default: the instance's role).
    #[arg(long, help_heading = "Alibaba keys")]
    pub ram_role_name: Option<String>,
    /// Alibaba oidc_provider_arn.
    #[arg(long, help_heading = "Alibaba keys")]
    pub oidc_provider_arn: Option<String>,
    /// Alibaba oidc_token_file.
    #[arg(long, help_heading = "Alibaba keys")]
    pub oidc_token_file: Option<String>,
    /// Alibaba source_profile (ChainableRamRoleArn).
    #[arg(long, help_heading = "Alibaba keys")]
    pub source_profile: Option<String>,
    /// Alibaba credentials_uri.
    #[arg(long, help_heading = "Alibaba keys")]
    pub credentials_uri: Option<String>,
    /// Alibaba process_command (External).
    #[arg(long, help_heading = "Alibaba keys")]
    pub process_command: Option<String>,
    /// Alibaba region_id.
    #[arg(long, help_heading = "Alibaba keys")]
    pub region_id: Option<String>,
    /// Tencent secret_id.
    #[arg(long, help_heading = "Tencent keys")]
    pub secret_id: Option<String>,
    /// Tencent secret_key (asked without echo when omitted).
    #[arg(long, help_heading = "Tencent keys")]
    pub secret_key: Option<String>,
    /// Tencent token (temporary keys).
    #[arg(long, help_heading = "Tencent keys")]
    pub token: Option<String>,
    /// Tencent role_arn.
    #[arg(long, help_heading = "Tencent keys")]
    pub role_arn: Option<String>,
    /// Tencent role_session_name.
    #[arg(long, help_heading = "Tencent keys")]
    pub role_session_name: Option<String>,
}

const GET_HELP: &str = "Examples:
  credchain get --cloud alibaba
  credchain get --cloud tencent --profile dev --format json
  credchain get --cloud alibaba --config ./ram-role.json --format env
  credchain get --cloud alibaba --config '{\"type\": \"access_key\", \"access_key_id\": \"LTAI...\", ...}'
  credchain get --cloud alibaba --format aliyun-external   # as aliyun-cli's External process_command
  credchain get --cloud alibaba --profile ops --cache --format aliyun-external   # STS once an hour
  eval \"$(credchain get --cloud alibaba --format env)\"
  credchain get --cloud tencent --format env --shell fish | source
  credchain get --cloud alibaba --format env --shell powershell | Invoke-Expression

--format env sets the keys, the token (or unsets it), the expiry as RFC 3339 UTC
(ALIBABA_CLOUD_CREDENTIALS_EXPIRATION / TENCENTCLOUD_CREDENTIALS_EXPIRATION; unset when the
credentials do not expire) and the region when known (ALIBABA_CLOUD_REGION_ID from the
environment or the aliyun-cli profile's region_id; TENCENTCLOUD_REGION from the environment).

--config takes a path to a JSON file, or the JSON itself when the argument starts with '{'.

--cache keeps temporary credentials (those with an expiry) in an owner-only file per profile and
source and reuses them until 15 minutes before they expire (at most half their lifetime); then
they are fetched anew. Credentials without an expiry (permanent AccessKeys) are never written.
A cache file that is not a private regular file of yours, or not a valid entry, is not used: a
warning names it and it is replaced.

Environment:
  Everything the cloud's default chain reads (ALIBABA_CLOUD_* / TENCENTCLOUD_*, TKE_*; see
  `credchain doctor --help`), HOME, HTTPS_PROXY/HTTP_PROXY/NO_PROXY for STS and metadata calls.
  CREDCHAIN_CACHE_DIR   turns the cache on with this directory (absolute; --cache-dir wins)
  XDG_CACHE_HOME        --cache's directory is $XDG_CACHE_HOME/credchain, else ~/.cache/credchain

Exit status:
  0  credentials were printed
  1  no credentials, a configuration error, a source failed (the error names it), or the
     cache directory is unusable (the error names the setting)
  2  invalid command-line arguments";

const CALL_ALIBABA_HELP: &str = "Examples:
  credchain call alibaba --product ecs --region cn-hangzhou --action DescribeRegions --version 2014-05-26
  credchain call alibaba --product sts --action GetCallerIdentity --version 2015-04-01
  credchain call alibaba --endpoint ecs.cn-hangzhou.aliyuncs.com --action DescribeInstances \\
      --version 2014-05-26 --style acs3 PageSize=10
  credchain call alibaba --endpoint http://127.0.0.1:8080 --action DescribeRegions --version 2014-05-26 --dry-run

Host: --endpoint, else <product>.<region>.aliyuncs.com (ram, sts, resourcemanager, cdn:
<product>.aliyuncs.com). Region: --region, else region_id of the aliyun-cli profile in use.
Neither --endpoint nor --product is an error; an endpoint with a path or query is refused.

Environment:
  The Alibaba default chain's variables (ALIBABA_CLOUD_*; see `credchain doctor --help`);
  ALIBABA_CLOUD_CONFIG_FILE / ALIBABA_CLOUD_PROFILE also for the profile's region_id;
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY.
  CREDCHAIN_CACHE_DIR, XDG_CACHE_HOME: the credentials cache (see `credchain get --help`).

Exit status:
  0  the API answered with success; its JSON is printed
  1  no credentials, invalid arguments or endpoint, or the API answered an error (code,
     message and request id are shown)
  2  invalid command-line arguments";

const CALL_TENCENT_HELP: &str = "Examples:
  credchain call tencent --service cvm --region ap-guangzhou --action DescribeInstances --version 2017-03-12
  credchain call tencent --service sts --action GetCallerIdentity --version 2018-08-13
  credchain call tencent --service cvm --action DescribeInstances --version 2017-03-12 \\
      --body '{\"Limit\": 10}' --endpoint http://127.0.0.1:8080 --dry-run

Host: --endpoint, else <service>.tencentcloudapi.com. Region: --region, else
TENCENTCLOUD_REGION (none for global APIs). An endpoint with a path or query is refused.

Environment:
  The Tencent default chain's variables (TENCENTCLOUD_*, TKE_*; see `credchain doctor --help`);
  TENCENTCLOUD_REGION; HTTPS_PROXY, HTTP_PROXY, NO_PROXY.
  CREDCHAIN_CACHE_DIR, XDG_CACHE_HOME: the credentials cache (see `credchain get --help`).

Exit status:
  0  the API answered without Response.Error; its JSON is printed
  1  no credentials, invalid arguments or endpoint, or the API answered an error (code,
     message and request id are shown)
  2  invalid command-line arguments";

const EXEC_HELP: &str = "Examples:
  credchain exec --cloud alibaba -- aliyun ecs DescribeRegions
  credchain exec --cloud tencent --profile dev -- tccli cvm DescribeInstances
  credchain exec --cloud alibaba --config ./ram-role.json -- python app.py

The child gets ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/SECURITY_TOKEN (Alibaba) or
TENCENTCLOUD_SECRET_ID/_SECRET_KEY/_SESSION_TOKEN/_TOKEN (Tencent); stale ones are removed.
It also gets the expiry as RFC 3339 UTC (ALIBABA_CLOUD_CREDENTIALS_EXPIRATION /
TENCENTCLOUD_CREDENTIALS_EXPIRATION, removed when the credentials do not expire) and the region
when known (ALIBABA_CLOUD_REGION_ID / TENCENTCLOUD_REGION, from the environment or, for Alibaba,
the aliyun-cli profile's region_id).

--cache / --cache-dir / CREDCHAIN_CACHE_DIR reuse temporary credentials across runs, as for
`credchain get` (see its help).

Environment:
  The cloud's default chain variables (see `credchain doctor --help`); --config takes a path or
  inline JSON starting with '{'. CREDCHAIN_CACHE_DIR and XDG_CACHE_HOME, as for `get`.

Exit status:
  the child's exit status, or 128 + the signal that killed it
  1    no credentials or a configuration error (the command is not started)
  126  the command could not be started; 127  the command was not found
  2    invalid command-line arguments";

const SERVE_HELP: &str = "Examples:
  credchain serve --cloud alibaba     # prints export ALIBABA_CLOUD_CREDENTIALS_URI=...
  credchain serve --cloud alibaba --shape ecs-metadata
                                      # prints export ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT=...
  credchain serve --cloud tencent     # prints export TENCENTCLOUD_METADATA_ENDPOINT=...
  credchain serve --cloud tencent --listen 127.0.0.1:8700 --profile dev

Environment:
  The cloud's default chain variables (see `credchain doctor --help`); RUST_LOG for the request
  log. --config takes a path or inline JSON starting with '{'.

Exit status:
  0  stopped by SIGINT/SIGTERM
  1  no credentials, a configuration error, or the address cannot be bound
  2  invalid command-line arguments";

const EMULATE_HELP: &str = "Examples:
  credchain emulate                                   # prints the endpoint variables to export
  credchain emulate --listen 127.0.0.1:8080 --config emulator.toml

Environment:
  RUST_LOG for the request log. The emulator reads no credential variables.

Exit status:
  0  stopped by SIGINT/SIGTERM
  1  the setup file is invalid or the address cannot be bound
  2  invalid command-line arguments";
