import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLock, tryAcquireLock } from '../../lib/cache/entry/lock';
import { SingleFlight } from '../../lib/cache/single-flight';
import { makeTempDir, removeDir } from '../helpers/paths';

describe('entry locks', () => {
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => removeDir(tmp));

  it('are exclusive and released', async () => {
    const file = path.join(tmp, 'k.lock');
    const first = await acquireLock(file, { timeoutMs: 0, staleMs: 10_000 });
    assert.ok(first.lock);
    assert.equal(await tryAcquireLock(file, 10_000), null);
    await first.lock.release();
    assert.ok(!fs.existsSync(file));
    const again = await tryAcquireLock(file, 10_000);
    assert.ok(again);
    await again.release();
  });

  it('wait a bounded time, then give up', async () => {
    const file = path.join(tmp, 'k.lock');
    const held = await acquireLock(file, { timeoutMs: 0, staleMs: 10_000 });
    const started = Date.now();
    const waited = await acquireLock(file, { timeoutMs: 300, staleMs: 10_000 });
    assert.equal(waited.lock, null);
    assert.equal(waited.contended, true);
    assert.ok(Date.now() - started >= 290 && Date.now() - started < 2000);
    await held.lock?.release();
  });

  it('are handed over when the holder releases', async () => {
    const file = path.join(tmp, 'k.lock');
    const held = await acquireLock(file, { timeoutMs: 0, staleMs: 10_000 });
    setTimeout(() => void held.lock?.release(), 150);
    const waited = await acquireLock(file, { timeoutMs: 5000, staleMs: 10_000 });
    assert.ok(waited.lock);
    assert.ok(waited.waitedMs >= 100);
    await waited.lock.release();
  });

  it('take over a stale lock whose holder is gone', async () => {
    const file = path.join(tmp, 'k.lock');
    fs.mkdirSync(file); // what a killed holder leaves behind
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const got = await acquireLock(file, { timeoutMs: 1000, staleMs: 10_000 });
    assert.ok(got.lock);
    await got.lock.release();
  });
});

describe('single flight', () => {
  it('runs once for concurrent callers of one key and again afterwards', async () => {
    const flight = new SingleFlight<string, number>();
    let runs = 0;
    const work = () => new Promise<number>((resolve) => setTimeout(() => resolve(++runs), 20));
    const calls = Array.from({ length: 10 }, () => flight.run('k', work));
    assert.deepEqual(
      calls.map((c) => c.leader),
      [true, ...Array<boolean>(9).fill(false)],
    );
    assert.deepEqual(await Promise.all(calls.map((c) => c.promise)), Array<number>(10).fill(1));
    assert.equal(flight.size, 0);
    assert.equal(await flight.run('k', work).promise, 2);
  });

  it('shares a failure and forgets it', async () => {
    const flight = new SingleFlight<string, number>();
    const a = flight.run('k', () => Promise.reject(new Error('boom')));
    const b = flight.run('k', () => Promise.resolve(1));
    await assert.rejects(a.promise, /boom/);
    await assert.rejects(b.promise, /boom/);
    assert.equal(await flight.run('k', () => Promise.resolve(3)).promise, 3);
  });
});
