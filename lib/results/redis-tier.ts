// The Redis tier (ioredis). Every call is bounded by `timeoutMs`; a failed or late call marks
// the tier down and the caller carries on without it. While the client is not connected no
// call is sent at all, so a Redis that is gone costs nothing per request. The client reconnects
// by itself (ours: backoff up to 1 s); its `ready` brings the tier back up.
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { logger } from '../log';
import { DELETE_SCRIPT, GET_SCRIPT, SET_SCRIPT } from './redis-scripts';

const log = logger('results:redis');

export type RedisState = 'up' | 'down';

export interface RedisSetOutcome {
  byCount: number;
  byBytes: number;
  expired: number;
}

interface Script {
  text: string;
  sha: string;
}

function script(text: string): Script {
  return { text, sha: crypto.createHash('sha1').update(text).digest('hex') };
}

const SCRIPTS = { get: script(GET_SCRIPT), set: script(SET_SCRIPT), delete: script(DELETE_SCRIPT) };

export class RedisTier {
  readonly client: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private state: RedisState | 'connecting' = 'connecting';
  private everReady = false;
  private lastScore = 0;
  /** One shared wait for the first connection, however many callers ask at once. */
  private firstReady: Promise<void> | undefined;

  constructor(
    redis: string | Redis,
    namespace: string,
    private readonly timeoutMs: number,
    private readonly onState: (state: RedisState, error?: Error) => void,
  ) {
    this.prefix = namespace;
    this.owned = typeof redis === 'string';
    this.client =
      typeof redis === 'string'
        ? new Redis(redis, {
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            commandTimeout: timeoutMs,
            connectTimeout: Math.max(1000, timeoutMs),
            retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
          })
        : redis;
    this.client.on('ready', () => this.setState('up'));
    this.client.on('close', () => this.setState('down'));
    this.client.on('error', (error: Error) => {
      log('redis error: %s', error.message);
      this.setState('down', error);
    });
    if (this.client.status === 'ready') this.setState('up');
  }

  get status(): RedisState | 'connecting' {
    return this.state;
  }

  /** The frame, 'expired' (it was there; Redis expired it), or undefined. Throws when Redis fails. */
  async get(key: string, now: number): Promise<Buffer | 'expired' | undefined> {
    const reply = await this.eval(SCRIPTS.get, [key], [String(this.score(now)), key]);
    if (Buffer.isBuffer(reply)) return reply;
    return reply === 1 ? 'expired' : undefined;
  }

  async set(
    key: string,
    frame: Buffer,
    ttlMs: number,
    limits: { maxEntries: number; maxBytes: number },
    now: number,
  ): Promise<RedisSetOutcome> {
    const maxEntries = Number.isFinite(limits.maxEntries) ? limits.maxEntries : Number.MAX_SAFE_INTEGER;
    const args = [
      frame,
      String(Math.ceil(ttlMs)),
      String(this.score(now)),
      key,
      String(frame.length),
      String(maxEntries),
      String(limits.maxBytes),
      `${this.prefix}v:`,
    ];
    const reply = (await this.eval(SCRIPTS.set, [key], args)) as [number, number, number];
    return { byCount: reply[0], byBytes: reply[1], expired: reply[2] };
  }

  async delete(key: string): Promise<boolean> {
    return (await this.eval(SCRIPTS.delete, [key], [key])) === 1;
  }

  /** True when calls can be sent now; on the very first use, waits up to timeoutMs for the connection. */
  async available(): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    if (this.everReady || this.state === 'down') return false;
    this.firstReady ??= new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, this.timeoutMs);
      this.client.once('ready', done);
    });
    await this.firstReady;
    return (this.client.status as string) === 'ready';
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    this.client.removeAllListeners();
    this.client.on('error', () => undefined);
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /** LRU score: epoch microseconds, strictly increasing in this process (ms order across processes). */
  private score(now: number): number {
    this.lastScore = Math.max(now * 1000, this.lastScore + 1);
    return this.lastScore;
  }

  private setState(state: RedisState, error?: Error): void {
    if (state === 'up') this.everReady = true;
    if (this.state === state) return;
    this.state = state;
    log('redis %s%s', state, error ? `: ${error.message}` : '');
    this.onState(state, error);
  }

  /** EVALSHA, loading the script on NOSCRIPT; bounded by timeoutMs; a failure marks the tier down. */
  private async eval(s: Script, keys: string[], args: Array<string | Buffer>): Promise<unknown> {
    const p = this.prefix;
    const redisKeys = [`${p}v:${keys[0] ?? ''}`, `${p}lru`, `${p}size`, `${p}bytes`];
    const run = async (): Promise<unknown> => {
      try {
        return await this.client.callBuffer('EVALSHA', [s.sha, redisKeys.length, ...redisKeys, ...args]);
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
        return this.client.callBuffer('EVAL', [s.text, redisKeys.length, ...redisKeys, ...args]);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const reply = await Promise.race([run(), timeout]);
      this.setState('up');
      return reply;
    } catch (error) {
      this.setState('down', error as Error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
