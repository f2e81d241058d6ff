// `ovcache prune --stale`: remove the entries of another OpenVINO build or device identity whose
// rewarmed twin exists (lib/rewarm/prune-old.ts); entries with no twin yet stay.
import { checkCacheFolder } from '../../cache/cache-dir';
import { ModelCache } from '../../model-cache';
import { formatBytes } from '../../format/units';
import { loadOpenVINO } from '../../openvino/openvino';
import { pruneTwinned } from '../../rewarm/prune-old';
import { print, printJson } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { countOf } from '../../format/count';

export async function pruneStale(dir: string, opts: { json?: boolean; dryRun?: boolean; library?: string }): Promise<void> {
  checkCacheFolder(dir);
  const runtime = await loadOpenVINO(opts.library ? { libraryPath: opts.library } : {});
  const cache = new ModelCache({ runtime, dir, readOnly: true });
  let report;
  try {
    report = await pruneTwinned(cache, { dryRun: Boolean(opts.dryRun) });
  } finally {
    await cache.dispose();
  }
  if (opts.json) {
    printJson({ dir, dryRun: Boolean(opts.dryRun), runtime: { buildNumber: runtime.version.buildNumber }, stale: true, ...report });
  } else {
    const verb = opts.dryRun ? 'Would remove' : 'Removed';
    const lines = report.removed.map((r) => `${verb} ${r.name} (${r.model ?? '?'}, ${formatBytes(r.bytes)})`);
    lines.push(
      `${verb} ${countOf(report.removed.length, 'entry')} of another build with a rewarmed twin, ${formatBytes(report.bytesFreed)} (current: OpenVINO ${runtime.version.buildNumber}).`,
    );
    for (const s of report.skipped) lines.push(`Skipped ${s.name}: ${s.message}`);
    print(lines.join('\n'));
  }
  process.exitCode = report.skipped.some((s) => s.status === 'error') ? EXIT.FAILED : EXIT.OK;
}
