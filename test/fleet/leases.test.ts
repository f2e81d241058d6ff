// Leases: one holder at a time, kept alive by renewal past its ttl, free again on release.
// (Taking over a dead holder's lease is tested with a SIGKILLed process in tier-faults.) The
// S3 lease needs a store that enforces conditional writes; s3rver does not (it accepts
// If-None-Match: * over an existing object), so its exclusivity is not tested here.
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FolderLeases } from '../../lib/fleet/folder-lease';
import { RedisLeases } from '../../lib/fleet/redis-lease';
import type { LeaseProvider } from '../../lib/fleet/tier';
import { makeTempDir, removeDir } from '../helpers/paths';
import { requireRedis, startRedis, type RedisServer } from './servers';

const KEY = 'f'.repeat(64);
const TTL = 2000;

describe('fleet: leases', function () {
  this.timeout(30_000);
  let tmp: string;
  let redis: RedisServer | undefined;
  const providers: LeaseProvider[] = [];
  beforeEach(() => {
    tmp = makeTempDir('ovcache-lease-');
  });
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()));
    await redis?.stop();
    redis = undefined;
    removeDir(tmp);
  });

  const kinds: Array<[string, (ctx: Mocha.Context) => Promise<() => LeaseProvider>]> = [
    ['folder lock', () => Promise.resolve(() => new FolderLeases(path.join(tmp, 'leases')))],
    [
      'Redis SET NX PX',
      async (ctx) => {
        requireRedis(ctx);
        const server = await startRedis();
        redis = server;
        return () => new RedisLeases({ redis: server.url });
      },
    ],
  ];

  for (const [name, setUp] of kinds) {
    it(`${name}: one holder; renewed past its ttl; free after release`, async function () {
      const make = await setUp(this);
      const [a, b] = [make(), make()];
      providers.push(a, b);
      const held = await a.tryAcquire(KEY, TTL);
      assert.ok(held, 'the first asker gets it');
      assert.equal(await b.tryAcquire(KEY, TTL), null, 'a second asker does not');
      await sleep(TTL * 1.5);
      assert.equal(held.lost, false);
      assert.equal(await b.tryAcquire(KEY, TTL), null, 'still held after its ttl: the holder renewed it');
      await held.release();
      const next = await b.tryAcquire(KEY, TTL);
      assert.ok(next, 'free once released');
      await next.release();
    });
  }
});
