#!/usr/bin/env bash
# Sets up, builds the optimised app and serves it (SQLite under data/ unless DATABASE_URL
# says otherwise; the demo province is loaded into an empty database).
source "$(dirname "$0")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" build
"$ROOT/scripts/build.sh" release
export LEPTOS_SITE_ROOT="$CARGO_TARGET_DIR/site-release"
exec "$CARGO_TARGET_DIR/release/reformdash" serve "$@"
