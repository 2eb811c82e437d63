//! `credchain completions bash|zsh|fish|elvish|powershell`: print a completion script.
//!
//! Install, for example: `credchain completions bash > ~/.local/share/bash-completion/completions/credchain`,
//! `credchain completions zsh > "${fpath[1]}/_credchain"`,
//! `credchain completions fish > ~/.config/fish/completions/credchain.fish`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// The completion script for the requested shell.
pub fn script(args: &CompletionsArgs) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "credchain", &mut out);
    out
}
