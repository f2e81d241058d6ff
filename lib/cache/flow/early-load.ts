// The early load: a start whose weights' digest is not remembered (a fresh container keeps the
// cache volume, but its files have new identities) loads the entry these weights last made for
// this model while they are hashed, and keeps it only when the digest names that same entry.
// Invariant: a wrong guess costs a load, never a wrong entry: the key the caller gets is always
// the digest's, the guessed entry is neither touched nor counted unless its key is that key,
// and the guessed load holds the same load marker and budget hold as any load.
import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../../log';
import type { RuntimeCore } from '../../runtime/runtime-port';
import type { BudgetKeeper } from '../budget/keeper';
import type { CacheFolder } from '../cache-dir';
import { outcomeOf, type Outcome } from '../compile-outcome';
import { readManifest } from '../entry/manifest';
import type { ManifestWriter } from '../entry/manifest-writer';
import { entryName } from '../entry/name';
import { deriveKey, type KeyParts } from '../key';
import type { KeyBuilder, PreparedCompile } from '../key-builder';
import type { ResolvedCompileOptions } from '../options';
import type { CachePolicyKeeper } from '../policy/policy';
import { asksWeightless } from '../weightless';
import { loadEntry } from './load';
import type { EntryLookup } from './lookup';

const log = logger('cache');

/** Entries of one model, device and inputs a guess reads at most (one per set of weights seen). */
const MAX_CANDIDATES = 8;

export interface EarlyLoadParts {
  core(): RuntimeCore;
  folder: CacheFolder;
  keys: KeyBuilder;
  manifests: ManifestWriter;
  budget: BudgetKeeper;
  policy: CachePolicyKeeper;
  lookup: EntryLookup;
}

/** The outcome of a kept early load, or the digest's prepared compile to go on with (the early load, if any, thrown away). */
export type EarlyLoad = { outcome: Outcome } | { prep: PreparedCompile };

/**
 * The entry in the folder made from these parts (the weights' digest left empty) with weights
 * of the same size: its key, folder and full parts. Checked against its own key, so a manifest
 * that does not hash to its name is no guess.
 */
export async function guessEntry(
  folder: CacheFolder,
  parts: KeyParts,
): Promise<{ key: string; entryDir: string; parts: KeyParts } | undefined> {
  const prefix = entryName(parts, '0'.repeat(64)).slice(0, -12);
  let names: string[];
  try {
    names = await fs.promises.readdir(folder.layout.entries);
  } catch {
    return undefined;
  }
  const wanted = JSON.stringify(parts);
  for (const name of names.filter((n) => n.startsWith(prefix)).slice(0, MAX_CANDIDATES)) {
    const entryDir = path.join(folder.layout.entries, name);
    const read = await readManifest(entryDir);
    if (read.status !== 'ok' || !read.manifest.complete) continue;
    const { key, parts: made } = read.manifest;
    const blanked = {
      ...made,
      model: { ...made.model, files: made.model.files.map((f) => (f.role === 'bin' ? { ...f, sha256: '' } : f)) },
    };
    if (JSON.stringify(blanked) === wanted && deriveKey(made) === key && path.basename(entryDir) === entryName(made, key))
      return { key, entryDir, parts: made };
  }
  return undefined;
}

/**
 * Undefined when there is nothing to overlap (the compile goes the usual way); else the kept
 * early load's outcome, or the digest's prepared compile when the guess was wrong or could not
 * load (the usual lookup follows with the right key).
 */
export async function loadEarly(
  p: EarlyLoadParts,
  model: string,
  opts: ResolvedCompileOptions,
  started: number,
): Promise<EarlyLoad | undefined> {
  // Weightless blobs map the .bin they were made from: never load one against other weights.
  if (asksWeightless(opts.config)) return undefined;
  const xml = path.resolve(model);
  // Any trouble here (a missing or malformed model) is left to the usual path's coded errors.
  const before = await p.keys.partsBeforeWeights(xml, opts).catch(() => undefined);
  const guess = before && (await guessEntry(p.folder, before.parts));
  if (!before || !guess) return undefined;
  const real = p.keys.prepare(model, opts); // hashes the weights while the guessed entry loads
  const provisional: PreparedCompile = {
    xml,
    xmlMtimeNs: before.xml.mtimeNs,
    xmlSize: before.xml.size,
    modelObject: undefined,
    ownsModel: false,
    parts: guess.parts,
    key: guess.key,
    entryDir: guess.entryDir,
    fingerprintMs: 0,
    readMs: 0,
  };
  const plan = (await p.policy.skip(guess.key)) ? undefined : await p.lookup.local(provisional, false);
  if (!plan || plan.kind !== 'load') {
    await plan?.end(null);
    return { prep: await real };
  }
  const release = p.budget.hold(guess.key);
  const leave = p.policy.enter();
  let kept: string | null = null;
  try {
    const mark = p.policy.mark();
    const [prepared, loaded] = await Promise.allSettled([real, loadEntry(p, provisional, opts, plan.manifest, false, false)]);
    if (prepared.status === 'rejected') {
      if (loaded.status === 'fulfilled') loaded.value.compiled.dispose();
      throw prepared.reason;
    }
    const prep = prepared.value;
    if (loaded.status === 'rejected' || prep.key !== guess.key) {
      if (loaded.status === 'fulfilled') loaded.value.compiled.dispose();
      log('early load of %s not kept: %s', path.basename(guess.entryDir), loaded.status === 'rejected' ? 'it failed' : 'other weights');
      return { prep };
    }
    const done = loaded.value;
    opts.waits.progress.phase('load'); // progress reads fingerprint, then load, as on the usual path
    // What loadEntry records when it may touch: now that the entry is known to be this compile's.
    p.manifests.noteLoad({
      key: prep.key,
      entryDir: prep.entryDir,
      ms: done.compileMs,
      fromBlob: done.compiled.loadedFromCache,
      alone: p.policy.alone(mark),
    });
    const outcome = outcomeOf(prep, started, 0, done);
    kept = outcome.cached ? outcome.entryDir : null;
    return { outcome };
  } finally {
    leave();
    release();
    await plan.end(kept);
  }
}
