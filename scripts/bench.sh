#!/usr/bin/env bash
# The benchmark: builds the release console and the emulator, starts two emulated regions seeded
# with 10,000 secrets each, serves dist/ with python3 -m http.server, and measures in headless
# Chromium — first-load bytes, Lighthouse (mobile performance and total blocking time), long tasks
# while the 20,000 secrets load, cold/warm load, 20,000 secrets loaded, filter keystroke → painted,
# JS heap + wasm memory, grey-out and recovery after SIGKILL — then a second pair seeded with 50,000
# each: 100,000 secrets loaded, keystrokes and memory at 100,000. Beside each load and keystroke
# figure, the same work in a bare page in the same run (plain fetch + JSON.parse, a plain-JS
# filter) and the ratio. Prints one table, each figure beside its target, and writes the same as
# JSON to bench-results/bench-<UTC timestamp>.json and bench-results/latest.json. A benchmark, not
# a test: a missed target is reported, not failed. Takes about 3.5 minutes on 2 cores (--no-build).
#   --no-build   measure the current dist/ and target/emulator/sm-emulator as they are
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then
  scripts/setup.sh
  scripts/build.sh
fi
source scripts/env.sh
export SM_EMULATOR_BIN="$PWD/target/emulator/sm-emulator"
# --workspace, like scripts/test.sh: the same feature set, so neither recompiles the other's deps.
cargo test --workspace --test bench_console -- --ignored --nocapture --test-threads=1
