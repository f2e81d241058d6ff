// ModelCache against the stand-in runtime, in this process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ModelCache, type CacheEvent, type CompileResult, type ModelCacheOptions } from '../../lib/index';

/** Every cache a test makes, so afterEach can wait for its background manifest writes. */
const live: ModelCache[] = [];
class TrackedCache extends ModelCache {
  constructor(options: ModelCacheOptions) {
    super(options);
    live.push(this);
  }
}
import { acquireLock } from '../../lib/cache/entry/lock';
import { MANIFEST_FILE, readManifest } from '../../lib/cache/entry/manifest';
import { loadOpenVINO, type CompileConfig, type OpenVINO, type RuntimeCore } from '../../lib/index';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { testRuntime } from '../helpers/runtimes';

const runtime = testRuntime();
import { countEvents, expectCode, readStubLog, snapshot } from './helpers';

describe(`ModelCache against the stand-in${runtime.title}`, function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: RuntimeCore;
  let tmp: string;
  let dir: string;
  let models: string;
  let stubLog: string;
  const saved: Record<string, string | undefined> = {};
  const opened: CompileResult[] = [];

  const setEnv = (name: string, value: string | undefined) => {
    if (!(name in saved)) saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };

  async function compile(
    cache: ModelCache,
    model: Parameters<ModelCache['compile']>[0],
    options: Parameters<ModelCache['compile']>[1],
  ): Promise<CompileResult> {
    const result = await cache.compile(model, options);
    opened.push(result);
    return result;
  }

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir();
    dir = path.join(tmp, 'cache');
    models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    writeMlp(models);
    writeImageModel(models);
    stubLog = path.join(tmp, 'stub.log');
    setEnv('OV_STUB_LOG', stubLog);
    core = runtime.createCore(ov);
  });
  afterEach(async () => {
    for (const r of opened.splice(0)) if (!r.compiled.disposed) r.compiled.dispose();
    for (const cache of live.splice(0)) await cache.flush().catch(() => undefined);
    core.dispose();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
      delete saved[name];
    }
    removeDir(tmp);
  });

  const mlp = () => path.join(models, 'mlp.xml');
  const image = () => path.join(models, 'image.xml');

  it('a failed compile leaves no entry folder behind', async () => {
    const cache = new TrackedCache({ core, dir });
    await assert.rejects(cache.compile(mlp(), { device: 'NPU' }), (e: { code?: string }) => e.code === 'OV_GENERAL_ERROR');
    const entries = path.join(dir, 'entries');
    assert.deepEqual(fs.existsSync(entries) ? fs.readdirSync(entries) : [], []);
    const ok = await cache.compile(mlp(), { device: 'CPU' });
    opened.push(ok);
    assert.deepEqual(fs.readdirSync(entries).length, 1, 'a later good compile still fills its entry');
  });

  it('misses, fills a readable entry folder with a complete manifest, then hits', async () => {
    const cache = new TrackedCache({ core, dir, touchIntervalMs: 0 });
    const first = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(first.hit, false);
    assert.equal(first.cached, true);
    assert.match(first.key ?? '', /^[0-9a-f]{64}$/);
    assert.equal(path.basename(first.entryDir ?? ''), `mlp-1x16-CPU-${first.key?.slice(0, 12)}`);
    const read = await readManifest(first.entryDir as string);
    assert.equal(read.status, 'ok');
    const m = read.status === 'ok' ? read.manifest : assert.fail();
    assert.equal(m.complete, true);
    assert.equal(m.key, first.key);
    assert.deepEqual(m.modelPaths, [mlp()]);
    assert.ok(m.files.some((f) => f.name.endsWith('.blob')));
    assert.equal(
      m.bytes,
      m.files.reduce((n, f) => n + f.bytes, 0),
    );
    assert.ok(m.compileMs !== null && m.compileMs > 0);

    const readsBefore = countEvents(stubLog, 'read_model');
    const second = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(second.hit, true);
    assert.equal(second.key, first.key);
    assert.equal(second.timings.readMs < 1, true, 'the fast path does not read the model');
    await cache.flush();
    const after = await readManifest(first.entryDir as string);
    assert.equal(after.status === 'ok' && after.manifest.hits, 1);
    assert.equal(countEvents(stubLog, 'compile'), 1);
    assert.equal(countEvents(stubLog, 'import'), 1);
    assert.equal(countEvents(stubLog, 'read_model'), readsBefore, 'a hit from the path reads no model');
    const stats = cache.stats();
    assert.equal(stats.hits, 1);
    assert.equal(stats.misses, 1);
    assert.equal(stats.compiles, 1);
    assert.ok(stats.bytesWritten >= m.bytes);
  });

  it('creates the folder owner-only with a CACHEDIR.TAG on the first compile', async () => {
    const cache = new TrackedCache({ core, dir });
    assert.equal(fs.existsSync(dir), false);
    await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.ok(fs.readFileSync(path.join(dir, 'CACHEDIR.TAG'), 'utf8').startsWith('Signature: 8a477f597d28d172789f06886806bc55'));
  });

  it('accepts a Model read by the caller, reshaping it in place', async () => {
    const cache = new TrackedCache({ core, dir });
    const model = await core.readModel(image());
    try {
      const a = await compile(cache, model, { device: 'CPU', shapes: { image: [1, 3, 8, 8] } });
      assert.equal(a.hit, false);
      assert.deepEqual(model.inputs[0]?.shape, [1, 3, 8, 8]);
      const b = await compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, 8, 8] } });
      assert.equal(b.key, a.key, 'same content, same shapes: same entry');
      assert.equal(b.hit, true);
      assert.equal(model.disposed, false, 'the caller keeps its model');
    } finally {
      model.dispose();
    }
  });

  it('gives a new input size its own entry folder, and hits each size again', async () => {
    const cache = new TrackedCache({ core, dir });
    const a = await compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, 64, 64] } });
    const b = await compile(cache, image(), { device: 'CPU', shapes: { image: '1,3,128,96' } });
    assert.notEqual(a.key, b.key);
    assert.equal(path.basename(a.entryDir ?? '').startsWith('image-1x3x64x64-CPU-'), true);
    assert.equal(path.basename(b.entryDir ?? '').startsWith('image-1x3x128x96-CPU-'), true);
    assert.deepEqual(b.compiled.inputs[0]?.shape, [1, 3, 128, 96]);
    const again = await compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, 64, 64] } });
    assert.equal(again.hit, true);
    assert.equal(again.key, a.key);
    assert.equal(fs.readdirSync(path.join(dir, 'entries')).length, 2);
  });

  it('works with dynamic ranges in shapes', async () => {
    const cache = new TrackedCache({ core, dir });
    const r = await compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, [16, 64], -1] } });
    assert.equal(r.parts?.inputs[0]?.shape, '[1,3,16..64,?]');
    assert.ok(path.basename(r.entryDir ?? '').startsWith('image-1x3x16-64xN-CPU-'));
    assert.equal((await compile(cache, image(), { device: 'CPU', shapes: { image: '1,3,16..64,?' } })).hit, true);
  });

  describe('the key changes exactly when one of its parts changes', () => {
    const baseConfig: CompileConfig = {
      PERFORMANCE_HINT: 'LATENCY',
      INFERENCE_PRECISION_HINT: 'f32',
      NUM_STREAMS: 1,
      EXECUTION_MODE_HINT: 'PERFORMANCE',
    };
    const base = { device: 'CPU', shapes: { image: [1, 3, 32, 32] }, config: baseConfig };
    type Options = Parameters<ModelCache['keyFor']>[1];
    const changed: Array<[string, Options]> = [
      ['dim 0', { ...base, shapes: { image: [2, 3, 32, 32] } }],
      ['dim 2', { ...base, shapes: { image: [1, 3, 48, 32] } }],
      ['dim 3', { ...base, shapes: { image: [1, 3, 32, 48] } }],
      ['a dynamic dim', { ...base, shapes: { image: [1, 3, -1, 32] } }],
      ['a range', { ...base, shapes: { image: [1, 3, [1, 64], 32] } }],
      ['device', { ...base, device: 'GPU' }],
      ['PERFORMANCE_HINT', { ...base, config: { ...baseConfig, PERFORMANCE_HINT: 'THROUGHPUT' } }],
      ['INFERENCE_PRECISION_HINT', { ...base, config: { ...baseConfig, INFERENCE_PRECISION_HINT: 'f16' } }],
      ['NUM_STREAMS', { ...base, config: { ...baseConfig, NUM_STREAMS: 2 } }],
      ['EXECUTION_MODE_HINT', { ...base, config: { ...baseConfig, EXECUTION_MODE_HINT: 'ACCURACY' } }],
      ['an added config key', { ...base, config: { ...baseConfig, CACHE_MODE: 'OPTIMIZE_SIZE' } }],
      ['a raw config key', { ...base, config: { ...baseConfig, SOME_PLUGIN_KEY: 'x' } }],
    ];
    const same: Array<[string, Options]> = [
      [
        'config key order',
        {
          ...base,
          config: { EXECUTION_MODE_HINT: 'PERFORMANCE', NUM_STREAMS: 1, INFERENCE_PRECISION_HINT: 'f32', PERFORMANCE_HINT: 'LATENCY' },
        },
      ],
      [
        'equivalent spellings',
        {
          ...base,
          config: {
            PERFORMANCE_HINT: 'latency',
            INFERENCE_PRECISION_HINT: 'F32',
            NUM_STREAMS: '1',
            EXECUTION_MODE_HINT: 'performance',
          } as unknown as CompileConfig,
        },
      ],
      ['shape as text', { ...base, shapes: { image: '1,3,32,32' } }],
      ['undefined config values', { ...base, config: { ...baseConfig, CACHE_MODE: undefined } }],
    ];

    let cache: ModelCache;
    let baseKey: string;
    beforeEach(async () => {
      setEnv('OV_STUB_DEVICES', 'CPU,GPU');
      cache = new TrackedCache({ core, dir });
      baseKey = (await cache.keyFor(image(), base)).key;
    });

    for (const [what, options] of changed) {
      it(`changes with ${what}`, async () => {
        const info = await cache.keyFor(image(), options);
        assert.notEqual(info.key, baseKey);
      });
    }
    for (const [what, options] of same) {
      it(`does not change with ${what}`, async () => {
        assert.equal((await cache.keyFor(image(), options)).key, baseKey);
      });
    }

    it("changes with the .bin's content (same size), which OpenVINO's own cache misses", async () => {
      const bin = image().replace(/\.xml$/, '.bin');
      const bytes = fs.readFileSync(bin);
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      fs.writeFileSync(bin, bytes);
      const info = await cache.keyFor(image(), base);
      assert.notEqual(info.key, baseKey);
      const explained = (await cache.keyFor(image(), base)).parts.model.files.find((f) => f.role === 'bin');
      assert.equal(explained?.size, bytes.length);
    });

    it('does not change when an unrelated file is touched or the .xml only touched', async () => {
      fs.writeFileSync(path.join(models, 'notes.txt'), 'hello');
      const future = new Date(Date.now() + 60_000);
      fs.utimesSync(image(), future, future);
      assert.equal((await cache.keyFor(image(), base)).key, baseKey);
    });

    it('does not change when the model is copied to another folder', async () => {
      const other = path.join(tmp, 'elsewhere');
      fs.mkdirSync(other);
      writeImageModel(other);
      assert.equal((await cache.keyFor(path.join(other, 'image.xml'), base)).key, baseKey);
    });

    it('includes the device identity and, on GPU, its architecture', async () => {
      const gpu = await cache.keyFor(image(), { ...base, device: 'GPU' });
      assert.ok(gpu.parts.device.fullName.length > 0);
      assert.ok(gpu.parts.device.architecture);
      const cpu = await cache.keyFor(image(), base);
      assert.equal(cpu.parts.device.architecture, undefined);
    });
  });

  describe('the switch', () => {
    it('enabled: false compiles without CACHE_DIR and creates nothing', async () => {
      const cache = new TrackedCache({ core, dir, enabled: false });
      const r = await compile(cache, mlp(), { device: 'CPU' });
      assert.equal(r.hit, false);
      assert.equal(r.cached, false);
      assert.equal(r.key, null);
      assert.equal(r.uncachedReason, 'disabled');
      assert.equal(fs.existsSync(dir), false);
      assert.equal(countEvents(stubLog, 'blob_write'), 0);
      assert.equal(cache.stats().uncached, 1);
    });

    for (const value of ['1', 'true', 'yes', 'YES']) {
      it(`OVCACHE_DISABLE=${value} switches it off, even over enabled: true`, async () => {
        const cache = new TrackedCache({ core, dir, enabled: true, env: { OVCACHE_DISABLE: value } });
        assert.equal(cache.enabled, false);
        assert.equal(cache.disabledBy, 'OVCACHE_DISABLE');
        await compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, 8, 8] } });
        assert.equal(fs.existsSync(dir), false);
      });
    }

    it('cache: false on one call leaves an existing folder untouched', async () => {
      const cache = new TrackedCache({ core, dir });
      await compile(cache, mlp(), { device: 'CPU' });
      await cache.flush();
      const before = snapshot(dir);
      const r = await compile(cache, mlp(), { device: 'CPU', cache: false });
      assert.equal(r.cached, false);
      assert.equal(r.uncachedReason, 'call');
      await compile(cache, image(), { device: 'CPU', cache: false, shapes: { image: [1, 3, 4, 4] } });
      await cache.flush();
      assert.deepEqual(snapshot(dir), before);
    });

    it('readOnly uses existing entries and writes nothing; a missing entry compiles without the cache', async () => {
      const writer = new TrackedCache({ core, dir });
      await compile(writer, mlp(), { device: 'CPU' });
      await writer.flush();
      const before = snapshot(dir);
      const reader = new TrackedCache({ core, dir, readOnly: true, touchIntervalMs: 0 });
      const hit = await compile(reader, mlp(), { device: 'CPU' });
      assert.equal(hit.hit, true);
      const miss = await compile(reader, image(), { device: 'CPU' });
      assert.equal(miss.hit, false);
      assert.equal(miss.cached, false);
      assert.equal(miss.uncachedReason, 'read-only-miss');
      await reader.flush();
      assert.deepEqual(snapshot(dir), before);
    });

    it('readOnly on a folder that does not exist creates nothing', async () => {
      const reader = new TrackedCache({ core, dir, readOnly: true });
      const r = await compile(reader, mlp(), { device: 'CPU' });
      assert.equal(r.uncachedReason, 'read-only-miss');
      assert.equal(fs.existsSync(dir), false);
    });
  });

  it('runs one compile for 100 concurrent compiles of one key', async () => {
    setEnv('OV_STUB_COMPILE_MS', '200');
    const cache = new TrackedCache({ core, dir });
    const results = await Promise.all(Array.from({ length: 100 }, () => compile(cache, mlp(), { device: 'CPU' })));
    assert.equal(countEvents(stubLog, 'compile'), 1);
    assert.equal(results.filter((r) => !r.hit).length, 1);
    assert.equal(new Set(results.map((r) => r.key)).size, 1);
    assert.equal(new Set(results.map((r) => r.compiled)).size, 100, 'each caller owns its compiled model');
    assert.equal(cache.stats().hits, 99);
  });

  it('shares one compile between concurrent calls with shapes too', async () => {
    setEnv('OV_STUB_COMPILE_MS', '100');
    const cache = new TrackedCache({ core, dir });
    await Promise.all(Array.from({ length: 10 }, () => compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, 16, 16] } })));
    assert.equal(countEvents(stubLog, 'compile'), 1);
  });

  it('compiles without the cache after a bounded wait for a stuck lock holder', async () => {
    const cache = new TrackedCache({ core, dir, lockTimeoutMs: 300 });
    const { key } = await cache.keyFor(mlp(), { device: 'CPU' });
    fs.mkdirSync(path.join(dir, 'locks'), { recursive: true });
    const held = await acquireLock(path.join(dir, 'locks', `${key}.lock`), { timeoutMs: 0, staleMs: 10_000 });
    const started = Date.now();
    const r = await compile(cache, mlp(), { device: 'CPU' });
    assert.ok(Date.now() - started < 30_000, 'bounded: an unbounded wait never returns (30 s, not 5: a loaded machine)');
    assert.equal(r.cached, false);
    assert.equal(r.uncachedReason, 'lock-timeout');
    assert.ok(r.timings.lockWaitMs >= 290);
    assert.equal(cache.stats().lockTimeouts, 1);
    await held.lock?.release();
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).cached, true);
  });

  it('recovers a stale lock left by a dead process', async () => {
    const cache = new TrackedCache({ core, dir, lockTimeoutMs: 5000 });
    const { key } = await cache.keyFor(mlp(), { device: 'CPU' });
    const lock = path.join(dir, 'locks', `${key}.lock`);
    fs.mkdirSync(lock, { recursive: true });
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, old, old);
    const r = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(r.cached, true);
    assert.equal(r.hit, false);
    assert.equal(fs.existsSync(lock), false);
  });

  it('keeps working when the whole folder is removed while it runs (ovcache clear)', async () => {
    const cache = new TrackedCache({ core, dir });
    await compile(cache, mlp(), { device: 'CPU' });
    fs.rmSync(dir, { recursive: true, force: true });
    const again = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(again.cached, true);
    assert.equal(again.hit, false);
    assert.ok(fs.existsSync(path.join(dir, 'CACHEDIR.TAG')));
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).hit, true);
  });

  it('treats a garbage manifest as an incomplete entry and repairs it', async () => {
    const cache = new TrackedCache({ core, dir });
    const first = await compile(cache, mlp(), { device: 'CPU' });
    fs.writeFileSync(path.join(first.entryDir as string, MANIFEST_FILE), '\0\0garbage');
    const again = await compile(cache, mlp(), { device: 'CPU' });
    // Files under no valid manifest are never adopted (compile-flow's fill): the blob is compiled again.
    assert.equal(again.hit, false, 'the blob under a garbage manifest was not loaded');
    assert.equal(again.cached, true);
    assert.equal((await readManifest(first.entryDir as string)).status, 'ok');
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).hit, true, 'repaired');
  });

  it('recompiles when the blob was deleted behind its back', async () => {
    const cache = new TrackedCache({ core, dir });
    const first = await compile(cache, mlp(), { device: 'CPU' });
    for (const f of fs.readdirSync(first.entryDir as string))
      if (f.endsWith('.blob')) fs.rmSync(path.join(first.entryDir as string, f), { force: true });
    const again = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(again.hit, false);
    assert.equal(again.cached, true);
    assert.equal(countEvents(stubLog, 'compile'), 2);
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).hit, true);
  });

  it('loads from the entry again after the .xml was touched (OpenVINO recompiles, the key stays)', async () => {
    const cache = new TrackedCache({ core, dir });
    const first = await compile(cache, mlp(), { device: 'CPU' });
    const future = new Date(Date.now() + 5000);
    fs.utimesSync(mlp(), future, future);
    const again = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(again.key, first.key);
    assert.equal(again.hit, false, 'OpenVINO checks the .xml mtime and recompiled');
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).hit, true);
  });

  it('compiles without the cache when OpenVINO cannot write the blob (full disk)', async () => {
    const cache = new TrackedCache({ core, dir });
    setEnv('OV_STUB_FAIL', 'write-enospc-fatal'); // OpenVINO before 2026.2: the compile fails
    const fatal = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(fatal.cached, false);
    assert.equal(fatal.uncachedReason, 'cache-write-failed');
    // No half-written entry stays behind: the entry's folder is gone.
    const entryDir = path.join(dir, 'entries', path.basename((await cache.keyFor(mlp(), { device: 'CPU' })).entryDir));
    assert.equal(fs.existsSync(entryDir), false);
    setEnv('OV_STUB_FAIL', 'write-enospc'); // 2026.2+: OpenVINO drops the blob and succeeds
    const dropped = await compile(cache, mlp(), { device: 'CPU' });
    assert.equal(dropped.cached, false);
    assert.equal(dropped.uncachedReason, 'cache-write-failed');
    assert.equal(dropped.entryDir, null);
    assert.equal(fs.existsSync(entryDir), false);
    setEnv('OV_STUB_FAIL', undefined);
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).hit, false, 'filled now');
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).hit, true);
  });

  it('emits hit, miss and compile events and counts time saved', async () => {
    // 1 s: saved = compile - the hit's load, and the bound below leaves 900 ms for a slow load on a
    // loaded machine (200 ms left 100 ms, a 2x margin).
    const setEnvCompile = '1000';
    setEnv('OV_STUB_COMPILE_MS', setEnvCompile);
    const cache = new TrackedCache({ core, dir });
    const events: Array<[string, CacheEvent]> = [];
    for (const name of ['hit', 'miss', 'compile'] as const) cache.on(name, (e) => events.push([name, e]));
    await compile(cache, mlp(), { device: 'CPU' });
    await compile(cache, mlp(), { device: 'CPU' });
    await compile(cache, mlp(), { device: 'CPU', cache: false });
    assert.deepEqual(
      events.map(([name]) => name),
      ['miss', 'compile', 'hit', 'compile'],
    );
    assert.ok(cache.stats().timeSavedMs > 100);
    assert.equal(cache.stats().compiles, 2);
  });

  it('counts and emits errors, and still throws them', async () => {
    const cache = new TrackedCache({ core, dir });
    const seen: unknown[] = [];
    cache.on('error', (e) => seen.push(e.error));
    await expectCode(cache.compile(path.join(models, 'missing.xml'), { device: 'CPU' }), 'OVCACHE_MODEL_NOT_FOUND');
    setEnv('OV_STUB_FAIL', 'compile');
    await assert.rejects(cache.compile(mlp(), { device: 'CPU' }), (e: { code?: string }) => e.code === 'OV_GENERAL_ERROR');
    assert.equal(seen.length, 2);
    assert.equal(cache.stats().errors, 2);
    setEnv('OV_STUB_FAIL', undefined);
    assert.equal((await compile(cache, mlp(), { device: 'CPU' })).hit, false);
  });

  it('explains a key: its parts, its entry, and how it differs from the same model’s other entries', async () => {
    const cache = new TrackedCache({ core, dir });
    const a = await compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, 64, 64] } });
    const b = await compile(cache, image(), { device: 'CPU', shapes: { image: [1, 3, 32, 64] } });
    const explained = await cache.explain((b.key as string).slice(0, 10));
    assert.equal(explained.key, b.key);
    assert.equal(explained.status, 'complete');
    assert.ok(explained.lines.some((l) => l.includes('[1,3,32,64]')));
    assert.equal(explained.similar[0]?.key, a.key);
    assert.deepEqual(
      explained.similar[0]?.differences.map((d) => d.part),
      ['inputs.image.shape'],
    );
    await expectCode(cache.explain('0123456789'), 'OVCACHE_ENTRY_NOT_FOUND');
    await expectCode(cache.explain('xyz'), 'OVCACHE_INVALID_ARGUMENT');
  });

  it('works with a runtime instead of a core, and disposes the core it made', async () => {
    const cache = new TrackedCache({ runtime: ov, dir });
    const r = await cache.compile(mlp(), { device: 'CPU' });
    r.compiled.dispose();
    const own = cache.core;
    await cache.dispose();
    assert.equal(own.disposed, true);
    await expectCode(cache.compile(mlp(), { device: 'CPU' }), 'OVCACHE_DISPOSED');
  });

  describe('options', () => {
    it('hint at a misspelled option', async () => {
      await expectCode(
        () => new TrackedCache({ core, dir, enabeld: false } as never),
        'OVCACHE_UNKNOWN_OPTION',
        /Unknown option "enabeld" for new ModelCache\(\): did you mean "enabled"\?/,
      );
      const cache = new TrackedCache({ core, dir });
      await expectCode(cache.compile(mlp(), { device: 'CPU', shape: {} } as never), 'OVCACHE_UNKNOWN_OPTION', /did you mean "shapes"\?/);
    });

    it('reject bad values with the standard message', async () => {
      await expectCode(
        () => new TrackedCache({ core, dir, readOnly: 'yes' } as never),
        'OVCACHE_INVALID_ARGUMENT',
        'Expected a boolean for options.readOnly but received "yes" of type string',
      );
      await expectCode(() => new TrackedCache({ dir }), 'OVCACHE_INVALID_ARGUMENT', /options\.core or options\.runtime/);
      await expectCode(
        () => new TrackedCache({ core, staleLockMs: 10 }),
        'OVCACHE_INVALID_ARGUMENT',
        'Expected an integer between 2000 and 2147483647 for options.staleLockMs but received 10 of type number',
      );
      const cache = new TrackedCache({ core, dir });
      await expectCode(
        cache.compile(mlp(), { device: 'CPU', config: { CACHE_DIR: '/x' } }),
        'OVCACHE_INVALID_ARGUMENT',
        /CACHE_DIR is chosen by ModelCache/,
      );
      await expectCode(
        cache.compile(42 as never, { device: 'CPU' }),
        'OVCACHE_INVALID_ARGUMENT',
        'Expected a model path (.xml) or a Model for model but received 42 of type number',
      );
    });

    it('default the folder to OVCACHE_DIR', () => {
      const cache = new TrackedCache({ core, env: { OVCACHE_DIR: path.join(tmp, 'from-env') } });
      assert.equal(cache.dir, path.join(tmp, 'from-env'));
      assert.equal(fs.existsSync(cache.dir), false, 'nothing is created before the first compile');
    });
  });

  it('reports every stand-in event with this pid', () => {
    // Sanity check of the log the counting tests rely on.
    for (const e of readStubLog(stubLog)) assert.equal(e.pid, process.pid);
  });
});
