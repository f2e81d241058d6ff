// Which entries a rewarm compiles: every entry of another build (or device identity) whose
// twin -- the entry the runtime now loaded would make for the same model files, shapes, device,
// config and weightless mode -- does not exist yet. Read-only: nothing is compiled or removed.
//
// Invariants: the twin's key is what cache.keyFor() gives for the request rebuilt from the
// entry's manifest; an entry is an "old" entry only when its key and its twin's differ in the
// runtime build or the device identity and in nothing else (anything else is skipped with
// the reason, never compiled under a guess).
import fs from 'node:fs';
import type { LocalModelCache } from '../cache/model-cache';
import { diffKeyParts, type KeyParts } from '../cache/key';
import { readManifest, type EntryManifest } from '../cache/entry/manifest';
import { scanCache, type ScannedEntry } from '../cache/scan';
import type { CompileOptions } from '../cache/options';
import type { CompileConfig } from '../openvino/properties';
import { asksWeightless } from '../cache/weightless';

/** Key parts a new OpenVINO build or a driver update changes; a twin differs in these only. */
export const BUILD_PARTS: ReadonlySet<string> = new Set(['runtime.buildNumber', 'device.fullName', 'device.architecture']);

/**
 * Why an entry is not compiled:
 *   current          it was made by the runtime now loaded (its key is its twin's)
 *   rewarmed         its twin exists already (a previous rewarm, or the service compiled it)
 *   not-recent       not used within `since`
 *   model-missing    its model files are gone
 *   model-changed    they differ from what was compiled (size or mtime, or their digest)
 *   no-model-path    it was compiled from a model object: no file to compile again
 *   broken           incomplete, blob missing, no valid manifest
 *   key-differs      the request rebuilt from it makes a key that differs in more than the build
 *                    (its model files being the same)
 *   over-limit       beyond `limit`
 */
export type RewarmSkipReason =
  'current' | 'rewarmed' | 'not-recent' | 'model-missing' | 'model-changed' | 'no-model-path' | 'broken' | 'key-differs' | 'over-limit';

/** One old entry to compile again, and the compile that makes its twin. */
export interface RewarmItem {
  entry: ScannedEntry;
  model: string;
  options: Pick<CompileOptions, 'device' | 'shapes' | 'config' | 'weightless'>;
  /**
   * OpenVINO names a blob after how the model reached it (the model's own path, a reshaped IR):
   * each form the old entry was loaded through is compiled again, so every caller loads. The first
   * form is `options`; more are listed here (same key, another blob in the entry).
   */
  moreForms: Array<RewarmItem['options']>;
  /**
   * The same model at its other paths the entry lists that still exist (one model deployed at two
   * paths: one key, one blob per path): each compile fills the same twin with that path's blob.
   */
  otherPaths: Array<{ model: string; options: RewarmItem['options'] }>;
  /** The key the compile must fill. */
  twinKey: string;
  /** What differs between the old entry and its twin (runtime.buildNumber, device.fullName, ...). */
  changed: string[];
}

export interface RewarmSkip {
  entry: ScannedEntry;
  reason: RewarmSkipReason;
  detail?: string;
}

export interface RewarmPlan {
  dir: string;
  /** Most recently used first: with a limit, what is used most is rewarmed first. */
  items: RewarmItem[];
  skipped: RewarmSkip[];
  /** Old entries whose twin exists (complete): what `--prune-old` and `prune --stale` remove. */
  twinned: ScannedEntry[];
}

export interface PlanOptions {
  /** Only entries used within this many ms. Default: all. */
  sinceMs?: number;
  /** At most this many compiles; the rest is skipped as over-limit. */
  limit?: number;
  now?: number;
}

/**
 * The compiles that fill an entry's key again, from its manifest: its key parts, and the forms it
 * was compiled through (sources). A path source naming the model file itself was a compile
 * without shapes (OpenVINO's path form); any other source (a reshaped IR) one with shapes.
 */
export function requestsOf(manifest: EntryManifest, model: string): Array<RewarmItem['options']> {
  const withShapes = requestOf(manifest.parts);
  const { shapes: _shapes, ...ownShapes } = withShapes;
  const own = manifest.sources.some((s) => s.kind === 'path' && s.xml === model);
  const other = manifest.sources.some((s) => !(s.kind === 'path' && s.xml === model));
  if (own && other) return [ownShapes, withShapes];
  return own ? [ownShapes] : [withShapes];
}

