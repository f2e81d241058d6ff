// History on by default: every ModelCache follows its folder's history (issue 25), unless
// `history: false` or OVCACHE_NO_HISTORY=1; attachHistory() takes the default over; a cache
// never disposed is still collected, and its last interval is written at process exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { attachHistory, loadOpenVINO, ModelCache, readHistory, type Core, type OpenVINO } from '../../lib/index';
import { writeMlp } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

describe('cache history on by default', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let dir: string;
  let mlp: string;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-default-history-');
    dir = path.join(tmp, 'cache');
    mlp = writeMlp(path.join(tmp, 'models')).xml;
    core = ov.createCore();
  });
  afterEach(() => {
    core.dispose();
    removeDir(tmp);
  });

  // A 200 ms simulated compile makes the hit's time saved (compile - load) positive on a loaded machine.
  const compileTwice = async (cache: ModelCache): Promise<void> => {
    const before = process.env.OV_STUB_COMPILE_MS;
    process.env.OV_STUB_COMPILE_MS = '200';
    try {
      (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
      (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    } finally {
      if (before === undefined) delete process.env.OV_STUB_COMPILE_MS;
      else process.env.OV_STUB_COMPILE_MS = before;
    }
  };

  it('a ModelCache records a miss, a hit and the time saved without attachHistory(); dispose() writes them', async () => {
    const cache = new ModelCache({ core, dir });
    await compileTwice(cache);
    assert.equal(readHistory(dir).intervals.length, 0, 'nothing is written on the compile path');
    const saved = cache.stats().timeSavedMs;
    await cache.dispose();
    const h = readHistory(dir);
    assert.equal(h.intervals.length, 1);
    const [i] = h.intervals;
    assert.deepEqual([i!.hits, i!.misses, i!.uncached, i!.pid], [1, 1, 0, process.pid]);
    assert.equal(i!.savedMs, Math.round(saved * 10) / 10);
    assert.ok(saved > 0);
    assert.equal(h.usage.length, 1, 'a usage sample after activity');
  });

  it('history: false and OVCACHE_NO_HISTORY=1 write no history; a history that is not a boolean is refused', async () => {
    for (const options of [{ history: false }, { env: { OVCACHE_NO_HISTORY: '1' } }]) {
      const cache = new ModelCache({ core, dir, ...options });
      await compileTwice(cache);
      await cache.dispose();
      assert.equal(fs.existsSync(path.join(dir, 'history')), false, JSON.stringify(options));
    }
    await expectCode(() => new ModelCache({ core, dir, history: 'no' as never }), 'OVCACHE_INVALID_ARGUMENT', /options\.history/);
  });

  it('attachHistory() takes the default recorder over: each compile is counted once', async () => {
    const cache = new ModelCache({ core, dir });
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose(); // counted by the default recorder
    const history = attachHistory(cache, { usageIntervalMs: 0 });
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    await history.close();
    await cache.dispose();
    const h = readHistory(dir);
    const sum = (k: 'hits' | 'misses') => h.intervals.reduce((n, r) => n + r[k], 0);
    assert.deepEqual([sum('misses'), sum('hits')], [1, 1]);
  });

  it('a cache dropped without dispose() is garbage-collected: its history holds it weakly', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const make = async (): Promise<WeakRef<ModelCache>> => {
      const cache = new ModelCache({ core, dir });
      await compileTwice(cache);
      await cache.flush();
      return new WeakRef(cache);
    };
    const ref = await make();
    for (let n = 0; n < 10 && ref.deref(); n++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.equal(ref.deref(), undefined, 'the cache is still reachable');
  });

  it('a process that never disposes its cache writes its last interval when it exits', () => {
    const script = `
      const { loadOpenVINOSync, ModelCache } = require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'index.js'))});
      const ov = loadOpenVINOSync({ libraryPath: ${JSON.stringify(STAND_IN)} });
      const cache = new ModelCache({ runtime: ov, dir: ${JSON.stringify(dir)} });
      (async () => {
        for (let n = 0; n < 3; n++) (await cache.compile(${JSON.stringify(mlp)}, { device: 'CPU' })).compiled.dispose();
        process.exit(0);
      })();`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, OVCACHE_NO_HISTORY: '' } });
    assert.equal(child.status, 0, child.stderr);
    const h = readHistory(dir);
    assert.deepEqual(
      h.intervals.map((r) => [r.misses, r.hits]),
      [[1, 2]],
    );
  });
});
