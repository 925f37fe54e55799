#!/usr/bin/env bash
# Usage: scripts/browser.sh
#
# Finds a Chromium for the browser tests and prints its path as the last stdout line. When none
# is present it installs Debian's `chromium` (apt-get update, then apt-get install), as root or
# through `sudo -n`. Idempotent: once installed it only runs `--version`.
#   TSFX_CHROMIUM=/path/to/chrome   use that binary, install nothing
# Exit codes: 0 found (path printed); 3 not installable here (no apt-get, not root and no sudo,
# or apt-get failed): tests skip with this script's reason; 1 found but it does not run: tests fail.
# Debian's /usr/bin/chromium is a wrapper that sources /etc/chromium.d (Google API keys, extension
# flags); the binary behind it is printed instead, so a test browser starts with only its flags.
# Concurrent callers (parallel test files) serialise on a lock file.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${TSFX_HOME:-$repo_root/.tsfx}"
case "$home" in /*) ;; *) home="$repo_root/$home" ;; esac
log() { echo "[browser] $*" >&2; }
unavailable() { log "$*"; exit 3; }

find_chromium() {
  local p
  if [ -n "${TSFX_CHROMIUM:-}" ]; then
    echo "$TSFX_CHROMIUM"
    return 0
  fi
  for p in /usr/lib/chromium/chromium /usr/lib/chromium-browser/chromium-browser; do
    if [ -x "$p" ]; then
      echo "$p"
      return 0
    fi
  done
  for p in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$p" > /dev/null 2>&1; then
      command -v "$p"
      return 0
    fi
  done
  return 1
}

# `--version` proves the binary and its shared libraries load; the path goes to stdout.
check() {
  local bin="$1" version
  if ! version="$("$bin" --version 2>&1)"; then
    log "$bin does not run: $version"
    exit 1
  fi
  log "${version%% } at $bin"
  echo "$bin"
}

if bin="$(find_chromium)"; then
  check "$bin"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
  as_root=(sudo -n)
else
  unavailable "no Chromium found and cannot install one: not root and no passwordless sudo (install Debian's 'chromium' package, or set TSFX_CHROMIUM)"
fi
command -v apt-get > /dev/null 2>&1 || unavailable "no Chromium found and no apt-get to install Debian's 'chromium' (set TSFX_CHROMIUM)"

mkdir -p "$home"
exec 9> "$home/browser-install.lock"
flock 9
# another caller may have installed it while this one waited for the lock
if bin="$(find_chromium)"; then
  check "$bin"
  exit 0
fi
log "installing Debian's chromium (apt-get install chromium) …"
export DEBIAN_FRONTEND=noninteractive
# DPkg::Lock::Timeout: other apt users on the machine (setup of other checkouts) finish first
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q >&2 \
  || unavailable "apt-get update failed (output above)"
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends chromium >&2 \
  || unavailable "apt-get install chromium failed (output above)"
bin="$(find_chromium)" || { log "apt-get installed chromium but no binary was found"; exit 1; }
check "$bin"
