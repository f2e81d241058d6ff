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

  it('runs no-cache, cold and warm in fresh processes, prints a labeled table, writes JSON and SVG', () => {
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
        '--json',
        json,
        '--chart',
        chart,
        '--library',
        STAND_IN,
      ],
      { encoding: 'utf8', env: { ...process.env, OV_STUB_COMPILE_MS: '150' } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /SIMULATED: stand-in runtime/);
    assert.match(r.stdout, /warm\/cold \d\.\d{3}, warm\/no-cache \d\.\d{3}/);
    for (const mode of ['no-cache', 'cold', 'warm']) assert.match(r.stdout, new RegExp(`ovcache +${mode} +\\d`));

    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as ColdWarmReport;
    assert.equal(report.simulated, true);
    assert.equal(report.runs, 2);
    const modes = report.engines[0]!.modes;
    assert.deepEqual(Object.keys(modes).sort(), ['cold', 'no-cache', 'warm']);
    for (const mode of Object.values(modes)) {
      assert.equal(mode.trials.length, 2);
      assert.ok(mode.ready.median > 0 && mode.ready.min <= mode.ready.median && mode.ready.median <= mode.ready.max);
    }
    // What the runtime reported, not a guess: cold trials compiled, warm trials imported.
    assert.ok(modes.cold.trials.every((t) => t.loadedFromCache === false));
    assert.ok(modes.warm.trials.every((t) => t.loadedFromCache === true));
    assert.ok(modes.cold.cacheBytes.median > 0, 'the cold run wrote a cache entry');
    // The reshaped input went through: first inference ran on the 48x48 shape.
    assert.ok(modes.warm.trials.every((t) => t.firstInferenceMs !== null));
    // Simulated compile cost (150 ms) is paid by no-cache and cold, not by warm.
    assert.ok(modes.warm.compile.median < modes['no-cache'].compile.median);

    const svg = fs.readFileSync(chart, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>$/);
    assert.equal((svg.match(/<rect x=/g) ?? []).length, 9 + 3, 'nine bars and three legend swatches');
    assert.match(svg, /SIMULATED/);
  });

  it('says the openvino-node comparison is unavailable and runs the rest', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'bench', fixture('mlp.xml'), '--runs', '1', '--library', STAND_IN, '--compare', 'openvino-node'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /openvino-node comparison skipped: the openvino-node package is not installed/);
    assert.match(r.stdout, /ovcache +warm/);
  });

  it('rejects bad arguments with exit 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'bench', fixture('mlp.xml'), '--runs', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Expected a positive integer for --runs but received "0"/);
  });
});
