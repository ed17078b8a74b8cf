#!/usr/bin/env bash
# Sets up everything, builds, starts two emulated regions (us-south = Dallas, eu-de = Frankfurt,
# seeded, with 90 days of uptime history) and serves the release console on loopback.
# Ctrl-C stops everything. Data persists in .demo/ between runs (delete it for a fresh start).
#
# --gateway: the real topology instead, all on loopback: an emulated IBM IAM, two regions that accept
# only IAM's tokens, one sm-gateway per region in front of them, and the console talking to the
# gateways. Prints the API key to paste into the console.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=default
case "${1:-}" in
  "") ;;
  --gateway) MODE=gateway ;;
  *) echo "usage: $0 [--gateway]" >&2; exit 2 ;;
esac
scripts/setup.sh
scripts/build.sh

EMU=target/emulator/sm-emulator
CONSOLE_PORT="${CONSOLE_PORT:-8080}"
mkdir -p .demo
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

PORTS=(8101 8102 9101 9102 "$CONSOLE_PORT")
if [ "$MODE" = gateway ]; then PORTS+=(8201 8202 8300 9300); fi
for port in "${PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use on 127.0.0.1; stop whatever holds it (or set CONSOLE_PORT) and retry" >&2
    exit 1
  fi
done

wait_ready() { # log...
  for log in "$@"; do
    for _ in $(seq 1 100); do grep -q '^listening ' "$log" && break; sleep 0.1; done
    grep '^listening ' "$log" || { echo "a process failed to start; see $log" >&2; cat "$log" >&2; exit 1; }
  done
}

REGION_AUTH=()
if [ "$MODE" = gateway ]; then
  # Fresh per run: the key the user pastes and the secret IAM signs tokens with.
  API_KEY="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  PROBE_KEY="probe-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  SIGNING="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  mkdir -p .demo/gateway
  (umask 077; printf '%s\n' "$PROBE_KEY" > .demo/gateway/probe.key)
  target/emulator/sm-emulator iam --listen 127.0.0.1:8300 --control 127.0.0.1:9300 \
    --api-key "$API_KEY:console-user" --api-key "$PROBE_KEY:gateway-probe" --signing-secret "$SIGNING" > .demo/iam.log 2>&1 &
  pids+=($!)
  REGION_AUTH=(--iam-signing-secret "$SIGNING")
  # The console signs in with the key itself (auth.mode iam): it exchanges it through a gateway
  # and renews the token on its own.
  GATEWAY_AUTH_MODE=iam
  GATEWAY_AUTH_HINT="API key to paste into the console (valid for this run):  $API_KEY"
fi

start_region() { # id data-port control-port seed
  "$EMU" --region "$1" --listen "127.0.0.1:$2" --control "127.0.0.1:$3" \
    --data-dir ".demo/$1" --seed "$4" --history-days 90 "${REGION_AUTH[@]}" > ".demo/$1.log" 2>&1 &
  pids+=($!)
}
start_region us-south 8101 9101 1200
start_region eu-de 8102 9102 900
wait_ready .demo/us-south.log .demo/eu-de.log

SERVE_DIR=dist
if [ "$MODE" = gateway ]; then
  wait_ready .demo/iam.log
  start_gateway() { # region port upstream-port
    target/emulator/sm-gateway --region "$1" --listen "127.0.0.1:$2" --upstream "http://127.0.0.1:$3" \
      --data-dir ".demo/gateway/$1" --iam-url http://127.0.0.1:8300 \
      --probe-api-key-file .demo/gateway/probe.key --probe-every-ms 1000 > ".demo/gateway-$1.log" 2>&1 &
    pids+=($!)
  }
  start_gateway us-south 8201 8101
  start_gateway eu-de 8202 8102
  wait_ready .demo/gateway-us-south.log .demo/gateway-eu-de.log
  # The console's own copy, configured for the gateways (the default dist/ stays as built).
  rm -rf .demo/dist-gateway && cp -a dist .demo/dist-gateway
  cat > .demo/gateway/config.json <<JSON
{
  "regions": [
    {"id": "us-south", "label": "Dallas", "api": "http://127.0.0.1:8201"},
    {"id": "eu-de", "label": "Frankfurt", "api": "http://127.0.0.1:8202"}
  ],
  "auth": {"mode": "$GATEWAY_AUTH_MODE"},
  "embed": {"allowed_parent_origins": []}
}
JSON
  python3 scripts/deploy_config.py --dist .demo/dist-gateway --config .demo/gateway/config.json > /dev/null
  SERVE_DIR=.demo/dist-gateway
fi

python3 -m http.server "$CONSOLE_PORT" --bind 127.0.0.1 --directory "$SERVE_DIR" > .demo/console.log 2>&1 &
pids+=($!)

if [ "$MODE" = gateway ]; then
  cat <<MSG

Regional Console (through two gateways) is running:   http://127.0.0.1:$CONSOLE_PORT/

  IAM (emulated):  http://127.0.0.1:8300        regions: 8101 (Dallas), 8102 (Frankfurt), IAM tokens only
  gateways:        http://127.0.0.1:8201 (Dallas)   http://127.0.0.1:8202 (Frankfurt)

$GATEWAY_AUTH_HINT

Faults: kill a region (the gateway keeps serving and reports major_outage within ~2.5 s), or
  curl -X PUT localhost:9101/emulator/v1/region -H 'X-Emulator-Control: 1' --json '{"mode":"down"}'   # Dallas's instance unreachable
  curl -X PUT localhost:9300/emulator/v1/iam -H 'X-Emulator-Control: 1' --json '{"mode":"down"}'      # IAM down: sign-in fails, open sessions stay
  curl -X DELETE localhost:9101/emulator/v1/faults -H 'X-Emulator-Control: 1'                    # all clear

Ctrl-C stops the demo.
MSG
  wait
  exit 0
fi

cat <<MSG

Regional Console is running:   http://127.0.0.1:$CONSOLE_PORT/

Inject faults from another terminal (Dallas control API on 9101, Frankfurt on 9102):
  curl -X PUT localhost:9101/emulator/v1/region -H 'X-Emulator-Control: 1' --json '{"mode":"down"}'   # Dallas unavailable
  curl -X PUT localhost:9101/emulator/v1/region -H 'X-Emulator-Control: 1' --json '{"mode":"hang"}'   # Dallas hangs
  curl -X PUT localhost:9101/emulator/v1/zones/us-south-2 -H 'X-Emulator-Control: 1' --json '{"status":"major_outage"}'   # one zone down
  curl -X DELETE localhost:9101/emulator/v1/faults -H 'X-Emulator-Control: 1'   # all clear
Or kill a region's process outright and start this script again to bring it back.

Ctrl-C stops the demo.
MSG
wait
