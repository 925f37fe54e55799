#!/usr/bin/env bash
# The README's test command (`npm test`) and what CI runs: install what is missing, typecheck,
# then every test (unit, integration, e2e on a real Temporal dev server, SQLite and PostgreSQL,
# the TensorFlow interop tests in their own venv). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
# Chromium for test/browser/ (Debian's, installed here once so no test waits on apt-get); when it
# cannot be installed those tests skip, saying why
bash scripts/browser.sh > /dev/null || echo "[test] no Chromium (reason above): test/browser/ will skip or fail" >&2
# a lock file npm ci can't install from fails a fresh clone (e.g. a platform package the
# registry lacks); catch it here, where node_modules already exists and setup skips npm ci
npm ci --dry-run --no-audit --no-fund > /dev/null || { echo "[test] package-lock.json is not installable by npm ci" >&2; exit 1; }
echo "[test] typecheck"
npx tsc --noEmit -p .
echo "[test] lint"
npx eslint .
mkdir -p .tsfx
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tsfx/test-results.json "$@" || status=$?
# one plain closing line, whatever the reporter printed above it
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(".tsfx/test-results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit $status
