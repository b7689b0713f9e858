#!/usr/bin/env bash
# Province-sized benchmark on PostgreSQL (issue 13, item 5). One command per figure, each
# printed next to a baseline measured in the same run:
#
#   scripts/bench-province.sh seed [scale]      `gongkai bench seed` into a new database (time, rows/s)
#   scripts/bench-province.sh index             `gongkai index rebuild` time  vs  pg_trgm GIN index build
#   scripts/bench-province.sh search [secs]     search p50/p99 (one word, two words, phrase)  vs  pg_trgm ILIKE
#   scripts/bench-province.sh pages [secs]      portal pages  vs  nginx serving the same bytes (bench-pages.sh)
#   scripts/bench-province.sh reports [year]    every agency's annual report + the province roll-up  vs  a bare SQL aggregate
#   scripts/bench-province.sh staff [secs]      staff application list, paginated  vs  a bare SELECT … LIMIT
#   scripts/bench-province.sh rss [secs]        server VmRSS/VmHWM after a mixed load  vs  PostgreSQL backend RSS
#   scripts/bench-province.sh all [scale]       all of the above in order
#
# Environment: GK_BENCH_PG (server URL without database, default postgres://root@127.0.0.1:5432),
# GK_BENCH_DB (database, default gongkai_province; `seed` creates it and refuses an existing
# one), GK_BENCH_DIR (data directory with the search index, default /tmp/gongkai-province),
# GK_BENCH_BIN (binary; default: cargo build --release), GK_BENCH_CONN (connections, default 4).
# Needs wrk, nginx (nginx-light), psql/pgbench/createdb and python3. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
STEP="${1:-}"
ARG="${2:-}"
PG="${GK_BENCH_PG:-postgres://root@127.0.0.1:5432}"
DB="${GK_BENCH_DB:-gongkai_province}"
URL="${PG}/${DB}"
DIR="${GK_BENCH_DIR:-/tmp/gongkai-province}"
CONN="${GK_BENCH_CONN:-4}"
PASSWORD="${GK_BENCH_PASSWORD:-bench-seed-2026}"
YEAR_DATA=2025
mkdir -p "$DIR"
if [ -z "${GK_BENCH_BIN:-}" ]; then
  cargo build --release -p gongkai >/dev/null
  GK_BENCH_BIN="${CARGO_TARGET_DIR:-target}/release/gongkai"
  export GK_BENCH_BIN
fi
gk() { "$GK_BENCH_BIN" --database-url "$URL" --data-dir "$DIR" "$@"; }
sql() { psql -X -q -At -d "$URL" -c "$1"; }
now() { date +%s.%N; }
secs_since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
need() { command -v "$1" >/dev/null || { echo "需要 $1：$2" >&2; exit 2; }; }
scale_note() { echo "数据：$(sql "SELECT COUNT(*) FROM organisations") 个机关，$(sql "SELECT COUNT(*) FROM items") 条信息，$(sql "SELECT COUNT(*) FROM applications") 件申请（数据库 ${DB}）"; }

