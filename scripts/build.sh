#!/usr/bin/env bash
# Builds the server binary and the wasm bundle, and lays out the site the server serves.
#   scripts/build.sh release   optimised (what `make run` serves)
#   scripts/build.sh dev       quick to compile (what the tests use)
source "$(dirname "$0")/env.sh"
PROFILE="${1:-release}"
SITE="$CARGO_TARGET_DIR/site-$PROFILE"
case "$PROFILE" in
  release) server_flags=(--release); wasm_profile=wasm-release; wasm_dir=wasm-release ;;
  dev) server_flags=(); wasm_profile=dev; wasm_dir=debug ;;
  *) echo "usage: $0 [release|dev]" >&2; exit 2 ;;
esac

# A rustup toolchain with the wasm32 std needs nothing special; on Debian's rustc-web the
# std is built from source, which needs the unstable -Zbuild-std (wasm half only: set
# globally, RUSTC_BOOTSTRAP changes how some crates build and spoils the server's cache).
wasm_env=(); wasm_flags=()
if ! [ -d "$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null)" ] \
   || ! ls "$(rustc --print target-libdir --target wasm32-unknown-unknown)"/libstd-* >/dev/null 2>&1; then
  wasm_env=(RUSTC_BOOTSTRAP=1)
  wasm_flags=(-Zbuild-std=std,panic_abort)
fi

log "building server ($PROFILE) and wasm ($wasm_profile) in parallel"
cargo build "${server_flags[@]}" -p server --bin reformdash &
server_pid=$!
env "${wasm_env[@]}" cargo build -p app --lib --no-default-features --features hydrate \
  --target wasm32-unknown-unknown --target-dir "$CARGO_TARGET_DIR/front" \
  --profile "$wasm_profile" "${wasm_flags[@]}"
wait "$server_pid"

log "assembling the site in $SITE"
rm -rf "$SITE"; mkdir -p "$SITE/pkg"
wasm-bindgen --target web --no-typescript --out-name reformdash --out-dir "$SITE/pkg" \
  "$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/$wasm_dir/app.wasm"
if [ "$PROFILE" = release ]; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$SITE/pkg/reformdash_bg.wasm" -o "$SITE/pkg/reformdash_bg.wasm"
fi
cp "$ROOT/style/main.css" "$SITE/pkg/reformdash.css"
# Each asset also gzipped at the strongest level, served as is to browsers that take gzip
# (`server/src/http/mod.rs`): compressed once here instead of on every request.
# (The JS snippets wasm-bindgen copies beside the bundle, such as app/src/nav.js, too.)
find "$SITE/pkg" -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) -exec gzip -9 -k -f {} +
cp -r "$ROOT/public/." "$SITE/"
