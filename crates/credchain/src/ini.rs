//! The one INI reader behind both clouds' credentials files, with the two dialects as named
//! settings ([`IniDialect::ALIBABA`], [`IniDialect::TENCENT`]).
//!
//! What both dialects share (`docs/sources/alibaba.md#ini-profile-file`,
//! `docs/sources/tencent.md#profile-file`):
//! - lines end with `\n` or `\r\n`; each line is trimmed; a UTF-8 byte-order mark at the start is
//!   ignored (Python reads it as part of the first line and fails);
//! - blank lines are skipped; a line whose first character is `#` or `;` is a comment;
//! - `[name]` opens a section; the name is trimmed and case-sensitive (`[Default]` is not
//!   `[default]`); an empty name, a `[` without its `]`, a bracket inside the name or text after
//!   the `]` is an error naming the line;
//! - `key = value` or `key: value`: the first `=` or `:` splits; the key is trimmed and
//!   lower-cased (keys are case-insensitive), the value trimmed; `key =` keeps an empty value;
//! - a key before the first section, or a line that is none of the above, is an error naming the
//!   line. An indented line is not a continuation of the previous value (Python's
//!   `configparser` would append it after a newline, a value no server accepts);
//! - values are literal: no `%` interpolation (no AccessKey, SecretId or token contains `%`).
//!
//! What differs is in [`IniDialect`], each field saying why.

use std::fmt;

/// How one cloud's credentials file is read where the two clouds' references disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IniDialect {
    /// Whether `#` or `;` preceded by whitespace starts a comment inside a value
    /// (`key = v # note`). A `#` not preceded by whitespace is always part of the value, so a
    /// secret containing `#` is kept whole.
    pub inline_comments: bool,
    /// Whether one pair of matching surrounding quotes (`"..."` or `'...'`) is removed from a value.
    pub strip_quotes: bool,
    /// What a key repeated in one section means.
    pub duplicate_keys: DuplicateKeys,
    /// What a section header repeated in one file means.
    pub duplicate_sections: DuplicateSections,
}

/// What a key repeated in one section means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// An error naming the line of the repeat.
    Error,
    /// The last value wins.
    Last,
}

/// What a section header repeated in one file means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateSections {
    /// An error naming the line of the repeat.
    Error,
    /// The repeated section continues the earlier one.
    Merge,
}

impl IniDialect {
    /// Alibaba Cloud's `credentials.ini` (read by Python's `configparser` in the CLI and by the
    /// Java parser):
    /// - inline comments after whitespace are cut, ` ;` like ` #` (Python cuts at any `#`,
    ///   truncating secrets that contain one, and keeps `v ; note` whole);
    /// - quotes are kept, as both references keep them;
    /// - a repeated key or section is an error, as `configparser` raises
    ///   `DuplicateOptionError` / `DuplicateSectionError`.
    pub const ALIBABA: IniDialect = IniDialect {
        inline_comments: true,
        strip_quotes: false,
        duplicate_keys: DuplicateKeys::Error,
        duplicate_sections: DuplicateSections::Error,
    };

    /// Tencent Cloud's `~/.tencentcloud/credentials` (the Go SDK's `ini.go`, with the gaps closed):
    /// - no inline comments: `secret_id = abc # note` has the value `abc # note`, as in every SDK;
    /// - one pair of surrounding quotes is removed: the SDKs keep them and then fail at the server
    ///   with a signature error, and no SecretId, SecretKey or token contains quotes;
    /// - the last repeated key wins and a repeated section continues the earlier one, as in Go.
    pub const TENCENT: IniDialect = IniDialect {
        inline_comments: false,
        strip_quotes: true,
        duplicate_keys: DuplicateKeys::Last,
        duplicate_sections: DuplicateSections::Merge,
    };

    /// Parses `text` in this dialect.
    ///
    /// ```
    /// use credchain::ini::IniDialect;
    /// let text = "[default]\nType = access_key\naccess_key_id: \"id\" # note\n";
    /// let alibaba = IniDialect::ALIBABA.parse(text).unwrap();
    /// assert_eq!(alibaba.get("default", "type"), Some("access_key"));
    /// assert_eq!(alibaba.get("default", "access_key_id"), Some("\"id\""));
    /// let tencent = IniDialect::TENCENT.parse(text).unwrap();
    /// assert_eq!(tencent.get("default", "access_key_id"), Some("\"id\" # note"));
    /// assert_eq!(IniDialect::ALIBABA.parse("x = 1").unwrap_err().line, 1);
    /// ```
    pub fn parse(&self, text: &str) -> Result<Ini, IniError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut parser = Parser {
            dialect: *self,
            ini: Ini::default(),
            current: None,
        };
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw).trim();
            parser.line(i + 1, line)?;
        }
        Ok(parser.ini)
    }

    /// Parses bytes that must be UTF-8 text; binary garbage is an error naming the line, never a
    /// panic.
    ///
    /// ```
    /// use credchain::ini::IniDialect;
    /// let ini = IniDialect::TENCENT.parse_bytes(b"[default]\r\nSecret_Id = \"AKID\"\r\n").unwrap();
    /// assert_eq!(ini.section("default").unwrap().get("secret_id"), Some("AKID"));
    /// assert_eq!(IniDialect::TENCENT.parse_bytes(b"[a]\n\xff\n").unwrap_err().line, 2);
    /// ```
    pub fn parse_bytes(&self, bytes: &[u8]) -> Result<Ini, IniError> {
        let text = std::str::from_utf8(bytes).map_err(|e| IniError {
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count(),
            message: "the file is not UTF-8 text (is it a binary file?)".into(),
        })?;
        self.parse(text)
    }
}

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

