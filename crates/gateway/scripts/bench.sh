#!/bin/sh
# Builds sm-gateway, sm-emulator and the gateway's bench example with the speed profile, then runs it.
set -eu
: "${CARGO_TARGET_DIR:=$(cd "$(dirname "$0")/../../.." && pwd)/target}"
export CARGO_TARGET_DIR
cargo build -p sm-emulator --profile emulator --bins
cargo build -p sm-gateway --profile emulator --bins --examples
exec "$CARGO_TARGET_DIR/emulator/examples/gateway_bench" --gateway "$CARGO_TARGET_DIR/emulator/sm-gateway" --emulator "$CARGO_TARGET_DIR/emulator/sm-emulator" "$@"
