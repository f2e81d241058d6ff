import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { summarize } from '../../lib/bench/stats';
import type { ColdWarmReport } from '../../lib/bench/cold-warm';
import { fixture, makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

describe('ovcache bench', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => {
    tmp = makeTempDir();
  });
  after(() => removeDir(tmp));

  it('summarizes samples: median, min, max', () => {
    assert.deepEqual(summarize([5, 1, 3]), { n: 3, median: 3, min: 1, max: 5 });
    assert.deepEqual(summarize([4, 1, 3, 2]), { n: 4, median: 2.5, min: 1, max: 4 });
    assert.ok(Number.isNaN(summarize([]).median));
  });

  it("runs ovcache beside OpenVINO's own CACHE_DIR and no cache, cold and warm, interleaved in fresh processes; prints ratios, writes JSON and SVG", () => {
    const json = path.join(tmp, 'out.json');
    const chart = path.join(tmp, 'chart.svg');
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'bench',
        fixture('image.xml'),
        '--runs',
        '2',
        '--shapes',
        'image=1,3,48,48',
        '--out',
        json,
        '--chart',
        chart,
        '--library',
        STAND_IN,
      ],
      // 500 ms: warm's import (a few ms) must stay below it on a loaded machine; at 150 ms
      // it flaked in parallel runs under load.
      { encoding: 'utf8', env: { ...process.env, OV_STUB_COMPILE_MS: '500' } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /SIMULATED: stand-in runtime/);
    assert.match(r.stdout, /^no cache +- +\d/m);
    assert.match(r.stdout, /^OpenVINO CACHE_DIR +cold +\d/m);
    assert.match(r.stdout, /^OpenVINO CACHE_DIR +warm +\d/m);
    assert.match(r.stdout, /^ovcache +cold +\d.* \d+\.\d\dx$/m);
    assert.match(r.stdout, /^ovcache +warm +\d.* \d+\.\d\dx$/m);
    assert.match(r.stdout, /^ovcache +warm, fresh container +\d/m);
    assert.match(r.stdout, /cold: ovcache \/ CACHE_DIR: \d+\.\d\dx \(per round: median \d+\.\d\dx, min \d+\.\d\dx, max \d+\.\d\dx\)/);

    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as ColdWarmReport;
    assert.equal(report.simulated, true);
    assert.equal(report.runs, 2);
    const ours = report.engines.find((e) => e.engine === 'ovcache')!.modes;
    const own = report.engines.find((e) => e.engine === 'openvino')!.modes;
    assert.deepEqual(Object.keys(ours).sort(), ['cold', 'warm', 'warm-fresh']);
    assert.deepEqual(Object.keys(own).sort(), ['cold', 'no-cache', 'warm']);
    for (const mode of [...Object.values(ours), ...Object.values(own)]) {
      assert.equal(mode.trials.length, 2);
      assert.ok(mode.ready.median > 0 && mode.ready.min <= mode.ready.median && mode.ready.median <= mode.ready.max);
    }
    // What the runtime reported, not a guess: cold trials compiled, warm trials imported, on both engines.
    for (const modes of [ours, own]) {
      assert.ok(modes.cold!.trials.every((t) => t.loadedFromCache === false));
      assert.ok(modes.warm!.trials.every((t) => t.loadedFromCache === true));
      assert.ok(modes.cold!.cacheBytes.median > 0, 'the cold run wrote a cache entry');
    }
    assert.ok(
      ours['warm-fresh']!.trials.every((t) => t.loadedFromCache === true),
      'a fresh container still hits',
    );
    // The reshaped input went through: first inference ran on the 48x48 shape.
    assert.ok(ours.warm!.trials.every((t) => t.firstInferenceMs !== null));
    // Simulated compile cost (500 ms) is paid by no-cache and cold, not by warm.
    assert.ok(ours.warm!.compile.median < own['no-cache']!.compile.median);
    const cold = report.ratios.find((x) => x.name === 'cold: ovcache / CACHE_DIR')!;
    assert.equal(cold.ofMedians, ours.cold!.ready.median / own.cold!.ready.median);
    assert.equal(cold.perRound.n, 2);

    const svg = fs.readFileSync(chart, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>$/);
    assert.equal((svg.match(/<rect x=/g) ?? []).length, 6 * 3 + 3, 'six groups of three bars and three legend swatches');
    assert.match(svg, /CACHE_DIR warm/);
    assert.match(svg, /SIMULATED/);
  });

  it('fails --compare openvino-node with a coded error when openvino-node is not installed', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'bench', fixture('mlp.xml'), '--runs', '1', '--library', STAND_IN, '--compare', 'openvino-node'],
      { encoding: 'utf8', env: { ...process.env, OVCACHE_OPENVINO_NODE: '' } },
    );
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /\[OVCACHE_OPENVINO_NODE_NOT_FOUND\] bench --compare openvino-node: the openvino-node package is not installed/);
  });

  it('--compare openvino-node measures openvino-node too (the double over the stand-in: simulated)', () => {
    const json = path.join(tmp, 'compare.json');
    const double = path.join(ROOT, 'dist', 'test', 'openvino-node', 'double', 'module.js');
    const r = spawnSync(
      process.execPath,
      [CLI, 'bench', fixture('mlp.xml'), '--runs', '1', '--library', STAND_IN, '--compare', 'openvino-node', '--out', json],
      { encoding: 'utf8', env: { ...process.env, OVCACHE_OPENVINO_NODE: double } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^openvino-node CACHE_DIR +warm +\d/m);
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as ColdWarmReport;
    const theirs = report.engines.find((e) => e.engine === 'openvino-node');
    assert.ok(theirs, 'an openvino-node engine report');
    assert.equal(theirs.modes.warm!.trials[0]?.loadedFromCache, true);
    assert.equal(theirs.modes.cold!.trials[0]?.loadedFromCache, false);
    assert.equal(theirs.modes.warm!.trials[0]?.runtime.libraryPath, double);
    assert.equal(theirs.modes.warm!.trials[0]?.runtime.standIn, true);
    assert.ok((theirs.modes.warm!.trials[0]?.firstInferenceMs ?? -1) >= 0);
  });

  it('rejects bad arguments with exit 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'bench', fixture('mlp.xml'), '--runs', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Expected a positive integer for --runs but received "0"/);
  });

  const bench = (...args: string[]) => spawnSync(process.execPath, [CLI, 'bench', ...args], { encoding: 'utf8' });

  it('--json is a switch: the report as JSON on stdout, nothing else there', () => {
    const r = bench(fixture('mlp.xml'), '--runs', '1', '--library', STAND_IN, '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ColdWarmReport;
    assert.equal(report.runs, 1);
    const ovcache = report.engines.find((e) => e.engine === 'ovcache');
    assert.equal(ovcache?.modes.warm?.trials.length, 1);
  });

  it('--json <file> (the old form) is a usage error that points to --out, exit 2', () => {
    const out = path.join(tmp, 'old-form.json');
    const r = bench('--json', out, fixture('mlp.xml'), '--library', STAND_IN);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--json is a switch .*--out <file>/);
    assert.equal(fs.existsSync(out), false);
  });

  it('a missing model is refused before the first trial (OVCACHE_MODEL_NOT_FOUND)', () => {
    const r = bench(path.join(tmp, 'nope.xml'), '--runs', '1', '--library', STAND_IN);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^ovcache: \[OVCACHE_MODEL_NOT_FOUND\] Model file not found: .*nope\.xml/);
    assert.doesNotMatch(r.stderr, /trial/);
  });

  for (const device of ['NPUX', 'HETERO:NPUX,CPU']) {
    it(`a device the runtime does not list (${device}) is refused before the first trial, with the devices there are`, () => {
      const r = bench(fixture('mlp.xml'), '--runs', '1', '--device', device, '--library', STAND_IN);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^ovcache: \[OVCACHE_DEVICE_NOT_FOUND\] Device NPUX is not available .*\(it lists CPU\)/);
      assert.doesNotMatch(r.stderr, /trial|core_impl|OV_GENERAL_ERROR/);
    });
  }

  it('an OpenVINO error in a trial becomes OVCACHE_BENCH_TRIAL_FAILED with its sentence, not a C++ source location', () => {
    const bad = path.join(tmp, 'bad.xml');
    fs.writeFileSync(bad, '<net>garbage');
    const r = bench(bad, '--runs', '1', '--library', STAND_IN);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^ovcache: \[OVCACHE_BENCH_TRIAL_FAILED\] Benchmark trial openvino no-cache failed: .*XML parse error.*\(OpenVINO OV_GENERAL_ERROR\)/,
    );
    assert.doesNotMatch(r.stderr, /\.cpp|Exception from/);
  });
});
