#!/usr/bin/env bash
# The wasm split (issue 14): turns a console dist/ whose wasm was built with `--features split`
# into the split console. Usage: split.sh <cargo's .wasm, linked with --emit-relocs> <dist dir>.
#
# wasm-split-cli cuts the module at its split points (src/secrets/deferred.rs); wasm-bindgen
# binds the main piece (`--keep-lld-exports`, which the pieces link against); wasm-opt -Oz
# shrinks each piece. The main piece keeps trunk's file names, so index.html and its CSP need no
# change but new integrity hashes; the other pieces, and the loader script that fetches them,
# get content hashes in their names, so a long-cached old file is never paired with a new one.
#
# Run by trunk as a post_build hook (Trunk.toml), where it gets the staging dir, and by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM=$1
DIST=$2
TOOLS=${WASM_SPLIT_CLI:-wasm-split-cli}
WORK=target/split/pieces
command -v "$TOOLS" >/dev/null || { echo "wasm-split-cli not found: run scripts/setup.sh" >&2; exit 1; }
[ -f "$WASM" ] || { echo "no $WASM: build with --features split first" >&2; exit 1; }

glue=$(cd "$DIST" && ls regional-console-*.js | grep -v '_bg' | head -1)
stem=${glue%.js}
rm -rf "$WORK"
mkdir -p "$WORK/bindgen"
"$TOOLS" "$WASM" "$WORK" --out-name "$stem"
wasm-bindgen --target web --keep-lld-exports --no-typescript --out-dir "$WORK/bindgen" "$WORK/$stem.wasm"
cp "$WORK/bindgen/$stem.js" "$DIST/$stem.js"
# The target's features (rustc's wasm32 defaults, and simd128 from the build's flags), as trunk's
# wasm-opt step assumes them too.
# The pieces carry a name subsection wasm-opt does not know and warns about once per piece; only
# that warning is dropped, so a real failure still says why.
# RC_SPLIT_NO_OPT=1 keeps the pieces as bound (names kept), to read a panic's stack in a debug build.
opt() { [ "${RC_SPLIT_NO_OPT:-}" = 1 ] && { cp "$1" "$2"; return; }; wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd "$1" -o "$2" \
  2> >(grep -v 'unknown name subsection' >&2 || true); }
opt "$WORK/bindgen/${stem}_bg.wasm" "$DIST/${stem}_bg.wasm"
mkdir -p "$WORK/opt"
for f in "$WORK"/*.wasm; do
  [ "$(basename "$f")" = "$stem.wasm" ] && continue
  opt "$f" "$WORK/opt/$(basename "$f")"
done
python3 scripts/split_dist.py "$DIST" "$stem" "$WORK/opt" "$WORK/__wasm_split.js"
