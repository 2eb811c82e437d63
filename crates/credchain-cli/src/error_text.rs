//! How the CLI prints an error on stderr.
//!
//! The library's `Display` of an error is one line by design (log lines stay greppable). A chain
//! that found nothing carries one reason per source ([`credchain::Error::attempts`]), which on
//! one line is hundreds of characters; the CLI prints such an error on several lines instead:
//!
//! ```text
//! credchain: error: default: no credentials found by any source of the chain (env, ...):
//!   - default/env: Environment variable accessKeyId cannot be empty (...)
//!   - default/cli_profile: ...
//!   To fix: configure credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ...
//! ```
//!
//! Every line is the library's own one-line text of that part, so nothing new can leak.

use credchain::Error;

/// The text after `credchain: error: ` for `e`; one line unless `e` lists several attempts.
pub fn render(e: &Error) -> String {
    if e.attempts().is_empty() {
        return e.to_string();
    }
    let hint = e.hint().map(|h| format!(". {h}"));
    let head = e.clone().with_attempts(Vec::new()).to_string();
    let head = match &hint {
        Some(h) => head.strip_suffix(h.as_str()).unwrap_or(&head).to_string(),
        None => head,
    };
    let mut out = format!("{head}:");
    for a in e.attempts() {
        out.push_str(&format!("\n  - {a}"));
    }
    if let Some(h) = e.hint() {
        out.push_str(&format!("\n  To fix: {h}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use credchain::ErrorKind;

    #[test]
    fn one_line_per_source_and_the_hint_last() {
        let e = Error::new(ErrorKind::NotConfigured, "no credentials found")
            .with_provider("default")
            .with_attempts(vec![
                Error::not_configured("A is not set").with_provider("default/env"),
                Error::not_configured("no file").with_provider("default/profile"),
            ])
            .with_hint("set A");
        assert_eq!(
            render(&e),
            "default: no credentials found:\n  - default/env: A is not set\n  \
             - default/profile: no file\n  To fix: set A"
        );
        // The library's own Display stays one line.
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn an_error_without_attempts_is_its_one_line() {
        let e = Error::invalid_config("bad").with_hint("fix it");
        assert_eq!(render(&e), e.to_string());
    }
}
