//! `credchain emulate`: the built-in emulator on loopback, set up from a TOML or JSON file.
//!
//! The file (every key optional; unknown keys are errors):
//!
//! ```toml
//! listen = "127.0.0.1:8765"          # loopback only; --listen wins; default 127.0.0.1:0
//! credential_lifetime_seconds = 3600  # lifetime of every credential the emulator issues
//! require_imds_token = false          # ECS metadata: IMDSv2 token required (IMDSv1 refused)
//! credentials_uri_path = "/credentials-uri"
//!
//! [alibaba]
//! ecs_role_name = "EmulatorEcsRole"   # the ECS instance's RAM role; "" = no role bound
//! access_keys = [{ id = "LTAI...", secret = "..." }]  # AssumeRole and the API routes accept these too
//!
//! [tencent]
//! cvm_role_name = "EmulatorCvmRole"   # the CVM instance's CAM role; "" = no role bound
//! secret_keys = [{ id = "AKID...", secret = "..." }]  # AssumeRole and the API route accept these too
//! oidc_provider_ids = ["my-provider"]  # AssumeRoleWithWebIdentity accepts these too
//! web_identity_tokens = ["eyJ..."]     # ... and these tokens
//! check_timestamp = true               # X-TC-Timestamp within 300 s of now
//!
//! [[faults]]                           # one entry per route; several keys combine
//! route = "alibaba.credentials_uri"    # a route name (see `credchain_emulator::routes`)
//! status = 503                         # answer this status instead (optional `body`)
//! delay_ms = 200                       # wait first
//! malformed_body = true                # body that is not JSON
//! truncated_body = true                # body cut short on the wire
//! missing_fields = ["SecurityToken"]   # fields removed from the JSON answer
//! expired_credentials = true           # issue credentials that expired an hour ago
//! drop_connection = true               # close without answering
//! throttled = true                     # the cloud's throttling answer
//! oversized_body = true                # a body past every client's cap
//! wrong_type_fields = ["Expiration"]   # these fields change JSON type
//! unparseable_expiry = true            # expiry fields hold text that is no time
//! mid_body_close = true                # chunked body cut off mid-chunk
//! times = 2                            # only the next 2 requests (at most 10000); omit: every request
//! ```
//!
//! The built-in keys (`LTAI5tEmulatorKeyId01` for Alibaba AssumeRole, `AKIDemuLongTermKey...` for
//! Tencent AssumeRole), OIDC provider and web identity tokens stay accepted.
//!
//! Besides the credential endpoints' `export` lines, the output names the emulated buckets'
//! endpoint for each object-storage API, all the emulator's base URL (path-style
//! `<endpoint>/<bucket>/<key>`; the request's signature tells the APIs apart, see
//! `credchain_emulator::routes::object_storage`): `CREDCHAIN_EMULATOR_OSS_ENDPOINT` (OSS V1/V4
//! signatures and presigned URLs), `CREDCHAIN_EMULATOR_COS_ENDPOINT` (COS `q-sign-algorithm`), and
//! `CREDCHAIN_EMULATOR_S3_ENDPOINT` (AWS SigV4, the S3-compatible APIs).

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use credchain::context::{Fs, OsFs, MAX_FILE_SIZE};
use credchain::{Error, ErrorKind, Result};
use credchain_emulator::routes::{alibaba_api, alibaba_sts, tencent_api, tencent_sts};
use credchain_emulator::{Emulator, EmulatorConfig};

use crate::cli::EmulateArgs;
use crate::serve::Shutdown;

pub use credchain_emulator::setup::EmulateFile;

fn config_error(path: &Path, msg: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::InvalidConfig, format!("emulator config: {msg}")).with_file(path)
}

/// Parses an emulator file: JSON when the name ends in `.json`, TOML otherwise (the format and
/// its bounds: [`credchain_emulator::setup`]).
pub fn parse(path: &Path, text: &str) -> Result<EmulateFile> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        credchain_emulator::setup::parse_json(text)
    } else {
        credchain_emulator::setup::parse_toml(text)
    };
    parsed.map_err(|e| config_error(path, e))
}

/// The emulator configuration the file describes.
pub fn emulator_config(file: &EmulateFile) -> EmulatorConfig {
    file.emulator_config()
}

