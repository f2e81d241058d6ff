// The compile paths of a cached compile, and single-flight per key:
//   fast       a complete entry this exact source can load: no lock (a load marker instead)
//   read-only  a usable entry is loaded, anything else compiles without the cache
//   fill       under the entry's lock: load what another process filled meanwhile, or make
//              room (the budget's guard), compile into the entry and write its manifest
//   uncached   OpenVINO without CACHE_DIR: switched off, refused, the entry unusable, or the
//              caching policy (policy/policy.ts) found that caching this key does not pay
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { logger } from '../log';
import { isRuntimeModel, type RuntimeCompiledModel, type RuntimeCore, type RuntimeModel } from '../runtime/runtime-port';
import type { BudgetKeeper } from './budget/keeper';
import { MIN_LEARN_WEIGHT_BYTES } from './budget/size-factors';
import type { CacheFolder } from './cache-dir';
import type { CompileTimings, UncachedReason } from './compile-types';
import { lockPathOf } from './entry/layout';
import { beginLoad, clearEvictingMarker } from './entry/load-marker';
import { acquireLock } from './entry/lock';
import { readManifest, writeManifest, type EntryManifest } from './entry/manifest';
import { filledManifest, fillingManifest, listEntryFiles, newManifest, sumBytes, type ManifestWriter } from './entry/manifest-writer';
import { makeOwnerOnlyDir } from './cache-dir';
import { isUsable } from './entry/usable';
import { blobWriteFailed, discardEntry, failedWritingInto } from './entry/write-failure';
import { isUnwritableError } from '../fs/errno';
import type { KeyBuilder, PreparedCompile } from './key-builder';
import type { ResolvedCompileOptions } from './options';
import { coversOf } from './dynamic/covers';
import { AbortableFlights } from './abort/flights';
import { raceAbort } from './abort/signal';
import { asksWeightless, type WeightlessChooser } from './weightless';
import type { EntryTiers } from './ports';
import type { CachePolicyKeeper } from './policy/policy';
import { measureBlobWrite, roundMs } from './policy/timings';
import type { ReshapedWarmPath } from './warm/warm-path';
import type { CacheStats } from './stats';
import type { ShapeRouter } from './dynamic/shape-router';
import {
  compiledFrom,
  outcomeOf,
  request,
  sizeFactorKey,
  sourceOf,
  spaceRequest,
  weightBytes,
  withCacheDir,
  type Outcome,
} from './compile-outcome';

export type { Outcome } from './compile-outcome';

const log = logger('cache');

export interface CompileFlowParts {
  core(): RuntimeCore;
  folder: CacheFolder;
  keys: KeyBuilder;
  manifests: ManifestWriter;
  budget: BudgetKeeper;
  /** Whether compiles check the budget (a limit is set and the cache may write). */
  budgetActive: boolean;
  readOnly: boolean;
  lockTimeoutMs: number;
  staleLockMs: number;
  counters: CacheStats;
  weightless: WeightlessChooser;
  policy: CachePolicyKeeper;
  /** Below the local folder: asked on a local miss, given every fill to publish. */
  tiers?: EntryTiers | undefined;
  /** Whether a local entry may be used (ports.ts EntryTiers.acceptEntry); absent: every entry. */
  acceptEntry?: ((manifest: EntryManifest) => boolean) | undefined;
  shapes: ShapeRouter;
  warm: ReshapedWarmPath;
}

export class CompileFlow {
  private readonly flights = new AbortableFlights<string, Outcome>();

  constructor(private readonly p: CompileFlowParts) {}

