// Shared rendering for the cache commands: the JSON form of an entry (stable, docs/cli.md),
// its state in words, and a progress bar created once the total is known.
import type { ScannedEntry } from '../cache/scan';
import { shortKey } from '../cache/key';
import type { EntryCovers } from '../cache/dynamic/covers';
import { createProgress, type Progress } from './progress';

/** An entry as every cache command prints it in --json. */
export interface EntryJson {
  key: string | null;
  name: string;
  model: string | null;
  shapes: string;
  device: string | null;
  bytes: number;
  hits: number;
  createdAt: string | null;
  lastUsedAt: string | null;
  state: ScannedEntry['state'];
  stale: ScannedEntry['stale'];
  manifest: ScannedEntry['manifest'];
  buildNumber: string | null;
  modelPaths: string[];
  compileMs: number | null;
  importMs: number | null;
  /** The shapes the entry serves (static, or a dynamic variant's ranges); null without a manifest. */
  covers: EntryCovers | null;
  /** Copied from a tier or a bundle: from where and who signed it (signedBy: a key id, null when unsigned); null when compiled here. */
  origin: { from: string; signedBy: string | null } | null;
}

export function entryJson(e: ScannedEntry): EntryJson {
  return {
    key: e.key,
    name: e.name,
    model: e.model,
    shapes: e.shapes,
    device: e.device,
    bytes: e.bytes,
    hits: e.hits,
    createdAt: e.createdAt,
    lastUsedAt: e.lastUsedAt,
    state: e.state,
    stale: e.stale,
    manifest: e.manifest,
    buildNumber: e.buildNumber,
    modelPaths: e.modelPaths,
    compileMs: e.compileMs,
    importMs: e.importMs,
    covers: e.covers ?? null,
    origin: e.origin ?? null,
  };
}

/** "ok", "stale: runtime-version", "broken: manifest invalid", ... */
export function stateText(e: ScannedEntry): string {
  if (e.manifest !== 'ok') return `broken: manifest ${e.manifest}`;
  const why = [...e.stale, ...(e.symlinks.length > 0 ? ['symlink'] : [])];
  return why.length === 0 ? 'ok' : `${e.state}: ${why.join(', ')}`;
}

export function modelText(e: ScannedEntry): string {
  return e.model ?? `? ${e.name}`;
}

export function keyText(e: ScannedEntry): string {
  return e.key ? shortKey(e.key) : '-';
}

/** A progress bar (on a terminal only) created at the first report, when the total is known. */
export function lazyProgress(what: string, minTotal = 200): { onProgress: (done: number, total: number) => void; stop: () => void } {
  let bar: Progress | undefined;
  return {
    onProgress: (done, total) => {
      if (total < minTotal) return;
      bar ??= createProgress(total, what);
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
