//! `credchain profiles`: every profile of every file a cloud's chain reads, with its mode and
//! which one the chain would use. Only names, modes and regions are read out: never a key,
//! secret or token.
//!
//! Files, found as the library finds them:
//! - Alibaba: aliyun-cli's `config.json` (`ALIBABA_CLOUD_CONFIG_FILE`, else
//!   `~/.aliyun/config.json`): profiles with `mode` and `region_id`; the current one is
//!   `ALIBABA_CLOUD_PROFILE`, else the file's `current`. Then `credentials.ini`
//!   (`ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials.ini`, else
//!   `~/.alibabacloud/credentials`): sections with `type`; the current one is
//!   `ALIBABA_CLOUD_PROFILE`, else `default`.
//! - Tencent: tccli's `~/.tccli/<profile>.credential` files too (one profile each; current:
//!   `TCCLI_PROFILE`, else `default`).
//! - Tencent: the credentials file (`TENCENTCLOUD_CREDENTIALS_FILE`, else
//!   `~/.tencentcloud/credentials`, else `/etc/tencentcloud/credentials`): sections, type `role`
//!   when they hold `role_arn`, else `keys`; the current one is `TENCENTCLOUD_PROFILE`, else
//!   `default`.
//!
//! A missing file is listed as missing; an unreadable or invalid one is listed with its error and
//! makes the command exit 1 after printing everything else.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use credchain::context::{Context, MAX_FILE_SIZE};
use credchain::{alibaba, tencent, Result};
use serde_json::{json, Value};

use crate::cli::{Cloud, ProfilesArgs, ReportFormat};
use crate::resolve;

/// One profile of one file.
struct Profile {
    name: String,
    mode: String,
    region: Option<String>,
    current: bool,
}

/// One file the cloud reads, and what was found in it.
struct FileReport {
    path: PathBuf,
    format: &'static str,
    /// `None`: the file does not exist.
    profiles: Option<Vec<Profile>>,
    error: Option<String>,
}

/// Lists the profiles; returns the text and whether every file could be read.
pub fn run(args: &ProfilesArgs) -> Result<(String, bool)> {
    let ctx = resolve::real_context();
    let files = match args.cloud {
        Cloud::Alibaba => alibaba_files(&ctx)?,
        Cloud::Tencent => tencent_files(&ctx)?,
    };
    let ok = files.iter().all(|f| f.error.is_none());
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        ReportFormat::Table
    } else {
        ReportFormat::Json
    });
    let text = match format {
        ReportFormat::Json => format!("{}\n", to_json(args.cloud, &files)),
        ReportFormat::Table => to_table(args.cloud, &files),
    };
    Ok((text, ok))
}

/// The file's bytes; `Ok(None)` when it does not exist.
fn read(ctx: &Context, path: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    match ctx.fs().read(path, MAX_FILE_SIZE) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read the file: {e}")),
    }
}

fn home(ctx: &Context) -> Option<PathBuf> {
    ctx.env().home_dir()
}

fn alibaba_files(ctx: &Context) -> Result<Vec<FileReport>> {
    let selected = ctx.env_non_empty(alibaba::env_vars::PROFILE)?;
    let mut out = Vec::new();
    let config = match ctx.env_non_empty(alibaba::env_vars::CONFIG_FILE)? {
        Some(p) => Some(PathBuf::from(p)),
        None => home(ctx).map(|h| h.join(".aliyun").join("config.json")),
    };
    if let Some(path) = config {
        out.push(report(ctx, path, "aliyun-cli config.json", |bytes| {
            config_json_profiles(bytes, selected.as_deref())
        }));
    }
    let ini_candidates: Vec<PathBuf> =
        match ctx.env_non_empty(alibaba::env_vars::CREDENTIALS_FILE)? {
            Some(p) => vec![PathBuf::from(p)],
            None => home(ctx)
                .map(|h| {
                    let dir = h.join(".alibabacloud");
                    vec![dir.join("credentials.ini"), dir.join("credentials")]
                })
                .unwrap_or_default(),
        };
    let current = selected.unwrap_or_else(|| "default".to_string());
    out.push(first_existing(
        ctx,
        ini_candidates,
        "credentials.ini",
        |bytes| alibaba_ini_profiles(bytes, &current),
    ));
    Ok(out)
}

