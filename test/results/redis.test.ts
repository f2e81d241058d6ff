// The Redis tier against a real redis-server on loopback (started and stopped here).
import assert from 'node:assert/strict';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ResultCache, type ResultRedisEvent } from '../../lib/index';
import { makeTempDir, removeDir } from '../helpers/paths';
import { range, runShare } from './children';
import { RedisServer, requireRedis } from '../helpers/redis-server';
import { isValueFor, partsFor, valueFor } from './result-child';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('the Redis result tier', function () {
  this.timeout(120_000);
  let server: RedisServer;
  let admin: Redis;
  let dir: string;
  let namespace: string;
  const open: ResultCache[] = [];
  const make = (options: ConstructorParameters<typeof ResultCache>[0]): ResultCache => {
    // A generous call timeout: on a loaded machine a 250 ms one would turn slow answers into misses.
    const c = new ResultCache({ redis: server.url, namespace, redisTimeout: '5s', ...options });
    open.push(c);
    return c;
  };

  before(async function () {
    requireRedis(this);
    server = await RedisServer.start();
    admin = new Redis(server.url);
    admin.on('error', () => undefined); // while the server is killed on purpose
  });
  after(async () => {
    admin?.disconnect();
    await server?.stop();
  });
  beforeEach(function () {
    dir = makeTempDir('ovcache-results-redis-');
    namespace = `t${Math.random().toString(36).slice(2, 8)}:`;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    removeDir(dir);
  });

  it("two processes on Redis see each other's results (separate local stores)", async () => {
    const redis = server.url;
    const a = await runShare({ dir: path.join(dir, 'a'), redis, keys: range(0, 10) });
    assert.deepEqual(a.computed, range(0, 10));
    const b = await runShare({ dir: path.join(dir, 'b'), redis, keys: range(0, 15) });
    assert.deepEqual(b.hits, range(0, 10));
    assert.deepEqual(b.computed, range(10, 15));
    const c = await runShare({ dir: false, redis, keys: range(0, 15) });
    assert.deepEqual(c.hits, range(0, 15));
    assert.deepEqual([...a.wrong, ...b.wrong, ...c.wrong], []);
  });

  it('two-level: a Redis hit fills the local store, which then answers alone', async () => {
    const writer = make({ dir: false });
    const key = writer.keyFor(partsFor(1));
    await writer.set(key, valueFor(1));
    const reader = make({ dir: path.join(dir, 'local') });
    const tiers: string[] = [];
    reader.on('lookup', (e) => tiers.push(`${e.outcome}:${e.tier}`));
    assert.ok(isValueFor(await reader.get(key), 1));
    await reader.flush();
    await admin.del(`${namespace}v:${key}`);
    assert.ok(isValueFor(await reader.get(key), 1));
    assert.deepEqual(tiers, ['hit:redis', 'hit:local']);
    assert.equal(reader.stats().redisHits, 1);
    assert.equal(reader.stats().localHits, 1);
  });

  it('TTL through Redis expiry: the key carries a PX expiry and is never returned after it', async () => {
    // 1 s, not 150 ms: the read before the expiry must come back within the TTL, and on a loaded
    // machine a set, a PTTL and a get can take longer than 150 ms. Redis expires by its own clock.
    const cache = make({ dir: false, ttl: 1000 });
    const key = cache.keyFor(partsFor(2));
    await cache.set(key, valueFor(2));
    const pttl = await admin.pttl(`${namespace}v:${key}`);
    assert.ok(pttl > 0 && pttl <= 1000, `PTTL ${pttl}`);
    assert.ok(isValueFor(await cache.get(key), 2));
    await sleep(1200);
    assert.equal(await cache.get(key), undefined);
    assert.equal(cache.stats().expired, 1);
    assert.equal(await admin.zcard(`${namespace}lru`), 0, 'the expired entry left the LRU index');
  });

  it('enforces maxEntries on Redis in least-recently-used order', async () => {
    const cache = make({ dir: false, maxEntries: 10 });
    const key = (i: number): string => cache.keyFor(partsFor(i));
    for (let i = 0; i < 10; i++) await cache.set(key(i), valueFor(i));
    for (const i of [0, 1]) assert.ok(isValueFor(await cache.get(key(i)), i));
    for (let i = 10; i < 12; i++) await cache.set(key(i), valueFor(i));
    assert.equal(await admin.zcard(`${namespace}lru`), 10);
    const kept: number[] = [];
    for (let i = 0; i < 12; i++) if ((await admin.exists(`${namespace}v:${key(i)}`)) === 1) kept.push(i);
    assert.deepEqual(kept, [0, 1, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(cache.stats().evicted, 2);
  });

  it('enforces maxBytes on Redis, least recently used first', async () => {
    const cache = make({ dir: false, maxBytes: '10KB' });
    const key = (i: number): string => cache.keyFor(partsFor(i));
    for (let i = 0; i < 6; i++) await cache.set(key(i), valueFor(i, 3000));
    const total = Number(await admin.get(`${namespace}bytes`));
    assert.ok(total <= 10_000, `${total} bytes on Redis`);
    const kept: number[] = [];
    for (let i = 0; i < 6; i++) if ((await admin.exists(`${namespace}v:${key(i)}`)) === 1) kept.push(i);
    assert.deepEqual(kept, [3, 4, 5]);
  });

  it('Redis killed and restarted mid-run: no request fails, it degrades to local and comes back by itself', async () => {
    const cache = make({ dir: path.join(dir, 'local') });
    const events: ResultRedisEvent[] = [];
    cache.on('redis', (e) => events.push(e));
    let slowest = 0;
    const request = async (i: number): Promise<void> => {
      const started = Date.now();
      const r = await cache.getOrCompute(partsFor(i), () => Promise.resolve(valueFor(i)));
      slowest = Math.max(slowest, Date.now() - started);
      assert.ok(isValueFor(r.value, i));
    };
    for (let n = 0; n < 20; n++) await request(n % 10);
    await server.kill();
    for (let n = 0; n < 20; n++) await request(n % 15); // 10..14 are new: computed, stored locally only
    assert.equal(cache.stats().redis, 'down');
    await server.restart();
    await until('the client to reconnect', () => cache.stats().redis === 'up');
    await request(20);
    assert.ok((await admin.exists(`${namespace}v:${cache.keyFor(partsFor(20))}`)) === 1, 'writes reach Redis again');
    const states = events.map((e) => e.state);
    assert.equal(states[0], 'up');
    assert.ok(states.includes('down'), `events: ${states.join(', ')}`);
    assert.equal(states.at(-1), 'up');
    assert.ok(slowest < 5000, `no request hung (slowest ${slowest} ms)`);
  });

  it('a Redis that stops answering (SIGSTOP) costs at most the timeout per call, never a failure', async () => {
    const cache = make({ dir: false, redisTimeout: 200 });
    const key = cache.keyFor(partsFor(3));
    await cache.set(key, valueFor(3));
    const pid = (server as unknown as { process: { pid: number } }).process.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const r = await cache.getOrCompute(partsFor(3), () => Promise.resolve(valueFor(3)));
      const ms = Date.now() - started;
      assert.equal(r.outcome, 'miss', 'Redis did not answer: computed instead');
      assert.ok(isValueFor(r.value, 3));
      assert.ok(ms < 3000, `answered in ${ms} ms`);
      assert.equal(cache.stats().redis, 'down');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('a frozen Redis (SIGSTOP): the first miss pays one timeout, later misses send no command and do not wait; a probe brings it back after SIGCONT', async () => {
    const client = new Redis(server.url);
    await client.ping();
    const sent: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command: Parameters<typeof send>[0]) => {
      sent.push(command.name);
      return send(command);
    };
    // 3 s: a miss that waited on the frozen Redis takes at least this; one that did not takes a few
    // ms, and a local write on a loaded machine stays far below it (1 s flaked under load).
    const timeoutMs = 3000;
    const cache = make({ dir: path.join(dir, 'local'), redis: client, redisTimeout: timeoutMs });
    try {
      const compute = (i: number) => () => Promise.resolve(valueFor(i));
      assert.equal((await cache.getOrCompute(partsFor(1), compute(1))).outcome, 'miss');
      assert.equal(cache.stats().redis, 'up');
      server.pause();
      try {
        await cache.getOrCompute(partsFor(2), compute(2)); // may pay one timeout: Redis is found frozen here
        assert.equal(cache.stats().redis, 'down');
        sent.length = 0;
        for (let i = 3; i < 13; i++) {
          const started = Date.now();
          const r = await cache.getOrCompute(partsFor(i), compute(i));
          const ms = Date.now() - started;
          assert.ok(isValueFor(r.value, i));
          assert.ok(ms < timeoutMs, `miss ${i} took ${ms} ms: it waited on the frozen Redis`);
        }
        assert.deepEqual(
          sent.filter((name) => name !== 'ping'),
          [],
          'while down, only the probe talks to Redis',
        );
      } finally {
        server.resume();
      }
      await until('the probe to bring Redis back', () => cache.stats().redis === 'up');
      await cache.getOrCompute(partsFor(20), compute(20));
      assert.equal(await admin.exists(`${namespace}v:${cache.keyFor(partsFor(20))}`), 1, 'writes reach Redis again');
    } finally {
      await cache.close();
      client.disconnect();
    }
  });

  for (const kind of ['a Redis URL', "a caller's ioredis client"] as const) {
    it(`a frozen Redis (SIGSTOP), ${kind}: over 40 misses with 1 MiB values, no command is sent on the client while down and at most 2 stay queued, also over several probe rounds`, async () => {
      // Every command any ioredis client sends, with the client that sent it (the URL kind's is the cache's own).
      const sent: Array<{ client: Redis; name: string }> = [];
      // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was in finally
      const send = Redis.prototype.sendCommand;
      Redis.prototype.sendCommand = function (this: Redis, command: Parameters<typeof send>[0], stream?: Parameters<typeof send>[1]) {
        sent.push({ client: this, name: command.name });
        return send.call(this, command, stream);
      };
      const own = kind === 'a Redis URL' ? undefined : new Redis(server.url);
      const timeoutMs = 1000;
      const cache = make({ dir: path.join(dir, 'local'), redis: own ?? server.url, redisTimeout: timeoutMs, maxBytes: '1GB' });
      const mib = 1024 * 1024;
      const compute = (i: number) => () => Promise.resolve(valueFor(i, mib));
      try {
        assert.equal((await cache.getOrCompute(partsFor(1), compute(1))).outcome, 'miss');
        assert.equal(cache.stats().redis, 'up');
        const client = sent.find((s) => s.name.toLowerCase() === 'evalsha')?.client;
        assert.ok(client, 'the cache sent its first write through an ioredis client');
        const queued = (): number => (client as unknown as { commandQueue: { length: number } }).commandQueue.length;
        const offline = (): number => (client as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
        server.pause();
        try {
          await cache.getOrCompute(partsFor(2), compute(2)); // pays at most one timeout per tier call: Redis is found frozen here
          assert.equal(cache.stats().redis, 'down');
          const before = sent.length;
          let maxQueued = 0;
          const started = Date.now();
          for (let i = 3; i < 43; i++) {
            const r = await cache.getOrCompute(partsFor(i), compute(i));
            assert.ok(isValueFor(r.value, i));
            maxQueued = Math.max(maxQueued, queued() + offline());
          }
          const ms = Date.now() - started;
          // The freeze goes on through several probe rounds (backoff 100 ms doubling): nothing piles up meanwhile.
          for (const stop = Date.now() + 6000; Date.now() < stop; await sleep(100)) maxQueued = Math.max(maxQueued, queued() + offline());
          const whileDown = sent.slice(before).filter((s) => s.client === client);
          assert.deepEqual(whileDown, [], 'while down, nothing is sent on the client (the probe uses a connection of its own)');
          // The lookup and the write that found Redis frozen, at most: no more, however long it lasts.
          assert.ok(maxQueued <= 2, `${maxQueued} commands queued on the client while Redis was frozen`);
          assert.ok(ms < 40 * timeoutMs, `40 misses took ${ms} ms: they waited on the frozen Redis`);
          console.log(`      40 misses of 1 MiB with Redis frozen (${kind}): ${ms} ms, at most ${maxQueued} commands queued`);
        } finally {
          server.resume();
        }
        await until('the probe to bring Redis back', () => cache.stats().redis === 'up');
        await cache.getOrCompute(partsFor(50), compute(50));
        assert.equal(await admin.exists(`${namespace}v:${cache.keyFor(partsFor(50))}`), 1, 'writes reach Redis again');
      } finally {
        Redis.prototype.sendCommand = send;
        await cache.close();
        own?.disconnect();
      }
    });
  }

  it('a value larger than maxBytes is not written to Redis and evicts nothing there, as the local store refuses it', async () => {
    const cache = make({ dir: path.join(dir, 'local'), maxBytes: '100KB' });
    const evictions: string[] = [];
    cache.on('evict', (e) => evictions.push(`${e.tier}:${e.reason}`));
    for (let i = 0; i < 10; i++) await cache.set(cache.keyFor(partsFor(i)), valueFor(i));
    assert.equal(await admin.zcard(`${namespace}lru`), 10);
    const big = cache.keyFor(partsFor(99));
    await cache.set(big, valueFor(99, 240_000));
    assert.equal(await admin.zcard(`${namespace}lru`), 10, 'every other Redis entry is still there');
    assert.equal(await admin.exists(`${namespace}v:${big}`), 0);
    assert.ok(Number(await admin.get(`${namespace}bytes`)) <= 100_000);
    assert.equal(await cache.get(big), undefined);
    assert.deepEqual(evictions, []);
  });

  it("closing a ResultCache takes its listeners off the caller's ioredis client (20 caches on one client)", async () => {
    const client = new Redis(server.url);
    await client.ping();
    const events = ['ready', 'close', 'error', 'end', 'reconnecting', 'connect'] as const;
    const counts = (): number[] => events.map((e) => client.listenerCount(e));
    const before = counts();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 20; i++) {
        const cache = new ResultCache({ dir: false, redis: client, namespace, redisTimeout: '5s' });
        await cache.set(cache.keyFor(partsFor(i)), valueFor(i));
        await cache.close();
      }
      await sleep(10); // a MaxListenersExceededWarning is emitted on the next tick
      assert.deepEqual(counts(), before);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      client.disconnect();
    }
  });

  it("with the default namespace, a cache with other limits never evicts another's entries: it does not write to Redis and says why", async () => {
    const ns = 'ovcache:results:';
    const big = new ResultCache({ dir: false, redis: server.url, redisTimeout: '5s', maxEntries: 100 });
    const small = new ResultCache({ dir: path.join(dir, 'small'), redis: server.url, redisTimeout: '5s', maxEntries: 5 });
    open.push(big, small);
    const said: string[] = [];
    small.on('redis', (e) => said.push(e.error ?? ''));
    try {
      for (let i = 0; i < 10; i++) await big.set(big.keyFor(partsFor(i)), valueFor(i));
      for (let i = 100; i < 110; i++) await small.set(small.keyFor(partsFor(i)), valueFor(i));
      let kept = 0;
      for (let i = 0; i < 10; i++) kept += await admin.exists(`${ns}v:${big.keyFor(partsFor(i))}`);
      assert.equal(kept, 10, "the big cache's 10 entries are all still on Redis");
      assert.equal(await admin.exists(`${ns}v:${small.keyFor(partsFor(100))}`), 0, 'the small cache wrote nothing there');
      assert.ok(isValueFor(await small.get(small.keyFor(partsFor(109))), 109), 'the small cache keeps its entries locally');
      assert.equal(said.filter((m) => /namespace "ovcache:results:" is kept to maxEntries=100, maxBytes=0/.test(m)).length, 1);
    } finally {
      const keys = await admin.keys(`${ns}*`);
      if (keys.length > 0) await admin.del(...keys);
    }
  });

  it('ResultCache.close() returns with Redis frozen (SIGSTOP) before it noticed: its QUIT is bounded by redisTimeout', async () => {
    const timeoutMs = 300;
    const hangMs = 5000; // far above the bounded QUIT; an unbounded one never returns while Redis is frozen
    const cache = make({ dir: path.join(dir, 'local'), redisTimeout: timeoutMs });
    await cache.set(cache.keyFor(partsFor(1)), valueFor(1));
    assert.equal(cache.stats().redis, 'up', 'the cache has not seen Redis fail');
    server.pause();
    try {
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<'hung'>((resolve) => {
        timer = setTimeout(() => resolve('hung'), hangMs);
      });
      const started = Date.now();
      const outcome = await Promise.race([cache.close().then(() => 'closed' as const), hang]);
      clearTimeout(timer);
      assert.equal(outcome, 'closed', `close() did not return within ${hangMs} ms`);
      assert.ok(Date.now() - started >= timeoutMs * 0.9, 'close() waited on the frozen Redis (the QUIT was sent)');
    } finally {
      server.resume();
    }
  });
});
