// `ovcache rm <key|key-prefix|model>...`: remove named entries.
import type { Command } from 'commander';
import { OvcacheError } from '../../errors';
import { shortKeyOfEntryName } from '../../cache/entry/name';
import { named, runEviction } from '../../cache/eviction/driver';
import { scanCache, type ScannedEntry } from '../../cache/scan';
import { formatBytes } from '../../format/units';
import { print, printJson, resolveCacheDir, withCacheOptions } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { entryJson, lazyProgress } from '../output';
import { countOf } from '../../format/count';

const MIN_PREFIX = 4;

/**
 * Entries a target names: a model name (every entry of it), an entry folder name, or a key /
 * key prefix of at least 4 hex digits. A prefix matching several keys is refused as ambiguous.
 */
export function matchTargets(entries: ScannedEntry[], target: string): ScannedEntry[] {
  const byModel = entries.filter((e) => e.model === target || e.name === target);
  if (byModel.length > 0) return byModel;
  if (!new RegExp(`^[0-9a-f]{${MIN_PREFIX},64}$`).test(target)) return [];
  const byKey = entries.filter((e) => (e.key ?? shortKeyOfEntryName(e.name) ?? '').startsWith(target));
  if (byKey.length > 1) {
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `Key prefix ${target} matches ${byKey.length} entries; give more digits (or the model name to remove them all)`,
    );
  }
  return byKey;
}

export interface RemovalReport {
  dir: string;
  removed: Array<ReturnType<typeof entryJson>>;
  skipped: Array<ReturnType<typeof entryJson> & { status: string; message: string }>;
  bytesFreed: number;
}

/** Removes the entries through the eviction driver (same protections as every removal). */
export async function removeAll(dir: string, entries: ScannedEntry[], what: string, force: boolean): Promise<RemovalReport> {
  const progress = lazyProgress(what, 50);
  const result = await runEviction({ cacheDir: dir, entries, select: named(entries), force, onProgress: progress.onProgress }).finally(() =>
    progress.stop(),
  );
  return {
    dir,
    removed: result.removed.map((r) => entryJson(r.entry)),
    skipped: result.skipped.map((s) => ({ ...entryJson(s.entry), status: s.status, message: s.message })),
    bytesFreed: result.bytesFreed,
  };
}

export function formatRemoval(r: RemovalReport): string {
  const lines = r.removed.map((e) => `removed ${e.name} (${formatBytes(e.bytes)})`);
  for (const s of r.skipped) lines.push(`skipped ${s.name}: ${s.message}`);
  lines.push(
    `Removed ${countOf(r.removed.length, 'entry')}, ${formatBytes(r.bytesFreed)} freed${r.skipped.length ? `; ${r.skipped.length} skipped` : ''}.`,
  );
  return lines.join('\n');
}

export function registerRm(program: Command): void {
  const command = program
    .command('rm')
    .description('remove entries by key, key prefix (4+ hex digits), entry folder name or model name')
    .argument('<targets...>', 'keys, key prefixes, entry names or model names');
  withCacheOptions(command).action(async (targets: string[], opts: { dir?: string; json?: boolean }) => {
    const { dir } = resolveCacheDir(opts);
    const scan = await scanCache(dir, { checkModels: false });
    const chosen = new Map<string, ScannedEntry>();
    const unmatched: string[] = [];
    for (const t of targets) {
      let found: ScannedEntry[] = [];
      try {
        found = matchTargets(scan.entries, t);
      } catch (error) {
        command.error(`error: ${(error as Error).message}`);
      }
      if (found.length === 0) unmatched.push(t);
      for (const e of found) chosen.set(e.name, e);
    }
    if (unmatched.length > 0) {
      throw new OvcacheError(
        'OVCACHE_ENTRY_NOT_FOUND',
        `No cache entry matches ${unmatched.map((u) => `"${u}"`).join(', ')} in ${scan.dir}`,
      );
    }
    // Named explicitly: removed even without a manifest and freshly changed.
    const report = await removeAll(dir, [...chosen.values()], 'removing', true);
    if (opts.json) printJson(report);
    else print(formatRemoval(report));
    process.exitCode = report.skipped.length > 0 ? EXIT.FAILED : EXIT.OK;
  });
}
