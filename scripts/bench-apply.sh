#!/usr/bin/env bash
# Load test of online applications (依申请公开) with wrk on loopback: how many
# submissions per second the release build stores on SQLite with
# synchronous=FULL (every acknowledged submission is on disk). The per-address
# limit is raised for the run only; each run is bounded.
#
# In the same run it measures the baseline: bare single-row inserts with the
# same SQLite settings (crates/store/examples/bare_insert.rs), and prints the
# ratio. Every request carries a different description, so none is taken for a
# repeated submission of an earlier one.
#
#   scripts/bench-apply.sh [seconds (default 10)] [connections (default 32)]
#   SAME_APPLICANT=1 scripts/bench-apply.sh …   (one applicant submitting again and again)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
CONN="${2:-32}"
TARGET="${CARGO_TARGET_DIR:-target}"
command -v wrk >/dev/null || { echo "需要 wrk：apt-get install wrk" >&2; exit 2; }
cargo build --release -p gongkai -p gongkai-store --examples --bins >/dev/null 2>&1 || cargo build --release -p gongkai >/dev/null
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:${PORT}"
GONGKAI_APPLY_SUBMISSIONS_PER_HOUR=1000000 GONGKAI_SUBMISSIONS_PER_HOUR_ALL=0 "$TARGET/release/gongkai" serve --demo --data-dir "$DATA" --listen "127.0.0.1:${PORT}" >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -fs "$BASE/api/v1/organisations" >/dev/null && break; sleep 0.2; done
cat >"$DATA/post.lua" <<'LUA'
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
local W = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local C = {"1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"}
-- A different citizen each time, as at a real portal: a 身份证号 with a valid check
-- character (GB 11643). With SAME_APPLICANT=1 every request carries one number, the
-- worst case for the repeated-submission check (it reads that applicant's recent cases).
local same = os.getenv("SAME_APPLICANT") == "1"
local function id_number(k)
  if same then return "11010519491231002X" end
  local body = string.format("110105%04d%02d%02d%03d", 1940 + (k % 60), 1 + (k % 12), 1 + (k % 28), k % 1000)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(body:sub(i, i)) * W[i] end
  return body .. C[(sum % 11) + 1]
end
function request()
  n = n + 1
  local body = "_csrf=benchtoken&applicant_type=natural&name=%E7%94%B3%E8%AF%B7%E4%BA%BA&id_doc_type=id_card&id_doc_number=" .. id_number(tid * 1000003 + n) .. "&email=a%40example.cn&form_email=1&delivery=email&description=%E6%B5%8B%E8%AF%95" .. tid .. "-" .. n
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "gk_form=benchtoken"}, body)
end
LUA
echo "gongkai $(git rev-parse --short HEAD 2>/dev/null || echo '?') · $(nproc) cores · wrk -t2 -c${CONN} -d${SECS}s · SQLite, synchronous=FULL"
wrk -t2 -c"${CONN}" -d"${SECS}s" --latency -s "$DATA/post.lua" "$BASE/org/yuantan/apply" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx|Socket errors|requests in'
STORED="$(sqlite3 "$DATA/gongkai.db" 'SELECT COUNT(*) FROM applications' 2>/dev/null || echo '?')"
echo "== applications stored: ${STORED}"
echo "== baseline, same run"
"$TARGET/release/examples/bare_insert" "$SECS" "$CONN"
