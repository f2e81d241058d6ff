// `ovcache results stats|ls|clear|prune`: inspect and manage the embedded result store
// (<cache folder>/results, or --results <path>). Read-only commands never create the folder.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { scanCache } from '../../cache/scan';
import { OvcacheError } from '../../errors';
import { errnoCode } from '../../fs/errno';
import { formatBytes } from '../../format/units';
import { sharedModeOnDisk } from '../../results/results-dir';
import { LocalStore } from '../../results/local-store';
import { countArgument, durationArgument, print, printJson, resolveCacheDir, sizeArgument, withCacheOptions } from '../cache-dir-option';
import { entryJson, formatEntries, formatStats, statsReport } from './results-report';

interface ResultsOptions {
  dir?: string;
  results?: string;
  json?: boolean;
}

const SORTS = ['last-used', 'size', 'hits', 'created', 'compute'] as const;
type Sort = (typeof SORTS)[number];

/** The results folder: --results, else <--dir or the default cache folder>/results. */
export function resolveResultsDir(opts: ResultsOptions): string {
  if (opts.results !== undefined) return path.resolve(opts.results);
  return path.join(resolveCacheDir(opts).dir, 'results');
}

/** Whether a store is there; a path that is not a folder (or lies below a file) is refused, not "not there yet". */
function storeExists(dir: string): boolean {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    // Only ENOENT means "not there yet" (Node 22's throwIfNoEntry also hides ENOTDIR: not used).
    if (errnoCode(error) === 'ENOENT') return false;
    throw new OvcacheError(
      'OVCACHE_CACHE_DIR_INVALID',
      `Results folder ${dir} cannot be read (${errnoCode(error)}: part of its path is not a folder); choose another --dir or --results`,
      { cause: error },
    );
  }
  if (stat === undefined) return false;
  if (!stat.isDirectory())
    throw new OvcacheError(
      'OVCACHE_CACHE_DIR_INVALID',
      `Results folder ${dir} exists but is not a folder; choose another --dir or --results`,
    );
  return fs.existsSync(path.join(dir, 'results.mdb'));
}

