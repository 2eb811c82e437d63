//! A small INI parser for `credentials.ini` (`docs/sources/alibaba.md#ini-profile-file`).
//!
//! Rules (a strict subset of what Python's `configparser` and the Java parser both accept, with
//! errors instead of surprises):
//! - `[name]` starts a section; the name is trimmed and case-sensitive. A blank name `[ ]` is an
//!   error, as is a section that appears twice.
//! - `key = value` or `key: value` (the first `=` or `:` splits); key and value are trimmed; keys
//!   are case-insensitive (stored lower-case). A key twice in one section is an error.
//! - Lines whose first non-blank character is `#` or `;` are comments; blank lines are ignored.
//! - An inline comment needs whitespace before its `#` or `;` (`key = v # note`), so a secret
//!   containing `#` is kept whole (Python cuts at any `#`, truncating such secrets).
//! - Quotes are kept as part of the value (both references do).
//! - A key before the first section, or a line that is neither, is an error naming the line.
//! - Leading whitespace is ignored everywhere (no continuation lines: Python's `configparser`
//!   appends an indented line to the previous value after a newline, a value no server accepts;
//!   here such a line is an error like any other line without `=`).
//! - Values are literal: no `%` interpolation (Python's `configparser` rejects a bare `%` and turns
//!   `%%` into `%`; AccessKey ids and secrets never contain `%`). An inline ` ;` comment is cut like
//!   ` #` (Python keeps `v ; note` as the value). A UTF-8 byte-order mark at the start is ignored
//!   (Python reads it as part of the first line and fails with `MissingSectionHeaderError`).
//! - Where this differs from Python (the points above, `#` inside values, `[ ]`, trimmed section
//!   names) the choice is deliberate: no valid credential file changes meaning, and a typo is an
//!   error naming its line instead of a silently different value.

use std::collections::BTreeMap;

/// A parse error: 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed file: sections in file order, each a map of lower-case keys to values.
///
/// `Debug` shows section names and keys, never values (they include `access_key_secret`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Ini {
    sections: Vec<(String, BTreeMap<String, String>)>,
}

impl std::fmt::Debug for Ini {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (name, keys) in &self.sections {
            m.entry(name, &keys.keys().collect::<Vec<_>>());
        }
        m.finish()
    }
}

impl Ini {
    /// Parses `text`.
    ///
    /// ```
    /// use credchain::alibaba::Ini;
    /// let ini = Ini::parse("[default]\nType = access_key\naccess_key_id: id # note\n").unwrap();
    /// assert_eq!(ini.get("default", "type"), Some("access_key"));
    /// assert_eq!(ini.get("default", "access_key_id"), Some("id"));
    /// assert_eq!(Ini::parse("x = 1").unwrap_err().line, 1);
    /// ```
    pub fn parse(text: &str) -> Result<Ini, IniError> {
        let mut ini = Ini::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let err = |m: &str| {
                Err(IniError {
                    line: line_no,
                    message: m.to_string(),
                })
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(end) = rest.find(']') else {
                    return err("unclosed section header");
                };
                let name = rest[..end].trim();
                let after = strip_comment(&rest[end + 1..]);
                if !after.trim().is_empty() {
                    return err("unexpected text after the section header");
                }
                if name.is_empty() {
                    return err("empty section name");
                }
                if ini.sections.iter().any(|(n, _)| n == name) {
                    return Err(IniError {
                        line: line_no,
                        message: format!("section [{name}] appears twice"),
                    });
                }
                ini.sections.push((name.to_string(), BTreeMap::new()));
                continue;
            }
            let Some(split) = line.find(['=', ':']) else {
                return err("expected `key = value`, a [section] header or a comment");
            };
            let key = line[..split].trim().to_ascii_lowercase();
            let value = strip_comment(&line[split + 1..]).trim().to_string();
            if key.is_empty() {
                return err("empty key");
            }
            let Some((_, section)) = ini.sections.last_mut() else {
                return err("key before the first [section] header");
            };
            if section.contains_key(&key) {
                return Err(IniError {
                    line: line_no,
                    message: format!("key '{key}' appears twice in the section"),
                });
            }
            section.insert(key, value);
        }
        Ok(ini)
    }

    /// The section `name`, if present.
    pub fn section(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }

    /// One value (`key` is matched case-insensitively).
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.section(section)?
            .get(&key.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Section names in file order.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(n, _)| n.as_str())
    }
}

/// Cuts an inline comment: `#` or `;` preceded by whitespace.
fn strip_comment(v: &str) -> &str {
    let bytes = v.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if (*b == b'#' || *b == b';') && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return &v[..i];
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_rules() {
        let text = "; comment\n# comment\n\n[default]\nenable = true\nType=access_key\n  access_key_id = id#1 ; inline\naccess_key_secret : sec#ret\n[other]\nquoted = \"v\"\n";
        let ini = Ini::parse(text).unwrap();
        assert_eq!(ini.get("default", "TYPE"), Some("access_key"));
        assert_eq!(ini.get("default", "access_key_id"), Some("id#1"));
        assert_eq!(ini.get("default", "access_key_secret"), Some("sec#ret"));
        assert_eq!(ini.get("other", "quoted"), Some("\"v\""));
        assert_eq!(
            ini.section_names().collect::<Vec<_>>(),
            ["default", "other"]
        );
        assert!(ini.section("Default").is_none());
    }

    #[test]
    fn errors_name_the_line() {
        for (text, line) in [
            ("key = v\n", 1),
            ("[a]\nnot a pair\n", 2),
            ("[a]\nk=1\nk=2\n", 3),
            ("[a]\n[a]\n", 2),
            ("[a\n", 1),
            ("[ ]\n", 1),
            ("[a]\n= v\n", 2),
        ] {
            assert_eq!(Ini::parse(text).unwrap_err().line, line, "{text:?}");
        }
    }
}
