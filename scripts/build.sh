#!/usr/bin/env bash
# Builds the release console into dist/, and the emulator and the gateway with their own (native,
# fast) profile.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
echo "==> console (trunk build --release)"
trunk build --release
# Make dist/ deployable as built: the default config.json and the CSP derived from it.
python3 scripts/deploy_config.py --dist dist --config config.json
echo "==> sm-emulator (profile emulator)"
cargo build -p sm-emulator --profile emulator
echo "==> sm-gateway (profile emulator)"
cargo build -p sm-gateway --profile emulator
