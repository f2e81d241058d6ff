#!/usr/bin/env bash
# Packaging check: pack the tarball, check what it carries, install it into an empty
# project with every compiler hidden from PATH, and run a smoke test through it against the
# stand-in runtime (which is NOT in the tarball: the test passes its path explicitly).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball"
listing=$(tar -tzf "$work/$tarball")
grep -q '^package/prebuilds/linux-x64/.*\.node$' <<<"$listing" || { echo "pack-check: no prebuilds/linux-x64/*.node in the tarball"; exit 1; }
if grep -E '^package/(test|test-runtime|build|bench|dist/test|scripts/make-fixtures)' <<<"$listing"; then
  echo "pack-check: test or stand-in files leaked into the tarball (listed above)"; exit 1
fi
echo "tarball: $(wc -l <<<"$listing") files, prebuilds present, no test files"

# Compilers that fail loudly if anything tries to build.
mkdir -p "$work/nocc"
for tool in cc c++ gcc g++ clang clang++ make cmake ninja; do
  printf '#!/bin/sh\necho "pack-check: %s was called: the prebuild was not used" >&2\nexit 97\n' "$tool" >"$work/nocc/$tool"
  chmod +x "$work/nocc/$tool"
done
mkdir -p "$work/app"
cd "$work/app"
npm init -y >/dev/null
echo "allow-scripts=ovcache" >.npmrc
# --allow-scripts: npm 11 skips dependency install scripts unless approved; run ours, so the
# check proves the install script itself picks the prebuild and never calls a compiler.
if ! PATH="$work/nocc:$PATH" npm install --no-audit --no-fund --foreground-scripts "$work/$tarball" >"$work/install.log" 2>&1; then
  cat "$work/install.log"; echo "pack-check: npm install of the tarball failed"; exit 1
fi
if grep -q "was called" "$work/install.log"; then
  cat "$work/install.log"; echo "pack-check: the install tried to compile"; exit 1
fi
grep -q "node scripts/install.js" "$work/install.log" || { cat "$work/install.log"; echo "pack-check: the install script did not run"; exit 1; }
echo "installed the tarball with compilers hidden; the install script ran and compiled nothing"
cat >smoke.mjs <<'JS'
import { loadOpenVINO } from 'ovcache';
const ov = await loadOpenVINO({ libraryPath: process.env.STAND_IN });
const core = ov.createCore();
const compiled = await core.compileModel(process.env.MLP, 'CPU');
const out = await compiled.createInferRequest().infer(new Float32Array(16).fill(1));
const [tensor] = Object.values(out);
if (tensor.shape.join(',') !== '1,4') throw new Error(`unexpected output shape ${tensor.shape}`);
console.log(`smoke: OpenVINO ${ov.version.buildNumber} (stand-in: ${ov.isStandIn}), output ${Array.from(tensor.data).map((v) => v.toFixed(3)).join(' ')}`);
JS
cat >smoke.cjs <<'JS'
const { loadOpenVINO } = require('ovcache');
if (typeof loadOpenVINO !== 'function') throw new Error('require("ovcache") has no loadOpenVINO');
console.log('smoke: require() works');
JS
PATH="$work/nocc:$PATH" STAND_IN="$root/out/test-runtime/libopenvino_c.so" MLP="$root/out/fixtures/mlp.xml" node smoke.mjs
PATH="$work/nocc:$PATH" node smoke.cjs
echo "pack-check: passed"