async function withStore<T>(dir: string, fn: (store: LocalStore) => Promise<T> | T): Promise<T> {
  // A group-shared folder (2770, made with shared: 'group') is opened as one; checked all the same.
  const store = new LocalStore(dir, { shared: sharedModeOnDisk(dir) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** ModelCache entry key -> model name, from the cache folder's manifests (empty when there is none). */
async function modelNames(opts: ResultsOptions): Promise<Map<string, string>> {
  const scan = await scanCache(resolveCacheDir(opts).dir, { checkModels: false });
  return new Map(scan.entries.flatMap((e) => (e.key && e.model ? [[e.key, e.model] as const] : [])));
}

function options(command: Command): Command {
  return withCacheOptions(command).option('--results <path>', 'the results folder itself (default: "results" in the cache folder)');
}

const storedResults = (n: number): string => `${n} stored result${n === 1 ? '' : 's'}`;

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerResults(program: Command): void {
  const results = program.command('results').description('the result cache: stored inference results (stats, ls, clear, prune)');

  options(results.command('stats').description('entries, bytes, hits, misses, hit rate and time saved, over every process')).action(
    async (opts: ResultsOptions) => {
      const dir = resolveResultsDir(opts);
      const now = Date.now();
      const report = storeExists(dir)
        ? await withStore(dir, (s) => statsReport(dir, s.counters(), s.list(), now))
        : statsReport(dir, null, [], now);
      if (opts.json) printJson(report);
      else print(formatStats(report, await modelNames(opts)));
    },
  );

  options(
    results
      .command('ls')
      .description('one row per stored result: model, size, hits, compute time, last used, expiry')
      .option('--sort <field>', `sort by ${SORTS.join(', ')}`, 'last-used')
      .option('--model <id>', 'only results of this model identity')
      .option('--limit <n>', 'at most n rows', countArgument('--limit')),
  ).action(async (opts: ResultsOptions & { sort: string; model?: string; limit?: number }, command: Command) => {
    if (!(SORTS as readonly string[]).includes(opts.sort))
      command.error(`error: --sort must be one of ${SORTS.join(', ')}, not "${opts.sort}"`);
    const dir = resolveResultsDir(opts);
    const now = Date.now();
    const listed = storeExists(dir) ? await withStore(dir, (s) => s.list()) : [];
    const order: Record<Sort, (a: (typeof listed)[number], b: (typeof listed)[number]) => number> = {
      'last-used': (a, b) => b.seq - a.seq,
      size: (a, b) => b.bytes - a.bytes,
      hits: (a, b) => b.hits - a.hits,
      created: (a, b) => b.createdAt - a.createdAt,
      compute: (a, b) => b.computeMs - a.computeMs,
    };
    const rows = listed
      .filter((e) => opts.model === undefined || e.model === opts.model)
      .sort(order[opts.sort as Sort])
      .slice(0, opts.limit ?? Number.MAX_SAFE_INTEGER)
      .map((e) => entryJson(e, now));
    if (opts.json) printJson({ dir, entries: rows });
    else print(formatEntries(rows, dir, now, await modelNames(opts)));
  });

  options(results.command('clear').description('remove every stored result').option('-y, --yes', 'do not ask')).action(
    async (opts: ResultsOptions & { yes?: boolean }, command: Command) => {
      const dir = resolveResultsDir(opts);
      if (!storeExists(dir)) {
        if (opts.json) printJson({ dir, removed: 0, bytes: 0 });
        else print(`No stored results in ${dir}`);
        return;
      }
      if (!opts.yes) {
        if (!process.stdin.isTTY) command.error('error: not a terminal: pass --yes to clear the stored results without a question');
        const { count, bytes } = await withStore(dir, (s) => s.counters());
        if (count > 0 && !(await confirm(`Remove all ${storedResults(count)} (${formatBytes(bytes)}) from ${dir}? [y/N] `))) {
          print('Nothing removed.');
          return;
        }
      }
      const removed = await withStore(dir, (s) => s.clear());
      if (opts.json) printJson({ dir, removed: removed.count, bytes: removed.bytes });
      else print(`Removed ${storedResults(removed.count)} (${formatBytes(removed.bytes)}) from ${dir}`);
    },
  );

  options(
    results
      .command('prune')
      .description('remove expired results, then least recently used ones beyond the limits given; and orphaned blob files')
      .option('--max-entries <n>', 'keep at most n results', countArgument('--max-entries'))
      .option('--max-size <size>', 'keep at most this many bytes, e.g. 2GB', sizeArgument('--max-size'))
      .option('--older-than <duration>', 'remove results not used for this long, e.g. 7d', durationArgument('--older-than'))
      .option('--dry-run', 'say what would be removed, remove nothing'),
  ).action(async (opts: ResultsOptions & { maxEntries?: number; maxSize?: number; olderThan?: number; dryRun?: boolean }) => {
    const dir = resolveResultsDir(opts);
    const empty = { count: 0, bytes: 0 };
    const report = storeExists(dir)
      ? await withStore(dir, (s) =>
          s.prune({
            ...(opts.maxEntries !== undefined ? { maxEntries: opts.maxEntries } : {}),
            ...(opts.maxSize !== undefined ? { maxBytes: opts.maxSize } : {}),
            ...(opts.olderThan !== undefined ? { olderThanMs: opts.olderThan } : {}),
            dryRun: opts.dryRun === true,
          }),
        )
      : { expired: empty, count: empty, bytes: empty, age: empty, orphanBlobs: 0 };
    const total = report.expired.count + report.count.count + report.bytes.count + report.age.count;
    const totalBytes = report.expired.bytes + report.count.bytes + report.bytes.bytes + report.age.bytes;
    if (opts.json) {
      printJson({
        dir,
        dryRun: opts.dryRun === true,
        removed: total,
        removedBytes: totalBytes,
        expired: report.expired,
        unused: report.age,
        overEntries: report.count,
        overBytes: report.bytes,
        orphanBlobs: report.orphanBlobs,
      });
      return;
    }
    const verb = opts.dryRun ? 'Would remove' : 'Removed';
    print(
      `${verb} ${storedResults(total)} (${formatBytes(totalBytes)}) from ${dir}: ${report.expired.count} expired, ` +
        `${report.age.count} unused for too long, ${report.count.count + report.bytes.count} beyond the limits` +
        (report.orphanBlobs > 0 ? `; ${report.orphanBlobs} orphaned blob files` : ''),
    );
  });

  // None of these takes arguments: a stray word (a path without --dir, a typo) is refused, not ignored.
  for (const command of results.commands) command.allowExcessArguments(false);
}
