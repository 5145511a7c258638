#!/usr/bin/env bash
# Filing, case actions and whole lifecycles beside the POST ceiling, alternately, ROUNDS times:
#   bench/scripts/actions.sh ROUNDS BENCH_BINARY [OTHER_BENCH_BINARY]
# Each round: the ceiling (../shared/ceilings `http-limit --mode sqlite --sync FULL --batch 64`,
# built into $CEILINGS_BIN, default /tmp/ceilings-target/release) taking POSTs for 8 s (wrk, 2
# threads, 64 connections), then each `redress-bench` with
# `--cases 2000 --lifecycles 2000 --concurrency 64` on a fresh SQLite database. Prints the
# ceiling's requests a second and p99, then each binary's lines for filing, the actions, case
# detail, message and lifecycles, with the load average.
set -euo pipefail
rounds=$1; shift
ceilings=$(cd "$(dirname "$0")/../../../shared/ceilings" && pwd)
bin_dir=${CEILINGS_BIN:-/tmp/ceilings-target/release}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq 1 "$rounds"); do
  "$bin_dir/http-limit" --addr 127.0.0.1:38182 --mode sqlite --sync FULL --batch 64 --db "$work/c.db" --seed 0 --ids-out "$work/ids.txt" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do curl -s -o /dev/null http://127.0.0.1:38182/cases/x && break; sleep 0.05; done
  (cd "$ceilings/scripts" && wrk -t2 -c64 -d8s --latency -s post_case.lua http://127.0.0.1:38182/cases >"$work/w.txt")
  echo "round $round ceiling POST (group commit): $(grep Requests/sec "$work/w.txt" | awk '{print $2}') req/s, p99 $(grep ' 99%' "$work/w.txt" | awk '{print $2}'), load $(cut -d' ' -f1 /proc/loadavg)"
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$work"/c.db*
  for bin in "$@"; do
    echo "round $round $bin (load $(cut -d' ' -f1 /proc/loadavg)):"
    "$bin" --cases 2000 --lifecycles 2000 --concurrency 64 2>&1 | grep -vE '^\s*$' | sed 's/^/  /'
  done
done
