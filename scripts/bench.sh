#!/usr/bin/env bash
# Every benchmark in bench/: each prints its own table of figures. Never asserts a time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
for b in bench/*.ts; do
  echo "=== $b"
  node --import tsx "$b"
done
