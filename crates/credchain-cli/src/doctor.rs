//! `credchain doctor`: every source of each default chain, in order: configured or not (and why
//! not), what it found (key id masked to its last 4 characters), how long it took, which one wins
//! and why.
//!
//! - Each source is asked on its own, so a source after the winner is still shown. The winner is
//!   what the chain itself would pick: the first source that found credentials, unless a source
//!   before it failed with a real error (the chain stops there,
//!   `docs/architecture.md#chain-semantics`).
//! - Sources the chain leaves out because nothing enables them (RRSA without its three variables,
//!   the credentials URI without its variable, the ECS role with metadata disabled) are listed
//!   too, as `off`, with what would turn them on ([`ALIBABA_SOURCES`], [`TENCENT_SOURCES`]).
//! - Both clouds are diagnosed concurrently, so off-cloud the metadata probes cost one timeout,
//!   not one per cloud.
//! - `--profile P` diagnoses the source `get --profile P` uses instead of the chain.
//! - `--format json` prints one object (`{"clouds": [...]}`) with the same facts.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use credchain::context::{proxy_settings, Context};
use credchain::http::ReqwestClient;
use credchain::{alibaba, tencent, Credentials, Error, ProvideCredentials, SharedProvider};
use credchain_emulator::Emulator;
use serde_json::{json, Value};

use crate::cli::{Cloud, DoctorArgs, ReportFormat};
use crate::{resolve, sample};

