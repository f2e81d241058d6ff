#!/usr/bin/env node
// Builds the test stand-in of OpenVINO's C API (build/test-runtime/libopenvino_c.so) and the
// native C test programs with plain CMake. Test infrastructure only: never shipped.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build', 'cmake');
const extra = process.argv.slice(2);

function have(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}
for (const tool of ['cmake', 'c++']) {
  if (!have(tool)) {
    console.error(`build-test-runtime: '${tool}' is not on PATH. Install it (Debian: apt-get install cmake g++).`);
    process.exit(1);
  }
}
const generator = have('ninja') ? ['-G', 'Ninja'] : [];
function run(args) {
  const r = spawnSync('cmake', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
run(['-S', root, '-B', buildDir, ...generator, '-DCMAKE_BUILD_TYPE=RelWithDebInfo', ...extra]);
run(['--build', buildDir, '--parallel']);
