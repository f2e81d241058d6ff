// The model cache's counters add up across processes: the hits every process counted are the
// hits the entry's manifest records (what `ovcache stats` sums), after all have disposed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CacheStats } from '../../lib/cache/stats';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { acquireLock } from '../../lib/cache/entry/lock';
import { readManifest } from '../../lib/cache/entry/manifest';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { writeMlp } from '../../scripts/make-fixtures';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';
import { runChildScript } from './child';

const CHILD = path.join(__dirname, 'counters-child.js');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

describe('model cache counters across processes', function () {
  this.timeout(180_000);
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-counters-');
  });
  afterEach(() => removeDir(tmp));

  it('the hits of two processes hitting one entry at once all reach its manifest', async () => {
    const dir = path.join(tmp, 'cache');
    const model = writeMlp(path.join(tmp, 'models')).xml;
    const first = await runChildScript<CacheStats>(CHILD, { dir, model, times: 1, startAt: 0 });
    assert.equal(first.misses, 1);
    const startAt = Date.now() + 1500;
    const both = await Promise.all([
      runChildScript<CacheStats>(CHILD, { dir, model, times: 20, startAt }),
      runChildScript<CacheStats>(CHILD, { dir, model, times: 20, startAt }),
    ]);
    const hits = both.reduce((n, s) => n + s.hits, 0);
    assert.equal(hits, 40);
    const cli = spawnSync(process.execPath, [CLI, 'stats', '--dir', dir, '--json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { hits: number }).hits, hits, 'ovcache stats sums the hits every process counted');
  });

  it('a hit is written at dispose even while another process holds the entry lock for a moment', async () => {
    const core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
    try {
      const dir = path.join(tmp, 'cache');
      const model = writeMlp(path.join(tmp, 'models')).xml;
      const cache = new ModelCache({ core, dir });
      const filled = await cache.compile(model, { device: 'CPU' });
      filled.compiled.dispose();
      await cache.flush();
      // Two hits: the first is written at once, the second waits for the touch interval.
      for (let i = 0; i < 2; i++) (await cache.compile(model, { device: 'CPU' })).compiled.dispose();
      await new Promise((r) => setTimeout(r, 100)); // the first hit's write is done
      const hit = await cache.compile(model, { device: 'CPU' });
      hit.compiled.dispose();
      assert.equal(hit.hit, true);
      // Another process's lock on the entry (a touch or a refresh of its own) while this one disposes.
      const held = await acquireLock(path.join(dir, 'locks', `${hit.key}.lock`), { timeoutMs: 5000, staleMs: 30_000 });
      assert.ok(held.lock);
      const released = new Promise((r) => setTimeout(r, 300)).then(() => held.lock?.release());
      await cache.dispose();
      await released;
      const read = await readManifest(hit.entryDir as string);
      assert.equal(read.status, 'ok');
      assert.equal(read.status === 'ok' ? read.manifest.hits : -1, 3, 'every hit counted by this process is in the manifest');
    } finally {
      core.dispose();
    }
  });
});