impl std::error::Error for IniError {}

/// One section: its name and keys (lower-cased) with values and lines, in file order.
///
/// `Debug` shows the name, line and keys, never values (they include secrets).
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
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("line", &self.line)
            .field("keys", &self.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Section {
    /// The last entry for `key` (case-insensitive).
    fn entry(&self, key: &str) -> Option<&(String, String, usize)> {
        let key = key.to_ascii_lowercase();
        self.entries.iter().rev().find(|(k, _, _)| *k == key)
    }

    /// The value of `key` (case-insensitive), the last one when repeated.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|(_, v, _)| v.as_str())
    }

    /// The value of `key` when present and not empty.
    pub fn get_non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// The 1-based line where `key` was (last) set.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.entry(key).map(|(_, _, l)| *l)
    }

    /// The keys, lower-cased, in file order (repeats included).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _, _)| k.as_str())
    }
}

/// A parsed file: its sections in file order.
///
/// `Debug` shows section names, lines and keys, never values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ini {
    sections: Vec<Section>,
}

impl Ini {
    /// The section named `name` (case-sensitive).
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// One value: `key` (case-insensitive) of section `section`.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.section(section)?.get(key)
    }

    /// The section names in file order.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|s| s.name.as_str())
    }
}

/// The state of one parse: the file so far and the section keys go to.
struct Parser {
    dialect: IniDialect,
    ini: Ini,
    current: Option<usize>,
}

