#!/usr/bin/env bash
# The benchmark suite (issue #9): one run, both engines, several data sizes, every measure
# beside its references. `make bench`; results in target/bench/results.md (and .tsv), copied
# into docs/benchmarks.md by hand with the machine's description.
#
#   BENCH_SIZES="10k 100k 1m national"   which generated sets (see `shape` below)
#   BENCH_ENGINES="sqlite postgres"
#   BENCH_SECONDS=5                      each wrk run
#   BENCH_CONNECTIONS="16 200"
#   BENCH_WRITE_RATES="0 2 10 50"        writes per second arriving during the mixed runs
#   BENCH_MIXED_SECONDS=10               each mixed run
#   BENCH_RUST_LOG=warn                  the server's log filter (app::ssr::writes=debug times each group)
#
# Per size and engine: `reformdash generate` (kept in target/bench/data), a fresh database,
# `reformdash import` (time, peak RSS), the release server, each figure's first answer
# (computed, timed with curl), then wrk (Debian's) on loopback against: the same bytes as a
# static file from the same server (the ceiling), the health check (one SELECT 1 per
# request), the district summary as CSV and JSON for a year, a quarter and a year + model,
# the dashboard (for 2024 and for the last month, in today's shape; and its page size in
# Chromium) and a district page; survey writes through `POST /api/v1/surveys`
# (authenticated, one row each); readers of the dashboard, the summary download and the
# API while writes arrive at steady rates (their req/s, p50, p99, the writes' p99 and any
# read that missed an acknowledged write);
# the streaming export of every survey row; the bare aggregate in sqlite3 / psql; and on
# SQLite, Datasette (PyPI) with the same aggregate as a canned query. The server's peak RSS
# (VmHWM) is read after the runs.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
SIZES="${BENCH_SIZES:-10k 100k 1m national}"
ENGINES="${BENCH_ENGINES:-sqlite postgres}"
SECONDS_EACH="${BENCH_SECONDS:-5}"
MIXED_SECONDS="${BENCH_MIXED_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-16 200}"
OUT="$CARGO_TARGET_DIR/bench"
mkdir -p "$OUT/data"
# A run that stops half-way leaves no server behind to answer the next one.
trap 'if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; fi' EXIT

# Tools: wrk from Debian, Datasette from PyPI in its own virtualenv.
command -v wrk >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get install -y -qq wrk >/dev/null; }
VENV="$REFORMDASH_CACHE/datasette-venv"
[ -x "$VENV/bin/datasette" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "datasette==0.65.5"; }
if [[ " $ENGINES " == *" postgres "* ]]; then ADMIN_URL="$(scripts/pg.sh)"; fi
[ -s "$CARGO_TARGET_DIR/site-release/pkg/reformdash_bg.wasm" ] || scripts/build.sh release
cargo build --release -p server --bin reformdash >&2
BIN="$CARGO_TARGET_DIR/release/reformdash"
SITE="$OUT/site"; rm -rf "$SITE"; cp -r "$CARGO_TARGET_DIR/site-release" "$SITE"

shape() { # size -> generate flags; ~280 survey rows per commune over 5 years with 10 models
  case "$1" in
    10k) echo "--provinces 1 --districts 4 --communes 36 --models 10" ;;
    100k) echo "--provinces 1 --districts 27 --communes 360 --models 10" ;;
    1m) echo "--provinces 6 --districts 250 --communes 3600 --models 10" ;;
    national) echo "--provinces 63 --districts 700 --communes 10000 --models 10" ;;
    *) echo "unknown size $1" >&2; exit 2 ;;
  esac
}

RESULTS="$OUT/results.tsv"
printf 'size\tengine\tmeasure\tconnections\treq_s\tp50_ms\tp99_ms\tnote\n' > "$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS"; }

