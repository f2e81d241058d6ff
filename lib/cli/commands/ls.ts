// `ovcache ls`: one row per cache entry, sortable and filterable.
import type { Command } from 'commander';
import { scanCache, type ScannedEntry } from '../../cache/scan';
import { formatAgo, formatBytes } from '../../format/units';
import { formatTable } from '../../format/table';
import {
  durationArgument,
  print,
  printJson,
  resolveCacheDir,
  runtimeBuild,
  sizeArgument,
  withCacheOptions,
  withLibraryOption,
} from '../cache-dir-option';
import { entryJson, keyText, lazyProgress, modelText, stateText } from '../output';
import { lsDecisions } from '../ls-policy';
import { decisionLines, entryPolicyJson, warmColdText } from '../policy-output';
import { countOf } from '../../format/count';

export const LS_SORTS = ['size', 'last-used', 'hits', 'created', 'model'] as const;
export type LsSort = (typeof LS_SORTS)[number];

interface LsOptions {
  dir?: string;
  json?: boolean;
  library?: string;
  sort: LsSort;
  model?: string;
  minSize?: number;
  olderThan?: number;
}

const ORDER: Record<LsSort, (a: ScannedEntry, b: ScannedEntry) => number> = {
  size: (a, b) => b.bytes - a.bytes,
  'last-used': (a, b) => b.lastUsedMs - a.lastUsedMs,
  hits: (a, b) => b.hits - a.hits,
  created: (a, b) => b.createdMs - a.createdMs,
  model: (a, b) =>
    modelText(a).localeCompare(modelText(b)) || a.shapes.localeCompare(b.shapes) || (a.device ?? '').localeCompare(b.device ?? ''),
};

/** Filters and sorts; ties keep the folder-name order. */
export function selectEntries(
  entries: ScannedEntry[],
  opts: Pick<LsOptions, 'sort' | 'model' | 'minSize' | 'olderThan'>,
  now: number,
): ScannedEntry[] {
  return entries
    .filter((e) => opts.model === undefined || e.model === opts.model)
    .filter((e) => opts.minSize === undefined || e.bytes >= opts.minSize)
    .filter((e) => opts.olderThan === undefined || e.lastUsedMs < now - opts.olderThan)
    .sort((a, b) => ORDER[opts.sort](a, b) || (a.name < b.name ? -1 : 1));
}

export function registerLs(program: Command): void {
  const command = program
    .command('ls')
    .description('list cache entries: model, shapes, device, size, hits, last use, stale or not')
    .option('--sort <field>', `sort by ${LS_SORTS.join(', ')}`, 'last-used')
    .option('--model <name>', 'only entries of this model (its file name without extension)')
    .option('--min-size <size>', 'only entries at least this big, e.g. 100MB', sizeArgument('--min-size'))
    .option('--older-than <duration>', 'only entries not used for this long, e.g. 30d', durationArgument('--older-than'));
  withLibraryOption(withCacheOptions(command)).action(async (opts: LsOptions) => {
    if (!(LS_SORTS as readonly string[]).includes(opts.sort))
      command.error(`error: --sort must be one of ${LS_SORTS.join(', ')}, not "${opts.sort}"`);
    const { dir } = resolveCacheDir(opts);
    const runtime = runtimeBuild(opts);
    const now = Date.now();
    const progress = opts.json ? undefined : lazyProgress('scanning');
    const scan = await scanCache(dir, {
      now,
      ...(runtime.buildNumber !== null ? { currentBuildNumber: runtime.buildNumber } : {}),
      ...(progress ? { onProgress: progress.onProgress } : {}),
    }).finally(() => progress?.stop());
    const entries = selectEntries(scan.entries, opts, now);
    const policy = await lsDecisions(scan.dir, scan.entries, entries, opts);
    if (opts.json) {
      printJson({
        dir: scan.dir,
        exists: scan.exists,
        runtime,
        entries: entries.map((e) => ({ ...entryJson(e), ...entryPolicyJson(e, policy.all) })),
        notCached: policy.listed,
        totals: { entries: entries.length, bytes: entries.reduce((n, e) => n + e.bytes, 0), hits: entries.reduce((n, e) => n + e.hits, 0) },
      });
      return;
    }
    if (entries.length === 0) {
      if (policy.listed.length > 0) print(decisionLines(policy.listed, now).join('\n'));
      print(scan.exists ? `No entries${scan.entries.length > 0 ? ' match' : ''} in ${scan.dir}` : `No cache folder at ${scan.dir}`);
      return;
    }
    const table = formatTable(
      ['MODEL', 'SHAPES', 'DEVICE', 'SIZE', 'HITS', 'WARM/COLD', 'LAST USED', 'STATE', 'KEY'],
      entries.map((e) => [
        modelText(e),
        e.shapes ? `${e.shapes}${e.covers?.variant === 'dynamic' ? ' (dynamic)' : ''}` : '-',
        e.device ?? '-',
        formatBytes(e.bytes),
        e.hits,
        warmColdText(e),
        formatAgo(e.lastUsedMs, now),
        stateText(e),
        keyText(e),
      ]),
      { align: ['left', 'left', 'left', 'right', 'right', 'right', 'left', 'left', 'left'] },
    );
    const bytes = entries.reduce((n, e) => n + e.bytes, 0);
    const note = runtime.buildNumber === null ? ' (no OpenVINO runtime found: runtime-version staleness not checked)' : '';
    const notes = decisionLines(policy.listed, now);
    print(
      `${table}\n${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}\n${countOf(entries.length, 'entry')}, ${formatBytes(bytes)} in ${scan.dir}${note}`,
    );
  });
}
