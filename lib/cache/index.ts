// Public surface of the model cache.
export { ModelCache } from './model-cache';
export {
  type CompileResult,
  type CompileTimings,
  type UncachedReason,
  type CacheEvent,
  type CacheErrorEvent,
  type ModelCacheEvents,
  type KeyInfo,
  type KeyExplanation,
  type SimilarEntry,
  type EvictOptions,
  type EvictionReport,
} from './compile-types';
export type { BudgetOptions } from './budget/options';
export type { BudgetEvent, BudgetCondition, BudgetUncachedReason, EvictedEntry } from './budget/events';
export type { BudgetStatus, CacheUsage } from './budget/status';
export type { ModelCacheOptions, CompileOptions } from './options';
export type { CacheStats } from './stats';
export { defaultCacheDir, type DefaultDir } from './default-dir';
export { CACHEDIR_TAG, cacheLayout, type CacheLayout } from './entry/layout';
export {
  deriveKey,
  canonicalJson,
  diffKeyParts,
  describeKeyParts,
  shortKey,
  KEY_FORMAT,
  type KeyParts,
  type KeyPartChange,
  type FileIdentity,
  type InputIdentity,
} from './key';
export { canonicalConfig } from './config-canon';
export { entryName } from './entry/name';
export { Fingerprinter, sha256File, type FileFingerprint } from './fingerprint';
export { MANIFEST_FILE, readManifest, parseManifest, type EntryManifest, type ManifestRead, type EntrySource } from './entry/manifest';
export {
  ModelRegistry,
  type ModelRegistryOptions,
  type RegistryGetOptions,
  type RegistryLoadEvent,
  type RegistryUnloadEvent,
  type RegistryEvents,
  type RegistryLoader,
  type LoadedModel,
  type ModelDefinition,
} from './registry';
// Inspection and removal, as the CLI uses them.
export { scanCache, type CacheScan, type ScannedEntry, type ScanOptions, type StaleReason, type EntryState } from './scan';
export { verifyCache, fixCache, type VerifyReport, type Problem, type ProblemKind } from './verify';
export { planEviction, type EvictionPlan, type EvictionPolicy, type EvictionReason } from './eviction/plan';
export { removeEntry, type RemoveOptions, type RemoveResult } from './entry/remove';
export { volumeStats } from './volume';