  async cached(model: string | RuntimeModel, requested: ResolvedCompileOptions, started: number): Promise<Outcome> {
    const opts = this.p.weightless.apply(model, requested);
    if (!this.p.readOnly) {
      try {
        this.p.folder.ensure();
      } catch (error) {
        // A folder that is a file, or on a read-only file system: serve the model anyway and
        // say why. An insecure folder is not in this list: that stays an error.
        const code = (error as { code?: string }).code;
        if (code !== 'OVCACHE_CACHE_DIR_INVALID' && code !== 'OVCACHE_CACHE_READ_ONLY') throw error;
        log('cache folder %s unusable (%s: %s); compiling without the cache', this.p.folder.layout.root, code, (error as Error).message);
        return this.uncached(model, opts, started, undefined, 'cache-dir-unusable');
      }
    }
    const prep = await this.p.keys.prepare(model, opts);
    await this.p.shapes.route(model, opts, prep, (shapes) => this.p.keys.reshapePrepared(prep, shapes));
    if (this.p.warm.eligible(prep, opts)) prep.irSource = await this.p.warm.ensure(prep, opts);
    const release = this.p.budget.hold(prep.key);
    const leave = this.p.policy.enter();
    try {
      if (this.p.readOnly) return await this.readOnly(prep, opts, started);
      const skip = await this.p.policy.skip(prep.key);
      if (skip) {
        const plain = await this.uncached(prep.modelObject ?? prep.xml, opts, started, prep, skip);
        this.p.policy.notePlainCompile(prep.key, plain.timings.compileMs);
        return plain;
      }
      const fast = await this.fast(prep, opts, started);
      if (fast) return fast;
      // One compile per key in this process: the first caller fills the entry, the others
      // wait for it and then load the entry like any other process would.
      // Its waits end when every caller waiting on it has aborted (abort/flights.ts).
      const flight = this.flights.run(prep.key, opts.waits.signal, (signal) => this.fillThroughTiers(prep, opts, started, signal));
      if (flight.leader) return await flight.promise;
      opts.waits.progress.phase('lock-wait', { done: 0 });
      const leader = await raceAbort(flight.promise, opts.waits.signal);
      const after = await this.fast(prep, opts, started);
      if (after) return after;
      if (leader.uncachedReason) return await this.uncached(prep.modelObject ?? prep.xml, opts, started, prep, leader.uncachedReason);
      return await this.fill(prep, opts, started);
    } finally {
      leave();
      release();
      if (prep.ownsModel) prep.modelObject?.dispose();
    }
  }

  async uncached(
    model: string | RuntimeModel,
    opts: ResolvedCompileOptions,
    started: number,
    prep: PreparedCompile | undefined,
    reason: UncachedReason,
    lockWaitMs = 0,
  ): Promise<Outcome> {
    let readMs = prep?.readMs ?? 0;
    let compiled: RuntimeCompiledModel;
    let compileMs: number;
    opts.waits.progress.phase('compile');
    if (typeof model === 'string' && opts.shapes) {
      const t = performance.now();
      const read = await this.p.core().readModel(model);
      try {
        read.reshape(opts.shapes);
        readMs += performance.now() - t;
        const c = performance.now();
        compiled = await this.p.core().compileModel(read, opts.device, opts.config);
        compileMs = performance.now() - c;
      } finally {
        read.dispose();
      }
    } else {
      if (isRuntimeModel(model) && opts.shapes && !prep) model.reshape(opts.shapes);
      const c = performance.now();
      compiled = await this.p.core().compileModel(model, opts.device, opts.config);
      compileMs = performance.now() - c;
    }
    const timings: CompileTimings = {
      fingerprintMs: prep?.fingerprintMs ?? 0,
      readMs,
      lockWaitMs,
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
      ...(prep?.route ? { route: prep.route } : {}),
    };
  }

  /** Usable by this compile; an entry filled from a model object serves a reshape through OpenVINO's path. */
  private async usable(manifest: EntryManifest, prep: PreparedCompile): Promise<boolean> {
    if (!this.accepted(manifest)) return false;
    if (await isUsable(manifest, request(prep))) return true;
    const ir = prep.irSource;
    if (!ir) return false;
    prep.irSource = undefined;
    if (await isUsable(manifest, request(prep))) return true;
    prep.irSource = ir;
    return false;
  }

  /** Whether the tiers let this process use the local entry (ports.ts acceptEntry); without tiers, always. */
  private accepted(manifest: EntryManifest): boolean {
    return this.p.acceptEntry?.(manifest) ?? true;
  }