/** The compile that would fill an entry's key again, from its manifest's key parts. */
export function requestOf(parts: KeyParts): RewarmItem['options'] {
  const shapes = Object.fromEntries(parts.inputs.map((i) => [i.name, i.shape]));
  // parts.config is the canonical config after the weightless choice: given as the caller's own,
  // it stands as is (weightless.ts). An entry whose config asks no weightless blobs was made with
  // full blobs: its twin is too (weightless: false), whatever the rewarming cache's mode.
  const config: CompileConfig = { ...parts.config };
  return {
    device: parts.device.name,
    ...(parts.inputs.length > 0 ? { shapes } : {}),
    ...(Object.keys(config).length > 0 ? { config } : {}),
    ...(asksWeightless(config) ? {} : { weightless: false }),
  };
}

/** Surveys the cache folder with the cache's runtime and says what a rewarm would compile. */
export async function planRewarm(cache: LocalModelCache, options: PlanOptions = {}): Promise<RewarmPlan> {
  const now = options.now ?? Date.now();
  const scan = await scanCache(cache.dir, { now, currentBuildNumber: cache.runtime.version.buildNumber });
  const complete = new Set(scan.entries.filter((e) => e.state !== 'broken' && e.key).map((e) => e.key as string));
  const plan: RewarmPlan = { dir: scan.dir, items: [], skipped: [], twinned: [] };
  const skip = (entry: ScannedEntry, reason: RewarmSkipReason, detail?: string): void => {
    plan.skipped.push({ entry, reason, ...(detail ? { detail } : {}) });
  };
  const byRecentUse = [...scan.entries].sort((a, b) => b.lastUsedMs - a.lastUsedMs || (a.name < b.name ? -1 : 1));
  const twins = new Set<string>();
  for (const entry of byRecentUse) {
    if (entry.state === 'broken' || entry.key === null) {
      skip(entry, 'broken', entry.manifestProblem ?? entry.stale.join(', '));
      continue;
    }
    const modelProblem = entry.stale.find((s) => s === 'model-missing' || s === 'model-changed');
    const model = entry.modelPaths[entry.modelPaths.length - 1];
    const read = await readManifest(entry.dir);
    if (read.status !== 'ok') {
      skip(entry, 'broken', read.status === 'invalid' ? read.reason : 'manifest removed meanwhile');
      continue;
    }
    // An entry made by the loaded build can still be of an older device identity (a driver update).
    if (model === undefined) {
      skip(entry, entry.stale.includes('runtime-version') ? 'no-model-path' : 'current');
      continue;
    }
    if (modelProblem) {
      skip(entry, modelProblem, model);
      continue;
    }
    if (!fs.existsSync(model)) {
      skip(entry, 'model-missing', model);
      continue;
    }
    const [request, ...moreForms] = requestsOf(read.manifest, model) as [RewarmItem['options'], ...RewarmItem['options'][]];
    const twin = await cache.keyFor(model, request);
    if (twin.key === entry.key) {
      skip(entry, 'current');
      continue;
    }
    const changed = diffKeyParts(read.manifest.parts, twin.parts).map((c) => c.part);
    const other = changed.filter((p) => !BUILD_PARTS.has(p));
    // Model files whose digest or size differs from what was compiled (rewritten in place, same
    // mtime): the model changed, whatever else differs with it.
    const modelFiles = other.filter((p) => /^model\.[^.]+\.(sha256|size)$/.test(p));
    if (modelFiles.length > 0) {
      skip(entry, 'model-changed', `${model}: ${modelFiles.join(', ')} differ`);
      continue;
    }
    if (other.length > 0) {
      skip(entry, 'key-differs', other.join(', '));
      continue;
    }
    if (complete.has(twin.key)) {
      plan.twinned.push(entry);
      skip(entry, 'rewarmed', twin.key);
      continue;
    }
    if (options.sinceMs !== undefined && entry.lastUsedMs < now - options.sinceMs) {
      skip(entry, 'not-recent', entry.lastUsedAt ?? undefined);
      continue;
    }
    // Two old entries with one twin (two older builds): one compile serves both.
    if (twins.has(twin.key)) {
      skip(entry, 'rewarmed', twin.key);
      continue;
    }
    if (options.limit !== undefined && plan.items.length >= options.limit) {
      skip(entry, 'over-limit');
      continue;
    }
    twins.add(twin.key);
    const otherPaths = entry.modelPaths
      .filter((p) => p !== model && fs.existsSync(p))
      .flatMap((p) => requestsOf(read.manifest, p).map((options) => ({ model: p, options })));
    plan.items.push({ entry, model, options: request, moreForms, otherPaths, twinKey: twin.key, changed });
  }
  return plan;
}
