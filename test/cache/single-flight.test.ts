// One compile per key in this process (flow/lookup.ts EntryLookup.miss): the callers that wait
// for the leader take up how its compile ended, also when only its plan's end failed; the
// lock-free lookup's synchronous read never holds the event loop (a FIFO planted as the
// manifest) and still serves what it does not read at once (a large manifest, read-only); the
// shape plan tells sizes apart by their own input names only. Real addon + stand-in.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Fleet, loadOpenVINO, ModelCache, type Core } from '../../lib/index';
import type { CompileProgress } from '../../lib/cache/progress/compile-progress';
import { planSizes } from '../../lib/cache/dynamic/plan';
import { MANIFEST_FILE, MANIFEST_READ_NOW_BYTES, readManifest } from '../../lib/cache/entry/manifest';
import type { ShapeMemo } from '../../lib/cache/dynamic/shape-memo';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

describe('single flight per key', function () {
  this.timeout(120_000);
  let tmp: string;
  let core: Core;
  const saved = process.env.OV_STUB_COMPILE_MS;

  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  });
  after(() => core.dispose());
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => {
    if (saved === undefined) delete process.env.OV_STUB_COMPILE_MS;
    else process.env.OV_STUB_COMPILE_MS = saved;
    removeDir(tmp);
  });

  it("a caller waiting for the leader gets the leader's error when the leader's plan fails to end (a sync publish that throws)", async () => {
    fs.mkdirSync(path.join(tmp, 'm'));
    const mlp = writeMlp(path.join(tmp, 'm')).xml;
    // The leader compiles for 2 s: the second caller joins its flight long before it ends.
    process.env.OV_STUB_COMPILE_MS = '2000';
    const fleet = new Fleet({ tiers: [{ path: path.join(tmp, 'shared') }], publish: 'sync' });
    fleet.on('tier', (e) => {
      if (e.op === 'publish') throw new Error('publish listener failed');
    });
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache'), fleet });
    let compiling!: () => void;
    const leaderCompiles = new Promise<void>((resolve) => (compiling = resolve));
    const onProgress = (p: CompileProgress) => p.phase === 'compile' && compiling();
    const leader = cache.compile(mlp, { device: 'CPU', onProgress });
    await leaderCompiles;
    const phases: string[] = [];
    const follower = cache.compile(mlp, { device: 'CPU', onProgress: (p) => phases.push(p.phase) });
    await assert.rejects(leader, /publish listener failed/);
    await assert.rejects(follower, /publish listener failed/, "the follower takes up the leader's error");
    assert.ok(phases.includes('lock-wait'), `the follower waited for the leader (${phases.join(', ')})`);
    assert.equal(cache.stats().errors, 2);
    assert.equal(cache.stats().hits, 0);
    await cache.dispose();
    await fleet.close();
  });

  it("a FIFO planted as an entry's manifest never holds the event loop: the compile goes on (compiled over it) and timers keep firing", async () => {
    fs.mkdirSync(path.join(tmp, 'm'));
    const mlp = writeMlp(path.join(tmp, 'm')).xml;
    const dir = path.join(tmp, 'cache');
    const first = await new ModelCache({ core, dir }).compile(mlp, { device: 'CPU' });
    first.compiled.dispose();
    const manifest = path.join(first.entryDir as string, MANIFEST_FILE);
    fs.rmSync(manifest);
    execFileSync('mkfifo', [manifest]);
    assert.deepEqual(await readManifest(first.entryDir as string), { status: 'invalid', reason: 'not a regular file' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const cache = new ModelCache({ core, dir });
    try {
      const r = await cache.compile(mlp, { device: 'CPU', signal: AbortSignal.timeout(30_000) });
      assert.equal(r.hit, false);
      assert.equal(r.cached, true, 'the entry was compiled over the FIFO');
      r.compiled.dispose();
      assert.ok(fs.statSync(manifest).isFile(), 'a regular manifest again');
      const ticked = ticks;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(ticks > ticked, 'the event loop runs');
    } finally {
      clearInterval(timer);
      await cache.dispose();
    }
  });

  it('a manifest too large for the synchronous read is still served, also by a read-only cache', async () => {
    fs.mkdirSync(path.join(tmp, 'm'));
    const mlp = writeMlp(path.join(tmp, 'm')).xml;
    const dir = path.join(tmp, 'cache');
    const filler = new ModelCache({ core, dir });
    const first = await filler.compile(mlp, { device: 'CPU' });
    first.compiled.dispose();
    await filler.dispose();
    const file = path.join(first.entryDir as string, MANIFEST_FILE);
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { modelPaths: string[] };
    m.modelPaths = [...m.modelPaths, `/${'x'.repeat(MANIFEST_READ_NOW_BYTES)}`];
    fs.writeFileSync(file, JSON.stringify(m));
    for (const readOnly of [true, false]) {
      const cache = new ModelCache({ core, dir, readOnly });
      const r = await cache.compile(mlp, { device: 'CPU' });
      assert.equal(r.hit, true, `a hit (readOnly ${readOnly})`);
      r.compiled.dispose();
      await cache.dispose();
    }
  });

  it("sizes are the same only by the inputs' own names and dimensions, in any order", () => {
    const memo = (seen: ShapeMemo['seen']): ShapeMemo => ({
      format: 1,
      identity: 'i',
      model: 'm',
      device: 'CPU',
      seen,
      variant: null,
      entries: [],
      warned: false,
    });
    const off = { enabled: false, after: 3, bounds: undefined };
    const isNew = (seen: ShapeMemo['seen'], asked: ShapeMemo['seen'][number]) => planSizes(memo(seen), asked, off).changed;
    assert.equal(isNew([{ a: [1, 2], b: [3] }], { b: [3], a: [1, 2] }), false, 'the order of the inputs does not matter');
    assert.equal(isNew([{ a: [1, 2] }], { a: [1, 2, 1] }), true, 'another rank');
    assert.equal(isNew([{ a: [1, 2] }], { a: [1, 3] }), true, 'another dimension');
    assert.equal(isNew([{ a: [1] }], { a: [1], b: [1] }), true, 'an input more');
    assert.equal(isNew([{ toString: [] }], { x: [] }), true, 'a name another object inherits is no input');
  });
});
