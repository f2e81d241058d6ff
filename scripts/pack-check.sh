#!/usr/bin/env bash
# Packaging check: pack the tarball (the dev builds in build/ and out/ must be left as they
# were), check what it carries, then install it into empty projects with every compiler hidden
# from PATH, twice: with its install script run, and with --ignore-scripts (the prebuild is
# loaded at run time). Each runs a smoke test against the stand-in runtime (which is NOT in the
# tarball: the test passes its path explicitly). Last, a platform without a prebuild (simulated
# by deleting prebuilds/ from the installed package): loading fails with OVCACHE_ADDON_NOT_FOUND
# and its message's build command, followed as written, makes it work.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "pack-check: $*"; exit 1; }

cd "$root"
dev_builds() { find build out/test-runtime out/fixtures -type f -printf '%i %T@ %p\n' 2>/dev/null | sort; }
before=$(dev_builds)
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball"
[ "$(dev_builds)" = "$before" ] || fail "npm pack (prebuildify) changed the dev builds in build/ or out/"
echo "pack left build/ and out/ as they were ($(wc -l <<<"$before") files)"
listing=$(tar -tzf "$work/$tarball")
grep -q '^package/prebuilds/linux-x64/.*\.node$' <<<"$listing" || fail "no prebuilds/linux-x64/*.node in the tarball"
if grep -E '^package/(test|test-runtime|build|out|bench|dist/test|scripts/make-fixtures)' <<<"$listing"; then
  fail "test or stand-in files leaked into the tarball (listed above)"
fi
echo "tarball: $(wc -l <<<"$listing") files, prebuilds present, no test files"

# Compilers that fail loudly if anything tries to build.
mkdir -p "$work/nocc"
for tool in cc c++ gcc g++ clang clang++ make cmake ninja; do
  printf '#!/bin/sh\necho "pack-check: %s was called: the prebuild was not used" >&2\nexit 97\n' "$tool" >"$work/nocc/$tool"
  chmod +x "$work/nocc/$tool"
done

cat >"$work/smoke.mjs" <<'JS'
import { loadOpenVINO } from 'ovcache';
const ov = await loadOpenVINO({ libraryPath: process.env.STAND_IN });
const core = ov.createCore();
const compiled = await core.compileModel(process.env.MLP, 'CPU');
const out = await compiled.createInferRequest().infer(new Float32Array(16).fill(1));
const [tensor] = Object.values(out);
if (tensor.shape.join(',') !== '1,4') throw new Error(`unexpected output shape ${tensor.shape}`);
console.log(`smoke: OpenVINO ${ov.version.buildNumber} (stand-in: ${ov.isStandIn}), output ${Array.from(tensor.data).map((v) => v.toFixed(3)).join(' ')}`);
JS
cat >"$work/smoke.cjs" <<'JS'
const { loadOpenVINO } = require('ovcache');
if (typeof loadOpenVINO !== 'function') throw new Error('require("ovcache") has no loadOpenVINO');
console.log(`smoke: require() works; addon ${require('node-gyp-build').resolve(require('path').dirname(require.resolve('ovcache/package.json')))}`);
JS
smoke_openvino() { STAND_IN="$root/out/test-runtime/libopenvino_c.so" MLP="$root/out/fixtures/mlp.xml" node smoke.mjs; }
# Runs both smoke tests in the current project; $1 is the addon file that must be loaded.
smoke() {
  cp "$work/smoke.mjs" "$work/smoke.cjs" .
  smoke_openvino
  local line
  line=$(node smoke.cjs)
  echo "$line"
  [[ "$line" == *" $1" ]] || fail "expected the addon $1 to be loaded"
}
# Installs the tarball into the new project $1 with compilers hidden; $2 is its .npmrc, more
# npm flags follow.
install_into() {
  local app=$work/$1
  mkdir -p "$app" && cd "$app"
  npm init -y >/dev/null
  printf '%s\n' "$2" >.npmrc
  shift 2
  if ! PATH="$work/nocc:$PATH" npm install --no-audit --no-fund --foreground-scripts "$@" "$work/$tarball" >install.log 2>&1; then
    cat install.log; fail "npm install $* of the tarball failed"
  fi
  grep -q "was called" install.log && { cat install.log; fail "the install tried to compile"; }
  return 0
}
prebuild=node_modules/ovcache/prebuilds/linux-x64/ovcache.node

# 1. With the install script (approved: npm 11 skips unapproved dependency install scripts).
install_into with-scripts "allow-scripts=ovcache"
grep -q "node scripts/install.js" install.log || { cat install.log; fail "the install script did not run"; }
echo "with scripts: installed with compilers hidden; the install script ran and compiled nothing"
PATH="$work/nocc:$PATH" smoke "$PWD/$prebuild"

# 2. Without it: nothing runs at install, the prebuild is found at run time.
install_into without-scripts "" --ignore-scripts
grep -q "node scripts/install.js" install.log && { cat install.log; fail "--ignore-scripts ran the install script"; }
[ ! -e node_modules/ovcache/build ] || fail "--ignore-scripts left a build/ folder"
echo "--ignore-scripts: installed with compilers hidden; no install script ran"
PATH="$work/nocc:$PATH" smoke "$PWD/$prebuild"

# 3. No prebuild for this platform: the error says how to build from source, and that works.
rm -rf node_modules/ovcache/prebuilds
if smoke_openvino >missing.log 2>&1; then fail "loaded an addon with no prebuild and no build"; fi
grep -q "OVCACHE_ADDON_NOT_FOUND" missing.log || { cat missing.log; fail "no OVCACHE_ADDON_NOT_FOUND without an addon"; }
command=$(grep -o 'run `npm rebuild ovcache`' missing.log) || { cat missing.log; fail "the error does not say how to build"; }
echo "no prebuild: OVCACHE_ADDON_NOT_FOUND says to $command; following it"
npm install-scripts approve ovcache >/dev/null
npm rebuild ovcache --foreground-scripts >rebuild.log 2>&1 || { cat rebuild.log; fail "npm rebuild ovcache failed"; }
smoke "$PWD/node_modules/ovcache/build/Release/ovcache.node"
echo "pack-check: passed (with scripts, with --ignore-scripts, and built from source without a prebuild)"
