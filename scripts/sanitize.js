#!/usr/bin/env node
// The sanitizer run: the addon (from binding.gyp, as every build of it), the stand-in and its
// C tests built with ASan + UBSan in out/sanitize/, then the C tests and the addon's test
// suites run against them (node itself is not instrumented, so libasan is preloaded and leak
// detection is left off for node). The sanitizer flags below are the only ones added.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ADDON, buildAddon, stageProject } = require('./addon-build.js');
const { buildTestRuntime } = require('./build-test-runtime.js');
const { nodeGypEnv } = require('./install.js');

const SANITIZER_FLAGS = ['-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-fno-sanitize-recover=undefined'];
const root = path.resolve(__dirname, '..');
const out = path.join(root, 'out', 'sanitize');
const runtimeDir = path.join(out, 'test-runtime');

function run(cmd, args, env = process.env) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`sanitize: ${cmd} failed with ${r.status ?? r.signal}`);
    process.exit(r.status || 1);
  }
}

const libasan = spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout.trim();
if (!libasan || !fs.existsSync(libasan)) {
  console.error('sanitize: libasan.so not found (gcc -print-file-name=libasan.so); install gcc.');
  process.exit(1);
}

buildTestRuntime({ buildDir: path.join(out, 'cmake'), outDir: runtimeDir, flags: SANITIZER_FLAGS });
const flags = SANITIZER_FLAGS.join(' ');
const addonProject = stageProject(path.join(out, 'addon'));
if (buildAddon(addonProject, nodeGypEnv({ ...process.env, CFLAGS: flags, CXXFLAGS: flags, LDFLAGS: flags })) !== 0) {
  console.error('sanitize: the sanitized addon did not build');
  process.exit(1);
}
const addon = path.join(addonProject, ADDON);

// The C tests, fully instrumented (leak detection on).
const fixtures = path.join(root, 'out', 'fixtures');
const cTests = fs
  .readdirSync(path.join(root, 'test-runtime', 'tests'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => f.slice(0, -2));
const cEnv = { ...process.env, OVC_FIXTURES: fixtures, ASAN_OPTIONS: 'detect_leaks=1' };
for (const k of Object.keys(cEnv)) if (k.startsWith('OV_STUB_')) delete cEnv[k];
for (const t of cTests) run(path.join(runtimeDir, t), [], cEnv);

// The JS suites that drive native code, through the sanitized addon and stand-in.
const env = {
  ...process.env,
  LD_PRELOAD: libasan,
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  OVCACHE_NATIVE_BINDING: addon,
  OVCACHE_TEST_STAND_IN: path.join(runtimeDir, 'libopenvino_c.so'),
  OVCACHE_SANITIZER_RUN: '1',
};
const suites = ['dist/test/native', 'dist/test/openvino'].filter((d) => fs.existsSync(path.join(root, d)));
run(
  process.execPath,
  [require.resolve('mocha/bin/mocha.js'), '--no-config', '--timeout', '120000', ...suites.map((d) => `${d}/**/*.test.js`)],
  env,
);
console.log(`sanitize: ${cTests.length} C test programs and ${suites.join(', ')} passed under ASan+UBSan`);
