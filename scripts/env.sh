# Shared settings for the project's scripts; sourced, not run.
# One compiler for both halves: Debian's rustc-web (1.96) first on PATH when present.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REFORMDASH_CACHE="${REFORMDASH_CACHE:-$HOME/.cache/reformdash}"
# Inside the clone, as cargo does by default. A target directory shared by two clones
# serves one clone the other's outputs: cargo finds its own fingerprints fresh but the
# copied-out app.wasm is the other clone's, whose server-function URLs (hashed from the
# crate's path) the server does not know.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export TOOLS="$REFORMDASH_CACHE/tools"
export PATH="/usr/bin:$TOOLS/bin:$ROOT/end2end/node_modules/.bin:$PATH"
export WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' "$ROOT/Cargo.toml")"
export CARGO_TERM_PROGRESS_WHEN=never
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
