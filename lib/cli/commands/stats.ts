// `ovcache stats`: the counters manifests record, summed: entries, hits, bytes, compile and
// load times, and the time the cache saved (per entry: hits x (compile - last load)).
import type { Command } from 'commander';
import { scanCache, type ScannedEntry } from '../../cache/scan';
import { formatBytes, formatDuration } from '../../format/units';
import { formatTable } from '../../format/table';
import { print, printJson, resolveCacheDir, withCacheOptions } from '../cache-dir-option';
import { keyText, modelText } from '../output';
import { cacheLayout } from '../../cache/entry/layout';
import { loadDecisions, timingsView, type TimingsView } from '../../cache/policy/describe';
import { decisionLines, decisionsJson, warmColdText, type DecisionJson, type Decisions } from '../policy-output';
import { countOf } from '../../format/count';

export interface DeviceStats {
  device: string;
  entries: number;
  hits: number;
  bytes: number;
  savedMs: number;
}

export interface StatsReport {
  dir: string;
  entries: number;
  complete: number;
  hits: number;
  bytes: number;
  /** Sum and mean of the compile times recorded (entries filled by a compile). */
  compileMs: { total: number; mean: number | null; entries: number };
  /** Mean of the last load time of each entry that has one. */
  importMs: { mean: number | null; entries: number };
  estimatedSavedMs: number;
  /** The caching policy's decisions against caching (docs/caching.md, "When caching does not pay"). */
  policy: { notWorthIt: number; compileTooFast: number; decisions: DecisionJson[] };
  byDevice: DeviceStats[];
  topEntries: Array<{
    key: string | null;
    name: string;
    model: string | null;
    shapes: string;
    device: string | null;
    hits: number;
    compileMs: number | null;
    importMs: number | null;
    savedMs: number;
    timings: TimingsView | null;
  }>;
}

export function savedMs(e: ScannedEntry): number {
  return e.compileMs !== null && e.importMs !== null ? e.hits * Math.max(0, e.compileMs - e.importMs) : 0;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export function statsReport(dir: string, entries: ScannedEntry[], top = 10, decisions: Decisions = new Map()): StatsReport {
  const notCached = decisionsJson(decisions, entries);
  const compiled = entries.filter((e) => e.compileMs !== null);
  const imported = entries.filter((e) => e.importMs !== null);
  const compileTotal = compiled.reduce((n, e) => n + (e.compileMs ?? 0), 0);
  const devices = new Map<string, DeviceStats>();
  for (const e of entries) {
    const name = e.device ?? '(no manifest)';
    const d = devices.get(name) ?? { device: name, entries: 0, hits: 0, bytes: 0, savedMs: 0 };
    d.entries++;
    d.hits += e.hits;
    d.bytes += e.bytes;
    d.savedMs = round(d.savedMs + savedMs(e));
    devices.set(name, d);
  }
  return {
    dir,
    entries: entries.length,
    complete: entries.filter((e) => e.complete).length,
    hits: entries.reduce((n, e) => n + e.hits, 0),
    bytes: entries.reduce((n, e) => n + e.bytes, 0),
    compileMs: {
      total: round(compileTotal),
      mean: compiled.length ? round(compileTotal / compiled.length) : null,
      entries: compiled.length,
    },
    importMs: {
      mean: imported.length ? round(imported.reduce((n, e) => n + (e.importMs ?? 0), 0) / imported.length) : null,
      entries: imported.length,
    },
    estimatedSavedMs: round(entries.reduce((n, e) => n + savedMs(e), 0)),
    policy: {
      notWorthIt: notCached.filter((d) => d.reason === 'not-worth-it').length,
      compileTooFast: notCached.filter((d) => d.reason === 'compile-too-fast').length,
      decisions: notCached,
    },
    byDevice: [...devices.values()].sort((a, b) => b.hits - a.hits || a.device.localeCompare(b.device)),
    topEntries: [...entries]
      .filter((e) => e.hits > 0)
      .sort((a, b) => b.hits - a.hits || a.name.localeCompare(b.name))
      .slice(0, top)
      .map((e) => ({
        key: e.key,
        name: e.name,
        model: e.model,
        shapes: e.shapes,
        device: e.device,
        hits: e.hits,
        compileMs: e.compileMs,
        importMs: e.importMs,
        savedMs: round(savedMs(e)),
        timings: timingsView(e.timings),
      })),
  };
}

export function formatStats(r: StatsReport, entries: ScannedEntry[]): string {
  const ms = (v: number | null): string => (v === null ? '-' : formatDuration(v));
  const lines = [
    `Cache folder     ${r.dir}`,
    `Entries          ${r.entries} (${r.complete} complete), ${formatBytes(r.bytes)}`,
    `Hits             ${r.hits}`,
    `Compile time     ${ms(r.compileMs.total)} in all, ${ms(r.compileMs.mean)} mean (${countOf(r.compileMs.entries, 'entry')})`,
    `Load time        ${ms(r.importMs.mean)} mean of the last load (${countOf(r.importMs.entries, 'entry')})`,
    `Estimated saved  ${ms(r.estimatedSavedMs)} (sum of hits x (compile - last load))`,
  ];
  const { notWorthIt, compileTooFast } = r.policy;
  if (notWorthIt + compileTooFast > 0)
    lines.push(
      `Policy           ${notWorthIt + compileTooFast} key(s) not cached: ${notWorthIt} not-worth-it, ${compileTooFast} compile-too-fast`,
    );
  if (r.byDevice.length > 0) {
    lines.push(
      '',
      formatTable(
        ['DEVICE', 'ENTRIES', 'HITS', 'SIZE', 'SAVED'],
        r.byDevice.map((d) => [d.device, d.entries, d.hits, formatBytes(d.bytes), ms(d.savedMs)]),
        { title: 'By device', align: ['left', 'right', 'right', 'right', 'right'] },
      ),
    );
  }
  if (r.topEntries.length > 0) {
    const byName = new Map(entries.map((e) => [e.name, e]));
    lines.push(
      '',
      formatTable(
        ['MODEL', 'SHAPES', 'DEVICE', 'HITS', 'COMPILE', 'LOAD', 'WARM/COLD', 'SAVED', 'KEY'],
        r.topEntries.map((t) => {
          const e = byName.get(t.name) as ScannedEntry;
          return [
            modelText(e),
            t.shapes || '-',
            t.device ?? '-',
            t.hits,
            ms(t.compileMs),
            ms(t.importMs),
            warmColdText(e),
            ms(t.savedMs),
            keyText(e),
          ];
        }),
        { title: 'Most used entries', align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'] },
      ),
    );
  }
  const notes = decisionLines(r.policy.decisions);
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}

export function registerStats(program: Command): void {
  const command = program.command('stats').description('the counters the cache records: hits, bytes, compile and load times, time saved');
  withCacheOptions(command).action(async (opts: { dir?: string; json?: boolean }) => {
    const { dir } = resolveCacheDir(opts);
    const scan = await scanCache(dir, { checkModels: false });
    const decisions = await loadDecisions(cacheLayout(scan.dir).fingerprints);
    const report = statsReport(scan.dir, scan.entries, 10, decisions);
    if (opts.json) printJson(report);
    else print(formatStats(report, scan.entries));
  });
}
