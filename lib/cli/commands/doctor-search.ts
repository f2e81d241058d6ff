// The runtime part of `ovcache doctor` when no runtime loads: the search once, short (folders
// of one source that all missed are one line), then the fix, then how to try ovcache on the
// repository's stand-in. `ovcache doctor --json` keeps every probe.
import { describeProbes } from '../../runtime/finder-report';
import type { Probe } from '../../runtime/probe';
import { libraryFileName, libraryNamePattern } from '../../runtime/library-names';

/** The most lines the no-runtime report takes, search included (issue 23). */
export const NO_RUNTIME_MAX_LINES = 15;
/** Probe lines kept before the rest are counted on one line. */
const MAX_SEARCH_LINES = 7;

/** One line per source; a source's folders that all missed become one line naming the first and last. */
export function summarizeProbes(probes: readonly Probe[]): Probe[] {
  const groups: Probe[][] = [];
  for (const probe of probes) {
    const last = groups[groups.length - 1];
    if (last && last[0]?.source === probe.source) last.push(probe);
    else groups.push([probe]);
  }
  return groups.map((group) => {
    const first = group[0] as Probe;
    if (group.length === 1) return first;
    if (group.some((p) => p.outcome === 'found' || p.outcome === 'unreadable')) return { ...first, detail: groupDetail(group) };
    const lastPath = (group[group.length - 1] as Probe).path;
    return {
      source: first.source,
      path: `${first.path} ... ${lastPath}`,
      outcome: 'missing',
      detail: `${group.length} folders, none has it`,
    };
  });
}

function groupDetail(group: Probe[]): string {
  return group.map((p) => `${p.path}: ${p.outcome}`).join('; ');
}

/**
 * At most NO_RUNTIME_MAX_LINES lines: what was searched (once), the fix, and how to try ovcache
 * without OpenVINO on the repository's stand-in (the last lines).
 */
export function formatNoRuntime(probes: readonly Probe[], code: string, platform: NodeJS.Platform = process.platform): string[] {
  const summary = summarizeProbes(probes);
  const shown = summary.slice(0, MAX_SEARCH_LINES);
  const lines = [`No OpenVINO runtime [${code}]. Searched for ${libraryNamePattern(platform)}:`];
  lines.push(...describeProbes(shown).split('\n'));
  if (summary.length > shown.length) lines.push(`  ... ${summary.length - shown.length} more (ovcache doctor --json lists every probe)`);
  const file = platform === 'win32' ? 'C:\\path\\to\\openvino_c.dll' : `/path/to/${libraryFileName(platform)}`;
  lines.push(
    'Install OpenVINO: pip install openvino (in the active venv/conda env or python3), the APT/YUM',
    '  package libopenvino-<version>, or the archive (source <root>/setupvars.sh); or set',
    `  OPENVINO_LIB_PATH=${file}. Search order and fixes: docs/runtime-discovery.md.`,
    "Try ovcache without OpenVINO on the repository's test stand-in (simulated timings), in a clone of it:",
    '  npm run build && OPENVINO_LIB_PATH=out/test-runtime/libopenvino_c.so npx ovcache doctor',
  );
  return lines;
}
