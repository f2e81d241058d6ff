// The cache's history: what attachHistory() records, the size bound, concurrent appenders.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  attachHistory,
  bucketIntervals,
  loadOpenVINO,
  ModelCache,
  readHistory,
  scanCache,
  type Core,
  type OpenVINO,
} from '../../lib/index';
import { HISTORY_FORMAT, type IntervalRecord } from '../../lib/history/records';
import { HistoryWriter, listSegments } from '../../lib/history/writer';
import { writeMlp } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const interval = (t: number, hits: number, misses: number, pid = process.pid): IntervalRecord => ({
  v: HISTORY_FORMAT,
  t,
  pid,
  type: 'interval',
  ms: 60_000,
  hits,
  misses,
  uncached: 0,
  errors: 0,
  compileMs: 0,
  loadMs: 0,
  savedMs: 0,
  writtenBytes: 0,
  evictions: 0,
  evictedBytes: 0,
});

describe('cache history', function () {
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
    tmp = makeTempDir('ovcache-history-');
    dir = path.join(tmp, 'cache');
    mlp = writeMlp(path.join(tmp, 'models')).xml;
    core = ov.createCore();
  });
  afterEach(() => {
    core.dispose();
    removeDir(tmp);
  });

  it('records intervals, a usage sample and evictions from the cache’s events', async () => {
    const cache = new ModelCache({ core, dir });
    const history = attachHistory(cache, { usageIntervalMs: 0 });
    const started = Date.now();
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    (await cache.compile(mlp, { device: 'CPU', cache: false })).compiled.dispose();
    await cache.flush();
    await history.flush();
    const scan = await scanCache(dir, { checkModels: false });
    let h = readHistory(dir);
    assert.equal(h.skipped, 0);
    assert.equal(h.intervals.length, 1);
    const [i] = h.intervals;
    assert.deepEqual([i!.hits, i!.misses, i!.uncached, i!.errors, i!.pid], [1, 1, 1, 0, process.pid]);
    assert.equal(i!.writtenBytes, cache.stats().bytesWritten);
    assert.equal(i!.savedMs, Math.round(cache.stats().timeSavedMs * 10) / 10);
    assert.ok(i!.compileMs > 0 && i!.loadMs > 0);
    assert.deepEqual(
      h.usage.map((u) => [u.bytes, u.entries]),
      [[scan.totals.bytes, 1]],
    );

    await history.flush(); // nothing happened since: nothing written
    assert.equal(readHistory(dir).intervals.length, 1);

    const report = await cache.evict({ maxBytes: 1 });
    await history.close();
    h = readHistory(dir);
    assert.deepEqual(
      h.evictions.map((e) => [e.name, e.reason, e.trigger, e.bytes]),
      report.removed.map((r) => [r.name, 'size', 'evict', r.bytes]),
    );
    assert.equal(h.intervals.at(-1)!.evictions, 1);
    const [bucket] = bucketIntervals(h.intervals, started, Date.now() + 1, 3_600_000);
    assert.equal(bucket!.hitRate, 1 / 3);
    // The history is the cache's bookkeeping, not a stray: scans count it as metadata.
    const after = await scanCache(dir, { checkModels: false });
    assert.deepEqual(after.strays, []);
    assert.ok(after.totals.metadataBytes >= h.bytes);
    await cache.dispose();
  });

  it('a cache that is switched off or read-only writes no history', async () => {
    const off = new ModelCache({ core, dir, enabled: false });
    const h1 = attachHistory(off, { usageIntervalMs: 0 });
    (await off.compile(mlp, { device: 'CPU' })).compiled.dispose();
    await h1.close();
    assert.equal(fs.existsSync(path.join(dir, 'history')), false);
    await expectCode(() => attachHistory(off, { intervalMs: 1 }), 'OVCACHE_INVALID_ARGUMENT', /options.intervalMs/);
    await expectCode(() => attachHistory(off, { interval: 5 } as never), 'OVCACHE_UNKNOWN_OPTION');
  });

  it('stays within segments x segmentBytes, dropping the oldest segments', () => {
    const writer = new HistoryWriter(dir, { segmentBytes: 4096, segments: 3 });
    for (let n = 0; n < 400; n++) writer.append([interval(1_000_000 + n, n, 0)]);
    const segments = listSegments(writer.historyDir);
    assert.equal(segments.length, 3);
    const h = readHistory(dir);
    const line = Buffer.byteLength(JSON.stringify(interval(1_000_399, 399, 0))) + 1;
    assert.ok(h.bytes <= 3 * (4096 + line), `${h.bytes} bytes`);
    assert.equal(h.intervals.at(-1)!.hits, 399, 'the newest record is kept');
    assert.ok(h.intervals[0]!.hits > 300, 'the oldest are gone');
    // Consecutive: nothing lost inside the kept segments.
    assert.deepEqual(
      h.intervals.map((r) => r.hits),
      Array.from({ length: h.intervals.length }, (_, k) => h.intervals[0]!.hits + k),
    );
  });

  it('several processes append to one history at once without tearing a line', async () => {
    const writerModule = path.join(ROOT, 'dist', 'lib', 'history', 'writer.js');
    const script = (pid: number) => `
      const { HistoryWriter } = require(${JSON.stringify(writerModule)});
      const w = new HistoryWriter(${JSON.stringify(dir)}, { segmentBytes: 16384, segments: 1000 });
      for (let n = 0; n < 300; n++)
        w.append([{ v: 1, t: ${pid} * 1e6 + n, pid: ${pid}, type: 'evict', name: 'entry-' + n + '-'.repeat(n % 97), model: 'm', device: 'CPU', bytes: n, reason: 'size', trigger: 'compile' }]);`;
    const children = [1, 2, 3].map(
      (pid) =>
        new Promise<number | null>((resolve) => {
          spawn(process.execPath, ['-e', script(pid)], { stdio: 'inherit' }).on('exit', resolve);
        }),
    );
    assert.deepEqual(await Promise.all(children), [0, 0, 0]);
    const h = readHistory(dir);
    assert.equal(h.skipped, 0);
    for (const pid of [1, 2, 3]) {
      assert.deepEqual(
        h.evictions.filter((e) => e.pid === pid).map((e) => e.bytes),
        Array.from({ length: 300 }, (_, n) => n),
      );
    }
  });

  it('skips lines that are not records and counts them', () => {
    const writer = new HistoryWriter(dir);
    writer.append([interval(5, 1, 0)]);
    fs.appendFileSync(path.join(writer.historyDir, '000001.jsonl'), '{"v":1,"t":6,"pid":1,"type":"interval","ms":1,"hi\nnot json\n');
    writer.append([interval(7, 2, 0)]);
    const h = readHistory(dir);
    assert.equal(h.skipped, 2);
    assert.deepEqual(
      h.intervals.map((r) => r.hits),
      [1, 2],
    );
  });
});