# wrk URL connections [script [script args]] -> "req/s p50_ms p99_ms failures" (non-2xx,
# socket errors, timeouts); LOAD_HEADER, when set, is sent with each request
load() {
  local url="$1" c="$2" script="${3:-}" args=(-t2 -c"$2" -d"${SECONDS_EACH}s" --latency --timeout 10s)
  [ -n "$script" ] && args+=(-s "$script")
  [ -n "${LOAD_HEADER:-}" ] && args+=(-H "$LOAD_HEADER")
  wrk "${args[@]}" "$url" -- "${@:4}" 2>&1 | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; return v * 1000 }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { bad += $5 }
    /Socket errors/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) bad += $i + 0 }
    END { printf "%.1f %.2f %.2f %d\n", rps, p50, p99, bad }'
}

# The district summary for 2024, all models, as a bare aggregate (what the database alone costs).
SUMMARY_SQL="WITH d AS (SELECT code, name FROM units WHERE level = 'district'
  AND (valid_from IS NULL OR valid_from <= '2024-12-31') AND (valid_to IS NULL OR valid_to >= '2024-01-01')),
c AS (SELECT u.code, u.parent_code FROM units u JOIN d ON u.parent_code = d.code WHERE u.level = 'commune'
  AND (u.valid_from IS NULL OR u.valid_from <= '2024-12-31') AND (u.valid_to IS NULL OR u.valid_to >= '2024-01-01')),
ca AS (SELECT c.parent_code AS district_code, COUNT(*) AS communes, SUM(CASE WHEN EXISTS (SELECT 1 FROM adoptions a
  WHERE a.unit_code = c.code AND a.started_on <= '2024-12-31' AND (a.ended_on IS NULL OR a.ended_on >= '2024-01-01'))
  THEN 1 ELSE 0 END) AS adopting FROM c GROUP BY c.parent_code),
sv AS (SELECT COALESCE(c.parent_code, s.unit_code) AS district_code, SUM(s.respondents) AS respondents,
  SUM(s.satisfied) AS satisfied FROM survey_counts s LEFT JOIN c ON c.code = s.unit_code
  WHERE (c.code IS NOT NULL OR s.unit_code IN (SELECT code FROM d))
  AND s.period_start >= '2024-01-01' AND s.period_end <= '2024-12-31' GROUP BY COALESCE(c.parent_code, s.unit_code))
SELECT d.code, d.name, COALESCE(ca.communes, 0) AS communes, COALESCE(ca.adopting, 0) AS adopting,
  COALESCE(sv.respondents, 0) AS respondents, COALESCE(sv.satisfied, 0) AS satisfied
FROM d LEFT JOIN ca ON ca.district_code = d.code LEFT JOIN sv ON sv.district_code = d.code ORDER BY d.code"

