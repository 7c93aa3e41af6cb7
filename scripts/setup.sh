#!/usr/bin/env bash
# Installs what is missing, and is quick when all is there:
#   scripts/setup.sh build   Debian's rustc-web/cargo-web/rust-web-src (the wasm std is built
#                            from source), lld, node/npm; wasm-bindgen-cli at the version
#                            Cargo.toml pins; npm's binaryen (wasm-opt) and playwright-core
#   scripts/setup.sh test    the same, plus Chromium and PostgreSQL for the tests
# Nothing downloads a binary from outside the package registries.
source "$(dirname "$0")/env.sh"
PURPOSE="${1:-test}"

need_apt=()
dpkg -s rustc-web >/dev/null 2>&1 || need_apt+=(rustc-web)
dpkg -s cargo-web >/dev/null 2>&1 || need_apt+=(cargo-web)
dpkg -s rust-web-src >/dev/null 2>&1 || need_apt+=(rust-web-src)
dpkg -s lld-22 >/dev/null 2>&1 || need_apt+=(lld-22)
if [ "$PURPOSE" = test ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
fi
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into $TOOLS (about 3 minutes)"
  # Without --locked: its lock file names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS" --quiet
fi

if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/playwright-core" ] \
   || [ ! -d "$ROOT/end2end/node_modules/axe-core" ]; then
  log "npm: installing binaryen, playwright-core and axe-core (no browser download: Debian's Chromium is used)"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
