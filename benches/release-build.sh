# Sourced by the scripts in benches/: builds the release binary and the credchain-cli examples
# (skipped when NO_BUILD is set) and sets `root`, `bin` (target/release) and `credchain` (the
# binary under test; CREDCHAIN_BIN points it at another build, for before/after runs).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ -z "${NO_BUILD:-}" ]; then
    # Two builds: with `--examples` in the same command, the examples' dev-dependency features
    # (tokio's test-util) would be unified into the measured `credchain` binary.
    cargo build --release -p credchain-cli --bins
    cargo build --release -p credchain-cli --examples
fi
bin=$root/target/release
credchain=${CREDCHAIN_BIN:-$bin/credchain}