/// Starts the emulator the file describes on `addr` (loopback).
pub async fn start(file: &EmulateFile, addr: SocketAddr, path: &Path) -> Result<Emulator> {
    let emu = Emulator::start_with(addr, emulator_config(file))
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::Transport,
                format!("cannot start the emulator on {addr}: {e}"),
            )
        })?;
    if !file.alibaba.access_keys.is_empty() {
        let keys: Vec<(String, String)> = file
            .alibaba
            .access_keys
            .iter()
            .map(|k| (k.id.clone(), k.secret.clone()))
            .collect();
        emu.add_route(alibaba_sts::assume_role_route_with_keys(keys.clone()));
        // The generic API routes accept the same keys (and still the built-in one).
        let mut api = alibaba_api::AlibabaApiConfig::default();
        api.keys.extend(keys);
        emu.add_route(alibaba_api::rpc_route_with(api.clone()));
        emu.add_route(alibaba_api::acs3_route_with(api));
    }
    let t = &file.tencent;
    if !t.secret_keys.is_empty()
        || !t.oidc_provider_ids.is_empty()
        || !t.web_identity_tokens.is_empty()
        || t.check_timestamp.is_some()
    {
        let mut sts = tencent_sts::TencentStsConfig::default();
        sts.keys.extend(
            t.secret_keys
                .iter()
                .map(|k| (k.id.clone(), k.secret.clone())),
        );
        sts.provider_ids.extend(t.oidc_provider_ids.iter().cloned());
        sts.web_identity_tokens
            .extend(t.web_identity_tokens.iter().cloned());
        if let Some(b) = t.check_timestamp {
            sts.check_timestamp = b;
        }
        let api = tencent_api::TencentApiConfig {
            keys: sts.keys.clone(),
            check_timestamp: sts.check_timestamp,
            ..tencent_api::TencentApiConfig::default()
        };
        emu.add_route(tencent_sts::assume_role_route_with(sts.clone()));
        emu.add_route(tencent_sts::web_identity_route_with(sts));
        emu.add_route(tencent_api::api_route_with(api));
    }
    let names = emu.route_names();
    for spec in &file.faults {
        if !names.iter().any(|n| n == &spec.route) {
            return Err(config_error(
                path,
                format!(
                    "unknown route {:?} in [[faults]]; routes: {}",
                    spec.route,
                    names.join(", ")
                ),
            ));
        }
        let Some(fault) = spec.to_fault() else {
            return Err(config_error(
                path,
                format!("the fault for {:?} sets no fault", spec.route),
            ));
        };
        match spec.times {
            Some(n) => {
                for _ in 0..n {
                    emu.push_fault(&spec.route, fault.clone());
                }
            }
            None => emu.set_fault(&spec.route, fault),
        }
    }
    Ok(emu)
}

/// The text `emulate` prints: env exports pointing credchain at `emu`, and the fake keys.
pub fn exports(emu: &Emulator) -> String {
    let base = emu.base_url();
    let uri = emu.url(&emu.config().credentials_uri_path);
    let config = emu.config();
    let mut out = format!(
        "# credchain emulator on {base} (loopback only); stop it with Ctrl-C.\n\
         export ALIBABA_CLOUD_STS_ENDPOINT={base}\n\
         export ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT={base}\n\
         export ALIBABA_CLOUD_CREDENTIALS_URI={uri}\n\
         export ALIBABA_CLOUD_OAUTH_ENDPOINT={base}\n\
         export TENCENTCLOUD_STS_ENDPOINT={base}\n\
         export TENCENTCLOUD_METADATA_ENDPOINT={base}\n\
         export CREDCHAIN_EMULATOR_OSS_ENDPOINT={base}\n\
         export CREDCHAIN_EMULATOR_COS_ENDPOINT={base}\n\
         export CREDCHAIN_EMULATOR_S3_ENDPOINT={base}\n"
    );
    out.push_str(&format!(
        "# Alibaba AssumeRole accepts the fake key {} / {}\n\
         # Tencent AssumeRole accepts the fake key {} / {}\n\
         # Tencent AssumeRoleWithWebIdentity: provider id {}, token {}\n\
         # ECS role: {}; CVM role: {}; routes: {}\n\
         # Buckets, path-style {base}/<bucket>/<key> (PUT/GET/HEAD/DELETE, objects in memory): OSS V1/V4,\n\
         # COS q-sign and S3 SigV4 signatures by the fake keys or issued credentials; presigned URLs too.\n\
         # e.g. curl --aws-sigv4 aws:amz:cn-hangzhou:s3 --user {}:{} -X PUT --data-binary @FILE {base}/bucket/key\n",
        alibaba_sts::ACCESS_KEY_ID,
        alibaba_sts::ACCESS_KEY_SECRET,
        tencent_sts::EMULATOR_SECRET_ID,
        tencent_sts::EMULATOR_SECRET_KEY,
        tencent_sts::EMULATOR_OIDC_PROVIDER_ID,
        tencent_sts::EMULATOR_WEB_IDENTITY_TOKEN,
        config.ecs_role_name.as_deref().unwrap_or("(none)"),
        config.cvm_role_name.as_deref().unwrap_or("(none)"),
        emu.route_names().join(", "),
        alibaba_sts::ACCESS_KEY_ID,
        alibaba_sts::ACCESS_KEY_SECRET,
    ));
    out
}

