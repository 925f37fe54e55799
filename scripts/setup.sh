#!/usr/bin/env bash
# Usage: scripts/setup.sh
#
# Everything the embedded default needs, installed once: npm dependencies (when node_modules
# is missing or older than package-lock.json), tfjs-node's native binding built from PyPI's
# TensorFlow wheel (scripts/tfjs-native.sh; optional) and the pinned Temporal CLI under $TSFX_HOME/bin.
# Idempotent: a second run compares two lockfiles, runs one `--version` and returns.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
log() { echo "[setup] $*" >&2; }

major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt 20 ]; then
  log "tsfx needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))"
  exit 1
fi

# Stale = package-lock.json names a package version node_modules lacks. npm records what it
# installed in node_modules/.package-lock.json; comparing entries, not mtimes, because npm writes
# the two files in the same second and an optional package that failed to build is allowed.
lock_is_stale() {
  node -e '
    const fs = require("node:fs");
    const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages ?? {};
    let have;
    try { have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {}; }
    catch { process.exit(0); }
    for (const [key, pkg] of Object.entries(want)) {
      if (!key) continue;
      const got = have[key];
      if (got ? got.version !== pkg.version : !pkg.optional) { console.error(`[setup] ${key} wants ${pkg.version}, has ${got?.version ?? "nothing"}`); process.exit(0); }
    }
    process.exit(1);
  '
}

if [ ! -d node_modules ]; then
  if [ -f package-lock.json ]; then
    log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  else
    log "no package-lock.json; installing npm dependencies (npm install)"
    npm install --no-audit --no-fund
  fi
elif [ -f package-lock.json ] && lock_is_stale; then
  log "node_modules is older than package-lock.json; reinstalling (npm ci)"
  npm ci --no-audit --no-fund
else
  log "npm dependencies up to date"
fi

# the native tfjs backend (optional): npm cannot install it here, so build it from the PyPI wheel
bash "$repo_root/scripts/tfjs-native.sh" \
  || log "no native TensorFlow backend (reason above); training and serving use tfjs-backend-wasm"
bash "$repo_root/scripts/install-temporal.sh"
log "done; run a pipeline with: node bin/tsfx.js run pipelines/penguin.ts"
