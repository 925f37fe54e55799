#!/usr/bin/env bash
# Usage: scripts/tfjs-native.sh [--gpu] [--force]
#
# --gpu: the same for @tensorflow/tfjs-node-gpu from PyPI's `tensorflow` wheel (built with CUDA;
# running on a GPU needs CUDA 12 and cuDNN 9 libraries, e.g. pip's tensorflow[and-cuda]). Not run
# by setup.sh. --force: rebuild the binding even when cached.
#
# Makes @tensorflow/tfjs-node loadable from the registries only. Its own install script
# downloads libtensorflow and a prebuilt binding from storage.googleapis.com; where that fails,
# npm ci drops the optional package (its files and the packages only it needs). This script:
#   1. restores the package files the lock names, without install scripts (npm install --ignore-scripts);
#   2. takes libtensorflow and its C headers from PyPI's tensorflow-cpu wheel (the pin in
#      test/helpers/python-pins.ts), extracted once into $TSFX_HOME/native/libtensorflow-<v>/;
#   3. lays them out as the package's binding.gyp expects (deps/include, deps/lib/libtensorflow.so
#      and libtensorflow_framework.so; the wheel's libtensorflow_cc.so.2 exports the C API);
#   4. builds the binding with npm's node-gyp against Node's installed headers (--nodedir) once,
#      caching tfjs_binding.node under $TSFX_HOME/native/build/<key>/;
#   5. checks that require('@tensorflow/tfjs-node') gives tf.getBackend() === 'tensorflow'.
# Idempotent and cached: a stamp in the package records what was installed, so a second run
# returns at once. Exits 1 with the reason when anything fails; setup.sh logs it and goes on
# (src/ml/backend.ts then falls back to wasm). TSFX_NATIVE=0 skips it.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
home="${TSFX_HOME:-$repo_root/.tsfx}"
case "$home" in /*) ;; *) home="$repo_root/$home" ;; esac
native="$home/native"
log() { echo "[tfjs-native] $*" >&2; }
fail() { log "$*"; exit 1; }

if [ "${TSFX_NATIVE:-}" = "0" ]; then log "TSFX_NATIVE=0: skipped"; exit 0; fi
force=0
variant=cpu
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --gpu) variant=gpu ;;
    *) fail "unknown argument $a (usage: $0 [--gpu] [--force])" ;;
  esac
done
if [ "$variant" = gpu ]; then npm_name=@tensorflow/tfjs-node-gpu dist=tensorflow; else npm_name=@tensorflow/tfjs-node dist=tensorflow-cpu; fi
pkg="$repo_root/node_modules/$npm_name"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) fail "only Linux x86_64 is handled (the tensorflow-cpu wheel's layout); found $(uname -s)-$(uname -m)" ;;
esac

# one place for the TensorFlow pin: the interop tests' venv uses the same wheel
tf_version="$(sed -n "s/.*'tensorflow-cpu==\([0-9.]*\)'.*/\1/p" test/helpers/python-pins.ts | head -1)"
[ -n "$tf_version" ] || fail "no tensorflow-cpu pin in test/helpers/python-pins.ts"
want_pkg="$(node -p "require('./package-lock.json').packages['node_modules/$npm_name']?.version ?? ''")"
[ -n "$want_pkg" ] || fail "package-lock.json has no $npm_name"
key="${npm_name#@tensorflow/}-$want_pkg-tf-$tf_version-node-$(node -p 'process.versions.modules')-napi-$(node -p 'process.versions.napi')-linux-x64"
stamp="$pkg/.tsfx-native"

loads() {
  TF_CPP_MIN_LOG_LEVEL=2 node -e '
    const tf = require(process.argv[1]);
    if (tf.getBackend() !== "tensorflow") { console.error(`backend is ${tf.getBackend()}`); process.exit(1); }
    const name = process.argv[1].replace("@tensorflow/", "");
    console.log(`${name} ${tf.version["tfjs-node"] ?? tf.version[name]} on TensorFlow ${tf.backend().binding.TF_Version}`);
  ' "$npm_name" 2>&1
}

