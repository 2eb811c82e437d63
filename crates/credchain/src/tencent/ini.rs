//! A small, strict INI parser for the Tencent Cloud credentials file
//! (`docs/sources/tencent.md#profile-file`).
//!
//! Rules (the Go SDK's `ini.go`, with the gaps closed):
//! - lines are split on `\n`; a `\r` at the end of a line is removed (CRLF files work); each line
//!   is trimmed; a UTF-8 byte-order mark at the start of the file is ignored;
//! - blank lines are skipped; a line starting with `#` or `;` is a comment; there are **no inline
//!   comments** (`secret_id = abc # note` has the value `abc # note`, as in every SDK);
//! - `[name]` opens a section (the name is trimmed and compared case-sensitively, so `[Default]` is
//!   not `[default]`); `[]`, `[   ]` or a `[` without its closing `]` is an error naming the line;
//! - `key = value` or `key: value` (the first `=` or `:` splits, as in Python's `configparser`;
//!   Go accepts only `=`): the key is trimmed and lower-cased (keys are case-insensitive), the value
//!   is trimmed; `key =` (empty value) is kept as empty and treated as missing by the callers;
//! - **quote policy**: one pair of matching surrounding quotes (`"..."` or `'...'`) is removed
//!   (`secret_id = "AKID..."` gives `AKID...`). The SDKs keep the quotes and then fail at the server
//!   with a signature error; no SecretId, SecretKey or token ever contains quotes, so removing them
//!   cannot break a working file. Anything inside the quotes is kept verbatim (padding inside them is
//!   then reported as an invalid credential);
//! - a line that is none of these (no `=` or `:`, or one first) is an error naming the line (Go
//!   ignores it, Python raises `ParsingError`); so is a key before the first section header (Python
//!   raises `MissingSectionHeaderError`). An indented line is not a continuation of the previous
//!   value: Python's `configparser` appends it after a newline, giving a SecretKey with a newline
//!   inside that no server accepts; here it is the same error as any other line without `=`;
//! - duplicate keys: the last one wins; a repeated section continues the earlier one (Go; Python's
//!   `configparser` raises `DuplicateOptionError` / `DuplicateSectionError`);
//! - the text must be UTF-8: binary garbage is an error, never a panic.

use std::fmt;

/// A parse error: what is wrong and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    /// 1-based line number (0 for errors about the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for IniError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

/// One section: its name and keys (lower-cased) with values, in file order.
///
/// `Debug` shows the name, line and keys, never values (they include `secret_key`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The section name as written (trimmed).
    pub name: String,
    /// The 1-based line of its (first) header.
    pub line: usize,
    entries: Vec<(String, String, usize)>,
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.entries.iter().map(|(k, _, _)| k.as_str()).collect();
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("line", &self.line)
            .field("keys", &keys)
            .finish()
    }
}

impl Section {
    /// The value of `key` (case-insensitive), the last one when repeated.
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.entries
            .iter()
            .rev()
            .find(|(k, _, _)| *k == key)
            .map(|(_, v, _)| v.as_str())
    }

    /// The value of `key` when present and not empty.
    pub fn get_non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// The 1-based line where `key` was (last) set.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        let key = key.to_ascii_lowercase();
        self.entries
            .iter()
            .rev()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, l)| *l)
    }

    /// The keys, lower-cased, in file order (repeats included).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _, _)| k.as_str())
    }
}

/// A parsed file: its sections in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ini {
    sections: Vec<Section>,
}

impl Ini {
    /// The section named `name` (case-sensitive).
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The section names in file order.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|s| s.name.as_str())
    }
}

