// ModelCache: OpenVINO's CACHE_DIR with keys a person can read, one folder per entry,
// cross-process locking and a switch that really switches it off. docs/caching.md explains
// the design; the invariants code relies on are stated where they are kept.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OvcacheError } from '../errors';
import { logger } from '../log';
import type { CompiledModel } from '../openvino/compiled-model';
import type { Core } from '../openvino/core';
import { Model } from '../openvino/model';
import type { OpenVINO } from '../openvino/openvino';
import type { CompileConfig } from '../openvino/properties';
import { formatPartialShape } from '../openvino/shapes';
import { expectIntegerInRange, expectPlainObject, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import { writeFileAtomic } from '../fs/atomic-write';
import { floorBytes, hasFloor, hasLimits, resolveBudget, type ResolvedBudget } from './budget/options';
import { Crossings, type BudgetCondition, type BudgetEvent, type BudgetUncachedReason, type EvictedEntry } from './budget/events';
import { budgetStatus, usageFromScan, type BudgetStatus, type CacheUsage } from './budget/status';
import { estimateEntryBytes, MIN_LEARN_WEIGHT_BYTES, SIZE_FACTORS_FILE, SizeFactors } from './budget/size-factors';
import { ensureCacheDir, makeOwnerOnlyDir } from './cache-dir';
import { cacheLayout, type CacheLayout } from './entry/layout';
import { canonicalConfig } from './config-canon';
import { entryName, sanitizeLabel, shortKeyOfEntryName } from './entry/name';
import { byPolicy, runEviction, type SkippedRemoval } from './eviction/driver';
import type { EvictionReason } from './eviction/plan';
import { beginLoad, clearEvictingMarker } from './entry/load-marker';
import { Fingerprinter, type FileFingerprint } from './fingerprint';
import {
  describeKeyParts,
  deriveKey,
  diffKeyParts,
  KEY_FORMAT,
  type FileIdentity,
  type InputIdentity,
  type KeyPartChange,
  type KeyParts,
} from './key';
import { acquireLock, tryAcquireLock } from './entry/lock';
import { MANIFEST_FILE, readManifest, writeManifest, type EntryFile, type EntryManifest, type EntrySource } from './entry/manifest';
import {
  resolveCompileOptions,
  resolveOptions,
  type CompileOptions,
  type ModelCacheOptions,
  type ResolvedCompileOptions,
  type ResolvedOptions,
} from './options';
import { scanCache, type ScannedEntry } from './scan';
import { SingleFlight } from './single-flight';
import { emptyStats, type CacheStats } from './stats';
import { tryVolumeStats, type VolumeStats } from './volume';

const log = logger('cache');

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
 * free-space floor ('low-space') or under maxBytes ('over-budget').
 */
export type UncachedReason =
  | 'disabled'
  | 'call'
  | 'read-only-miss'
  | 'lock-timeout'
  | 'cache-write-failed'
  | 'cache-dir-unusable'
  | 'cache-not-writable'
  | BudgetUncachedReason;

export interface CompileResult {
  compiled: CompiledModel;
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
}

/** Limits for cache.evict() / cache.prune(); each defaults to the cache's own budget option. */
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
  skipped: Array<{ name: string; key: string | null; status: SkippedRemoval['status']; message: string }>;
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
}

interface Prepared {
  xml: string;
  xmlMtimeNs: string;
  xmlSize: number;
  /** The model object to compile (shapes given or a Model passed); undefined on the path fast path. */
  modelObject: Model | undefined;
  ownsModel: boolean;
  parts: KeyParts;
  key: string;
  entryDir: string;
  fingerprintMs: number;
  readMs: number;
}

/** Internal result with what the statistics need. */
interface Outcome extends CompileResult {
  savedMs: number;
  /** Bytes this compile added to its entry folder. */
  wroteBytes: number;
}

/** One budget pass: what was measured and removed. */
interface Enforced {
  usedBytes: number;
  entries: number;
  volume: VolumeStats | null;
  removed: EvictedEntry[];
  bytesFreed: number;
}

const EVICT_OPTIONS = ['maxBytes', 'lowWatermark', 'maxAge', 'maxEntriesPerModel', 'dryRun'] as const;

// Model inputs by .xml digest: they follow from the file's content, so they are learned once.
const inputsByXml = new Map<string, InputIdentity[]>();
const INPUTS_MEMO_FORMAT = 1;

const BLOB = /\.blob$/;

/** A name of a file directly in a folder: no separators, not "." or "..", no control characters. */
function isPlainFileName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name !== '.' && name !== '..' && name.length > 0 && !/[/\\\x00-\x1f]/.test(name);
}

export class ModelCache extends EventEmitter<ModelCacheEvents> {
  /** The cache folder (created on the first cached compile, never when switched off). */
  readonly dir: string;
  /** False when switched off (enabled: false or OVCACHE_DISABLE). */
  readonly enabled: boolean;
  readonly readOnly: boolean;
  /** Why the cache is off: 'option', 'OVCACHE_DISABLE', or null. */
  readonly disabledBy: 'option' | 'OVCACHE_DISABLE' | null;
  private readonly options: ResolvedOptions;
  private readonly layout: CacheLayout;
  private ownCore: Core | undefined;
  private layoutReady = false;
  private fingerprinter: Fingerprinter | undefined;
  private fingerprinterOnDisk = false;
  private readonly flights = new SingleFlight<string, Outcome>();
  private readonly devices = new Map<string, KeyParts['device']>();
  private readonly knownParts = new Map<string, KeyInfo>();
  private readonly lastTouch = new Map<string, number>();
  private readonly pendingHits = new Map<string, { hits: number; importMs: number }>();
  private readonly background = new Set<Promise<void>>();
  private counters: CacheStats = emptyStats();
  private disposedFlag = false;
  // ---- budget state (see "Budget" in docs/caching.md) ----
  private readonly budget: ResolvedBudget;
  /** Keys eviction must not take: compiling now, or held (the registry's loaded models). */
  private readonly protectedCounts = new Map<string, number>();
  /** Last use of keys this process loaded, newer than their manifests when touches are throttled. */
  private readonly lastUse = new Map<string, number>();
  /** Entry bytes and count as last measured, kept up to date on writes and evictions: the warm path reads only this. */
  private usageEstimate: { bytes: number; entries: number } | null = null;
  private lastVolume: VolumeStats | null = null;
  private readonly crossings = new Crossings();
  private readonly sizeFactors: SizeFactors;
  private budgetQueue: Promise<unknown> = Promise.resolve();
  private monitorTimer: NodeJS.Timeout | undefined;
  private monitorRunning = false;

  constructor(options: ModelCacheOptions) {
    super();
    this.options = resolveOptions(options);
    this.dir = this.options.dir;
    this.enabled = this.options.enabled;
    this.readOnly = this.options.readOnly;
    this.disabledBy = this.options.disabledBy;
    this.layout = cacheLayout(this.dir);
    this.budget = this.options.budget;
    this.sizeFactors = new SizeFactors(this.enabled && !this.readOnly ? path.join(this.layout.fingerprints, SIZE_FACTORS_FILE) : undefined);
    if (this.budget.monitorIntervalMs !== null && this.enabled) this.startMonitor(this.budget.monitorIntervalMs);
    log(
      'cache %s (%s)%s',
      this.dir,
      this.options.dirSource,
      this.enabled
        ? this.readOnly
          ? ', read-only'
          : ''
        : `, switched off by ${this.disabledBy === 'option' ? 'enabled: false' : 'OVCACHE_DISABLE'}`,
    );
  }

