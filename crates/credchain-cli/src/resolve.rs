//! Building the provider a command asks for: the default chain, or a `--config`, with
//! `--profile` applied.
//!
//! `--config` takes a path to a JSON file, or the JSON itself when the argument starts with `{`
//! (after leading whitespace). The argument may hold a secret (`access_key_secret`), so no error
//! ever echoes it: a file is named by its path only when it is read as a file, inline JSON is
//! called "the inline --config JSON", and parse errors give position and expected type only.

use std::path::Path;

use credchain::context::{Context, MAX_FILE_SIZE};
use credchain::{alibaba, tencent, Error, ErrorKind, Result, SharedProvider};

use crate::cli::Cloud;
use crate::overlay_env::OverlayEnv;

/// The real context, with `--profile` set in the environment it sees.
pub fn real_context(cloud: Cloud, profile: Option<&str>) -> Context {
    let mut env = OverlayEnv::default();
    if let Some(p) = profile {
        match cloud {
            Cloud::Alibaba => env.set(alibaba::env_vars::PROFILE, p),
            Cloud::Tencent => env.set(tencent::env_vars::PROFILE, p),
        }
    }
    let http = credchain::http::ReqwestClient::from_env(&env);
    Context::real().with_env(env).with_http(http)
}

/// The provider and its type name (`default` for the chain, else the config's type).
pub fn provider(
    cloud: Cloud,
    config: Option<&Path>,
    ctx: &Context,
) -> Result<(SharedProvider, String)> {
    let source = config.map(ConfigSource::of);
    let text = match &source {
        Some(s) => Some(s.text(ctx)?),
        None => None,
    };
    let located = |e: Error| match &source {
        Some(s) => s.locate(e),
        None => e,
    };
    match cloud {
        Cloud::Alibaba => {
            let cfg = text
                .as_deref()
                .map(alibaba::Config::from_json)
                .transpose()
                .map_err(located)?;
            let client = alibaba::Client::new(cfg, ctx).map_err(located)?;
            Ok((client.provider().clone(), client.get_type().to_string()))
        }
        Cloud::Tencent => match text {
            Some(t) => {
                let cfg = tencent::Config::from_json(&t).map_err(located)?;
                let type_ = cfg.type_name().to_string();
                Ok((cfg.into_provider(ctx).map_err(located)?, type_))
            }
            None => Ok((
                SharedProvider::new(tencent::default_chain(ctx)),
                "default".into(),
            )),
        },
    }
}

/// Where a `--config` comes from.
enum ConfigSource<'a> {
    /// The argument is the JSON itself.
    Inline(String),
    /// The argument is a file path.
    File(&'a Path),
}

impl<'a> ConfigSource<'a> {
    /// Inline JSON when the argument starts with `{`, else a path.
    fn of(arg: &'a Path) -> Self {
        match arg.to_str() {
            Some(s) if s.trim_start().starts_with('{') => ConfigSource::Inline(s.to_string()),
            _ => ConfigSource::File(arg),
        }
    }

    fn text(&self, ctx: &Context) -> Result<String> {
        match self {
            ConfigSource::Inline(s) => Ok(s.clone()),
            ConfigSource::File(path) => read_config(path, ctx),
        }
    }

    /// Says which --config failed, without echoing inline JSON. Only configuration errors are
    /// the config's fault; a network or service error keeps its own hint.
    fn locate(&self, e: Error) -> Error {
        if e.kind() != ErrorKind::InvalidConfig {
            return e;
        }
        match self {
            ConfigSource::Inline(_) => e.with_hint(
                "the inline --config JSON is not a valid credential config (an argument starting \
                 with '{' is read as JSON, anything else as a file path)",
            ),
            ConfigSource::File(path) => e.with_file(path),
        }
    }
}

fn read_config(path: &Path, ctx: &Context) -> Result<String> {
    let bytes = ctx.fs().read(path, MAX_FILE_SIZE).map_err(|e| {
        Error::new(
            ErrorKind::File,
            format!("cannot read the --config file: {e}"),
        )
        .with_file(path)
        .with_hint(
            "pass a JSON file with the credential config, or the JSON itself starting with '{'",
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::new(ErrorKind::File, "the --config file is not UTF-8 text").with_file(path)
    })
}