/// Every source of the Alibaba default chain, in order, with what turns it on when the chain
/// leaves it out.
pub const ALIBABA_SOURCES: &[(&str, &str)] = &[
    ("env", "set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    (
        "oidc_role_arn",
        "RRSA: set ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    ),
    ("cli_profile", "write ~/.aliyun/config.json (`credchain configure` or `aliyun configure`)"),
    ("profile", "write ~/.alibabacloud/credentials.ini or set ALIBABA_CLOUD_CREDENTIALS_FILE"),
    (
        "ecs_ram_role",
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED is true: unset it to use the ECS instance's RAM role",
    ),
    ("credential_uri", "set ALIBABA_CLOUD_CREDENTIALS_URI"),
];

/// Every source of the Tencent default chain, in order, with what turns it on when the chain
/// leaves it out.
pub const TENCENT_SOURCES: &[(&str, &str)] = &[
    (
        "env",
        "set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY",
    ),
    (
        "tke_oidc",
        "TKE OIDC: set TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN",
    ),
    (
        "profile",
        "write ~/.tencentcloud/credentials or set TENCENTCLOUD_CREDENTIALS_FILE",
    ),
    (
        "tccli",
        "write ~/.tccli/<profile>.credential (`tccli configure`); the profile is TCCLI_PROFILE, else default",
    ),
    (
        "cvm_role",
        "TENCENTCLOUD_METADATA_DISABLED is true: unset it to use the CVM instance's CAM role",
    ),
];

/// What one source answered.
enum Finding {
    Found(Credentials),
    NotConfigured(Error),
    Failed(Error),
    /// Left out of the chain; the text says what turns it on.
    Off(&'static str),
}

struct SourceReport {
    name: String,
    finding: Finding,
    elapsed: Duration,
}

/// The diagnosis of one cloud.
struct CloudReport {
    cloud: Cloud,
    /// `Some(name)` for `--profile`.
    profile: Option<String>,
    sources: Vec<SourceReport>,
    /// Index of the winning (or chain-stopping) source.
    winner: Option<usize>,
    /// Extra sources of the emulator's sample setup.
    extra: Vec<SourceReport>,
}

impl CloudReport {
    fn resolved(&self) -> bool {
        self.winner
            .is_some_and(|i| matches!(self.sources[i].finding, Finding::Found(_)))
    }
}

/// Runs the doctor; returns the text for stdout and whether every selected cloud resolved.
pub async fn run(args: &DoctorArgs) -> std::io::Result<(String, bool)> {
    let clouds = match args.cloud {
        Some(c) => vec![c],
        None => vec![Cloud::Alibaba, Cloud::Tencent],
    };
    let emulator = if args.emulator {
        Some(Emulator::start().await?)
    } else {
        None
    };
    let profile = args.profile.as_deref();
    let reports = match clouds.as_slice() {
        [one] => vec![diagnose_cloud(*one, emulator.as_ref(), profile).await],
        _ => {
            let (a, t) = tokio::join!(
                diagnose_cloud(Cloud::Alibaba, emulator.as_ref(), profile),
                diagnose_cloud(Cloud::Tencent, emulator.as_ref(), profile)
            );
            vec![a, t]
        }
    };
    let resolved = reports.iter().all(CloudReport::resolved);
    let format = args.format.unwrap_or(ReportFormat::Table);
    let text = match format {
        ReportFormat::Json => format!(
            "{}\n",
            json!({
                "emulator": emulator.as_ref().map(|e| e.base_url()),
                "clouds": reports.iter().map(to_json).collect::<Vec<_>>(),
            })
        ),
        ReportFormat::Table => {
            let mut out = String::new();
            if let Some(emu) = &emulator {
                let _ = writeln!(
                    out,
                    "Built-in emulator on {} (loopback); every endpoint points at it; sample setup in memory.\n",
                    emu.base_url()
                );
            }
            for r in &reports {
                out.push_str(&to_table(r));
                out.push('\n');
            }
            out
        }
    };
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok((text, resolved))
}

async fn diagnose_cloud(
    cloud: Cloud,
    emulator: Option<&Emulator>,
    profile: Option<&str>,
) -> CloudReport {
    let ctx = match emulator {
        Some(emu) => {
            let (env, fs) = sample::setup(cloud, emu);
            let http = ReqwestClient::new(proxy_settings(&env));
            Context::real().with_env(env).with_fs(fs).with_http(http)
        }
        None => Context::real(),
    };
    let extra = match emulator {
        Some(_) if profile.is_none() => {
            let mut out = Vec::new();
            for (label, source) in sample::extra_sources(cloud, &ctx) {
                out.push(ask(label, &source).await);
            }
            out
        }
        _ => Vec::new(),
    };
    let sources = match profile {
        Some(name) => vec![diagnose_profile(cloud, name, &ctx).await],
        None => diagnose_chain(cloud, &ctx).await,
    };
    let winner = sources
        .iter()
        .position(|r| matches!(r.finding, Finding::Found(_) | Finding::Failed(_)));
    CloudReport {
        cloud,
        profile: profile.map(str::to_string),
        sources,
        winner,
        extra,
    }
}

async fn diagnose_profile(cloud: Cloud, name: &str, ctx: &Context) -> SourceReport {
    let label = format!("profile '{name}'");
    match resolve::provider(cloud, None, Some(name), ctx) {
        Ok((p, _)) => ask(label, &p).await,
        Err(e) => SourceReport {
            name: label,
            finding: Finding::Failed(e),
            elapsed: Duration::ZERO,
        },
    }
}

/// Asks every source of the chain, and lists the sources it left out at their place.
async fn diagnose_chain(cloud: Cloud, ctx: &Context) -> Vec<SourceReport> {
    let chain = match cloud {
        Cloud::Alibaba => alibaba::default_chain(ctx),
        Cloud::Tencent => tencent::default_chain(ctx),
    };
    let known = match cloud {
        Cloud::Alibaba => ALIBABA_SOURCES,
        Cloud::Tencent => TENCENT_SOURCES,
    };
    let present: Vec<&str> = chain.sources().iter().map(|s| s.name()).collect();
    let off = |(name, why): &(&'static str, &'static str)| SourceReport {
        name: name.to_string(),
        finding: Finding::Off(why),
        elapsed: Duration::ZERO,
    };
    let mut out = Vec::new();
    let mut next_known = 0;
    for source in chain.sources() {
        if let Some(j) = known[next_known..]
            .iter()
            .position(|(n, _)| *n == source.name())
        {
            let absent = known[next_known..next_known + j]
                .iter()
                .filter(|(n, _)| !present.contains(n));
            out.extend(absent.map(off));
            next_known += j + 1;
        }
        out.push(ask(source.name().to_string(), source).await);
    }
    out.extend(
        known[next_known..]
            .iter()
            .filter(|(n, _)| !present.contains(n))
            .map(off),
    );
    out
}

async fn ask(name: String, source: &SharedProvider) -> SourceReport {
    let started = Instant::now();
    let finding = match source.provide_credentials().await {
        Ok(c) => Finding::Found(c),
        Err(e) if e.is_not_configured() => Finding::NotConfigured(e),
        Err(e) => Finding::Failed(e),
    };
    SourceReport {
        name,
        finding,
        elapsed: started.elapsed(),
    }
}

fn status(f: &Finding) -> &'static str {
    match f {
        Finding::Found(_) => "found",
        Finding::NotConfigured(_) => "not_configured",
        Finding::Failed(_) => "error",
        Finding::Off(_) => "off",
    }
}

fn describe(r: &SourceReport) -> String {
    match &r.finding {
        Finding::Found(c) => {
            let exp = c.expiration().map(credchain::time::format_rfc3339);
            let token = if c.security_token().is_some() {
                ", with token"
            } else {
                ""
            };
            let exp = exp.map(|e| format!(", expires {e}")).unwrap_or_default();
            if c.bearer_token().is_some() && c.access_key_id().is_empty() {
                format!("found: bearer token{exp}")
            } else {
                let via = if c.provider_name() == r.name {
                    String::new()
                } else {
                    format!(" via {}", c.provider_name())
                };
                format!("found: key {}{via}{token}{exp}", c.masked_key_id())
            }
        }
        // The message may be a reference's verbatim wording ("accessKeyId cannot be empty"); the
        // hint after it names the variable or file to set.
        Finding::NotConfigured(e) => match e.hint() {
            Some(h) => format!("not configured: {}; {h}", e.message()),
            None => format!("not configured: {}", e.message()),
        },
        Finding::Failed(e) => format!("ERROR: {e}"),
        Finding::Off(why) => format!("off: {why}"),
    }
}

/// Why the winner wins, or why nothing does.
fn verdict(r: &CloudReport) -> String {
    let Some(i) = r.winner else {
        let hint = match r.cloud {
            Cloud::Alibaba => alibaba::NOTHING_CONFIGURED_HINT,
            Cloud::Tencent => tencent::NOTHING_CONFIGURED_HINT,
        };
        // Both hints start with the words this sentence already says.
        let hint = hint.trim_start_matches("configure credentials: ");
        return format!(
            "No source is configured. To configure credentials: {hint} (each source's line above \
             says what turns it on)."
        );
    };
    let w = &r.sources[i];
    match (&w.finding, &r.profile) {
        (Finding::Found(c), Some(_)) => format!(
            "Winner: {} (provider {}): --profile selects this profile's source directly.",
            w.name,
            c.provider_name()
        ),
        (Finding::Found(c), None) if i == 0 => format!(
            "Winner: {} (provider {}): it is the chain's first source.",
            w.name,
            c.provider_name()
        ),
        (Finding::Found(c), None) => format!(
            "Winner: {} (provider {}): the first source that found credentials; the {i} before it \
             are off or not configured.",
            w.name,
            c.provider_name()
        ),
        _ if r.profile.is_some() => format!(
            "{} fails (see the error above): fix the profile, or pick another with \
             `credchain profiles --cloud {}`.",
            w.name,
            cloud_id(r.cloud)
        ),
        _ => format!(
            "The chain stops at {}: it is configured but failed (see the error above). Fix it or \
             remove its configuration; credchain does not fall through to another identity.",
            w.name
        ),
    }
}

fn cloud_id(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Alibaba => "alibaba",
        Cloud::Tencent => "tencent",
    }
}

