//! `credchain doctor`: every source of each default chain, in order: configured or not (and why
//! not), what it found (key id masked to its last 4 characters), how long it took, which one wins
//! and why.
//!
//! - The facts come from the library's [`ProviderChain::explain`](credchain::ProviderChain::explain):
//!   each source is asked on its own, so a source after the winner is still shown, and the winner
//!   is what the chain itself would pick: the first source that found credentials, unless a
//!   source before it failed with a real error (the chain stops there,
//!   `docs/architecture.md#chain-semantics`). This file only formats them.
//! - Sources the chain leaves out because nothing enables them (RRSA without its three variables,
//!   the credentials URI without its variable, the ECS role with metadata disabled) are listed
//!   too, as `off`, with what would turn them on: the library's default chains know every source
//!   they can have (`alibaba::DEFAULT_CHAIN_SOURCES`, `tencent::DEFAULT_CHAIN_SOURCES`) and
//!   `explain` lists the absent ones.
//! - Both clouds are diagnosed concurrently, so off-cloud the metadata probes cost one timeout,
//!   not one per cloud.
//! - `--profile P` diagnoses the source `get --profile P` uses instead of the chain.
//! - `--format json` prints one object (`{"clouds": [...]}`) with the same facts.

use std::fmt::Write as _;
use std::time::Duration;

use credchain::chain::{ChainExplanation, SourceExplanation, SourceOutcome};
use credchain::context::{proxy_settings, Context};
use credchain::http::ReqwestClient;
use credchain::{alibaba, tencent, ProvideCredentials};
use credchain_emulator::Emulator;
use serde_json::{json, Value};

use crate::cli::{Cloud, DoctorArgs, ReportFormat};
use crate::{resolve, sample};

/// The diagnosis of one cloud.
struct CloudReport {
    cloud: Cloud,
    /// `Some(name)` for `--profile`.
    profile: Option<String>,
    /// The chain's sources (or the one `--profile` source), what each answered, the winner.
    explanation: ChainExplanation,
    /// Extra sources of the emulator's sample setup.
    extra: Vec<SourceExplanation>,
}

impl CloudReport {
    fn resolved(&self) -> bool {
        self.explanation.resolved()
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
                out.push(SourceExplanation::ask(label, &source).await);
            }
            out
        }
        _ => Vec::new(),
    };
    let explanation = match profile {
        Some(name) => diagnose_profile(cloud, name, &ctx).await,
        None => diagnose_chain(cloud, &ctx).await,
    };
    CloudReport {
        cloud,
        profile: profile.map(str::to_string),
        explanation,
        extra,
    }
}

/// The one source `get --profile` would use, as a chain of one.
async fn diagnose_profile(cloud: Cloud, name: &str, ctx: &Context) -> ChainExplanation {
    let label = format!("profile '{name}'");
    let source = match resolve::provider(cloud, None, Some(name), ctx) {
        Ok((p, _)) => SourceExplanation::ask(label.clone(), &p).await,
        Err(e) => SourceExplanation::new(label.clone(), SourceOutcome::Failed(e), Duration::ZERO),
    };
    ChainExplanation::new(label, vec![source])
}

/// Asks every source of the chain; the explanation lists the sources it left out at their place.
async fn diagnose_chain(cloud: Cloud, ctx: &Context) -> ChainExplanation {
    let chain = match cloud {
        Cloud::Alibaba => alibaba::default_chain(ctx),
        Cloud::Tencent => tencent::default_chain(ctx),
    };
    match chain.explain().await {
        Ok(explanation) => explanation,
        // Only an edited chain can be misbuilt; shown as the chain failing, should it happen.
        Err(e) => {
            let failed = SourceOutcome::Failed(e);
            let source = SourceExplanation::new(chain.name(), failed, Duration::ZERO);
            ChainExplanation::new(chain.name(), vec![source])
        }
    }
}

fn status(f: &SourceOutcome) -> &'static str {
    match f {
        SourceOutcome::Found(_) => "found",
        SourceOutcome::NotConfigured(_) => "not_configured",
        SourceOutcome::Failed(_) => "error",
        SourceOutcome::LeftOut(_) => "off",
    }
}

fn describe(r: &SourceExplanation) -> String {
    match r.outcome() {
        SourceOutcome::Found(c) => {
            let exp = c.expiration().map(credchain::time::format_rfc3339);
            let token = if c.has_security_token() {
                ", with token"
            } else {
                ""
            };
            let exp = exp.map(|e| format!(", expires {e}")).unwrap_or_default();
            if c.is_bearer() {
                format!("found: bearer token{exp}")
            } else {
                let via = if c.provider_name() == r.name() {
                    String::new()
                } else {
                    format!(" via {}", c.provider_name())
                };
                format!("found: key {}{via}{token}{exp}", c.masked_key_id())
            }
        }
        // The message may be a reference's verbatim wording ("accessKeyId cannot be empty"); the
        // hint after it names the variable or file to set.
        SourceOutcome::NotConfigured(e) => match e.hint() {
            Some(h) => format!("not configured: {}; {h}", e.message()),
            None => format!("not configured: {}", e.message()),
        },
        SourceOutcome::Failed(e) => format!("ERROR: {e}"),
        SourceOutcome::LeftOut(why) => format!("off: {why}"),
    }
}

