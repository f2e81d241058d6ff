// The start-up benchmark's report as a text table, ratio lines and an SVG bar chart.
import path from 'node:path';
import { formatBytes } from '../format/units';
import { formatTable, type Cell } from '../format/table';
import { renderBarChart } from './svg-chart';
import { modesOf, type ColdWarmReport, type ModeReport } from './cold-warm';
import type { BenchEngine, BenchMode } from './spec';

const ENGINE_LABEL: Record<BenchEngine, string> = {
  openvino: 'OpenVINO CACHE_DIR',
  ovcache: 'ovcache',
  'openvino-node': 'openvino-node CACHE_DIR',
};

/** "no cache" for OpenVINO without a cache; otherwise the engine. */
function rowLabel(engine: BenchEngine, mode: BenchMode): string {
  if (mode === 'no-cache') return engine === 'openvino' ? 'no cache' : `${engine} no cache`;
  return ENGINE_LABEL[engine];
}

const MODE_LABEL: Record<BenchMode, string> = {
  'no-cache': '-',
  cold: 'cold',
  warm: 'warm',
  'warm-fresh': 'warm, fresh container',
};

interface Row {
  engine: BenchEngine;
  mode: BenchMode;
  report: ModeReport;
}

/** Every measured (engine, mode) in table order: no cache first, then each engine's cold and warm. */
function rowsOf(report: ColdWarmReport): Row[] {
  const rows: Row[] = [];
  for (const e of report.engines)
    for (const mode of modesOf(e.engine)) {
      const m = e.modes[mode];
      if (m) rows.push({ engine: e.engine, mode, report: m });
    }
  return rows.sort((a, b) => Number(b.mode === 'no-cache') - Number(a.mode === 'no-cache'));
}

export function reportTitle(report: ColdWarmReport): string {
  const what = `Start-up: ${path.basename(report.model)} on ${report.device}, ${report.runs} interleaved rounds, each trial a fresh process, OpenVINO ${report.runtime.buildNumber}`;
  return report.simulated
    ? `${what}\nSIMULATED: stand-in runtime (${report.runtime.libraryPath}); compile and import costs are simulated, ovcache's own work is real`
    : `${what} (${report.runtime.libraryPath})`;
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');
const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-');

/** ovcache's row against OpenVINO's own cache in the same mode (a fresh container against warm). */
function versusCacheDir(report: ColdWarmReport, row: Row): string {
  if (row.engine !== 'ovcache') return '';
  const own = report.engines.find((e) => e.engine === 'openvino')?.modes[row.mode === 'warm-fresh' ? 'warm' : row.mode];
  return own ? x(row.report.ready.median / own.ready.median) : '';
}

export function formatColdWarm(report: ColdWarmReport): string {
  const rows: Cell[][] = rowsOf(report).map((row) => {
    const m = row.report;
    const hits = m.trials.filter((t) => t.loadedFromCache === true).length;
    return [
      rowLabel(row.engine, row.mode),
      MODE_LABEL[row.mode],
      ms(m.ready.median),
      ms(m.ready.min),
      ms(m.ready.max),
      ms(m.runtimeLoaded.median),
      ms(m.compile.median),
      ms(m.firstInference.median),
      row.mode === 'no-cache' ? '-' : formatBytes(m.cacheBytes.median),
      `${hits}/${m.trials.length}`,
      versusCacheDir(report, row),
    ];
  });
  const table = formatTable(
    ['cache', 'start', 'ready ms', 'min', 'max', 'runtime loaded', 'compile', 'first infer', 'cache size', 'from cache', 'vs CACHE_DIR'],
    rows,
    {
      title: reportTitle(report),
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    },
  );
  const ratios = report.ratios.map(
    (r) => `  ${r.name}: ${x(r.ofMedians)} (per round: median ${x(r.perRound.median)}, min ${x(r.perRound.min)}, max ${x(r.perRound.max)})`,
  );
  return [
    table,
    '',
    'Ratios of the time to ready (median of each row; per round: the same round, interleaved):',
    ...ratios,
    ...report.skipped,
    `machine: ${report.machine.cpus} x ${report.machine.cpu}, ${report.machine.memoryGB} GiB, ${report.machine.platform}, node ${report.machine.node}`,
  ].join('\n');
}

export function coldWarmChart(report: ColdWarmReport): string {
  const series = [
    { label: 'runtime loaded', color: '#9aa9c6' },
    { label: 'compile / import', color: '#2f6db5' },
    { label: 'ready (first inference)', color: '#e08a2c' },
  ];
  const groups = rowsOf(report).map((row) => ({
    label: row.mode === 'no-cache' ? rowLabel(row.engine, row.mode) : `${row.engine === 'openvino' ? 'CACHE_DIR' : row.engine} ${row.mode}`,
    values: [row.report.runtimeLoaded, row.report.compile, row.report.ready],
  }));
  const heading = `Start-up: ${path.basename(report.model)} on ${report.device}, OpenVINO ${report.runtime.buildNumber}`;
  const note = report.simulated ? "\nSIMULATED: test stand-in runtime; compile costs are simulated, not OpenVINO's" : '';
  return renderBarChart(`${heading}\n${report.runs} interleaved rounds; bars: median, whiskers: min to max${note}`, series, groups);
}
