#!/usr/bin/env bash
# Installs whatever is missing to build and test Regional Console on Debian 12 with rustup, and
# skips every tool already installed at the right version (trunk takes ~15 minutes to build).
# Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
step() { printf '\n==> %s\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1; }

# wasm-bindgen-cli must match the wasm-bindgen crate exactly; Cargo.lock is the source of truth.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

step "wasm32 target"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "already installed"
else
  rustup target add wasm32-unknown-unknown
fi

step "musl target and C toolchain (the static sm-gateway)"
if rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
  echo "target already installed"
else
  rustup target add x86_64-unknown-linux-musl
fi
# ring and SQLite are C: cc needs musl-gcc to build them for the musl target.
if has musl-gcc; then
  echo "musl-gcc already installed"
else
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq musl-tools
fi

step "Chromium, ChromeDriver, brotli (Debian)"
if has chromium && has chromedriver && has brotli; then
  echo "already installed: $(chromium --version 2>/dev/null | head -n1)"
else
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver brotli
fi

export PATH="$HOME/.cargo/bin:$PATH"

step "trunk $TRUNK_VERSION"
if has trunk && [ "$(trunk --version 2>/dev/null | awk '{print $2}')" = "$TRUNK_VERSION" ]; then
  echo "already installed"
else
  # Plain `trunk` resolves to 0.22.x, which needs a newer rustc than this machine has.
  cargo install "trunk@$TRUNK_VERSION" --locked
fi

WB_VERSION="$(wasm_bindgen_version)"
step "wasm-bindgen-cli $WB_VERSION"
if has wasm-bindgen && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$WB_VERSION" ]; then
  echo "already installed"
else
  # Without --locked: its lockfile pins a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

SPLIT_VERSION=0.2.4
step "wasm-split-cli $SPLIT_VERSION (splits the release wasm, scripts/split.sh)"
if has wasm-split-cli && cargo install --list | grep -qx "wasm_split_cli_support v$SPLIT_VERSION:"; then
  echo "already installed"
else
  # It has no --version; cargo's own record of what it installed is the check above.
  cargo install --locked wasm_split_cli_support --version "$SPLIT_VERSION" --features build-binary
fi

step "npm tools (wasm-opt from binaryen, axe-core, lighthouse)"
# Each devDependency must be installed at exactly the version package.json pins.
npm_tools_current() {
  node -e '
    const fs = require("fs");
    const want = require("./package.json").devDependencies;
    for (const [name, version] of Object.entries(want)) {
      const p = `node_modules/${name}/package.json`;
      if (!fs.existsSync(p) || JSON.parse(fs.readFileSync(p, "utf8")).version !== version) process.exit(1);
    }' 2>/dev/null
}
if npm_tools_current && [ -x node_modules/.bin/wasm-opt ] && node_modules/.bin/wasm-opt --version | grep -q "version 132"; then
  echo "already installed"
else
  npm ci --no-audit --no-fund 2>/dev/null || npm install --no-audit --no-fund
fi

step "crates (trunk builds offline)"
cargo fetch --quiet
echo "set-up complete"
