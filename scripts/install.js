#!/usr/bin/env node
// npm "install" script: load a prebuilt addon when one fits this platform, else compile it
// with node-gyp (binding.gyp). --rebuild forces a compile; --prebuild makes prebuilds/. Points node-gyp at the running Node's own headers when they
// are installed beside it, so that no header download is ever attempted.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const rebuild = process.argv.includes('--rebuild');
const env = { ...process.env };

if (!env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    env.npm_config_nodedir = prefix;
  }
}

/** node-gyp as npm runs it for scripts, else the copy bundled with npm, else PATH. */
function nodeGyp() {
  const candidates = [
    env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((file) => file && fs.existsSync(file));
  return found ? [process.execPath, [found]] : ['node-gyp', []];
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

let status;
if (process.argv.includes('--prebuild')) {
  // prepack: Node-API prebuild for this platform into prebuilds/<platform>-<arch>/.
  // prebuildify runs `node-gyp rebuild`, which deletes build/ (the dev addon, the stand-in
  // and the fixtures): set build/ aside for the duration and put it back afterwards.
  const buildDir = path.join(root, 'build');
  const aside = path.join(root, `.build-aside-${process.pid}`);
  const hadBuild = fs.existsSync(buildDir);
  if (hadBuild) fs.renameSync(buildDir, aside);
  try {
    status = run(process.execPath, [require.resolve('prebuildify/bin.js'), '--napi', '--strip']);
  } finally {
    if (hadBuild) {
      fs.rmSync(buildDir, { recursive: true, force: true });
      fs.renameSync(aside, buildDir);
    }
  }
} else if (rebuild) {
  const [cmd, pre] = nodeGyp();
  // configure + build, not rebuild: a rebuild deletes build/, which also holds the stand-in and fixtures.
  status = run(cmd, [...pre, 'configure']) || run(cmd, [...pre, 'build']);
} else {
  status = run(process.execPath, [require.resolve('node-gyp-build/bin.js')]);
}
process.exit(status);
