#!/usr/bin/env bash
# The wasm split's sizes (issue 14): what each view of the split console in dist/ costs to fetch,
# gzip -9. The first load is index.html and what it loads, config.json, the loader, and the
# secrets section's piece with the shared pieces it needs (the section is built one turn after the
# region panels, so it is fetched during the load); the detail, the cross-region view and the
# create form are fetched when first shown, each with the shared pieces not fetched before. A benchmark (it prints
# figures), not a test. Builds first unless --no-build is given.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then
  scripts/build.sh --console-only >/dev/null
fi
python3 - dist <<'PY'
import gzip, os, re, sys
dist = sys.argv[1]
def gz(name):
    return len(gzip.compress(open(os.path.join(dist, name), "rb").read(), 9))
html = open(os.path.join(dist, "index.html")).read()
loaders = [f for f in os.listdir(dist) if f.startswith("__wasm_split-") and f.endswith(".js")]
if len(loaders) != 1:
    sys.exit(f"{dist} is not split (no __wasm_split-*.js): scripts/build.sh splits it")
loader = open(os.path.join(dist, loaders[0])).read()
chunks = dict(re.findall(r'const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+)"', loader))
views = {}
for name, body in re.findall(r'export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\((.*?)\]\)\);', loader, re.S):
    own = re.findall(r'"\./([^"]+\.wasm)"', body)
    deps = re.findall(r'__chunk_\d+', body.rsplit("[", 1)[-1])
    views[name] = own + [chunks[d] for d in deps]
first = sorted(set(re.findall(r'(?:href|src)="\./([^"]+)"', html))) + loaders + ["config.json"]
fetched = set()
def row(label, files):
    new = [f for f in files if f not in fetched]
    fetched.update(new)
    total = sum(gz(f) for f in new)
    print(f"{label:<44} {total:>9} B  {total / 1024:6.1f} KB  ({', '.join(new) or 'nothing new'})")
    return total
print("gzip -9, each row counting only the files not fetched by the rows above it")
first_total = row("first load without the section", ["index.html"] + first)
first_total += row("+ the secrets section (fetched at load)", views.get("rc_section", []))
print(f"{'FIRST LOAD':<44} {first_total:>9} B  {first_total / 1024:6.1f} KB  (target 150 KB)")
for name, label in (("rc_cross", "+ the cross-region view, when opened"), ("rc_detail", "+ a secret's page, when opened"), ("rc_create", "+ the create form, when opened")):
    row(label, views.get(name, []))
everything = sum(gz(f) for f in fetched)
print(f"{'EVERY VIEW SHOWN':<44} {everything:>9} B  {everything / 1024:6.1f} KB")
PY
