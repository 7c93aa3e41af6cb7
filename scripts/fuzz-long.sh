#!/usr/bin/env bash
# The long fuzzing runs of the hardening issue (results in docs/reliability.md): each target
# runs round after round, each round with fresh random inputs, for FUZZ_MINUTES (default 10).
# Two targets run at a time (the machine has two cores). Any failure stops with its output.
#   scripts/fuzz-long.sh            all targets
#   FUZZ_MINUTES=1 scripts/fuzz-long.sh
#   FUZZ_ONLY=text scripts/fuzz-long.sh    only the CSV reader and the parsers
#   FUZZ_ONLY=bodies scripts/fuzz-long.sh  only the XLSX reader and the decoders
#   FUZZ_ONLY=hostile scripts/fuzz-long.sh hostile clients: parallel sign-in bursts, clients
#                                          that never read, connections past the caps
source "$(dirname "$0")/env.sh"
cd "$ROOT"
MINUTES="${FUZZ_MINUTES:-10}"
TEST_DATABASE_URL="$("$ROOT/scripts/pg.sh")"
export TEST_DATABASE_URL
log "building the test binaries"
# With --workspace, as `make test` builds them: the same features, so its build is reused
# (a `-p` build resolves other features and compiles the workspace again).
cargo test -q --workspace --test it --no-run
if [ "${FUZZ_ONLY:-text}" = text ]; then cargo test -q --workspace --lib --no-run; fi
OUT="$(mktemp -d)"

# target NAME CASES-PER-ROUND CASE-VARIABLE cargo-test-arguments...
target() {
  local name="$1" cases="$2" variable="$3"; shift 3
  local until=$(( $(date +%s) + MINUTES * 60 )) rounds=0 started
  started=$(date +%s)
  while [ "$(date +%s)" -lt "$until" ]; do
    if ! env "$variable=$cases" FUZZ_SEED="$RANDOM$RANDOM" cargo test -q "$@" -- --nocapture >"$OUT/$name.log" 2>&1; then
      echo "$name: FAILED in round $((rounds + 1))"; cat "$OUT/$name.log"; return 1
    fi
    rounds=$((rounds + 1))
    # What a round measured (a peak RSS), the largest seen.
    grep -ho 'peak RSS after .*: [0-9]* MB' "$OUT/$name.log" | awk '{print $(NF-1)}' >>"$OUT/$name.measured" || true
  done
  local peak
  peak=$(sort -n "$OUT/$name.measured" 2>/dev/null | tail -1)
  echo "| $name | $(( $(date +%s) - started )) s | $rounds | $(( rounds * cases )) | 0 | ${peak:+largest peak RSS $peak MB} |"
}

echo "| target | time | rounds | inputs per test | failures | measured |"
echo "|---|---|---|---|---|---|"
pids=()
if [ "${FUZZ_ONLY:-text}" = text ]; then
  { target "CSV reader (arbitrary bytes; mutated files)" 20000 PROPTEST_CASES --workspace --test it fuzz::csv_reader &&
    target "period, model, adoption and unit parsers (arbitrary text)" 50000 PROPTEST_CASES --workspace --lib any_; } &
  pids+=($!)
fi
if [ "${FUZZ_ONLY:-bodies}" = bodies ]; then
  { target "XLSX reader (mutated workbooks)" 500 PROPTEST_CASES --workspace --test it fuzz::xlsx_reader &&
    target "write API JSON and entry form decoders (mutated bodies, SQLite and PostgreSQL)" 1000 FUZZ_BODIES --workspace --test it fuzz::mutated_write_bodies; } &
  pids+=($!)
fi
if [ "${FUZZ_ONLY:-hostile}" = hostile ]; then
  # One at a time: each measures the server's memory or waits on its timeouts.
  { target "sign-in bursts (one account, one address; SQLite and PostgreSQL)" 300 HOSTILE_BURST --workspace --test it a_parallel_burst_of_sign_ins &&
    target "sign-ins at once against the real server, its peak RSS" 300 HOSTILE_BURST --workspace --test it a_burst_of_sign_ins_keeps &&
    target "clients that never read a 7 MB export, then a small download" 16 HOSTILE_STALLED --workspace --test it clients_that_never_read &&
    target "connections past the caps, per address and in all" 1 UNUSED --workspace --test it connections_are_capped; } &
  pids+=($!)
fi
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
