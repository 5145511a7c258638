#!/bin/sh
# Start-up time and peak memory of `redress serve` on an existing database:
#   bench/scripts/startup.sh REDRESS_BINARY DATABASE_URL [PORT]
# Starts the server (its worker too, as in production), polls /health every 10 ms, prints the
# seconds until it answered, lets it run 5 s more (the worker's first pass and housekeeping),
# then stops it with SIGINT and prints its peak resident memory (VmHWM).
set -eu
bin=$1 url=$2 port=${3:-38471}
data=$(mktemp -d)
start=$(date +%s.%N)
REDRESS_DATABASE_URL=$url REDRESS_DATA_DIR=$data RUST_LOG=warn \
  "$bin" --listen 127.0.0.1:$port serve >/dev/null 2>"$data/log" &
pid=$!
until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { cat "$data/log"; exit 1; }
  sleep 0.01
done
ready=$(date +%s.%N)
sleep 5
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
kill -INT $pid
wait $pid || true
echo "ready after $(echo "$ready - $start" | bc) s; peak RSS $((hwm / 1024)) MB"
rm -rf "$data"
