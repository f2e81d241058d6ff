// The types ModelCache's methods and events take and return.
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { BudgetEvent, BudgetUncachedReason, EvictedEntry } from './budget/events';
import type { EntryManifest } from './entry/manifest';
import type { KeyPartChange, KeyParts } from './key';
import type { PolicyEvent } from './policy/policy';
import type { PolicyView } from './policy/describe';
import type { ShapeVariant } from './dynamic/covers';
import type { GrowthEvent } from './dynamic/growth';

export interface CompileTimings {
  /** Digesting the model files (memoized: near zero on a warm start). */
  fingerprintMs: number;
  /** Reading (and reshaping) the model; 0 on the fast path. */
  readMs: number;
  /** Waiting for another process compiling the same entry. */
  lockWaitMs: number;
  /** OpenVINO's compileModel call: a compile on a miss, an import on a hit. */
  compileMs: number;
  totalMs: number;
}

/**
 * Why a compile ran without the cache: switched off, `cache: false`, a read-only cache without
 * the entry, a lock held too long, OpenVINO failing to write into the entry (a full disk
 * fails the whole compile before OpenVINO 2026.2), or the budget: no room above the volume's
 * free-space floor ('low-space') or under maxBytes ('over-budget'), or the caching policy: loads
 * from the cache were not clearly faster than compiling ('not-worth-it'), or the compile is
 * under minCompileMs ('compile-too-fast').
 */
export type UncachedReason =
  | 'disabled'
  | 'call'
  | 'read-only-miss'
  | 'lock-timeout'
  | 'cache-write-failed'
  | 'cache-dir-unusable'
  | 'cache-not-writable'
  | 'not-worth-it' // the policy's PolicySkip (policy/policy.ts)
  | 'compile-too-fast'
  | BudgetUncachedReason;

export interface CompileResult {
  compiled: RuntimeCompiledModel;
  /** OpenVINO loaded the model from the cache (LOADED_FROM_CACHE), not a guess. */
  hit: boolean;
  /** An entry folder was used (false when the cache was off for this compile). */
  cached: boolean;
  /** The cache key (sha256 hex); null when the cache was switched off. */
  key: string | null;
  parts: KeyParts | null;
  entryDir: string | null;
  uncachedReason: UncachedReason | null;
  timings: CompileTimings;
  /** Set when this compile's entry was copied down from a tier (its name, e.g. "s3://bucket/prefix/"). */
  tier?: string;
  /**
   * 'dynamic' when the model compiled has a dynamic input (a variant made by dynamicShapes, or
   * ranges asked for); 'static' otherwise. Outputs always have the shape of the call's inputs.
   */
  variant?: ShapeVariant;
  /**
   * How a hit was loaded: 'reshaped-ir' when OpenVINO loaded the entry's blob through the path
   * form of the compile's reshaped IR (with `shapes`: the model is not read, reshaped or hashed), else
   * 'openvino' (OpenVINO's own load: the path form of the model file, or a model object).
   */
  warmPath?: 'reshaped-ir' | 'openvino';
}

export interface CacheEvent {
  model: string;
  device: string;
  key: string | null;
  entryDir: string | null;
  hit: boolean;
  cached: boolean;
  uncachedReason: UncachedReason | null;
  timings: CompileTimings;
  /** As CompileResult.variant. */
  variant: ShapeVariant;
}

export interface CacheErrorEvent {
  model: string;
  device: string;
  error: unknown;
}

export interface ModelCacheEvents {
  /** OpenVINO loaded from an entry. */
  hit: [CacheEvent];
  /** An entry was used but OpenVINO compiled (and filled it). */
  miss: [CacheEvent];
  /** OpenVINO compiled: every miss, and every compile without the cache. */
  compile: [CacheEvent];
  /** compile() failed. Emitted only when someone listens (an unheard 'error' would throw). */
  error: [CacheErrorEvent];
  /** The disk budget: warn / exceeded / low-space once per crossing, recovered, evicted, uncached. */
  budget: [BudgetEvent];
  /** The caching policy stopped or resumed caching an entry (policy: 'auto'). */
  policy: [PolicyEvent];
  /** One model (same files, device, config) went over growthWarning's entries: once per crossing. */
  growth: [GrowthEvent];
}

/** Limits for cache.evict(); each defaults to the cache's own budget option. */
export interface EvictOptions {
  /** Evict least recently used entries while usage is above this ("20GB", bytes). */
  maxBytes?: number | string;
  /** Fraction of maxBytes to bring usage down to. Default 1 when maxBytes is given here, else the cache's lowWatermark. */
  lowWatermark?: number;
  /** Evict entries not used for this long ("30d", ms). */
  maxAge?: number | string;
  maxEntriesPerModel?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface EvictionReport {
  dryRun: boolean;
  /** Least recently used first, within each rule. */
  removed: EvictedEntry[];
  /** Planned but left in place: held by another process, already gone, or failed. */
  skipped: Array<{ name: string; key: string | null; status: 'locked' | 'protected' | 'error'; message: string }>;
  bytesFreed: number;
  before: { bytes: number; entries: number };
  after: { bytes: number; entries: number };
}

export interface KeyInfo {
  key: string;
  parts: KeyParts;
  entryDir: string;
}

export interface SimilarEntry {
  key: string;
  entryDir: string;
  differences: KeyPartChange[];
}

export interface KeyExplanation {
  key: string;
  entryDir: string | null;
  /** complete / incomplete: the manifest's state; missing: only known from this process. */
  status: 'complete' | 'incomplete' | 'invalid' | 'missing';
  parts: KeyParts | null;
  manifest: EntryManifest | null;
  /** Readable lines, one per part, then the entry's state. */
  lines: string[];
  /** Entries of the same model, with the parts that differ: why this key missed. */
  similar: SimilarEntry[];
  /** Whether the caching policy caches this key, from the folder's decisions file. */
  policy?: PolicyView;
}
