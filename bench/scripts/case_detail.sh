#!/usr/bin/env bash
# Case detail over HTTP beside the GET ceiling, alternately, ROUNDS times:
#   bench/scripts/case_detail.sh ROUNDS REDRESS_BINARY [OTHER_REDRESS_BINARY]
# Each round: the ceiling (../shared/ceilings `http-limit --mode sqlite`, built into
# $CEILINGS_BIN, default /tmp/ceilings-target/release) read by id for 8 s, then each binary: a
# fresh `serve --demo`, signed in as the agent, the demo's richest case read for 8 s. wrk with
# 2 threads and 32 connections; prints requests a second, p50 and p99, and the load average.
source "$(dirname "$0")/lib.sh"
for round in $(seq 1 "$rounds"); do
  ceiling 38180 20000 32 get_case.lua /cases/x "round $round ceiling GET"
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
