// The Redis tier (ioredis). Every call is bounded by `timeoutMs`; a failed or late call marks
// the tier down and the caller carries on without it. While the tier is down no call is sent
// at all, so a Redis that is gone or frozen (SIGSTOP: its socket open, nothing coming back)
// costs nothing per request and nothing more piles up in the client's queue: a background
// probe (PING over a short-lived connection of its own, bounded, with backoff, on an unref'd
// timer stopped by close) brings the tier back up, and so does the client's own reconnection.
// Listeners are put on the client once and taken off by close(), also on a caller's client.
import crypto from 'node:crypto';
import { ioredis, type Redis } from '../deferred-deps';
import { logger } from '../log';
import { DELETE_SCRIPT, GET_SCRIPT, SET_SCRIPT } from './redis-scripts';

const log = logger('results:redis');

export type RedisState = 'up' | 'down';

export interface RedisSetOutcome {
  byCount: number;
  byBytes: number;
  expired: number;
  /** Set when the namespace keeps other limits: nothing was written or evicted (their description). */
  limitsOfNamespace?: string;
}

interface Script {
  text: string;
  sha: string;
}

function script(text: string): Script {
  return { text, sha: crypto.createHash('sha1').update(text).digest('hex') };
}

const SCRIPTS = { get: script(GET_SCRIPT), set: script(SET_SCRIPT), delete: script(DELETE_SCRIPT) };

/** The first probe after the tier goes down, and the longest pause between probes. */
export const PROBE_FIRST_MS = 100;
export const PROBE_MAX_MS = 5000;
/** A namespace's limits record outlives the last write under those limits by this long. */
export const LIMITS_HOLD_MS = 3_600_000;

/** "maxEntries=1000, maxBytes=0": the limits a namespace is kept to. */
export function describeLimits(limits: { maxEntries: number; maxBytes: number }): string {
  return `maxEntries=${limits.maxEntries}, maxBytes=${limits.maxBytes}`;
}

