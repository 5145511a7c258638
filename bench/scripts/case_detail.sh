#!/usr/bin/env bash
# Case detail over HTTP beside the GET ceiling, alternately, ROUNDS times:
#   bench/scripts/case_detail.sh ROUNDS REDRESS_BINARY [OTHER_REDRESS_BINARY]
# Each round: the ceiling (../shared/ceilings `http-limit --mode sqlite`, built into
# $CEILINGS_BIN, default /tmp/ceilings-target/release) read by id for 8 s, then each binary: a
# fresh `serve --demo`, signed in as the agent, the demo's richest case read for 8 s. wrk with
# 2 threads and 32 connections; prints requests a second, p50 and p99, and the load average.
set -euo pipefail
rounds=$1; shift
ceilings=$(cd "$(dirname "$0")/../../../shared/ceilings" && pwd)
bin_dir=${CEILINGS_BIN:-/tmp/ceilings-target/release}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
figures() { echo "$(grep Requests/sec "$1" | awk '{print $2}') req/s, p50 $(grep ' 50%' "$1" | awk '{print $2}'), p99 $(grep ' 99%' "$1" | awk '{print $2}'), load $(cut -d' ' -f1 /proc/loadavg)"; }
# Until something answers at $1 (any status).
wait_for() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }
for round in $(seq 1 "$rounds"); do
  "$bin_dir/http-limit" --addr 127.0.0.1:38180 --mode sqlite --sync FULL --batch 64 --db "$work/c.db" --seed 20000 --ids-out "$work/ids.txt" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do [ -s "$work/ids.txt" ] && break; sleep 0.05; done
  wait_for http://127.0.0.1:38180/cases/x
  (cd "$ceilings/scripts" && IDS_FILE="$work/ids.txt" wrk -t2 -c32 -d8s --latency -s get_case.lua http://127.0.0.1:38180/cases/x >"$work/w.txt")
  echo "round $round ceiling GET: $(figures "$work/w.txt")"
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$work"/c.db*
  for bin in "$@"; do
    rm -rf "$work/data"
    "$bin" --listen 127.0.0.1:38181 --data-dir "$work/data" serve --demo >"$work/serve.log" 2>&1 &
    pid=$!
    wait_for http://127.0.0.1:38181/health
    token=$(curl -s -X POST http://127.0.0.1:38181/api/v1/auth/login -H 'Content-Type: application/json' \
      -d '{"login":"agent","password":"agent-pass"}' | python3 -c "import sys, json; print(json.load(sys.stdin)['token'])")
    case_id=$(grep -o "GET /api/v1/cases/[0-9a-f-]*" "$work/serve.log" | head -1 | cut -d/ -f5)
    wrk -t2 -c32 -d8s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:38181/api/v1/cases/$case_id" >"$work/w.txt"
    echo "round $round $bin case detail: $(figures "$work/w.txt")"
    kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  done
done
