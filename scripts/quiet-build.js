#!/usr/bin/env node
// `npm run build` with one line of output: "built in 4.2 s", or, when it fails, everything the
// build printed and its exit code (npm run demo's first step: the demo's output starts with the demo).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const started = Date.now();
const npm = process.env.npm_execpath;
const [command, args] = npm ? [process.execPath, [npm, 'run', '--silent', 'build']] : ['npm', ['run', '--silent', 'build']];
const result = spawnSync(command, args, { cwd: path.resolve(__dirname, '..'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (result.status === 0) {
  process.stdout.write(`built (addon, TypeScript, stand-in runtime, fixtures) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} else {
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  process.stderr.write(`\nthe build failed (exit ${result.status ?? result.signal ?? result.error?.message}); the output above says why\n`);
  process.exitCode = result.status || 1;
}
