#!/usr/bin/env bash
# Measures the wasm split (issue 14): builds the console with the `split` feature, splits the wasm
# at its `#[lazy]` points with `wasm-split-cli`, runs wasm-bindgen (`--keep-lld-exports`) and
# wasm-opt on each piece, and assembles `target/split/dist`: the shipped `dist/` with the split
# module in place of the whole one (same file names, integrity hashes recomputed). Prints each
# piece's size and what the first load would be. A benchmark (it prints figures), not a test.
#
# Trunk 0.21 cannot carry the split: the split must run on cargo's output before wasm-bindgen,
# and trunk runs cargo and wasm-bindgen in one step with no hook between them. So the shipped
# build stays unsplit; serve `target/split/dist` (or point the end-to-end tests at it with
# CONSOLE_DIST) to try the split in a browser.
#
# Needs `dist/` (scripts/build.sh). Installs wasm-split-cli into target/tools once (about 2 min).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

SPLIT_VERSION=0.2.4
TOOLS=target/tools
OUT=target/split
[ -f dist/index.html ] || { echo "no dist/: run scripts/build.sh first" >&2; exit 1; }

if [ "$(cat "$TOOLS/wasm-split-cli.version" 2>/dev/null)" != "$SPLIT_VERSION" ]; then
  echo "==> installing wasm-split-cli $SPLIT_VERSION into $TOOLS"
  cargo install --locked --quiet --root "$TOOLS" wasm_split_cli_support --version "$SPLIT_VERSION" --features build-binary
  echo "$SPLIT_VERSION" > "$TOOLS/wasm-split-cli.version"
fi

echo "==> cargo build --release --features split (relocations kept for the splitter)"
# RUSTFLAGS replaces .cargo/config.toml's list, so erase_components is repeated here.
CARGO_TARGET_DIR="$OUT/cargo" RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs" \
  cargo build --quiet --release --target wasm32-unknown-unknown --features split --bin regional-console

# The split module keeps dist/'s names, so index.html (and its CSP) need no other change.
glue=$(cd dist && ls regional-console-*.js | grep -v '_bg' | head -1)
stem=${glue%.js}
rm -rf "$OUT/pieces" "$OUT/dist"
mkdir -p "$OUT/pieces/bindgen" "$OUT/dist"
"$TOOLS/bin/wasm-split-cli" "$OUT/cargo/wasm32-unknown-unknown/release/regional-console.wasm" "$OUT/pieces" --out-name "$stem"
wasm-bindgen --target web --keep-lld-exports --no-typescript --out-dir "$OUT/pieces/bindgen" "$OUT/pieces/$stem.wasm"
cp -r dist/. "$OUT/dist/"
cp "$OUT/pieces/bindgen/$stem.js" "$OUT/dist/$stem.js"
cp "$OUT/pieces/__wasm_split.js" "$OUT/dist/"
# The target's features (rustc's wasm32 defaults), as trunk's wasm-opt step assumes them too.
# The pieces carry a name subsection wasm-opt does not know and warns about once per piece; only
# that warning is dropped, so a real failure still says why.
opt() { wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$1" -o "$2" \
  2> >(grep -v 'unknown name subsection' >&2 || true); }
opt "$OUT/pieces/bindgen/${stem}_bg.wasm" "$OUT/dist/${stem}_bg.wasm"
for f in "$OUT"/pieces/*.wasm; do
  [ "$(basename "$f")" = "$stem.wasm" ] && continue
  opt "$f" "$OUT/dist/$(basename "$f")"
done

python3 - "$OUT/dist" "$stem" <<'EOF'
import base64, gzip, hashlib, os, re, sys
dist, stem = sys.argv[1], sys.argv[2]
html_path = os.path.join(dist, "index.html")
html = open(html_path).read()
# The two rewritten files are preloaded with integrity hashes: recompute them.
for name in (f"{stem}.js", f"{stem}_bg.wasm"):
    digest = base64.b64encode(hashlib.sha384(open(os.path.join(dist, name), "rb").read()).digest()).decode()
    html, n = re.subn(r'(href="\./' + re.escape(name) + r'"[^>]*integrity=")[^"]*', lambda m: m.group(1) + "sha384-" + digest, html)
    if n != 1:
        sys.exit(f"index.html does not preload {name} with an integrity hash")
open(html_path, "w").write(html)

def gz(name):
    return len(gzip.compress(open(os.path.join(dist, name), "rb").read(), 9))

first = [m for m in re.findall(r'(?:href|src)="\./([^"]+)"', html)]
# config.json is fetched by the console itself, before anything is drawn.
first = sorted(set(first)) + ["__wasm_split.js"] + (["config.json"] if os.path.exists(os.path.join(dist, "config.json")) else [])
pieces = sorted(f for f in os.listdir(dist) if f.endswith(".wasm") and f != f"{stem}_bg.wasm")
print(f"{'file':<58} {'raw':>9} {'gzip':>9}")
for f in ["index.html"] + first:
    print(f"{f:<58} {os.path.getsize(os.path.join(dist, f)):>9} {gz(f):>9}")
first_gz = sum(gz(f) for f in ["index.html"] + first)
print(f"{'FIRST LOAD (index.html and what it loads)':<58} {'':>9} {first_gz:>9}  ({first_gz / 1024:.1f} KB; target 150 KB)")
for f in pieces:
    print(f"{f:<58} {os.path.getsize(os.path.join(dist, f)):>9} {gz(f):>9}")
rest = sum(gz(f) for f in pieces)
print(f"{'DEFERRED PIECES (fetched when their view is first shown)':<58} {'':>9} {rest:>9}  ({rest / 1024:.1f} KB)")
EOF
whole=$(ls dist/*_bg.wasm)
echo "unsplit dist/ .wasm, gzip: $(gzip -9c "$whole" | wc -c)"
