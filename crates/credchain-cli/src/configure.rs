//! `credchain configure`: write a profile in the cloud's own file and format.
//!
//! - Alibaba: a profile of aliyun-cli's `config.json` (`ALIBABA_CLOUD_CONFIG_FILE`, else
//!   `~/.aliyun/config.json`) with aliyun-cli's keys, through the library's locked, atomic, 0600
//!   write ([`credchain::alibaba::write_back::upsert_profile`]): every other key and profile is
//!   kept; `--set-current` (or a new file) makes it `current`.
//! - Tencent: a section of the credentials file (`TENCENTCLOUD_CREDENTIALS_FILE`, else
//!   `~/.tencentcloud/credentials`), edited line by line under the same lock and atomic 0600
//!   replacement: keys of the section are replaced in place, new keys appended to the section, a
//!   new section appended to the file; every other line (comments included) is kept.
//! - Each mode has required and optional fields ([`fields_of`]); flags are the file's keys with
//!   dashes. A required field not given is asked for on a terminal (secrets without echo); with no
//!   terminal it is an error naming the flag. A flag the mode does not use is an error rather
//!   than a key silently written where nothing reads it.
//! - Nothing given is ever printed back: the confirmation names the profile, mode and file only.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use credchain::context::{Context, MAX_FILE_SIZE};
use credchain::{alibaba, tencent, Error, ErrorKind, Result};
use serde_json::Value;

use crate::cli::{Cloud, ConfigureArgs};
use crate::resolve;

/// One key a mode writes.
#[derive(Clone, Copy)]
struct Field {
    key: &'static str,
    required: bool,
    secret: bool,
}

const fn req(key: &'static str) -> Field {
    Field {
        key,
        required: true,
        secret: false,
    }
}
const fn secret(key: &'static str) -> Field {
    Field {
        key,
        required: true,
        secret: true,
    }
}
const fn opt(key: &'static str) -> Field {
    Field {
        key,
        required: false,
        secret: false,
    }
}

/// Alibaba modes (aliyun-cli's names).
pub const ALIBABA_MODES: &[&str] = &[
    "AK",
    "StsToken",
    "RamRoleArn",
    "EcsRamRole",
    "OIDC",
    "ChainableRamRoleArn",
    "CredentialsURI",
    "External",
];
/// Tencent profile kinds: long-term keys, or keys plus a role to assume.
pub const TENCENT_MODES: &[&str] = &["keys", "role"];

/// The fields of `mode`, `None` for a mode the cloud does not have.
fn fields_of(cloud: Cloud, mode: &str) -> Option<Vec<Field>> {
    let mut f = match (cloud, mode) {
        (Cloud::Alibaba, "AK") => vec![req("access_key_id"), secret("access_key_secret")],
        (Cloud::Alibaba, "StsToken") => vec![
            req("access_key_id"),
            secret("access_key_secret"),
            secret("sts_token"),
        ],
        (Cloud::Alibaba, "RamRoleArn") => vec![
            req("access_key_id"),
            secret("access_key_secret"),
            req("ram_role_arn"),
            opt("ram_session_name"),
        ],
        (Cloud::Alibaba, "EcsRamRole") => vec![opt("ram_role_name")],
        (Cloud::Alibaba, "OIDC") => vec![
            req("ram_role_arn"),
            req("oidc_provider_arn"),
            req("oidc_token_file"),
            opt("ram_session_name"),
        ],
        (Cloud::Alibaba, "ChainableRamRoleArn") => vec![
            req("source_profile"),
            req("ram_role_arn"),
            opt("ram_session_name"),
        ],
        (Cloud::Alibaba, "CredentialsURI") => vec![req("credentials_uri")],
        (Cloud::Alibaba, "External") => vec![req("process_command")],
        (Cloud::Tencent, "keys") => {
            vec![
                req("secret_id"),
                secret("secret_key"),
                Field {
                    key: "token",
                    required: false,
                    secret: true,
                },
            ]
        }
        (Cloud::Tencent, "role") => vec![
            req("secret_id"),
            secret("secret_key"),
            req("role_arn"),
            opt("role_session_name"),
        ],
        _ => return None,
    };
    if cloud == Cloud::Alibaba {
        f.push(opt("region_id"));
    }
    Some(f)
}

