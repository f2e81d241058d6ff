// Dependencies loaded on first use, not when ovcache is imported: a process that never talks to
// Redis, reads YAML, opens a result store or takes a lock - most, and every one that only imports
// ovcache or starts warm - does not pay for them (measured on this project's 2-core machine:
// ioredis ~40-70 ms, yaml ~20 ms, lmdb with its native addon ~15-20 ms; proper-lockfile with
// graceful-fs, retry and signal-exit is 54 KB of JavaScript, and graceful-fs patches fs.close).
import type * as IORedis from 'ioredis';
import type * as LMDB from 'lmdb';
import type * as ProperLockfile from 'proper-lockfile';
import type * as YAML from 'yaml';

export type { Redis } from 'ioredis';

/** ioredis: by the first Redis client (a fleet coordinator, a result cache's Redis). */
export function ioredis(): typeof IORedis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  return require('ioredis') as typeof IORedis;
}

/** yaml: by the first warm manifest or fleet-options file read. */
export function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  return require('yaml') as typeof YAML;
}

/** lmdb: by the first result store opened (a ResultCache with a folder). */
export function lmdb(): typeof LMDB {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  return require('lmdb') as typeof LMDB;
}

/** proper-lockfile: by the first lock taken or checked (a fill, a removal, a folder lease). */
export function properLockfile(): typeof ProperLockfile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  return require('proper-lockfile') as typeof ProperLockfile;
}