export class RedisTier {
  readonly client: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private state: RedisState | 'connecting' = 'connecting';
  private everReady = false;
  private closed = false;
  private lastScore = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeDelayMs = PROBE_FIRST_MS;
  private warnedLimits = false;
  /** One shared wait for the first connection, however many callers ask at once. */
  private firstReady: Promise<void> | undefined;
  private readonly listeners = {
    ready: (): void => this.setState('up'),
    close: (): void => this.setState('down'),
    error: (error: Error): void => {
      log('redis error: %s', error.message);
      this.setState('down', error);
    },
  };

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
        ? new (ioredis().Redis)(redis, {
            // No offline queue: a command is sent at once or refused, never parked.
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            commandTimeout: timeoutMs,
            connectTimeout: Math.max(1000, timeoutMs),
            retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
          })
        : redis;
    this.client.on('ready', this.listeners.ready);
    this.client.on('close', this.listeners.close);
    this.client.on('error', this.listeners.error);
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
    const mine = describeLimits({ maxEntries, maxBytes: limits.maxBytes });
    const args = [
      frame,
      String(Math.ceil(ttlMs)),
      String(this.score(now)),
      key,
      String(frame.length),
      String(maxEntries),
      String(limits.maxBytes),
      `${this.prefix}v:`,
      mine,
      String(LIMITS_HOLD_MS),
    ];
    const reply = (await this.eval(SCRIPTS.set, [key], args)) as [number, number, number, Buffer?];
    if (reply[0] === -1) {
      const theirs = String(reply[3]);
      this.warnLimits(mine, theirs);
      return { byCount: 0, byBytes: 0, expired: 0, limitsOfNamespace: theirs };
    }
    return { byCount: reply[0], byBytes: reply[1], expired: reply[2] };
  }

  async delete(key: string): Promise<boolean> {
    return (await this.eval(SCRIPTS.delete, [key], [key])) === 1;
  }

  /**
   * True when calls can be sent now. Never waits while the tier is down; on the very first
   * use, waits up to timeoutMs for the connection.
   */
  async available(): Promise<boolean> {
    if (this.closed || this.state === 'down') return false;
    if (this.client.status === 'ready') return true;
    if (this.everReady) return false;
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
    return (this.client.status as string) === 'ready' && !this.closed;
  }

  /** Stops the probe and takes this tier's listeners off the client; QUITs a client it created (bounded). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.probeTimer);
    this.client.off('ready', this.listeners.ready);
    this.client.off('close', this.listeners.close);
    this.client.off('error', this.listeners.error);
    if (!this.owned) return;
    this.client.on('error', () => undefined); // late socket errors of a client being dropped
    if (this.client.status === 'ready' && this.state !== 'down') {
      await this.bounded(this.client.quit()).catch(() => undefined);
    }
    this.client.disconnect();
  }

  /** LRU score: epoch microseconds, strictly increasing in this process (ms order across processes). */
  private score(now: number): number {
    this.lastScore = Math.max(now * 1000, this.lastScore + 1);
    return this.lastScore;
  }

  private setState(state: RedisState, error?: Error): void {
    if (this.closed) return;
    if (state === 'up') {
      this.everReady = true;
      clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
      this.probeDelayMs = PROBE_FIRST_MS;
    } else if (this.probeTimer === undefined) {
      this.scheduleProbe();
    }
    if (this.state === state) return;
    this.state = state;
    log('redis %s%s', state, error ? `: ${error.message}` : '');
    this.onState(state, error);
  }

  /**
   * While down: PING now and then (backoff up to PROBE_MAX_MS); an answer brings the tier up.
   * The PING goes over a connection of its own (client.duplicate()), closed after each round:
   * a frozen Redis keeps every unanswered command in its client's queue (a timeout rejects the
   * caller, it does not dequeue), so probing on the client itself would pile up one per round.
   */
  private scheduleProbe(): void {
    this.probeTimer = setTimeout(() => {
      const probe = this.client.status === 'ready' ? this.bounded(this.pingAside()) : Promise.reject(new Error('not connected'));
      probe.then(
        () => this.setState('up'),
        () => {
          if (this.closed || this.state !== 'down') return;
          this.probeDelayMs = Math.min(this.probeDelayMs * 2, PROBE_MAX_MS);
          this.scheduleProbe();
        },
      );
    }, this.probeDelayMs);
    this.probeTimer.unref();
  }

  /** PING over a short-lived copy of the client's connection; the copy is dropped whatever happens. */
  private async pingAside(): Promise<void> {
    const aside = this.client.duplicate({
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      commandTimeout: this.timeoutMs,
      connectTimeout: Math.max(1000, this.timeoutMs),
    });
    aside.on('error', () => undefined); // its failure is the probe's answer
    const drop = setTimeout(() => aside.disconnect(), this.timeoutMs);
    try {
      await aside.connect();
      await aside.ping();
    } finally {
      clearTimeout(drop);
      aside.disconnect();
    }
  }

  /** Rejects after timeoutMs whatever the client does (a caller's client may have no commandTimeout). */
  private async bounded<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Once per tier: a `redis` event saying why this cache does not write to the namespace. */
  private warnLimits(mine: string, theirs: string): void {
    if (this.warnedLimits) return;
    this.warnedLimits = true;
    const message =
      `The Redis namespace "${this.prefix}" is kept to ${theirs} by other caches; this one (${mine}) ` +
      "does not write to it, so that neither evicts the other's entries. Give each application its own " +
      '`namespace` option, or the same maxEntries and maxBytes.';
    log('%s', message);
    this.onState(this.state === 'down' ? 'down' : 'up', new Error(message));
  }

  /** EVALSHA, loading the script on NOSCRIPT; bounded by timeoutMs; a failure marks the tier down. */
  private async eval(s: Script, keys: string[], args: Array<string | Buffer>): Promise<unknown> {
    const p = this.prefix;
    const redisKeys = [`${p}v:${keys[0] ?? ''}`, `${p}lru`, `${p}size`, `${p}bytes`, `${p}limits`];
    const run = async (): Promise<unknown> => {
      try {
        return await this.client.callBuffer('EVALSHA', [s.sha, redisKeys.length, ...redisKeys, ...args]);
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
        return this.client.callBuffer('EVAL', [s.text, redisKeys.length, ...redisKeys, ...args]);
      }
    };
    try {
      const reply = await this.bounded(run());
      this.setState('up');
      return reply;
    } catch (error) {
      this.setState('down', error as Error);
      throw error;
    }
  }
}
