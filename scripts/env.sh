# Shared settings for the project's scripts; sourced, not run.
# One compiler for both halves: Debian's rustc-web (1.96) first on PATH when present.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REFORMDASH_CACHE="${REFORMDASH_CACHE:-$HOME/.cache/reformdash}"
# Outside the clone, so that a fresh clone (CI) reuses what an earlier build compiled.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REFORMDASH_CACHE/target}"
export TOOLS="$REFORMDASH_CACHE/tools"
export PATH="/usr/bin:$TOOLS/bin:$ROOT/end2end/node_modules/.bin:$PATH"
export WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' "$ROOT/Cargo.toml")"
export CARGO_TERM_PROGRESS_WHEN=never
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
