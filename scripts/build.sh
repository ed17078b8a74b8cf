#!/usr/bin/env bash
# Builds the release console into dist/, split (issue 14: trunk builds with `--features split` and
# its post_build hook splits the wasm, scripts/split.sh), and the emulator and the gateway with
# their own (native, fast) profile. --console-only: only the console.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
case "${1:-}" in
  ""|--console-only) ;;
  *) echo "usage: $0 [--console-only]" >&2; exit 2 ;;
esac
echo "==> console (trunk build --release --features split, then the wasm split)"
# The splitter needs the linker's relocations. RUSTFLAGS replaces .cargo/config.toml's list, so
# erase_components and simd128 are repeated here.
RC_SPLIT=1 RUSTFLAGS="--cfg erase_components -C target-feature=+simd128 -Clink-args=--emit-relocs" trunk build --release --features split
# Make dist/ deployable as built: the default config.json and the CSP derived from it.
python3 scripts/deploy_config.py --dist dist --config config.json
[ "${1:-}" = --console-only ] && exit 0
echo "==> sm-emulator (profile emulator)"
cargo build -p sm-emulator --profile emulator
echo "==> sm-gateway (profile emulator)"
cargo build -p sm-gateway --profile emulator
