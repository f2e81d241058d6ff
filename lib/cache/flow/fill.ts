// The fill stage, under the entry's lock (taken by the lookup): make room (the budget's guard),
// compile into the entry folder and write its manifest. A leaf: the flow builds the outcome.
// The compiled model works whatever happens to the entry: a write that fails costs the entry
// (the outcome says 'cache-write-failed'), never the compile.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { logger } from '../../log';
import { errnoCode, isUnwritableError } from '../../fs/errno';
import type { RuntimeCompiledModel, RuntimeCore } from '../../runtime/runtime-port';
import type { BudgetKeeper, SpaceRequest } from '../budget/keeper';
import { MIN_LEARN_WEIGHT_BYTES, SizeFactors } from '../budget/size-factors';
import type { CacheFolder } from '../cache-dir';
import type { Done } from '../compile-outcome';
import type { UncachedReason } from '../compile-types';
import { coversOf } from '../dynamic/covers';
import { writeManifest, type EntryManifest } from '../entry/manifest';
import {
  blobWriteFailed,
  discardEntry,
  failedWritingInto,
  filledManifest,
  listEntryFiles,
  newManifest,
  startFilling,
  sumBytes,
} from '../entry/fill-writes';
import type { ManifestWriter } from '../entry/manifest-writer';
import type { KeyParts } from '../key';
import type { KeyBuilder, PreparedCompile } from '../key-builder';
import type { ResolvedCompileOptions } from '../options';
import type { CachePolicyKeeper } from '../policy/policy';
import { measureBlobWrite, roundMs } from '../policy/timings';
import type { CacheStats } from '../stats';
import type { ReshapedWarmPath } from '../warm/warm-path';
import { asksWeightless } from '../weightless';
import { compiledFrom, sourceOf, withCacheDir } from './source';

const log = logger('cache');

export interface FillParts {
  core(): RuntimeCore;
  folder: CacheFolder;
  keys: KeyBuilder;
  manifests: ManifestWriter;
  budget: BudgetKeeper;
  /** Whether compiles check the budget (a limit is set and the cache may write). */
  budgetActive: boolean;
  counters: CacheStats;
  policy: CachePolicyKeeper;
  warm: ReshapedWarmPath;
}

/** A fill that compiled (`dropped`: the entry was not kept), or the reason to compile without the cache. */
export type Filled = Done | { plain: UncachedReason };

