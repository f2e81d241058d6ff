#!/usr/bin/env node
// Checks (or with --fix, applies) clang-format on the project's C and C++ sources.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const fix = process.argv.includes('--fix');
const dirs = [
  'native',
  'test-runtime/src',
  'test-runtime/tests',
  'test-runtime/core',
  'test-runtime/plugins',
  'test-runtime/tbb',
  'test-runtime/loader',
];
const files = dirs.flatMap((dir) => {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full)
    .filter((f) => /\.(c|cc|h)$/.test(f))
    .map((f) => path.join(dir, f));
});
if (spawnSync('clang-format', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('clang-format is not installed: run `apt-get install -y clang-format` (.ci/run does).');
  process.exit(1);
}
const args = fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const result = spawnSync('clang-format', args, { cwd: root, stdio: 'inherit' });
if (result.status === 0) console.log(`clang-format: ${files.length} files ${fix ? 'formatted' : 'clean'}`);
process.exit(result.status ?? 1);