impl Parser {
    /// Takes one trimmed line.
    fn line(&mut self, line_no: usize, line: &str) -> Result<(), IniError> {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            return Ok(());
        }
        match line.strip_prefix('[') {
            Some(header) => self.header(line_no, header),
            None => self.entry(line_no, line),
        }
    }

    /// A `[name]` line (without its `[`).
    fn header(&mut self, line_no: usize, header: &str) -> Result<(), IniError> {
        let Some((name, after)) = header.split_once(']') else {
            return Err(err(line_no, "section header without a closing ']'"));
        };
        if !self.strip_comment(after).trim().is_empty() {
            return Err(err(line_no, "unexpected text after the section header"));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(err(line_no, "empty section name '[]'"));
        }
        if name.contains('[') {
            return Err(err(line_no, "brackets inside the section name"));
        }
        let sections = &mut self.ini.sections;
        let existing = sections.iter().position(|s| s.name == name);
        self.current = Some(match (existing, self.dialect.duplicate_sections) {
            (Some(_), DuplicateSections::Error) => {
                return Err(err(line_no, &format!("section [{name}] appears twice")))
            }
            (Some(idx), DuplicateSections::Merge) => idx,
            (None, _) => {
                sections.push(Section {
                    name: name.to_string(),
                    line: line_no,
                    entries: Vec::new(),
                });
                sections.len() - 1
            }
        });
        Ok(())
    }

    /// A `key = value` (or `key: value`) line.
    fn entry(&mut self, line_no: usize, line: &str) -> Result<(), IniError> {
        let Some(split) = line.find(['=', ':']) else {
            return Err(err(
                line_no,
                "expected 'key = value', a '[section]' header or a comment",
            ));
        };
        let key = line[..split].trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(err(line_no, "a key is missing before '=' or ':'"));
        }
        let Some(idx) = self.current else {
            return Err(err(
                line_no,
                "a key appears before the first '[section]' header",
            ));
        };
        let mut value = self.strip_comment(&line[split + 1..]).trim();
        if self.dialect.strip_quotes {
            value = unquote(value);
        }
        let section = &mut self.ini.sections[idx];
        if self.dialect.duplicate_keys == DuplicateKeys::Error && section.get(&key).is_some() {
            return Err(err(
                line_no,
                &format!("key '{key}' appears twice in the section"),
            ));
        }
        section.entries.push((key, value.to_string(), line_no));
        Ok(())
    }

    /// Cuts an inline comment (`#` or `;` preceded by whitespace) when the dialect has them.
    fn strip_comment<'a>(&self, v: &'a str) -> &'a str {
        if !self.dialect.inline_comments {
            return v;
        }
        let bytes = v.as_bytes();
        let cut = (1..bytes.len())
            .find(|&i| matches!(bytes[i], b'#' | b';') && bytes[i - 1].is_ascii_whitespace());
        cut.map_or(v, |i| &v[..i])
    }
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

    fn alibaba(text: &str) -> Result<Ini, IniError> {
        IniDialect::ALIBABA.parse(text)
    }
    fn tencent(bytes: &[u8]) -> Result<Ini, IniError> {
        IniDialect::TENCENT.parse_bytes(bytes)
    }

    #[test]
    fn alibaba_parses_the_documented_rules() {
        let text = "; comment\n# comment\n\n[default]\nenable = true\nType=access_key\n  access_key_id = id#1 ; inline\naccess_key_secret : sec#ret\n[other]\nquoted = \"v\"\n[c] # note\n";
        let ini = alibaba(text).unwrap();
        assert_eq!(ini.get("default", "TYPE"), Some("access_key"));
        assert_eq!(ini.get("default", "access_key_id"), Some("id#1"));
        assert_eq!(ini.get("default", "access_key_secret"), Some("sec#ret"));
        assert_eq!(ini.get("other", "quoted"), Some("\"v\""));
        assert_eq!(
            ini.section_names().collect::<Vec<_>>(),
            ["default", "other", "c"]
        );
        assert!(ini.section("Default").is_none());
    }

    #[test]
    fn alibaba_errors_name_the_line() {
        for (text, line) in [
            ("key = v\n", 1),
            ("[a]\nnot a pair\n", 2),
            ("[a]\nk=1\nk=2\n", 3),
            ("[a]\n[a]\n", 2),
            ("[a\n", 1),
            ("[ ]\n", 1),
            ("[a]\n= v\n", 2),
        ] {
            assert_eq!(alibaba(text).unwrap_err().line, line, "{text:?}");
        }
    }

    #[test]
    fn tencent_comments_crlf_whitespace_and_case() {
        let ini = tencent(
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
    fn tencent_colon_separates_like_configparser() {
        let ini = tencent(b"[default]\nSecret_Id : AKIDx\nsecret_key=a:b\ntoken: t=1\n").unwrap();
        let s = ini.section("default").unwrap();
        assert_eq!(s.get("secret_id"), Some("AKIDx"));
        assert_eq!(s.get("secret_key"), Some("a:b"));
        assert_eq!(s.get("token"), Some("t=1"));
        assert_eq!(tencent(b"[default]\n: v\n").unwrap_err().line, 2);
    }

    #[test]
    fn tencent_empty_values_and_quotes() {
        let ini =
            tencent(b"[a]\nk1=\nk2 = \"\"\nk3='x y'\nk4=\"mismatch'\nk5=\"\nk6 = v # c\n").unwrap();
        let s = ini.section("a").unwrap();
        assert_eq!(s.get("k1"), Some(""));
        assert_eq!(s.get_non_empty("k1"), None);
        assert_eq!(s.get("k2"), Some(""));
        assert_eq!(s.get("k3"), Some("x y"));
        assert_eq!(s.get("k4"), Some("\"mismatch'"));
        assert_eq!(s.get("k5"), Some("\""));
        assert_eq!(s.get("k6"), Some("v # c"));
    }

    #[test]
    fn tencent_bad_headers_and_lines() {
        for (text, line) in [
            (&b"[]\n"[..], 1),
            (b"[default]\nx=1\n[ \n", 3),
            (b"\n[default\n", 2),
            (b"[a]]\n", 1),
            (b"[a[b]\n", 1),
            (b"[a] # c\n", 1),
            (b"[default]\njust words\n", 2),
            (b"[default]\n= v\n", 2),
            (b"k = v\n[default]\n", 1),
            (b"[a]\n\xff\xfe\n", 2),
        ] {
            let e = tencent(text).unwrap_err();
            assert_eq!(e.line, line, "{:?}: {e}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn tencent_duplicates_last_wins_and_sections_merge() {
        let ini = tencent(b"[a]\nk=1\n[b]\nk=2\n[a]\nk=3\nj=4\n").unwrap();
        assert_eq!(ini.section("a").unwrap().get("k"), Some("3"));
        assert_eq!(ini.section("a").unwrap().get("j"), Some("4"));
        assert_eq!(ini.section("a").unwrap().line, 1);
        assert_eq!(ini.section_names().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn debug_never_shows_values() {
        let ini = alibaba("[default]\naccess_key_secret = s3cr3t-value\n").unwrap();
        let shown = format!("{ini:?}");
        assert!(shown.contains("access_key_secret") && !shown.contains("s3cr3t-value"));
    }
}
