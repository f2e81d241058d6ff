// The disk budget through ModelCache against the stand-in: eviction after compiles (recency,
// age, per-model count), protected entries, events once per crossing, the free-space guard
// (injected statfs and a real small tmpfs), learned size factors, the write-failure retry.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { ModelCache, ModelRegistry, type CompileResult } from '../../lib/index';
import type { BudgetEvent } from '../../lib/cache/budget/events';
import { acquireLock } from '../../lib/cache/entry/lock';
import { readManifest, writeManifest } from '../../lib/cache/entry/manifest';
import { treeBytes } from '../../lib/fs/dir-size';
import type { VolumeStats } from '../../lib/cache/volume';
import { loadOpenVINO, type OpenVINO, type RuntimeCore } from '../../lib/index';
import { writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { testRuntime } from '../helpers/runtimes';
import { loadDebug } from '../../lib/log';
import { expectCode } from './helpers';

/** ovcache's `debug`, loaded (the package loads it only when the environment asks for logs). */
const createDebug = loadDebug();

const WEIGHTS = 100_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const runtime = testRuntime();

describe(`ModelCache disk budget${runtime.title}`, function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: RuntimeCore;
  let tmp: string;
  let dir: string;
  let models: string;
  const opened: CompileResult[] = [];
  const caches: ModelCache[] = [];
  const saved: Record<string, string | undefined> = {};
  /** Bytes of one entry of a WEIGHTS model (measured once). */
  let S = 0;

  const setEnv = (name: string, value: string | undefined) => {
    if (!(name in saved)) saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  const model = (name: string, bytes = WEIGHTS): string => {
    const xml = path.join(models, `${name}.xml`);
    if (!fs.existsSync(xml)) writeWeightsModel(models, bytes, name);
    return xml;
  };
  const newCache = (options: Partial<ConstructorParameters<typeof ModelCache>[0]> = {}): ModelCache => {
    const cache = new ModelCache({ core, dir, touchIntervalMs: 0, ...options });
    caches.push(cache);
    return cache;
  };
  const compile = async (cache: ModelCache, name: string, options: Parameters<ModelCache['compile']>[1] = { device: 'CPU' }) => {
    const r = await cache.compile(model(name), options);
    opened.push(r);
    await sleep(3); // distinct last-used times
    return r;
  };
  const entryNames = (): string[] =>
    fs.existsSync(path.join(dir, 'entries'))
      ? fs
          .readdirSync(path.join(dir, 'entries'))
          .map((n) => n.replace(/-.*$/, ''))
          .sort()
      : [];
  const record = (cache: ModelCache): BudgetEvent[] => {
    const events: BudgetEvent[] = [];
    cache.on('budget', (e) => events.push(e));
    return events;
  };
  const kinds = (events: BudgetEvent[]) => events.map((e) => (e.kind === 'recovered' ? `recovered:${e.condition}` : e.kind));

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const probe = makeTempDir();
    try {
      const c = runtime.createCore(ov);
      writeWeightsModel(probe, WEIGHTS, 'probe');
      const cache = new ModelCache({ core: c, dir: path.join(probe, 'cache') });
      (await cache.compile(path.join(probe, 'probe.xml'), { device: 'CPU' })).compiled.dispose();
      S = (await cache.usage()).bytes;
      await cache.dispose();
      c.dispose();
    } finally {
      removeDir(probe);
    }
    assert.ok(S > 3 * WEIGHTS && S < 4 * WEIGHTS, `entry size ${S}`);
  });
  beforeEach(() => {
    tmp = makeTempDir();
    dir = path.join(tmp, 'cache');
    models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    core = runtime.createCore(ov);
  });
  afterEach(async () => {
    for (const c of caches.splice(0)) await c.dispose();
    for (const r of opened.splice(0)) if (!r.compiled.disposed) r.compiled.dispose();
    core.dispose();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
      delete saved[name];
    }
    removeDir(tmp);
  });

  it('never stays above maxBytes after a compile returns, and removes the least recently used entries', async () => {
    const cache = newCache({ maxBytes: Math.floor(3.5 * S), lowWatermark: 0.7 });
    const events = record(cache);
    await compile(cache, 'a');
    await compile(cache, 'b');
    await compile(cache, 'c');
    assert.equal((await compile(cache, 'a')).hit, true, 'a is now the most recently used');
    const d = await compile(cache, 'd');
    assert.equal(d.cached, true);
    const usage = await cache.usage();
    assert.ok(usage.bytes <= Math.floor(3.5 * S), `${usage.bytes} <= maxBytes`);
    assert.ok(usage.bytes <= Math.floor(0.7 * 3.5 * S), 'down to the low watermark');
    assert.deepEqual(entryNames(), ['a', 'd']);
    const evicted = events.filter((e) => e.kind === 'evicted');
    assert.equal(evicted.length, 1);
    const e = evicted[0] as Extract<BudgetEvent, { kind: 'evicted' }>;
    assert.equal(e.trigger, 'guard', 'room made before the write');
    assert.deepEqual(
      e.removed.map((r) => [r.model, r.reason]),
      [
        ['b', 'size'],
        ['c', 'size'],
      ],
    );
    assert.equal(e.bytesFreed, e.removed[0]!.bytes + e.removed[1]!.bytes);
    assert.equal(usage.budget?.maxBytes?.exceeded, false);
  });

  it('evicts after the write when the entry came out bigger than estimated', async () => {
    const cache = newCache({ maxBytes: Math.floor(3.5 * S), lowWatermark: 0.7 });
    const events = record(cache);
    await compile(cache, 'a');
    await compile(cache, 'b');
    setEnv('OV_STUB_BLOB_FACTOR', '7'); // twice the learned 3.5: the guard's estimate is too low
    const c = await compile(cache, 'c');
    assert.equal(c.cached, true);
    assert.ok((await cache.usage()).bytes <= Math.floor(3.5 * S));
    assert.deepEqual(entryNames(), ['c']);
    const e = events.find((x) => x.kind === 'evicted');
    assert.ok(e?.kind === 'evicted');
    assert.equal(e.trigger, 'compile');
    assert.deepEqual(
      e.removed.map((r) => r.model),
      ['a', 'b'],
    );
  });

  it('evicts by age and by per-model count', async () => {
    const first = newCache();
    await compile(first, 'old');
    await compile(first, 'recent');
    const oldEntry = (await first.keyFor(model('old'), { device: 'CPU' })).entryDir;
    const read = await readManifest(oldEntry);
    assert.equal(read.status, 'ok');
    if (read.status === 'ok')
      await writeManifest(oldEntry, { ...read.manifest, lastUsedAt: new Date(Date.now() - 7_200_000).toISOString() });

    const cache = newCache({ maxAge: '1h', maxEntriesPerModel: 2 });
    const events = record(cache);
    await compile(cache, 'm', { device: 'CPU', shapes: { input: [1, WEIGHTS / 4] } });
    assert.deepEqual(entryNames(), ['m', 'recent'], 'the entry unused for 2 h went');
    await compile(cache, 'm', { device: 'CPU', shapes: { input: [2, WEIGHTS / 4] } });
    await compile(cache, 'm', { device: 'CPU', shapes: { input: [3, WEIGHTS / 4] } });
    const shapes = fs.readdirSync(path.join(dir, 'entries')).filter((n) => n.startsWith('m-'));
    assert.equal(shapes.length, 2);
    assert.ok(!shapes.some((n) => n.startsWith('m-1x')), `the oldest variant went: ${shapes.join(', ')}`);
    const reasons = events.filter((e) => e.kind === 'evicted').flatMap((e) => (e.kind === 'evicted' ? e.removed.map((r) => r.reason) : []));
    assert.deepEqual(reasons, ['max-age', 'per-model']);
  });

  it('skips protected entries: held by the registry, being compiled, locked by another process', async () => {
    const cache = newCache({ maxBytes: Math.floor(4.5 * S), lowWatermark: 0.3 });
    const registry = new ModelRegistry({ cache });
    await registry.get(model('held'), { device: 'CPU' });
    await compile(cache, 'locked');
    await compile(cache, 'free1');
    await compile(cache, 'free2');
    // "locked" is the least recently used after "held": another holder takes its lock.
    const key = (await cache.keyFor(model('locked'), { device: 'CPU' })).key;
    const attempt = await acquireLock(path.join(dir, 'locks', `${key}.lock`), { timeoutMs: 0, staleMs: 10_000 });
    assert.ok(attempt.lock);
    try {
      await compile(cache, 'new');
      assert.deepEqual(entryNames(), ['held', 'locked', 'new'], 'unprotected entries went, protected ones stayed');
      assert.ok((await cache.usage()).bytes <= Math.floor(4.5 * S));
    } finally {
      await attempt.lock.release();
      await registry.dispose();
    }
    // Released by the registry: now it can go.
    await cache.evict({ maxBytes: Math.floor(2.5 * S) });
    assert.deepEqual(entryNames(), ['locked', 'new']);
    // A key held (as while compiling) is never planned.
    const release = cache.hold(key);
    const report = await cache.evict({ maxBytes: 1 });
    release();
    assert.deepEqual(entryNames(), ['locked']);
    assert.deepEqual(
      report.removed.map((r) => r.model),
      ['new'],
    );
  });

  it('fires warn, exceeded and low-space once per crossing, then recovered', async () => {
    let capacity = 40 * S;
    const statfs = async (): Promise<VolumeStats> => {
      const used = await treeBytes(dir);
      return { totalBytes: capacity, freeBytes: capacity - used, availableBytes: capacity - used };
    };
    const cache = newCache({ maxBytes: Math.floor(4.5 * S), warnAt: 0.5, minFreeBytes: 10 * S, statfs });
    const events = record(cache);
    const holds: Array<() => void> = [];
    const holdAll = async (...names: string[]) => {
      for (const n of names) holds.push(cache.hold((await cache.keyFor(model(n), { device: 'CPU' })).key));
    };
    await compile(cache, 'a');
    await compile(cache, 'b');
    assert.deepEqual(kinds(events), []);
    await compile(cache, 'c'); // 3 S >= 2.25 S
    assert.deepEqual(kinds(events), ['warn']);
    await compile(cache, 'a');
    await compile(cache, 'd');
    assert.deepEqual(kinds(events), ['warn'], 'not again while still above');
    // Another process (no budget) writes a fifth entry: 5 S > 4.5 S, and all are held.
    const other = newCache();
    await compile(other, 'e');
    await holdAll('a', 'b', 'c', 'd', 'e');
    await cache.checkBudget();
    assert.deepEqual(kinds(events), ['warn', 'exceeded']);
    await cache.checkBudget();
    assert.deepEqual(kinds(events), ['warn', 'exceeded']);
    // The guard will not go further over: this compile runs uncached.
    assert.equal((await compile(cache, 'f')).uncachedReason, 'over-budget');
    assert.deepEqual(kinds(events), ['warn', 'exceeded', 'uncached']);
    capacity = 14 * S; // about 9 S available: under the 10 S floor
    await cache.checkBudget();
    await cache.checkBudget();
    assert.deepEqual(kinds(events), ['warn', 'exceeded', 'uncached', 'low-space']);
    for (const release of holds.splice(0)) release();
    capacity = 40 * S;
    await cache.checkBudget(); // evicts to 0.8 x 4.5 S = 3.6 S: 3 entries left
    assert.deepEqual(kinds(events).slice(4), ['evicted', 'recovered:exceeded', 'recovered:low-space']);
    assert.deepEqual(entryNames(), ['a', 'd', 'e']);
    await cache.evict({ maxBytes: Math.floor(2 * S) });
    assert.deepEqual(kinds(events).slice(-2), ['evicted', 'recovered:warn']);
    await compile(cache, 'f');
    assert.deepEqual(kinds(events).slice(-1), ['warn'], 'a new crossing fires again');
  });

  it('the free-space guard evicts to make room, else compiles uncached and says why (injected statfs)', async () => {
    let capacity = 5 * S;
    const statfs = async (): Promise<VolumeStats> => {
      const used = await treeBytes(dir).catch(() => 0);
      return { totalBytes: capacity, freeBytes: capacity - used, availableBytes: capacity - used };
    };
    const cache = newCache({ minFreeBytes: Math.floor(2.5 * S), statfs });
    const events = record(cache);
    const lines: string[] = [];
    const previousLog = createDebug.log;
    const previous = createDebug.disable();
    createDebug.enable('ovcache:cache');
    createDebug.log = (...args: unknown[]) => void lines.push(util.format(...args));
    try {
      await compile(cache, 'a');
      await compile(cache, 'b');
      const c = await compile(cache, 'c'); // 3 S + estimate would leave under 1.5 S free: a goes first
      assert.equal(c.cached, true);
      assert.deepEqual(entryNames(), ['b', 'c']);
      const guard = events.find((e) => e.kind === 'evicted');
      assert.equal(guard?.kind === 'evicted' && guard.trigger, 'guard');
      // Nothing can go (all held), and a file fills the disk: the compile succeeds uncached.
      const holds = [cache.hold(c.key as string), cache.hold((await cache.keyFor(model('b'), { device: 'CPU' })).key)];
      capacity = 4 * S;
      const d = await compile(cache, 'd');
      holds.forEach((r) => r());
      assert.equal(d.cached, false);
      assert.equal(d.uncachedReason, 'low-space');
      assert.equal(d.entryDir, null);
      assert.deepEqual(entryNames(), ['b', 'c'], 'no entry written for d');
      const uncached = events.find((e) => e.kind === 'uncached');
      assert.ok(uncached?.kind === 'uncached');
      assert.equal(uncached.reason, 'low-space');
      assert.match(uncached.message, /under the free-space floor/);
      assert.ok(
        lines.some((l) => /budget uncached: compiling d-.* without the cache \(low-space\)/.test(l)),
        lines.join('\n'),
      );
      assert.equal(cache.stats().uncached, 1);
    } finally {
      createDebug.log = previousLog;
      createDebug.disable();
      if (previous) createDebug.enable(previous);
    }
  });

  it('compiles uncached (over-budget) an entry that alone would exceed maxBytes, estimated with the learned factor', async () => {
    const cache = newCache({ maxBytes: 100 * S });
    writeWeightsModel(models, 64, 'tiny2');
    opened.push(await cache.compile(path.join(models, 'tiny2.xml'), { device: 'CPU' }));
    await cache.flush();
    assert.ok(!fs.existsSync(path.join(dir, 'fingerprints', 'size-factors.json')), 'a 64-byte model teaches no factor');
    await compile(cache, 'small');
    await cache.flush();
    const factors = JSON.parse(fs.readFileSync(path.join(dir, 'fingerprints', 'size-factors.json'), 'utf8')) as {
      devices: Record<string, { ratios: number[] }>;
    };
    const ratio = factors.devices.CPU?.ratios[0] ?? 0;
    assert.ok(ratio > 3.4 && ratio < 3.8, `learned ${ratio} (blob factor 3.5 + header)`);

    const tight = newCache({ maxBytes: 10 * S });
    const events = record(tight);
    const big = await compile(tight, 'big', { device: 'CPU' }).catch(() => undefined);
    assert.ok(big); // small enough to fit: cached
    assert.equal(big.cached, true);
    fs.rmSync(path.join(models, 'huge.xml'), { force: true });
    const huge = await tight.compile(model('huge', 3 * WEIGHTS), { device: 'CPU' }); // about 10.5 S > 10 S... estimate is ratio x weights
    opened.push(huge);
    const u = events.find((e) => e.kind === 'uncached');
    if (huge.cached) {
      // The estimate (learned ratio x weights + overhead) fitted: the entry must then respect maxBytes.
      assert.ok((await tight.usage()).bytes <= 10 * S);
    } else {
      assert.equal(huge.uncachedReason, 'over-budget');
      assert.ok(u?.kind === 'uncached');
      assert.equal(u.estimatedBytes, Math.ceil(3 * WEIGHTS * ratio) + 16 * 1024);
    }
    const cap = newCache({ maxBytes: Math.floor(S / 2) });
    const capEvents = record(cap);
    const refused = await compile(cap, 'capped');
    assert.equal(refused.cached, false);
    assert.equal(refused.uncachedReason, 'over-budget');
    const ev = capEvents.find((e) => e.kind === 'uncached');
    assert.ok(ev?.kind === 'uncached');
    assert.match(ev.message, /alone exceeds maxBytes/);
    assert.ok(ev.estimatedBytes >= Math.ceil(WEIGHTS * ratio), 'learned from the folder, not the 4.0 default');
    assert.ok(!entryNames().includes('capped'));
  });

  it('reports a blob write that fails as on a full disk (OV_STUB_FAIL) and compiles without the cache', async () => {
    const cache = newCache({ maxBytes: 100 * S, minFreeBytes: 1 });
    setEnv('OV_STUB_FAIL', 'write-enospc-fatal');
    const r = await compile(cache, 'a');
    assert.equal(r.cached, false);
    assert.equal(r.uncachedReason, 'cache-write-failed');
    assert.equal(cache.stats().uncached, 1);
    setEnv('OV_STUB_FAIL', 'write-enospc');
    const dropped = await compile(cache, 'b');
    assert.equal(dropped.cached, false);
    assert.equal(dropped.uncachedReason, 'cache-write-failed');
    assert.equal(cache.stats().uncached, 2);
    setEnv('OV_STUB_FAIL', undefined);
    assert.equal((await compile(cache, 'c')).cached, true);
  });

  it('usage(): entries by model and device, unaccounted bytes, the volume, the budget', async () => {
    const cache = newCache({ maxBytes: 10 * S, maxEntriesPerModel: 4, maxAge: '1d', minFreePercent: 1 });
    await compile(cache, 'a');
    await compile(cache, 'a', { device: 'CPU', shapes: { input: [2, WEIGHTS / 4] } });
    await compile(cache, 'b');
    fs.writeFileSync(path.join(dir, 'stray.bin'), Buffer.alloc(1000));
    const u = await cache.usage();
    assert.equal(u.entries, 3);
    assert.deepEqual(
      u.byModel.map((m) => [m.model, m.entries]),
      [
        ['a', 2],
        ['b', 1],
      ],
    );
    assert.deepEqual(
      u.byDevice.map((d) => [d.device, d.entries]),
      [['CPU', 3]],
    );
    assert.equal(u.unaccountedBytes, 1000);
    assert.ok(u.volume && u.volume.totalBytes > 0);
    assert.ok(u.budget?.maxBytes && Math.abs(u.budget.maxBytes.fraction - u.bytes / (10 * S)) < 1e-9);
    assert.equal(u.budget?.maxEntriesPerModel?.most, 2);
    assert.equal(u.budget?.maxAge?.entriesOver, 0);
    assert.ok(u.budget?.minFree && u.budget.minFree.floorBytes > 0);
  });

  it('the monitor (unref’d interval) evicts what another process wrote, until dispose', async () => {
    const other = newCache();
    await compile(other, 'a');
    await compile(other, 'b');
    const cache = newCache({ maxBytes: Math.floor(1.5 * S), monitorIntervalMs: 100 });
    const events = record(cache);
    const deadline = Date.now() + 5000;
    while (!events.some((e) => e.kind === 'evicted') && Date.now() < deadline) await sleep(50);
    const e = events.find((x) => x.kind === 'evicted');
    assert.ok(e?.kind === 'evicted');
    assert.equal(e.trigger, 'monitor');
    assert.deepEqual(entryNames(), ['b']);
    await cache.dispose();
    await compile(other, 'c');
    await sleep(300);
    assert.deepEqual(entryNames(), ['b', 'c'], 'no monitor after dispose');
  });

  it('the free-space guard on a real 8 MiB tmpfs: evicts, then compiles uncached, never fills the disk', async function () {
    const mnt = path.join(tmp, 'small');
    fs.mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      this.skip(); // needs root and mount rights (CAP_SYS_ADMIN): not available here
    }
    try {
      dir = path.join(mnt, 'cache');
      const big = 600_000; // entries of about 2.1 MB
      const cache = newCache({ minFreeBytes: '2MiB' });
      const events = record(cache);
      await compile(cache, 'a', { device: 'CPU' }).catch((e: Error) => assert.fail(e.message));
      fs.rmSync(path.join(models, 'a.xml'));
      for (const name of ['a', 'b', 'c']) writeWeightsModel(models, big, name);
      const results: CompileResult[] = [];
      for (const name of ['a', 'b', 'c']) results.push(await compile(cache, name));
      assert.ok(
        results.every((r) => r.cached),
        results.map((r) => r.uncachedReason).join(),
      );
      const v = fs.statfsSync(mnt);
      assert.ok(v.bavail * v.bsize >= 2 * 2 ** 20, 'the floor holds');
      assert.ok(
        events.some((e) => e.kind === 'evicted'),
        'room was made by eviction',
      );
      // Fill the disk up to just above the floor with a file no entry accounts for; hold the entries.
      const holds = [];
      for (const name of ['a', 'b', 'c']) holds.push(cache.hold((await cache.keyFor(model(name), { device: 'CPU' })).key));
      const free = fs.statfsSync(mnt);
      fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(Math.max(0, free.bavail * free.bsize - 2.5 * 2 ** 20)));
      writeWeightsModel(models, big, 'd');
      const d = await compile(cache, 'd');
      holds.forEach((r) => r());
      assert.equal(d.cached, false);
      assert.equal(d.uncachedReason, 'low-space');
      const after = fs.statfsSync(mnt);
      assert.ok(after.bavail * after.bsize > 2 * 2 ** 20, 'disk not filled');
    } finally {
      for (const c of caches.splice(0)) await c.dispose();
      execFileSync('umount', [mnt]);
    }
  });

  it('rejects bad budget options with the option name, and misspellings with a hint', async () => {
    await expectCode(() => new ModelCache({ core, dir, maxBytes: '20 parsecs' }), 'OVCACHE_BAD_SIZE', /options\.maxBytes/);
    await expectCode(() => new ModelCache({ core, dir, minFreeBytes: 'lots' }), 'OVCACHE_BAD_SIZE', /options\.minFreeBytes/);
    await expectCode(() => new ModelCache({ core, dir, maxAge: 'a while' }), 'OVCACHE_BAD_DURATION', /options\.maxAge/);
    await expectCode(
      () => new ModelCache({ core, dir, maxByte: '1GB' } as unknown as ConstructorParameters<typeof ModelCache>[0]),
      'OVCACHE_UNKNOWN_OPTION',
      /did you mean "maxBytes"/,
    );
    const cache = newCache();
    await expectCode(cache.evict({ maxAge: 'yesterday' }), 'OVCACHE_BAD_DURATION', /options\.maxAge/);
    await expectCode(cache.evict({ maxBytes: '1 lot' }), 'OVCACHE_BAD_SIZE', /options\.maxBytes/);
    await expectCode(cache.evict({ dryrun: true } as never), 'OVCACHE_UNKNOWN_OPTION', /did you mean "dryRun"/);
  });
});