PORT=3917
# The generated years end with December 2025: the last month is "today" in today's shape
# (one province's communes, or a country's 34 provinces).
TODAY=2025-12
for size in $SIZES; do
  data="$OUT/data/$size"
  if [ ! -s "$data/surveys.csv" ]; then
    log "generate $size"
    # shellcheck disable=SC2046
    "$BIN" generate --out "$data" $(shape "$size") --years 5 --seed 1 | tee "$data.txt"
  fi
  rows=$(( $(wc -l < "$data/surveys.csv") - 1 ))
  for engine in $ENGINES; do
    log "$size ($rows survey rows) on $engine"
    case "$engine" in
      sqlite) rm -f "$OUT/$size.db"*; url="sqlite://$OUT/$size.db" ;;
      postgres)
        name="rdbench_$size"; psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
        url="${ADMIN_URL%/*}/$name" ;;
    esac
    "$BIN" --database-url "$url" migrate >/dev/null
    /usr/bin/time -f "%e %M" -o "$OUT/import.time" "$BIN" --database-url "$url" import "$data" >/dev/null
    read -r secs kb < "$OUT/import.time"
    record "$size" "$engine" "import" "-" "-" "-" "-" "${secs} s, peak RSS $((kb / 1024)) MB, $rows rows"
    if [ "$engine" = postgres ]; then
      # What autovacuum would otherwise do in the middle of the measures (an insert-triggered
      # vacuum of the new rows, a core for a while; seen in run 19), done now and timed apart,
      # on the tables the import wrote (the catalogs shared by all databases are the owner's).
      t0=$(date +%s.%N)
      psql -q "$url" -c "VACUUM (ANALYZE) survey_counts, survey_sums, adoptions, units"
      record "$size" "$engine" "VACUUM (ANALYZE) after the import" "-" "-" "-" "-" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f s", b-a}')"
    fi
    token=$("$BIN" --database-url "$url" user add bench-official --role official --display-name Bench <<<"bench-password-1" >/dev/null 2>&1;
            "$BIN" --database-url "$url" token create bench --user bench-official 2>/dev/null)

    DATABASE_URL="$url" LEPTOS_SITE_ROOT="$SITE" RUST_LOG="${BENCH_RUST_LOG:-warn}" REFORMDASH_REQUEST_TIMEOUT=60 \
      "$BIN" serve --addr "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
    # Another server on the port (one left by an interrupted run) would answer in its place.
    kill -0 "$server" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
    base="http://127.0.0.1:$PORT"
    district=$(curl -s "$base/api/v1/units?level=district" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["code"])')
    figures=(
      "summary CSV, year|/export/district-summary.csv?period=2024"
      "summary API, year|/api/v1/figures/district-summary?period=2024"
      "summary API, quarter|/api/v1/figures/district-summary?period=2024-Q2"
      "summary API, year + model|/api/v1/figures/district-summary?period=2024&model=M01"
      "dashboard (HTML)|/?period=2024"
      "dashboard, today's shape (HTML)|/?period=$TODAY"
      "district page (HTML)|/districts/$district?period=2024"
    )
    # Each figure's first answer is computed from the database, as the first one after a
    # write is (the server has just started: its connections' page caches are cold too),
    # and compressed as a browser over HTTPS asks (brotli for a kept page).
    # Measured alone, before wrk: wrk corrects for coordinated omission, and counted one
    # 0.3 s computation under 16 connections as some 3,000 slow answers, which set the p99
    # of the national dashboard. wrk's runs below are served from the cache this fills.
    for entry in "${figures[@]}"; do
      t=$(curl -s -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{time_total}' "$base${entry#*|}")
      record "$size" "$engine" "${entry%%|*}: first answer" 1 "-" "$(awk -v t="$t" 'BEGIN{printf "%.1f", t*1000}')" "-" "computed"
    done
    # The dashboard as an official sees it in Chromium with JavaScript off, before and after
    # the 2025 reorganisation (the figures are cached by now: the first answer is above).
    while IFS=$'\t' read -r path _ bytes tall phone phone_width; do
      record "$size" "$engine" "page size: $path" 1 "-" "-" "-" \
        "$(awk -v b="$bytes" 'BEGIN{printf "%.0f KB", b/1024}') HTML; $tall px tall at 1280 px, $phone px at 360 px ($phone_width px wide)"
    done < <(node end2end/measure-pages.mjs "$base" "/?period=2024" "/?period=$TODAY")
    # The references: the same bytes as the CSV download as a static file from the same
    # server (the ceiling for an answer of that size), and an answer that reads the database
    # once per request (/healthz: one SELECT 1). Cached figures read the data's version in
    # readings shared by concurrent requests, so they can pass it.
    curl -s "$base/export/district-summary.csv?period=2024" > "$SITE/summary-2024.csv"
    paths=("static file (same bytes)|/summary-2024.csv" "health check (one SELECT 1)|/healthz" "${figures[@]}")
    for c in $CONNECTIONS; do
      for entry in "${paths[@]}"; do
        read -r rps p50 p99 bad < <(load "$base${entry#*|}" "$c")
        record "$size" "$engine" "${entry%%|*}" "$c" "$rps" "$p50" "$p99" "$([ "$bad" -gt 0 ] && echo "$bad failed")"
      done
    done
    # wrk asks for no compression; python's requests and every browser ask for gzip, which
    # a cached answer keeps made (since run 17; before, each such request gzipped it anew).
    read -r rps p50 p99 bad < <(LOAD_HEADER='Accept-Encoding: gzip' load "$base/api/v1/figures/district-summary?period=2024" 16)
    record "$size" "$engine" "summary API, year, gzip asked" 16 "$rps" "$p50" "$p99" "$([ "$bad" -gt 0 ] && echo "$bad failed")"
    # The dashboard as a browser over HTTPS asks for it: its kept brotli copy.
    read -r rps p50 p99 bad < <(LOAD_HEADER='Accept-Encoding: br, gzip' load "$base/?period=2024" 16)
    record "$size" "$engine" "dashboard (HTML), brotli asked" 16 "$rps" "$p50" "$p99" "$([ "$bad" -gt 0 ] && echo "$bad failed")"

    # What a phone downloads for the dashboard, compressed as a browser asks: the page and
    # the assets it names (a first visit), and the page alone on a return visit (the assets
    # are immutable under their digest, so a cache keeps them without asking again).
    kb() { awk -v b="$1" 'BEGIN{printf "%.1f", b/1024}'; }
    got() { curl -s -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{size_download}' "$1"; }
    page=$(got "$base/?period=2024")
    assets=0; wasm=0
    for a in $(curl -s "$base/?period=2024" | grep -o '/pkg/[^"'"'"' ]*' | sort -u); do
      case "$a" in
        *.wasm) wasm=$((wasm + $(got "$base$a"))) ;;
        *) assets=$((assets + $(got "$base$a"))) ;;
      esac
    done
    # The wasm is fetched by the JS, not named in the page: ask for it beside the JS; and
    # the JS imports its snippets (app/src/nav.js) by relative path.
    js=$(curl -s "$base/?period=2024" | grep -o '/pkg/[^"'"'"' ]*\.js' | head -1)
    if [ "$wasm" -eq 0 ] && [ -n "$js" ]; then
      wasm=$(got "$base${js%.js}_bg.wasm")
    fi
    for snippet in $(curl -s "$base$js" | grep -o '\./snippets/[^"'"'"']*\.js' | sort -u); do
      assets=$((assets + $(got "$base${js%/*}/${snippet#./}")))
    done
    record "$size" "$engine" "dashboard transfer, first visit" 1 "-" "-" "-" \
      "$(kb $((page + assets))) KB without the wasm ($(kb "$page") page + $(kb "$assets") CSS/JS), $(kb $((page + assets + wasm))) KB with it"
    # A return visit revalidates the page (its ETag): headers only while the data is the
    # same; the page again once a write changed it (the assets stay cached either way). The
    # write: a late report through the API, December 2024 of a commune and model that had
    # reported November (with November's counts); the answer after it is also that page's
    # first answer after a write.
    revisit() { curl -s -o /dev/null -H 'Accept-Encoding: br, gzip' -H "If-None-Match: $etag" \
      -w '%{http_code} %{size_header} %{size_download} %{time_total}' "$base/?period=2024"; }
    etag=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: br, gzip' "$base/?period=2024" | tr -d '\r' | sed -n 's/^etag: //Ip')
    read -r code head body _ <<< "$(revisit)"
    IFS=, read -r unit model respondents satisfied < <(awk -F, '$2 != "" && $3 == "2024-11" { nov[$1 "," $2] = $4 "," $5 }
      $2 != "" && $3 == "2024-12" { dec[$1 "," $2] = 1 }
      END { for (k in nov) if (!(k in dec)) { print k "," nov[k]; exit } }' "$data/surveys.csv")
    wrote=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/surveys" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "{\"rows\":[{\"unit_code\":\"$unit\",\"model_code\":\"$model\",\"period\":\"2024-12\",\
\"respondents\":$respondents,\"satisfied\":$satisfied}],\"reason\":\"benchmark\"}")
    read -r code_after head_after body_after t_after <<< "$(revisit)"
    record "$size" "$engine" "dashboard transfer, return visit" 1 "-" "-" "-" \
      "$(kb $((head + body))) KB headers included ($code) while the data is unchanged; after a write ($wrote): $(kb $((head_after + body_after))) KB ($code_after) in $(awk -v t="$t_after" 'BEGIN{printf "%.0f", t*1000}') ms"

    # Readers while writes arrive: each reader (4 connections, as a browser asks for the
    # dashboard) for BENCH_MIXED_SECONDS while scripts/bench_writer.py writes new keys of
    # 2024 at a steady rate through the write API and reads every tenth back at once. The
    # 10k set has ~1,300 such keys of 2024 and the runs write ~1,900: the rest are of 2023
    # (each write changes the data's version all the same, so the readers' answers are
    # recomputed as often).
    python3 scripts/bench_writer.py --keys "$data/surveys.csv" 2024 2023 > "$OUT/keys.txt"
    skip=0
    for wps in ${BENCH_WRITE_RATES:-0 2 10 50}; do
      for entry in "dashboard, brotli asked|/?period=2024" "summary CSV, year|/export/district-summary.csv?period=2024" \
                   "summary API, year|/api/v1/figures/district-summary?period=2024"; do
        python3 scripts/bench_writer.py "$base" "$token" "$OUT/keys.txt" "$wps" "$MIXED_SECONDS" "$skip" > "$OUT/writer.out" &
        writer=$!
        read -r rps p50 p99 bad < <(LOAD_HEADER='Accept-Encoding: br, gzip' SECONDS_EACH="$MIXED_SECONDS" load "$base${entry#*|}" 4)
        wait "$writer"
        read -r writes refused _ wp99 checked missed < "$OUT/writer.out"
        skip=$((skip + writes))
        note="no writes"
        [ "$wps" != 0 ] && note="$writes writes ($refused refused), p99 $wp99 ms; reads that missed a write: $missed of $checked"
        record "$size" "$engine" "${entry%%|*}, $wps writes/s" 4 "$rps" "$p50" "$p99" "$note$([ "$bad" -gt 0 ] && echo ", $bad failed")"
      done
    done

    # Writes: one row per request, each a new key, with the official's token: counts of the
    # old communes for months before the generated years, the keys taken commune by commune,
    # then model by model (the whole service and each model), then month by month. A
    # (commune, model) so gains a month only once every commune and model had one, as in real
    # use; keys taken commune after commune alone gave the 10k set's 36 communes some 140
    # months each per run, and each entry's warnings read its (commune, model)'s whole history.
    curl -s "$base/api/v1/units?level=commune" | python3 -c '
import json, sys
for u in json.load(sys.stdin):
    if u.get("valid_to"): print(u["code"])' > "$OUT/units.txt"
    curl -s "$base/api/v1/models" | python3 -c '
import json, sys
print()  # the whole service: no model code
for m in json.load(sys.stdin): print(m["code"])' > "$OUT/models.txt"
    # The first year is wrk's argument: each run writes keys of its own.
    cat > "$OUT/write.lua" <<LUA
local units, models, counter, tid, first_year = {}, {}, 0, 0, 1990
local next_tid = 0
function setup(thread) thread:set("tid", next_tid); next_tid = next_tid + 1 end
function init(args)
  for line in io.lines("$OUT/units.txt") do units[#units + 1] = line end
  for line in io.lines("$OUT/models.txt") do models[#models + 1] = line end
  first_year = tonumber(args[1])
end
function request()
  local i = counter * 2 + tid; counter = counter + 1
  local unit = units[(i % #units) + 1]
  local code = models[(math.floor(i / #units) % #models) + 1]
  local model = code == "" and "" or string.format(',"model_code":"%s"', code)
  local m = math.floor(i / (#units * #models))
  local body = string.format('{"rows":[{"unit_code":"%s"%s,"period":"%04d-%02d","respondents":120,"satisfied":100}],"reason":"benchmark"}',
    unit, model, first_year + math.floor(m / 12), m % 12 + 1)
  return wrk.format("POST", "/api/v1/surveys", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, body)
end
LUA
    # 16 writers, then 64 (larger groups share each commit), each run on years of its own.
    for c in 16 64; do
      first_year=$([ "$c" = 16 ] && echo 1990 || echo 1950)
      read -r rps p50 p99 bad < <(load "$base/api/v1/surveys" "$c" "$OUT/write.lua" "$first_year")
      record "$size" "$engine" "survey writes (API, 1 row each)" "$c" "$rps" "$p50" "$p99" "$([ "$bad" -gt 0 ] && echo "$bad failed")"
    done

    # The streaming export of every survey row.
    read -r t bytes < <(curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$base/export/surveys.csv")
    record "$size" "$engine" "export surveys.csv (streamed)" 1 "-" "$(awk -v t="$t" 'BEGIN{printf "%.0f", t*1000}')" "-" \
      "$(awk -v t="$t" -v b="$bytes" 'BEGIN{printf "%.1f MB in %.2f s: %.1f MB/s", b/1e6, t, b/1e6/t}')"
    # Peak RSS counts SQLite's memory map of the file (once per pooled connection): clean
    # file pages the kernel drops when it needs them. The heap is RssAnon, read at the end.
    rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server/status")
    anon=$(awk '/RssAnon/ {print int($2/1024)}' "/proc/$server/status")
    file=$(awk '/RssFile/ {print int($2/1024)}' "/proc/$server/status")
    record "$size" "$engine" "server peak RSS" "-" "-" "-" "-" "$rss MB (at the end: heap $anon MB, file maps $file MB)"
    kill "$server"; wait "$server" 2>/dev/null || true; server=
    grep -q panicked "$OUT/server.log" && { echo "server panicked: $OUT/server.log" >&2; exit 1; }

    # The database alone: the bare aggregate, best of 5.
    best=999999
    for _ in 1 2 3 4 5; do
      start=$(date +%s%N)
      case "$engine" in
        sqlite) sqlite3 "$OUT/$size.db" "$SUMMARY_SQL" >/dev/null ;;
        postgres) psql -q "$url" -c "$SUMMARY_SQL" >/dev/null ;;
      esac
      ms=$(( ($(date +%s%N) - start) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
    done
    record "$size" "$engine" "bare aggregate ($( [ "$engine" = sqlite ] && echo sqlite3 || echo psql ), best of 5)" 1 "-" "$best" "-" "whole process"

    if [ "$engine" = sqlite ]; then
      python3 - "$OUT/datasette.json" "$SUMMARY_SQL" <<'PY'
import json, sys
json.dump({"databases": {"db": {"queries": {"summary": {"sql": sys.argv[2]}}}}}, open(sys.argv[1], "w"))
PY
      cp "$OUT/$size.db" "$OUT/db.db"
      "$VENV/bin/datasette" serve --immutable "$OUT/db.db" -m "$OUT/datasette.json" -p $((PORT + 1)) \
        --setting sql_time_limit_ms 60000 --setting num_sql_threads 2 >/dev/null 2>&1 &
      ds=$!
      for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((PORT + 1))/db.json" >/dev/null && break; sleep 0.2; done
      for c in $CONNECTIONS; do
        read -r rps p50 p99 bad < <(load "http://127.0.0.1:$((PORT + 1))/db/summary.csv" "$c")
        record "$size" "$engine" "Datasette 0.65.5, canned summary" "$c" "$rps" "$p50" "$p99" "$([ "$bad" -gt 0 ] && echo "$bad failed")"
      done
      # Its queue of timed-out queries would keep it busy for minutes: stop it at once.
      kill -9 "$ds"; wait "$ds" 2>/dev/null || true
      rm -f "$OUT/db.db"
    fi
    [ "$engine" = postgres ] && psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"
    [ "$engine" = sqlite ] && rm -f "$OUT/$size.db"*
  done
done

python3 - "$RESULTS" > "$OUT/results.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| size | engine | measure | conns | req/s | p50 ms | p99 ms | note |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r[k] for k in ["size", "engine", "measure", "connections", "req_s", "p50_ms", "p99_ms", "note"]) + " |")
PY
cat "$OUT/results.md"
log "results: $OUT/results.md and $RESULTS"
# The dev profile: drawing one chart needs no optimisation, and a release link takes minutes.
cargo run -q -p server --example bench_chart -- "$RESULTS" "$OUT/latency.svg" "$OUT/first-answer.svg"
log "charts: $OUT/latency.svg and $OUT/first-answer.svg"
