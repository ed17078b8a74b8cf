#!/usr/bin/env bash
# Sets up everything, builds, and runs every test: native unit and API tests of the workspace,
# the console's end-to-end tests in headless Chromium, and its wasm-bindgen tests in headless
# Chromium. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
source scripts/env.sh
export SM_EMULATOR_BIN="$PWD/target/emulator/sm-emulator"

echo "==> native tests: unit, emulator API, end-to-end (headless Chromium)"
cargo test --workspace

echo "==> wasm-bindgen tests (headless Chromium)"
cargo test -p regional-console --target wasm32-unknown-unknown

echo "all tests passed"
