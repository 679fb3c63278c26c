#!/usr/bin/env bash
# PBKDF2-HMAC-SHA256, 600,000 iterations, 32-byte key: drconsole (release
# build, criterion) against `openssl kdf` on the same machine, both timed
# per derivation. OpenSSL is timed with hyperfine when present, else as the
# mean wall time of N runs (its process start-up, ~2 ms, is included).
# Usage: benches/pbkdf2_vs_openssl.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"

openssl_cmd=(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:password
  -kdfopt salt:0123456789abcdef -kdfopt iter:600000 PBKDF2)
echo "== $(openssl version)"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs "$runs" "${openssl_cmd[*]}"
else
  "${openssl_cmd[@]}" >/dev/null   # warm-up
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "${openssl_cmd[@]}" >/dev/null; done
  end=$(date +%s%N)
  echo "openssl kdf PBKDF2 600000: $(( (end - start) / runs / 1000 )) us per derivation (mean of $runs)"
fi

echo "== drconsole (criterion, release)"
cargo bench --bench crypto -- --noplot pbkdf2 2>&1 | grep -E "^pbkdf2|time:"
