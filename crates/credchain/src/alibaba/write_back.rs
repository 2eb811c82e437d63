//! Write-back of refreshed OAuth and External credentials into aliyun-cli's `config.json`
//! (`docs/sources/alibaba.md#write-back`, `docs/architecture.md#secret-hygiene`).
//!
//! - The target profile is found from the selected one by following `source_profile` links to the
//!   first profile of the wanted mode (`OAuth` or `External`), the fix of credentials-python
//!   #75/#76.
//! - Only the fields credchain owns are replaced. Every other key, of the file, of every profile
//!   and of the target profile, is kept with its value byte for byte and in its order (the
//!   Python behaviour; Go and Java drop unknown keys).
//! - One lock ([`crate::context::Fs::with_lock`], an advisory lock on `config.json.lock` for real
//!   files, removed after use) is held across read, modify and write, so concurrent writers,
//!   threads or processes, never lose each other's updates; the file is replaced atomically
//!   ([`crate::context::Fs::write_atomic`]: same-directory temp file, fsync, rename), so a
//!   writer killed midway leaves the old or the new file, and its temp file is removed by the
//!   next writer under the lock.
//! - The written file is owner-only (0600 on Unix), as aliyun-cli creates it, whatever its mode
//!   was: it holds access keys and tokens. Temp files are 0600 from their creation.
//! - Writes run on a blocking thread started as soon as the credentials are received
//!   (`start_blocking`); the caller's future going away does not stop them.
//! - Output: 4-space indentation, like the Python reference.

use std::fmt::Write as _;
use std::path::Path;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::context::{Context, MAX_FILE_SIZE};
use crate::error::{Error, ErrorKind, Result};

/// A JSON object whose members keep their order and their exact text.
struct OrderedObject(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out: Vec<(String, Box<RawValue>)> = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Box<RawValue>>()? {
                    // A duplicate key: the last one wins, as when parsing into a map.
                    out.retain(|(e, _)| *e != k);
                    out.push((k, v));
                }
                Ok(OrderedObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl OrderedObject {
    fn get(&self, k: &str) -> Option<&RawValue> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_ref())
    }
    fn get_str(&self, k: &str) -> Option<String> {
        self.get(k)
            .and_then(|v| serde_json::from_str::<Value>(v.get()).ok())
            .and_then(|v| v.as_str().map(str::to_string))
    }
    fn set(&mut self, k: &str, v: &Value) -> Result<()> {
        let raw = RawValue::from_string(v.to_string())
            .map_err(|e| Error::new(ErrorKind::File, format!("cannot encode {k}: {e}")))?;
        match self.0.iter_mut().find(|(n, _)| n == k) {
            Some(slot) => slot.1 = raw,
            None => self.0.push((k.to_string(), raw)),
        }
        Ok(())
    }
}

fn indent_raw(raw: &str, indent: &str, out: &mut String) {
    // A raw value spanning lines keeps its own layout; only its continuation lines are shifted.
    let mut first = true;
    for line in raw.split('\n') {
        if !first {
            out.push('\n');
            out.push_str(indent);
        }
        out.push_str(line);
        first = false;
    }
}

