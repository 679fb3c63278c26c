#!/usr/bin/env bash
# Runs every drconsole test with all of its set-up. This is the README's
# test command and what CI runs. Nothing is skipped: a missing tool fails.
set -euo pipefail
cd "$(dirname "$0")/.."

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "tests/run.sh: $1 is required ($2)" >&2; exit 1; }
}
# A Debian package a test needs is installed when missing (as root, or
# with sudo); otherwise the run stops and says what to install.
install_if_missing() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "== installing the Debian package $2 (for $1)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}

need cargo "install Rust with rustup"
install_if_missing tmux tmux || true
need tmux "the end-to-end tests drive the console in tmux: apt-get install tmux"

need python3 "the AWS adapter tests run moto in a venv: apt-get install python3 python3-venv"

# tests/report_html.rs opens report.html in a real headless browser.
if ! command -v chromium >/dev/null 2>&1; then
  install_if_missing chromium-headless-shell chromium-headless-shell || true
  need chromium-headless-shell "the drill report's HTML is checked in headless Chromium: apt-get install chromium-headless-shell"
fi

# moto server for tests/aws_sources.rs, in a venv; reinstalled only when
# tests/moto/requirements.txt changes (the stamp holds its last copy).
venv=tests/.venv
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv for moto"
  python3 -m venv "$venv"
fi
if ! cmp -s tests/moto/requirements.txt "$venv/requirements.stamp"; then
  echo "== installing tests/moto/requirements.txt into $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/moto/requirements.txt
  cp tests/moto/requirements.txt "$venv/requirements.stamp"
fi
DRCONSOLE_MOTO_PYTHON="$PWD/$venv/bin/python"
export DRCONSOLE_MOTO_PYTHON

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# insta must compare, never write, snapshots when run here.
export INSTA_UPDATE=no
export CI="${CI:-true}"

echo "== unit, integration, snapshot and end-to-end tests"
cargo test --locked --all-targets

echo "== documentation tests"
cargo test --locked --doc

echo "== all tests passed"
