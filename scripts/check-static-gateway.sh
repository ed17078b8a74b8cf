#!/usr/bin/env bash
# The deployable sm-gateway: builds it for x86_64-unknown-linux-musl, checks that it is a static
# executable (no program interpreter, no shared libraries: it runs FROM scratch), then starts it
# against a real emulator on loopback and checks /healthz, the health API and one forwarded request.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-musl
cargo build -p sm-gateway --profile emulator --target "$TARGET"
BIN="target/$TARGET/emulator/sm-gateway"
EMU="${SM_EMULATOR_BIN:-target/emulator/sm-emulator}"

if readelf -lW "$BIN" | grep -q 'program interpreter'; then
  echo "FAIL: $BIN asks for a program interpreter (not static)" >&2; exit 1
fi
if readelf -dW "$BIN" | grep -q '(NEEDED)'; then
  echo "FAIL: $BIN needs shared libraries:" >&2; readelf -dW "$BIN" | grep NEEDED >&2; exit 1
fi
echo "static: $(ls -l "$BIN" | awk '{print $5}') bytes, no interpreter, no shared libraries"

tmp="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

wait_line() { # file
  for _ in $(seq 1 200); do grep -q '^listening ' "$1" && return 0; sleep 0.05; done
  echo "FAIL: no listening line in $1:" >&2; cat "$1" >&2; return 1
}
"$EMU" --region us-south --listen 127.0.0.1:0 --control 127.0.0.1:0 --data-dir "$tmp/emu" --seed 3 --history-days 0 > "$tmp/emu.out" 2> "$tmp/emu.err" &
pids+=($!)
wait_line "$tmp/emu.out"
data="$(sed -n 's/^listening .* data=\([^ ]*\) .*/\1/p' "$tmp/emu.out")"
"$BIN" --region us-south --listen 127.0.0.1:0 --upstream "$data" --data-dir "$tmp/gw" --probe-every-ms 200 > "$tmp/gw.out" 2> "$tmp/gw.err" &
pids+=($!)
wait_line "$tmp/gw.out"
gw="$(sed -n 's/^listening .* url=\([^ ]*\) .*/\1/p' "$tmp/gw.out")"

[ "$(curl -sf "$gw/healthz")" = ok ] || { echo "FAIL: /healthz" >&2; exit 1; }

# README step 6: the console configured for gateways; its CSP must allow exactly the gateway origins.
if [ -f dist/index.html ]; then
  cp -a dist "$tmp/dist"
  printf '{"regions":[{"id":"us-south","label":"Dallas","api":"%s"},{"id":"eu-de","label":"Frankfurt","api":"https://sm-gw-frankfurt.example.com"}],"auth":{"mode":"bearer"},"embed":{"allowed_parent_origins":[]}}' "$gw" > "$tmp/config.json"
  python3 scripts/deploy_config.py --dist "$tmp/dist" --config "$tmp/config.json" > /dev/null
  grep -q "connect-src 'self' $gw https://sm-gw-frankfurt.example.com" "$tmp/dist/_headers" \
    || { echo "FAIL: the CSP does not name the gateways:" >&2; grep -o "connect-src[^;]*" "$tmp/dist/_headers" >&2; exit 1; }
  echo "deploy_config.py: connect-src names the two gateways"
fi
curl -sf "$gw/api/v2/secrets?limit=1" | grep -q '"secrets"' || { echo "FAIL: forwarding" >&2; exit 1; }
for _ in $(seq 1 100); do
  curl -sf "$gw/api/health/v1/region" | grep -q '"status":"operational"' && { echo "static gateway: healthz ok, forwarding ok, region operational"; exit 0; }
  sleep 0.1
done
echo "FAIL: the static gateway never judged the region operational" >&2; curl -s "$gw/api/health/v1/region" >&2; exit 1
