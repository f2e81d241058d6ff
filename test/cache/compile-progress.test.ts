// cache.compile({ onProgress }): phases in order, the fingerprint's fraction from 0 to 1 on a
// model of several MB; the CLI's rendering of the phases (and `ovcache warm` on a pseudo-TTY).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, ModelCache, type CompileProgress, type Core } from '../../lib/index';
import { phaseText } from '../../lib/cli/compile-phases';
import { writeMlp, writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const collapse = (events: CompileProgress[]): string[] => events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);

describe('cache.compile({ onProgress })', function () {
  this.timeout(120_000);
  let tmp: string;
  let core: Core;
  let big: string;

  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
    tmp = makeTempDir();
    big = writeWeightsModel(tmp, 24 << 20).xml;
  });
  after(() => {
    core.dispose();
    removeDir(tmp);
  });

  it('a miss: fingerprint (0 to 1 of the bytes), compile, write-entry; then a hit: fingerprint, load', async () => {
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
    const events: CompileProgress[] = [];
    const miss = await cache.compile(big, { device: 'CPU', onProgress: (p) => events.push(p) });
    miss.compiled.dispose();
    assert.deepEqual(collapse(events), ['fingerprint', 'compile', 'write-entry']);
    const prints = events.filter((e) => e.phase === 'fingerprint');
    const total = fs.statSync(big).size + fs.statSync(big.replace(/\.xml$/, '.bin')).size;
    assert.ok(prints.length >= 2, `${prints.length} fingerprint reports`);
    let last = -1;
    for (const p of prints) {
      assert.equal(p.total, total);
      assert.ok(p.fraction !== undefined && p.fraction >= 0 && p.fraction <= 1, String(p.fraction));
      assert.ok(p.fraction >= last, 'the fraction never goes back');
      last = p.fraction;
    }
    assert.equal(prints[0]?.fraction, 0);
    assert.equal(prints.at(-1)?.fraction, 1);
    assert.equal(prints.at(-1)?.done, total);
    assert.equal(events.find((e) => e.phase === 'compile')?.fraction, undefined, 'OpenVINO gives no fraction while compiling');

    const again: CompileProgress[] = [];
    const hit = await cache.compile(big, { device: 'CPU', onProgress: (p) => again.push(p) });
    hit.compiled.dispose();
    assert.equal(hit.hit, true);
    assert.deepEqual(collapse(again), ['fingerprint', 'load']);
    assert.equal(again.filter((e) => e.phase === 'fingerprint').at(-1)?.fraction, 1);
    await cache.dispose();
  });

  it('a listener that throws does not fail the compile; without the cache the phases are fingerprint-less', async () => {
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache2') });
    const r = await cache.compile(big, {
      device: 'CPU',
      onProgress: () => {
        throw new Error('listener bug');
      },
    });
    r.compiled.dispose();
    const events: CompileProgress[] = [];
    const off = await cache.compile(big, { device: 'CPU', cache: false, onProgress: (p) => events.push(p) });
    off.compiled.dispose();
    assert.deepEqual(collapse(events), ['compile']);
    await cache.dispose();
  });

  it('the CLI words each phase', () => {
    assert.equal(
      phaseText({ phase: 'fingerprint', done: 5 << 20, total: 20 << 20, fraction: 0.25 }),
      'fingerprinting 25% (5.0 MiB of 20.0 MiB)',
    );
    assert.equal(phaseText({ phase: 'lock-wait', done: 1500 }), 'waiting for another compile 1.5 s');
    assert.equal(phaseText({ phase: 'lock-wait', done: 0 }), 'waiting for another compile');
    assert.equal(phaseText({ phase: 'compile' }), 'compiling');
    assert.equal(phaseText({ phase: 'load' }), 'loading from the cache');
    assert.equal(phaseText({ phase: 'write-entry' }), 'writing the entry');
    assert.equal(phaseText({ phase: 'tier' }), 'looking on the tiers');
  });

  it('`ovcache warm` shows the phases on a terminal, and nothing extra when piped', function () {
    const models = path.join(tmp, 'warm-models');
    fs.mkdirSync(models, { recursive: true });
    const mlp = writeMlp(models).xml;
    const manifest = path.join(tmp, 'warm.json');
    fs.writeFileSync(manifest, JSON.stringify({ models: [{ model: mlp, device: 'CPU' }] }));
    const cli = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
    const args = ['warm', manifest, '--dir', path.join(tmp, 'warm-cache'), '--library', STAND_IN];
    const env = { ...process.env, OV_STUB_COMPILE_MS: '600' };
    const script = spawnSync('script', ['-qec', [process.execPath, cli, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], {
      env,
      encoding: 'utf8',
    });
    if (script.error) this.skip(); // no `script` (util-linux) to make a pseudo-TTY
    assert.equal(script.status, 0, script.stdout + script.stderr);
    assert.match(script.stdout, /mlp\.xml: compiling/);
    const bench = ['bench', mlp, '--runs', '1', '--library', STAND_IN];
    const onTty = spawnSync('script', ['-qec', [process.execPath, cli, ...bench].map((a) => `'${a}'`).join(' '), '/dev/null'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(onTty.status, 0, onTty.stdout + onTty.stderr);
    assert.match(onTty.stdout, /cold: compiling/, 'bench shows the phases of its trials');
    const piped = spawnSync(process.execPath, [cli, ...args, '--dir', path.join(tmp, 'warm-cache-2')], { env, encoding: 'utf8' });
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stderr, '');
    assert.doesNotMatch(piped.stdout, /fingerprinting|compiling/);
  });
});