fn tencent_files(ctx: &Context) -> Result<Vec<FileReport>> {
    let current = ctx
        .env_non_empty(tencent::env_vars::PROFILE)?
        .unwrap_or_else(|| tencent::DEFAULT_PROFILE.to_string());
    let candidates = match ctx.env_non_empty(tencent::env_vars::CREDENTIALS_FILE)? {
        Some(p) => vec![PathBuf::from(p)],
        None => home(ctx)
            .map(|h| h.join(".tencentcloud").join("credentials"))
            .into_iter()
            .chain([PathBuf::from(tencent::SYSTEM_CREDENTIALS_FILE)])
            .collect(),
    };
    let mut files = vec![first_existing(
        ctx,
        candidates,
        "tencentcloud credentials",
        |bytes| tencent_ini_profiles(bytes, &current),
    )];
    files.extend(tccli_files(ctx)?);
    Ok(files)
}

/// tccli keeps one file per profile, `~/.tccli/<profile>.credential`; the `tccli` source reads the
/// one `TCCLI_PROFILE` (else `default`) names.
fn tccli_files(ctx: &Context) -> Result<Vec<FileReport>> {
    let current = ctx
        .env_non_empty(tencent::env_vars::TCCLI_PROFILE)?
        .unwrap_or_else(|| tencent::DEFAULT_PROFILE.to_string());
    let Some(dir) = home(ctx).map(|h| h.join(".tccli")) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "credential"))
            .collect(),
        Err(_) => return Ok(Vec::new()),
    };
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let is_current = name == current;
            report(ctx, path, "tccli credential", move |bytes| {
                let file = tencent::parse_tccli_credential(bytes).map_err(|e| e.to_string())?;
                // tccli's own `type` names; a default-type file holds keys or a role.
                let mode = match file.kind {
                    Some(tencent::TccliCredentialType::CvmRole) => "cvm-role",
                    Some(tencent::TccliCredentialType::OAuth) => "oauth",
                    Some(tencent::TccliCredentialType::Sso) => "sso",
                    _ if file.role_arn.is_some() => "role",
                    _ => "keys",
                }
                .to_string();
                Ok(vec![Profile {
                    name: name.clone(),
                    mode,
                    region: None,
                    current: is_current,
                }])
            })
        })
        .collect())
}

/// Reports the first candidate that exists (the one the chain reads), else the first one missing.
fn first_existing(
    ctx: &Context,
    candidates: Vec<PathBuf>,
    format: &'static str,
    parse: impl Fn(&[u8]) -> std::result::Result<Vec<Profile>, String>,
) -> FileReport {
    for path in &candidates {
        let r = report(ctx, path.clone(), format, &parse);
        if r.profiles.is_some() || r.error.is_some() {
            return r;
        }
    }
    FileReport {
        path: candidates.into_iter().next().unwrap_or_default(),
        format,
        profiles: None,
        error: None,
    }
}

fn report(
    ctx: &Context,
    path: PathBuf,
    format: &'static str,
    parse: impl Fn(&[u8]) -> std::result::Result<Vec<Profile>, String>,
) -> FileReport {
    let (profiles, error) = match read(ctx, &path) {
        Ok(None) => (None, None),
        Ok(Some(bytes)) => match parse(&bytes) {
            Ok(p) => (Some(p), None),
            Err(e) => (Some(Vec::new()), Some(e)),
        },
        Err(e) => (Some(Vec::new()), Some(e)),
    };
    FileReport {
        path,
        format,
        profiles,
        error,
    }
}

