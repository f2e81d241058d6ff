// `ovcache verify [--fix]`: entries that are broken or stale, files no entry accounts for.
// Exit 0 when nothing is wrong (or --fix fixed all of it), 1 when problems remain.
import type { Command } from 'commander';
import { checkCacheFolder } from '../../cache/cache-dir';
import { fixCache, verifyCache, type FixResult, type Problem } from '../../cache/verify';
import { formatBytes } from '../../format/units';
import { formatTable } from '../../format/table';
import { print, printJson, resolveCacheDir, runtimeBuild, withCacheOptions, withLibraryOption } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { lazyProgress } from '../output';
import { countOf } from '../../format/count';

export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .description('find incomplete entries, missing blobs, invalid manifests, entries for another runtime, stray files')
    .option('--fix', 'remove what is broken (entries only, never through symlinks, never outside entries/)');
  withLibraryOption(withCacheOptions(command)).action(async (opts: { dir?: string; json?: boolean; library?: string; fix?: boolean }) => {
    const { dir } = resolveCacheDir(opts);
    // "No problems found" would vouch for blobs anyone could have planted.
    checkCacheFolder(dir);
    const runtime = runtimeBuild(opts);
    const progress = opts.json ? undefined : lazyProgress('verifying');
    const { scan: _scan, ...report } = await verifyCache(dir, {
      ...(runtime.buildNumber !== null ? { currentBuildNumber: runtime.buildNumber } : {}),
      ...(progress ? { onProgress: progress.onProgress } : {}),
    }).finally(() => progress?.stop());
    let fix: FixResult | null = null;
    let remaining: Problem[] = report.problems;
    if (opts.fix && report.problems.some((p) => p.fixable)) {
      fix = await fixCache(report);
      const fixed = new Set(fix.outcomes.filter((o) => o.status === 'removed').map((o) => o.path));
      remaining = report.problems.filter((p) => !(fixed.has(p.path) || (p.kind === 'trash' && fixed.has('trash/'))));
    }
    if (opts.json) {
      printJson({ ...report, runtime, fix, remaining: remaining.length });
    } else {
      const lines: string[] = [];
      if (report.problems.length === 0) {
        lines.push(`${countOf(report.entries, 'entry')} in ${report.dir}: no problems found.`);
      } else {
        lines.push(
          formatTable(
            ['PROBLEM', 'PATH', 'SIZE', 'FIX', 'DETAIL'],
            report.problems.map((p) => [p.kind, p.path, formatBytes(p.bytes), p.fixable ? (opts.fix ? 'fixed' : 'yes') : 'no', p.detail]),
            { align: ['left', 'left', 'right', 'left', 'left'] },
          ),
          '',
          `${countOf(report.problems.length, 'problem')} in ${countOf(report.entries, 'entry')} of ${report.dir}.`,
        );
        if (fix) {
          for (const o of fix.outcomes.filter((x) => x.status !== 'removed'))
            lines.push(`not fixed ${o.path}: ${o.status}${o.message ? ` (${o.message})` : ''}`);
          lines.push(
            `--fix removed ${countOf(fix.outcomes.filter((o) => o.status === 'removed').length, 'item')}, ${formatBytes(fix.bytesFreed)}; ${countOf(remaining.length, 'problem')} ${remaining.length === 1 ? 'remains' : 'remain'}.`,
          );
        } else if (report.problems.some((p) => p.fixable)) lines.push('Run "ovcache verify --fix" to remove what is marked fixable.');
      }
      if (report.copied.length > 0) {
        const unsigned = report.copied.filter((c) => c.signedBy === null).length;
        lines.push(
          '',
          formatTable(
            ['COPIED ENTRY', 'FROM', 'SIGNED BY'],
            report.copied.map((c) => [c.name, c.from, c.signedBy?.slice(0, 16) ?? 'unsigned']),
          ),
          `${countOf(report.copied.length, 'entry')} copied from a tier or bundle, ${unsigned} of them unsigned.`,
        );
      }
      if (runtime.buildNumber === null) lines.push('(No OpenVINO runtime found: entries made for another runtime were not checked.)');
      print(lines.join('\n'));
    }
    process.exitCode = remaining.length > 0 ? EXIT.FAILED : EXIT.OK;
  });
}
