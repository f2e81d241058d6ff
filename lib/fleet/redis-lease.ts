// Leases in Redis (coordinator: { redis }): SET key token NX PX ttl takes a free lease; the
// holder renews it every ttl/3 with a compare-and-PEXPIRE script and releases it with a
// compare-and-DEL, so a process never extends or drops another's lease. A holder that dies
// stops renewing; the key expires after ttl and the next process takes it.
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { logger } from '../log';
import { HeldLeases, renewalInterval } from './held-leases';
import type { Lease, LeaseProvider } from './tier';

const log = logger('fleet');

const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface RedisCoordinatorOptions {
  /** "redis://127.0.0.1:6379" */
  redis: string;
  /** Prefix of the lease keys. Default "ovcache:lease:". */
  keyPrefix?: string;
}

export class RedisLeases implements LeaseProvider {
  readonly name: string;
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly held = new HeldLeases();

  constructor(options: RedisCoordinatorOptions) {
    this.prefix = options.keyPrefix ?? 'ovcache:lease:';
    this.name = `redis:${options.redis.replace(/\/\/[^@/]*@/, '//')}`;
    // Fail fast while Redis is away (the caller then compiles); reconnect in the background.
    this.client = new Redis(options.redis, {
      lazyConnect: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times: number) => Math.min(100 * 2 ** times, 2000),
    });
    // A Redis that goes away is skipped; its errors must not crash the process.
    this.client.on('error', (error: Error) => log('redis %s: %s', this.name, error.message));
  }

  async tryAcquire(key: string, ttlMs: number): Promise<Lease | null> {
    const token = crypto.randomBytes(16).toString('hex');
    const name = this.prefix + key;
    const ok = await this.client.set(name, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return null;
    return this.held.track(key, {
      what: name,
      everyMs: renewalInterval(ttlMs),
      renew: async () => (Number(await this.client.eval(RENEW, 1, name, token, String(ttlMs))) === 1 ? null : 'it expired before renewal'),
      release: async () => {
        await this.client.eval(RELEASE, 1, name, token);
      },
    });
  }

  async close(): Promise<void> {
    await this.held.releaseAll();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
