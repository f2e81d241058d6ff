// `ovcache du`: how much the cache holds, against a budget and the volume's free space.
import type { Command } from 'commander';
import { scanCache, type CacheScan } from '../../cache/scan';
import { tryVolumeStats, type VolumeStats } from '../../cache/volume';
import { formatBytes as formatSize, type SizeUnits } from '../../format/units';
import { formatTable } from '../../format/table';
import { givenSizeArgument, print, printJson, resolveCacheDir, withCacheOptions, type GivenSize } from '../cache-dir-option';
import { lazyProgress } from '../output';
import { formatPerModel, perModel, type ModelGroup } from './du-models';

interface DuOptions {
  dir?: string;
  json?: boolean;
  maxSize?: GivenSize;
}

export interface DuReport {
  dir: string;
  source: string;
  exists: boolean;
  entries: number;
  bytes: number;
  metadataBytes: number;
  unaccountedBytes: number;
  folderBytes: number;
  budget: { maxBytes: number; usedFraction: number; overBudget: boolean } | null;
  volume: VolumeStats | null;
  byModel: CacheScan['byModel'];
  byDevice: CacheScan['byDevice'];
  strays: CacheScan['strays'];
  scanMs: number;
  /** Entries grouped per model (same files, device, config), with the dims their shapes differ in. */
  perModel: ModelGroup[];
}

export function duReport(scan: CacheScan, source: string, volume: VolumeStats | null, maxBytes: number | undefined): DuReport {
  const t = scan.totals;
  return {
    dir: scan.dir,
    source,
    exists: scan.exists,
    entries: t.entries,
    bytes: t.bytes,
    metadataBytes: t.metadataBytes,
    unaccountedBytes: t.unaccountedBytes,
    folderBytes: t.folderBytes,
    budget:
      maxBytes === undefined
        ? null
        : { maxBytes, usedFraction: maxBytes === 0 ? 1 : t.folderBytes / maxBytes, overBudget: t.folderBytes > maxBytes },
    volume,
    byModel: scan.byModel,
    byDevice: scan.byDevice,
    strays: scan.strays,
    scanMs: Math.round(scan.durationMs * 10) / 10,
    perModel: perModel(scan.entries),
  };
}

export function formatDu(r: DuReport, units: SizeUnits = 'iec'): string {
  const formatBytes = (bytes: number): string => formatSize(bytes, units);
  const pct = (f: number): string => `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%`;
  const lines = [
    `Cache folder  ${r.dir} (${r.source})${r.exists ? '' : ' - does not exist yet'}`,
    `Entries       ${r.entries}`,
    `Size          ${formatBytes(r.folderBytes)}: ${formatBytes(r.bytes)} in entries, ${formatBytes(r.metadataBytes)} metadata, ${formatBytes(r.unaccountedBytes)} no entry accounts for`,
  ];
  if (r.budget) {
    lines.push(
      `Budget        ${formatBytes(r.folderBytes)} of ${formatBytes(r.budget.maxBytes)} (${pct(r.budget.usedFraction)})${r.budget.overBudget ? ' - OVER BUDGET' : ''}`,
    );
  }
  if (r.volume) {
    lines.push(
      `Volume        ${formatBytes(r.volume.availableBytes)} available of ${formatBytes(r.volume.totalBytes)} (${pct(r.volume.availableBytes / Math.max(1, r.volume.totalBytes))} free)`,
    );
  }
  const groups = (
    title: string,
    label: string,
    rows: Array<{ entries: number; bytes: number; hits: number }>,
    name: (i: number) => string,
  ): void => {
    if (rows.length === 0) return;
    lines.push(
      '',
      formatTable(
        [label, 'ENTRIES', 'SIZE', 'HITS'],
        rows.map((g, i) => [name(i), g.entries, formatBytes(g.bytes), g.hits]),
        { title, align: ['left', 'right', 'right', 'right'] },
      ),
    );
  };
  groups('By model', 'MODEL', r.byModel, (i) => r.byModel[i]?.model ?? '');
  groups('By device', 'DEVICE', r.byDevice, (i) => r.byDevice[i]?.device ?? '');
  lines.push(...formatPerModel(r.perModel));
  if (r.strays.length > 0)
    lines.push('', `${r.strays.length} item(s) no entry accounts for (${formatBytes(r.unaccountedBytes)}): see "ovcache verify"`);
  return lines.join('\n');
}

export function registerDu(program: Command): void {
  const command = program
    .command('du')
    .description('disk usage of the cache: totals, by model and by device, against a budget and the free space')
    .option('--max-size <size>', 'a budget to compare with, e.g. 20GB', givenSizeArgument('--max-size'));
  withCacheOptions(command).action(async (opts: DuOptions) => {
    const { dir, source } = resolveCacheDir(opts);
    const progress = opts.json ? undefined : lazyProgress('scanning', 2000);
    const [scan, volume] = await Promise.all([
      scanCache(dir, { checkModels: false, ...(progress ? { onProgress: progress.onProgress } : {}) }).finally(() => progress?.stop()),
      tryVolumeStats(dir),
    ]);
    const report = duReport(scan, source, volume, opts.maxSize?.bytes);
    if (opts.json) printJson(report);
    else print(formatDu(report, opts.maxSize?.units));
  });
}