/// Parses INI bytes. Never panics.
///
/// ```
/// use credchain::tencent::ini::parse;
/// let ini = parse(b"# comment\r\n[default]\r\nSecret_Id = \"AKID\"\r\nsecret_key=k # not a comment\r\n").unwrap();
/// let s = ini.section("default").unwrap();
/// assert_eq!(s.get("secret_id"), Some("AKID"));
/// assert_eq!(s.get("SECRET_KEY"), Some("k # not a comment"));
/// assert_eq!(parse(b"[default\n").unwrap_err().line, 1);
/// ```
pub fn parse(bytes: &[u8]) -> Result<Ini, IniError> {
    let text = std::str::from_utf8(bytes).map_err(|e| IniError {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        message: "the file is not UTF-8 text (is it a binary file?)".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ini = Ini::default();
    let mut current: Option<usize> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(err(
                    line_no,
                    "wrong section header: '[' without a closing ']'",
                ));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(err(
                    line_no,
                    "wrong section header: empty section name '[]'",
                ));
            }
            if name.contains(['[', ']']) {
                return Err(err(
                    line_no,
                    "wrong section header: brackets inside the section name",
                ));
            }
            current = Some(match ini.sections.iter().position(|s| s.name == name) {
                Some(idx) => idx,
                None => {
                    ini.sections.push(Section {
                        name: name.to_string(),
                        line: line_no,
                        entries: Vec::new(),
                    });
                    ini.sections.len() - 1
                }
            });
            continue;
        }
        let Some(eq) = line.find(['=', ':']) else {
            return Err(err(
                line_no,
                "expected 'key = value', a '[section]' header or a comment",
            ));
        };
        let key = line[..eq].trim();
        if key.is_empty() {
            return Err(err(line_no, "a key is missing before '=' or ':'"));
        }
        let Some(idx) = current else {
            return Err(err(
                line_no,
                "a key appears before the first '[section]' header",
            ));
        };
        let value = unquote(line[eq + 1..].trim());
        ini.sections[idx]
            .entries
            .push((key.to_ascii_lowercase(), value.to_string(), line_no));
    }
    Ok(ini)
}

fn err(line: usize, message: &str) -> IniError {
    IniError {
        line,
        message: message.to_string(),
    }
}

/// Removes one pair of matching surrounding quotes.
fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_crlf_whitespace_and_case() {
        let ini = parse(
            b"\xef\xbb\xbf; top\r\n\r\n[default]\r\n  SECRET_ID   =   AKIDx  \r\n#secret_key=no\r\nsecret_key=k=v\r\n",
        )
        .unwrap();
        let s = ini.section("default").unwrap();
        assert_eq!(s.get("secret_id"), Some("AKIDx"));
        assert_eq!(s.get("secret_key"), Some("k=v"));
        assert_eq!(s.line_of("secret_key"), Some(6));
        assert!(ini.section("Default").is_none());
    }

    #[test]
    fn colon_separates_like_configparser() {
        let ini = parse(b"[default]\nSecret_Id : AKIDx\nsecret_key=a:b\ntoken: t=1\n").unwrap();
        let s = ini.section("default").unwrap();
        assert_eq!(s.get("secret_id"), Some("AKIDx"));
        assert_eq!(s.get("secret_key"), Some("a:b"));
        assert_eq!(s.get("token"), Some("t=1"));
        assert_eq!(parse(b"[default]\n: v\n").unwrap_err().line, 2);
    }

    #[test]
    fn empty_values_and_quotes() {
        let ini = parse(b"[a]\nk1=\nk2 = \"\"\nk3='x y'\nk4=\"mismatch'\nk5=\"\n").unwrap();
        let s = ini.section("a").unwrap();
        assert_eq!(s.get("k1"), Some(""));
        assert_eq!(s.get_non_empty("k1"), None);
        assert_eq!(s.get("k2"), Some(""));
        assert_eq!(s.get("k3"), Some("x y"));
        assert_eq!(s.get("k4"), Some("\"mismatch'"));
        assert_eq!(s.get("k5"), Some("\""));
    }

    #[test]
    fn bad_headers_and_lines() {
        for (text, line) in [
            (&b"[]\n"[..], 1),
            (b"[default]\nx=1\n[ \n", 3),
            (b"\n[default\n", 2),
            (b"[a]]\n", 1),
            (b"[default]\njust words\n", 2),
            (b"[default]\n= v\n", 2),
            (b"k = v\n[default]\n", 1),
            (b"[a]\n\xff\xfe\n", 2),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, line, "{:?}: {e}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn duplicates_last_wins_and_sections_merge() {
        let ini = parse(b"[a]\nk=1\n[b]\nk=2\n[a]\nk=3\nj=4\n").unwrap();
        assert_eq!(ini.section("a").unwrap().get("k"), Some("3"));
        assert_eq!(ini.section("a").unwrap().get("j"), Some("4"));
        assert_eq!(ini.section_names().collect::<Vec<_>>(), ["a", "b"]);
    }
}
