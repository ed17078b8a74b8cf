#!/usr/bin/env bash
# Benchmark (prints figures; not a test): 10,000 secrets per region in headless Chromium — time to
# all loaded, filter keystroke → painted (median, p95), JS heap after load. Builds first unless
# --no-build is given.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ "${1:-}" != "--no-build" ]; then
  scripts/build.sh >/dev/null
fi
export SM_EMULATOR_BIN="$PWD/target/emulator/sm-emulator"
cargo test -p regional-console --test bench_secrets -- --ignored --nocapture 2>&1 | grep -v '^\[: unexpected operator'