WORK="$(mktemp -d)"
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_server() {
  PORT="$(free_port)"
  BASE="http://127.0.0.1:${PORT}"
  # The benchmark signs in with a password only (no TOTP setup for the province administrator).
  GONGKAI_MFA_REQUIRED_ROLES="" "$GK_BENCH_BIN" --database-url "$URL" --data-dir "$DIR" serve --listen "127.0.0.1:${PORT}" >"$DIR/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 3000); do curl -fs "$BASE/api/v1/organisations" >/dev/null && return 0; kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
  echo "服务未能启动，见 $DIR/server.log" >&2
  exit 1
}
# VmRSS counts the search index's memory-mapped files the kernel keeps in memory (RssFile)
# beside the process's own memory (RssAnon); both are printed.
rss() { awk '/^VmRSS|^VmHWM|^RssAnon|^RssFile/ {printf "%s %.1f MB  ", $1, $2/1024}' "/proc/$PID/status"; echo; }
# Log in and print the session cookie value.
login() {
  local jar="$WORK/jar" csrf
  rm -f "$jar"
  curl -fs -c "$jar" -b "$jar" "$BASE/admin/login" >/dev/null
  csrf="$(awk '$6=="gk_login" {print $7}' "$jar")"
  curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "username=$1" --data-urlencode "password=$PASSWORD" --data-urlencode "_csrf=$csrf" "$BASE/admin/login"
  awk '$6=="gk_session" {print $7}' "$jar"
}
# wrk over a rotating list of paths (one per line in $1) → "req/s p50 p99 non2xx".
wrk_paths() {
  local list="$1" secs="$2" header="${3:-}"
  python3 - "$list" "$header" >"$WORK/rotate.lua" <<'EOF'
import json, sys
paths = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
print("local paths = {" + ",".join(json.dumps(p) for p in paths) + "}")
print("local i = 0")
if sys.argv[2]:
    print("wrk.headers[\"Cookie\"] = " + json.dumps(sys.argv[2]))
print("request = function() i = i % #paths + 1; return wrk.format(\"GET\", paths[i]) end")
EOF
  wrk -t2 -c"$CONN" -d"${secs}s" --latency -s "$WORK/rotate.lua" "$BASE" |
    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%s %s %s %s", r, p50, p99, (bad==""?0:bad)}'
}
# pgbench over SQL files (one transaction each) → "tps p50 p99" from the per-transaction log.
pgbench_files() {
  local secs="$1"; shift
  local args=() f
  for f in "$@"; do args+=(-f "$f"); done
  rm -f "$WORK"/pgb*
  pgbench -n -c "$CONN" -j 2 -T "$secs" -l --log-prefix="$WORK/pgb" "${args[@]}" "$URL" >"$WORK/pgbench.out" 2>&1 || { cat "$WORK/pgbench.out" >&2; return 1; }
  local tps
  tps="$(awk '/^tps/ {print $3; exit}' "$WORK/pgbench.out")"
  cat "$WORK"/pgb.* | python3 -c '
import sys
lat = sorted(int(l.split()[2]) / 1000 for l in sys.stdin if l.strip())
pick = lambda p: lat[min(len(lat) - 1, round((len(lat) - 1) * p))] if lat else 0
print(f"'"$tps"' {pick(0.5):.2f}ms {pick(0.99):.2f}ms")'
}
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

# Query sets: words and phrases the generated titles and bodies use.
SINGLE=("乡村振兴" "安全生产" "养老服务" "垃圾分类" "专项债券" "食品安全" "森林防火" "营商环境")
TWO=("安全生产 检查" "乡村振兴 资金" "养老服务 补助" "消防安全 排查" "就业创业 培训" "耕地保护 验收" "社会救助 审批" "河长制 考核")
PHRASE=("城乡居民医疗保险" "最低生活保障" "农村人居环境整治" "高标准农田建设" "城镇老旧小区改造" "残疾人两项补贴" "道路交通安全" "公共租赁住房")

cmd_seed() {
  local scale="${1:-0.01}" t0
  need createdb "apt-get install postgresql-client"
  if psql -X -At -d "${PG}/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '${DB}'" | grep -q 1; then
    echo "数据库 ${DB} 已存在：请换一个 GK_BENCH_DB，或自行删除该数据库后重试" >&2
    exit 2
  fi
  createdb -d "${PG}/postgres" "$DB" 2>/dev/null || psql -X -q -d "${PG}/postgres" -c "CREATE DATABASE \"${DB}\""
  rm -rf "$DIR/search-index"
  t0="$(now)"
  gk bench seed --scale "$scale" --password "$PASSWORD" 2>&1 | grep --line-buffered -v 'INFO\|WARN.*slow statement'
  echo "== seed（规模 ${scale}）：$(secs_since "$t0") 秒；数据库大小 $(sql "SELECT pg_size_pretty(pg_database_size('${DB}'))")"
}

cmd_index() {
  local t0
  scale_note
  t0="$(now)"
  gk index rebuild 2>&1 | grep --line-buffered -v 'INFO'
  echo "== gongkai index rebuild：$(secs_since "$t0") 秒，索引 $(du -sh "$DIR/search-index" | cut -f1)"
  sql "CREATE EXTENSION IF NOT EXISTS pg_trgm"
  sql "DROP INDEX IF EXISTS bench_items_trgm"
  t0="$(now)"
  sql "SET maintenance_work_mem = '256MB'; CREATE INDEX bench_items_trgm ON items USING gin ((title || ' ' || body_html) gin_trgm_ops)"
  echo "== 基线 pg_trgm GIN 索引（标题＋正文）：$(secs_since "$t0") 秒，索引 $(sql "SELECT pg_size_pretty(pg_relation_size('bench_items_trgm'))")"
}