/// Reads the setup file like every file credchain reads ([`Fs::read`]): a regular file (a FIFO,
/// directory or device is refused without blocking) of at most [`MAX_FILE_SIZE`] bytes, UTF-8.
fn read_config(path: &Path) -> Result<String> {
    let cannot = |what: String| {
        Error::new(
            ErrorKind::File,
            format!("cannot read the emulator config: {what}"),
        )
        .with_file(path)
    };
    let bytes = OsFs
        .read(path, MAX_FILE_SIZE)
        .map_err(|e| cannot(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| cannot("the file is not UTF-8 text".into()))
}

/// Runs the emulator until SIGINT/SIGTERM, logging which one stopped it.
pub async fn run(args: &EmulateArgs) -> Result<()> {
    let (file, path) = match &args.config {
        Some(path) => {
            let text = read_config(path)?;
            (parse(path, &text)?, path.clone())
        }
        None => (EmulateFile::default(), "(none)".into()),
    };
    let addr = args
        .listen
        .or(file.listen)
        .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    if !addr.ip().is_loopback() {
        return Err(Error::invalid_config(format!(
            "the emulator listens on loopback only, not {addr}"
        )));
    }
    let shutdown = Shutdown::install().map_err(|e| {
        Error::new(
            ErrorKind::Transport,
            format!("cannot install signal handlers: {e}"),
        )
    })?;
    let emu = start(&file, addr, &path).await?;
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(exports(&emu).as_bytes());
        let _ = out.flush();
    }
    let wait = shutdown.wait();
    tokio::pin!(wait);
    let mut seen = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            signal = &mut wait => {
                tracing::info!(signal, "emulator stopping: received {signal}");
                break;
            }
            _ = tick.tick() => {
                // By the running total, not the kept list's length: the list is capped.
                let (requests, total) = emu.requests_after(seen);
                for r in &requests {
                    tracing::info!(
                        method = %r.method,
                        path = %r.path,
                        route = r.route.as_deref().unwrap_or("(no route: 404)"),
                        "emulator request"
                    );
                }
                seen = total;
            }
        }
    }
    emu.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use credchain_emulator::Fault;

    #[test]
    fn the_shipped_example_parses() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/emulate.toml"
        ));
        let text = std::fs::read_to_string(path).unwrap();
        let file = parse(path, &text).unwrap();
        assert!(!file.faults.is_empty());
        for f in &file.faults {
            assert!(f.to_fault().is_some());
        }
    }

    #[test]
    fn json_and_roles() {
        let f = parse(
            Path::new("x.json"),
            r#"{"alibaba": {"ecs_role_name": ""}, "tencent": {"cvm_role_name": "R"},
                "credential_lifetime_seconds": 900,
                "faults": [{"route": "alibaba.credentials_uri", "status": 503, "delay_ms": 5, "times": 1}]}"#,
        )
        .unwrap();
        let c = emulator_config(&f);
        assert_eq!(c.ecs_role_name, None);
        assert_eq!(c.cvm_role_name.as_deref(), Some("R"));
        assert_eq!(c.credential_lifetime, Duration::from_secs(900));
        assert!(matches!(f.faults[0].to_fault(), Some(Fault::All(v)) if v.len() == 2));
        assert!(parse(Path::new("x.toml"), "nonsense = 1").is_err());
    }

    #[test]
    fn route_names_are_checked() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let f = parse(
                Path::new("x.toml"),
                "[[faults]]\nroute = \"nope\"\nstatus = 500\n",
            )
            .unwrap();
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let e = start(&f, addr, Path::new("x.toml")).await.unwrap_err();
            assert!(e.to_string().contains("unknown route"));
        });
    }
}
