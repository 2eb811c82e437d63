#!/usr/bin/env bash
# Cold start of `credchain get` from environment variables (issue #16; BENCHMARKS.md, section
# "Cold start"): wall time and peak RSS over many runs (examples/cold_start.rs), and the release
# binary's size.
#
#   benches/cold-start.sh                 # builds release, 300 runs
#   RUNS=500 NO_BUILD=1 benches/cold-start.sh
#
# The environment is cleared and holds only a fake AccessKey pair, so `get` resolves from env and
# makes no request (ECS metadata disabled as well).
set -euo pipefail

RUNS=${RUNS:-300}
# shellcheck source=benches/release-build.sh
source "$(dirname "$0")/release-build.sh"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p')"
echo "# load before: $(uptime)"
for cloud in alibaba tencent; do
    printf '%s ' "get --cloud $cloud:"
    env -i PATH="$PATH" HOME="$home" \
        ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
        ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIcoldstartexample \
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=cold-start-not-a-secret \
        TENCENTCLOUD_SECRET_ID=AKIDcoldstartexample \
        TENCENTCLOUD_SECRET_KEY=cold-start-not-a-secret \
        "$bin/examples/cold_start" --runs "$RUNS" -- "$credchain" get --cloud "$cloud"
done
echo "# load after: $(uptime)"
echo "# binary: $(stat -c %s "$credchain") bytes ($(du -h "$credchain" | cut -f1)) $credchain"
