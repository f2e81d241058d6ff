// registry.infer(): the pool of infer requests, its queue, AbortSignal, priorities, batches
// with progress, the result cache, and the stand-in's timing of parallel inferences.
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelCache } from '../../lib/index';
import { loadOpenVINO, ResultCache, type Core } from '../../lib/index';
import { ModelRegistry, type RegistryInferEvent, type ResultCacheLike, type ResultCacheValue } from '../../lib/registry/index';
import { mlpReference, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { expectCode, readStubLog } from '../cache/helpers';
import { fake, fakeLoader, input, writeModelFiles } from './helpers';

/** Most intervals [start, start + ms) open at one instant. */
function maxOverlap(intervals: Array<{ start: number; ms: number }>): number {
  const edges = intervals.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.start + i.ms, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (open += e.d));
  return max;
}

describe('ModelRegistry.infer', () => {
  let tmp: string;
  let files: string[];
  beforeEach(() => {
    tmp = makeTempDir();
    files = writeModelFiles(tmp);
  });
  afterEach(() => removeDir(tmp));

  it('sizes the pool from OPTIMAL_NUMBER_OF_INFER_REQUESTS, or from inferRequests', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader });
    await registry.infer(files[0]!, input(1), { device: 'CPU' });
    assert.equal(registry.stats().models[0]?.inferRequests, 2);
    const fixed = new ModelRegistry({ loader: fakeLoader().loader, inferRequests: 3 });
    await fixed.infer(files[0]!, input(1), { device: 'CPU' });
    assert.equal(fixed.stats().models[0]?.inferRequests, 3);
    await expectCode(
      () => new ModelRegistry({ loader: fakeLoader().loader, inferRequests: 0 }),
      'OVCACHE_INVALID_ARGUMENT',
      /inferRequests/,
    );
    await Promise.all([registry.dispose(), fixed.dispose()]);
  });

  it('runs at most pool-size inferences at once, the rest in order of arrival, higher priority first', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, inferRequests: 2 });
    const model = fake(await registry.get(files[0]!, { device: 'CPU' }));
    const runs = [1, 2, 3, 4, 5].map((v) => registry.infer(files[0]!, input(v), { device: 'CPU' }));
    const urgent = registry.infer(files[0]!, input(9), { device: 'CPU', priority: 10 });
    await sleep(1);
    assert.deepEqual([registry.stats().models[0]?.inFlight, registry.stats().models[0]?.queueDepth], [2, 4]);
    const outs = await Promise.all([...runs, urgent]);
    assert.deepEqual(
      outs.map((o) => o.output?.data[0]),
      [2, 4, 6, 8, 10, 18],
    );
    assert.equal(model.runs.maxRunning, 2);
    assert.deepEqual(model.runs.order.slice(2), [9, 3, 4, 5], 'the urgent one jumps the queue');
    assert.equal(model.requests.length, 2);
    await registry.dispose();
  });

  it('answers OVCACHE_QUEUE_FULL at once when maxQueue callers already wait', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, inferRequests: 1, maxQueue: 2 });
    const model = fake(await registry.get(files[0]!, { device: 'CPU' }));
    model.inferMs = 200;
    const events: RegistryInferEvent[] = [];
    registry.on('infer', (e) => events.push(e));
    const accepted = [1, 2, 3].map((v) => registry.infer(files[0]!, input(v), { device: 'CPU' }));
    await sleep(1);
    const started = Date.now();
    await expectCode(registry.infer(files[0]!, input(4), { device: 'CPU' }), 'OVCACHE_QUEUE_FULL', /2 waiting; option maxQueue/);
    assert.ok(Date.now() - started < 150, 'answered before the running inference ended');
    assert.equal((await Promise.all(accepted)).length, 3);
    assert.equal(registry.stats().queueFull, 1);
    assert.deepEqual(events.map((e) => e.outcome).sort(), ['inferred', 'inferred', 'inferred', 'queue-full']);
    assert.ok(events.every((e) => e.queuedMs >= 0 && e.inferMs >= 0));
    await registry.dispose();
  });

  it('an aborted queue wait rejects with the reason at once and leaves the queue consistent', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, inferRequests: 1 });
    const model = fake(await registry.get(files[0]!, { device: 'CPU' }));
    model.inferMs = 200;
    const first = registry.infer(files[0]!, input(1), { device: 'CPU' });
    let firstEnded = false; // the order of events, not a latency: the machine's speed cannot flake it
    void first.then(
      () => (firstEnded = true),
      () => (firstEnded = true),
    );
    const controller = new AbortController();
    const waiting = registry.infer(files[0]!, input(2), { device: 'CPU', signal: controller.signal });
    const third = registry.infer(files[0]!, input(3), { device: 'CPU' });
    await sleep(10);
    assert.equal(registry.stats().models[0]?.queueDepth, 2);
    controller.abort(new Error('request cancelled'));
    await assert.rejects(waiting, /request cancelled/);
    assert.equal(firstEnded, false, 'rejected at once, before the running inference ended');
    assert.equal(registry.stats().models[0]?.queueDepth, 1);
    await Promise.all([first, third]);
    assert.deepEqual(model.runs.order, [1, 3], 'the aborted one never ran');
    assert.equal(registry.stats().aborted, 1);
    assert.equal(registry.list()[0]?.handles, 0);
    await registry.dispose();
  });

  it('inferBatch returns results in input order and reports done/total', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, inferRequests: 3 });
    const progress: string[] = [];
    const outs = await registry.inferBatch(files[0]!, [1, 2, 3, 4, 5, 6, 7].map(input), {
      device: 'CPU',
      onProgress: ({ done, total }) => progress.push(`${done}/${total}`),
    });
    assert.deepEqual(
      outs.map((o) => o.output?.data[0]),
      [2, 4, 6, 8, 10, 12, 14],
    );
    assert.deepEqual(progress, ['0/7', '1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7']);
    assert.ok(fake(await registry.get(files[0]!, { device: 'CPU' })).runs.maxRunning <= 3);
    await expectCode(registry.inferBatch(files[0]!, 'x' as never, { device: 'CPU' }), 'OVCACHE_INVALID_ARGUMENT', /array of inputs/);
    await registry.dispose();
  });

  it('consults the result cache through getOrCompute, keyed by the loaded model key', async () => {
    const store = new Map<string, ResultCacheValue>();
    const seen: string[] = [];
    const resultCache: ResultCacheLike = {
      async getOrCompute(parts, compute, options) {
        const key = JSON.stringify({ model: parts.model, params: parts.params, input: [...(parts.inputs?.input as Float32Array)] });
        seen.push(parts.model);
        if (options?.cacheable === false) return { value: await compute(), outcome: 'bypass', key };
        const hit = store.get(key);
        if (hit) return { value: hit, outcome: 'hit', key };
        const value = await compute();
        store.set(key, value);
        return { value, outcome: 'miss', key };
      },
    };
    const registry = new ModelRegistry({ loader: fakeLoader().loader, resultCache });
    const outcomes: string[] = [];
    registry.on('infer', (e) => outcomes.push(e.outcome));
    const model = fake(await registry.get(files[0]!, { device: 'CPU' }));
    const a = await registry.infer(files[0]!, new Float32Array(4).fill(5), { device: 'CPU' }); // data alone: the one input
    const b = await registry.infer(files[0]!, input(5), { device: 'CPU' });
    await registry.infer(files[0]!, input(5), { device: 'CPU', params: { t: 1 } });
    await registry.infer(files[0]!, input(5), { device: 'CPU', cacheable: false });
    assert.deepEqual(outcomes, ['miss', 'hit', 'miss', 'bypass']);
    assert.deepEqual(a, b);
    assert.equal(model.runs.order.length, 3, 'the hit ran no inference');
    assert.ok(seen.every((m) => m === 'k'.repeat(64)));
    assert.equal(registry.stats().resultHits, 1);
    await registry.dispose();
  });

  it('inferWithMeta tells each caller what answered it, also under concurrency (hit, miss, bypass, off)', async () => {
    const store = new Map<string, ResultCacheValue>();
    const resultCache: ResultCacheLike = {
      async getOrCompute(parts, compute, options) {
        const key = String((parts.inputs?.input as Float32Array)[0]);
        if (options?.cacheable === false) return { value: await compute(), outcome: 'bypass', key };
        const hit = store.get(key);
        if (hit) return { value: hit, outcome: 'hit', key };
        const value = await compute();
        store.set(key, value);
        return { value, outcome: 'miss', key };
      },
    };
    const registry = new ModelRegistry({ loader: fakeLoader().loader, resultCache });
    await registry.infer(files[0]!, input(1), { device: 'CPU' }); // 1 is now cached
    // Interleaved: hits and misses run at once; each caller gets its own answer, not the last event's.
    const calls = [1, 2, 1, 3, 1].map((v) => registry.inferWithMeta(files[0]!, input(v), { device: 'CPU' }));
    const metas = (await Promise.all(calls)).map((r) => r.meta.resultCache);
    assert.deepEqual(metas, ['hit', 'miss', 'hit', 'miss', 'hit']);
    const hit = await registry.inferWithMeta(files[0]!, input(1), { device: 'CPU' });
    assert.equal(hit.meta.inferMs, 0, 'a hit ran no inference');
    const bypass = await registry.inferWithMeta(files[0]!, input(1), { device: 'CPU', cacheable: false });
    assert.equal(bypass.meta.resultCache, 'bypass');
    assert.deepEqual(bypass.outputs, hit.outputs);
    const handle = await registry.acquire(files[0]!, { device: 'CPU' });
    assert.equal((await handle.inferWithMeta(input(4))).meta.resultCache, 'miss');
    handle.release();
    await registry.dispose();
    const plain = new ModelRegistry({ loader: fakeLoader().loader });
    const off = await plain.inferWithMeta(files[0]!, input(1), { device: 'CPU' });
    assert.equal(off.meta.resultCache, 'off');
    assert.ok(off.meta.inferMs >= 0 && off.meta.queuedMs >= 0);
    await expectCode(
      plain.inferWithMeta(files[0]!, input(1), { device: 'CPU', bogus: 1 } as never),
      'OVCACHE_UNKNOWN_OPTION',
      /inferWithMeta/,
    );
    await plain.dispose();
  });

  describe('on the stand-in runtime', () => {
    let core: Core;
    let previous: Record<string, string | undefined>;
    before(async () => {
      core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
    });
    after(() => core.dispose());
    beforeEach(() => {
      previous = { OV_STUB_INFER_MS: process.env.OV_STUB_INFER_MS, OV_STUB_LOG: process.env.OV_STUB_LOG };
    });
    afterEach(() => {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    it('consults the real ResultCache: a miss runs the model, the same input again is a hit', async () => {
      const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
      const results = new ResultCache({ dir: path.join(tmp, 'results') });
      const registry = new ModelRegistry({
        cache,
        resultCache: results,
        models: { mlp: { model: writeMlp(path.join(tmp, 'm')).xml, device: 'CPU' } },
      });
      const events: RegistryInferEvent[] = [];
      registry.on('infer', (e) => events.push(e));
      const x = new Float32Array(16).fill(0.25);
      const first = await registry.infer('mlp', { input: x }, { params: { v: 1 } });
      const second = await registry.infer('mlp', { input: x }, { params: { v: 1 } });
      assert.deepEqual(
        events.map((e) => e.outcome),
        ['miss', 'hit'],
      );
      const a = Object.values(first)[0]?.data as Float32Array;
      const b = Object.values(second)[0]?.data as Float32Array;
      assert.deepEqual([...b], [...a]);
      assert.ok(Math.abs(a[0]! - mlpReference(x)[0]!) < 1e-4);
      assert.equal(results.stats().hits, 1);
      await registry.dispose();
      await results.close();
      await cache.dispose();
    });

    it("one caller's abort ends only its own wait: a caller joined to the same input still gets the result", async () => {
      const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
      const results = new ResultCache({ dir: path.join(tmp, 'results') });
      const registry = new ModelRegistry({
        cache,
        resultCache: results,
        models: { mlp: { model: writeMlp(path.join(tmp, 'm')).xml, device: 'CPU' } },
      });
      await registry.infer('mlp', { input: new Float32Array(16).fill(9) }); // load the model
      process.env.OV_STUB_INFER_MS = '300';
      const x = new Float32Array(16).fill(0.5);
      const a = new AbortController();
      const b = new AbortController();
      const first = registry.inferWithMeta('mlp', { input: x }, { signal: a.signal });
      const second = registry.inferWithMeta('mlp', { input: x }, { signal: b.signal });
      const reason = new Error('client A went away');
      setTimeout(() => a.abort(reason), 50);
      const [ra, rb] = await Promise.allSettled([first, second]);
      assert.ok(ra.status === 'rejected');
      assert.equal(ra.reason, reason);
      assert.equal(rb.status, 'fulfilled', `B rejected with ${String((rb as PromiseRejectedResult).reason)}`);
      const out = Object.values(rb.value.outputs)[0]?.data as Float32Array;
      assert.ok(Math.abs(out[0]! - mlpReference(x)[0]!) < 1e-4);
      // The shared compute went on and stored its result: the same input is now a hit.
      assert.equal((await registry.inferWithMeta('mlp', { input: x })).meta.resultCache, 'hit');
      // When every waiter aborts, each rejects with its own reason.
      const y = new Float32Array(16).fill(0.75);
      const c = new AbortController();
      const d = new AbortController();
      const third = registry.inferWithMeta('mlp', { input: y }, { signal: c.signal });
      const fourth = registry.inferWithMeta('mlp', { input: y }, { signal: d.signal });
      const reasons = [new Error('C went away'), new Error('D went away')];
      setTimeout(() => c.abort(reasons[0]), 30);
      setTimeout(() => d.abort(reasons[1]), 60);
      const settled = await Promise.allSettled([third, fourth]);
      assert.deepEqual(
        settled.map((s): unknown => (s.status === 'rejected' ? s.reason : s.status)),
        reasons,
      );
      await registry.dispose();
      await results.close();
      await cache.dispose();
    });

    it('a pool of 4 on 100 ms inferences runs 16 requests four at a time, with real results', async () => {
      const log = path.join(tmp, 'stub.log');
      process.env.OV_STUB_LOG = log;
      const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
      const registry = new ModelRegistry({ cache, models: { mlp: { model: writeMlp(path.join(tmp, 'm')).xml, device: 'CPU' } } });
      await registry.infer('mlp', new Float32Array(16));
      assert.equal(registry.stats().models[0]?.inferRequests, 1, 'OPTIMAL_NUMBER_OF_INFER_REQUESTS of a LATENCY model');
      process.env.OV_STUB_INFER_MS = '100';
      const fixed = new ModelRegistry({
        cache,
        inferRequests: 4,
        models: { mlp: { model: path.join(tmp, 'm', 'mlp.xml'), device: 'CPU' } },
      });
      const inputs = Array.from({ length: 16 }, (_, i) => new Float32Array(16).fill(i / 16));
      const started = Date.now();
      const outs = await Promise.all(inputs.map((x) => fixed.infer('mlp', { input: x })));
      const wall = Date.now() - started;
      outs.forEach((o, i) => {
        const expected = mlpReference(inputs[i]!);
        const got = Object.values(o)[0]?.data as Float32Array;
        assert.ok(Math.abs(got[0]! - expected[0]!) < 1e-4, `output ${i}`);
      });
      const infers = readStubLog(log).filter((e) => e.event === 'infer') as unknown as Array<{ start: number; ms: number }>;
      assert.equal(infers.length, 16);
      const overlap = maxOverlap(infers);
      console.log(`      16 x 100 ms on a pool of 4: ${wall} ms wall, up to ${overlap} at once (stand-in)`);
      // The overlap in the stand-in's log proves the pool runs requests at once; the wall time
      // depends on the machine's load, so it is printed, never asserted.
      assert.ok(overlap >= 2 && overlap <= 4, `${overlap} inferences overlapped`);
      await Promise.all([registry.dispose(), fixed.dispose()]);
      await cache.dispose();
    });
  });
});
