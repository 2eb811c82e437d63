//! `credchain get`: resolve credentials and print them.

use std::io::IsTerminal;

use credchain::Result;

use crate::cli::{Format, GetArgs};
use crate::disk_cache;
use crate::output;
use crate::resolve;

/// Resolves and prints; returns the text for stdout.
pub async fn run(args: &GetArgs) -> Result<String> {
    let ctx = resolve::real_context();
    let request = disk_cache::Request {
        cloud: args.cloud,
        profile: args.profile.as_deref(),
        config: args.config.as_deref(),
    };
    let (credentials, type_) = resolve::credentials(&request, &args.cache, &ctx).await?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    Ok(match format {
        Format::Json => format!("{}\n", output::to_json(&credentials, &type_)),
        Format::Env => {
            let region = crate::region::known(args.cloud, args.profile.as_deref(), &ctx);
            output::to_env(&credentials, args.cloud, region.as_deref(), args.shell)
        }
        Format::Table => output::to_table(&credentials, &type_),
        Format::AliyunExternal => format!("{}\n", output::to_aliyun_external(&credentials)?),
    })
}
