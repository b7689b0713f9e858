#!/usr/bin/env bash
# Load test of online applications (依申请公开) with wrk on loopback: how many
# submissions per second the release build stores on SQLite with
# synchronous=FULL (every acknowledged submission is on disk). The per-address
# limit is raised for the run only; each run is bounded.
#
#   scripts/bench-apply.sh [seconds (default 10)] [connections (default 8)]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
CONN="${2:-8}"
command -v wrk >/dev/null || { echo "需要 wrk：apt-get install wrk" >&2; exit 2; }
cargo build --release -p gongkai >/dev/null
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:${PORT}"
GONGKAI_APPLY_SUBMISSIONS_PER_HOUR=1000000 target/release/gongkai serve --demo --data-dir "$DATA" --listen "127.0.0.1:${PORT}" >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -fs "$BASE/api/v1/organisations" >/dev/null && break; sleep 0.2; done
cat >"$DATA/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "gk_form=benchtoken"
wrk.body = "_csrf=benchtoken&applicant_type=natural&name=%E7%94%B3%E8%AF%B7%E4%BA%BA&id_doc_type=id_card&id_doc_number=11010519491231002X&email=a%40example.cn&description=%E6%B5%8B%E8%AF%95&form_email=1&delivery=email"
LUA
echo "gongkai $(git rev-parse --short HEAD 2>/dev/null || echo '?') · $(nproc) cores · wrk -t2 -c${CONN} -d${SECS}s · SQLite, synchronous=FULL"
wrk -t2 -c"${CONN}" -d"${SECS}s" --latency -s "$DATA/post.lua" "$BASE/org/yuantan/apply" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx|Socket errors|requests in'
STORED="$(sqlite3 "$DATA/gongkai.db" 'SELECT COUNT(*) FROM applications' 2>/dev/null || echo '?')"
echo "== applications stored: ${STORED}"
