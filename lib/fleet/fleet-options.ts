// Options of the tiers below a local cache, checked here so the rest of lib/fleet sees only
// valid values. The same object is accepted in code and in a warm manifest (JSON or YAML).
import { expectIntegerInRange, expectPlainObject, expectString, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import type { FolderTierOptions } from './folder-tier';
import type { RedisCoordinatorOptions } from './redis-lease';
import type { S3TierOptions } from './s3-tier';
import { resolveTrustOptions, type ResolvedTrust, type TrustOptions } from '../trust/trust-options';

export type TierOptions = FolderTierOptions | S3TierOptions;

export interface FleetOptions {
  /** Tried in order on a local miss; a local fill is published to every writable one. */
  tiers: TierOptions[];
  /** Who compiles what: a Redis lease instead of the first writable tier's own lease. */
  coordinator?: RedisCoordinatorOptions;
  /** 'background' (default): a compile returns before its entry is published; 'sync' waits. */
  publish?: 'background' | 'sync';
  /** Deadline of each tier call, ms (file transfers add 1 s per 8 MiB). Default 5000. */
  timeoutMs?: number;
  /** A tier that failed is skipped for this long before it is tried again, ms. Default 30000. */
  retryAfterMs?: number;
  /** A lease its holder stopped renewing expires after this long, ms. Default 30000. */
  leaseTtlMs?: number;
  /** How long to wait for another process's compile before compiling too, ms. Default 300000. */
  leaseWaitMs?: number;
  /** How often a waiting process looks for the published entry, ms. Default 250. */
  pollMs?: number;
  /**
   * Signed entries (docs/fleet.md, Trust): sign what is published, accept from a tier only what
   * a trusted key signed. Default: OVCACHE_SIGNING_KEY / OVCACHE_TRUSTED_KEYS, else none.
   */
  trust?: TrustOptions;
}

export interface ResolvedFleetOptions {
  tiers: TierOptions[];
  coordinator: RedisCoordinatorOptions | undefined;
  publish: 'background' | 'sync';
  timeoutMs: number;
  retryAfterMs: number;
  leaseTtlMs: number;
  leaseWaitMs: number;
  pollMs: number;
  /** The trust option's keys, loaded; undefined when not given (the Fleet then reads the environment). */
  trust: ResolvedTrust | undefined;
}

const FLEET_OPTIONS = [
  'tiers',
  'coordinator',
  'publish',
  'timeoutMs',
  'retryAfterMs',
  'leaseTtlMs',
  'leaseWaitMs',
  'pollMs',
  'trust',
] as const;
const HOUR = 3_600_000;

/** A redis:// or rediss:// URL that parses; the message never repeats a password. */
function checkRedisUrl(value: string, name: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:')
    throw invalidArgument('a redis:// or rediss:// URL (redis://host:6379)', name, value.replace(/\/\/[^@/]*@/, '//'));
}

function checkTier(value: unknown, name: string): TierOptions {
  const t = expectPlainObject(value, name);
  if (t.readOnly !== undefined && typeof t.readOnly !== 'boolean') throw invalidArgument('a boolean', `${name}.readOnly`, t.readOnly);
  if ('s3' in t) {
    rejectUnknownOptions(t, ['s3', 'readOnly'], name);
    const s3 = expectPlainObject(t.s3, `${name}.s3`);
    rejectUnknownOptions(s3, ['bucket', 'prefix', 'endpoint', 'region', 'credentials'], `${name}.s3`);
    expectString(s3.bucket, `${name}.s3.bucket`);
    for (const field of ['prefix', 'endpoint', 'region'] as const)
      if (s3[field] !== undefined && typeof s3[field] !== 'string') throw invalidArgument('a string', `${name}.s3.${field}`, s3[field]);
    if (s3.credentials !== undefined) {
      const c = expectPlainObject(s3.credentials, `${name}.s3.credentials`);
      // The AWS SDK writes markers such as `$source` into a credentials object it was given: one
      // the caller shares with its own S3 client is accepted (ovcache copies only the three fields).
      const own = Object.fromEntries(Object.entries(c).filter(([k]) => !k.startsWith('$')));
      rejectUnknownOptions(own, ['accessKeyId', 'secretAccessKey', 'sessionToken'], `${name}.s3.credentials`);
      expectString(c.accessKeyId, `${name}.s3.credentials.accessKeyId`);
      expectString(c.secretAccessKey, `${name}.s3.credentials.secretAccessKey`);
    }
    return t as unknown as S3TierOptions;
  }
  if ('path' in t) {
    rejectUnknownOptions(t, ['path', 'readOnly', 'shared'], name);
    expectString(t.path, `${name}.path`);
    if (t.shared !== undefined && t.shared !== false && t.shared !== 'group')
      throw invalidArgument('"group" or false', `${name}.shared`, t.shared);
    return t as unknown as FolderTierOptions;
  }
  throw invalidArgument('a tier ({ path } or { s3: { bucket } })', name, value);
}

export function resolveFleetOptions(options: FleetOptions, where = 'tiers'): ResolvedFleetOptions {
  const o = expectPlainObject(options, where);
  rejectUnknownOptions(o, FLEET_OPTIONS, where);
  if (!Array.isArray(o.tiers)) throw invalidArgument('a list of tiers', `${where}.tiers`, o.tiers);
  const tiers = o.tiers.map((t, i) => checkTier(t, `${where}.tiers[${i}]`));
  let coordinator: RedisCoordinatorOptions | undefined;
  if (o.coordinator !== undefined) {
    const c = expectPlainObject(o.coordinator, `${where}.coordinator`);
    rejectUnknownOptions(c, ['redis', 'keyPrefix'], `${where}.coordinator`);
    checkRedisUrl(expectString(c.redis, `${where}.coordinator.redis`, 'a redis:// URL'), `${where}.coordinator.redis`);
    if (c.keyPrefix !== undefined) expectString(c.keyPrefix, `${where}.coordinator.keyPrefix`);
    coordinator = c as unknown as RedisCoordinatorOptions;
  }
  if (o.publish !== undefined && o.publish !== 'background' && o.publish !== 'sync')
    throw invalidArgument('"background" or "sync"', `${where}.publish`, o.publish);
  const ms = (name: (typeof FLEET_OPTIONS)[number], fallback: number, min: number): number =>
    o[name] === undefined ? fallback : expectIntegerInRange(o[name], `${where}.${name}`, min, 24 * HOUR);
  return {
    tiers,
    coordinator,
    publish: o.publish ?? 'background',
    timeoutMs: ms('timeoutMs', 5000, 1),
    retryAfterMs: ms('retryAfterMs', 30_000, 0),
    leaseTtlMs: ms('leaseTtlMs', 30_000, 2000),
    leaseWaitMs: ms('leaseWaitMs', 300_000, 0),
    pollMs: ms('pollMs', 250, 10),
    trust: o.trust === undefined ? undefined : resolveTrustOptions(o.trust, `${where}.trust`),
  };
}