/** `previous`: the entry's manifest read under the lock, when it may be built on. */
export async function fillEntry(
  p: FillParts,
  prep: PreparedCompile,
  opts: ResolvedCompileOptions,
  previous: EntryManifest | undefined,
): Promise<Filled> {
  p.folder.ensureStill();
  // What the entry will take (from the key's parts: a fill does not change the model's files),
  // by the size factor learned for its device and mode (the fill records one after).
  const request = spaceRequest(prep, opts);
  const sizeFactorKey = sizeFactorKeyOf(opts);
  // The free-space guard: no entry where there is no room for it.
  const refused = p.budgetActive ? await p.budget.guardSpace(request, () => p.budget.sizeFactors.factor(sizeFactorKey)) : null;
  if (refused) return { plain: refused };
  // With shapes: the reshaped IR, compiled in the path form (lib/cache/warm/), once it reads back right.
  if (prep.irSource && !(await p.warm.verify(prep, prep.irSource))) prep.irSource = undefined;
  if (!prep.irSource) await p.keys.materialize(prep);
  const source = sourceOf(prep); // what OpenVINO compiles, settled: the manifest records it
  const base = previous ?? newManifest(prep.key, prep.parts);
  // Invariant: a fill adopts no file it cannot account for. Files under no manifest of this
  // key (another key's folder name collided, a bundle or a crash left them) are removed
  // first: OpenVINO would load a blob among them and the entry would pass for compiled here.
  if (!previous) await discardEntry(prep.entryDir);
  const before = await listEntryFiles(prep.entryDir);
  try {
    await startFilling(prep.entryDir, base);
  } catch (error) {
    // No room for even the manifest (a full disk), or the folder removed under it (someone
    // deleted the cache): the entry is left as it was, or not at all; the compile goes on.
    if (!isUnwritableError(error) && errnoCode(error) !== 'ENOENT') throw error;
    log('cannot start the entry %s (%s); compiling without the cache', prep.entryDir, (error as Error).message);
    if (!previous) await discardEntry(prep.entryDir);
    return { plain: 'cache-write-failed' };
  }
  opts.waits.progress.phase('compile');
  const t = performance.now();
  let compiled: RuntimeCompiledModel;
  try {
    compiled = await p.core().compileModel(compiledFrom(prep), opts.device, withCacheDir(opts.config, prep.entryDir));
  } catch (error) {
    // Failing to write into our folder must not fail the user's compile: retry without it.
    if (!(await failedWritingInto(prep.entryDir, before))) {
      // A compile that failed (bad model, unknown device) leaves no folder of its own behind.
      if (!previous && before.length === 0) await fs.promises.rm(prep.entryDir, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
    log('OpenVINO could not write into %s (%s); compiling without the cache', prep.entryDir, (error as Error).message);
    await discardEntry(prep.entryDir); // its manifest says filling: nothing in it is worth keeping
    return { plain: 'cache-write-failed' };
  }
  const compileMs = performance.now() - t;
  opts.waits.progress.phase('write-entry');
  const files = await listEntryFiles(prep.entryDir);
  const hit = compiled.loadedFromCache;
  const manifest = filledManifest(base, { xml: prep.xml, source, parts: prep.parts, files, hit, compileMs });
  // OpenVINO's blob on a full volume: a failed write costs the entry (judged after the policy's tooFast).
  const writeFailed = !hit && !manifest.complete && (await blobWriteFailed(p.core(), opts.device, prep.entryDir));
  const blobWriteMs = hit
    ? null
    : await measureBlobWrite(
        prep.entryDir,
        before.map((f) => f.name),
        compileMs,
      );
  const timings = { coldCompileMs: roundMs(compileMs), blobWriteMs, warmLoadMs: [] };
  if (!hit && (await p.policy.tooFast(prep.key, prep.xml, opts.device, timings))) {
    await fs.promises.rm(prep.entryDir, { recursive: true, force: true }).catch(() => undefined);
    return { compiled, compileMs, recordedCompileMs: null, dropped: 'compile-too-fast' };
  }
  const wroteBytes = Math.max(0, sumBytes(files) - sumBytes(before));
  if (!hit) manifest.timings = timings;
  manifest.covers = coversOf(prep.parts.inputs, prep.route);
  if (asksWeightless(opts.config)) manifest.weightless = { weights: prep.parts.model.files.filter((f) => f.role === 'bin') };
  // From here on a failed write (the blob, checked above, or the manifest) costs the entry.
  const wrote = writeFailed
    ? false
    : await writeManifest(prep.entryDir, manifest, { fsync: true }).then(
        () => true,
        (error: Error) => (log('cannot write the manifest of %s: %s', prep.entryDir, error.message), false),
      );
  if (!wrote) {
    log('cannot keep the entry %s (its blob or manifest could not be written); compiled without the cache', prep.entryDir);
    await discardEntry(prep.entryDir);
    return { compiled, compileMs, recordedCompileMs: null, dropped: 'cache-write-failed' };
  }
  p.counters.bytesWritten += wroteBytes;
  if (!manifest.complete) log('OpenVINO wrote no blob into %s (device cannot cache?)', prep.entryDir);
  else if (!hit && request.weightBytes >= MIN_LEARN_WEIGHT_BYTES) {
    p.manifests.track(p.budget.sizeFactors.record(sizeFactorKey, manifest.bytes, request.weightBytes));
  }
  return { compiled, compileMs, recordedCompileMs: base.compileMs, wroteBytes };
}

/** What the budget's guard is asked for this fill. */
function spaceRequest(prep: PreparedCompile, opts: ResolvedCompileOptions): SpaceRequest {
  return {
    key: prep.key,
    model: prep.xml,
    entryName: path.basename(prep.entryDir),
    device: opts.device,
    weightBytes: weightBytes(prep.parts),
  };
}

/** Bytes of the model's weights (.bin), or of the model file when there is no .bin. */
export function weightBytes(parts: KeyParts): number {
  const files = parts.model.files;
  const bins = files.filter((f) => f.role === 'bin');
  return (bins.length > 0 ? bins : files).reduce((n, f) => n + f.size, 0);
}

/** Size factors are learned per device and CACHE_MODE (weightless blobs are much smaller). */
export function sizeFactorKeyOf(opts: ResolvedCompileOptions): string {
  const mode = opts.config?.CACHE_MODE;
  return SizeFactors.keyOf(opts.device, mode === undefined ? undefined : String(mode));
}
