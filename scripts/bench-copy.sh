#!/usr/bin/env bash
# Copy benchmark (prints figures; not a test): 500 secrets copied from Dallas to Frankfurt through
# the console, the time, the request rate, and how many copied values remain in the page's wasm
# memory and in a JS heap snapshot after a full GC. Builds first unless --no-build is given.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ "${1:-}" != "--no-build" ]; then
  scripts/build.sh >/dev/null
fi
export SM_EMULATOR_BIN="$PWD/target/emulator/sm-emulator"
cargo test --workspace --test bench_copy -- --ignored --nocapture --test-threads=1
