// Dependencies loaded on first use, not when ovcache is imported: a process that never talks to
// Redis, reads YAML, opens a result store or takes a lock - most, and every one that only imports
// ovcache or starts warm - does not pay for them (measured on this project's 2-core machine:
// ioredis ~40-70 ms, yaml ~20 ms, lmdb with its native addon ~15-20 ms; proper-lockfile with
// graceful-fs, retry and signal-exit is 54 KB of JavaScript, and graceful-fs patches fs.close).
import os from 'node:os';
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

let lockfileModule: typeof ProperLockfile | undefined;

/**
 * proper-lockfile: by the first lock taken or checked (a fill, a removal, a folder lease).
 * Loading it installs signal-exit's signal listeners (to remove held locks). Invariant: they run
 * before the host's: signal-exit re-raises a signal when it finds itself the only listener, and a
 * host's `process.once` handler registered earlier has removed itself by then, so a graceful
 * shutdown would be killed midway. Loaded at import they came first; loaded now, they are moved
 * to the front.
 */
export function properLockfile(): typeof ProperLockfile {
  if (lockfileModule) return lockfileModule;
  const signals = Object.keys(os.constants.signals);
  const before = new Map(signals.map((name) => [name, process.listeners(name as NodeJS.Signals)]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  lockfileModule = require('proper-lockfile') as typeof ProperLockfile;
  for (const name of signals as NodeJS.Signals[]) {
    const added = process.listeners(name).filter((listener) => !before.get(name)?.includes(listener));
    for (const listener of added.reverse()) {
      process.removeListener(name, listener);
      process.prependListener(name, listener);
    }
  }
  return lockfileModule;
}
