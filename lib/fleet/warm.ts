// warm(): compile every (model, device, shapes, config) of a manifest into the cache and its
// writable tiers, one after the other, and say for each whether it was compiled, already
// cached (locally or on a tier) or failed. A failure does not stop the others; a compile the
// cache could not keep (over budget, read-only) counts as failed: the point was to keep it.
import { performance } from 'node:perf_hooks';
import type { LocalModelCache } from '../cache/model-cache';
import type { CompileProgress } from '../cache/progress/compile-progress';
import type { Fleet, TierEvent } from './fleet';
import type { WarmManifest, WarmModel } from './warm-manifest';

export type WarmStatus = 'compiled' | 'cached' | 'failed';

export interface WarmResult {
  model: string;
  device: string;
  shapes: WarmModel['shapes'] | null;
  status: WarmStatus;
  /** 'local', a tier's name, or null when compiled here or failed. */
  from: string | null;
  key: string | null;
  ms: number;
  error: { code: string | null; message: string } | null;
  /** What happened when this entry was published to each writable tier (empty without tiers). */
  published: WarmPublish[];
}

/** One tier's publish of a warmed entry: 'refused' with the reason when the signer may not vouch for it. */
export interface WarmPublish {
  tier: string;
  outcome: 'published' | 'present' | 'refused' | 'down' | 'skipped';
  /** The key id that signed what was published; null: published unsigned. */
  signedBy: string | null;
  reason?: string;
}

export interface WarmReport {
  results: WarmResult[];
  compiled: number;
  cached: number;
  failed: number;
  ms: number;
}

export interface WarmOptions {
  onProgress?: (done: number, total: number, label: string) => void;
  /** The phases of each model's compile (cache.compile's onProgress). */
  onCompileProgress?: (model: string, progress: CompileProgress) => void;
}

/** A cache and the fleet below it (the package's ModelCache is one). */
export type WarmTarget = Pick<LocalModelCache, 'compile'> & { readonly fleet: Fleet | undefined };

async function warmOne(cache: WarmTarget, m: WarmModel, options: WarmOptions): Promise<WarmResult> {
  const onCompileProgress = options.onCompileProgress;
  const device = m.device ?? 'CPU';
  const started = performance.now();
  const base = { model: m.model, device, shapes: m.shapes ?? null };
  try {
    const r = await cache.compile(m.model, {
      device,
      ...(m.shapes ? { shapes: m.shapes } : {}),
      ...(m.config ? { config: m.config } : {}),
      ...(onCompileProgress ? { onProgress: (p: CompileProgress) => onCompileProgress(m.model, p) } : {}),
    });
    r.compiled.dispose();
    const ms = performance.now() - started;
    if (!r.cached) {
      const message = `compiled but not cached (${r.uncachedReason ?? 'unknown'})`;
      return { ...base, status: 'failed', from: null, key: r.key, ms, error: { code: null, message }, published: [] };
    }
    // An entry that was already local may be missing from the tiers: publish it (skipped where present).
    if (cache.fleet && r.hit && r.entryDir && r.key && r.tier === undefined) await cache.fleet.publish(r.entryDir, r.key);
    const status = r.hit ? 'cached' : 'compiled';
    return { ...base, status, from: r.hit ? (r.tier ?? 'local') : null, key: r.key, ms, error: null, published: [] };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const failure = { code: e.code ?? null, message: e.message ?? String(error) };
    return { ...base, status: 'failed', from: null, key: null, ms: performance.now() - started, error: failure, published: [] };
  }
}

/** What cache.warm(manifest) does; the manifest's own dir and tiers are the caller's to apply. */
export async function warm(cache: WarmTarget, manifest: WarmManifest, options: WarmOptions = {}): Promise<WarmReport> {
  const started = performance.now();
  const results: WarmResult[] = [];
  const published: Array<TierEvent> = [];
  const onTier = (event: TierEvent): void => {
    if (event.op === 'publish') published.push(event);
  };
  cache.fleet?.on('tier', onTier);
  try {
    for (const m of manifest.models) {
      options.onProgress?.(results.length, manifest.models.length, m.model);
      results.push(await warmOne(cache, m, options));
    }
    options.onProgress?.(results.length, manifest.models.length, '');
    await cache.fleet?.flush(); // every publish done before warm() says it is done
  } finally {
    cache.fleet?.off('tier', onTier);
  }
  const signer = cache.fleet?.trust?.signer?.keyId ?? null;
  for (const r of results)
    r.published = published
      .filter((e) => e.key === r.key)
      .map((e) => ({
        tier: e.tier,
        outcome: e.outcome as WarmPublish['outcome'],
        signedBy: e.outcome === 'published' ? signer : null,
        ...(e.reason ? { reason: e.reason } : {}),
      }));
  const count = (s: WarmStatus) => results.filter((r) => r.status === s).length;
  return { results, compiled: count('compiled'), cached: count('cached'), failed: count('failed'), ms: performance.now() - started };
}
