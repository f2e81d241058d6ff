// Per-entry timings the policy decides on, kept in the entry's manifest (`timings`, optional:
// manifests written before it load as they did). All values are OpenVINO call times in ms.
import fs from 'node:fs';
import path from 'node:path';
import { isBlobName } from '../entry/layout';

export interface EntryTimings {
  /** The compile that filled the entry: OpenVINO compiling AND writing the blob. */
  coldCompileMs: number;
  /**
   * How long OpenVINO spent writing the blob, seen from outside: the span from the new blob's
   * creation (birth time) to its last write (mtime). null where the file system records no
   * birth time, or the blob existed before the compile (rewritten in place).
   */
  blobWriteMs: number | null;
  /** The last WARM_SAMPLES loads from the entry that ran alone in their process, oldest first. */
  warmLoadMs: number[];
}

/** Warm loads kept per entry. */
export const WARM_SAMPLES = 8;

const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The manifest's timings if well-formed, else undefined (a bad field costs the policy its evidence, never the entry). */
export function timingsOf(value: unknown): EntryTimings | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const t = value as Record<string, unknown>;
  if (!isMs(t.coldCompileMs) || !(t.blobWriteMs === null || isMs(t.blobWriteMs))) return undefined;
  if (!Array.isArray(t.warmLoadMs) || !t.warmLoadMs.every(isMs)) return undefined;
  return { coldCompileMs: t.coldCompileMs, blobWriteMs: t.blobWriteMs, warmLoadMs: t.warmLoadMs.slice(-WARM_SAMPLES) };
}

/** The timings with these warm loads added (bounded); unchanged when the entry has no timings. */
export function withWarmLoads(t: EntryTimings | undefined, samples: readonly number[]): EntryTimings | undefined {
  if (!t || samples.length === 0) return t;
  return { ...t, warmLoadMs: [...t.warmLoadMs, ...samples.map(roundMs)].slice(-WARM_SAMPLES) };
}

/** What a compile without the cache would take: the cold compile minus the blob write, when known. */
export function plainCompileEstimate(t: EntryTimings): number {
  return Math.max(0, t.coldCompileMs - (t.blobWriteMs ?? 0));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * The blob write time of a fill: from the earliest birth time to the latest mtime of the blobs
 * the compile created (names not in `before`). Only as fine as the kernel's file timestamps.
 */
export async function measureBlobWrite(entryDir: string, before: readonly string[], compileMs: number): Promise<number | null> {
  const old = new Set(before);
  let born = Infinity;
  let written = -Infinity;
  let names: string[];
  try {
    names = await fs.promises.readdir(entryDir);
  } catch {
    return null;
  }
  for (const name of names) {
    if (!isBlobName(name)) continue;
    if (old.has(name)) return null;
    const stat = await fs.promises.stat(path.join(entryDir, name)).catch(() => null);
    if (!stat || !(stat.birthtimeMs > 0)) return null;
    born = Math.min(born, stat.birthtimeMs);
    written = Math.max(written, stat.mtimeMs);
  }
  if (!Number.isFinite(born)) return null;
  return roundMs(Math.min(compileMs, Math.max(0, written - born)));
}
