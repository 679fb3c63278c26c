#!/usr/bin/env bash
# Runs every drconsole test with all of its set-up. This is the README's
# test command and what CI runs. Nothing is skipped: a missing tool fails.
set -euo pipefail
cd "$(dirname "$0")/.."

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "tests/run.sh: $1 is required ($2)" >&2; exit 1; }
}
need cargo "install Rust with rustup"
need tmux "the end-to-end tests drive the console in tmux: apt-get install tmux"

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# insta must compare, never write, snapshots when run here.
export INSTA_UPDATE=no
export CI="${CI:-true}"

echo "== unit, integration, snapshot and end-to-end tests"
cargo test --locked --all-targets

echo "== documentation tests"
cargo test --locked --doc

echo "== all tests passed"
