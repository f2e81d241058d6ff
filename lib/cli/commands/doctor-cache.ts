// The cache part of `ovcache doctor`: which folder, why that one, its usage and budget, the
// volume's free space. Reads only: never creates the folder.
import { scanCache } from '../../cache/scan';
import { tryVolumeStats, type VolumeStats } from '../../cache/volume';
import { formatBytes as formatSize, type SizeUnits } from '../../format/units';
import { resolveCacheDir } from '../cache-dir-option';
import { countOf } from '../../format/count';

export interface DoctorCache {
  dir: string;
  /** What chose the folder: "--dir", "OVCACHE_DIR", "XDG_CACHE_HOME", "LOCALAPPDATA" or "home". */
  source: string;
  exists: boolean;
  entries: number;
  stale: number;
  broken: number;
  bytes: number;
  folderBytes: number;
  /** The budget given with --max-size (ModelCache's maxBytes); null when none is given. */
  budget: { maxBytes: number; usedFraction: number; overBudget: boolean } | null;
  volume: VolumeStats | null;
  warnings: string[];
}

export async function doctorCacheSection(opts: { dir?: string; maxSize?: number }, buildNumber: string | undefined): Promise<DoctorCache> {
  const { dir, source } = resolveCacheDir(opts);
  const maxBytes = opts.maxSize ?? null;
  const [scan, volume] = await Promise.all([
    scanCache(dir, { ...(buildNumber ? { currentBuildNumber: buildNumber } : {}), checkModels: false }),
    tryVolumeStats(dir),
  ]);
  return {
    dir: scan.dir,
    source,
    exists: scan.exists,
    entries: scan.totals.entries,
    stale: scan.totals.stale,
    broken: scan.totals.broken,
    bytes: scan.totals.bytes,
    folderBytes: scan.totals.folderBytes,
    budget:
      maxBytes === null || maxBytes === 0
        ? null
        : { maxBytes, usedFraction: scan.totals.bytes / maxBytes, overBudget: scan.totals.bytes > maxBytes },
    volume,
    warnings: scan.warnings,
  };
}

export function formatDoctorCache(c: DoctorCache, units: SizeUnits = 'iec'): string {
  const formatBytes = (bytes: number): string => formatSize(bytes, units);
  const lines = [`Cache:    ${c.dir} (chosen by ${c.source})${c.exists ? '' : ', not created yet'}`];
  if (c.exists) {
    lines.push(
      `          ${countOf(c.entries, 'entry')}, ${formatBytes(c.folderBytes)}${c.stale || c.broken ? ` (${c.stale} stale, ${c.broken} broken: see "ovcache verify")` : ''}`,
    );
  }
  lines.push(
    `          budget: ${
      c.budget
        ? `${formatBytes(c.budget.maxBytes)} (${Math.round(c.budget.usedFraction * 100)}% used${c.budget.overBudget ? ', over budget: see "ovcache prune"' : ''})`
        : 'none given (--max-size)'
    }`,
  );
  if (c.volume) lines.push(`          volume: ${formatBytes(c.volume.availableBytes)} available of ${formatBytes(c.volume.totalBytes)}`);
  for (const w of c.warnings) lines.push(`          warning: ${w}`);
  return lines.join('\n');
}