fn write_object(
    obj: &OrderedObject,
    indent: &str,
    out: &mut String,
    nested: &dyn Fn(&str, &RawValue, &str, &mut String) -> bool,
) {
    if obj.0.is_empty() {
        out.push_str("{}");
        return;
    }
    let inner = format!("{indent}    ");
    out.push_str("{\n");
    for (i, (k, v)) in obj.0.iter().enumerate() {
        out.push_str(&inner);
        out.push_str(&Value::String(k.clone()).to_string());
        out.push_str(": ");
        if !nested(k, v, &inner, out) {
            indent_raw(v.get(), "", out);
        }
        if i + 1 < obj.0.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str(indent);
    out.push('}');
}

/// The fields to store in a profile; `Value::Null` writes a JSON `null`.
pub(crate) type Fields = Vec<(&'static str, Value)>;

/// Rewrites `config.json` at `path` so that the profile reached from `start` (following
/// `source_profile`) whose mode is `mode` holds `fields`. Nothing is written when the values are
/// already there. Returns the name of the profile written, `None` when nothing changed.
pub fn update_profile_fields(
    ctx: &Context,
    path: &Path,
    start: &str,
    mode: &str,
    fields: &[(&str, Value)],
) -> Result<Option<String>> {
    let fs = ctx.fs();
    let mut outcome: Result<Option<String>> = Ok(None);
    let locked = fs.with_lock(path, &mut || {
        outcome = rewrite(ctx, path, start, mode, fields);
        Ok(())
    });
    if let Err(e) = locked {
        return Err(
            Error::new(ErrorKind::File, "cannot lock the cli credentials file")
                .with_file(path)
                .with_source(e),
        );
    }
    outcome
}

fn rewrite(
    ctx: &Context,
    path: &Path,
    start: &str,
    mode: &str,
    fields: &[(&str, Value)],
) -> Result<Option<String>> {
    let file_err = |m: String| Error::new(ErrorKind::File, m).with_file(path);
    let bytes = ctx
        .fs()
        .read(path, MAX_FILE_SIZE)
        .map_err(|e| file_err("cannot read the cli credentials file".into()).with_source(e))?;
    let root: OrderedObject = serde_json::from_slice(&bytes).map_err(|e| {
        file_err(format!(
            "the cli credentials file is not a JSON object (line {})",
            e.line()
        ))
    })?;
    let Some(profiles_raw) = root.get("profiles") else {
        return Err(file_err("the cli credentials file has no profiles".into()));
    };
    let raw_profiles: Vec<Box<RawValue>> = serde_json::from_str(profiles_raw.get())
        .map_err(|_| file_err("\"profiles\" is not an array".into()))?;
    let mut profiles: Vec<Option<OrderedObject>> = raw_profiles
        .iter()
        .map(|p| serde_json::from_str::<OrderedObject>(p.get()).ok())
        .collect();
    // Follow source_profile from `start` to the first profile of `mode`.
    let find = |profiles: &[Option<OrderedObject>], name: &str| {
        profiles.iter().position(|p| {
            p.as_ref()
                .is_some_and(|p| p.get_str("name").as_deref() == Some(name))
        })
    };
    let mut name = start.to_string();
    let mut seen = Vec::new();
    let index = loop {
        let Some(i) = find(&profiles, &name) else {
            return Err(file_err(format!("unable to get profile with '{name}'")));
        };
        let p = profiles[i].as_ref().expect("found above");
        if p.get_str("mode").as_deref() == Some(mode) {
            break i;
        }
        seen.push(name.clone());
        match p.get_str("source_profile") {
            Some(next) if !seen.contains(&next) => name = next,
            _ => {
                return Err(file_err(format!(
                    "no profile of mode {mode} reachable from profile '{start}'"
                )))
            }
        }
    };
    let target = profiles[index].as_mut().expect("found above");
    let unchanged = fields.iter().all(|(k, v)| {
        target
            .get(k)
            .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
            .as_ref()
            == Some(v)
    });
    if unchanged {
        return Ok(None);
    }
    for (k, v) in fields {
        target.set(k, v)?;
    }
    let out = serialize(&root, &profiles, &raw_profiles, path)?;
    ctx.fs()
        .write_atomic(path, out.as_bytes())
        .map_err(|e| file_err("cannot write the cli credentials file".into()).with_source(e))?;
    Ok(Some(
        profiles[index]
            .as_ref()
            .and_then(|p| p.get_str("name"))
            .unwrap_or_default(),
    ))
}

/// The file text: the root and the profiles array are laid out; everything else stays raw.
/// `raw_profiles[i]` is written as is where `profiles[i]` is `None` (not an object).
fn serialize(
    root: &OrderedObject,
    profiles: &[Option<OrderedObject>],
    raw_profiles: &[Box<RawValue>],
    path: &Path,
) -> Result<String> {
    let mut out = String::with_capacity(4096);
    let profiles_ref = profiles;
    let raw_ref = raw_profiles;
    write_object(root, "", &mut out, &|k, _v, indent, out| {
        if k != "profiles" {
            return false;
        }
        if profiles_ref.is_empty() {
            out.push_str("[]");
            return true;
        }
        let inner = format!("{indent}    ");
        out.push_str("[\n");
        for (i, p) in profiles_ref.iter().enumerate() {
            out.push_str(&inner);
            match p {
                Some(obj) => write_object(obj, &inner, out, &|_, _, _, _| false),
                None => indent_raw(raw_ref[i].get(), "", out),
            }
            if i + 1 < profiles_ref.len() {
                out.push(',');
            }
            out.push('\n');
        }
        let _ = write!(out, "{indent}]");
        true
    });
    out.push('\n');
    // Never write something that does not parse back.
    if serde_json::from_str::<Value>(&out).is_err() {
        return Err(Error::new(
            ErrorKind::File,
            "refusing to write an invalid cli credentials file",
        )
        .with_file(path));
    }
    Ok(out)
}

/// Creates or updates the profile `name` of `config.json` at `path` (`credchain configure`):
/// `fields` (for example `mode`, `access_key_id`, ...) are set, every other key of the profile,
/// of the other profiles and of the file is kept; a profile that does not exist is appended; a
/// file that does not exist is created (its directory must exist) with this profile as
/// `current`. With `set_current`, `current` names this profile. Same lock, atomic replacement and
/// 0600 mode as the write-back of refreshed credentials.
pub fn upsert_profile(
    ctx: &Context,
    path: &Path,
    name: &str,
    fields: &[(&str, Value)],
    set_current: bool,
) -> Result<()> {
    let mut outcome: Result<()> = Ok(());
    let locked = ctx.fs().with_lock(path, &mut || {
        outcome = upsert(ctx, path, name, fields, set_current);
        Ok(())
    });
    if let Err(e) = locked {
        return Err(
            Error::new(ErrorKind::File, "cannot lock the cli credentials file")
                .with_file(path)
                .with_source(e),
        );
    }
    outcome
}

fn upsert(
    ctx: &Context,
    path: &Path,
    name: &str,
    fields: &[(&str, Value)],
    set_current: bool,
) -> Result<()> {
    let file_err = |m: String| Error::new(ErrorKind::File, m).with_file(path);
    let bytes = match ctx.fs().read(path, MAX_FILE_SIZE) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(file_err("cannot read the cli credentials file".into()).with_source(e))
        }
    };
    let created = bytes.is_none();
    let mut root: OrderedObject = match &bytes {
        Some(b) => serde_json::from_slice(b).map_err(|e| {
            file_err(format!(
                "the cli credentials file is not a JSON object (line {})",
                e.line()
            ))
            .with_hint("fix the file by hand (credchain never overwrites a file it cannot read)")
        })?,
        None => OrderedObject(Vec::new()),
    };
    let raw_profiles: Vec<Box<RawValue>> = match root.get("profiles") {
        Some(raw) => serde_json::from_str(raw.get())
            .map_err(|_| file_err("\"profiles\" is not an array".into()))?,
        None => Vec::new(),
    };
    let mut profiles: Vec<Option<OrderedObject>> = raw_profiles
        .iter()
        .map(|p| serde_json::from_str::<OrderedObject>(p.get()).ok())
        .collect();
    let mut raw_profiles = raw_profiles;
    let existing = profiles.iter().position(|p| {
        p.as_ref()
            .is_some_and(|p| p.get_str("name").as_deref() == Some(name))
    });
    let index = match existing {
        Some(i) => i,
        None => {
            let mut p = OrderedObject(Vec::new());
            p.set("name", &Value::String(name.to_string()))?;
            profiles.push(Some(p));
            raw_profiles.push(RawValue::from_string("{}".into()).map_err(|e| {
                Error::new(ErrorKind::File, format!("cannot encode a profile: {e}"))
            })?);
            profiles.len() - 1
        }
    };
    let target = profiles[index].as_mut().expect("an object by construction");
    for (k, v) in fields {
        target.set(k, v)?;
    }
    if set_current || created || root.get("current").is_none() {
        root.set("current", &Value::String(name.to_string()))?;
    }
    if root.get("profiles").is_none() {
        root.set("profiles", &Value::Array(Vec::new()))?;
    }
    let out = serialize(&root, &profiles, &raw_profiles, path)?;
    ctx.fs()
        .write_atomic(path, out.as_bytes())
        .map_err(|e| file_err("cannot write the cli credentials file".into()).with_source(e))
}

