import assert from 'node:assert/strict';
import util from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { ModelCache, ModelRegistry, type ModelRegistryOptions, type RegistryLoadEvent, type RegistryUnloadEvent } from '../../lib/index';
import { loadOpenVINO, type RuntimeCompiledModel } from '../../lib/index';
import { mlpReference, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { countEvents, expectCode } from '../cache/helpers';
import { loadDebug } from '../../lib/log';
import { FakeCompiled, fakeLoader, writeModelFiles } from './helpers';

/** ovcache's `debug`, loaded (the package loads it only when the environment asks for logs). */
const createDebug = loadDebug();

describe('ModelRegistry', () => {
  let tmp: string;
  let files: string[];
  beforeEach(() => {
    tmp = makeTempDir();
    files = writeModelFiles(tmp);
  });
  afterEach(() => removeDir(tmp));

  it('loads once and shares the compiled model', async () => {
    const { loader, calls } = fakeLoader();
    const registry = new ModelRegistry({ loader });
    const m1 = await registry.get(files[0]!, { device: 'CPU' });
    const m2 = await registry.get(files[0]!, { device: 'CPU' });
    assert.equal(m1, m2);
    assert.equal(calls.length, 1);
    assert.equal(registry.stats().reuses, 1);
  });

  it('shares one load between concurrent gets', async () => {
    const { loader, calls } = fakeLoader(50);
    const registry = new ModelRegistry({ loader });
    const models = await Promise.all(Array.from({ length: 20 }, () => registry.get(files[0]!, { device: 'CPU' })));
    assert.equal(new Set(models).size, 1);
    assert.equal(calls.length, 1);
  });

  it('keeps different devices, shapes and configs apart, and equal spellings together', async () => {
    const { loader, calls } = fakeLoader();
    const registry = new ModelRegistry({ loader });
    await registry.get(files[0]!, { device: 'CPU' });
    await registry.get(files[0]!, { device: 'GPU' });
    await registry.get(files[0]!, { device: 'CPU', shapes: { x: [1, 2] } });
    await registry.get(files[0]!, { device: 'CPU', shapes: { x: '1,2' } });
    await registry.get(files[0]!, { device: 'CPU', config: { PERFORMANCE_HINT: 'LATENCY', NUM_STREAMS: 2 } });
    await registry.get(files[0]!, { device: 'CPU', config: { NUM_STREAMS: '2', PERFORMANCE_HINT: 'latency' } as never });
    assert.equal(calls.length, 4);
  });

  it('unloads the least recently used past maxModels and disposes it', async () => {
    const { loader } = fakeLoader();
    const unloads: RegistryUnloadEvent[] = [];
    const registry = new ModelRegistry({ loader, maxModels: 2 });
    registry.on('unload', (e) => unloads.push(e));
    const a = (await registry.get(files[0]!, { device: 'CPU' })) as unknown as FakeCompiled;
    await registry.get(files[1]!, { device: 'CPU' });
    await registry.get(files[0]!, { device: 'CPU' }); // a is now the most recent
    await registry.get(files[2]!, { device: 'CPU' }); // b goes
    assert.deepEqual(
      unloads.map((u) => [path.basename(u.model), u.reason]),
      [['b.xml', 'lru']],
    );
    assert.equal(a.disposed, false);
    assert.deepEqual(
      registry.list().map((e) => path.basename(e.model)),
      ['a.xml', 'c.xml'],
    );
  });

  it('unloads past a memory budget, estimated from the model files by default', async () => {
    const { loader } = fakeLoader();
    const registry = new ModelRegistry({ loader, maxBytes: 250 });
    for (const f of files.slice(0, 3)) await registry.get(f, { device: 'CPU' });
    assert.equal(registry.size, 2);
    assert.ok(registry.stats().bytes <= 250);
    const custom = new ModelRegistry({ loader, maxBytes: 1000, estimateBytes: () => 600 });
    await custom.get(files[0]!, { device: 'CPU' });
    await custom.get(files[1]!, { device: 'CPU' });
    assert.equal(custom.size, 1, 'the model just loaded stays even when alone over budget');
  });

  it('does not dispose a model in use; disposes it when use() ends', async () => {
    const { loader } = fakeLoader();
    const registry = new ModelRegistry({ loader, maxModels: 1 });
    let inside: FakeCompiled | undefined;
    await registry.use(files[0]!, { device: 'CPU' }, async (compiled) => {
      inside = compiled as unknown as FakeCompiled;
      await registry.get(files[1]!, { device: 'CPU' }); // evicts a while pinned
      assert.equal(inside.disposed, false);
    });
    assert.equal(inside?.disposed, true);
  });

  it('reports each load as a miss, a cache hit, or a reuse, with times', async () => {
    const { loader } = fakeLoader();
    const registry = new ModelRegistry({ loader });
    const events: RegistryLoadEvent[] = [];
    registry.on('load', (e) => events.push(e));
    await registry.get(files[0]!, { device: 'CPU' });
    await registry.get(files[1]!, { device: 'CPU' });
    await registry.get(files[1]!, { device: 'CPU' });
    assert.deepEqual(
      events.map((e) => e.outcome),
      ['miss', 'hit', 'reuse'],
    );
    assert.ok(events.every((e) => e.ms >= 0));
    const stats = registry.stats();
    assert.deepEqual([stats.loads, stats.cacheMisses, stats.cacheHits, stats.reuses], [2, 1, 1, 1]);
  });

  it('logs loading, loaded and already loaded under ovcache:registry', async () => {
    const lines: string[] = [];
    const previousLog = createDebug.log;
    const previous = createDebug.disable();
    createDebug.enable('ovcache:registry');
    createDebug.log = (...args: unknown[]) => void lines.push(util.format(...args));
    try {
      const registry = new ModelRegistry({ loader: fakeLoader().loader });
      await registry.get(files[0]!, { device: 'CPU' });
      await registry.get(files[0]!, { device: 'CPU' });
    } finally {
      createDebug.log = previousLog;
      createDebug.disable();
      if (previous) createDebug.enable(previous);
    }
    assert.ok(lines.some((l) => l.includes('loading a.xml on CPU...')));
    assert.ok(lines.some((l) => /loaded a\.xml on CPU in [\d.]+ ms \(cache miss, compiled\)/.test(l)));
    assert.ok(lines.some((l) => l.includes('already loaded a.xml on CPU')));
  });

  it('reloads a model whose files changed on disk (checked on every call with an interval of 0)', async () => {
    const { loader, calls } = fakeLoader();
    const registry = new ModelRegistry({ loader, checkFilesInterval: 0 });
    const first = (await registry.get(files[0]!, { device: 'CPU' })) as unknown as FakeCompiled;
    fs.writeFileSync(files[0]!.replace(/\.xml$/, '.bin'), Buffer.alloc(100, 1));
    const second = await registry.get(files[0]!, { device: 'CPU' });
    assert.notEqual(second, first);
    assert.equal(first.disposed, true);
    assert.equal(calls.length, 2);
  });

  it('checks the model files at most once per checkFilesInterval', async () => {
    const { loader, calls } = fakeLoader();
    const slow = new ModelRegistry({ loader, checkFilesInterval: '1h' });
    const first = await slow.get(files[0]!, { device: 'CPU' });
    fs.writeFileSync(files[0]!.replace(/\.xml$/, '.bin'), Buffer.alloc(100, 1));
    assert.equal(await slow.get(files[0]!, { device: 'CPU' }), first, 'not checked again within the hour');
    const quick = new ModelRegistry({ loader, checkFilesInterval: 30 });
    const before = await quick.get(files[1]!, { device: 'CPU' });
    fs.writeFileSync(files[1]!.replace(/\.xml$/, '.bin'), Buffer.alloc(100, 1));
    await new Promise((r) => setTimeout(r, 40));
    assert.notEqual(await quick.get(files[1]!, { device: 'CPU' }), before, 'checked once the interval passed');
    assert.equal(calls.length, 3);
    await Promise.all([slow.dispose(), quick.dispose()]);
  });

  it('checks the serving options', async () => {
    const { loader } = fakeLoader();
    await expectCode(() => new ModelRegistry({ loader, maxQueue: -1 }), 'OVCACHE_INVALID_ARGUMENT', /options\.maxQueue/);
    await expectCode(() => new ModelRegistry({ loader, checkFilesInterval: 'often' }), 'OVCACHE_BAD_DURATION', /checkFilesInterval/);
    await expectCode(() => new ModelRegistry({ loader, resultCache: {} as never }), 'OVCACHE_INVALID_ARGUMENT', /getOrCompute/);
    await expectCode(
      () => new ModelRegistry({ loader, models: { m: { model: files[0]!, pinned: 'yes' as never } } }),
      'OVCACHE_INVALID_ARGUMENT',
      /models\.m\.pinned/,
    );
    const registry = new ModelRegistry({ loader });
    await expectCode(
      registry.infer(files[0]!, new Float32Array(4), { device: 'CPU', prioirty: 1 } as never),
      'OVCACHE_UNKNOWN_OPTION',
      /did you mean "priority"\?/,
    );
    await expectCode(
      registry.infer(files[0]!, new Float32Array(4), { device: 'CPU', priority: NaN }),
      'OVCACHE_INVALID_ARGUMENT',
      /options\.priority/,
    );
    await expectCode(registry.get(files[0]!, { device: 'CPU', keepAlive: 'later' }), 'OVCACHE_BAD_DURATION', /options\.keepAlive/);
    await expectCode(
      registry.inferBatch(files[0]!, [], { device: 'CPU', onProgress: 1 as never }),
      'OVCACHE_INVALID_ARGUMENT',
      /onProgress/,
    );
    assert.equal(registry.size, 0, 'bad calls load nothing');
  });

  it('named models, unload, clear and dispose', async () => {
    const { loader, calls } = fakeLoader();
    const registry = new ModelRegistry({
      loader,
      models: { classifier: { model: files[0]!, device: 'CPU', config: { PERFORMANCE_HINT: 'LATENCY' } } },
    });
    const a = (await registry.get('classifier')) as unknown as FakeCompiled;
    assert.equal(calls[0]?.model, files[0]);
    const { signal, ...options } = calls[0]?.options ?? {};
    assert.deepEqual(options, { device: 'CPU', config: { PERFORMANCE_HINT: 'LATENCY' } });
    assert.ok(signal instanceof AbortSignal, 'the load gets a signal for its compile');
    assert.equal(registry.has('classifier'), true);
    assert.equal(await registry.unload('classifier'), true);
    assert.equal(a.disposed, true);
    assert.equal(await registry.unload('classifier'), false);
    const b = (await registry.get(files[1]!, { device: 'CPU' })) as unknown as FakeCompiled;
    await registry.clear();
    assert.equal(b.disposed, true);
    assert.equal(registry.size, 0);
    await registry.dispose();
    await expectCode(registry.get(files[1]!, { device: 'CPU' }), 'OVCACHE_DISPOSED');
  });

  it('forgets a failed load so the next get retries', async () => {
    let fail = true;
    const registry = new ModelRegistry({
      loader: (model) => {
        if (fail) return Promise.reject(new Error('boom'));
        return Promise.resolve({
          compiled: new FakeCompiled(model) as unknown as RuntimeCompiledModel,
          hit: false,
          cached: false,
          key: null,
        });
      },
    });
    await assert.rejects(registry.get(files[0]!, { device: 'CPU' }), /boom/);
    assert.equal(registry.size, 0);
    fail = false;
    assert.ok(await registry.get(files[0]!, { device: 'CPU' }));
  });

  it('checks its options', async () => {
    await expectCode(
      () => new ModelRegistry(JSON.parse('{}') as ModelRegistryOptions),
      'OVCACHE_INVALID_ARGUMENT',
      /options\.cache or options\.loader/,
    );
    await expectCode(
      () => new ModelRegistry({ loader: fakeLoader().loader, maxModel: 2 } as never),
      'OVCACHE_UNKNOWN_OPTION',
      /did you mean "maxModels"\?/,
    );
    await expectCode(
      () => new ModelRegistry({ loader: fakeLoader().loader, maxModels: 0 }),
      'OVCACHE_INVALID_ARGUMENT',
      'Expected an integer >= 1 for options.maxModels but received 0 of type number',
    );
    const registry = new ModelRegistry({ loader: fakeLoader().loader });
    await expectCode(registry.get(files[0]!), 'OVCACHE_INVALID_ARGUMENT', /options\.device/);
  });

  it('loads through a real ModelCache: a miss, then a reuse, then a cache hit after unloading', async () => {
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const core = ov.createCore();
    const stubLog = path.join(tmp, 'stub.log');
    const previous = process.env.OV_STUB_LOG;
    process.env.OV_STUB_LOG = stubLog;
    try {
      const mlp = writeMlp(path.join(tmp, 'm')).xml;
      const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
      const registry = new ModelRegistry({ cache });
      const events: string[] = [];
      registry.on('load', (e) => events.push(e.outcome));
      const [m1, m2] = await Promise.all([registry.get(mlp, { device: 'CPU' }), registry.get(mlp, { device: 'CPU' })]);
      assert.equal(m1, m2);
      const request = m1.createInferRequest();
      const out = await request.infer({ input: new Float32Array(16).fill(1) });
      request.dispose();
      const expected = mlpReference(new Float32Array(16).fill(1));
      assert.ok(Math.abs((Object.values(out)[0]!.data as Float32Array)[0]! - expected[0]!) < 1e-4);
      await registry.unload(mlp, { device: 'CPU' });
      assert.equal(m1.disposed, true);
      await registry.get(mlp, { device: 'CPU' });
      assert.deepEqual(events, ['miss', 'reuse', 'hit']);
      assert.equal(countEvents(stubLog, 'compile'), 1);
      await registry.dispose();
      await cache.dispose();
    } finally {
      if (previous === undefined) delete process.env.OV_STUB_LOG;
      else process.env.OV_STUB_LOG = previous;
      core.dispose();
    }
  });
});
