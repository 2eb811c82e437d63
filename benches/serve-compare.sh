#!/usr/bin/env bash
# `credchain serve` next to a bare hyper server returning a body of the same size, under the same
# load generator, in the same run (issue #16; results go to BENCHMARKS.md, section "Serve").
#
#   benches/serve-compare.sh                 # builds release, 3 rounds of 10 s runs
#   ROUNDS=5 SECS=10 NO_BUILD=1 benches/serve-compare.sh
#   COUNT_INSTRUCTIONS=1 NO_BUILD=1 benches/serve-compare.sh   # user-space instructions per request
#
# - Upstream: `credchain emulate` on loopback; serve fetches from it once and answers every
#   request from its cache. Nothing leaves loopback (env cleared, ECS metadata disabled).
# - Server (serve or hyper_fixed) pinned to CPU $SERVER_CPU, the generator (examples/loadgen,
#   single-threaded) to CPU $CLIENT_CPU. `client_cpu` near 1.00 would mean the generator is
#   the bottleneck; `server_cpu` is the server's CPU use in cores during the run, and
#   `server_cpu_us_per_req` its CPU time per answered request: on a machine shared with other
#   work (where neither side gets its whole core) that is the figure to compare.
# - serve runs with --max-connections 2048 so that 1,000 connections are not evicted at the
#   default cap of 512 (the file-descriptor limit must allow ~2,100: `ulimit -n`).
# - The two servers alternate run by run so that both see the same background load; the
#   summary gives medians over the rounds and the serve / hyper ratio.
# - Both servers get the same request: hyper_fixed ignores the path, and is sent serve's secret
#   path, so the request bytes hyper parses (the URI above all) are the same on both sides.
# - COUNT_INSTRUCTIONS=1 runs both servers under valgrind's callgrind (the machine has no hardware
#   counters for `perf stat -e instructions`) and prints `server_insn_per_req`: the servers'
#   user-space instructions per answered request, counted only while the generator runs. That
#   figure does not move with the other load on the machine; req/s and CPU time in this mode are
#   valgrind's, not the servers', and the open-loop rows are skipped (valgrind cannot keep up
#   with $RATE req/s).
set -euo pipefail

COUNT_INSTRUCTIONS=${COUNT_INSTRUCTIONS:-}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-10}
RATE=${RATE:-5000}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

# shellcheck source=benches/release-build.sh
source "$(dirname "$0")/release-build.sh"
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The first line of $1 matching $2 (waits up to 30 s for the process to print it).
await_line() {
    for _ in $(seq 300); do
        if line=$(grep -m1 -- "$2" "$1"); then
            echo "$line"
            return
        fi
        sleep 0.1
    done
    echo "serve-compare: no line matching '$2' in $1; its stderr:" >&2
    cat "${1%.out}.err" >&2
    exit 1
}

# CPU seconds used so far by process $1 (user + system).
cpu_of() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$1/stat"
}

clean_env=(env -i PATH="$PATH" HOME="$work" ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)

# Prefix for a server's command line: callgrind with counting off until a run starts.
counted() {
    if [ -n "$COUNT_INSTRUCTIONS" ]; then
        echo valgrind --tool=callgrind --instr-atstart=no "--callgrind-out-file=$work/callgrind-$1.%p"
    fi
}

# Counts the instructions of process $1 from now on (COUNT_INSTRUCTIONS only).
count_start() {
    [ -z "$COUNT_INSTRUCTIONS" ] && return
    callgrind_control -z "$1" >/dev/null 2>&1
    callgrind_control -i on "$1" >/dev/null 2>&1
}

