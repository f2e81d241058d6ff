#!/usr/bin/env node
// Builds the test stand-in of OpenVINO's C API (out/test-runtime/libopenvino_c.so) and the
// native C test programs with plain CMake (tree in out/cmake/). Test infrastructure only:
// never shipped. Extra arguments go to CMake's configure step.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function have(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Configures and builds CMakeLists.txt in `buildDir`, writing the stand-in and the C tests to
 * `outDir`; `flags` (compile and link) are added to every C and C++ target. Exits on failure.
 */
function buildTestRuntime({ buildDir, outDir, flags = [], cmakeArgs = [] }) {
  for (const tool of ['cmake', 'c++']) {
    if (!have(tool)) {
      console.error(`build-test-runtime: '${tool}' is not on PATH. Install it (Debian: apt-get install cmake g++).`);
      process.exit(1);
    }
  }
  const generator = have('ninja') ? ['-G', 'Ninja'] : [];
  const flagArgs =
    flags.length === 0 ? [] : ['C', 'CXX', 'SHARED_LINKER', 'EXE_LINKER'].map((kind) => `-DCMAKE_${kind}_FLAGS=${flags.join(' ')}`);
  const cmake = (args) => {
    const r = spawnSync('cmake', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) process.exit(r.status ?? 1);
  };
  cmake([
    '-S',
    ROOT,
    '-B',
    buildDir,
    ...generator,
    '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
    `-DOVCACHE_TEST_RUNTIME_DIR=${outDir}`,
    ...flagArgs,
    ...cmakeArgs,
  ]);
  cmake(['--build', buildDir, '--parallel']);
}

module.exports = { buildTestRuntime };

if (require.main === module) {
  buildTestRuntime({
    buildDir: path.join(ROOT, 'out', 'cmake'),
    outDir: path.join(ROOT, 'out', 'test-runtime'),
    cmakeArgs: process.argv.slice(2),
  });
}
