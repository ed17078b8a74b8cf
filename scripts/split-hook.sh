#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): splits the wasm of a build made by scripts/build.sh, which
# sets RC_SPLIT=1 and builds with `--features split`. Any other trunk build (`trunk serve`, a
# plain `trunk build`) is unsplit and left as it is.
set -euo pipefail
[ "${RC_SPLIT:-}" = 1 ] || exit 0
profile=${TRUNK_PROFILE:-release}
[ "$profile" = debug ] || [ "$profile" = release ] || { echo "split-hook: unknown TRUNK_PROFILE $profile" >&2; exit 1; }
exec "$TRUNK_SOURCE_DIR/scripts/split.sh" "${CARGO_TARGET_DIR:-$TRUNK_SOURCE_DIR/target}/wasm32-unknown-unknown/$profile/regional-console.wasm" "$TRUNK_STAGING_DIR"
