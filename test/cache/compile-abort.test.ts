// cache.compile({ signal }): aborted waits reject with the signal's reason, before the work
// they waited for ends, and leave the cache consistent (no lock held, no half entry, the
// other callers served, the CompiledModel nobody took disposed). Real addon + stand-in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Fleet, loadOpenVINO, ModelCache, ModelRegistry, type Core } from '../../lib/index';
import { acquireLock } from '../../lib/cache/entry/lock';
import { readManifest } from '../../lib/cache/entry/manifest';
import { loadNativeBinding } from '../../lib/runtime/binding';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { waitFor } from '../helpers/wait-for';
import { runChild } from './child';
import { expectCode } from './helpers';

const liveHandles = (): number => (loadNativeBinding() as unknown as { liveHandles(): number }).liveHandles();

describe('cache.compile({ signal })', function () {
  this.timeout(120_000);
  let tmp: string;
  let dir: string;
  let mlp: string;
  let core: Core;
  const saved = process.env.OV_STUB_COMPILE_MS;

  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  });
  after(() => core.dispose());
  beforeEach(() => {
    tmp = makeTempDir();
    dir = path.join(tmp, 'cache');
    fs.mkdirSync(path.join(tmp, 'models'));
    mlp = writeMlp(path.join(tmp, 'models')).xml;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.OV_STUB_COMPILE_MS;
    else process.env.OV_STUB_COMPILE_MS = saved;
    removeDir(tmp);
  });

  it('an already aborted signal rejects at once with its reason and starts nothing', async () => {
    const cache = new ModelCache({ core, dir });
    const reason = new Error('gone already');
    await assert.rejects(cache.compile(mlp, { device: 'CPU', signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assert.rejects(cache.compile(mlp, { device: 'CPU', signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(fs.existsSync(path.join(dir, 'entries')), false, 'no entry started');
    assert.equal(cache.stats().aborted, 2);
    assert.equal(cache.stats().errors, 0);
    await expectCode(cache.compile(mlp, { device: 'CPU', signal: 'soon' as never }), 'OVCACHE_INVALID_ARGUMENT', /AbortSignal/);
    await expectCode(cache.compile(mlp, { device: 'CPU', onProgress: 1 as never }), 'OVCACHE_INVALID_ARGUMENT', /onProgress/);
    await cache.dispose();
  });

  it('waiting for another PROCESS holding the lock: rejects before the holder finishes; the holder fills the entry, a later call hits', async () => {
    const cache = new ModelCache({ core, dir });
    const { key } = await cache.keyFor(mlp, { device: 'CPU' });
    const lock = path.join(dir, 'locks', `${key}.lock`);
    // The holder's compile ends only when the test creates the gate: "before the holder
    // finishes" is a state here, not a race against a 6 s compile.
    const gate = path.join(tmp, 'gate');
    const holder = runChild({ mode: 'compile', dir, model: mlp, device: 'CPU' }, { OV_STUB_COMPILE_GATE: gate });
    let holderDone = false;
    void holder.then(
      () => (holderDone = true),
      () => undefined,
    );
    try {
      while (!fs.existsSync(lock)) await sleep(20);
      const controller = new AbortController();
      const phases: string[] = [];
      const waiting = cache.compile(mlp, { device: 'CPU', signal: controller.signal, onProgress: (p) => phases.push(p.phase) });
      // Waits for the state, not 700 ms: on a loaded machine the fingerprint can take longer than that.
      await waitFor('the compile to wait for the holder', () => phases.includes('lock-wait'));
      const reason = new Error('caller went away');
      const abortedAt = Date.now();
      controller.abort(reason);
      await assert.rejects(waiting, (e) => e === reason);
      const latency = Date.now() - abortedAt;
      assert.equal(holderDone, false, 'rejected while the holder was still compiling');
      // "At once" (docs/caching.md): the holder cannot finish meanwhile, so only a slow rejection fails this.
      assert.ok(latency < 2000, `rejected ${latency} ms after the abort`);
      assert.ok(phases.includes('lock-wait'), phases.join(' '));
      assert.ok(!phases.includes('compile'), 'the aborted caller never compiled');
    } finally {
      fs.writeFileSync(gate, ''); // the holder ends whatever failed above
    }
    const held = await holder;
    assert.equal(held.cached, true);
    assert.equal(held.hit, false);
    const read = await readManifest(held.entryDir as string);
    assert.equal(read.status === 'ok' && read.manifest.complete, true, 'the holder filled the entry');
    assert.equal(fs.existsSync(lock), false, 'no lock left held');
    const later = await cache.compile(mlp, { device: 'CPU' });
    assert.equal(later.hit, true);
    later.compiled.dispose();
    const stats = cache.stats();
    assert.equal(stats.aborted, 1);
    assert.equal(stats.errors, 0);
    assert.equal(stats.lockWaits, 1);
    await cache.dispose();
  });

  it('a caller waiting for the same compile in this process stops waiting; the leader is unaffected', async () => {
    process.env.OV_STUB_COMPILE_MS = '1500';
    const cache = new ModelCache({ core, dir });
    const leaderPhases: string[] = [];
    const leader = cache.compile(mlp, { device: 'CPU', onProgress: (p) => leaderPhases.push(p.phase) });
    await waitFor('the leader to compile', () => leaderPhases.includes('compile'));
    const controller = new AbortController();
    const phases: string[] = [];
    const follower = cache.compile(mlp, {
      device: 'CPU',
      signal: controller.signal,
      onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase),
    });
    await waitFor('the follower to wait for the leader', () => phases.includes('lock-wait'));
    controller.abort();
    await assert.rejects(follower, { name: 'AbortError' });
    assert.deepEqual(phases, ['fingerprint', 'lock-wait']);
    const led = await leader;
    assert.equal(led.hit, false);
    assert.equal(led.cached, true);
    assert.equal(led.compiled.disposed, false);
    led.compiled.dispose();
    const later = await cache.compile(mlp, { device: 'CPU' });
    assert.equal(later.hit, true);
    later.compiled.dispose();
    assert.equal(cache.stats().misses, 1);
    assert.equal(cache.stats().aborted, 1);
    await cache.dispose();
  });

  it('the leader aborting mid-compile: its promise rejects at once, the compile fills the entry, the model nobody takes is disposed, a signal-less waiter is served', async () => {
    process.env.OV_STUB_COMPILE_MS = '3000';
    const cache = new ModelCache({ core, dir });
    const baseline = liveHandles();
    const controller = new AbortController();
    const leaderPhases: string[] = [];
    const leader = cache.compile(mlp, { device: 'CPU', signal: controller.signal, onProgress: (p) => leaderPhases.push(p.phase) });
    // States, not sleeps (100 ms, 300 ms raced the fingerprint under load): OpenVINO is compiling, the waiter waits on it.
    await waitFor('the leader to compile', () => leaderPhases.includes('compile'));
    const waiterPhases: string[] = [];
    const waiter = cache.compile(mlp, { device: 'CPU', onProgress: (p) => waiterPhases.push(p.phase) });
    let waiterSettled = false;
    void waiter.finally(() => (waiterSettled = true)).catch(() => undefined);
    await waitFor('the waiter to wait for the leader', () => waiterPhases.includes('lock-wait'));
    controller.abort();
    await assert.rejects(leader, { name: 'AbortError' });
    assert.equal(waiterSettled, false, 'rejected before the compile ended (the waiter is still waiting for it)');
    const served = await waiter;
    assert.equal(served.hit, true, 'the waiter loaded the entry the abandoned compile filled');
    served.compiled.dispose();
    await cache.flush();
    for (let i = 0; i < 50 && liveHandles() > baseline; i++) await sleep(20);
    assert.equal(liveHandles(), baseline, 'the abandoned CompiledModel was disposed');
    assert.equal(cache.stats().misses, 1, 'the compile that ran is counted');
    assert.equal(cache.stats().hits, 1);
    await cache.dispose();
  });

  it('waiting for another machine on the fleet lease: rejects with the reason, holds no lease, copies nothing', async () => {
    const fleet = new Fleet({ tiers: [{ path: path.join(tmp, 'shared') }], pollMs: 50 });
    const cache = new ModelCache({ core, dir, fleet });
    const { key } = await cache.keyFor(mlp, { device: 'CPU' });
    const leases = fleet.tiers[0]?.leases();
    const other = await leases?.tryAcquire(key, 30_000); // another machine compiles it
    assert.ok(other);
    const controller = new AbortController();
    const phases: string[] = [];
    const waiting = cache.compile(mlp, {
      device: 'CPU',
      signal: controller.signal,
      onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase),
    });
    await waitFor('the compile to wait on the lease', () => fleet.stats().leaseWaits === 1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    assert.deepEqual(phases, ['fingerprint', 'tier']);
    await other.release();
    const mine = await leases?.tryAcquire(key, 30_000);
    assert.ok(mine, 'the aborted caller holds no lease');
    await mine.release();
    assert.equal(fleet.stats().down, 0, 'an abort is not a tier outage');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'entries')), [], 'nothing compiled or copied');
    assert.equal(fs.existsSync(path.join(dir, 'incoming')), false, 'no staging folder left');
    await cache.dispose();
    await fleet.close();
  });

  it("registry.get({ signal }) passes the signal to the load's compile: aborting every waiter ends its lock wait", async () => {
    const cache = new ModelCache({ core, dir });
    const registry = new ModelRegistry({ cache });
    const { key } = await cache.keyFor(mlp, { device: 'CPU' });
    const lockPath = path.join(dir, 'locks', `${key}.lock`);
    fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    const other = await acquireLock(lockPath, { timeoutMs: 0, staleMs: 10_000 });
    const a = new AbortController();
    const b = new AbortController();
    const first = registry.get(mlp, { device: 'CPU', signal: a.signal });
    const second = registry.acquire(mlp, { device: 'CPU', signal: b.signal });
    await waitFor('the load to wait for the lock', () => cache.stats().lockWaits === 1);
    a.abort();
    await assert.rejects(first, { name: 'AbortError' });
    assert.equal(cache.stats().aborted, 0, 'one caller left: the compile still waits');
    b.abort();
    await assert.rejects(second, { name: 'AbortError' });
    for (let i = 0; i < 50 && registry.size > 0; i++) await sleep(20);
    assert.equal(registry.size, 0, 'the abandoned load failed with the abort and left the registry');
    assert.equal(cache.stats().aborted, 1, "the load's compile was aborted");
    assert.equal(cache.stats().compiles, 0);
    await other.lock?.release();
    const compiled = await registry.get(mlp, { device: 'CPU' });
    assert.ok(compiled, 'a later caller loads afresh');
    assert.equal(cache.stats().misses, 1);
    await registry.dispose();
    await cache.dispose();
  });

  it('every caller of a compile aborting while it waits for a lock stops the wait: nothing is compiled, nothing held', async () => {
    const cache = new ModelCache({ core, dir });
    const { key } = await cache.keyFor(mlp, { device: 'CPU' });
    const lockPath = path.join(dir, 'locks', `${key}.lock`);
    fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    const other = await acquireLock(lockPath, { timeoutMs: 0, staleMs: 10_000 }); // held by "another process"
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.compile(mlp, { device: 'CPU', signal: a.signal });
    const second = cache.compile(mlp, { device: 'CPU', signal: b.signal });
    await waitFor('the compile to wait for the lock', () => cache.stats().lockWaits === 1);
    a.abort();
    b.abort();
    await Promise.all([assert.rejects(first, { name: 'AbortError' }), assert.rejects(second, { name: 'AbortError' })]);
    await other.lock?.release();
    await sleep(300); // the abandoned flight's lock wait has ended: it does not take the lock now
    const attempt = await acquireLock(lockPath, { timeoutMs: 0, staleMs: 10_000 });
    assert.ok(attempt.lock, 'the lock is free');
    await attempt.lock.release();
    assert.equal(fs.readdirSync(path.join(dir, 'entries')).length, 0, 'no half entry');
    assert.equal(cache.stats().compiles, 0);
    await cache.dispose();
  });
});
