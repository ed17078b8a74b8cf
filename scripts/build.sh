#!/usr/bin/env bash
# Builds the release console into dist/ and the emulator with its own (native, fast) profile.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
echo "==> console (trunk build --release)"
trunk build --release
echo "==> sm-emulator (profile emulator)"
cargo build -p sm-emulator --profile emulator