cmd_search() {
  local secs="${1:-10}" class q
  need wrk "apt-get install wrk"
  need pgbench "apt-get install postgresql-client"
  scale_note
  if [ -z "$(sql "SELECT 1 FROM pg_indexes WHERE indexname = 'bench_items_trgm'")" ]; then
    echo "缺少基线索引：先运行 scripts/bench-province.sh index" >&2
    exit 2
  fi
  start_server
  printf '%-10s %10s %9s %9s | %14s %9s %9s\n' 查询 "gongkai/s" p50 p99 "pg_trgm tps" p50 p99
  for class in SINGLE TWO PHRASE; do
    local -n words="$class"
    : >"$WORK/paths"
    rm -f "$WORK"/q*.sql
    local i=0
    for q in "${words[@]}"; do
      if [ "$class" = PHRASE ]; then
        echo "/api/v1/search?q=$(urlenc "\"$q\"")" >>"$WORK/paths"
        echo "SELECT id, title FROM items WHERE status = 'published' AND (title || ' ' || body_html) ILIKE '%${q}%' ORDER BY publish_date DESC LIMIT 10;" >"$WORK/q$i.sql"
      else
        echo "/api/v1/search?q=$(urlenc "$q")" >>"$WORK/paths"
        local where="" w
        for w in $q; do where="$where AND (title || ' ' || body_html) ILIKE '%${w}%'"; done
        echo "SELECT id, title FROM items WHERE status = 'published'${where} ORDER BY publish_date DESC LIMIT 10;" >"$WORK/q$i.sql"
      fi
      i=$((i + 1))
    done
    curl -fs "$BASE$(head -1 "$WORK/paths")" >/dev/null # warm up
    read -r gr gp50 gp99 gbad <<<"$(wrk_paths "$WORK/paths" "$secs")"
    read -r pt pp50 pp99 <<<"$(pgbench_files "$secs" "$WORK"/q*.sql)"
    printf '%-10s %10s %9s %9s | %14s %9s %9s%s\n' "$class" "$gr" "$gp50" "$gp99" "$pt" "$pp50" "$pp99" "$([ "$gbad" != 0 ] && echo "  (non-2xx: $gbad)")"
  done
  echo "== server: $(rss)"
}

cmd_pages() {
  local secs="${1:-10}" org item
  scale_note
  start_server
  org="$(sql "SELECT o.slug FROM items i JOIN organisations o ON o.id = i.org_id GROUP BY o.slug ORDER BY COUNT(*) DESC LIMIT 1")"
  echo "== 信息最多的机关：${org}（$(sql "SELECT COUNT(*) FROM items i JOIN organisations o ON o.id = i.org_id WHERE o.slug = '${org}'") 条）"
  BENCH_URL="$BASE" BENCH_PID="$PID" BENCH_ORG="$org" BENCH_YEAR="$YEAR_DATA" scripts/bench-pages.sh "$secs" "${GK_BENCH_PAGE_CONN:-64}"
}

cmd_reports() {
  local year="${1:-$YEAR_DATA}" t0 cookie path
  need psql "apt-get install postgresql-client"
  scale_note
  echo "== gongkai bench reports --year ${year} --publish（所有机关按记录生成年报、全省汇总，并发布）"
  t0="$(now)"
  gk bench reports --year "$year" --publish 2>&1 | grep --line-buffered -v 'INFO\|WARN.*slow statement'
  echo "   （连同发布共 $(secs_since "$t0") 秒）"
  # Baseline: the same counts as bare aggregates — new cases per agency and applicant type,
  # outcomes of the year's replies per agency, appeals per agency.
  cat >"$WORK/agg.sql" <<EOF
\\timing on
SELECT COUNT(*) FROM (SELECT org_id, applicant, COUNT(*) FROM applications WHERE received BETWEEN '${year}-01-01' AND '${year}-12-31' GROUP BY org_id, applicant) a;
SELECT COUNT(*) FROM (SELECT a.org_id, s.step::json->>'outcome', COUNT(*) FROM application_steps s JOIN applications a ON a.id = s.application_id WHERE s.step LIKE '{"step":"reply"%' AND s.step::json->>'date' BETWEEN '${year}-01-01' AND '${year}-12-31' GROUP BY 1, 2) r;
SELECT COUNT(*) FROM (SELECT org_id, kind, result, COUNT(*) FROM appeals WHERE filed_on BETWEEN '${year}-01-01' AND '${year}-12-31' GROUP BY 1, 2, 3) p;
EOF
  psql -X -q -d "$URL" -f "$WORK/agg.sql" | awk '/^Time:/ {t += $2} END {printf "== 基线：同样的统计用三条 SQL 聚合（全部机关）%.0f ms\n", t}'
  start_server
  cookie="gk_session=$(login province-admin)"
  for path in "/admin/reports/rollup?year=${year}" "/admin/reports/rollup/export.xlsx?year=${year}"; do
    local times=()
    for _ in 1 2 3; do times+=("$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: $cookie" "${BASE}${path}")"); done
    echo "== 省级管理员 ${path}：${times[*]}（状态码 秒）"
  done
  echo "== server: $(rss)"
}

