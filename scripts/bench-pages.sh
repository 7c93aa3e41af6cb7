#!/usr/bin/env bash
# Each page's server time and transferred (gzip) bytes, on the demo province and on a
# generated one, with the release binary. Results go to docs/benchmarks.md by hand.
#   scripts/bench-pages.sh [DISTRICTS] [COMMUNES]     (defaults 30 × 20 = 600 communes)
# Each page is fetched 5 times after a warm-up; the median time is printed.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
DISTRICTS="${1:-30}"; COMMUNES="${2:-20}"
cargo build --release -p server --bin reformdash >&2
BIN="$CARGO_TARGET_DIR/release/reformdash"
SITE="$CARGO_TARGET_DIR/site-dev"; [ -d "$CARGO_TARGET_DIR/site-release" ] && SITE="$CARGO_TARGET_DIR/site-release"
WORK="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT

measure() { # name base-url path...
  local name="$1" base="$2"; shift 2
  printf '\n%s\n\n| page | server time (median of 5) | transferred (gzip) |\n|---|---|---|\n' "$name"
  for path in "$@"; do
    curl -s -o /dev/null "$base$path"
    local times=() bytes
    for _ in 1 2 3 4 5; do
      read -r t bytes < <(curl -s --compressed -o /dev/null -w '%{time_total} %{size_download}\n' "$base$path")
      times+=("$t")
    done
    local median; median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
    awk -v p="$path" -v t="$median" -v b="$bytes" 'BEGIN { printf "| `%s` | %.0f ms | %.1f KB |\n", p, t * 1000, b / 1024 }'
  done
}

serve() { # db-url port
  DATABASE_URL="$1" LEPTOS_SITE_ROOT="$SITE" RUST_LOG=warn "$BIN" serve --addr "127.0.0.1:$2" >/dev/null &
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return; sleep 1; done
  echo "server on $2 did not start" >&2; exit 1
}

serve "sqlite://$WORK/demo.db" 3901
measure "Demo province (Thanh Hóa, 725 units, $(wc -l < server/demo/surveys.csv) surveys)" http://127.0.0.1:3901 \
  "/" "/?period=2026-11" "/?period=2024" "/?period=2024&model=CQTT" "/districts/402?period=2024" "/communes/38-001" \
  "/models/CQTT" "/completeness?period=2026-10" "/search?q=nhu+xuan" \
  "/charts/satisfaction-by-district.svg?period=2024" "/charts/satisfaction-by-district.png?period=2024"

printf '\nIn Chromium, JavaScript off\n\n| page | HTML | height at 1280 px | at 360 px (scroll width) |\n|---|---|---|---|\n'
node end2end/measure-pages.mjs http://127.0.0.1:3901 "/?period=2026-11" "/?period=2026" "/?period=2024" |
  awk -F'\t' '{ printf "| `%s` | %.0f KB | %s px | %s px (%s px) |\n", $1, $3 / 1024, $4, $5, $6 }'

# TCP_NODELAY: 200 requests for a static file on one keep-alive connection (curl reuses it
# for every URL of one invocation). Without it each took ~40 ms (Nagle meets delayed ACK).
urls=(); for _ in $(seq 1 200); do urls+=("http://127.0.0.1:3901/favicon.svg"); done
start=$(date +%s.%N); curl -s "${urls[@]}" > /dev/null; end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "\nKeep-alive: 200 × /favicon.svg on one connection in %.2f s (%.0f requests/s)\n", e - s, 200 / (e - s) }'

"$BIN" generate --out "$WORK/gen" --districts "$DISTRICTS" --communes $((DISTRICTS * COMMUNES)) >/dev/null
DATABASE_URL="sqlite://$WORK/gen.db" "$BIN" migrate >/dev/null
DATABASE_URL="sqlite://$WORK/gen.db" "$BIN" import "$WORK/gen" >/dev/null
serve "sqlite://$WORK/gen.db" 3902
rows=$(($(wc -l < "$WORK/gen/surveys.csv") - 1))
measure "Generated province ($DISTRICTS districts, $((DISTRICTS * COMMUNES)) communes, $rows surveys)" http://127.0.0.1:3902 \
  "/?period=2024" "/?period=2024&model=M03" "/?period=2024-Q2" "/districts/T01-H003?period=2024" \
  "/communes/T01-H003-X004" "/models/M03" "/completeness?period=2024-05" "/search?q=xa+3"
