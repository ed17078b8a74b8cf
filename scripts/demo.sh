#!/usr/bin/env bash
# Sets up everything, builds, starts two emulated regions (us-south = Dallas, eu-de = Frankfurt,
# seeded, with 90 days of uptime history) and serves the release console on loopback.
# Ctrl-C stops everything. Data persists in .demo/ between runs (delete it for a fresh start).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

EMU=target/emulator/sm-emulator
CONSOLE_PORT="${CONSOLE_PORT:-8080}"
mkdir -p .demo
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for port in 8101 8102 9101 9102 "$CONSOLE_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use on 127.0.0.1; stop whatever holds it (or set CONSOLE_PORT) and retry" >&2
    exit 1
  fi
done

start_region() { # id data-port control-port seed
  "$EMU" --region "$1" --listen "127.0.0.1:$2" --control "127.0.0.1:$3" \
    --data-dir ".demo/$1" --seed "$4" --history-days 90 > ".demo/$1.log" 2>&1 &
  pids+=($!)
}
start_region us-south 8101 9101 1200
start_region eu-de 8102 9102 900

for log in .demo/us-south.log .demo/eu-de.log; do
  for _ in $(seq 1 100); do grep -q '^listening ' "$log" && break; sleep 0.1; done
  grep '^listening ' "$log" || { echo "an emulator failed to start; see $log" >&2; cat "$log" >&2; exit 1; }
done

python3 -m http.server "$CONSOLE_PORT" --bind 127.0.0.1 --directory dist > .demo/console.log 2>&1 &
pids+=($!)

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
