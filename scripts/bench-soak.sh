#!/usr/bin/env bash
# Soak benchmark (prints figures; not a test): the console open for SOAK_SECONDS (default 600)
# with Dallas down and probed every second and Frankfurt flapping every FLAP_SECONDS (default 15);
# JS heap, wasm memory and live AbortControllers at the start, every minute and at the end.
# Builds first unless --no-build is given.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ "${1:-}" != "--no-build" ]; then
  scripts/build.sh >/dev/null
fi
export SM_EMULATOR_BIN="$PWD/target/emulator/sm-emulator"
# --workspace, like scripts/test.sh: the same feature set, so neither recompiles the other's deps.
cargo test --workspace --test bench_soak -- --ignored --nocapture --test-threads=1
