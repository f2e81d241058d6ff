// Public surface of the result cache.
export { ResultCache } from './result-cache';
export type { ResultSetOptions, GetOrComputeOptions, ResultCacheInternals } from './options';
export type { GetOrComputeResult, ResultKeyExplanation } from './events';
export type { BlobCheck } from './blob-files';
export type { ResultCacheOptions } from './options';
export { defaultResultsDir } from './options';
export type { ResultParts, ResultKeyParts, ResultInputIdentity } from './key';
export { RESULT_KEY_FORMAT } from './key';
export type { ResultValue, FileRef } from './value';
export type { JsonValue } from './canonical';
export type {
  ResultCacheEvents,
  ResultCacheStats,
  ResultCacheErrorEvent,
  ResultLookupEvent,
  ResultEvictEvent,
  ResultRedisEvent,
  ResultTier,
} from './events';
export type { StoreCounters, StoredEntry, EntryRecord } from './store-records';
