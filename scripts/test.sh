#!/usr/bin/env bash
# The whole test suite, with its own set-up: tools, PostgreSQL, a build of both halves,
# unit and integration tests on SQLite and PostgreSQL, then the browser tests.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" test
TEST_DATABASE_URL="$("$ROOT/scripts/pg.sh")"
export TEST_DATABASE_URL
case "$TEST_DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "scripts/pg.sh gave no PostgreSQL URL: '$TEST_DATABASE_URL'" >&2; exit 1 ;;
esac
"$ROOT/scripts/build.sh" dev

log "cargo test (SQLite and PostgreSQL)"
cargo test --workspace

log "browser tests (Debian Chromium, JavaScript off and on)"
cd "$ROOT/end2end"
REFORMDASH_BIN="$CARGO_TARGET_DIR/debug/reformdash" LEPTOS_SITE_ROOT="$CARGO_TARGET_DIR/site-dev" npm test
