import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ResultCache, type ResultEvictEvent, type ResultLookupEvent } from '../../lib/index';
import type { ResultCacheInternals } from '../../lib/results/options';
import { makeTempDir, removeDir } from '../helpers/paths';
import type { GroupMemberJob, GroupMemberResult } from './group-member-child';
import type { UnreadableJob, UnreadableResult } from './unreadable-child';
import { makeRootTraversable } from '../helpers/traversable';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const isRoot = process.getuid?.() === 0;

/** Every blob file under a results folder. */
function blobFiles(resultsDir: string): string[] {
  const blobs = path.join(resultsDir, 'blobs');
  if (!fs.existsSync(blobs)) return [];
  return fs
    .readdirSync(blobs, { recursive: true })
    .map(String)
    .filter((f) => /[0-9a-f]{64}$/.test(f))
    .map((f) => path.join(blobs, f));
}

/** Flips the last byte of a file in place: same size, same name. */
function flipLastByte(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, size - 1);
    byte[0] = (byte[0] as number) ^ 0x01;
    fs.writeSync(fd, byte, 0, 1, size - 1);
  } finally {
    fs.closeSync(fd);
  }
}

describe('ResultCache', () => {
  // Children run as uid 65534 must reach the compiled tests, wherever the checkout is.
  let restoreModes: (() => void) | undefined;
  before(() => {
    if (isRoot) restoreModes = makeRootTraversable();
  });
  after(() => restoreModes?.());
  let dir: string;
  const open: ResultCache[] = [];
  const make = (options: ConstructorParameters<typeof ResultCache>[0] = {}, internals: ResultCacheInternals = {}): ResultCache => {
    const c = new ResultCache({ dir: path.join(dir, `store-${open.length}`), ...options }, internals);
    open.push(c);
    return c;
  };
  beforeEach(() => {
    dir = makeTempDir('ovcache-results-');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    removeDir(dir);
  });

  it('stores tensors as raw bytes with element type and shape, and metadata as JSON', async () => {
    const cache = make();
    const key = cache.keyFor({ model: 'm', params: { seed: 1 } });
    const f32 = new Float32Array([1.5, -2, Math.PI]);
    const i64 = new BigInt64Array([2n ** 62n, -1n]);
    const f16 = new Uint16Array([0x3c00, 0xc000]);
    await cache.set(key, {
      tensors: {
        a: { data: f32, shape: [1, 3], elementType: 'f32' },
        b: { data: i64, shape: [2], elementType: 'i64' },
        h: { data: f16, shape: [2], elementType: 'f16' },
      },
      meta: { width: 1024, note: 'x' },
    });
    const got = await cache.get(key);
    assert.ok(got?.tensors);
    assert.deepEqual([...(got.tensors.a?.data as Float32Array)], [...f32]);
    assert.deepEqual(got.tensors.a?.shape, [1, 3]);
    assert.equal(got.tensors.a?.elementType, 'f32');
    assert.ok(got.tensors.b?.data instanceof BigInt64Array);
    assert.deepEqual([...(got.tensors.b?.data ?? [])], [...i64]);
    assert.equal(got.tensors.h?.elementType, 'f16');
    assert.deepEqual([...(got.tensors.h?.data as Uint16Array)], [0x3c00, 0xc000]);
    assert.deepEqual(got.meta, { note: 'x', width: 1024 });
    // Raw bytes: the stored frame holds the float bits, not their decimal spelling.
    const frame = fs.readFileSync(path.join(cache.dir ?? '', 'results.mdb'));
    assert.ok(frame.includes(Buffer.from(f32.buffer)));
    assert.ok(!frame.includes(Buffer.from(String(Math.PI))));
    assert.equal(await cache.delete(key), true);
    assert.equal(await cache.get(key), undefined);
  });

  it('getOrCompute computes once, then answers from the cache; concurrent calls share one compute', async () => {
    const cache = make();
    let computes = 0;
    const compute = async (): Promise<{ meta: number }> => {
      computes++;
      await sleep(20);
      return { meta: 42 };
    };
    const parts = { model: 'm', params: { prompt: 'cat', seed: 3 } };
    const first = await Promise.all([1, 2, 3, 4].map(() => cache.getOrCompute(parts, compute)));
    assert.equal(computes, 1);
    assert.deepEqual(first.map((r) => r.outcome).sort(), ['hit', 'hit', 'hit', 'miss']);
    const again = await cache.getOrCompute(parts, compute);
    assert.equal(again.outcome, 'hit');
    assert.equal(again.value.meta, 42);
    assert.equal(computes, 1);
    const s = cache.stats();
    assert.equal(s.misses, 1);
    assert.equal(s.hits, 4);
    assert.equal(s.joined, 3);
    assert.equal(s.entries, 1);
    assert.ok(s.timeSavedMs >= 15, `time saved ${s.timeSavedMs} ms: the recorded compute time`);
  });

  it('an aborted signal stops a waiting caller, not the compute it joined', async () => {
    const cache = make();
    const parts = { model: 'm', params: { slow: true } };
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const leader = cache.getOrCompute(parts, async () => {
      await gate;
      return { meta: 'done' };
    });
    const controller = new AbortController();
    const follower = cache.getOrCompute(parts, () => Promise.resolve({ meta: 'never' }), { signal: controller.signal });
    controller.abort(new Error('client went away'));
    await assert.rejects(follower, /client went away/);
    release();
    assert.equal((await leader).value.meta, 'done');
    await assert.rejects(
      cache.getOrCompute(parts, () => Promise.resolve({ meta: 1 }), { signal: AbortSignal.abort() }),
      { name: 'AbortError' },
    );
  });

  it('a failed compute stores nothing and the next call computes again', async () => {
    const cache = make();
    const parts = { model: 'm', params: { x: 1 } };
    await assert.rejects(
      cache.getOrCompute(parts, () => Promise.reject(new Error('inference failed'))),
      /inference failed/,
    );
    const r = await cache.getOrCompute(parts, () => Promise.resolve({ meta: 'ok' }));
    assert.equal(r.outcome, 'miss');
  });

  it('bypasses: cacheable:false per call, a cacheable(params) predicate, OVCACHE_RESULTS_DISABLE', async () => {
    const randomSeedRule = make({ cacheable: (p) => (p as { seed?: number }).seed !== undefined });
    let computes = 0;
    const compute = (): Promise<{ meta: number }> => Promise.resolve({ meta: ++computes });
    const lookups: ResultLookupEvent[] = [];
    randomSeedRule.on('lookup', (e) => lookups.push(e));
    assert.equal((await randomSeedRule.getOrCompute({ model: 'm', params: { prompt: 'p' } }, compute)).outcome, 'bypass');
    assert.equal((await randomSeedRule.getOrCompute({ model: 'm', params: { prompt: 'p' } }, compute)).outcome, 'bypass');
    assert.equal(
      (await randomSeedRule.getOrCompute({ model: 'm', params: { prompt: 'p', seed: 1 } }, compute, { cacheable: false })).outcome,
      'bypass',
    );
    assert.equal(computes, 3);
    assert.equal(randomSeedRule.stats().entries, 0);
    assert.equal(randomSeedRule.stats().bypasses, 3);
    assert.deepEqual(
      lookups.map((l) => l.outcome),
      ['bypass', 'bypass', 'bypass'],
    );

    process.env.OVCACHE_RESULTS_DISABLE = '1';
    let disabled: ResultCache;
    try {
      disabled = make();
    } finally {
      delete process.env.OVCACHE_RESULTS_DISABLE;
    }
    assert.equal(disabled.enabled, false);
    const parts = { model: 'm', params: { seed: 1 } };
    assert.equal((await disabled.getOrCompute(parts, compute)).outcome, 'bypass');
    assert.equal((await disabled.getOrCompute(parts, compute)).outcome, 'bypass');
    assert.equal(computes, 5);
  });

  it('keeps at most maxEntries after 1.2 x maxEntries sets, and the kept ones are the most recently used', async () => {
    const maxEntries = 50;
    const cache = make({ maxEntries });
    const key = (i: number): string => cache.keyFor({ model: 'm', params: { i } });
    for (let i = 0; i < maxEntries; i++) await cache.set(key(i), { meta: i });
    // Use the first ten again: they become the most recently used.
    for (let i = 0; i < 10; i++) assert.equal((await cache.get(key(i)))?.meta, i);
    await cache.flush();
    for (let i = maxEntries; i < maxEntries * 1.2; i++) await cache.set(key(i), { meta: i });
    const s = cache.stats();
    assert.equal(s.entries, maxEntries);
    assert.equal(s.evicted, maxEntries * 0.2);
    const kept: number[] = [];
    for (let i = 0; i < maxEntries * 1.2; i++) if ((await cache.get(key(i))) !== undefined) kept.push(i);
    const expected = [...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 40 }, (_, i) => 20 + i)];
    assert.deepEqual(kept, expected);
  });

  it('evicts least recently used entries by bytes too, and keeps large values as files beside the database', async () => {
    const cache = make({ maxBytes: '400KB' });
    const evictions: ResultEvictEvent[] = [];
    cache.on('evict', (e) => evictions.push(e));
    const big = (i: number): { tensors: { out: { data: Uint8Array; shape: number[]; elementType: 'u8' } } } => ({
      tensors: { out: { data: new Uint8Array(100_000).fill(i), shape: [100_000], elementType: 'u8' } },
    });
    const keys = [0, 1, 2, 3, 4, 5].map((i) => cache.keyFor({ model: 'm', params: { i } }));
    for (const [i, k] of keys.entries()) await cache.set(k, big(i));
    const s = cache.stats();
    assert.ok(s.bytes <= 400_000, `${s.bytes} bytes stored`);
    assert.equal(s.entries, 3);
    assert.deepEqual(
      evictions.map((e) => e.reason),
      ['bytes', 'bytes', 'bytes'],
    );
    assert.equal(await cache.get(keys[0] ?? ''), undefined);
    const last = await cache.get(keys[5] ?? '');
    assert.equal(last?.tensors?.out?.data[99_999], 5);
    const blobs = fs.readdirSync(path.join(cache.dir ?? '', 'blobs'), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f)));
    assert.equal(blobs.length, 3, 'one blob file per kept entry; evicted ones removed');
  });

  it('never returns an expired entry, and counts it', async () => {
    // An injected clock: the TTL's edge is exact, whatever the machine's speed (issue 25).
    let now = 1_000_000;
    const cache = make({ ttl: 60 }, { now: () => now });
    const key = cache.keyFor({ model: 'm', params: { t: 1 } });
    const longer = cache.keyFor({ model: 'm', params: { t: 2 } });
    await cache.set(key, { meta: 'short' });
    await cache.set(longer, { meta: 'long' }, { ttl: '1h' });
    assert.equal((await cache.get(key))?.meta, 'short');
    now += 59;
    assert.equal((await cache.get(key))?.meta, 'short', '1 ms before its TTL ends');
    now += 1;
    assert.equal(await cache.get(key), undefined, 'at its TTL');
    assert.equal((await cache.get(longer))?.meta, 'long');
    const r = await cache.getOrCompute({ model: 'm', params: { t: 1 } }, () => Promise.resolve({ meta: 'again' }));
    assert.equal(r.outcome, 'miss');
    assert.ok(cache.stats().expired >= 1);
  });

  it('a hit whose referenced file is gone or changed is a miss, and the entry is removed', async () => {
    const cache = make();
    const image = path.join(dir, 'out.png');
    fs.writeFileSync(image, 'png-bytes');
    const evictions: ResultEvictEvent[] = [];
    cache.on('evict', (e) => evictions.push(e));
    const parts = { model: 'sd', params: { seed: 9 } };
    let computes = 0;
    const compute = (): Promise<{ files: string[] }> => {
      computes++;
      fs.writeFileSync(image, `png-bytes-${computes}`);
      return Promise.resolve({ files: [image] });
    };
    assert.equal((await cache.getOrCompute(parts, compute)).outcome, 'miss');
    const hit = await cache.getOrCompute(parts, compute);
    assert.equal(hit.outcome, 'hit');
    assert.deepEqual(hit.value.files, [image]);
    fs.rmSync(image);
    assert.equal((await cache.getOrCompute(parts, compute)).outcome, 'miss');
    fs.appendFileSync(image, '+'); // changed size
    assert.equal((await cache.getOrCompute(parts, compute)).outcome, 'miss');
    assert.equal(computes, 3);
    await cache.flush();
    assert.deepEqual(
      evictions.map((e) => e.reason),
      ['files', 'files'],
    );
  });

  it('a referenced file rewritten with the same size and its mtime put back (touch -r) is a miss, and the entry is removed', async () => {
    const cache = make();
    const image = path.join(dir, 'image-1234.bin');
    const parts = { model: 'sd', params: { seed: 1234 } };
    const compute = (): Promise<{ files: string[] }> => {
      fs.writeFileSync(image, 'GOOD-IMAGE');
      return Promise.resolve({ files: [image] });
    };
    assert.equal((await cache.getOrCompute(parts, compute)).outcome, 'miss');
    const before = fs.statSync(image);
    const reference = `${image}.ref`;
    fs.writeFileSync(reference, '');
    execFileSync('touch', ['-r', image, reference]); // keeps the stored mtime to the nanosecond
    await sleep(20); // so the rewrite's ctime differs from the stored one at the clock's resolution
    fs.writeFileSync(image, 'EVIL-IMAGE'); // same size, other bytes
    execFileSync('touch', ['-r', reference, image]); // mtime put back; ctime cannot be
    assert.equal(fs.statSync(image).mtimeMs, before.mtimeMs);
    assert.equal(fs.statSync(image).size, before.size);
    const again = await cache.getOrCompute(parts, compute);
    assert.equal(again.outcome, 'miss');
    assert.equal(fs.readFileSync(image, 'utf8'), 'GOOD-IMAGE');
    // Replaced by another file (another inode) with the same size and mtime: a miss too.
    execFileSync('touch', ['-r', image, reference]);
    await sleep(20);
    fs.writeFileSync(`${image}.new`, 'EVIL-IMAGE');
    execFileSync('touch', ['-r', reference, `${image}.new`]);
    fs.renameSync(`${image}.new`, image);
    assert.equal((await cache.getOrCompute(parts, compute)).outcome, 'miss');
  });

  it('refuses bad keys and values with coded errors, and loses nothing already stored', async () => {
    const cache = make();
    const key = cache.keyFor({ model: 'm', params: { keep: true } });
    await cache.set(key, { meta: 'kept' });
    await assert.rejects(cache.get('abc'), { code: 'OVCACHE_RESULT_KEY_INVALID' });
    await assert.rejects(cache.set(key.toUpperCase(), { meta: 1 }), { code: 'OVCACHE_RESULT_KEY_INVALID' });
    await assert.rejects(cache.delete(''), { code: 'OVCACHE_RESULT_KEY_INVALID' });
    const bad: Array<[unknown, RegExp]> = [
      [{ meta: { x: NaN } }, /value\.meta\.x is NaN/],
      [{ meta: { when: new Date() } }, /value\.meta\.when is a Date/],
      [{ tensors: { out: [1, 2, 3] } }, /value\.tensors\.out/],
      [{ tensors: { out: { data: new Float32Array(3), shape: [2], elementType: 'f32' } } }, /shape \[2\]/],
      [{ tensors: { out: { data: new Float32Array(3), shape: [3], elementType: 'q4' } } }, /value\.tensors\.out\.elementType/],
      [{ files: [path.join(dir, 'missing.png')] }, /value\.files\[0\].*cannot be read/],
      [{ output: 1 }, /Unknown field "output"/],
      [null, /Expected \{ tensors\?, meta\?, files\? \}/],
    ];
    for (const [value, message] of bad) {
      await assert.rejects(cache.set(key, value as never), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'OVCACHE_RESULT_VALUE_INVALID');
        assert.match(e.message, message);
        return true;
      });
    }
    await assert.rejects(
      cache.getOrCompute({ model: 'm', params: { keep: false } }, () => Promise.resolve({ meta: { bad: undefined } } as never)),
      { code: 'OVCACHE_RESULT_VALUE_INVALID' },
    );
    assert.equal((await cache.get(key))?.meta, 'kept');
    assert.equal(cache.stats().entries, 1);
  });

  it('a damaged blob file is a miss reported through the error event, never a wrong value', async () => {
    const cache = make();
    const errors: string[] = [];
    cache.on('error', (e) => errors.push(`${e.operation}: ${(e.error as Error & { code?: string }).code ?? ''}`));
    const key = cache.keyFor({ model: 'm', params: { big: true } });
    await cache.set(key, { tensors: { out: { data: new Uint8Array(100_000).fill(3), shape: [100_000], elementType: 'u8' } } });
    const blobs = path.join(cache.dir ?? '', 'blobs');
    const [sub] = fs.readdirSync(blobs);
    const [file] = fs.readdirSync(path.join(blobs, sub ?? ''));
    fs.truncateSync(path.join(blobs, sub ?? '', file ?? ''), 5000); // as if cut short
    assert.equal(await cache.get(key), undefined);
    assert.deepEqual(errors, ['get: OVCACHE_RESULT_STORE_FAILED']);
    await cache.flush();
    assert.equal(cache.stats().entries, 0, 'the damaged entry was removed');
  });

  it('a blob that cannot be read (a folder in its place: EISDIR) is a coded miss, its entry removed, and storing the value again repairs it', async () => {
    const cache = make();
    const errors: string[] = [];
    cache.on('error', (e) => errors.push(`${e.operation}: ${(e.error as Error & { code?: string }).code ?? ''}`));
    const parts = { model: 'm', params: { seed: 1 } };
    let computes = 0;
    const compute = (): Promise<{ tensors: { out: { data: Uint8Array; shape: number[]; elementType: 'u8' } } }> => {
      computes++;
      return Promise.resolve({ tensors: { out: { data: new Uint8Array(100_000).fill(7), shape: [100_000], elementType: 'u8' } } });
    };
    assert.equal((await cache.getOrCompute(parts, compute)).outcome, 'miss');
    const [blob] = blobFiles(cache.dir ?? '');
    assert.ok(blob);
    fs.rmSync(blob);
    fs.mkdirSync(blob);
    assert.equal((await cache.getOrCompute(parts, compute)).outcome, 'miss');
    await cache.flush();
    assert.deepEqual(errors, ['get: OVCACHE_RESULT_STORE_FAILED']);
    const hit = await cache.getOrCompute(parts, compute);
    assert.equal(hit.outcome, 'hit', 'the value stored again is served');
    assert.equal(hit.value.tensors?.out?.data.length, 100_000);
    assert.equal(computes, 2);
    assert.equal(fs.existsSync(blob), false, "the folder in the blob's place was removed with its entry");
    assert.deepEqual(errors, ['get: OVCACHE_RESULT_STORE_FAILED']);
  });

  it('storing a value whose blob file exists with other bytes replaces that file: the value is served again', async () => {
    const cache = make({}, { now: () => 1_000_000 }); // one clock: storing the same value again makes the same frame, the same blob name
    const key = cache.keyFor({ model: 'm', params: { big: 2 } });
    const value = { tensors: { out: { data: new Uint8Array(100_000).fill(5), shape: [100_000], elementType: 'u8' as const } } };
    await cache.set(key, value);
    const [blob] = blobFiles(cache.dir ?? '');
    assert.ok(blob);
    flipLastByte(blob);
    const damaged = fs.readFileSync(blob);
    await cache.delete(key);
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.writeFileSync(blob, damaged); // a damaged file under the name, no entry naming it (as a crash could leave)
    await cache.set(key, value);
    const got = await cache.get(key);
    assert.ok(got, 'served');
    assert.deepEqual([...(got.tensors?.out?.data as Uint8Array).slice(-3)], [5, 5, 5]);
  });

  it('refuses bad options with the usual codes', () => {
    assert.throws(() => new ResultCache({ dir, maxEntrys: 5 } as never), {
      code: 'OVCACHE_UNKNOWN_OPTION',
      message: /did you mean "maxEntries"/,
    });
    assert.throws(() => new ResultCache({ dir, ttl: 'soon' }), { code: 'OVCACHE_BAD_DURATION' });
    assert.throws(() => new ResultCache({ dir, maxBytes: 'lots' }), { code: 'OVCACHE_BAD_SIZE' });
    assert.throws(() => new ResultCache({ dir, maxEntries: 0 }), { code: 'OVCACHE_INVALID_ARGUMENT' });
    assert.throws(() => new ResultCache({ dir, redis: 'http://x' }), { code: 'OVCACHE_INVALID_ARGUMENT' });
    assert.throws(() => new ResultCache({ dir: false }), { code: 'OVCACHE_INVALID_ARGUMENT', message: /Redis/ });
  });

  it('stays consistent after reopening: entries, LRU order and lifetime counters persist', async () => {
    const storeDir = path.join(dir, 'persist');
    const a = new ResultCache({ dir: storeDir, maxEntries: 3 });
    const k = (i: number): string => a.keyFor({ model: 'm', params: { i } });
    for (const i of [0, 1, 2]) await a.set(k(i), { meta: i });
    await a.get(k(0));
    await a.close();
    const b = make({ dir: storeDir, maxEntries: 3 });
    await b.set(b.keyFor({ model: 'm', params: { i: 3 } }), { meta: 3 });
    assert.equal(await b.get(k(1)), undefined, 'entry 1 was the least recently used');
    assert.equal((await b.get(k(0)))?.meta, 0);
    await b.flush();
    assert.equal(b.stats().lifetime?.hits, 2);
  });

  it('the default folder is "results" inside the ovcache cache folder', async () => {
    const previous = process.env.OVCACHE_DIR;
    process.env.OVCACHE_DIR = path.join(dir, 'ovcache');
    try {
      const cache = new ResultCache();
      open.push(cache);
      assert.equal(cache.dir, path.join(dir, 'ovcache', 'results'));
      await cache.set(cache.keyFor({ model: 'm' }), { meta: 1 });
      assert.ok(fs.existsSync(path.join(dir, 'ovcache', 'results', 'results.mdb')));
    } finally {
      if (previous === undefined) delete process.env.OVCACHE_DIR;
      else process.env.OVCACHE_DIR = previous;
    }
  });

  it('a referenced file whose folder became a file (ENOTDIR) is a miss on every call, and the entry is evicted (files)', async () => {
    const cache = make();
    const outputs = path.join(dir, 'outputs');
    fs.mkdirSync(outputs);
    const image = path.join(outputs, 'out.png');
    fs.writeFileSync(image, 'png-bytes');
    const evictions: ResultEvictEvent[] = [];
    cache.on('evict', (e) => evictions.push(e));
    const parts = { model: 'sd', params: { seed: 2 } };
    assert.equal((await cache.getOrCompute(parts, () => Promise.resolve({ files: [image] }))).outcome, 'miss');
    const key = cache.keyFor(parts);
    assert.ok(await cache.get(key));
    fs.rmSync(outputs, { recursive: true });
    fs.writeFileSync(outputs, 'a file where the folder was');
    assert.equal(await cache.get(key), undefined);
    assert.equal(await cache.get(key), undefined);
    await cache.flush();
    assert.equal(cache.stats().entries, 0, 'the entry was evicted');
    assert.deepEqual(
      evictions.map((e) => e.reason),
      ['files'],
    );
  });

  it('a referenced file that cannot be read (EACCES: the file, or its folder, mode 000) is a miss, and the entry is evicted (files)', function () {
    // Root reads everything: the scenario runs in a child as nobody (uid 65534) then.
    fs.chmodSync(dir, 0o755);
    for (const what of ['file', 'folder'] as const) {
      const work = path.join(dir, `unreadable-${what}`);
      fs.mkdirSync(work);
      if (isRoot) fs.chownSync(work, 65534, 65534);
      const job: UnreadableJob = { dir: work, what };
      const child = spawnSync(process.execPath, [path.join(__dirname, 'unreadable-child.js'), JSON.stringify(job)], {
        encoding: 'utf8',
        ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT:'));
      assert.ok(line, `child exited with ${child.status}: ${child.stderr}`);
      const result = JSON.parse(line.slice(7)) as UnreadableResult;
      assert.deepEqual(result.errors, [], `${what}: no call throws`);
      assert.deepEqual(result.outcomes, ['miss', 'hit', 'miss', 'miss'], what);
      assert.deepEqual(result.evictions, ['files'], what);
      assert.equal(result.entriesAfter, 0, `${what}: the entry was evicted`);
    }
  });

  it('a blob whose bytes changed in place (one flipped byte, same size) is never served: a miss, removed, reported through the error event', async () => {
    const cache = make();
    const errors: string[] = [];
    cache.on('error', (e) => errors.push(`${e.operation}: ${(e.error as Error & { code?: string }).code ?? ''}`));
    const big = (fill: number): { tensors: { out: { data: Uint8Array; shape: number[]; elementType: 'u8' } } } => ({
      tensors: { out: { data: new Uint8Array(100_000).fill(fill), shape: [100_000], elementType: 'u8' } },
    });
    // Flipped before this process ever read it.
    const first = cache.keyFor({ model: 'm', params: { flip: 'before-read' } });
    await cache.set(first, big(3));
    const [firstBlob] = blobFiles(cache.dir ?? '');
    flipLastByte(firstBlob ?? '');
    assert.equal(await cache.get(first), undefined);
    // Flipped after a verified hit (the per-process check sees the file's identity change).
    const second = cache.keyFor({ model: 'm', params: { flip: 'after-read' } });
    await cache.set(second, big(4));
    assert.equal((await cache.get(second))?.tensors?.out?.data[99_999], 4);
    const secondBlob = blobFiles(cache.dir ?? '').find((f) => f !== firstBlob);
    flipLastByte(secondBlob ?? '');
    assert.equal(await cache.get(second), undefined);
    assert.deepEqual(errors, ['get: OVCACHE_RESULT_STORE_FAILED', 'get: OVCACHE_RESULT_STORE_FAILED']);
    await cache.flush();
    assert.equal(cache.stats().entries, 0, 'both damaged entries were removed');
    assert.deepEqual(blobFiles(cache.dir ?? ''), [], 'and their blob files');
  });

  it('refuses a results folder other users can write into, as ModelCache does (OVCACHE_CACHE_DIR_INSECURE); shared: group accepts a group-writable one', () => {
    const world = path.join(dir, 'world');
    fs.mkdirSync(world);
    fs.chmodSync(world, 0o777);
    assert.throws(() => make({ dir: world }), {
      code: 'OVCACHE_CACHE_DIR_INSECURE',
      message: /Results folder .*world is writable by every user/,
    });
    assert.throws(() => make({ dir: world, shared: 'group' }), { code: 'OVCACHE_CACHE_DIR_INSECURE' });
    const group = path.join(dir, 'group');
    fs.mkdirSync(group);
    fs.chmodSync(group, 0o2770);
    assert.throws(() => make({ dir: group }), { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /writable by its group/ });
    assert.equal(make({ dir: group, shared: 'group' }).dir, group);
    const linked = path.join(dir, 'linked');
    fs.mkdirSync(linked, { mode: 0o700 });
    fs.symlinkSync(world, path.join(linked, 'blobs'));
    assert.throws(() => make({ dir: linked }), { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /blobs is a symlink/ });
    const linkedDb = path.join(dir, 'linked-db');
    fs.mkdirSync(linkedDb, { mode: 0o700 });
    fs.symlinkSync(path.join(world, 'elsewhere.mdb'), path.join(linkedDb, 'results.mdb'));
    assert.throws(() => make({ dir: linkedDb }), { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /results\.mdb is a symlink/ });
    if (isRoot) {
      const foreign = path.join(dir, 'foreign');
      fs.mkdirSync(foreign, { mode: 0o700 });
      fs.chownSync(foreign, 65534, 65534); // nobody:nogroup
      assert.throws(() => make({ dir: foreign }), { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /owned by another user/ });
    }
    const fresh = make({ dir: path.join(dir, 'fresh', 'results') }).dir ?? '';
    assert.equal(fs.statSync(fresh).mode & 0o7777, 0o700, 'a folder it creates is owner-only');
  });

  it("shared: 'group': a second member of the group opens the store another member made and stores in it (database files 0660 under umask 022)", function () {
    if (!isRoot) this.skip(); // two uids need root to run the children as them
    fs.chmodSync(dir, 0o755);
    const group = path.join(dir, 'group');
    fs.mkdirSync(group);
    fs.chownSync(group, 65534, 65534);
    fs.chmodSync(group, 0o2770);
    const store = path.join(group, 'results');
    const members = [65534, 12345];
    const runAs = (uid: number): GroupMemberResult => {
      const job: GroupMemberJob = { dir: store, members };
      const child = spawnSync(process.execPath, [path.join(__dirname, 'group-member-child.js'), JSON.stringify(job)], {
        encoding: 'utf8',
        uid,
        gid: 65534,
      });
      const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT:'));
      assert.ok(line, `child ${uid} exited with ${child.status}: ${child.stderr}`);
      return JSON.parse(line.slice(7)) as GroupMemberResult;
    };
    const first = runAs(65534);
    assert.deepEqual(first.errors, []);
    assert.deepEqual(first.modes, { 'results.mdb': '660', 'results.mdb-lock': '660' });
    const second = runAs(12345);
    assert.deepEqual(second.errors, [], 'the second member opens and writes');
    assert.deepEqual(second.read, [{ uid: 65534 }, { uid: 12345 }]);
    assert.deepEqual(runAs(65534).read, [{ uid: 65534 }, { uid: 12345 }], "the first member reads the second's");
  });

  it('a dir that is a file, or below a file, is refused with OVCACHE_CACHE_DIR_INVALID, never a raw EEXIST or ENOTDIR', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    assert.throws(() => make({ dir: file }), { code: 'OVCACHE_CACHE_DIR_INVALID', message: /a-file exists but is not a folder/ });
    assert.throws(() => make({ dir: path.join(file, 'results') }), { code: 'OVCACHE_CACHE_DIR_INVALID', message: /cannot be created/ });
  });

  it('after close(), get, set, delete, explain and getOrCompute throw OVCACHE_CLOSED; stats() and close() still answer', async () => {
    const cache = make();
    const key = cache.keyFor({ model: 'm', params: { closed: true } });
    await cache.set(key, { meta: 1 });
    await cache.close();
    await assert.rejects(cache.get(key), { code: 'OVCACHE_CLOSED', message: /ResultCache\.get\(\) after close\(\)/ });
    await assert.rejects(cache.set(key, { meta: 2 }), { code: 'OVCACHE_CLOSED' });
    await assert.rejects(cache.delete(key), { code: 'OVCACHE_CLOSED' });
    assert.throws(() => cache.explain(key), { code: 'OVCACHE_CLOSED' });
    let computed = false;
    await assert.rejects(
      cache.getOrCompute({ model: 'm' }, () => {
        computed = true;
        return Promise.resolve({ meta: 3 });
      }),
      { code: 'OVCACHE_CLOSED' },
    );
    assert.equal(computed, false);
    assert.equal(typeof cache.stats().hits, 'number');
    await cache.close();
    // A getOrCompute already computing when close() began still returns its value.
    const busy = make();
    let finish: (v: { meta: string }) => void = () => undefined;
    let started: () => void = () => undefined;
    const computing = new Promise<void>((resolve) => (started = resolve));
    const running = busy.getOrCompute({ model: 'm', params: { slow: true } }, () => {
      started();
      return new Promise((resolve) => (finish = resolve));
    });
    await computing;
    const closing = busy.close();
    finish({ meta: 'computed' });
    assert.deepEqual((await running).value, { meta: 'computed' });
    await closing;
    const reopened = make({ dir: cache.dir ?? '' });
    assert.equal((await reopened.get(key))?.meta, 1, 'nothing was lost by the refused calls');
  });
});