  /** The Core compiles run on: the one given, or one created from `runtime` on first use. */
  get core(): Core {
    if (this.options.core) return this.options.core;
    this.ownCore ??= (this.options.runtime as OpenVINO).createCore();
    return this.ownCore;
  }

  get runtime(): OpenVINO {
    return this.options.core?.runtime ?? (this.options.runtime as OpenVINO);
  }

  /** Counters since creation (or resetStats()). A copy: safe to keep. */
  stats(): CacheStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  /**
   * Compiles `model` (an .xml path or a Model) for a device, through the cache: a hit loads
   * the entry's blob, a miss compiles and fills the entry. The caller owns the CompiledModel.
   */
  async compile(model: string | Model, options: CompileOptions): Promise<CompileResult> {
    const started = performance.now();
    this.checkNotDisposed();
    const opts = resolveCompileOptions(options);
    checkModelArgument(model);
    const label = typeof model === 'string' ? path.resolve(model) : model.path;
    try {
      const outcome =
        this.enabled && opts.cache
          ? await this.compileCached(model, opts, started)
          : await this.compileUncached(model, opts, started, undefined, this.enabled ? 'call' : 'disabled');
      this.record(label, opts.device, outcome);
      if (outcome.cached && outcome.key) this.noteUse(outcome.key);
      if (this.budgetActive) await this.afterCompile(outcome);
      const { savedMs: _saved, wroteBytes: _wrote, ...result } = outcome;
      return result;
    } catch (error) {
      this.counters.errors++;
      log('compile %s for %s failed: %s', label, opts.device, (error as Error).message);
      if (this.listenerCount('error') > 0) this.emit('error', { model: label, device: opts.device, error });
      throw error;
    }
  }

  /** The key a compile would use, with its parts and entry folder, without compiling. */
  async keyFor(model: string | Model, options: CompileOptions): Promise<KeyInfo> {
    this.checkNotDisposed();
    const opts = resolveCompileOptions(options, 'cache.keyFor()');
    checkModelArgument(model);
    const prep = await this.prepare(model, opts);
    if (prep.ownsModel) prep.modelObject?.dispose();
    return { key: prep.key, parts: prep.parts, entryDir: prep.entryDir };
  }

