#!/usr/bin/env bash
# Prints the release console's file sizes: raw, gzip -9 and brotli, per file and in total.
# A benchmark (it prints figures), not a test. Builds first unless --no-build is given.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then
  source scripts/env.sh
  scripts/build.sh --console-only >/dev/null 2>&1 || { echo "scripts/build.sh --console-only failed" >&2; exit 1; }
fi
printf '%-48s %10s %10s %10s\n' file raw gzip brotli
tr=0; tg=0; tb=0
for f in dist/*; do
  [ -f "$f" ] || continue
  r=$(wc -c < "$f"); g=$(gzip -9c "$f" | wc -c)
  if command -v brotli >/dev/null; then b=$(brotli -c "$f" | wc -c); else b=0; fi
  printf '%-48s %10d %10d %10d\n' "$(basename "$f")" "$r" "$g" "$b"
  tr=$((tr + r)); tg=$((tg + g)); tb=$((tb + b))
done
printf '%-48s %10d %10d %10d\n' TOTAL "$tr" "$tg" "$tb"