# fast path: installed by this script for the same key (no node start-up, no 700 MB library load)
if [ "$force" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
  log "ready ($key)"
  exit 0
fi

# installed some other way (its own install script on a machine that reaches Google's storage)
if [ "$force" = 0 ] && [ -f "$pkg/package.json" ] && [ ! -f "$stamp" ] && out="$(loads)"; then
  log "already loadable: $out"
  [ -L "$pkg/deps/lib/libtensorflow_cc.so.2" ] && echo "$key" >"$stamp" # our layout: fast path next time
  exit 0
fi

mkdir -p "$native"
exec 9>"$native/.lock"
flock 9 # two setups in one home build once
t0=$(date +%s)
rm -f "$stamp" # whatever happens below, the fast path is off until step 5 succeeds

# 1. the package's files. npm ci removes an optional package whose install script failed, with
# the packages only it depends on (@mapbox/node-pre-gyp, google-protobuf, ...); --ignore-scripts
# reinstalls exactly what the lock names without running that download again. --no-save keeps
# package.json and package-lock.json as they are.
if [ ! -f "$pkg/package.json" ] || [ ! -d "$repo_root/node_modules/@mapbox/node-pre-gyp" ]; then
  log "restoring the optional npm packages' files (npm install --ignore-scripts --no-save)"
  npm install --ignore-scripts --no-save --no-audit --no-fund >&2 || fail "npm install --ignore-scripts failed"
fi
[ -f "$pkg/package.json" ] || fail "npm did not install $npm_name"
have_pkg="$(node -p "require('$pkg/package.json').version")"
[ "$have_pkg" = "$want_pkg" ] || fail "node_modules has $npm_name $have_pkg, the lock wants $want_pkg"

# 2. libtensorflow + headers from the wheel, once per home
libdir="$native/libtensorflow-$tf_version"
[ "$variant" = gpu ] && libdir="$native/libtensorflow-gpu-$tf_version"
wheel_prefix="${dist//-/_}-$tf_version-"
if [ ! -f "$libdir/.complete" ]; then
  rm -rf "$libdir" "$libdir.tmp"
  mkdir -p "$native/wheels" "$libdir.tmp"
  wheel="$(ls "$native/wheels/$wheel_prefix"*.whl 2>/dev/null | head -1 || true)"
  if [ -z "$wheel" ]; then
    py="${TSFX_PYTHON:-$(command -v python3 || true)}"
    [ -n "$py" ] || fail "no python3 on PATH to pip download $dist (set TSFX_PYTHON)"
    log "downloading $dist==$tf_version from PyPI (pip download; tensorflow-cpu is 260 MB, tensorflow 620 MB)"
    "$py" -m pip download --no-deps --only-binary=:all: --progress-bar off \
      --platform manylinux_2_17_x86_64 --python-version 3.11 \
      -d "$native/wheels" "$dist==$tf_version" >&2 || fail "pip download $dist==$tf_version failed"
    wheel="$(ls "$native/wheels/$wheel_prefix"*.whl | head -1)"
  fi
  log "extracting libtensorflow and its C headers from $(basename "$wheel")"
  "${TSFX_PYTHON:-python3}" - "$wheel" "$libdir.tmp" <<'PY' || fail "extracting the wheel failed"
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
keep_lib = ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
keep_inc = ('tensorflow/include/tensorflow/', 'tensorflow/include/tsl/', 'tensorflow/include/xla/')
n = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name in keep_lib:
            dest = os.path.join(out, 'lib', os.path.basename(name))
        elif name.startswith(keep_inc) and not name.endswith('/'):
            dest = os.path.join(out, 'include', name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(info) as src, open(dest, 'wb') as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        n += 1
missing = [p for p in keep_lib if not os.path.exists(os.path.join(out, 'lib', os.path.basename(p)))]
if missing or not os.path.exists(os.path.join(out, 'include/tensorflow/c/c_api.h')):
    sys.exit(f'the wheel lacks {missing or "tensorflow/c/c_api.h"}')
print(f'[tfjs-native] extracted {n} files', file=sys.stderr)
PY
  nm -D --defined-only "$libdir.tmp/lib/libtensorflow_cc.so.2" 2>/dev/null | grep ' T TFE_NewContext' >/dev/null \
    || fail "libtensorflow_cc.so.2 from the wheel does not export the C API (TFE_NewContext)"
  touch "$libdir.tmp/.complete"
  mv "$libdir.tmp" "$libdir"
  rm -f "$wheel" # the extracted 800 MB are the cache; the wheel is not needed again
fi

# 3. the layout binding.gyp links against: -ltensorflow -ltensorflow_framework from deps/lib,
# rpath $ORIGIN/../../deps/lib. The binary records the library's soname (libtensorflow_cc.so.2),
# so that name is there too. Symlinks into the cache: nothing large is copied per clone.
rm -rf "$pkg/deps"
mkdir -p "$pkg/deps/lib"
ln -s "$libdir/include" "$pkg/deps/include"
for f in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do ln -s "$libdir/lib/$f" "$pkg/deps/lib/$f"; done
ln -s libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so.2"
ln -s libtensorflow.so.2 "$pkg/deps/lib/libtensorflow.so"
ln -s libtensorflow_framework.so.2 "$pkg/deps/lib/libtensorflow_framework.so"

# where tfjs-node's index.js looks for the binding (node-pre-gyp's choice of N-API version)
binding="$(node -e "console.log(require('@mapbox/node-pre-gyp').find('$pkg/package.json'))")"
napi_dir="$(basename "$(dirname "$binding")")" # napi-v8
built="$native/build/$key/tfjs_binding.node"

# 4. the binding, built once per key
if [ ! -f "$built" ] || [ "$force" = 1 ]; then
  gyp="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$gyp" ] || gyp="$(node -p 'require.resolve("node-gyp/bin/node-gyp.js")' 2>/dev/null || true)"
  [ -f "$gyp" ] || fail "no node-gyp (looked in npm's own node_modules and in node_modules)"
  nodedir="${TSFX_NODEDIR:-/usr}"
  [ -f "$nodedir/include/node/node_api.h" ] || fail "no Node headers at $nodedir/include/node (set TSFX_NODEDIR)"
  log "building the binding with node-gyp $(node "$gyp" --version) against Node $(node --version) headers in $nodedir and TensorFlow $tf_version"
  b0=$(date +%s)
  (cd "$pkg" && node "$gyp" rebuild --release --nodedir="$nodedir" -j 2 \
    --module_name=tfjs_binding --module_path="$(dirname "$binding")" \
    --napi_build_version="${napi_dir#napi-v}" >"$native/build.log" 2>&1) \
    || { tail -20 "$native/build.log" >&2; fail "node-gyp failed (full log: $native/build.log)"; }
  log "built the binding in $(( $(date +%s) - b0 ))s"
  mkdir -p "$(dirname "$built")"
  cp "$pkg/build/Release/tfjs_binding.node" "$built.tmp" && mv "$built.tmp" "$built"
  rm -rf "$pkg/build"
else
  log "binding from the cache ($built)"
fi
mkdir -p "$(dirname "$binding")"
cp "$built" "$binding"

# 5. the proof
if out="$(loads)"; then
  echo "$key" >"$stamp"
  log "$out; ready in $(( $(date +%s) - t0 ))s"
else
  rm -f "$stamp"
  fail "the built binding does not load: $out"
fi
