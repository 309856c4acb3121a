#!/usr/bin/env bash
# Launch → week board on screen, as a coordinator sees it (not a test): starts `roster` in a
# detached 80x24 tmux window N times and polls the screen until the board's totals line
# ("posts slots …") shows. Prints each time and the median, in milliseconds.
#
#   benchmarks/bench_start.sh [DB] [N]      (default: roster.db, 5 runs; needs tmux)
set -euo pipefail
DB=${1:-roster.db}
N=${2:-5}
ROSTER=${ROSTER:-$(dirname "$0")/../.venv/bin/roster}
command -v tmux >/dev/null || { echo "bench_start needs tmux" >&2; exit 2; }
[ -f "$DB" ] || { echo "no database at $DB: run ./run-app once, or give one" >&2; exit 2; }
times=()
for _ in $(seq "$N"); do
  tmux kill-session -t roster-bench 2>/dev/null || true
  t0=$(date +%s%N)
  tmux new-session -d -s roster-bench -x 80 -y 24 "$ROSTER --db '$DB'; sleep 30"
  until tmux capture-pane -p -t roster-bench 2>/dev/null | grep -q "posts slots"; do
    sleep 0.01
  done
  t1=$(date +%s%N)
  tmux kill-session -t roster-bench
  times+=($(( (t1 - t0) / 1000000 )))
done
printf 'launch → board (ms): %s\n' "${times[*]}"
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median:", a[int((NR+1)/2)], "ms (target ≤ 1000)"}'
