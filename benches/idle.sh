#!/usr/bin/env bash
# Measures the console idle on the simulated estate: CPU over 30 s,
# resident memory, and the time to the first frame (which the console logs).
# Usage: benches/idle.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
cargo build --release --quiet
bin="$PWD/target/release/drconsole"
sock="drconsole-idle-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
tmux -L "$sock" -f /dev/null new-session -d -s idle -x 160 -y 48 "exec '$bin'"
sleep 2
pid=$(tmux -L "$sock" display-message -p -t idle '#{pane_pid}')
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(cpu)
sleep "$secs"
after=$(cpu)
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
first=$(tmux -L "$sock" capture-pane -p -t idle | grep -o 'first frame drawn [0-9]* ms' | head -1 || true)
awk -v b="$before" -v a="$after" -v t="$ticks" -v s="$secs" -v r="$rss_kib" -v f="$first" 'BEGIN {
  printf "idle CPU: %.2f %% of one core over %d s\n", (a - b) / t / s * 100, s;
  printf "resident memory: %.1f MiB\n", r / 1024;
  printf "%s\n", (f == "" ? "first frame: not visible in the log pane" : f);
}'
