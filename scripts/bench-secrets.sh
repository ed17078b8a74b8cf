#!/usr/bin/env bash
# Benchmark (prints figures; not a test): 10,000 secrets per region in headless Chromium — time to
# all loaded, filter keystroke → painted (median, p95), JS heap after load, and the same work in a
# bare page with the ratios: the quick subset of scripts/bench.sh. Builds first unless
# --no-build is given.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ "${1:-}" != "--no-build" ]; then
  scripts/build.sh >/dev/null
fi
export SM_EMULATOR_BIN="$PWD/target/emulator/sm-emulator"
# --workspace, like scripts/bench.sh and scripts/test.sh: the same feature set, so none recompiles the others' deps.
cargo test --workspace --test bench_secrets -- --ignored --nocapture --test-threads=1 2>&1 | grep -v '^\[: unexpected operator'
