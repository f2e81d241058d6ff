#!/usr/bin/env node
// `npm test` (after the pretest build): the suite in two mocha runs over dist/test. First every
// file but the serial ones, in parallel (each file in a worker process of its own, `--jobs`
// at once); then the files listed in .mocharc.serial.json, one after another, alone on the
// machine: they compare timings of simulated work and would flake while other files load the
// CPU. Both runs always run; the exit code is the first failure's. With arguments (test
// files, mocha options) it is one plain mocha run with .mocharc.json, as `npx mocha` would be.
// OVCACHE_TEST_JOBS sets the number of parallel workers. Default 1: one plain mocha run over every
// file, one after another (8-10 min on 2 cores). 4 takes 2.5-3 min for both runs, but two of four
// CI runs on 2026-12-07 each had one failure in it (a real race between processes, since fixed,
// and a child killed by a signal in the result store's process test, not yet explained): the
// default moves to 4 once CI runs pass in it without one.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const mocha = path.join(path.dirname(require.resolve('mocha/package.json', { paths: [root] })), 'bin', 'mocha.js');
const CONFIG = path.join(root, '.mocharc.json');
const SERIAL_CONFIG = path.join(root, '.mocharc.serial.json');

// The longest files, started first so that none of them begins last and sets the run's wall time
// (measured per file on this machine; a file missing here merely runs in its usual order).
const SLOWEST_FIRST = [
  'dist/test/reliability/kill.test.js',
  'dist/test/docs/samples.test.js',
  'dist/test/rewarm/rewarm.test.js',
  'dist/test/openvino-node/scenarios.test.js',
  'dist/test/rewarm/background.test.js',
  'dist/test/trust/bundle-trust.test.js',
  'dist/test/reliability/load.test.js',
  'dist/test/cli/cache-commands.test.js',
  'dist/test/cache/processes.test.js',
  'dist/test/fleet/bundle-review.test.js',
  'dist/test/trust/fleet-trust.test.js',
  'dist/test/cache/compile-progress.test.js',
  'dist/test/cache/evict-during-load.test.js',
  'dist/test/fleet/compile-once.test.js',
  'dist/test/fleet/leases.test.js',
  'dist/test/fleet/frozen-coordinator.test.js',
  'dist/test/fleet/cli.test.js',
];

/** The serial files (globs as in .mocharc.serial.json's spec). */
function serialSpecs() {
  return JSON.parse(fs.readFileSync(SERIAL_CONFIG, 'utf8')).spec;
}

// Every file .mocharc.json runs: its one spec glob (dist/test/, every .test.js), less its ignores
// (each "<folder>/" followed by two stars).
function suiteFiles() {
  const config = JSON.parse(fs.readFileSync(CONFIG, 'utf8'));
  const ignored = (config.ignore ?? []).map((glob) => {
    if (!glob.endsWith('/**')) throw new Error(`run-tests: only "<folder>/**" ignores are understood, got "${glob}"`);
    return glob.slice(0, -2);
  });
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.test.js')) files.push(file);
    }
  };
  walk('dist/test');
  return files.filter((file) => !ignored.some((prefix) => file.startsWith(prefix))).sort();
}

/**
 * The parallel run's files, each named once: the slowest first, then the rest, less the serial
 * ones. Named in a config of their own: files given beside a config's spec glob are run twice
 * in a parallel run (seen: every file of SLOWEST_FIRST ran twice).
 */
function parallelFiles() {
  const serial = new Set(serialSpecs());
  const files = suiteFiles().filter((file) => !serial.has(file));
  const first = SLOWEST_FIRST.filter((file) => files.includes(file));
  return [...first, ...files.filter((file) => !first.includes(file))];
}

function jobs() {
  const raw = process.env.OVCACHE_TEST_JOBS ?? '1';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`run-tests: OVCACHE_TEST_JOBS must be a whole number of workers (1 or more), got "${raw}"`);
    process.exit(2);
  }
  return n;
}

function mochaRun(label, args) {
  console.log(`\n# ${label}: mocha ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [mocha, ...args], { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

function main(argv) {
  if (argv.length > 0) return mochaRun('mocha', argv);
  const workers = jobs();
  if (workers === 1) return mochaRun('mocha (one file after another)', []);
  const files = parallelFiles();
  const { ignore: _ignore, ...config } = JSON.parse(fs.readFileSync(CONFIG, 'utf8'));
  const parallelConfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-tests-')), 'mocharc.json');
  fs.writeFileSync(parallelConfig, JSON.stringify({ ...config, spec: files }));
  const parallel = mochaRun(`parallel run (${workers} workers, ${files.length} files)`, [
    '--config',
    parallelConfig,
    '--parallel',
    '--jobs',
    String(workers),
  ]);
  fs.rmSync(path.dirname(parallelConfig), { recursive: true, force: true });
  const serial = mochaRun('serial run (timing-sensitive files)', ['--config', SERIAL_CONFIG]);
  return parallel || serial;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
module.exports = { serialSpecs, suiteFiles, parallelFiles, SERIAL_CONFIG };
