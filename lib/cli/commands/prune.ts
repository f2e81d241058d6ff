// `ovcache prune`: evict by size (least recently used first), age and per-model count.
import type { Command } from 'commander';
import { byPolicy, runEviction } from '../../cache/eviction/driver';
import type { EvictionReason } from '../../cache/eviction/plan';
import { cleanTrash } from '../../cache/entry/trash';
import { scanCache, type ScannedEntry } from '../../cache/scan';
import { formatAgo, formatBytes, formatDuration } from '../../format/units';
import { formatTable } from '../../format/table';
import { countArgument, durationArgument, print, printJson, resolveCacheDir, sizeArgument, withCacheOptions } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { pruneStale } from './prune-stale';
import { entryJson, keyText, lazyProgress, modelText, type EntryJson } from '../output';
import { countOf } from '../../format/count';

interface PruneOptions {
  dir?: string;
  json?: boolean;
  maxSize?: number;
  olderThan?: number;
  keepPerModel?: number;
  dryRun?: boolean;
  stale?: boolean;
  library?: string;
}

type Row = EntryJson & { reason: EvictionReason };

export function registerPrune(program: Command): void {
  const command = program
    .command('prune')
    .description('remove least recently used entries down to a size, entries unused for a while, or all but N per model')
    .option('--max-size <size>', 'remove least recently used entries until the entries fit, e.g. 20GB', sizeArgument('--max-size'))
    .option('--older-than <duration>', 'remove entries not used for this long, e.g. 30d', durationArgument('--older-than'))
    .option('--keep-per-model <n>', 'keep only the N most recently used entries of each model', countArgument('--keep-per-model'))
    .option('--stale', 'remove entries of another OpenVINO build or device identity whose rewarmed twin exists (ovcache rewarm)')
    .option('--library <path>', 'with --stale: the OpenVINO C library whose build is current')
    .option('--dry-run', 'show what would be removed, remove nothing');
  withCacheOptions(command).action(async (opts: PruneOptions) => {
    if (opts.stale) {
      if (opts.maxSize !== undefined || opts.olderThan !== undefined || opts.keepPerModel !== undefined)
        command.error('error: --stale goes alone (run a second prune for --max-size, --older-than, --keep-per-model)');
      await pruneStale(resolveCacheDir(opts).dir, opts);
      return;
    }
    if (opts.maxSize === undefined && opts.olderThan === undefined && opts.keepPerModel === undefined) {
      command.error('error: give at least one of --max-size, --older-than, --keep-per-model, --stale');
    }
    const { dir } = resolveCacheDir(opts);
    const now = Date.now();
    const scan = await scanCache(dir, { now, checkModels: false });
    const policy = {
      now,
      ...(opts.maxSize !== undefined ? { maxBytes: opts.maxSize } : {}),
      ...(opts.olderThan !== undefined ? { maxAgeMs: opts.olderThan } : {}),
      ...(opts.keepPerModel !== undefined ? { maxEntriesPerModel: opts.keepPerModel } : {}),
    };
    const row = (e: ScannedEntry, reason: EvictionReason): Row => ({ ...entryJson(e), reason });
    const progress = opts.json || opts.dryRun ? undefined : lazyProgress('removing', 50);
    const result = await runEviction({
      cacheDir: dir,
      entries: scan.entries,
      select: byPolicy(() => policy),
      dryRun: Boolean(opts.dryRun),
      ...(progress ? { onProgress: progress.onProgress } : {}),
    }).finally(() => progress?.stop());
    const removed = result.removed.map((r) => row(r.entry, r.reason));
    const skipped = result.skipped.map((s) => ({ ...row(s.entry, s.reason), status: s.status, message: s.message }));
    const bytesFreed = result.bytesFreed;
    let trash = { removed: 0, bytes: 0 };
    if (!opts.dryRun) {
      const cleaned = await cleanTrash(dir);
      trash = { removed: cleaned.removed.length, bytes: cleaned.bytes };
    }
    const after = { entries: scan.entries.length - removed.length, bytes: scan.totals.bytes - bytesFreed };
    if (opts.json) {
      printJson({
        dir: scan.dir,
        dryRun: Boolean(opts.dryRun),
        policy: { maxBytes: opts.maxSize ?? null, olderThanMs: opts.olderThan ?? null, keepPerModel: opts.keepPerModel ?? null },
        before: { entries: scan.entries.length, bytes: scan.totals.bytes },
        after,
        bytesFreed,
        removed,
        skipped,
        trash,
      });
    } else {
      const verb = opts.dryRun ? 'Would remove' : 'Removed';
      const lines: string[] = [];
      const byName = new Map(scan.entries.map((e) => [e.name, e]));
      if (removed.length > 0) {
        lines.push(
          formatTable(
            ['MODEL', 'SHAPES', 'DEVICE', 'SIZE', 'LAST USED', 'WHY', 'KEY'],
            removed.map((r) => {
              const e = byName.get(r.name) as ScannedEntry;
              return [
                modelText(e),
                e.shapes || '-',
                e.device ?? '-',
                formatBytes(e.bytes),
                formatAgo(e.lastUsedMs, now),
                r.reason,
                keyText(e),
              ];
            }),
            { align: ['left', 'left', 'left', 'right', 'left', 'left', 'left'] },
          ),
          '',
        );
      }
      lines.push(
        `${verb} ${removed.length} of ${countOf(scan.entries.length, 'entry')}, ${formatBytes(bytesFreed)}; ${countOf(after.entries, 'entry')}, ${formatBytes(after.bytes)} left.`,
      );
      for (const s of skipped) lines.push(`Skipped ${s.name}: ${s.message}`);
      if (trash.removed > 0)
        lines.push(`Cleaned ${countOf(trash.removed, 'leftover')} of interrupted removals (${formatBytes(trash.bytes)}).`);
      if (opts.olderThan !== undefined) lines.push(`(older than = not used for ${formatDuration(opts.olderThan)})`);
      print(lines.join('\n'));
    }
    process.exitCode = skipped.some((s) => s.status === 'error') ? EXIT.FAILED : EXIT.OK;
  });
}