/// The flag value given for the file key `key`.
fn given<'a>(args: &'a ConfigureArgs, key: &str) -> Option<&'a str> {
    let v = match key {
        "access_key_id" => &args.access_key_id,
        "access_key_secret" => &args.access_key_secret,
        "sts_token" => &args.sts_token,
        "ram_role_arn" => &args.ram_role_arn,
        "ram_session_name" => &args.ram_session_name,
        "ram_role_name" => &args.ram_role_name,
        "oidc_provider_arn" => &args.oidc_provider_arn,
        "oidc_token_file" => &args.oidc_token_file,
        "source_profile" => &args.source_profile,
        "credentials_uri" => &args.credentials_uri,
        "process_command" => &args.process_command,
        "region_id" => &args.region_id,
        "secret_id" => &args.secret_id,
        "secret_key" => &args.secret_key,
        "token" => &args.token,
        "role_arn" => &args.role_arn,
        "role_session_name" => &args.role_session_name,
        _ => &None,
    };
    v.as_deref()
}

/// Every key a flag exists for.
const ALL_KEYS: &[&str] = &[
    "access_key_id",
    "access_key_secret",
    "sts_token",
    "ram_role_arn",
    "ram_session_name",
    "ram_role_name",
    "oidc_provider_arn",
    "oidc_token_file",
    "source_profile",
    "credentials_uri",
    "process_command",
    "region_id",
    "secret_id",
    "secret_key",
    "token",
    "role_arn",
    "role_session_name",
];

fn flag(key: &str) -> String {
    format!("--{}", key.replace('_', "-"))
}

/// Writes the profile; returns the confirmation line.
pub fn run(args: &ConfigureArgs) -> Result<String> {
    let ctx = resolve::real_context();
    let modes = match args.cloud {
        Cloud::Alibaba => ALIBABA_MODES,
        Cloud::Tencent => TENCENT_MODES,
    };
    let fields = fields_of(args.cloud, &args.mode).ok_or_else(|| {
        Error::invalid_config(format!(
            "'{}' is not a {} profile mode",
            args.mode,
            args.cloud.title()
        ))
        .with_hint(format!("use one of: {}", modes.join(", ")))
    })?;
    check_name(&args.profile)?;
    if let Some(unused) = ALL_KEYS
        .iter()
        .find(|k| given(args, k).is_some() && !fields.iter().any(|f| f.key == **k))
    {
        return Err(Error::invalid_config(format!(
            "{} is not used by mode {}",
            flag(unused),
            args.mode
        ))
        .with_hint(format!(
            "mode {} takes: {}",
            args.mode,
            fields
                .iter()
                .map(|f| flag(f.key))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if args.set_current && args.cloud == Cloud::Tencent {
        return Err(Error::invalid_config(
            "--set-current is for Alibaba's config.json; Tencent selects a profile with TENCENTCLOUD_PROFILE",
        ));
    }
    let mut values: Vec<(&'static str, String)> = Vec::new();
    for f in &fields {
        let value = match given(args, f.key) {
            Some(v) => Some(v.to_string()),
            None if f.required => Some(ask(f)?),
            None => None,
        };
        if let Some(v) = value {
            check_value(f.key, &v)?;
            values.push((f.key, v));
        }
    }
    let path = match args.cloud {
        Cloud::Alibaba => alibaba_path(&ctx)?,
        Cloud::Tencent => tencent_path(&ctx)?,
    };
    make_parent(&path)?;
    match args.cloud {
        Cloud::Alibaba => {
            let mut json: Vec<(&str, Value)> = vec![("mode", Value::String(args.mode.clone()))];
            json.extend(values.iter().map(|(k, v)| (*k, Value::String(v.clone()))));
            alibaba::write_back::upsert_profile(
                &ctx,
                &path,
                &args.profile,
                &json,
                args.set_current,
            )?;
        }
        Cloud::Tencent => write_ini_section(&ctx, &path, &args.profile, &values)?,
    }
    Ok(format!(
        "Wrote profile '{}' (mode {}) to {}{}.\n",
        args.profile,
        args.mode,
        credchain::redact::path(&path),
        if args.set_current {
            ", now current"
        } else {
            ""
        }
    ))
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.contains(['[', ']', '\n', '\r']) || name.trim() != name {
        return Err(Error::invalid_config(
            "the profile name must be non-empty, without surrounding spaces, brackets or line breaks",
        ));
    }
    Ok(())
}

fn check_value(key: &str, v: &str) -> Result<()> {
    if v.is_empty() || v.contains(['\n', '\r', '\0']) {
        return Err(Error::invalid_config(format!(
            "the value of {} must be non-empty and on one line",
            flag(key)
        )));
    }
    Ok(())
}

/// Asks for a required field on the terminal; without one, says which flag to give.
fn ask(f: &Field) -> Result<String> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::invalid_config(format!(
            "{} is required for this mode and there is no terminal to ask on",
            flag(f.key)
        ))
        .with_hint(format!("pass {} VALUE", flag(f.key))));
    }
    let prompt = format!("{}: ", f.key);
    let answer = if f.secret {
        rpassword::prompt_password(&prompt)
    } else {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    }
    .map_err(|e| {
        Error::new(
            ErrorKind::File,
            format!("cannot read {} from the terminal: {e}", f.key),
        )
    })?;
    let answer = answer.trim_end_matches(['\n', '\r']).to_string();
    if answer.is_empty() {
        return Err(Error::invalid_config(format!(
            "no value given for {}",
            f.key
        )));
    }
    Ok(answer)
}

fn alibaba_path(ctx: &Context) -> Result<PathBuf> {
    if let Some(p) = ctx.env_non_empty(alibaba::env_vars::CONFIG_FILE)? {
        return Ok(PathBuf::from(p));
    }
    ctx.env()
        .home_dir()
        .map(|h| h.join(".aliyun").join("config.json"))
        .ok_or_else(no_home)
}

fn tencent_path(ctx: &Context) -> Result<PathBuf> {
    if let Some(p) = ctx.env_non_empty(tencent::env_vars::CREDENTIALS_FILE)? {
        return Ok(PathBuf::from(p));
    }
    ctx.env()
        .home_dir()
        .map(|h| h.join(".tencentcloud").join("credentials"))
        .ok_or_else(no_home)
}

fn no_home() -> Error {
    Error::invalid_config("no home directory (HOME) to put the file in").with_hint(
        "set HOME, or name the file with ALIBABA_CLOUD_CONFIG_FILE / TENCENTCLOUD_CREDENTIALS_FILE",
    )
}

/// Creates the file's directory, owner-only, when it does not exist.
fn make_parent(path: &Path) -> Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| {
        Error::new(ErrorKind::File, format!("cannot create the directory: {e}")).with_file(dir)
    })
}

