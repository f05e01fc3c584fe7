#!/usr/bin/env bash
# Builds threadlint in release mode, generates the benchmark corpus and measures, in one run on
# the same input: the baseline, `check` on page text and JSON Lines with 1 and 2 threads,
# `segment` alone, start-up plus rule compilation, single-comment latency, engine build times and
# peak resident memory (including streaming a large JSON Lines file). Prints the figures and
# rewrites the table in docs/benchmarks.md between its markers.
#
# Usage: tests/bench/run.sh [MB] [STREAM_MB]
#   MB         size of each corpus (page text, JSON Lines), default 100
#   STREAM_MB  size of the JSON Lines file streamed for the memory figure, default 1000; 0 skips
# Environment: RUNS (timed runs per command, default 5), BENCH_OUT (work directory, default
# bench-out/ at the repository root), NO_DOC=1 (print only, leave docs/benchmarks.md alone).
# Needs: cargo, hyperfine, GNU time (/usr/bin/time), python3. On Debian:
#   apt-get install -y hyperfine time python3
set -euo pipefail

MB=${1:-100}
STREAM_MB=${2:-1000}
RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench-out}
cd "$ROOT"

for tool in hyperfine python3; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time not found (apt-get install -y time)" >&2; exit 2; }

echo "== build (release)" >&2
cargo build --release --quiet --bin threadlint --example gen_corpus --example baseline \
    --example latency --example compile
BIN=$ROOT/target/release
TL=$BIN/threadlint

# Results of an earlier run must not leak into this one's table.
rm -rf "$OUT/hf" "$OUT"/*.rss "$OUT"/*.time
mkdir -p "$OUT/hf"
echo "== corpus: ${MB} MB page text, ${MB} MB JSON Lines" >&2
"$BIN/examples/gen_corpus" --mb "$MB" --format text --out "$OUT/pages"
"$BIN/examples/gen_corpus" --mb "$MB" --format jsonl --out "$OUT/comments.jsonl"
: > "$OUT/empty.txt"

# Every command must run cleanly once (exit 0 or 1: 1 means findings) before it is timed, since
# hyperfine is told to ignore exit code 1.
sanity() {
    local rc=0
    "$@" > /dev/null 2> "$OUT/last-stderr.txt" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "run.sh: '$*' exited $rc:" >&2
        head -5 "$OUT/last-stderr.txt" >&2
        exit 2
    fi
}

# hf NAME COMMAND...: time a command without a shell, output discarded.
hf() {
    local name=$1; shift
    sanity "$@"
    hyperfine -N -i --style basic --warmup 1 --runs "$RUNS" --output null \
        --export-json "$OUT/hf/$name.json" --command-name "$name" "$*" >&2
}

echo "== throughput: $RUNS rounds, each command once per round" >&2
# The machine's speed drifts over minutes (other guests share the host): all runs of one command
# and then all of the next would compare commands timed in different periods. Each round times
# every command once, in turn, so every ratio (to the baseline, two threads to one) can also be
# taken within a round, from runs seconds apart. Results: hf/NAME.rROUND.json.
# The baseline's counts once, for the share of comments a literal scan flags.
"$BIN/examples/baseline" "$OUT/comments.jsonl" > "$OUT/baseline-jsonl.out"
THROUGHPUT=(baseline-text baseline-jsonl check-text-j1 check-text-j2 check-jsonl-j1 check-jsonl-j2)
declare -A CMD=(
    [baseline-text]="$BIN/examples/baseline $OUT/pages"
    [baseline-jsonl]="$BIN/examples/baseline $OUT/comments.jsonl"
    [check-text-j1]="$TL check --format jsonl --jobs 1 $OUT/pages"
    [check-text-j2]="$TL check --format jsonl --jobs 2 $OUT/pages"
    [check-jsonl-j1]="$TL check --format jsonl --jobs 1 $OUT/comments.jsonl"
    [check-jsonl-j2]="$TL check --format jsonl --jobs 2 $OUT/comments.jsonl"
)
# Doubles as the warm-up: the input is in the page cache before anything is timed.
for name in "${THROUGHPUT[@]}"; do
    # shellcheck disable=SC2086 # the command is split into words, as hyperfine -N splits it
    sanity ${CMD[$name]}
done
for round in $(seq "$RUNS"); do
    for name in "${THROUGHPUT[@]}"; do
        hyperfine -N -i --style none --runs 1 --output null \
            --export-json "$OUT/hf/$name.r$round.json" --command-name "$name" "${CMD[$name]}"
    done
    echo "   round $round of $RUNS" >&2
done
# One thread, like the baseline and `check --jobs 1`: the segmenter's share of page text.
hf segment-text "$TL" segment --format json --jobs 1 "$OUT/pages"

echo "== start-up" >&2
RUNS_SAVED=$RUNS
RUNS=$((RUNS * 10))
hf startup-version "$TL" --version
hf startup-check-empty "$TL" check --format jsonl "$OUT/empty.txt"
RUNS=$RUNS_SAVED

echo "== in-process: compile and latency" >&2
"$BIN/examples/compile" 100000 5 > "$OUT/compile.txt"
"$BIN/examples/latency" 100000 500 > "$OUT/latency.txt"
cat "$OUT/compile.txt" "$OUT/latency.txt" >&2

echo "== peak memory" >&2
# rss NAME COMMAND...: GNU time's maximum resident set size, in kB.
rss() {
    local name=$1; shift
    local rc=0
    /usr/bin/time -v -o "$OUT/$name.time" "$@" > /dev/null 2> "$OUT/last-stderr.txt" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "run.sh: '$*' exited $rc" >&2
        head -5 "$OUT/last-stderr.txt" >&2
        exit 2
    fi
    awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$name.time" > "$OUT/$name.rss"
}
rss rss-baseline-jsonl "$BIN/examples/baseline" "$OUT/comments.jsonl"
rss rss-check-text-j2 "$TL" check --format jsonl --jobs 2 "$OUT/pages"
rss rss-check-jsonl-j2 "$TL" check --format jsonl --jobs 2 "$OUT/comments.jsonl"
rss rss-segment-text-j2 "$TL" segment --format json --jobs 2 "$OUT/pages"
if [ "$STREAM_MB" != 0 ]; then
    echo "== streaming ${STREAM_MB} MB of JSON Lines" >&2
    "$BIN/examples/gen_corpus" --mb "$STREAM_MB" --format jsonl --out "$OUT/stream.jsonl"
    # Two workers hold the most records in flight, so they bound the memory figure.
    rss rss-stream-j2 "$TL" check --format jsonl --jobs 2 "$OUT/stream.jsonl"
    rm -f "$OUT/stream.jsonl"
fi

DOC=$ROOT/docs/benchmarks.md
[ "${NO_DOC:-0}" = 1 ] && DOC=""
python3 "$ROOT/tests/bench/report.py" "$OUT" "$DOC" "$MB" "$STREAM_MB"