fn to_table(r: &CloudReport) -> String {
    let mut text = match &r.profile {
        Some(p) => format!(
            "{} profile '{p}' (the source `get --profile {p}` uses):\n",
            r.cloud.title()
        ),
        None => {
            let plural = if r.sources.len() == 1 { "" } else { "s" };
            format!(
                "{} default chain ({} source{plural}, in order):\n",
                r.cloud.title(),
                r.sources.len()
            )
        }
    };
    for (i, s) in r.sources.iter().enumerate() {
        let took = match s.finding {
            Finding::Off(_) => "-".to_string(),
            _ => format!("{:.1} ms", s.elapsed.as_secs_f64() * 1000.0),
        };
        let mark = if Some(i) == r.winner { "=>" } else { "  " };
        let _ = writeln!(
            text,
            "{mark} {:>2}. {:<16} {took:>11}  {}",
            i + 1,
            s.name,
            describe(s)
        );
    }
    let _ = writeln!(text, "{}", verdict(r));
    if !r.extra.is_empty() {
        text.push_str("Also in the sample setup, through named profiles:\n");
        for s in &r.extra {
            let ms = s.elapsed.as_secs_f64() * 1000.0;
            let _ = writeln!(text, "   {:<30} {ms:>8.1} ms  {}", s.name, describe(s));
        }
    }
    text
}

fn source_json(s: &SourceReport) -> Value {
    let detail = match &s.finding {
        Finding::Found(_) => Value::Null,
        Finding::NotConfigured(e) => json!(match e.hint() {
            Some(h) => format!("{}; {h}", e.message()),
            None => e.message().to_string(),
        }),
        Finding::Failed(e) => json!(e.to_string()),
        Finding::Off(why) => json!(why),
    };
    let (key_id, provider, expiration) = match &s.finding {
        Finding::Found(c) => (
            json!(c.masked_key_id()),
            json!(c.provider_name()),
            json!(c.expiration().map(credchain::time::format_rfc3339)),
        ),
        _ => (Value::Null, Value::Null, Value::Null),
    };
    json!({
        "name": s.name,
        "status": status(&s.finding),
        "detail": detail,
        "elapsed_ms": (s.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        "key_id": key_id,
        "provider": provider,
        "expiration": expiration,
    })
}

fn to_json(r: &CloudReport) -> Value {
    json!({
        "cloud": cloud_id(r.cloud),
        "profile": r.profile,
        "sources": r.sources.iter().map(source_json).collect::<Vec<_>>(),
        "winner": r.winner.map(|i| r.sources[i].name.clone()),
        "resolved": r.resolved(),
        "verdict": verdict(r),
        "extra": r.extra.iter().map(source_json).collect::<Vec<_>>(),
    })
}