fn config_json_profiles(
    bytes: &[u8],
    selected: Option<&str>,
) -> std::result::Result<Vec<Profile>, String> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("not valid JSON: {}", credchain::redact::json_error(&e)))?;
    let current = selected
        .map(str::to_string)
        .or_else(|| v["current"].as_str().map(str::to_string))
        .unwrap_or_default();
    let Some(list) = v.get("profiles") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| "\"profiles\" is not a list".to_string())?;
    Ok(list
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            Profile {
                current: name == current,
                mode: p["mode"].as_str().unwrap_or("(no mode)").to_string(),
                region: p["region_id"]
                    .as_str()
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
                name,
            }
        })
        .collect())
}

fn alibaba_ini_profiles(bytes: &[u8], current: &str) -> std::result::Result<Vec<Profile>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let ini = credchain::ini::IniDialect::ALIBABA
        .parse(text)
        .map_err(|e| format!("line {}: {}", e.line, e.message))?;
    Ok(ini
        .section_names()
        .map(|name| Profile {
            name: name.to_string(),
            mode: ini.get(name, "type").unwrap_or("(no type)").to_string(),
            region: ini.get(name, "region_id").map(str::to_string),
            current: name == current,
        })
        .collect())
}

fn tencent_ini_profiles(bytes: &[u8], current: &str) -> std::result::Result<Vec<Profile>, String> {
    let ini = credchain::ini::IniDialect::TENCENT
        .parse_bytes(bytes)
        .map_err(|e| e.to_string())?;
    Ok(ini
        .section_names()
        .map(|name| {
            let section = ini.section(name);
            let has = |k: &str| section.and_then(|s| s.get_non_empty(k)).is_some();
            Profile {
                name: name.to_string(),
                mode: if has("role_arn") { "role" } else { "keys" }.to_string(),
                region: section
                    .and_then(|s| s.get_non_empty("region"))
                    .map(str::to_string),
                current: name == current,
            }
        })
        .collect())
}

fn to_json(cloud: Cloud, files: &[FileReport]) -> Value {
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({
                "path": credchain::redact::path(&f.path),
                "format": f.format,
                "exists": f.profiles.is_some(),
                "error": f.error,
                "profiles": f.profiles.iter().flatten().map(|p| json!({
                    "name": p.name,
                    "mode": p.mode,
                    "region": p.region,
                    "current": p.current,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "cloud": match cloud { Cloud::Alibaba => "alibaba", Cloud::Tencent => "tencent" },
        "files": files,
    })
}

fn to_table(cloud: Cloud, files: &[FileReport]) -> String {
    let mode_label = match cloud {
        Cloud::Alibaba => "MODE",
        Cloud::Tencent => "TYPE",
    };
    let mut out = String::new();
    for f in files {
        let path = credchain::redact::path(&f.path);
        match (&f.profiles, &f.error) {
            (None, _) => out.push_str(&format!("{path} ({}): not found\n\n", f.format)),
            (Some(_), Some(e)) => out.push_str(&format!("{path} ({}): error: {e}\n\n", f.format)),
            (Some(list), None) if list.is_empty() => {
                out.push_str(&format!("{path} ({}): no profiles\n\n", f.format))
            }
            (Some(list), None) => {
                out.push_str(&format!("{path} ({}):\n", f.format));
                let width = list.iter().map(|p| p.name.len()).max().unwrap_or(0).max(7);
                out.push_str(&format!(
                    "    {:<width$}  {mode_label:<20}  REGION\n",
                    "PROFILE"
                ));
                for p in list {
                    let mark = if p.current { "*" } else { " " };
                    out.push_str(&format!(
                        "  {mark} {:<width$}  {:<20}  {}\n",
                        p.name,
                        p.mode,
                        p.region.as_deref().unwrap_or("-")
                    ));
                }
                out.push('\n');
            }
        }
    }
    out.push_str("(* = the profile the default chain uses from that file)\n");
    out
}
