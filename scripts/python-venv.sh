#!/usr/bin/env bash
# Usage: scripts/python-venv.sh NAME REQUIREMENT...
#
# Creates (once) a Python virtualenv at $TSFX_HOME/venvs/NAME with the given pinned pip
# requirements and prints the venv's python path as the last line of stdout. Progress goes to
# stderr. Idempotent and cached: a stamp file records the requirements the venv was built
# with, so a second call with the same list returns at once and a changed list rebuilds it.
# Concurrent callers (parallel test files) serialise on a lock instead of racing pip.
# Requirements after a `--no-deps` argument are installed afterwards without their dependencies
# (a package whose declared dependencies conflict with the pins, e.g. tensorflowjs: see
# test/helpers/python-pins.ts).
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 NAME REQUIREMENT..." >&2
  exit 2
fi
name="$1"
shift
case "$name" in
  *[!A-Za-z0-9_.-]*|'') echo "python-venv: bad venv name '$name'" >&2; exit 2 ;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${TSFX_HOME:-$repo_root/.tsfx}"
case "$home" in /*) ;; *) home="$(pwd)/$home" ;; esac
venvs="$home/venvs"
venv="$venvs/$name"
stamp="$venv/.tsfx-requirements"
with_deps=()
no_deps=()
seen_marker=0
for r in "$@"; do
  if [ "$r" = "--no-deps" ]; then seen_marker=1
  elif [ "$seen_marker" = 1 ]; then no_deps+=("$r")
  else with_deps+=("$r"); fi
done
# sorted on each side of the marker: which side a package is on matters
want="$(printf '%s\n' "${with_deps[@]}" | sort)"
if [ "${#no_deps[@]}" -gt 0 ]; then want="$want"$'\n--no-deps\n'"$(printf '%s\n' "${no_deps[@]}" | sort)"; fi

log() { echo "[python-venv $name] $*" >&2; }

pick_python() {
  if [ -n "${TSFX_PYTHON:-}" ]; then echo "$TSFX_PYTHON"; return; fi
  for p in python3.11 python3.12 python3.10 python3; do
    if command -v "$p" >/dev/null 2>&1; then command -v "$p"; return; fi
  done
  echo "python-venv: no python3 on PATH (set TSFX_PYTHON)" >&2
  exit 1
}

is_ready() {
  [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]
}

mkdir -p "$venvs"
if ! is_ready; then
  exec 9>"$venvs/.$name.lock"
  flock 9 # another caller building the same venv holds it until done
  # another caller may have built it while we waited
  if ! is_ready; then
    py="$(pick_python)"
    log "creating $venv with $("$py" --version 2>&1)"
    rm -rf "$venv"
    "$py" -m venv "$venv"
    log "upgrading pip"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q --upgrade pip >&2
    log "installing: ${with_deps[*]}"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off "${with_deps[@]}" >&2
    if [ "${#no_deps[@]}" -gt 0 ]; then
      log "installing without dependencies: ${no_deps[*]}"
      "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off --no-deps "${no_deps[@]}" >&2
    fi
    # written last: an interrupted install leaves no stamp and is redone next time
    printf '%s\n' "$want" >"$stamp"
    log "ready"
  fi
  flock -u 9
fi
echo "$venv/bin/python"