/// Starts `f` (blocking file I/O, such as [`update_or_warn`]) on Tokio's blocking pool now and
/// returns a future that waits for it to finish.
///
/// `f` is started before this function returns, so it runs to the end even if the returned
/// future is never polled or is dropped: a caller that gives up (timeout, client gone) never
/// cancels the write of credentials already received. Without a Tokio runtime `f` runs inline.
pub(crate) fn start_blocking(
    what: &'static str,
    f: impl FnOnce() + Send + 'static,
) -> impl std::future::Future<Output = ()> {
    let handle = match tokio::runtime::Handle::try_current() {
        Ok(rt) => Some(rt.spawn_blocking(f)),
        Err(_) => {
            f();
            None
        }
    };
    async move {
        if let Some(handle) = handle {
            if let Err(e) = handle.await {
                tracing::warn!(error = %e, "the {what} callback failed");
            }
        }
    }
}

/// Writes, logging instead of failing (the references only warn when write-back fails).
pub(crate) fn update_or_warn(ctx: &Context, path: &Path, start: &str, mode: &str, fields: Fields) {
    let fields: Vec<(&str, Value)> = fields.into_iter().collect();
    match update_profile_fields(ctx, path, start, mode, &fields) {
        Ok(Some(p)) => {
            tracing::debug!(profile = %p, file = %path.display(), "refreshed credentials written back")
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "failed to write refreshed credentials back into the cli credentials file")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Fs, MemoryFs};
    use serde_json::json;

    /// A write started for a caller that then gives up (its future dropped unpolled) still
    /// happens, with or without a Tokio runtime.
    #[test]
    fn start_blocking_completes_when_the_future_is_dropped() {
        let (tx, rx) = std::sync::mpsc::channel();
        let tx2 = tx.clone();
        drop(start_blocking("test", move || tx2.send("inline").unwrap()));
        assert_eq!(rx.try_recv(), Ok("inline"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            drop(start_blocking("test", move || tx.send("pool").unwrap()));
        });
        assert_eq!(
            rx.recv_timeout(std::time::Duration::from_secs(30)),
            Ok("pool")
        );
    }

    #[test]
    fn keeps_unknown_keys_order_and_follows_source_profile() {
        let text = r#"{"current":"chain","profiles":[
            {"name":"chain","mode":"ChainableRamRoleArn","source_profile":"oa","x_custom":{"a":[1,2.50]}},
            {"name":"oa","mode":"OAuth","oauth_site_type":"CN","language":"zh","retry_count":0},
            7
        ],"meta_path":"","zz_unknown":true}"#;
        let fs = MemoryFs::new().with_file("/c.json", text);
        let ctx = Context::empty().with_fs(fs.clone());
        let fields = [
            ("oauth_access_token", json!("at")),
            ("sts_expiration", json!(5)),
        ];
        let w =
            update_profile_fields(&ctx, Path::new("/c.json"), "chain", "OAuth", &fields).unwrap();
        assert_eq!(w.as_deref(), Some("oa"));
        let out = String::from_utf8(fs.read(Path::new("/c.json"), 1 << 20).unwrap()).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["profiles"][1]["oauth_access_token"], "at");
        assert_eq!(v["profiles"][1]["language"], "zh");
        assert_eq!(v["profiles"][2], 7);
        assert_eq!(v["zz_unknown"], true);
        assert!(out.contains("2.50"), "raw numbers are kept: {out}");
        assert!(out.find("\"current\"").unwrap() < out.find("\"zz_unknown\"").unwrap());
        assert!(out.find("\"language\"").unwrap() < out.find("\"oauth_access_token\"").unwrap());
        // Same values again: nothing to write.
        assert_eq!(
            update_profile_fields(&ctx, Path::new("/c.json"), "chain", "OAuth", &fields).unwrap(),
            None
        );
        let e = update_profile_fields(&ctx, Path::new("/c.json"), "chain", "External", &fields)
            .unwrap_err();
        assert!(e.message().contains("no profile of mode External"), "{e}");
    }
}
