#!/usr/bin/env bash
# Sets up everything, builds, and runs every test: native unit and API tests of the workspace
# (emulator, IAM emulator and gateway API tests against real processes), the static gateway build,
# the console's end-to-end tests in headless Chromium, and its wasm-bindgen tests in headless
# Chromium. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
source scripts/env.sh
export SM_EMULATOR_BIN="$PWD/target/emulator/sm-emulator"
export SM_GATEWAY_BIN="$PWD/target/emulator/sm-gateway"
# One full build, not an edit loop: incremental caches took 1.3 GB of a 4.9 GB target dir (3.7 GB
# without them, a fresh clone on 2026-12-05), and a CI machine once ran out of disk building this suite.
export CARGO_INCREMENTAL=0

echo "==> native tests: unit, emulator API, end-to-end (headless Chromium)"
cargo test --workspace

echo "==> static sm-gateway (musl): built, checked static, started against an emulator"
scripts/check-static-gateway.sh

echo "==> wasm-bindgen tests (headless Chromium)"
cargo test -p regional-console --target wasm32-unknown-unknown

echo "all tests passed"
