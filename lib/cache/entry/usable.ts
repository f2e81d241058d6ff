// Whether an entry can serve a compile lock-free: complete, for this key, filled from this very
// source (OpenVINO checks the .xml's path, mtime and size), with every blob it lists present at
// its recorded size. A manifest names only files inside its own folder; one naming anything
// else is hostile, and nothing it names is looked at.
import fs from 'node:fs';
import path from 'node:path';
import { isBlobName, isPlainFileName } from './layout';
import type { EntryManifest, EntrySource } from './manifest';

/** What a compile brings to the entry: its key, its folder and where its model came from. */
export interface EntryRequest {
  key: string;
  entryDir: string;
  source: EntrySource;
}

export function sameSource(a: EntrySource, b: EntrySource): boolean {
  if (a.kind === 'model' || b.kind === 'model') return a.kind === b.kind;
  return a.xml === b.xml && a.mtimeNs === b.mtimeNs && a.size === b.size;
}

/** Synchronous: a warm start stats each blob without a trip through the thread pool (see load-marker.ts). */
export function isUsable(m: EntryManifest, request: EntryRequest): boolean {
  if (!m.complete || m.key !== request.key) return false;
  if (!m.sources.some((s) => sameSource(s, request.source))) return false;
  const blobs = m.files.filter((f) => isBlobName(f.name));
  if (blobs.length === 0 || !m.files.every((f) => isPlainFileName(f.name))) return false;
  for (const blob of blobs) {
    try {
      const stat = fs.statSync(path.join(request.entryDir, blob.name));
      if (stat.size !== blob.bytes) return false;
    } catch {
      return false;
    }
  }
  return true;
}
