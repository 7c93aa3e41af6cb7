#!/usr/bin/env bash
# The release wasm as `scripts/build.sh release` makes it, but with its function names kept,
# analysed by scripts/wasm_size.py (docs/benchmarks.md, "The wasm's size").
source "$(dirname "$0")/env.sh"
WASM="$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/wasm-release/app.wasm"
[ -s "$WASM" ] || scripts/build.sh release
OUT="$CARGO_TARGET_DIR/wasm-size"; mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --keep-debug --out-name named --out-dir "$OUT" "$WASM"
wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int "$OUT/named_bg.wasm" -o "$OUT/named.wasm"
python3 "$ROOT/scripts/wasm_size.py" "$OUT/named.wasm" "${1:-10}"