  /** A complete entry this exact source can load without OpenVINO writing: no lock needed. */
  private async fast(prep: PreparedCompile, opts: ResolvedCompileOptions, started: number): Promise<Outcome | undefined> {
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

  private async readOnly(prep: PreparedCompile, opts: ResolvedCompileOptions, started: number): Promise<Outcome> {
    const read = await readManifest(prep.entryDir);
    if (read.status === 'ok' && (await this.usable(read.manifest, prep))) return this.load(prep, opts, started, read.manifest, 0, false);
    log('read-only cache has no usable entry for %s; compiling without the cache', path.basename(prep.entryDir));
    return this.uncached(prep.modelObject ?? prep.xml, opts, started, prep, 'read-only-miss');
  }

  /** Loads from a complete entry. Normally a hit; if OpenVINO compiled anyway, a miss. */
  private async load(
    prep: PreparedCompile,
    opts: ResolvedCompileOptions,
    started: number,
    manifest: EntryManifest,
    lockWaitMs: number,
    touch: boolean,
  ): Promise<Outcome> {
    if (!prep.irSource) await this.p.keys.materialize(prep);
    const mark = this.p.policy.mark();
    opts.waits.progress.phase('load');
    const t = performance.now();
    const compiled = await this.p.core().compileModel(compiledFrom(prep), opts.device, withCacheDir(opts.config, prep.entryDir));
    const compileMs = performance.now() - t;
    if (touch) {
      const warm = this.p.policy.alone(mark) ? compileMs : undefined;
      if (compiled.loadedFromCache) this.p.manifests.scheduleTouch(prep.key, prep.entryDir, compileMs, warm);
      else this.p.manifests.scheduleRefresh(prep.key, prep.entryDir, compileMs);
    }
    return outcomeOf(prep, started, { compiled, lockWaitMs, compileMs, recordedCompileMs: manifest.compileMs });
  }

  /** On a local miss: the tiers first (an entry copied down, or the fleet-wide lease), then the fill, then publish. */
  private async fillThroughTiers(
    prep: PreparedCompile,
    opts: ResolvedCompileOptions,
    started: number,
    signal: AbortSignal,
  ): Promise<Outcome> {
    const tiers = this.p.tiers;
    if (!tiers) return this.fill(prep, opts, started, signal);
    opts.waits.progress.phase('tier');
    const got = await tiers.beforeFill(request(prep), signal);
    if (got.found) {
      this.p.counters.bytesWritten += got.bytes;
      const loaded = await this.fast(prep, opts, started);
      if (loaded) return { ...loaded, ...(got.tier ? { tier: got.tier } : {}), wroteBytes: got.bytes };
    }
    let outcome: Outcome;
    try {
      outcome = await this.fill(prep, opts, started, signal);
    } catch (error) {
      await got.finish(null);
      throw error;
    }
    await got.finish(outcome.cached ? outcome.entryDir : null);
    return outcome;
  }

  /** Under the entry's lock: compile into the entry folder and write its manifest. */
  private async fill(prep: PreparedCompile, opts: ResolvedCompileOptions, started: number, signal = opts.waits.signal): Promise<Outcome> {
    const lockPath = lockPathOf(this.p.folder.layout, prep.key);
    const { progress } = opts.waits;
    let waiting = false;
    const onWait = (ms: number) => {
      if (!waiting) this.p.counters.lockWaits++; // counted also when the wait is aborted
      waiting = true;
      progress.waited('lock-wait', ms);
    };
    const attempt = await acquireLock(lockPath, { timeoutMs: this.p.lockTimeoutMs, staleMs: this.p.staleLockMs, signal, onWait });
    const waited = attempt.waitedMs;
    const uncached = (reason: UncachedReason) => this.uncached(prep.modelObject ?? prep.xml, opts, started, prep, reason, waited);
    if (!attempt.lock) {
      if (attempt.unwritable) log('cannot write the lock %s (%s); compiling without the cache', lockPath, attempt.unwritable);
      else {
        this.p.counters.lockTimeouts++;
        log('gave up waiting %d ms for %s; compiling without the cache', waited, lockPath);
      }
      return uncached(attempt.unwritable ? 'cache-not-writable' : 'lock-timeout');
    }
    try {
      signal?.throwIfAborted(); // the last point to stop: OpenVINO's compile cannot be interrupted
      // Holding the lock, no evictor is at work: a marker of one is left from a crash.
      await clearEvictingMarker(prep.entryDir);
      const read = await readManifest(prep.entryDir);
      // Another process may have filled the entry while this one waited.
      if (read.status === 'ok' && (await this.usable(read.manifest, prep))) {
        return await this.load(prep, opts, started, read.manifest, waited, true);
      }
      this.p.folder.ensureStill();
      // The free-space guard: no entry where there is no room for it.
      const refused = this.p.budgetActive ? await this.p.budget.guardSpace(spaceRequest(prep, opts)) : null;
      if (refused) return await uncached(refused);
      // With shapes: the reshaped IR, compiled in the path form (lib/cache/warm/), once it reads back right.
      if (prep.irSource && !(await this.p.warm.verify(prep, prep.irSource))) prep.irSource = undefined;
      if (!prep.irSource) await this.p.keys.materialize(prep);
      // An entry the tiers do not accept is no base: its files are discarded below and compiled over.
      const previous = read.status === 'ok' && read.manifest.key === prep.key && this.accepted(read.manifest) ? read.manifest : undefined;
      const base = previous ?? newManifest(prep.key, prep.parts);
      // Invariant: a fill adopts no file it cannot account for. Files under no manifest of this
      // key (another key's folder name collided, a bundle or a crash left them) are removed
      // first: OpenVINO would load a blob among them and the entry would pass for compiled here.
      if (!previous) await discardEntry(prep.entryDir);
      const before = await listEntryFiles(prep.entryDir);
      try {
        makeOwnerOnlyDir(prep.entryDir);
        await writeManifest(prep.entryDir, fillingManifest(base));
      } catch (error) {
        // No room for even the manifest (a full disk): the entry is left as it was, or not at all.
        if (!isUnwritableError(error)) throw error;
        log('cannot start the entry %s (%s); compiling without the cache', prep.entryDir, (error as Error).message);
        if (!previous) await discardEntry(prep.entryDir);
        return await uncached('cache-write-failed');
      }
      progress.phase('compile');
      const t = performance.now();
      let compiled: RuntimeCompiledModel;
      try {
        compiled = await this.p.core().compileModel(compiledFrom(prep), opts.device, withCacheDir(opts.config, prep.entryDir));
      } catch (error) {
        // Failing to write into our folder must not fail the user's compile: retry without it.
        if (!(await failedWritingInto(prep.entryDir, before))) {
          // A compile that failed (bad model, unknown device) leaves no folder of its own behind.
          if (!previous && before.length === 0)
            await fs.promises.rm(prep.entryDir, { recursive: true, force: true }).catch(() => undefined);
          throw error;
        }
        log('OpenVINO could not write into %s (%s); compiling without the cache', prep.entryDir, (error as Error).message);
        await discardEntry(prep.entryDir); // its manifest says filling: nothing in it is worth keeping
        return await uncached('cache-write-failed');
      }
      const compileMs = performance.now() - t;
      progress.phase('write-entry');
      const files = await listEntryFiles(prep.entryDir);
      const hit = compiled.loadedFromCache;
      const blobWriteMs = hit
        ? null
        : await measureBlobWrite(
            prep.entryDir,
            before.map((f) => f.name),
            compileMs,
          );
      const timings = { coldCompileMs: roundMs(compileMs), blobWriteMs, warmLoadMs: [] };
      if (!hit && (await this.p.policy.tooFast(prep.key, prep.xml, opts.device, timings))) {
        await fs.promises.rm(prep.entryDir, { recursive: true, force: true }).catch(() => undefined);
        const done = outcomeOf(prep, started, { compiled, lockWaitMs: waited, compileMs, recordedCompileMs: null });
        return { ...done, cached: false, entryDir: null, uncachedReason: 'compile-too-fast' };
      }
      const wroteBytes = Math.max(0, sumBytes(files) - sumBytes(before));
      const manifest = filledManifest(base, { xml: prep.xml, source: sourceOf(prep), parts: prep.parts, files, hit, compileMs });
      if (!hit) manifest.timings = timings;
      manifest.covers = coversOf(prep.parts.inputs, prep.route);
      if (asksWeightless(opts.config)) manifest.weightless = { weights: prep.parts.model.files.filter((f) => f.role === 'bin') };
      // The compiled model works whatever happens to the entry: a write that fails from here on
      // (OpenVINO's blob on a full volume, the manifest) costs the entry, never the compile.
      const writeFailed = !hit && !manifest.complete && (await blobWriteFailed(this.p.core(), opts.device, prep.entryDir));
      const wrote = writeFailed
        ? false
        : await writeManifest(prep.entryDir, manifest, { fsync: true }).then(
            () => true,
            (error: Error) => (log('cannot write the manifest of %s: %s', prep.entryDir, error.message), false),
          );
      if (!wrote) {
        log('cannot keep the entry %s (its blob or manifest could not be written); compiled without the cache', prep.entryDir);
        await discardEntry(prep.entryDir);
        const done = outcomeOf(prep, started, { compiled, lockWaitMs: waited, compileMs, recordedCompileMs: null });
        return { ...done, cached: false, entryDir: null, uncachedReason: 'cache-write-failed' };
      }
      this.p.counters.bytesWritten += wroteBytes;
      if (!manifest.complete) log('OpenVINO wrote no blob into %s (device cannot cache?)', prep.entryDir);
      else if (!hit && weightBytes(prep.parts) >= MIN_LEARN_WEIGHT_BYTES) {
        this.p.manifests.track(this.p.budget.sizeFactors.record(sizeFactorKey(opts), manifest.bytes, weightBytes(prep.parts)));
      }
      return outcomeOf(prep, started, { compiled, lockWaitMs: waited, compileMs, recordedCompileMs: base.compileMs, wroteBytes });
    } finally {
      await attempt.lock.release();
    }
  }
}
