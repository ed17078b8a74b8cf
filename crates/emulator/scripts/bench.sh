#!/bin/sh
# Builds sm-emulator and its bench example with the speed profile, then runs the benchmark.
set -eu
: "${CARGO_TARGET_DIR:=$(cd "$(dirname "$0")/../../.." && pwd)/target}"
export CARGO_TARGET_DIR
cargo build -p sm-emulator --profile emulator --bins --examples
exec "$CARGO_TARGET_DIR/emulator/examples/bench" --bin "$CARGO_TARGET_DIR/emulator/sm-emulator" "$@"
