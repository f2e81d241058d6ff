// The budget's arithmetic, without a runtime: options, floors, status fractions, the
// once-per-crossing rule and the learned size factors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Crossings } from '../../lib/cache/budget/events';
import { floorBytes, hasLimits, resolveBudget } from '../../lib/cache/budget/options';
import { DEFAULT_SIZE_FACTOR, estimateEntryBytes, ESTIMATE_OVERHEAD_BYTES, SizeFactors } from '../../lib/cache/budget/size-factors';
import { budgetStatus } from '../../lib/cache/budget/status';
import { makeTempDir, removeDir } from '../helpers/paths';
import { expectCode } from './helpers';

const GiB = 2 ** 30;
const volume = (availableBytes: number, totalBytes = 100 * GiB) => ({ availableBytes, freeBytes: availableBytes, totalBytes });

describe('budget arithmetic', () => {
  it('defaults: no limits, warnAt 0.9, lowWatermark 0.8, no monitor', () => {
    const b = resolveBudget({});
    assert.deepEqual(b, {
      maxBytes: null,
      minFreeBytes: null,
      minFreePercent: null,
      warnAt: 0.9,
      lowWatermark: 0.8,
      maxAgeMs: null,
      maxEntriesPerModel: null,
      monitorIntervalMs: null,
      statfs: undefined,
    });
    assert.equal(hasLimits(b), false);
  });

  it('parses sizes and durations in the forms people write', () => {
    const b = resolveBudget({ maxBytes: '20GB', minFreeBytes: '512 MiB', maxAge: '30d', maxEntriesPerModel: 3 });
    assert.equal(b.maxBytes, 20e9);
    assert.equal(b.minFreeBytes, 512 * 2 ** 20);
    assert.equal(b.maxAgeMs, 30 * 86_400_000);
    assert.equal(hasLimits(b), true);
    assert.equal(resolveBudget({ maxBytes: 4096 }).maxBytes, 4096);
  });

  it('rejects bad sizes, durations and fractions, naming the option', async () => {
    await expectCode(() => resolveBudget({ maxBytes: '20 parsecs' }), 'OVCACHE_BAD_SIZE', /options\.maxBytes/);
    await expectCode(() => resolveBudget({ minFreeBytes: -1 }), 'OVCACHE_BAD_SIZE', /options\.minFreeBytes/);
    await expectCode(() => resolveBudget({ maxAge: 'soon' }), 'OVCACHE_BAD_DURATION', /options\.maxAge/);
    await expectCode(() => resolveBudget({ maxBytes: 0 }), 'OVCACHE_INVALID_ARGUMENT', /options\.maxBytes/);
    await expectCode(() => resolveBudget({ warnAt: 1.5 }), 'OVCACHE_INVALID_ARGUMENT', /options\.warnAt/);
    await expectCode(() => resolveBudget({ warnAt: 0 }), 'OVCACHE_INVALID_ARGUMENT', /options\.warnAt/);
    await expectCode(() => resolveBudget({ lowWatermark: -0.1 }), 'OVCACHE_INVALID_ARGUMENT', /options\.lowWatermark/);
    await expectCode(() => resolveBudget({ minFreePercent: 100 }), 'OVCACHE_INVALID_ARGUMENT', /options\.minFreePercent/);
    await expectCode(() => resolveBudget({ maxEntriesPerModel: 0 }), 'OVCACHE_INVALID_ARGUMENT', /options\.maxEntriesPerModel/);
    await expectCode(() => resolveBudget({ monitorIntervalMs: 5 }), 'OVCACHE_INVALID_ARGUMENT', /options\.monitorIntervalMs/);
  });

  it('the free-space floor is the larger of minFreeBytes and minFreePercent of the volume', () => {
    assert.equal(floorBytes(resolveBudget({}), volume(GiB)), null);
    assert.equal(floorBytes(resolveBudget({ minFreeBytes: '5GB' }), volume(GiB)), 5e9);
    assert.equal(floorBytes(resolveBudget({ minFreePercent: 10 }), volume(GiB, 200 * GiB)), 20 * GiB);
    assert.equal(floorBytes(resolveBudget({ minFreePercent: 1, minFreeBytes: '5GB' }), volume(GiB, 200 * GiB)), 5e9);
    assert.equal(floorBytes(resolveBudget({ minFreePercent: 10 }), null), 0, 'no statfs: only minFreeBytes counts');
  });

  it('reports how far along each limit is', () => {
    const now = Date.parse('2026-01-10T00:00:00Z');
    const day = 86_400_000;
    const entries = [
      { key: 'a', modelId: '/m/a.xml', bytes: 300, lastUsedMs: now - 3 * day },
      { key: 'b', modelId: '/m/a.xml', bytes: 300, lastUsedMs: now - day },
      { key: 'c', modelId: '/m/a.xml', bytes: 300, lastUsedMs: now },
      { key: 'd', modelId: '/m/b.xml', bytes: 100, lastUsedMs: now },
    ];
    const b = resolveBudget({ maxBytes: 1000, minFreeBytes: 500, maxAge: '2d', maxEntriesPerModel: 2 });
    const s = budgetStatus(b, 1000, entries, volume(400, 10_000), now);
    assert.deepEqual(s?.maxBytes, {
      limit: 1000,
      usedBytes: 1000,
      fraction: 1,
      warnAtBytes: 900,
      lowWatermarkBytes: 800,
      warn: true,
      exceeded: false,
    });
    assert.deepEqual(s?.minFree, { floorBytes: 500, availableBytes: 400, headroomBytes: -100, low: true });
    assert.deepEqual(s?.maxAge, { limitMs: 2 * day, oldestMs: 3 * day, fraction: 1.5, entriesOver: 1 });
    assert.deepEqual(s?.maxEntriesPerModel, { limit: 2, most: 3, fraction: 1.5, modelsOver: 1 });
    assert.equal(budgetStatus(resolveBudget({}), 1000, entries, null, now), null);
  });

  it('a condition fires once per crossing, again only after it recovered', () => {
    const c = new Crossings();
    const none = { warn: false, exceeded: false, 'low-space': false };
    const kinds = (r: ReturnType<Crossings['update']>) => r.map((t) => (t.kind === 'recovered' ? `recovered:${t.condition}` : t.kind));
    assert.deepEqual(kinds(c.update(none)), []);
    assert.deepEqual(kinds(c.update({ ...none, warn: true })), ['warn']);
    assert.deepEqual(kinds(c.update({ ...none, warn: true })), []);
    assert.deepEqual(kinds(c.update({ warn: true, exceeded: true, 'low-space': false })), ['exceeded']);
    assert.deepEqual(kinds(c.update({ warn: true, exceeded: true, 'low-space': true })), ['low-space']);
    assert.deepEqual(kinds(c.update({ warn: true, exceeded: true, 'low-space': true })), []);
    assert.deepEqual(kinds(c.update(none)), ['recovered:exceeded', 'recovered:warn', 'recovered:low-space']);
    assert.deepEqual(kinds(c.update({ ...none, exceeded: true, warn: true })), ['warn', 'exceeded']);
  });

  it('learns entry bytes per weight byte per device, keeps the largest recent ratio, and persists it', async () => {
    const tmp = makeTempDir();
    try {
      const file = path.join(tmp, 'fingerprints', 'size-factors.json');
      const factors = new SizeFactors(file);
      assert.deepEqual(await factors.factor('CPU'), { factor: DEFAULT_SIZE_FACTOR, learned: false });
      await factors.record('CPU', 3500, 1000);
      await factors.record('CPU', 3000, 1000);
      await factors.record(SizeFactors.keyOf('GPU', 'OPTIMIZE_SIZE'), 100, 1000);
      await factors.record('CPU', 0, 1000); // an empty entry teaches nothing
      assert.deepEqual(await factors.factor('CPU'), { factor: 3.5, learned: true });
      const again = new SizeFactors(file);
      assert.deepEqual(await again.factor('CPU'), { factor: 3.5, learned: true });
      assert.deepEqual(await again.factor('GPU|CACHE_MODE=OPTIMIZE_SIZE'), { factor: 0.1, learned: true });
      assert.deepEqual(await again.factor('GPU'), { factor: DEFAULT_SIZE_FACTOR, learned: false });
      fs.writeFileSync(file, 'garbage');
      assert.deepEqual(await new SizeFactors(file).factor('CPU'), { factor: DEFAULT_SIZE_FACTOR, learned: false });
      assert.equal(estimateEntryBytes(1000, 3.5), 3500 + ESTIMATE_OVERHEAD_BYTES);
    } finally {
      removeDir(tmp);
    }
  });
});
