//! Finding the scenario folders and choosing which to run.
//!
//! The tree is `tests/scenarios/<cloud>/<provider>/<case>/`: the provider folder is named after
//! the source the case is about (its provider name: `env`, `ram_role_arn`, `cvm_role`, ...), or
//! `chain` for chain-order cases, or `config` for the `Config` type dispatch itself. Every case
//! folder holds a one-line `docs` (what the case checks) and an `expected.json`. A folder that
//! breaks the layout fails the run by name instead of being skipped, so a case cannot silently
//! stop running.

use std::path::{Path, PathBuf};

/// The clouds, each a folder under the scenario root.
pub const CLOUDS: [&str; 2] = ["alibaba", "tencent"];

/// The variable that narrows a run to the cases under one name (see [`Selection`]).
pub const FILTER_VARIABLE: &str = "CREDCHAIN_SCENARIO";

/// One case folder.
#[derive(Debug)]
pub struct Case {
    /// `<cloud>/<provider>/<case>`, with `/` on every platform.
    pub name: String,
    /// The cloud folder the case sits in.
    pub cloud: &'static str,
    /// The case folder.
    pub dir: PathBuf,
}

/// Every case under `root`, sorted by name, or every layout problem found (each names the
/// folder and says how to fix it).
pub fn find_cases(root: &Path) -> Result<Vec<Case>, Vec<String>> {
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for cloud in CLOUDS {
        for provider in subfolders(&root.join(cloud), &mut problems) {
            if provider.join("expected.json").is_file() {
                problems.push(format!(
                    "{}: a case folder directly under the cloud; move it to \
                     <cloud>/<provider name>/<case>/",
                    display(root, &provider)
                ));
                continue;
            }
            for dir in subfolders(&provider, &mut problems) {
                let name = display(root, &dir);
                match case_problem(&dir) {
                    Some(p) => problems.push(format!("{name}: {p}")),
                    None => cases.push(Case { name, cloud, dir }),
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// What is missing from a case folder, if anything.
fn case_problem(dir: &Path) -> Option<String> {
    if !dir.join("expected.json").is_file() {
        return Some("no expected.json (every case folder needs one)".into());
    }
    let docs = match std::fs::read_to_string(dir.join("docs")) {
        Ok(text) => text,
        Err(e) => {
            return Some(format!(
                "cannot read `docs` ({e}); add one line saying what the case checks"
            ))
        }
    };
    let lines: Vec<&str> = docs.lines().filter(|l| !l.trim().is_empty()).collect();
    (lines.len() != 1).then(|| {
        format!(
            "`docs` has {} non-empty lines; it must be exactly one line saying what the case checks",
            lines.len()
        )
    })
}

/// The folders directly inside `dir`, sorted; unreadable folders are recorded as problems.
fn subfolders(dir: &Path, problems: &mut Vec<String>) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(format!("{}: cannot list ({e})", dir.display()));
            return Vec::new();
        }
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// `path` relative to `root`, joined with `/`.
fn display(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Which cases a run takes: all of them, or those under one name given in [`FILTER_VARIABLE`]
/// (`alibaba`, `alibaba/env`, `alibaba/env/access_key`), matched whole segment by segment so
/// `alibaba/env` does not take `alibaba/env_x`.
#[derive(Debug, PartialEq, Eq)]
pub enum Selection {
    /// Every case.
    All,
    /// The cases whose name is this one or starts with it followed by `/`.
    Under(String),
}

impl Selection {
    /// The selection the value of [`FILTER_VARIABLE`] asks for (unset or empty: all).
    pub fn from_value(value: Option<&str>) -> Self {
        match value.map(|v| v.trim().trim_matches('/')) {
            None | Some("") => Selection::All,
            Some(v) => Selection::Under(v.to_string()),
        }
    }

    /// Whether the case named `name` is selected.
    pub fn takes(&self, name: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Under(prefix) => name
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
        }
    }
}

#[test]
fn selection_matches_whole_segments() {
    let s = Selection::from_value(Some("alibaba/env/"));
    assert_eq!(s, Selection::Under("alibaba/env".into()));
    assert!(s.takes("alibaba/env/access_key"));
    assert!(!s.takes("alibaba/env_x/access_key"));
    assert!(!s.takes("tencent/env/access_key"));
    assert!(Selection::from_value(Some(" ")).takes("tencent/env/x"));
    assert!(Selection::from_value(None).takes("tencent/env/x"));
    let one = Selection::from_value(Some("tencent/cvm_role/disabled"));
    assert!(one.takes("tencent/cvm_role/disabled"));
    assert!(!one.takes("tencent/cvm_role/disabled_by_one"));
}

#[test]
fn layout_problems_are_named() {
    let root = std::env::temp_dir().join(format!("credchain-layout-{}", std::process::id()));
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("alibaba/env/good/expected.json", "{}");
    write("alibaba/env/good/docs", "Checks one thing.\n");
    write("alibaba/env/no_docs/expected.json", "{}");
    write("alibaba/env/two_lines/expected.json", "{}");
    write("alibaba/env/two_lines/docs", "one\ntwo\n");
    write("alibaba/env/no_expected/docs", "Checks.\n");
    write("alibaba/flat_case/expected.json", "{}");
    std::fs::create_dir_all(root.join("tencent")).unwrap();
    let problems = find_cases(&root).unwrap_err();
    std::fs::remove_dir_all(&root).unwrap();
    let joined = problems.join("\n");
    assert_eq!(problems.len(), 4, "{joined}");
    for name in [
        "alibaba/env/no_docs: cannot read `docs`",
        "alibaba/env/two_lines: `docs` has 2",
        "alibaba/env/no_expected: no expected.json",
        "alibaba/flat_case: a case folder directly under the cloud",
    ] {
        assert!(joined.contains(name), "{name} missing from:\n{joined}");
    }
}
