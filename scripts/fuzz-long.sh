#!/usr/bin/env bash
# The long fuzzing runs of the hardening issue (results in docs/reliability.md): each target
# runs round after round, each round with fresh random inputs, for FUZZ_MINUTES (default 10).
# Two targets run at a time (the machine has two cores). Any failure stops with its output.
#   scripts/fuzz-long.sh            all targets
#   FUZZ_MINUTES=1 scripts/fuzz-long.sh
#   FUZZ_ONLY=text scripts/fuzz-long.sh    only the CSV reader and the parsers
#   FUZZ_ONLY=bodies scripts/fuzz-long.sh  only the XLSX reader and the decoders
source "$(dirname "$0")/env.sh"
cd "$ROOT"
MINUTES="${FUZZ_MINUTES:-10}"
TEST_DATABASE_URL="$("$ROOT/scripts/pg.sh")"
export TEST_DATABASE_URL
log "building the test binaries"
cargo test -q -p server --test it --no-run
cargo test -q -p app --lib --no-run
OUT="$(mktemp -d)"

# target NAME CASES-PER-ROUND CASE-VARIABLE cargo-test-arguments...
target() {
  local name="$1" cases="$2" variable="$3"; shift 3
  local until=$(( $(date +%s) + MINUTES * 60 )) rounds=0 started
  started=$(date +%s)
  while [ "$(date +%s)" -lt "$until" ]; do
    if ! env "$variable=$cases" FUZZ_SEED="$RANDOM$RANDOM" cargo test -q "$@" >"$OUT/$name.log" 2>&1; then
      echo "$name: FAILED in round $((rounds + 1))"; cat "$OUT/$name.log"; return 1
    fi
    rounds=$((rounds + 1))
  done
  echo "| $name | $(( $(date +%s) - started )) s | $rounds | $(( rounds * cases )) | 0 |"
}

echo "| target | time | rounds | inputs per test | failures |"
echo "|---|---|---|---|---|"
pids=()
if [ "${FUZZ_ONLY:-text}" = text ]; then
  { target "CSV reader (arbitrary bytes; mutated files)" 20000 PROPTEST_CASES -p server --test it fuzz::csv_reader &&
    target "period, model, adoption and unit parsers (arbitrary text)" 50000 PROPTEST_CASES -p app --lib any_; } &
  pids+=($!)
fi
if [ "${FUZZ_ONLY:-bodies}" = bodies ]; then
  { target "XLSX reader (mutated workbooks)" 500 PROPTEST_CASES -p server --test it fuzz::xlsx_reader &&
    target "write API JSON and entry form decoders (mutated bodies, SQLite and PostgreSQL)" 1000 FUZZ_BODIES -p server --test it fuzz::mutated_write_bodies; } &
  pids+=($!)
fi
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
