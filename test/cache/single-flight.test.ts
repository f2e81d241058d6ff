// One compile per key in this process (flow/lookup.ts EntryLookup.miss): the callers that wait
// for the leader take up how its compile ended, also when only its plan's end failed; and the
// shape plan tells sizes apart by their own input names only. Real addon + stand-in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Fleet, loadOpenVINO, ModelCache, type Core } from '../../lib/index';
import type { CompileProgress } from '../../lib/cache/progress/compile-progress';
import { planSizes } from '../../lib/cache/dynamic/plan';
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
