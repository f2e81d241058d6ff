// ioredis, loaded when the first Redis client is made (a coordinator or a result cache's Redis):
// a process that never talks to Redis - most, and every one that only imports ovcache - does not
// pay its loading (~40-70 ms measured on this project's 2-core machine).
import type * as IORedis from 'ioredis';

export type { Redis } from 'ioredis';

export function ioredis(): typeof IORedis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  return require('ioredis') as typeof IORedis;
}
