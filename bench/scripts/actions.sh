#!/usr/bin/env bash
# Filing, case actions and whole lifecycles beside the POST ceiling, alternately, ROUNDS times:
#   bench/scripts/actions.sh ROUNDS BENCH_BINARY [OTHER_BENCH_BINARY]
# Each round: the ceiling (../shared/ceilings `http-limit --mode sqlite --sync FULL --batch 64`,
# built into $CEILINGS_BIN, default /tmp/ceilings-target/release) taking POSTs for 8 s (wrk, 2
# threads, 64 connections), then each `redress-bench` with
# `--cases 2000 --lifecycles 2000 --concurrency 64` on a fresh SQLite database. Prints the
# ceiling's requests a second and p99, then each binary's lines for filing, the actions, case
# detail, message and lifecycles, with the load average.
source "$(dirname "$0")/lib.sh"
for round in $(seq 1 "$rounds"); do
  ceiling 38182 0 64 post_case.lua /cases "round $round ceiling POST (group commit)"
  for bin in "$@"; do
    echo "round $round $bin (load $(cut -d' ' -f1 /proc/loadavg)):"
    "$bin" --cases 2000 --lifecycles 2000 --concurrency 64 2>&1 | grep -vE '^\s*$' | sed 's/^/  /'
  done
done
