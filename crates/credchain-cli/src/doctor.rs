//! `credchain doctor`: every source of each default chain, in order: configured or not, what it
//! found (key id masked to its last 4 characters), how long it took, and which one wins.
//!
//! Each source is asked on its own, so a source after the winner is still shown. The winner is
//! what the chain itself would pick: the first source that found credentials, unless a source
//! before it failed with a real error (the chain stops there,
//! `docs/architecture.md#chain-semantics`).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use credchain::context::Context;
use credchain::http::ReqwestClient;
use credchain::{
    alibaba, tencent, Credentials, Error, ProvideCredentials, ProviderChain, SharedProvider,
};
use credchain_emulator::Emulator;

use crate::cli::{Cloud, DoctorArgs};
use crate::sample;

/// What one source answered.
enum Finding {
    Found(Credentials),
    NotConfigured(Error),
    Failed(Error),
}

struct SourceReport {
    name: String,
    finding: Finding,
    elapsed: Duration,
}

/// The report of one cloud.
pub struct CloudReport {
    /// The text to print.
    pub text: String,
    /// Whether the chain resolves.
    pub resolved: bool,
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
    let mut out = String::new();
    if let Some(emu) = &emulator {
        let _ = writeln!(
            out,
            "Built-in emulator on {} (loopback); every endpoint points at it; sample setup in memory.\n",
            emu.base_url()
        );
    }
    let mut all_resolved = true;
    for cloud in clouds {
        let ctx = match &emulator {
            Some(emu) => {
                let (env, fs) = sample::setup(cloud, emu);
                let http = ReqwestClient::from_env(&env);
                Context::real().with_env(env).with_fs(fs).with_http(http)
            }
            None => Context::real(),
        };
        let chain = match cloud {
            Cloud::Alibaba => alibaba::default_chain(&ctx),
            Cloud::Tencent => tencent::default_chain(&ctx),
        };
        let mut report = diagnose(cloud, &chain).await;
        if emulator.is_some() {
            report
                .text
                .push_str(&diagnose_extra(sample::extra_sources(cloud, &ctx)).await);
        }
        all_resolved &= report.resolved;
        out.push_str(&report.text);
        out.push('\n');
    }
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok((out, all_resolved))
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

/// Sources outside the default chain's own order (named sample profiles).
async fn diagnose_extra(sources: Vec<(String, SharedProvider)>) -> String {
    if sources.is_empty() {
        return String::new();
    }
    let mut text = String::from("Also in the sample setup, through named profiles:\n");
    for (label, source) in &sources {
        let r = ask(label.clone(), source).await;
        let ms = r.elapsed.as_secs_f64() * 1000.0;
        let _ = writeln!(text, "   {:<30} {ms:>8.1} ms  {}", r.name, describe(&r));
    }
    text
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
        Finding::NotConfigured(e) => format!("not configured: {}", e.message()),
        Finding::Failed(e) => format!("ERROR: {e}"),
    }
}

async fn diagnose(cloud: Cloud, chain: &ProviderChain) -> CloudReport {
    let mut reports = Vec::new();
    for source in chain.sources() {
        reports.push(ask(source.name().to_string(), source).await);
    }
    let winner = reports
        .iter()
        .position(|r| !matches!(r.finding, Finding::NotConfigured(_)));
    let plural = if reports.len() == 1 { "" } else { "s" };
    let mut text = format!(
        "{} default chain ({} source{plural}, in order):\n",
        cloud.title(),
        reports.len()
    );
    for (i, r) in reports.iter().enumerate() {
        let ms = r.elapsed.as_secs_f64() * 1000.0;
        let mark = if Some(i) == winner { "=>" } else { "  " };
        let what = describe(r);
        let _ = writeln!(
            text,
            "{mark} {:>2}. {:<16} {:>8.1} ms  {what}",
            i + 1,
            r.name,
            ms
        );
    }
    let resolved = match winner.map(|i| &reports[i]) {
        Some(SourceReport {
            name,
            finding: Finding::Found(_),
            ..
        }) => {
            let _ = writeln!(text, "Winner: {name} (provider default/{name}).");
            true
        }
        Some(SourceReport {
            name,
            finding: Finding::Failed(_),
            ..
        }) => {
            let _ = writeln!(
                text,
                "The chain stops at {name}: it is configured but failed (see the error above). \
                 Fix it or remove its configuration; credchain does not fall through to another identity."
            );
            false
        }
        _ => {
            let hint = match cloud {
                Cloud::Alibaba => alibaba::NOTHING_CONFIGURED_HINT,
                Cloud::Tencent => tencent::NOTHING_CONFIGURED_HINT,
            };
            let _ = writeln!(
                text,
                "No source is configured. To configure credentials: {hint}."
            );
            false
        }
    };
    CloudReport { text, resolved }
}
