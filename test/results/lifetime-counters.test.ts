// The embedded store's lifetime counters add up: across processes sharing the folder, across
// a restart, and in what `ovcache results stats` prints; stats() keeps its values after close().
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ResultCache, type ResultCacheStats } from '../../lib/index';
import type { ResultsStatsReport } from '../../lib/cli/commands/results-report';
import { ROOT, makeTempDir, removeDir } from '../helpers/paths';
import type { CountersJob } from './counters-child';

const CHILD = path.join(__dirname, 'counters-child.js');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function runChild(job: CountersJob): Promise<ResultCacheStats> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ResultCacheStats);
      else reject(new Error(`child exited with ${code}: ${err}${out}`));
    });
  });
}

const sum = (all: ResultCacheStats[], name: 'hits' | 'misses' | 'bypasses' | 'timeSavedMs'): number => all.reduce((n, s) => n + s[name], 0);

describe('result store lifetime counters', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('ovcache-results-counters-');
  });
  afterEach(() => removeDir(dir));

  it('add up over two processes and a restart: lookups are the sums of every stats(), each removal counted once', async () => {
    const store = path.join(dir, 'results');
    const flow = await runChild({ role: 'flow', dir: store, file: path.join(dir, 'image.bin') });
    // This process's own view: a hit, three misses (the deleted file, the expired entry), two bypasses.
    assert.deepEqual(
      [flow.hits, flow.misses, flow.bypasses, flow.expired, flow.evicted],
      [1, 3, 2, 1, 1],
      'the flow process counts one hit, three misses, two bypasses, one expired lookup, one removal for its file',
    );
    const keys = Array.from({ length: 25 }, (_, i) => i);
    const shared = await Promise.all([runChild({ role: 'share', dir: store, keys }), runChild({ role: 'share', dir: store, keys })]);
    const all = [flow, ...shared];

    // A restart: a new cache on the folder reads what every process left.
    const reopened = new ResultCache({ dir: store });
    const lifetime = reopened.stats().lifetime;
    await reopened.close();
    assert.ok(lifetime);
    assert.equal(lifetime.hits, sum(all, 'hits'), 'hits, including the hit of the entry removed before its batch was written');
    assert.equal(lifetime.misses, sum(all, 'misses'));
    assert.equal(lifetime.bypasses, sum(all, 'bypasses'));
    assert.ok(Math.abs(lifetime.timeSavedMs - sum(all, 'timeSavedMs')) < 1e-6, 'time saved');
    assert.equal(lifetime.hits + lifetime.misses, 4 + 2 * 50, 'every lookup counted once: the flow makes 4, each sharer 50');
    assert.equal(lifetime.removedFiles, 1, 'the entry whose file was deleted');
    assert.equal(lifetime.expired, 1, 'the entry read past its TTL');
    assert.equal(lifetime.evicted, 0);
    assert.equal(lifetime.removedDamaged, 0);
    assert.equal(lifetime.count, 1 + 25, "the flow's recomputed entry and the sharers' 25");

    const cli = spawnSync(process.execPath, [CLI, 'results', 'stats', '--results', store, '--json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const report = JSON.parse(cli.stdout) as ResultsStatsReport;
    assert.deepEqual(
      [report.hits, report.misses, report.bypasses, report.expired, report.evicted, report.removedFiles],
      [lifetime.hits, lifetime.misses, lifetime.bypasses, 1, 0, 1],
    );
    const text = spawnSync(process.execPath, [CLI, 'results', 'stats', '--results', store], { encoding: 'utf8' }).stdout;
    assert.match(text, /Removed\s+1 expired, 0 evicted, 1 for changed files, 0 damaged/);
  });

  it('stats() after close() keeps its last values, the lifetime counters included', async () => {
    const cache = new ResultCache({ dir: path.join(dir, 'results') });
    const key = cache.keyFor({ model: 'm' });
    await cache.set(key, { meta: 1 }, { computeMs: 5 });
    await cache.get(key);
    await cache.get(cache.keyFor({ model: 'other' }));
    await cache.close();
    const after = cache.stats();
    assert.deepEqual([after.hits, after.misses, after.entries, after.timeSavedMs], [1, 1, 1, 5]);
    assert.ok(after.lifetime, 'the lifetime counters as close() left them, not null');
    assert.deepEqual([after.lifetime.hits, after.lifetime.misses, after.lifetime.count, after.lifetime.timeSavedMs], [1, 1, 1, 5]);
    assert.deepEqual(cache.stats(), after, 'the same answer every time');
  });
});
