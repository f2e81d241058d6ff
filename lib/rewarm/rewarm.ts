// rewarm(): after an OpenVINO upgrade or a driver update, compile the twin of every old entry
// (plan.ts) through the public ModelCache API, one at a time, so the first start under the new
// build loads instead of compiling. With tiers, each compile takes the fleet's lease and
// publishes, as any compile does: one machine per entry compiles, the others copy.
//
// Resumable by construction: what is done is on disk (the twins), and a new run plans again
// from the folder, so a run killed halfway starts where it stopped. A failure does not stop
// the others; a compile the cache could not keep (over budget, read-only) counts as failed.
import { performance } from 'node:perf_hooks';
import type { LocalModelCache } from '../cache/model-cache';
import { planRewarm, type PlanOptions, type RewarmItem, type RewarmSkip } from './plan';
import { pruneTwinned, type PruneReport } from './prune-old';

export interface RewarmResult {
  /** The old entry's folder name and key. */
  name: string;
  key: string;
  model: string;
  device: string;
  shapes: string;
  /** 'rewarmed': compiled here; 'copied': the twin came from a tier; 'failed': see error. */
  status: 'rewarmed' | 'copied' | 'failed';
  twinKey: string;
  /** What made the old entry old: runtime.buildNumber, device.fullName, device.architecture. */
  changed: string[];
  ms: number;
  error: { code: string | null; message: string } | null;
}

export interface RewarmSkipped {
  name: string;
  key: string | null;
  model: string | null;
  reason: RewarmSkip['reason'];
  detail: string | null;
}

export interface RewarmReport {
  dir: string;
  results: RewarmResult[];
  skipped: RewarmSkipped[];
  rewarmed: number;
  copied: number;
  failed: number;
  /** With pruneOld: the old entries removed once their twin existed. */
  pruned: PruneReport | null;
  /** True when the signal stopped the run: `left` planned compiles were not started. */
  interrupted: boolean;
  left: number;
  ms: number;
}

export interface RewarmOptions extends PlanOptions {
  /** Remove old entries whose twin exists once the compiles are done. Default false. */
  pruneOld?: boolean;
  /** Stops between compiles (the one running finishes): the report says what was done. */
  signal?: AbortSignal;
  /** Called before each compile (done so far, total, the model) and once at the end. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Awaited before each compile: a background rewarm waits here while the service is busy. */
  beforeEach?: () => Promise<void>;
}

// The compile is not given the stop signal: a stop lets the compile in flight settle (its twin is
// kept and reported), so nothing is written after rewarm() returns (a background rewarm's stop()
// awaits it before dispose() closes the cache).
async function rewarmOne(cache: LocalModelCache, item: RewarmItem): Promise<RewarmResult> {
  const started = performance.now();
  const base = {
    name: item.entry.name,
    key: item.entry.key as string,
    model: item.model,
    device: item.options.device,
    shapes: item.entry.shapes,
    twinKey: item.twinKey,
    changed: item.changed,
  };
  try {
    const r = await cache.compile(item.model, item.options);
    r.compiled.dispose();
    for (const form of item.moreForms) (await cache.compile(item.model, form)).compiled.dispose();
    for (const other of item.otherPaths) (await cache.compile(other.model, other.options)).compiled.dispose();
    const ms = performance.now() - started;
    if (!r.cached || r.key !== item.twinKey) {
      const why = r.cached
        ? `filled key ${r.key ?? '?'} instead of ${item.twinKey}`
        : `compiled but not cached (${r.uncachedReason ?? '?'})`;
      return { ...base, status: 'failed', ms, error: { code: null, message: why } };
    }
    return { ...base, status: r.tier !== undefined ? 'copied' : 'rewarmed', ms, error: null };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return {
      ...base,
      status: 'failed',
      ms: performance.now() - started,
      error: { code: e.code ?? null, message: e.message ?? String(error) },
    };
  }
}

function skippedOf(s: RewarmSkip): RewarmSkipped {
  return { name: s.entry.name, key: s.entry.key, model: s.entry.model, reason: s.reason, detail: s.detail ?? null };
}

/** Rewarms the cache's folder with the runtime the cache was made with (the new one). */
export async function rewarm(cache: LocalModelCache, options: RewarmOptions = {}): Promise<RewarmReport> {
  const started = performance.now();
  const plan = await planRewarm(cache, options);
  const results: RewarmResult[] = [];
  for (const item of plan.items) {
    if (options.signal?.aborted) break;
    await options.beforeEach?.();
    if (options.signal?.aborted) break;
    options.onProgress?.(results.length, plan.items.length, item.model);
    results.push(await rewarmOne(cache, item));
  }
  options.onProgress?.(results.length, plan.items.length, '');
  await cache.flush(); // manifests written and publishes done before rewarm says it is done
  const pruned = options.pruneOld && !options.signal?.aborted ? await pruneTwinned(cache) : null;
  const count = (s: RewarmResult['status']) => results.filter((r) => r.status === s).length;
  return {
    dir: plan.dir,
    results,
    skipped: plan.skipped.filter((s) => s.reason !== 'current').map(skippedOf),
    rewarmed: count('rewarmed'),
    copied: count('copied'),
    failed: count('failed'),
    pruned,
    interrupted: Boolean(options.signal?.aborted),
    left: plan.items.length - results.length,
    ms: performance.now() - started,
  };
}
