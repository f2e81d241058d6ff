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
import { invalidArgument } from '../openvino/validate';
import { writeFileAtomic } from './atomic-write';
import { cacheLayout, ensureCacheDir, makeOwnerOnlyDir, type CacheLayout } from './cache-dir';
import { canonicalConfig } from './config-canon';
import { entryName, sanitizeLabel, shortKeyOfEntryName } from './entry-name';
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
import { acquireLock, tryAcquireLock } from './lock';
import { MANIFEST_FILE, readManifest, writeManifest, type EntryFile, type EntryManifest, type EntrySource } from './manifest';
import {
  resolveCompileOptions,
  resolveOptions,
  type CompileOptions,
  type ModelCacheOptions,
  type ResolvedCompileOptions,
  type ResolvedOptions,
} from './options';
import { SingleFlight } from './single-flight';
import { emptyStats, type CacheStats } from './stats';

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

/** Why a compile ran without the cache. */
/**
 * Why a compile ran without the cache: switched off, `cache: false`, a read-only cache without
 * the entry, a lock held too long, or OpenVINO failing to write into the entry (a full disk
 * fails the whole compile before OpenVINO 2026.2).
 */
export type UncachedReason = 'disabled' | 'call' | 'read-only-miss' | 'lock-timeout' | 'cache-write-failed';

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
}

// Model inputs by .xml digest: they follow from the file's content, so they are learned once.
const inputsByXml = new Map<string, InputIdentity[]>();
const INPUTS_MEMO_FORMAT = 1;

const BLOB = /\.blob$/;

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

  constructor(options: ModelCacheOptions) {
    super();
    this.options = resolveOptions(options);
    this.dir = this.options.dir;
    this.enabled = this.options.enabled;
    this.readOnly = this.options.readOnly;
    this.disabledBy = this.options.disabledBy;
    this.layout = cacheLayout(this.dir);
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
      const { savedMs: _saved, ...result } = outcome;
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
    await this.flush();
    this.disposedFlag = true;
    this.ownCore?.dispose();
    this.ownCore = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  // ---- compile paths ----

  private async compileCached(model: string | Model, opts: ResolvedCompileOptions, started: number): Promise<Outcome> {
    if (!this.readOnly) this.ensureLayout();
    const prep = await this.prepare(model, opts);
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
      if (prep.ownsModel) prep.modelObject?.dispose();
    }
  }

  /** A complete entry this exact source can load without OpenVINO writing: no lock needed. */
  private async tryFast(prep: Prepared, opts: ResolvedCompileOptions, started: number): Promise<Outcome | undefined> {
    const read = await readManifest(prep.entryDir);
    if (read.status !== 'ok' || !(await this.usable(read.manifest, prep))) return undefined;
    return this.load(prep, opts, started, read.manifest, 0, true);
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
      this.counters.lockTimeouts++;
      log('gave up waiting %d ms for %s; compiling without the cache', attempt.waitedMs, lockPath);
      const outcome = await this.compileUncached(prep.modelObject ?? prep.xml, opts, started, prep, 'lock-timeout');
      outcome.timings.lockWaitMs = attempt.waitedMs;
      return outcome;
    }
    const lock = attempt.lock;
    try {
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
        if (!mentions(error, prep.entryDir)) throw error;
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
      const savedMs = hit && base.compileMs !== null ? Math.max(0, base.compileMs - compileMs) : 0;
      return this.outcome(prep, compiled, hit, true, null, { lockWaitMs: attempt.waitedMs, compileMs }, started, savedMs);
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
    if (blobs.length === 0) return false;
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
    ensureCacheDir(this.dir);
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
