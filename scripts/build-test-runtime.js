#!/usr/bin/env node
// Builds the test stand-in of OpenVINO's C API (out/test-runtime/: the C library
// libopenvino_c.so.<version> with its soname and dev links, the core libopenvino.so.<version>,
// the CPU and GPU plugins and a TBB stand-in, as Intel splits OpenVINO) and the native C test
// programs with plain CMake (tree in out/cmake/), then installs it in each of Intel's layouts
// under out/layouts/ (test-runtime-layouts.js). Test infrastructure only: never shipped. Extra
// arguments go to CMake's configure step.
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
  const { installAllLayouts } = require('./test-runtime-layouts.js');
  for (const layout of installAllLayouts()) console.log(`build-test-runtime: ${layout.kind.padEnd(7)} ${layout.libraryPath}`);
}
