// Free and total space of the volume that holds a folder (statfs). Injectable: callers take a
// `statfs` function so tests can pretend the disk is nearly full.
import fs from 'node:fs';
import path from 'node:path';

export interface VolumeStats {
  /** Free blocks, including those reserved for root. */
  freeBytes: number;
  totalBytes: number;
  /** What an unprivileged process can still write: the figure budgets compare against. */
  availableBytes: number;
}

export type StatfsFunction = (dir: string) => Promise<VolumeStats>;

/** The nearest existing folder at or above `dir`: a cache not created yet lives on its parent's volume. */
async function existingAncestor(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      await fs.promises.stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** statfs of the volume holding `dir` (Node >= 18.15). Throws the fs error if statfs fails. */
export async function volumeStats(dir: string): Promise<VolumeStats> {
  const s = await fs.promises.statfs(await existingAncestor(dir));
  return { freeBytes: s.bfree * s.bsize, totalBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
}

/** volumeStats, or null where statfs is unavailable or fails (reported, not thrown). */
export async function tryVolumeStats(dir: string, statfs: StatfsFunction = volumeStats): Promise<VolumeStats | null> {
  try {
    return await statfs(dir);
  } catch {
    return null;
  }
}
