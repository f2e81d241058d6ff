// Cleaning a tier: the files of publishes that no manifest names. Two kinds are left behind:
// a publisher killed between its files and its manifest (an orphan upload), and a key
// published again (the old upload is superseded). Neither is ever read, so removing them is
// safe once nobody can still be using them:
// - an orphan only when its newest file is older than olderThanMs (a publish in progress
//   writes files for at most its deadline before its manifest),
// - a superseded upload only when the manifest that replaced it is older than olderThanMs
//   (a reader who read the old manifest started its copy before then).
// Manifests themselves are never removed here; a key is unpublished only by removing it.
import { parseRemoteManifest } from './remote-manifest';
import type { Tier, TierObject } from './tier';

export const DEFAULT_GC_AGE_MS = 60 * 60 * 1000;

export interface TierGcOptions {
  /** Leave what is younger than this alone. Default 1 hour. */
  olderThanMs?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  now?: number;
  signal?: AbortSignal;
}

export interface TierGarbage {
  key: string;
  uploadId: string;
  files: number;
  bytes: number;
  why: 'orphan' | 'superseded';
}

export interface TierGcReport {
  tier: string;
  dryRun: boolean;
  removed: TierGarbage[];
  /** Unreferenced uploads left because they are younger than olderThanMs. */
  young: TierGarbage[];
  bytesFreed: number;
  /** Keys with a manifest, and the bytes of the uploads they name. */
  entries: number;
  entryBytes: number;
}

export async function collectTierGarbage(tier: Tier, options: TierGcOptions = {}): Promise<TierGcReport> {
  const now = options.now ?? Date.now();
  const cutoff = now - (options.olderThanMs ?? DEFAULT_GC_AGE_MS);
  const dryRun = options.dryRun === true;
  const signal = options.signal ?? new AbortController().signal;
  const byKey = new Map<string, TierObject[]>();
  for (const o of await tier.inventory(signal)) {
    const list = byKey.get(o.key);
    if (list) list.push(o);
    else byKey.set(o.key, [o]);
  }
  const report: TierGcReport = { tier: tier.name, dryRun, removed: [], young: [], bytesFreed: 0, entries: 0, entryBytes: 0 };
  for (const [key, objects] of byKey) {
    const manifestObject = objects.find((o) => o.uploadId === null);
    const text = manifestObject ? await tier.getManifest(key, signal) : undefined;
    const read = text === undefined ? undefined : parseRemoteManifest(text, key);
    const current = read?.status === 'ok' ? read.manifest.uploadId : undefined;
    if (current !== undefined) report.entries++;
    const uploads = uploadsOf(objects);
    // The manifest read now may be newer than the inventory's (republished in between): it was
    // written after the files of the upload it names, so it is at least as young as they are,
    // and brand new when the inventory did not see that upload at all.
    const named = current === undefined ? undefined : uploads.get(current);
    const manifestSince = !manifestObject
      ? 0
      : current === undefined
        ? manifestObject.modifiedMs
        : named
          ? Math.max(manifestObject.modifiedMs, ...named.map((f) => f.modifiedMs))
          : now;
    for (const [uploadId, files] of uploads) {
      const bytes = files.reduce((n, f) => n + f.bytes, 0);
      if (uploadId === current) {
        report.entryBytes += bytes;
        continue;
      }
      // A manifest that is there but unreadable still protects the key's uploads by its age.
      const why = manifestObject ? 'superseded' : 'orphan';
      const since = manifestObject ? manifestSince : Math.max(...files.map((f) => f.modifiedMs));
      const garbage: TierGarbage = { key, uploadId, files: files.length, bytes, why };
      if (since > cutoff) {
        report.young.push(garbage);
        continue;
      }
      // Decided on the manifest as it is at removal time: republished since it was read, the key's uploads wait for the next run.
      if (manifestObject && !dryRun && (await stillNames(tier, key, current, signal)) === false) {
        report.young.push(garbage);
        continue;
      }
      if (!dryRun) await tier.removeUpload(key, uploadId, signal);
      report.removed.push(garbage);
      report.bytesFreed += bytes;
    }
  }
  return report;
}

/** Whether the key's manifest, read again, still names `current` (undefined: still none readable). */
async function stillNames(tier: Tier, key: string, current: string | undefined, signal: AbortSignal): Promise<boolean> {
  const text = await tier.getManifest(key, signal);
  const read = text === undefined ? undefined : parseRemoteManifest(text, key);
  return (read?.status === 'ok' ? read.manifest.uploadId : undefined) === current;
}

function uploadsOf(objects: TierObject[]): Map<string, TierObject[]> {
  const out = new Map<string, TierObject[]>();
  for (const o of objects) {
    if (o.uploadId === null) continue;
    const list = out.get(o.uploadId);
    if (list) list.push(o);
    else out.set(o.uploadId, [o]);
  }
  return out;
}
