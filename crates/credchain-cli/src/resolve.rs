//! Building the provider a command asks for: the default chain, or a `--config` file, with
//! `--profile` applied.

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
    let text = match config {
        Some(path) => Some(read_config(path, ctx)?),
        None => None,
    };
    match cloud {
        Cloud::Alibaba => {
            let cfg = text
                .as_deref()
                .map(alibaba::Config::from_json)
                .transpose()?;
            let client = alibaba::Client::new(cfg, ctx)?;
            Ok((client.provider().clone(), client.get_type().to_string()))
        }
        Cloud::Tencent => match text {
            Some(t) => {
                let cfg = tencent::Config::from_json(&t)?;
                let type_ = cfg.type_name().to_string();
                Ok((cfg.into_provider(ctx)?, type_))
            }
            None => Ok((
                SharedProvider::new(tencent::default_chain(ctx)),
                "default".into(),
            )),
        },
    }
}

fn read_config(path: &Path, ctx: &Context) -> Result<String> {
    let bytes = ctx.fs().read(path, MAX_FILE_SIZE).map_err(|e| {
        Error::new(
            ErrorKind::File,
            format!("cannot read the --config file: {e}"),
        )
        .with_file(path)
        .with_hint("pass a JSON file with the credential config")
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::new(ErrorKind::File, "the --config file is not UTF-8 text").with_file(path)
    })
}
