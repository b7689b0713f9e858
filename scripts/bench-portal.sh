#!/usr/bin/env bash
# Load test of the public portal with wrk (Debian package `wrk`): builds the
# release binary, starts `gongkai serve --demo` in a temporary data directory on
# loopback, and measures requests per second and latency of the item page, the
# column listing and the API. Traffic goes to 127.0.0.1 only; each run is bounded.
#
#   scripts/bench-portal.sh [seconds-per-run (default 20)] [connections (default 32)]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-20}"
CONN="${2:-32}"
command -v wrk >/dev/null || { echo "需要 wrk：apt-get install wrk" >&2; exit 2; }
cargo build --release -p gongkai >/dev/null
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:${PORT}"
target/release/gongkai serve --demo --data-dir "$DATA" --listen "127.0.0.1:${PORT}" >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -fs "$BASE/api/v1/organisations" >/dev/null && break; sleep 0.2; done
ITEM="$(curl -fs "$BASE/api/v1/organisations/yuantan/items?year=2023&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
echo "gongkai $(git rev-parse --short HEAD 2>/dev/null || echo '?') · $(nproc) cores · wrk -t2 -c${CONN} -d${SECS}s · SQLite demo data"
for path in "/item/${ITEM}" "/org/yuantan/xxgk?year=2023" "/api/v1/items/${ITEM}"; do
  echo "== ${path}"
  wrk -t2 -c"${CONN}" -d"${SECS}s" --latency "${BASE}${path}" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx|Socket errors'
done
echo "== server RSS: $(ps -o rss= -p $PID | awk '{printf "%.1f MB", $1/1024}')"
