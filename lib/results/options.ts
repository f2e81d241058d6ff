// ResultCache options, of the cache and of its calls: checked and given their defaults here; nothing below sees raw input.
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { SharedMode } from '../cache/cache-dir';
import type { BlobCheck } from './blob-files';
import { defaultCacheDir } from '../cache/default-dir';
import { RESULTS_DIR } from '../cache/entry/layout';
import { parseDuration, parseSize } from '../format/units';
import { isTruthyFlag } from '../log';
import { expectIntegerInRange, expectPlainObject, expectString, invalidArgument, rejectUnknownOptions } from '../openvino/validate';

/** The result store's folder inside an ovcache cache folder (the scan treats it as bookkeeping). */
export { RESULTS_DIR };

/** The longest redisTimeout: a Redis call that takes longer is a Redis that is down. */
export const MAX_REDIS_TIMEOUT_MS = 60_000;

export interface ResultCacheOptions {
  /** The results folder. Default: "results" inside the ovcache cache folder (OVCACHE_DIR, else the user cache folder). false: no embedded store (Redis only). */
  dir?: string | false;
  /**
   * Who may share the results folder, as ModelCache's shared option: false (default), the folder
   * must be yours and writable by nobody else; 'group', shared by the folder's group (folders
   * 2770). A folder others can write into is refused (OVCACHE_CACHE_DIR_INSECURE) either way.
   */
  shared?: 'group' | false;
  /** How long an entry lives: "24h" (default), "7d", a number of ms; 0 = until evicted. */
  ttl?: string | number;
  /** At most this many entries (default 1000); least recently used ones go first. */
  maxEntries?: number;
  /** At most this many bytes of stored results ("2GB"); default: no byte limit. */
  maxBytes?: string | number;
  /** A Redis URL ("redis://127.0.0.1:6379/0") or an ioredis client: the shared tier of a cluster. */
  redis?: string | Redis;
  /** Prefix of every Redis key (default "ovcache:results:"). */
  namespace?: string;
  /** Longest wait for one Redis call before going on without it (default 250 ms, at most 1 min). */
  redisTimeout?: string | number;
  /** false: every request bypasses the cache; a predicate: bypass when it returns false for the params. */
  cacheable?: boolean | ((params: unknown) => boolean);
}

export interface ResolvedResultOptions {
  dir: string | null;
  shared: SharedMode;
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
  redis: string | Redis | null;
  namespace: string;
  redisTimeoutMs: number;
  cacheable: boolean | ((params: unknown) => boolean);
  /** OVCACHE_RESULTS_DISABLE was set when the cache was created. */
  disabledByEnv: boolean;
}

const KNOWN = ['dir', 'shared', 'ttl', 'maxEntries', 'maxBytes', 'redis', 'namespace', 'redisTimeout', 'cacheable'] as const;

export function defaultResultsDir(env: Record<string, string | undefined> = process.env): string {
  return path.join(defaultCacheDir({ env }).dir, RESULTS_DIR);
}

export function resolveResultOptions(
  input: ResultCacheOptions = {},
  env: Record<string, string | undefined> = process.env,
): ResolvedResultOptions {
  const options = expectPlainObject(input, 'ResultCache options') as ResultCacheOptions;
  rejectUnknownOptions(options as Record<string, unknown>, KNOWN, 'ResultCache');
  let dir: string | null;
  if (options.dir === false) dir = null;
  else if (options.dir === undefined) dir = defaultResultsDir(env);
  else dir = path.resolve(expectString(options.dir, 'options.dir', 'a folder path or false'));
  if (options.shared !== undefined && options.shared !== false && options.shared !== 'group') {
    throw invalidArgument('"group" or false', 'options.shared', options.shared);
  }
  const redis = options.redis ?? null;
  if (
    redis !== null &&
    typeof redis !== 'string' &&
    (typeof redis !== 'object' || typeof (redis as { callBuffer?: unknown }).callBuffer !== 'function')
  ) {
    throw invalidArgument('a Redis URL or an ioredis client', 'options.redis', redis);
  }
  if (typeof redis === 'string' && !/^rediss?:\/\//.test(redis))
    throw invalidArgument('a redis:// or rediss:// URL', 'options.redis', redis);
  if (dir === null && redis === null)
    throw invalidArgument('a Redis URL or client when dir is false (there would be no store)', 'options.redis', redis);
  const cacheable = options.cacheable ?? true;
  if (typeof cacheable !== 'boolean' && typeof cacheable !== 'function') {
    throw invalidArgument('a boolean or a function (params) => boolean', 'options.cacheable', cacheable);
  }
  return {
    dir,
    shared: options.shared === 'group' ? 'group' : 'owner',
    ttlMs: parseDuration(options.ttl ?? '24h', 'options.ttl'),
    maxEntries: options.maxEntries === undefined ? 1000 : expectIntegerInRange(options.maxEntries, 'options.maxEntries', 1),
    maxBytes: options.maxBytes === undefined ? 0 : parseSize(options.maxBytes, 'options.maxBytes'),
    redis,
    namespace: options.namespace === undefined ? 'ovcache:results:' : expectString(options.namespace, 'options.namespace'),
    redisTimeoutMs: parseDuration(options.redisTimeout ?? 250, 'options.redisTimeout', { max: MAX_REDIS_TIMEOUT_MS }),
    cacheable,
    disabledByEnv: isTruthyFlag(env.OVCACHE_RESULTS_DISABLE),
  };
}

export interface ResultSetOptions {
  /** This entry's TTL instead of the cache's. */
  ttl?: string | number;
  /** What producing the value cost (ms): stats().timeSavedMs adds it up over hits. */
  computeMs?: number;
}

export interface GetOrComputeOptions {
  cacheable?: boolean;
  ttl?: string | number;
  signal?: AbortSignal;
}

/**
 * Seams for tests and benchmarks, not options a service sets.
 * @internal
 */
export interface ResultCacheInternals {
  /** The clock (epoch ms) for TTLs, expiry and last use. Default Date.now. */
  now?: () => number;
  /** When blob bytes are checked against their digest (local-store.ts). Default 'per-identity'. */
  blobCheck?: BlobCheck;
}
