// Keep-alive, pinning and handles: what unloads a model, what does not, and what waits.
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelRegistry, type RegistryUnloadEvent } from '../../lib/registry/index';
import { parseKeepAlive } from '../../lib/registry/keep-alive';
import { makeTempDir, removeDir } from '../helpers/paths';
import { expectCode } from '../cache/helpers';
import { fake, fakeLoader, input, nextEvent, writeModelFiles } from './helpers';

describe('ModelRegistry keep-alive, pinning and handles', () => {
  let tmp: string;
  let files: string[];
  beforeEach(() => {
    tmp = makeTempDir();
    files = writeModelFiles(tmp);
  });
  afterEach(() => removeDir(tmp));

  const unloadsOf = (registry: ModelRegistry) => {
    const unloads: RegistryUnloadEvent[] = [];
    registry.on('unload', (e) => unloads.push(e));
    return unloads;
  };

  it('reads keep-alive values as Ollama does', async () => {
    assert.equal(parseKeepAlive('5m', 'k'), 300_000);
    assert.equal(parseKeepAlive(1500, 'k'), 1500);
    assert.equal(parseKeepAlive(0, 'k'), 0);
    assert.equal(parseKeepAlive(-1, 'k'), Infinity);
    assert.equal(parseKeepAlive('-1', 'k'), Infinity);
    await expectCode(() => parseKeepAlive('soon', 'options.keepAlive'), 'OVCACHE_BAD_DURATION', /options\.keepAlive/);
    await expectCode(() => new ModelRegistry({ loader: fakeLoader().loader, keepAlive: NaN }), 'OVCACHE_BAD_DURATION');
    const registry = new ModelRegistry({ loader: fakeLoader().loader });
    await registry.get(files[0]!, { device: 'CPU' });
    assert.equal(registry.list()[0]?.keepAliveMs, 300_000, 'the default is 5 minutes');
  });

  it('unloads and disposes a model idle past its keep-alive', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, keepAlive: 30 });
    const unloaded = nextEvent<RegistryUnloadEvent>(registry, 'unload');
    const compiled = fake(await registry.get(files[0]!, { device: 'CPU' }));
    const event = await unloaded;
    assert.equal(event.reason, 'idle');
    assert.equal(compiled.disposed, true);
    assert.equal(registry.size, 0);
  });

  it('keepAlive 0 unloads right after the request; a per-call keepAlive overrides the default', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, keepAlive: '1h' });
    const unloads = unloadsOf(registry);
    const out = await registry.infer(files[0]!, input(1), { device: 'CPU', keepAlive: 0 });
    assert.deepEqual([...(out.output?.data as Float32Array)], [2, 2, 2, 2]);
    await sleep(5);
    assert.deepEqual(
      unloads.map((u) => u.reason),
      ['idle'],
    );
    await registry.get(files[1]!, { device: 'CPU' });
    await sleep(20);
    assert.equal(registry.has(files[1]!, { device: 'CPU' }), true, 'the registry default (1 h) still applies');
    await registry.dispose();
  });

  it('a held model is not unloaded while held; the idle clock starts at release', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, keepAlive: 0 });
    const unloads = unloadsOf(registry);
    const handle = await registry.acquire(files[0]!, { device: 'CPU' });
    const compiled = fake(handle.compiled);
    await sleep(20);
    assert.equal(unloads.length, 0);
    assert.equal(registry.list()[0]?.handles, 1);
    handle.release();
    handle.release(); // idempotent
    await sleep(5);
    assert.deepEqual(
      unloads.map((u) => u.reason),
      ['idle'],
    );
    assert.equal(compiled.disposed, true);
    await expectCode(handle.infer(input(1)), 'OVCACHE_DISPOSED', /released/);
  });

  it('await using releases the handle at the end of the block', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader });
    {
      await using m = await registry.acquire(files[0]!, { device: 'CPU' });
      assert.equal(registry.list()[0]?.handles, 1);
      const out = await m.infer(input(3));
      assert.equal(out.output?.data[0], 6);
    }
    assert.equal(registry.list()[0]?.handles, 0);
    await registry.dispose();
  });

  it('only real use resets the idle clock: has(), list() and stats() do not', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader, keepAlive: 60 });
    const unloaded = nextEvent<RegistryUnloadEvent>(registry, 'unload');
    await registry.get(files[0]!, { device: 'CPU' });
    const idleSince = registry.list()[0]?.idleSince;
    assert.ok(idleSince !== undefined);
    let polls = 0;
    let done = false;
    void unloaded.then(() => (done = true));
    while (!done) {
      // A health check polling every 10 ms must not keep the model loaded.
      registry.has(files[0]!, { device: 'CPU' });
      registry.list();
      registry.stats();
      polls++;
      await sleep(10);
    }
    assert.ok(polls >= 3, `polled ${polls} times before the unload`);
    assert.equal((await unloaded).reason, 'idle');

    const kept = new ModelRegistry({ loader: fakeLoader().loader, keepAlive: 60 });
    await kept.get(files[0]!, { device: 'CPU' });
    const first = kept.list()[0]?.idleSince as number;
    await sleep(15);
    await kept.get(files[0]!, { device: 'CPU' });
    assert.ok((kept.list()[0]?.idleSince as number) > first, 'a get() restarts the clock');
    await kept.dispose();
  });

  it('pinned models are never unloaded for idle time or the LRU limit; unpin lets them go', async () => {
    const registry = new ModelRegistry({
      loader: fakeLoader().loader,
      keepAlive: 20,
      maxModels: 1,
      models: { keep: { model: files[0]!, device: 'CPU', pinned: true } },
    });
    const unloads = unloadsOf(registry);
    await registry.get('keep');
    await registry.get(files[1]!, { device: 'CPU' }); // over maxModels: the pinned one stays
    await sleep(60);
    assert.deepEqual(
      unloads.map((u) => [path.basename(u.model), u.reason]),
      [['b.xml', 'idle']],
    );
    assert.equal(registry.list()[0]?.pinned, true);
    registry.pin(files[2]!, { device: 'CPU' }); // before it is loaded
    await registry.get(files[2]!, { device: 'CPU' });
    await sleep(40);
    assert.equal(registry.size, 2, 'both pinned models stay, even over maxModels');
    const next = nextEvent<RegistryUnloadEvent>(registry, 'unload');
    registry.unpin('keep'); // over maxModels again: the least recently used unpinned one goes
    const event = await next;
    assert.deepEqual([path.basename(event.model), event.reason], ['a.xml', 'lru']);
    assert.equal(await registry.unload(files[2]!, { device: 'CPU' }), true, 'unload() takes a pinned model');
    assert.equal(registry.size, 0);
  });

  it('unload() waits for held handles and frees the model before it resolves', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader });
    const handle = await registry.acquire(files[0]!, { device: 'CPU' });
    const compiled = fake(handle.compiled);
    let resolved = false;
    const unloading = registry.unload(files[0]!, { device: 'CPU' }).then((r) => ((resolved = true), r));
    await sleep(20);
    assert.equal(resolved, false);
    assert.equal(compiled.disposed, false);
    assert.equal(registry.has(files[0]!, { device: 'CPU' }), false, 'gone from the registry at once');
    const out = await handle.infer(input(2)); // still usable while held
    assert.equal(out.output?.data[0], 4);
    handle.release();
    assert.equal(await unloading, true);
    assert.equal(compiled.disposed, true);
    assert.ok(compiled.requests.length > 0 && compiled.requests.every((r) => r.disposed), 'its infer requests are freed too');
  });

  it('an aborted acquire rejects with the reason at once; the load goes on and stays consistent', async () => {
    const { loader, calls } = fakeLoader(200);
    let loadEnded = false; // the order of events, not a latency: the machine's speed cannot flake it
    const registry = new ModelRegistry({
      loader: async (...args: Parameters<typeof loader>) => {
        try {
          return await loader(...args);
        } finally {
          loadEnded = true;
        }
      },
    });
    const controller = new AbortController();
    const waiting = registry.acquire(files[0]!, { device: 'CPU', signal: controller.signal });
    await sleep(20);
    controller.abort(new Error('client went away'));
    await assert.rejects(waiting, /client went away/);
    assert.equal(loadEnded, false, 'rejected at once, before the 200 ms load ended');
    assert.equal(registry.list()[0]?.handles, 0);
    const compiled = await registry.get(files[0]!, { device: 'CPU' });
    assert.equal(calls.length, 1, 'the abandoned load was reused');
    assert.equal(fake(compiled).disposed, false);
    await expectCode(
      () => registry.acquire(files[0]!, { device: 'CPU', signal: 'no' as never }),
      'OVCACHE_INVALID_ARGUMENT',
      /AbortSignal/,
    );
    const already = AbortSignal.abort(new Error('already'));
    await assert.rejects(registry.acquire(files[0]!, { device: 'CPU', signal: already }), /already/);
    await registry.dispose();
  });

  it('dispose() waits for held handles (graceful shutdown)', async () => {
    const registry = new ModelRegistry({ loader: fakeLoader().loader });
    const handle = await registry.acquire(files[0]!, { device: 'CPU' });
    let done = false;
    const disposing = registry.dispose().then(() => (done = true));
    await sleep(20);
    assert.equal(done, false);
    handle.release();
    await disposing;
    await expectCode(registry.get(files[0]!, { device: 'CPU' }), 'OVCACHE_DISPOSED');
  });
});