/// Why the winner wins, or why nothing does.
fn verdict(r: &CloudReport) -> String {
    let Some(i) = r.explanation.deciding_index() else {
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
    let w = &r.explanation.sources()[i];
    match (w.outcome(), &r.profile) {
        (SourceOutcome::Found(c), Some(_)) => format!(
            "Winner: {} (provider {}): --profile selects this profile's source directly.",
            w.name(),
            c.provider_name()
        ),
        (SourceOutcome::Found(c), None) if i == 0 => format!(
            "Winner: {} (provider {}): it is the chain's first source.",
            w.name(),
            c.provider_name()
        ),
        (SourceOutcome::Found(c), None) => format!(
            "Winner: {} (provider {}): the first source that found credentials; the {i} before it \
             are off or not configured.",
            w.name(),
            c.provider_name()
        ),
        _ if r.profile.is_some() => format!(
            "{} fails (see the error above): fix the profile, or pick another with \
             `credchain profiles --cloud {}`.",
            w.name(),
            cloud_id(r.cloud)
        ),
        _ => format!(
            "The chain stops at {}: it is configured but failed (see the error above). Fix it or \
             remove its configuration; credchain does not fall through to another identity.",
            w.name()
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
    let sources = r.explanation.sources();
    let mut text = match &r.profile {
        Some(p) => format!(
            "{} profile '{p}' (the source `get --profile {p}` uses):\n",
            r.cloud.title()
        ),
        None => {
            let plural = if sources.len() == 1 { "" } else { "s" };
            format!(
                "{} default chain ({} source{plural}, in order):\n",
                r.cloud.title(),
                sources.len()
            )
        }
    };
    let deciding = r.explanation.deciding_index();
    for (i, s) in sources.iter().enumerate() {
        let took = match s.outcome() {
            SourceOutcome::LeftOut(_) => "-".to_string(),
            _ => format!("{:.1} ms", s.elapsed().as_secs_f64() * 1000.0),
        };
        let mark = if Some(i) == deciding { "=>" } else { "  " };
        let _ = writeln!(
            text,
            "{mark} {:>2}. {:<16} {took:>11}  {}",
            i + 1,
            s.name(),
            describe(s)
        );
    }
    let _ = writeln!(text, "{}", verdict(r));
    if !r.extra.is_empty() {
        text.push_str("Also in the sample setup, through named profiles:\n");
        for s in &r.extra {
            let ms = s.elapsed().as_secs_f64() * 1000.0;
            let _ = writeln!(text, "   {:<30} {ms:>8.1} ms  {}", s.name(), describe(s));
        }
    }
    text
}

fn source_json(s: &SourceExplanation) -> Value {
    let detail = match s.outcome() {
        SourceOutcome::Found(_) => Value::Null,
        SourceOutcome::NotConfigured(e) => json!(match e.hint() {
            Some(h) => format!("{}; {h}", e.message()),
            None => e.message().to_string(),
        }),
        SourceOutcome::Failed(e) => json!(e.to_string()),
        SourceOutcome::LeftOut(why) => json!(why),
    };
    let (key_id, provider, expiration) = match s.outcome() {
        SourceOutcome::Found(c) => (
            json!(c.masked_key_id()),
            json!(c.provider_name()),
            json!(c.expiration().map(credchain::time::format_rfc3339)),
        ),
        _ => (Value::Null, Value::Null, Value::Null),
    };
    json!({
        "name": s.name(),
        "status": status(s.outcome()),
        "detail": detail,
        "elapsed_ms": (s.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
        "key_id": key_id,
        "provider": provider,
        "expiration": expiration,
    })
}

fn to_json(r: &CloudReport) -> Value {
    json!({
        "cloud": cloud_id(r.cloud),
        "profile": r.profile,
        "sources": r.explanation.sources().iter().map(source_json).collect::<Vec<_>>(),
        // The deciding source, also when it failed (`resolved` says whether it found any).
        "winner": r.explanation.deciding_index().map(|i| r.explanation.sources()[i].name()),
        "resolved": r.resolved(),
        "verdict": verdict(r),
        "extra": r.extra.iter().map(source_json).collect::<Vec<_>>(),
    })
}