# Stops counting for process $1 and prints the instructions counted since count_start.
count_stop() {
    [ -z "$COUNT_INSTRUCTIONS" ] && return
    callgrind_control -i off "$1" >/dev/null 2>&1
    local dumps=("$work"/callgrind-*."$1".*) dump
    [ -e "${dumps[0]}" ] || dumps=()
    callgrind_control -d "$1" >/dev/null 2>&1
    # Wait for the new dump (file N+1 of that process); its `totals:` line is the count.
    dump=$(ls "$work"/callgrind-*."$1".$((${#dumps[@]} + 1)) 2>/dev/null || true)
    for _ in $(seq 50); do
        [ -n "$dump" ] && grep -q '^totals:' "$dump" && break
        sleep 0.1
        dump=$(ls "$work"/callgrind-*."$1".$((${#dumps[@]} + 1)) 2>/dev/null || true)
    done
    awk '/^totals:/ { print $2 }' "$dump"
}

"${clean_env[@]}" "$credchain" emulate >"$work/emu.out" 2>"$work/emu.err" &
pids+=($!)
uri=$(await_line "$work/emu.out" '^export ALIBABA_CLOUD_CREDENTIALS_URI=' | cut -d= -f2-)

# shellcheck disable=SC2046 # `counted` is a list of words on purpose
"${clean_env[@]}" ALIBABA_CLOUD_CREDENTIALS_URI="$uri" taskset -c "$SERVER_CPU" \
    $(counted serve) "$credchain" serve --cloud alibaba --max-connections 2048 \
    >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
pids+=($serve_pid)
serve_url=$(await_line "$work/serve.out" '^export ' | cut -d= -f2-)

body=$(taskset -c "$CLIENT_CPU" "$bin/examples/loadgen" --url "$serve_url" --probe | cut -d= -f2)

# shellcheck disable=SC2046
taskset -c "$SERVER_CPU" $(counted hyper) "$bin/examples/hyper_fixed" --body-bytes "$body" \
    >"$work/hyper.out" 2>"$work/hyper.err" &
hyper_pid=$!
pids+=($hyper_pid)
hyper_url=$(await_line "$work/hyper.out" '^export ' | cut -d= -f2-)
hyper_url="${hyper_url%/}/${serve_url##*/}"

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p')"
echo "# server on CPU $SERVER_CPU, loadgen on CPU $CLIENT_CPU; body $body bytes; ${SECS} s per run, $ROUNDS rounds"
echo "# load before: $(uptime)"

results=$work/results
# run NAME PID URL LOADGEN-ARGS...: one measurement, printed and kept for the summary.
run() {
    local name=$1 pid=$2 url=$3
    shift 3
    local before after start line insns
    before=$(cpu_of "$pid")
    start=$(date +%s.%N)
    count_start "$pid"
    line=$(taskset -c "$CLIENT_CPU" "$bin/examples/loadgen" --url "$url" --seconds "$SECS" "$@") ||
        echo "serve-compare: $name had errors" >&2
    insns=$(count_stop "$pid")
    after=$(cpu_of "$pid")
    local total=${line##*answered_total=}
    total=${total%% *}
    line="$line $(echo "$before $after $start $(date +%s.%N) $total" |
        awk '{ printf "server_cpu=%.2f server_cpu_us_per_req=%.2f", ($2 - $1) / ($4 - $3), ($2 - $1) * 1e6 / ($5 > 0 ? $5 : 1) }')"
    if [ -n "$insns" ]; then
        line="$line server_insn_per_req=$(awk -v i="$insns" -v n="$total" 'BEGIN { printf "%.0f", i / (n > 0 ? n : 1) }')"
    fi
    echo "$name $line" | tee -a "$results"
}

for round in $(seq "$ROUNDS"); do
    echo "# round $round"
    for conns in 100 1000; do
        run serve "$serve_pid" "$serve_url" --connections "$conns"
        run hyper "$hyper_pid" "$hyper_url" --connections "$conns"
    done
    if [ -z "$COUNT_INSTRUCTIONS" ]; then
        run serve "$serve_pid" "$serve_url" --connections 1000 --rate "$RATE"
        run hyper "$hyper_pid" "$hyper_url" --connections 1000 --rate "$RATE"
    fi
done
echo "# load after: $(uptime)"

# Medians per (server, mode, connections) and the serve / hyper ratio.
echo "# medians over $ROUNDS rounds"
awk '
function field(name,   i, kv) {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
    return ""
}
function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
    mode = field("mode"); if (mode == "open") mode = "open@" field("rate")
    key = mode " " field("connections")
    keys[key] = 1
    rps[$1, key] = rps[$1, key] " " field("rps")
    p99[$1, key] = p99[$1, key] " " field("p99_us")
    p999[$1, key] = p999[$1, key] " " field("p999_us")
    cpu[$1, key] = cpu[$1, key] " " field("server_cpu_us_per_req")
    insn[$1, key] = insn[$1, key] " " field("server_insn_per_req")
}
END {
    printf "%-16s %9s %9s %6s %11s %11s %6s %11s %11s %12s %12s\n", "load", "serve rps", "hyper rps", "ratio",
        "serve cpuus", "hyper cpuus", "ratio", "serve p99us", "hyper p99us", "serve p999us", "hyper p999us"
    for (k in keys) {
        s = median(rps["serve", k]); h = median(rps["hyper", k])
        sc = median(cpu["serve", k]); hc = median(cpu["hyper", k])
        printf "%-16s %9.0f %9.0f %6.2f %11.2f %11.2f %6.2f %11.0f %11.0f %12.0f %12.0f\n", k, s, h, (h > 0 ? s / h : 0),
            sc, hc, (sc > 0 ? hc / sc : 0),
            median(p99["serve", k]), median(p99["hyper", k]), median(p999["serve", k]), median(p999["hyper", k])
        si = median(insn["serve", k]); hi = median(insn["hyper", k])
        if (si > 0) printf "%-16s instructions per request: serve %.0f, hyper %.0f, hyper / serve %.2f\n", k, si, hi, hi / si
    }
    print "# rps ratio = serve / hyper; cpuus = server CPU microseconds per request, its ratio = hyper / serve (1.00 = as cheap as hyper)"
}' "$results"
