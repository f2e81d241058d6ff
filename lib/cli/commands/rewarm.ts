// `ovcache rewarm`: after an OpenVINO upgrade or a driver update, compile with the runtime now
// loaded every entry of the old build (docs/upgrading.md). Exit code: 0 when every planned
// compile succeeded, 1 when any failed (or no runtime), 2 for a bad option.
import path from 'node:path';
import type { Command } from 'commander';
import { checkCacheFolder } from '../../cache/cache-dir';
import { ModelCache } from '../../model-cache';
import { formatBytes, formatDuration } from '../../format/units';
import { formatTable } from '../../format/table';
import { loadOpenVINO } from '../../openvino/openvino';
import { rewarm, type RewarmReport } from '../../rewarm/rewarm';
import { countArgument, durationArgument, print, printJson, resolveCacheDir, sizeArgument, withCacheOptions } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { createProgress } from '../progress';
import { requireWritableCacheDir } from '../writable-cache-dir';
import { countOf } from '../../format/count';

interface RewarmCommandOptions {
  dir?: string;
  json?: boolean;
  library?: string;
  since?: number;
  limit?: number;
  pruneOld?: boolean;
  maxSize?: number;
}

export function formatRewarmReport(report: RewarmReport, buildNumber: string): string {
  const lines: string[] = [];
  if (report.results.length > 0) {
    lines.push(
      formatTable(
        ['MODEL', 'DEVICE', 'SHAPES', 'RESULT', 'WHY OLD', 'TIME'],
        report.results.map((r) => [
          path.basename(r.model),
          r.device,
          r.shapes || '-',
          r.status === 'failed' ? `failed: ${r.error?.code ? `[${r.error.code}] ` : ''}${r.error?.message ?? ''}` : r.status,
          r.changed.join(', '),
          formatDuration(r.ms),
        ]),
      ),
      '',
    );
  }
  const reasons = new Map<string, number>();
  for (const s of report.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  const skipped = [...reasons].map(([r, n]) => `${n} ${r}`).join(', ');
  lines.push(
    `${report.rewarmed} rewarmed, ${report.copied} copied from a tier, ${report.failed} failed, ${report.skipped.length} skipped${skipped ? ` (${skipped})` : ''} in ${formatDuration(report.ms)} for OpenVINO ${buildNumber} (cache ${report.dir})`,
  );
  if (report.interrupted)
    lines.push(
      `Interrupted: ${report.left} of ${countOf(report.left + report.results.length, 'compile')} left; run ovcache rewarm again to finish them.`,
    );
  if (report.pruned)
    lines.push(
      `Removed ${countOf(report.pruned.removed.length, 'old entry')} with a rewarmed twin, ${formatBytes(report.pruned.bytesFreed)}.`,
    );
  else if (report.results.length + report.skipped.filter((s) => s.reason === 'rewarmed').length > 0)
    lines.push('Old entries stay (ovcache ls marks them stale): remove them with ovcache prune --stale once nothing runs the old build.');
  return lines.join('\n');
}

export function registerRewarm(program: Command): void {
  const command = program
    .command('rewarm')
    .description('compile, with the OpenVINO now loaded, every cache entry made by another build or device identity')
    .allowExcessArguments(false)
    .option('--library <path>', 'the OpenVINO C library to use (the new one)')
    .option('--since <duration>', 'only entries used within this long, e.g. 7d', durationArgument('--since'))
    .option('--limit <n>', 'compile at most N entries (most recently used first)', countArgument('--limit'))
    .option('--prune-old', 'then remove the old entries whose rewarmed twin exists')
    .option(
      '--max-size <size>',
      "the cache's disk budget while rewarming (old-build entries evicted first), e.g. 20GB",
      sizeArgument('--max-size'),
    );
  withCacheOptions(command).action(async (opts: RewarmCommandOptions) => {
    const { dir, source } = resolveCacheDir(opts);
    // Before the runtime loads and anything compiles: a mistyped folder or one it cannot write.
    requireWritableCacheDir(dir, source, 'rewarm');
    checkCacheFolder(dir);
    const runtime = await loadOpenVINO(opts.library ? { libraryPath: opts.library } : {});
    const cache = new ModelCache({ runtime, dir, ...(opts.maxSize !== undefined ? { maxBytes: opts.maxSize } : {}) });
    const stop = new AbortController();
    const onSignal = (): void => stop.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    let progress: ReturnType<typeof createProgress> | undefined;
    let report: RewarmReport;
    try {
      report = await rewarm(cache, {
        ...(opts.since !== undefined ? { sinceMs: opts.since } : {}),
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        pruneOld: Boolean(opts.pruneOld),
        signal: stop.signal,
        onProgress: (done, total, label) => {
          if (opts.json) return;
          progress ??= createProgress(total, 'rewarming', process.stderr, 1);
          progress.update(done, path.basename(label));
        },
      });
    } finally {
      progress?.stop();
      process.off('SIGINT', onSignal);
      await cache.dispose();
    }
    if (opts.json) printJson({ runtime: { buildNumber: runtime.version.buildNumber }, ...report });
    else print(formatRewarmReport(report, runtime.version.buildNumber));
    process.exitCode = report.failed > 0 || stop.signal.aborted ? EXIT.FAILED : EXIT.OK;
  });
}
