#!/usr/bin/env bash
# Load test for `threadlint serve`: POST a 500-byte comment to /v1/check on loopback with wrk
# and print requests/s and p50/p99 latency.
#
# Usage: tests/bench/load.sh [DURATION_SECONDS] [CONNECTIONS] [WRK_THREADS]
#   defaults: 10 s, 32 connections, 1 wrk thread (the server gets the other core).
#   SERVE_ARGS adds flags to `threadlint serve`, e.g. SERVE_ARGS=--no-default-rules measures
#   the HTTP layer alone (no rules to run).
# Needs wrk (Debian: apt-get install -y wrk). Only 127.0.0.1 is ever contacted; the run is
# bounded by wrk's --duration and the server is stopped at the end whatever happens.
set -euo pipefail

duration="${1:-10}"
connections="${2:-32}"
threads="${3:-1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
server_pid=""

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
    echo "load.sh: wrk is not installed (apt-get install -y wrk)" >&2
    exit 2
fi

cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin threadlint
bin="$root/target/release/threadlint"

# The bundled rules, as a comment system would run it. Request logs go to a file: a terminal
# would be the bottleneck, not the service.
# shellcheck disable=SC2086 # SERVE_ARGS is a list of flags
"$bin" serve --addr 127.0.0.1:0 ${SERVE_ARGS:-} >"$work/stdout" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
    [[ -s "$work/stdout" ]] && break
    sleep 0.1
done
base="$(head -n1 "$work/stdout" | sed 's/^listening on //')"
case "$base" in
    http://127.0.0.1:*) ;;
    *) echo "load.sh: server did not start: $(cat "$work/server.log")" >&2; exit 2 ;;
esac

# A 500-byte comment body: ordinary prose with one flagged-looking word in it would change
# between rule versions, so it is plain text, which is the common case in production.
body="$(printf 'I read the whole article twice and I still think the council got the numbers wrong on the bus lanes. %.0s' 1 2 3 4 5 6 7 8 9 10 | head -c 500)"
payload="$(printf '{"id":"load-1","author":"A Reader","body":"%s"}' "$body")"
payload_lua="$(printf '%s' "$payload" | sed 's/\\/\\\\/g; s/"/\\"/g')"
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "$payload_lua"
done = function(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.status + summary.errors.timeout
    io.write(string.format("requests: %d in %.1f s\n", summary.requests, summary.duration / 1e6))
    io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("latency p50: %.3f ms\n", latency:percentile(50) / 1000))
    io.write(string.format("latency p99: %.3f ms\n", latency:percentile(99) / 1000))
    io.write(string.format("latency max: %.3f ms\n", latency.max / 1000))
    io.write(string.format("errors: %d (non-2xx: %d)\n", errors, summary.errors.status))
end
EOF

# One request first, to show what is being measured.
echo "body bytes: ${#body}"
curl -s -X POST -H 'Content-Type: application/json' --data-binary "$payload" "$base/v1/check" | head -c 300
echo

wrk --threads "$threads" --connections "$connections" --duration "${duration}s" \
    --timeout 2s --script "$work/post.lua" "$base/v1/check"

echo "request log lines: $(grep -c '"path":"/v1/check"' "$work/server.log")"
# Time spent inside the service per request (from the request log), without the client side.
grep '"path":"/v1/check"' "$work/server.log" | sed 's/.*"duration_us":\([0-9]*\).*/\1/' | sort -n |
    awk '{ d[NR] = $1 } END { if (NR) printf "server time p50: %d us, p99: %d us\n", d[int(NR * 0.5) + 1], d[int(NR * 0.99) + 1] }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
