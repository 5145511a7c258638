# Shared by the benchmark scripts beside it (sourced, with the script's arguments):
#   ROUNDS [BINARY ...]
# Sets $rounds, leaves the binaries in "$@", makes a work directory removed on exit, and finds
# the ceiling programs: ../shared/ceilings beside the project, built into $CEILINGS_BIN
# (default /tmp/ceilings-target/release).
set -euo pipefail
rounds=$1; shift
ceilings=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../shared/ceilings" && pwd)
bin_dir=${CEILINGS_BIN:-/tmp/ceilings-target/release}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# wrk's requests a second, p50 and p99 from its --latency output in $1, and the load average.
figures() { echo "$(grep Requests/sec "$1" | awk '{print $2}') req/s, p50 $(grep ' 50%' "$1" | awk '{print $2}'), p99 $(grep ' 99%' "$1" | awk '{print $2}'), load $(cut -d' ' -f1 /proc/loadavg)"; }
# Until something answers at $1 (any status).
wait_for() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }
# The ceiling's HTTP program on SQLite (`synchronous=FULL`, group commit of 64) at 127.0.0.1:$1,
# seeded with $2 cases, loaded for 8 s by wrk with $3 connections running its script $4 at path
# $5; prints "$6: <figures>".
ceiling() {
  local port=$1 seed=$2 connections=$3 script=$4 path=$5 label=$6 pid
  "$bin_dir/http-limit" --addr "127.0.0.1:$port" --mode sqlite --sync FULL --batch 64 --db "$work/c.db" --seed "$seed" --ids-out "$work/ids.txt" >/dev/null 2>&1 &
  pid=$!
  wait_for "http://127.0.0.1:$port/cases/x"
  for _ in $(seq 1 200); do [ -s "$work/ids.txt" ] || [ "$seed" = 0 ] && break; sleep 0.05; done
  (cd "$ceilings/scripts" && IDS_FILE="$work/ids.txt" wrk -t2 -c"$connections" -d8s --latency -s "$script" "http://127.0.0.1:$port$path" >"$work/w.txt")
  echo "$label: $(figures "$work/w.txt")"
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$work"/c.db* "$work/ids.txt"
}