  /**
   * What a key is made of, the state of its entry, and how it differs from the other entries
   * of the same model: the answer to "why did this compile miss?". Accepts a unique prefix
   * of at least 8 hex digits.
   */
  async explain(keyOrPrefix: string): Promise<KeyExplanation> {
    if (typeof keyOrPrefix !== 'string' || !/^[0-9a-f]{8,64}$/.test(keyOrPrefix)) {
      throw invalidArgument('a cache key (8 to 64 hex digits)', 'key', keyOrPrefix);
    }
    const entries = await this.listEntryFolders();
    const matches = new Map<string, string>();
    for (const info of this.knownParts.values()) if (info.key.startsWith(keyOrPrefix)) matches.set(info.key, info.entryDir);
    const candidates = entries.filter((e) => {
      const short = shortKeyOfEntryName(e);
      return short !== undefined && (short.startsWith(keyOrPrefix) || keyOrPrefix.startsWith(short));
    });
    for (const name of candidates) {
      const read = await readManifest(path.join(this.layout.entries, name));
      if (read.status === 'ok' && read.manifest.key.startsWith(keyOrPrefix))
        matches.set(read.manifest.key, path.join(this.layout.entries, name));
      else if (read.status !== 'ok' && keyOrPrefix.length <= 12) matches.set(`?${name}`, path.join(this.layout.entries, name));
    }
    if (matches.size === 0)
      throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `No cache entry with key ${keyOrPrefix} in ${this.layout.entries}`);
    if (matches.size > 1) {
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Key prefix ${keyOrPrefix} matches ${matches.size} entries; give more digits`);
    }
    const [[found, entryDir]] = [...matches] as [[string, string]];
    const read = await readManifest(entryDir);
    let parts: KeyParts | null = this.knownParts.get(found)?.parts ?? null;
    let manifest: EntryManifest | null = null;
    let status: KeyExplanation['status'] = 'missing';
    if (read.status === 'ok') {
      manifest = read.manifest;
      parts = manifest.parts;
      status = manifest.complete ? 'complete' : 'incomplete';
    } else if (read.status === 'invalid') {
      status = 'invalid';
    }
    const key = manifest?.key ?? found.replace(/^\?/, '');
    const lines = [`key       ${key}`, `entry     ${entryDir}`, ...(parts ? describeKeyParts(parts) : [])];
    if (manifest) {
      lines.push(
        `state     ${status}, ${manifest.bytes} bytes in ${manifest.files.length} file(s), ${manifest.hits} hit(s)`,
        `created   ${manifest.createdAt}, last used ${manifest.lastUsedAt}`,
        `times     compile ${manifest.compileMs ?? '-'} ms, last load ${manifest.importMs ?? '-'} ms`,
      );
    } else {
      lines.push(`state     ${read.status === 'invalid' ? `invalid manifest (${read.reason})` : 'no entry on disk'}`);
    }
    const similar = parts ? await this.similarEntries(key, parts, entries) : [];
    for (const s of similar) {
      lines.push(
        `differs from ${path.basename(s.entryDir)}: ${s.differences.map((d) => `${d.part} ${d.after ?? '-'} (there: ${d.before ?? '-'})`).join('; ')}`,
      );
    }
    return { key, entryDir, status, parts, manifest, lines, similar };
  }

  // ---- budget ----

  /**
   * Bytes and entries in all, by model and by device, what no entry accounts for, the volume's
   * free and total space, and how far along each budget limit is. Scans the folder.
   */
  async usage(): Promise<CacheUsage> {
    const [scan, volume] = await Promise.all([scanCache(this.dir, { checkModels: false }), this.statVolume()]);
    this.usageEstimate = { bytes: scan.totals.bytes, entries: scan.totals.entries };
    const entries = this.withLastUse(scan.entries);
    return usageFromScan(scan, volume, budgetStatus(this.budget, scan.totals.bytes, entries, volume, Date.now()));
  }

  /**
   * Evicts now: least recently used entries above maxBytes (down to the low watermark),
   * entries older than maxAge, beyond maxEntriesPerModel. Each limit defaults to the cache's
   * option. Protected entries (compiling, held by the registry, locked by another process)
   * stay. Returns what was removed (or would be, with dryRun).
   */
  async evict(options: EvictOptions = {}): Promise<EvictionReport> {
    this.checkNotDisposed();
    const o = expectPlainObject(options ?? {}, 'options') as EvictOptions;
    rejectUnknownOptions(o as Record<string, unknown>, EVICT_OPTIONS, 'cache.evict()');
    // The same checks as the constructor's, with the same messages.
    const given = resolveBudget({
      ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
      ...(o.lowWatermark !== undefined ? { lowWatermark: o.lowWatermark } : {}),
      ...(o.maxAge !== undefined ? { maxAge: o.maxAge } : {}),
      ...(o.maxEntriesPerModel !== undefined ? { maxEntriesPerModel: o.maxEntriesPerModel } : {}),
    });
    if (o.dryRun !== undefined && typeof o.dryRun !== 'boolean') throw invalidArgument('a boolean', 'options.dryRun', o.dryRun);
    const dryRun = o.dryRun ?? false;
    const maxBytes = given.maxBytes ?? this.budget.maxBytes;
    const lowWatermark = o.lowWatermark !== undefined ? given.lowWatermark : o.maxBytes !== undefined ? 1 : this.budget.lowWatermark;
    const limits: EvictLimits = {
      maxBytes,
      lowWatermarkBytes: maxBytes === null ? null : Math.floor(lowWatermark * maxBytes),
      maxAgeMs: given.maxAgeMs ?? this.budget.maxAgeMs,
      maxEntriesPerModel: given.maxEntriesPerModel ?? this.budget.maxEntriesPerModel,
      useFloor: false,
    };
    if (!this.enabled) {
      log('evict: the cache is switched off; nothing removed');
      return { dryRun, removed: [], skipped: [], bytesFreed: 0, before: { bytes: 0, entries: 0 }, after: { bytes: 0, entries: 0 } };
    }
    if (this.readOnly && !dryRun)
      throw new OvcacheError('OVCACHE_CACHE_READ_ONLY', `Cache ${this.dir} is read-only: nothing can be evicted`);
    const pass = await this.serialized(() => this.evictPass(limits, 'evict', [], 0, dryRun));
    return {
      dryRun,
      removed: pass.removed,
      skipped: pass.skipped,
      bytesFreed: pass.bytesFreed,
      before: pass.before,
      after: { bytes: pass.usedBytes, entries: pass.entries },
    };
  }

  /** The same as evict(). */
  prune(options: EvictOptions = {}): Promise<EvictionReport> {
    return this.evict(options);
  }

  /**
   * Checks the budget now, as the monitor does: measures, evicts what the limits require
   * (not in a read-only cache), emits `budget` events for crossings. null without a budget.
   */
  async checkBudget(): Promise<BudgetStatus | null> {
    this.checkNotDisposed();
    if (!this.enabled || !hasLimits(this.budget)) return null;
    if (this.readOnly) {
      const u = await this.usage();
      this.checkCrossings(u.bytes, u.volume);
      return u.budget;
    }
    const pass = await this.serialized(() => this.evictPass(this.configuredLimits(), 'monitor', [], 0, false));
    return budgetStatus(this.budget, pass.usedBytes, pass.remaining, pass.volume, Date.now());
  }

  /** Checks the budget every intervalMs (default: the monitorIntervalMs option, else 60000) on an unref'd timer, until stopMonitor() or dispose(). */
  startMonitor(intervalMs?: number): void {
    this.checkNotDisposed();
    const ms = intervalMs === undefined ? (this.budget.monitorIntervalMs ?? 60_000) : expectIntegerInRange(intervalMs, 'intervalMs', 100);
    this.stopMonitor();
    this.monitorTimer = setInterval(() => {
      if (this.monitorRunning || this.disposedFlag) return;
      this.monitorRunning = true;
      this.checkBudget()
        .catch((error: Error) => log('budget monitor: %s', error.message))
        .finally(() => {
          this.monitorRunning = false;
        });
    }, ms);
    this.monitorTimer.unref();
  }

  stopMonitor(): void {
    if (this.monitorTimer) clearInterval(this.monitorTimer);
    this.monitorTimer = undefined;
  }

  /**
   * Keeps an entry from eviction until the returned function is called. ModelRegistry holds
   * the entries of the models it keeps loaded.
   */
  hold(key: string): () => void {
    this.protectedCounts.set(key, (this.protectedCounts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.protectedCounts.get(key) ?? 1) - 1;
      if (n <= 0) this.protectedCounts.delete(key);
      else this.protectedCounts.set(key, n);
    };
  }

  /** Waits for background manifest updates (last-used times, hit counts). */
  async flush(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    for (const [key] of this.pendingHits) {
      const info = this.knownParts.get(key);
      if (info) await this.touch(key, info.entryDir);
    }
  }

  /** Flushes, then disposes the Core this cache created (a Core passed in stays the caller's). */
  async dispose(): Promise<void> {
    if (this.disposedFlag) return;
    this.stopMonitor();
    await this.flush();
    await this.budgetQueue;
    this.disposedFlag = true;
    this.ownCore?.dispose();
    this.ownCore = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  // ---- compile paths ----

  private async compileCached(model: string | Model, opts: ResolvedCompileOptions, started: number): Promise<Outcome> {
    if (!this.readOnly) {
      try {
        this.ensureLayout();
      } catch (error) {
        // A folder that is a file, or on a read-only file system: serve the model anyway and
        // say why. An insecure folder is not in this list: that stays an error.
        const code = (error as { code?: string }).code;
        if (code !== 'OVCACHE_CACHE_DIR_INVALID' && code !== 'OVCACHE_CACHE_READ_ONLY') throw error;
        log('cache folder %s unusable (%s: %s); compiling without the cache', this.dir, code, (error as Error).message);
        return this.compileUncached(model, opts, started, undefined, 'cache-dir-unusable');
      }
    }
    const prep = await this.prepare(model, opts);
    const release = this.hold(prep.key);
    try {
      if (this.readOnly) return await this.compileReadOnly(prep, opts, started);
      const fast = await this.tryFast(prep, opts, started);
      if (fast) return fast;
      // One compile per key in this process: the first caller fills the entry, the others
      // wait for it and then load the entry like any other process would.
      const flight = this.flights.run(prep.key, () => this.fill(prep, opts, started));
      if (flight.leader) return await flight.promise;
      const leader = await flight.promise;
      const after = await this.tryFast(prep, opts, started);
      if (after) return after;
      if (leader.uncachedReason)
        return await this.compileUncached(prep.modelObject ?? prep.xml, opts, started, prep, leader.uncachedReason);
      return await this.fill(prep, opts, started);
    } finally {
      release();
      if (prep.ownsModel) prep.modelObject?.dispose();
    }
  }

  /** A complete entry this exact source can load without OpenVINO writing: no lock needed. */
  private async tryFast(prep: Prepared, opts: ResolvedCompileOptions, started: number): Promise<Outcome | undefined> {
    // Lock-free: while OpenVINO reads the blob, evictors in any process leave the entry alone.
    const endLoad = beginLoad(prep.entryDir);
    if (!endLoad) return undefined;
    try {
      const read = await readManifest(prep.entryDir);
      if (read.status !== 'ok' || !(await this.usable(read.manifest, prep))) return undefined;
      return await this.load(prep, opts, started, read.manifest, 0, true);
    } finally {
      endLoad();
    }
  }

  private async compileReadOnly(prep: Prepared, opts: ResolvedCompileOptions, started: number): Promise<Outcome> {
    const read = await readManifest(prep.entryDir);
    if (read.status === 'ok' && (await this.usable(read.manifest, prep))) return this.load(prep, opts, started, read.manifest, 0, false);
    log('read-only cache has no usable entry for %s; compiling without the cache', path.basename(prep.entryDir));
    return this.compileUncached(prep.modelObject ?? prep.xml, opts, started, prep, 'read-only-miss');
  }

  /** Loads from a complete entry. Normally a hit; if OpenVINO compiled anyway, a miss. */
  private async load(
    prep: Prepared,
    opts: ResolvedCompileOptions,
    started: number,
    manifest: EntryManifest,
    lockWaitMs: number,
    touch: boolean,
  ): Promise<Outcome> {
    const t = performance.now();
    const compiled = await this.core.compileModel(prep.modelObject ?? prep.xml, opts.device, withCacheDir(opts.config, prep.entryDir));
    const compileMs = performance.now() - t;
    const hit = compiled.loadedFromCache;
    if (touch) {
      if (hit) this.scheduleTouch(prep.key, prep.entryDir, compileMs);
      else this.scheduleRefresh(prep, compileMs);
    }
    const savedMs = hit && manifest.compileMs !== null ? Math.max(0, manifest.compileMs - compileMs) : 0;
    return this.outcome(prep, compiled, hit, true, null, { lockWaitMs, compileMs }, started, savedMs);
  }

  /** Under the entry's lock: compile into the entry folder and write its manifest. */
  private async fill(prep: Prepared, opts: ResolvedCompileOptions, started: number): Promise<Outcome> {
    const lockPath = this.lockPath(prep.key);
    const attempt = await acquireLock(lockPath, { timeoutMs: this.options.lockTimeoutMs, staleMs: this.options.staleLockMs });
    if (attempt.contended) this.counters.lockWaits++;
    if (!attempt.lock) {
      const reason = attempt.unwritable ? 'cache-not-writable' : 'lock-timeout';
      if (attempt.unwritable) log('cannot write the lock %s (%s); compiling without the cache', lockPath, attempt.unwritable);
      else {
        this.counters.lockTimeouts++;
        log('gave up waiting %d ms for %s; compiling without the cache', attempt.waitedMs, lockPath);
      }
      const outcome = await this.compileUncached(prep.modelObject ?? prep.xml, opts, started, prep, reason);
      outcome.timings.lockWaitMs = attempt.waitedMs;
      return outcome;
    }
    const lock = attempt.lock;
    try {
      // Holding the lock, no evictor is at work: a marker of one is left from a crash.
      await clearEvictingMarker(prep.entryDir);
      const read = await readManifest(prep.entryDir);
      // Another process may have filled the entry while this one waited.
      if (read.status === 'ok' && (await this.usable(read.manifest, prep))) {
        return await this.load(prep, opts, started, read.manifest, attempt.waitedMs, true);
      }
      if (!fs.existsSync(this.layout.entries)) {
        // The folder was cleared while this process ran: lay it out again (tag included).
        this.layoutReady = false;
        this.ensureLayout();
      }
      // The free-space guard: no entry where there is no room for it.
      const refused = this.budgetActive ? await this.guardSpace(prep, opts) : null;
      if (refused) {
        const outcome = await this.compileUncached(prep.modelObject ?? prep.xml, opts, started, prep, refused);
        outcome.timings.lockWaitMs = attempt.waitedMs;
        return outcome;
      }
      makeOwnerOnlyDir(prep.entryDir);
      const previous = read.status === 'ok' && read.manifest.key === prep.key ? read.manifest : undefined;
      const now = new Date().toISOString();
      const base: EntryManifest = previous ?? {
        format: 1,
        key: prep.key,
        parts: prep.parts,
        modelPaths: [],
        sources: [],
        files: [],
        bytes: 0,
        createdAt: now,
        lastUsedAt: now,
        hits: 0,
        compileMs: null,
        importMs: null,
        complete: false,
        writer: writer(),
      };
      const before = await listEntryFiles(prep.entryDir);
      // Incomplete while OpenVINO writes: no process loads it lock-free meanwhile.
      await writeManifest(prep.entryDir, { ...base, complete: false, writer: writer() });
      const t = performance.now();
      let compiled: CompiledModel;
      try {
        compiled = await this.core.compileModel(prep.modelObject ?? prep.xml, opts.device, withCacheDir(opts.config, prep.entryDir));
      } catch (error) {
        // Failing to write into our folder must not fail the user's compile: retry without it.
        if (!mentions(error, prep.entryDir)) {
          // A compile that failed (bad model, unknown device) leaves no folder of its own behind.
          if (!previous && before.length === 0)
            await fs.promises.rm(prep.entryDir, { recursive: true, force: true }).catch(() => undefined);
          throw error;
        }
        log('OpenVINO could not write into %s (%s); compiling without the cache', prep.entryDir, (error as Error).message);
        const outcome = await this.compileUncached(prep.modelObject ?? prep.xml, opts, started, prep, 'cache-write-failed');
        outcome.timings.lockWaitMs = attempt.waitedMs;
        return outcome;
      }
      const compileMs = performance.now() - t;
      const hit = compiled.loadedFromCache;
      const files = await listEntryFiles(prep.entryDir);
      const bytes = sum(files);
      const complete = files.some((f) => BLOB.test(f.name));
      this.counters.bytesWritten += Math.max(0, bytes - sum(before));
      const manifest: EntryManifest = {
        ...base,
        parts: prep.parts,
        modelPaths: addUnique(base.modelPaths, prep.xml),
        sources: complete ? addSource(base.sources, sourceOf(prep)) : base.sources,
        files,
        bytes,
        lastUsedAt: new Date().toISOString(),
        hits: base.hits + (hit ? 1 : 0),
        compileMs: hit ? base.compileMs : Math.round(compileMs * 1000) / 1000,
        importMs: hit ? Math.round(compileMs * 1000) / 1000 : base.importMs,
        complete,
        writer: writer(),
      };
      try {
        await writeManifest(prep.entryDir, manifest, { fsync: true });
      } catch (error) {
        // The compile worked; an entry without a manifest is simply filled again next time.
        log('cannot write the manifest of %s: %s', prep.entryDir, (error as Error).message);
      }
      if (!complete) log('OpenVINO wrote no blob into %s (device cannot cache?)', prep.entryDir);
      else if (!hit && weightBytes(prep.parts) >= MIN_LEARN_WEIGHT_BYTES) {
        this.track(this.sizeFactors.record(sizeFactorKey(opts), bytes, weightBytes(prep.parts)));
      }
      const savedMs = hit && base.compileMs !== null ? Math.max(0, base.compileMs - compileMs) : 0;
      const result = this.outcome(prep, compiled, hit, true, null, { lockWaitMs: attempt.waitedMs, compileMs }, started, savedMs);
      result.wroteBytes = Math.max(0, bytes - sum(before));
      return result;
    } finally {
      await lock.release();
    }
  }

  private async compileUncached(
    model: string | Model,
    opts: ResolvedCompileOptions,
    started: number,
    prep: Prepared | undefined,
    reason: UncachedReason,
  ): Promise<Outcome> {
    const config = opts.config;
    let readMs = prep?.readMs ?? 0;
    let compiled: CompiledModel;
    let compileMs: number;
    if (typeof model === 'string' && opts.shapes) {
      const t = performance.now();
      const read = await this.core.readModel(model);
      try {
        read.reshape(opts.shapes);
        readMs += performance.now() - t;
        const c = performance.now();
        compiled = await this.core.compileModel(read, opts.device, config);
        compileMs = performance.now() - c;
      } finally {
        read.dispose();
      }
    } else {
      if (model instanceof Model && opts.shapes && !prep) model.reshape(opts.shapes);
      const c = performance.now();
      compiled = await this.core.compileModel(model, opts.device, config);
      compileMs = performance.now() - c;
    }
    const timings: CompileTimings = {
      fingerprintMs: prep?.fingerprintMs ?? 0,
      readMs,
      lockWaitMs: 0,
      compileMs,
      totalMs: performance.now() - started,
    };
    return {
      compiled,
      hit: false,
      cached: false,
      key: prep?.key ?? null,
      parts: prep?.parts ?? null,
      entryDir: null,
      uncachedReason: reason,
      timings,
      savedMs: 0,
      wroteBytes: 0,
    };
  }

  private outcome(
    prep: Prepared,
    compiled: CompiledModel,
    hit: boolean,
    cached: boolean,
    reason: UncachedReason | null,
    t: { lockWaitMs: number; compileMs: number },
    started: number,
    savedMs: number,
  ): Outcome {
    return {
      compiled,
      hit,
      cached,
      key: prep.key,
      parts: prep.parts,
      entryDir: cached ? prep.entryDir : null,
      uncachedReason: reason,
      timings: {
        fingerprintMs: prep.fingerprintMs,
        readMs: prep.readMs,
        lockWaitMs: t.lockWaitMs,
        compileMs: t.compileMs,
        totalMs: performance.now() - started,
      },
      savedMs,
      wroteBytes: 0,
    };
  }

  private record(model: string, device: string, o: Outcome): void {
    const event: CacheEvent = {
      model,
      device,
      key: o.key,
      entryDir: o.entryDir,
      hit: o.hit,
      cached: o.cached,
      uncachedReason: o.uncachedReason,
      timings: o.timings,
    };
    const name = o.entryDir ? path.basename(o.entryDir) : path.basename(model);
    const ms = (n: number) => n.toFixed(1);
    if (o.cached && o.hit) {
      this.counters.hits++;
      this.counters.timeSavedMs += o.savedMs;
      log(
        'hit %s: loaded in %s ms (fingerprint %s, total %s)',
        name,
        ms(o.timings.compileMs),
        ms(o.timings.fingerprintMs),
        ms(o.timings.totalMs),
      );
      this.emit('hit', event);
      return;
    }
    this.counters.compiles++;
    if (o.cached) {
      this.counters.misses++;
      log('miss %s: compiled in %s ms', name, ms(o.timings.compileMs));
      this.emit('miss', event);
    } else {
      this.counters.uncached++;
      log('compiled %s without the cache (%s) in %s ms', name, o.uncachedReason, ms(o.timings.compileMs));
    }
    this.emit('compile', event);
  }

  // ---- budget internals ----

  /** Whether compiles check the budget: a limit is set and this cache may write. */
  private get budgetActive(): boolean {
    return this.enabled && !this.readOnly && hasLimits(this.budget);
  }

  private noteUse(key: string): void {
    if (this.lastUse.size > 10_000) this.lastUse.clear();
    this.lastUse.set(key, Date.now());
  }

  /**
   * After a compile. A cold write rescans and evicts (awaited: usage is within maxBytes when
   * compile() returns); a warm hit changes no usage and only compares the in-memory figures.
   */
  private async afterCompile(o: Outcome): Promise<void> {
    if (!(o.cached && !o.hit && o.key)) {
      if (this.usageEstimate) this.checkCrossings(this.usageEstimate.bytes, this.lastVolume);
      return;
    }
    if (this.usageEstimate) this.usageEstimate.bytes += o.wroteBytes;
    const key = o.key;
    try {
      await this.serialized(async () => {
        // The entry just written stays unless it alone is above maxBytes (its estimate was too low).
        const read = o.entryDir ? await readManifest(o.entryDir) : null;
        const bytes = read?.status === 'ok' ? read.manifest.bytes : 0;
        const tooBig = this.budget.maxBytes !== null && bytes > this.budget.maxBytes;
        const pass = await this.evictPass(this.configuredLimits(), 'compile', tooBig ? [] : [key], 0, false);
        if (tooBig) log('entry %s (%d bytes) alone exceeds maxBytes %d', path.basename(o.entryDir ?? ''), bytes, this.budget.maxBytes);
        return pass;
      });
    } catch (error) {
      // The budget must never fail the user's compile.
      log('budget check after compiling %s failed: %s', key.slice(0, 12), (error as Error).message);
    }
  }

  private configuredLimits(): EvictLimits {
    const b = this.budget;
    return {
      maxBytes: b.maxBytes,
      lowWatermarkBytes: b.maxBytes === null ? null : Math.floor(b.lowWatermark * b.maxBytes),
      maxAgeMs: b.maxAgeMs,
      maxEntriesPerModel: b.maxEntriesPerModel,
      useFloor: hasFloor(b),
    };
  }

  /** Budget passes run one at a time in this process (a compile's, the monitor's, evict()'s). */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.budgetQueue.then(fn, fn);
    this.budgetQueue = run.catch(() => undefined);
    return run;
  }

  private async statVolume(): Promise<VolumeStats | null> {
    const volume = await tryVolumeStats(this.dir, this.budget.statfs);
    if (volume) this.lastVolume = volume;
    return volume;
  }

  /** Scanned entries with the last use this process knows of (hits not yet written to manifests). */
  private withLastUse(entries: ScannedEntry[]): ScannedEntry[] {
    return entries.map((e) => {
      const used = e.key ? this.lastUse.get(e.key) : undefined;
      return used !== undefined && used > e.lastUsedMs ? { ...e, lastUsedMs: used } : e;
    });
  }

  /**
   * One eviction pass: scan, plan (planEviction, least recently used first), remove, and
   * re-plan without entries another process turned out to hold. `extraBytes` is room to make
   * for an entry about to be written.
   */
  private async evictPass(
    limits: EvictLimits,
    trigger: 'compile' | 'guard' | 'monitor' | 'evict',
    protect: string[],
    extraBytes: number,
    dryRun: boolean,
  ): Promise<Enforced & { before: EvictionReport['before']; skipped: EvictionReport['skipped']; remaining: ScannedEntry[] }> {
    const now = Date.now();
    const [scan, scannedVolume] = await Promise.all([scanCache(this.dir, { checkModels: false }), this.statVolume()]);
    let volume = scannedVolume;
    const before = { bytes: scan.totals.bytes, entries: scan.totals.entries };
    const protectedKeys = new Set([...this.protectedCounts.keys(), ...protect]);
    const removed: EvictedEntry[] = [];
    const skipped: EvictionReport['skipped'] = [];
    const result = await runEviction({
      cacheDir: this.dir,
      entries: this.withLastUse(scan.entries),
      protectedKeys,
      dryRun,
      staleLockMs: this.options.staleLockMs,
      select: byPolicy((state) => {
        let target = Infinity;
        if (limits.maxBytes !== null && state.usedBytes > limits.maxBytes - extraBytes) {
          // Down to the low watermark once the entry about to be written is in.
          target = Math.min(limits.lowWatermarkBytes ?? limits.maxBytes, limits.maxBytes) - extraBytes;
        }
        const floor = limits.useFloor ? floorBytes(this.budget, volume) : null;
        if (floor !== null && volume) {
          const deficit = floor + extraBytes - (volume.availableBytes + state.freedBytes);
          if (deficit > 0) target = Math.min(target, state.usedBytes - deficit);
        }
        const size = target === Infinity ? {} : { maxBytes: Math.max(0, target), lowWatermarkBytes: Math.max(0, target) };
        return {
          ...size,
          ...(limits.maxAgeMs !== null ? { maxAgeMs: limits.maxAgeMs } : {}),
          ...(limits.maxEntriesPerModel !== null ? { maxEntriesPerModel: limits.maxEntriesPerModel } : {}),
          now,
        };
      }),
    });
    const remaining = result.remaining;
    const used = result.usedBytes;
    const freed = result.bytesFreed;
    for (const r of result.removed) removed.push(evicted(r.entry, r.reason, r.bytes));
    for (const s of result.skipped) skipped.push({ name: s.entry.name, key: s.entry.key, status: s.status, message: s.message });
    if (!dryRun) {
      this.usageEstimate = { bytes: used, entries: remaining.length };
      if (removed.length > 0) volume = (await this.statVolume()) ?? volume;
    }
    const floor = floorBytes(this.budget, volume);
    const pass = { usedBytes: used, entries: remaining.length, volume, removed, bytesFreed: freed, before, skipped, remaining };
    if (removed.length > 0 && !dryRun) {
      const names = removed.map((r) => `${r.name} (${r.reason})`).join(', ');
      this.emitBudget({
        kind: 'evicted',
        trigger,
        removed,
        bytesFreed: freed,
        ...this.eventBase(used, remaining.length, volume, floor),
        message: `evicted ${removed.length} entr${removed.length === 1 ? 'y' : 'ies'} (${freed} bytes): ${names}`,
      });
    }
    if (!dryRun) this.checkCrossings(used, volume);
    return pass;
  }

  /**
   * The free-space guard, before a compile writes a new entry: estimates its size, makes room
   * (eviction), and refuses (the compile then runs uncached) when there is still none.
   */
  private async guardSpace(prep: Prepared, opts: ResolvedCompileOptions): Promise<BudgetUncachedReason | null> {
    const b = this.budget;
    if (b.maxBytes === null && !hasFloor(b)) return null;
    const { factor, learned } = await this.sizeFactors.factor(sizeFactorKey(opts));
    const estimate = estimateEntryBytes(weightBytes(prep.parts), factor);
    let reason: BudgetUncachedReason | null = null;
    let why = '';
    let used = this.usageEstimate?.bytes ?? 0;
    let volume = this.lastVolume;
    if (b.maxBytes !== null && estimate > b.maxBytes) {
      reason = 'over-budget';
      why = `its estimated size ${estimate} bytes alone exceeds maxBytes ${b.maxBytes}`;
    } else {
      if (!this.usageEstimate && b.maxBytes !== null) {
        const scan = await scanCache(this.dir, { checkModels: false });
        this.usageEstimate = { bytes: scan.totals.bytes, entries: scan.totals.entries };
        used = scan.totals.bytes;
      }
      if (hasFloor(b)) volume = await this.statVolume();
      const short = (): boolean => {
        const floor = floorBytes(b, volume);
        return (
          (b.maxBytes !== null && used + estimate > b.maxBytes) ||
          (floor !== null && volume !== null && volume.availableBytes - estimate < floor)
        );
      };
      if (short()) {
        const pass = await this.serialized(() => this.evictPass(this.configuredLimits(), 'guard', [prep.key], estimate, false));
        used = pass.usedBytes;
        volume = pass.volume ?? volume;
        const floor = floorBytes(b, volume);
        if (b.maxBytes !== null && used + estimate > b.maxBytes) {
          reason = 'over-budget';
          why = `${used} bytes in entries + its estimated ${estimate} bytes exceed maxBytes ${b.maxBytes} (the rest is protected)`;
        } else if (floor !== null && volume !== null && volume.availableBytes - estimate < floor) {
          reason = 'low-space';
          why = `${volume.availableBytes} bytes available - its estimated ${estimate} bytes would fall under the free-space floor ${floor}`;
        }
      }
    }
    if (!reason) return null;
    const model = prep.xml;
    const message = `compiling ${path.basename(prep.entryDir)} without the cache (${reason}): ${why} (size factor ${factor}${learned ? ', learned' : ', default'})`;
    this.emitBudget({
      kind: 'uncached',
      reason,
      model,
      device: opts.device,
      estimatedBytes: estimate,
      ...this.eventBase(used, this.usageEstimate?.entries ?? 0, volume, floorBytes(b, volume)),
      message,
    });
    return reason;
  }

  /** Emits warn / exceeded / low-space when they start and 'recovered' when they end: once per crossing. */
  private checkCrossings(usedBytes: number, volume: VolumeStats | null): void {
    const b = this.budget;
    const floor = floorBytes(b, volume);
    const now: Record<BudgetCondition, boolean> = {
      warn: b.maxBytes !== null && usedBytes >= b.warnAt * b.maxBytes,
      exceeded: b.maxBytes !== null && usedBytes > b.maxBytes,
      // Without a statfs answer the state stays as it was.
      'low-space': floor === null ? false : volume === null ? this.crossings.has('low-space') : volume.availableBytes < floor,
    };
    const entries = this.usageEstimate?.entries ?? 0;
    for (const t of this.crossings.update(now)) {
      const base = this.eventBase(usedBytes, entries, volume, floor);
      if (t.kind === 'recovered') {
        this.emitBudget({ kind: 'recovered', condition: t.condition, ...base, message: `${t.condition} is over: ${describeUsage(base)}` });
      } else {
        const what =
          t.kind === 'warn'
            ? `usage reached ${Math.round(b.warnAt * 100)}% of maxBytes`
            : t.kind === 'exceeded'
              ? 'usage is above maxBytes (protected entries hold the space)'
              : 'free space is under the floor';
        this.emitBudget({ kind: t.kind, ...base, message: `${what}: ${describeUsage(base)}` });
      }
    }
  }

  private eventBase(usedBytes: number, entries: number, volume: VolumeStats | null, floor: number | null) {
    return {
      usedBytes,
      entries,
      maxBytes: this.budget.maxBytes,
      availableBytes: volume?.availableBytes ?? null,
      floorBytes: floor,
    };
  }

  private emitBudget(event: BudgetEvent): void {
    log('budget %s: %s', event.kind, event.message);
    this.emit('budget', event);
  }

  // ---- keys ----

  private async prepare(model: string | Model, opts: ResolvedCompileOptions): Promise<Prepared> {
    const xml = typeof model === 'string' ? path.resolve(model) : model.path;
    const t0 = performance.now();
    const fingerprints = await this.fingerprintModel(xml);
    const fingerprintMs = performance.now() - t0;
    const xmlPrint = fingerprints[0] as FileFingerprint;
    const files: FileIdentity[] = fingerprints.map((f, i) => ({
      role: fingerprints.length === 1 && !/\.xml$/i.test(xml) ? 'model' : i === 0 ? 'xml' : 'bin',
      sha256: f.sha256,
      size: f.size,
    }));

    const t1 = performance.now();
    let modelObject: Model | undefined;
    let ownsModel = false;
    let inputs: InputIdentity[];
    if (model instanceof Model || opts.shapes) {
      modelObject = model instanceof Model ? model : await this.core.readModel(xml);
      ownsModel = !(model instanceof Model);
      try {
        if (opts.shapes) modelObject.reshape(opts.shapes);
        inputs = toInputIdentities(modelObject);
      } catch (error) {
        if (ownsModel) modelObject.dispose();
        throw error;
      }
    } else {
      inputs = await this.inputsOf(xml, xmlPrint.sha256);
    }
    const readMs = performance.now() - t1;

    let parts: KeyParts;
    try {
      parts = {
        format: KEY_FORMAT,
        model: { name: modelName(xml), files },
        inputs,
        device: this.deviceIdentity(opts.device),
        config: canonicalConfig(opts.config),
        runtime: { buildNumber: this.runtime.version.buildNumber },
      };
    } catch (error) {
      if (ownsModel) modelObject?.dispose();
      throw error;
    }
    const key = deriveKey(parts);
    const entryDir = path.join(this.layout.entries, entryName(parts, key));
    if (this.knownParts.size > 10_000) this.knownParts.clear();
    this.knownParts.set(key, { key, parts, entryDir });
    return {
      xml,
      xmlMtimeNs: xmlPrint.mtimeNs,
      xmlSize: xmlPrint.size,
      modelObject,
      ownsModel,
      parts,
      key,
      entryDir,
      fingerprintMs,
      readMs,
    };
  }

  private async fingerprintModel(xml: string): Promise<FileFingerprint[]> {
    const files = [xml];
    if (/\.xml$/i.test(xml)) {
      const bin = xml.replace(/\.xml$/i, '.bin');
      if (fs.existsSync(bin)) files.push(bin);
    }
    const printer = this.getFingerprinter();
    try {
      return await Promise.all(files.map((f) => printer.fingerprint(f)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new OvcacheError('OVCACHE_MODEL_NOT_FOUND', `Model file not found: ${xml}`, { cause: error });
      if (code === 'EISDIR') throw new OvcacheError('OVCACHE_MODEL_INVALID', `Model path is not a file: ${xml}`, { cause: error });
      throw error;
    }
  }

  private getFingerprinter(): Fingerprinter {
    // Memo files only once the folder exists (or is read-only and may hold them).
    const onDisk = this.enabled && (this.layoutReady || this.readOnly);
    if (this.fingerprinter && this.fingerprinterOnDisk === onDisk) return this.fingerprinter;
    this.fingerprinter = new Fingerprinter({ memoDir: onDisk ? this.layout.fingerprints : undefined, writeMemo: !this.readOnly });
    this.fingerprinterOnDisk = onDisk;
    return this.fingerprinter;
  }

  /** The model's inputs without reading it on a warm start: memoized by the .xml's digest. */
  private async inputsOf(xml: string, xmlSha256: string): Promise<InputIdentity[]> {
    const known = inputsByXml.get(xmlSha256);
    if (known) return known;
    const memoFile =
      this.enabled && (this.layoutReady || this.readOnly) ? path.join(this.layout.fingerprints, `inputs-${xmlSha256}.json`) : undefined;
    if (memoFile) {
      try {
        const record = JSON.parse(await fs.promises.readFile(memoFile, 'utf8')) as {
          format?: unknown;
          xmlSha256?: unknown;
          inputs?: unknown;
        };
        if (record.format === INPUTS_MEMO_FORMAT && record.xmlSha256 === xmlSha256 && isInputList(record.inputs)) {
          inputsByXml.set(xmlSha256, record.inputs);
          return record.inputs;
        }
      } catch {
        // no memo yet, or an unreadable one: read the model below
      }
    }
    const model = await this.core.readModel(xml);
    let inputs: InputIdentity[];
    try {
      inputs = toInputIdentities(model);
    } finally {
      model.dispose();
    }
    inputsByXml.set(xmlSha256, inputs);
    if (memoFile && !this.readOnly) {
      await writeFileAtomic(memoFile, `${JSON.stringify({ format: INPUTS_MEMO_FORMAT, xmlSha256, inputs })}\n`).catch((error: Error) =>
        log('cannot write %s: %s', memoFile, error.message),
      );
    }
    return inputs;
  }

  /** FULL_DEVICE_NAME (and DEVICE_ARCHITECTURE for GPUs) of the device, or of each device behind AUTO:/MULTI:/HETERO:. */
  private deviceIdentity(device: string): KeyParts['device'] {
    const known = this.devices.get(device);
    if (known) return known;
    const colon = device.indexOf(':');
    const physical =
      colon >= 0
        ? device
            .slice(colon + 1)
            .split(',')
            .filter(Boolean)
        : [device];
    const names: string[] = [];
    const archs: string[] = [];
    for (const d of physical) {
      names.push(this.propertyOr(d, 'FULL_DEVICE_NAME', d));
      if (/^GPU/.test(d)) {
        const arch = this.propertyOr(d, 'DEVICE_ARCHITECTURE', '');
        if (arch) archs.push(arch);
      }
    }
    const identity: KeyParts['device'] = { name: device, fullName: names.join(' | ') };
    if (archs.length > 0) identity.architecture = archs.join(' | ');
    this.devices.set(device, identity);
    return identity;
  }

  private propertyOr(device: string, key: string, fallback: string): string {
    try {
      return this.core.getProperty(device, key);
    } catch (error) {
      // An unknown device fails later, in compileModel, with OpenVINO's own message.
      log('%s of %s unavailable: %s', key, device, (error as Error).message);
      return fallback;
    }
  }

  // ---- entries ----

  /** A complete entry that OpenVINO can load for this source without writing to it. */
  private async usable(m: EntryManifest, prep: Prepared): Promise<boolean> {
    if (!m.complete || m.key !== prep.key) return false;
    const source = sourceOf(prep);
    if (!m.sources.some((s) => sameSource(s, source))) return false;
    const blobs = m.files.filter((f) => BLOB.test(f.name));
    // A manifest names files inside its own folder; anything else is hostile: never look at it.
    if (blobs.length === 0 || !m.files.every((f) => isPlainFileName(f.name))) return false;
    for (const blob of blobs) {
      try {
        const stat = await fs.promises.stat(path.join(prep.entryDir, blob.name));
        if (stat.size !== blob.bytes) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  private lockPath(key: string): string {
    return path.join(this.layout.locks, `${key}.lock`);
  }

  private ensureLayout(): void {
    if (this.layoutReady) return;
    ensureCacheDir(this.dir, { shared: this.options.shared });
    this.layoutReady = true;
  }

  /** Throttled: last-used time and hit count go to the manifest at most once per interval. */
  private scheduleTouch(key: string, entryDir: string, importMs: number): void {
    const pending = this.pendingHits.get(key) ?? { hits: 0, importMs };
    pending.hits++;
    pending.importMs = importMs;
    this.pendingHits.set(key, pending);
    const now = Date.now();
    const last = this.lastTouch.get(key);
    if (last !== undefined && now - last < this.options.touchIntervalMs) return;
    this.lastTouch.set(key, now);
    this.track(this.touch(key, entryDir));
  }

  private async touch(key: string, entryDir: string): Promise<void> {
    const pending = this.pendingHits.get(key);
    if (!pending) return;
    const lock = await tryAcquireLock(this.lockPath(key), this.options.staleLockMs).catch(() => null);
    if (!lock) return; // busy: the counts stay pending for the next touch
    try {
      const read = await readManifest(entryDir);
      if (read.status !== 'ok' || read.manifest.key !== key) return;
      this.pendingHits.delete(key);
      const m = read.manifest;
      await writeManifest(entryDir, {
        ...m,
        hits: m.hits + pending.hits,
        lastUsedAt: new Date().toISOString(),
        importMs: Math.round(pending.importMs * 1000) / 1000,
      });
    } finally {
      await lock.release();
    }
  }

  /** OpenVINO compiled although the entry looked complete (a blob was removed or rejected): record what is there now. */
  private scheduleRefresh(prep: Prepared, compileMs: number): void {
    const run = async () => {
      const lock = await tryAcquireLock(this.lockPath(prep.key), this.options.staleLockMs).catch(() => null);
      if (!lock) return;
      try {
        const read = await readManifest(prep.entryDir);
        if (read.status !== 'ok') return;
        const files = await listEntryFiles(prep.entryDir);
        await writeManifest(prep.entryDir, {
          ...read.manifest,
          files,
          bytes: sum(files),
          complete: files.some((f) => BLOB.test(f.name)),
          compileMs: Math.round(compileMs * 1000) / 1000,
          lastUsedAt: new Date().toISOString(),
        });
      } finally {
        await lock.release();
      }
    };
    this.track(run());
  }

  private track(work: Promise<void>): void {
    const p = work.catch((error: Error) => log('background manifest update failed: %s', error.message));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  private async listEntryFolders(): Promise<string[]> {
    try {
      return (await fs.promises.readdir(this.layout.entries, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }

  private async similarEntries(key: string, parts: KeyParts, entries: string[]): Promise<SimilarEntry[]> {
    const prefix = `${sanitizeLabel(parts.model.name, 48)}-`;
    const out: SimilarEntry[] = [];
    for (const name of entries) {
      if (!name.startsWith(prefix)) continue;
      const entryDir = path.join(this.layout.entries, name);
      const read = await readManifest(entryDir);
      if (read.status !== 'ok' || read.manifest.key === key) continue;
      out.push({ key: read.manifest.key, entryDir, differences: diffKeyParts(read.manifest.parts, parts) });
    }
    return out.sort((a, b) => a.differences.length - b.differences.length).slice(0, 5);
  }

  private checkNotDisposed(): void {
    if (this.disposedFlag) throw new OvcacheError('OVCACHE_DISPOSED', 'This ModelCache has been disposed');
  }
}

interface EvictLimits {
  maxBytes: number | null;
  lowWatermarkBytes: number | null;
  maxAgeMs: number | null;
  maxEntriesPerModel: number | null;
  /** Also evict to keep the volume's free space above the floor. */
  useFloor: boolean;
}

function evicted(e: ScannedEntry, reason: EvictionReason, bytes: number): EvictedEntry {
  return { name: e.name, key: e.key, model: e.model, device: e.device, bytes, lastUsedAt: e.lastUsedAt, reason };
}

function describeUsage(b: {
  usedBytes: number;
  maxBytes: number | null;
  availableBytes: number | null;
  floorBytes: number | null;
}): string {
  const parts = [`${b.usedBytes} bytes in entries${b.maxBytes !== null ? ` of maxBytes ${b.maxBytes}` : ''}`];
  if (b.availableBytes !== null)
    parts.push(`${b.availableBytes} bytes available${b.floorBytes !== null ? ` (floor ${b.floorBytes})` : ''}`);
  return parts.join(', ');
}

/** Bytes of the model's weights (.bin), or of the model file when there is no .bin. */
function weightBytes(parts: KeyParts): number {
  const files = parts.model.files;
  const bins = files.filter((f) => f.role === 'bin');
  return (bins.length > 0 ? bins : files).reduce((n, f) => n + f.size, 0);
}

/** Size factors are learned per device and CACHE_MODE (weightless blobs are much smaller). */
function sizeFactorKey(opts: ResolvedCompileOptions): string {
  const mode = opts.config?.CACHE_MODE;
  return SizeFactors.keyOf(opts.device, mode === undefined ? undefined : String(mode));
}

function checkModelArgument(model: unknown): void {
  if (model instanceof Model) return;
  if (typeof model !== 'string' || model.length === 0 || model.includes('\0')) {
    throw invalidArgument('a model path (.xml) or a Model', 'model', model);
  }
}

/** Whether an error's text names a path inside `dir`. */
function mentions(error: unknown, dir: string): boolean {
  const e = error as { message?: unknown; ovMessage?: unknown };
  return [e.message, e.ovMessage].some((text) => typeof text === 'string' && text.includes(dir));
}

function withCacheDir(config: CompileConfig | undefined, dir: string): CompileConfig {
  return { ...config, CACHE_DIR: dir };
}

function modelName(file: string): string {
  return path.basename(file).replace(/\.[^.]*$/, '');
}

function toInputIdentities(model: Model): InputIdentity[] {
  return model.inputs.map((p) => ({ name: p.name, shape: formatPartialShape(p.shape), elementType: p.elementType }));
}

function isInputList(value: unknown): value is InputIdentity[] {
  return (
    Array.isArray(value) &&
    value.every(
      (v: { name?: unknown; shape?: unknown; elementType?: unknown }) =>
        typeof v?.name === 'string' && typeof v.shape === 'string' && typeof v.elementType === 'string',
    )
  );
}

function sourceOf(prep: Prepared): EntrySource {
  return prep.modelObject ? { kind: 'model' } : { kind: 'path', xml: prep.xml, mtimeNs: prep.xmlMtimeNs, size: prep.xmlSize };
}

function sameSource(a: EntrySource, b: EntrySource): boolean {
  if (a.kind === 'model' || b.kind === 'model') return a.kind === b.kind;
  return a.xml === b.xml && a.mtimeNs === b.mtimeNs && a.size === b.size;
}

/** Keeps one source per path (the newest), at most 16. */
function addSource(sources: EntrySource[], source: EntrySource): EntrySource[] {
  const rest = sources.filter((s) => (source.kind === 'model' ? s.kind !== 'model' : !(s.kind === 'path' && s.xml === source.xml)));
  return [...rest, source].slice(-16);
}

function addUnique(list: string[], item: string): string[] {
  return [...list.filter((x) => x !== item), item].slice(-16);
}

async function listEntryFiles(dir: string): Promise<EntryFile[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const files: EntryFile[] = [];
  for (const name of names.sort()) {
    if (name === MANIFEST_FILE || name.startsWith('.')) continue;
    try {
      const stat = await fs.promises.stat(path.join(dir, name));
      if (stat.isFile()) files.push({ name, bytes: stat.size });
    } catch {
      // removed meanwhile
    }
  }
  return files;
}

function sum(files: EntryFile[]): number {
  return files.reduce((n, f) => n + f.bytes, 0);
}

function writer(): EntryManifest['writer'] {
  return { pid: process.pid, hostname: os.hostname() };
}
