//! Whether credchain's own diagnostics (the log lines on stderr) may use ANSI colour.
//!
//! Colour only when stderr is a terminal and `NO_COLOR` is unset or empty
//! (<https://no-color.org>: "present and not an empty string" disables colour). Nothing on stdout
//! is ever coloured (tables, JSON, env lines are meant to be piped). clap's own help and usage
//! errors follow the same rules through `anstream`.

use std::ffi::OsStr;

/// The variable that turns colour off.
pub const NO_COLOR: &str = "NO_COLOR";

/// `true` when log lines on stderr may carry ANSI codes.
pub fn stderr_may_use_ansi() -> bool {
    allowed(
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
        std::env::var_os(NO_COLOR).as_deref(),
    )
}

/// The rule, apart from the process state so it can be tested.
fn allowed(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_or_a_non_terminal_means_no_ansi() {
        assert!(allowed(true, None));
        assert!(allowed(true, Some(OsStr::new(""))));
        assert!(!allowed(true, Some(OsStr::new("1"))));
        assert!(!allowed(false, None));
    }
}
