// Leases in Redis (coordinator: { redis }): SET key token NX PX ttl takes a free lease; the
// holder renews it every ttl/3 with a compare-and-PEXPIRE script and releases it with a
// compare-and-DEL, so a process never extends or drops another's lease. A holder that dies
// stops renewing; the key expires after ttl and the next process takes it.
// Every call (connect, command, retry, renewal, release, QUIT) is bounded by the fleet's
// timeoutMs: a Redis that does not answer (down, or frozen with the socket still open) costs
// at most that long per call, and the caller compiles by itself.
import crypto from 'node:crypto';
import { ioredis, type Redis } from '../deferred-deps';
import { logger } from '../log';
import { withDeadline } from './deadline';
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

/** The ioredis options of every client ovcache creates: each wait bounded by `timeoutMs`. */
export function boundedRedisOptions(timeoutMs: number): {
  lazyConnect: true;
  enableOfflineQueue: true;
  maxRetriesPerRequest: 1;
  connectTimeout: number;
  commandTimeout: number;
  retryStrategy: (times: number) => number;
} {
  return {
    lazyConnect: true,
    // A command sent while (re)connecting waits in the offline queue, but commandTimeout
    // rejects it after timeoutMs there too: the queue holds at most timeoutMs of calls.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: (times: number) => Math.min(100 * 2 ** times, 2000),
  };
}

export class RedisLeases implements LeaseProvider {
  readonly name: string;
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly held = new HeldLeases();

  /** timeoutMs bounds every call to Redis (the fleet's timeoutMs). */
  constructor(
    options: RedisCoordinatorOptions,
    private readonly timeoutMs = 5000,
  ) {
    this.prefix = options.keyPrefix ?? 'ovcache:lease:';
    this.name = `redis:${options.redis.replace(/\/\/[^@/]*@/, '//')}`;
    this.client = new (ioredis().Redis)(options.redis, boundedRedisOptions(timeoutMs));
    // A Redis that goes away is skipped; its errors must not crash the process.
    this.client.on('error', (error: Error) => log('redis %s: %s', this.name, error.message));
  }

  /** One command, bounded even if the client's own timeouts do not fire. */
  private call<T>(what: string, run: () => Promise<T>): Promise<T> {
    return withDeadline(`${this.name} ${what}`, this.timeoutMs, run);
  }

  async tryAcquire(key: string, ttlMs: number): Promise<Lease | null> {
    const token = crypto.randomBytes(16).toString('hex');
    const name = this.prefix + key;
    const ok = await this.call('SET NX', () => this.client.set(name, token, 'PX', ttlMs, 'NX'));
    if (ok !== 'OK') return null;
    return this.held.track(key, {
      what: name,
      everyMs: renewalInterval(ttlMs),
      renew: async () =>
        Number(await this.call('renew', () => this.client.eval(RENEW, 1, name, token, String(ttlMs)))) === 1
          ? null
          : 'it expired before renewal',
      release: async () => {
        await this.call('release', () => this.client.eval(RELEASE, 1, name, token));
      },
    });
  }

  /** Releases what is held, then QUIT; each bounded by timeoutMs, then the socket is dropped. */
  async close(): Promise<void> {
    await this.held.releaseAll();
    try {
      await this.call('QUIT', () => this.client.quit());
    } catch {
      // A Redis that does not answer QUIT: drop the connection instead.
    }
    this.client.disconnect();
  }
}