cmd_staff() {
  local secs="${1:-10}" org user total pages cookie oid
  scale_note
  org="$(sql "SELECT o.slug FROM applications a JOIN organisations o ON o.id = a.org_id GROUP BY o.slug ORDER BY COUNT(*) DESC LIMIT 1")"
  oid="$(sql "SELECT id FROM organisations WHERE slug = '${org}'")"
  total="$(sql "SELECT COUNT(*) FROM applications WHERE org_id = ${oid}")"
  pages=$(( (total + 49) / 50 ))
  echo "== 申请最多的机关：${org}（${total} 件，每页 50 件共 ${pages} 页）"
  start_server
  cookie="gk_session=$(login "staff-${org}")"
  : >"$WORK/paths"
  for p in $(python3 -c "import random; random.seed(1); n=$pages; print(' '.join(str(random.randint(1, n)) for _ in range(200)))"); do
    echo "/api/v1/staff/applications?page=${p}&per_page=50" >>"$WORK/paths"
  done
  curl -fs -H "Cookie: $cookie" "$BASE/api/v1/staff/applications?page=1&per_page=50" >/dev/null
  read -r gr gp50 gp99 gbad <<<"$(wrk_paths "$WORK/paths" "$secs" "$cookie")"
  cat >"$WORK/list.sql" <<EOF
\\set p random(0, $((pages - 1)))
SELECT id, tracking_code, applicant_name, received, state FROM applications WHERE org_id = ${oid} ORDER BY received DESC, id DESC LIMIT 50 OFFSET :p * 50;
EOF
  read -r pt pp50 pp99 <<<"$(pgbench_files "$secs" "$WORK/list.sql")"
  printf '%-34s %10s %9s %9s\n' "" "req/s" p50 p99
  printf '%-34s %10s %9s %9s%s\n' "/api/v1/staff/applications" "$gr" "$gp50" "$gp99" "$([ "$gbad" != 0 ] && echo "  (non-2xx: $gbad)")"
  printf '%-34s %10s %9s %9s\n' "基线 SELECT … LIMIT 50 OFFSET" "$pt" "$pp50" "$pp99"
  echo "== server: $(rss)"
}

cmd_rss() {
  local secs="${1:-20}" org item q
  scale_note
  start_server
  echo "== 空闲：$(rss)"
  org="$(sql "SELECT o.slug FROM items i JOIN organisations o ON o.id = i.org_id GROUP BY o.slug ORDER BY COUNT(*) DESC LIMIT 1")"
  : >"$WORK/paths"
  for item in $(sql "SELECT id FROM items ORDER BY md5(id::text) LIMIT 300"); do echo "/item/${item}" >>"$WORK/paths"; done
  for q in "${SINGLE[@]}" "${TWO[@]}"; do echo "/search?q=$(urlenc "$q")" >>"$WORK/paths"; done
  for y in 2020 2022 2024 2025; do echo "/org/${org}/xxgk?year=${y}" >>"$WORK/paths"; done
  echo "/" >>"$WORK/paths"
  read -r gr gp50 gp99 gbad <<<"$(wrk_paths "$WORK/paths" "$secs")"
  echo "== 混合负载（信息页、检索页、专栏、首页）${secs} 秒：${gr} req/s，p50 ${gp50}，p99 ${gp99}，非 2xx ${gbad}"
  echo "== server: $(rss)"
  echo "== 基线：PostgreSQL 各进程 RSS 合计 $(ps -C postgres -o rss= | awk '{s += $1} END {printf "%.1f MB", s/1024}')（共享内存按进程重复计算）"
}

case "$STEP" in
  seed) cmd_seed "$ARG" ;;
  index) cmd_index ;;
  search) cmd_search "$ARG" ;;
  pages) cmd_pages "$ARG" ;;
  reports) cmd_reports "$ARG" ;;
  staff) cmd_staff "$ARG" ;;
  rss) cmd_rss "$ARG" ;;
  all)
    "$0" seed "${ARG:-0.01}"
    for s in index search pages reports staff rss; do "$0" "$s"; done
    ;;
  *)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
