#!/usr/bin/env bash
# Public pages beside a static-file server, in one run: builds the release
# binary, starts `gongkai serve --demo` on loopback, saves the exact bytes of
# each page, serves those same bytes from nginx (Debian packages `nginx` or
# `nginx-light`, and `wrk`), and loads both with wrk. Prints requests/s, p50 and
# p99 for each and the ratio gongkai/nginx. Traffic goes to 127.0.0.1 only and
# every run is bounded in time.
#
#   scripts/bench-pages.sh [seconds-per-run (default 10)] [connections (default 64)]
#
# Against a server already running (scripts/bench-province.sh pages): BENCH_URL
# (its base URL), BENCH_PID (for its RSS), BENCH_ORG and BENCH_YEAR (the
# organisation and year whose pages are loaded; default yuantan and 2023).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
CONN="${2:-64}"
command -v wrk >/dev/null || { echo "需要 wrk：apt-get install wrk" >&2; exit 2; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "需要 nginx：apt-get install nginx-light" >&2; exit 2; }
TARGET="${CARGO_TARGET_DIR:-target}"
ORG="${BENCH_ORG:-yuantan}"
YEAR="${BENCH_YEAR:-2023}"
WORK="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NPORT="$(free_port)"
OWN=""
if [ -n "${BENCH_URL:-}" ]; then
  BASE="$BENCH_URL"
  PID="${BENCH_PID:-}"
  DATA="existing server, ${ORG}"
else
  cargo build --release -p gongkai >/dev/null
  PORT="$(free_port)"
  BASE="http://127.0.0.1:${PORT}"
  "$TARGET/release/gongkai" serve --demo --data-dir "$WORK/data" --listen "127.0.0.1:${PORT}" >"$WORK/server.log" 2>&1 &
  PID=$!
  OWN=1
  DATA="SQLite demo data"
fi
NPID=""
cleanup() {
  if [ -n "$OWN" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  [ -n "$NPID" ] && kill "$NPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 600); do curl -fs "$BASE/api/v1/organisations" >/dev/null && break; sleep 0.2; done
ITEM="$(curl -fs "$BASE/api/v1/organisations/${ORG}/items?year=${YEAR}&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
PAGES=("/item/${ITEM}" "/org/${ORG}/xxgk?year=${YEAR}" "/" "/org/${ORG}")

# The same bytes as static files, one file per page.
mkdir -p "$WORK/www" "$WORK/nginx"
i=0
for path in "${PAGES[@]}"; do
  curl -fs "${BASE}${path}" -o "$WORK/www/p${i}.html"
  i=$((i + 1))
done
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  types { text/html html; }
  server {
    listen 127.0.0.1:${NPORT};
    root $WORK/www;
  }
}
EOF
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' &
NPID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${NPORT}/p0.html" >/dev/null && break; sleep 0.1; done

run() { # url → "req/s p50 p99"
  wrk -t2 -c"${CONN}" -d"${SECS}s" --latency "$1" |
    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%s %s %s %s", r, p50, p99, (bad==""?0:bad)}'
}
echo "gongkai $(git rev-parse --short HEAD 2>/dev/null || echo '?') · $(nproc) cores · wrk -t2 -c${CONN} -d${SECS}s · ${DATA} · nginx serving the same bytes"
printf '%-32s %12s %9s %9s %12s %9s %9s %7s\n' page "nginx req/s" p50 p99 "gongkai" p50 p99 ratio
i=0
for path in "${PAGES[@]}"; do
  read -r nr np50 np99 _ <<<"$(run "http://127.0.0.1:${NPORT}/p${i}.html")"
  read -r gr gp50 gp99 gbad <<<"$(run "${BASE}${path}")"
  ratio="$(python3 -c "print(f'{float(\"$gr\")/float(\"$nr\"):.2f}')")"
  printf '%-32s %12s %9s %9s %12s %9s %9s %7s%s\n' "$path" "$nr" "$np50" "$np99" "$gr" "$gp50" "$gp99" "$ratio" "$([ "$gbad" != 0 ] && echo "  (non-2xx: $gbad)")"
  i=$((i + 1))
done
# Revalidation: a browser or proxy holding the page asks with its ETag.
ETAG="$(curl -fsI "${BASE}/item/${ITEM}" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')"
if [ -n "$ETAG" ]; then
  echo "== 304 revalidation of /item/${ITEM} (If-None-Match: ${ETAG})"
  wrk -t2 -c"${CONN}" -d"${SECS}s" --latency -H "If-None-Match: ${ETAG}" "${BASE}/item/${ITEM}" | grep -E 'Requests/sec|50%|99%'
fi
if [ -n "$PID" ]; then
  echo "== server RSS: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MB", $1/1024}')"
fi