/// Sets `values` in section `[name]` of the INI file, under the file's lock.
fn write_ini_section(
    ctx: &Context,
    path: &Path,
    name: &str,
    values: &[(&str, String)],
) -> Result<()> {
    let mut outcome: Result<()> = Ok(());
    let locked = ctx.fs().with_lock(path, &mut || {
        outcome = (|| {
            let text = match ctx.fs().read(path, MAX_FILE_SIZE) {
                Ok(b) => String::from_utf8(b).map_err(|_| {
                    Error::new(ErrorKind::File, "the credentials file is not UTF-8 text")
                        .with_file(path)
                })?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => {
                    return Err(
                        Error::new(ErrorKind::File, "cannot read the credentials file")
                            .with_file(path)
                            .with_source(e),
                    )
                }
            };
            let out = set_in_section(&text, name, values);
            ctx.fs().write_atomic(path, out.as_bytes()).map_err(|e| {
                Error::new(ErrorKind::File, "cannot write the credentials file")
                    .with_file(path)
                    .with_source(e)
            })
        })();
        Ok(())
    });
    locked.map_err(|e| {
        Error::new(ErrorKind::File, "cannot lock the credentials file")
            .with_file(path)
            .with_source(e)
    })?;
    outcome
}

/// The INI text with `values` set in section `[name]`: existing keys replaced in place, new ones
/// added after the section's last line, the section appended when absent.
fn set_in_section(text: &str, name: &str, values: &[(&str, String)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let is_header = |l: &str| l.trim_start().starts_with('[');
    let start = lines.iter().position(|l| l.trim() == format!("[{name}]"));
    let Some(start) = start else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("[{name}]\n"));
        for (k, v) in values {
            out.push_str(&format!("{k} = {v}\n"));
        }
        return out;
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| is_header(l))
        .map_or(lines.len(), |i| start + 1 + i);
    let mut insert_at = lines[start + 1..end]
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start + 1, |i| start + 2 + i);
    for (k, v) in values {
        let key_of = |l: &str| l.split_once('=').map(|(k, _)| k.trim().to_string());
        match (start + 1..insert_at).find(|&i| key_of(&lines[i]).as_deref() == Some(*k)) {
            Some(i) => lines[i] = format!("{k} = {v}"),
            None => {
                lines.insert(insert_at, format!("{k} = {v}"));
                insert_at += 1;
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_edited_in_place() {
        let text = "# keep me\n[default]\nsecret_id = A\nsecret_key = B\n\n[dev]\nsecret_id = C\n";
        let out = set_in_section(
            text,
            "default",
            &[("secret_key", "Z".into()), ("token", "T".into())],
        );
        assert_eq!(
            out,
            "# keep me\n[default]\nsecret_id = A\nsecret_key = Z\ntoken = T\n\n[dev]\nsecret_id = C\n"
        );
        let out = set_in_section("[a]\nx = 1", "b", &[("y", "2".into())]);
        assert_eq!(out, "[a]\nx = 1\n\n[b]\ny = 2\n");
        assert_eq!(
            set_in_section("", "n", &[("k", "v".into())]),
            "[n]\nk = v\n"
        );
    }
}
