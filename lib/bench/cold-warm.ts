// The cold/warm start benchmark: for each mode, N trials each in a fresh child process.
//   no-cache: compile without any cache;
//   cold:     an empty cache folder (compile and write the entry);
//   warm:     the folder a cold trial filled (import from the cache).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { treeBytes } from '../fs/dir-size';
import { formatBytes } from '../format/units';
import { formatTable, type Cell } from '../format/table';
import { PROGRESS_PREFIX, RESULT_PREFIX, type BenchEngine, type BenchMode, type TrialResult, type TrialSpec } from './spec';
import type { CompileProgress } from '../cache/progress/compile-progress';
import { ratio, summarize, type Summary } from './stats';
import { renderBarChart } from './svg-chart';
import { OvcacheError } from '../errors';
import { openvinoNodeUnavailable } from './openvino-node';
import { machineInfo, type MachineInfo } from './machine';

export interface ColdWarmOptions {
  model: string;
  device?: string;
  shapes?: Record<string, string>;
  config?: Record<string, string>;
  runs?: number;
  libraryPath?: string;
  compareOpenVINONode?: boolean;
  /** Called after every trial, for progress bars. */
  onTrial?: (done: number, total: number, label: string) => void;
  /** The compile phases of the trials that use the cache (cold, warm), as they happen. */
  onPhase?: (trial: string, progress: CompileProgress) => void;
}

export interface ModeReport {
  trials: TrialResult[];
  ready: Summary;
  runtimeLoaded: Summary;
  compile: Summary;
  firstInference: Summary;
  /** Bytes in the cache folder after the trial (cold: what one start writes). */
  cacheBytes: Summary;
}

export interface EngineReport {
  engine: BenchEngine;
  modes: Record<BenchMode, ModeReport>;
  ratios: { warmOverCold: number; warmOverNoCache: number; coldOverNoCache: number };
}

export interface ColdWarmReport {
  model: string;
  device: string;
  runs: number;
  runtime: { buildNumber: string; libraryPath: string; standIn: boolean };
  simulated: boolean;
  machine: MachineInfo;
  engines: EngineReport[];
  skipped: string[];
  createdAt: string;
}

const MODES: BenchMode[] = ['no-cache', 'cold', 'warm'];
const CHILD = path.join(__dirname, 'child.js');

function runChild(spec: TrialSpec, onPhase?: (trial: string, progress: CompileProgress) => void): Promise<TrialResult> {
  return new Promise((resolve, reject) => {
    const withProgress = onPhase !== undefined && spec.engine === 'ovcache' && spec.mode !== 'no-cache';
    const args = [CHILD, JSON.stringify(withProgress ? { ...spec, progress: true } : spec)];
    const child = execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (error || !line) {
        reject(new Error(`benchmark trial (${spec.engine} ${spec.mode}) failed: ${stderr.trim() || error?.message || 'no result'}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as TrialResult);
    });
    if (withProgress) followProgress(child.stdout, (p) => onPhase(`${spec.mode}`, p));
  });
}

/** Calls onLine with each PROGRESS_PREFIX line of a child's stdout as it arrives. */
function followProgress(stdout: NodeJS.ReadableStream | null, onLine: (progress: CompileProgress) => void): void {
  let pending = '';
  stdout?.on('data', (chunk: Buffer | string) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines)
      if (line.startsWith(PROGRESS_PREFIX)) onLine(JSON.parse(line.slice(PROGRESS_PREFIX.length)) as CompileProgress);
  });
}

function summarizeMode(trials: TrialResult[], bytes: number[]): ModeReport {
  return {
    trials,
    ready: summarize(trials.map((t) => t.readyAt)),
    runtimeLoaded: summarize(trials.map((t) => t.runtimeLoadedAt)),
    compile: summarize(trials.map((t) => t.compileMs)),
    firstInference: summarize(trials.flatMap((t) => (t.firstInferenceMs === null ? [] : [t.firstInferenceMs]))),
    cacheBytes: summarize(bytes),
  };
}

async function runEngine(engine: BenchEngine, options: ColdWarmOptions, workDir: string, progress: () => void): Promise<EngineReport> {
  const runs = options.runs ?? 3;
  const base: Omit<TrialSpec, 'mode'> = {
    engine,
    model: path.resolve(options.model),
    device: options.device ?? 'CPU',
    ...(options.shapes ? { shapes: options.shapes } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(options.libraryPath ? { libraryPath: options.libraryPath } : {}),
  };
  const results = {} as Record<BenchMode, ModeReport>;
  const noCache: TrialResult[] = [];
  for (let i = 0; i < runs; i++) {
    noCache.push(await runChild({ ...base, mode: 'no-cache' }, options.onPhase));
    progress();
  }
  results['no-cache'] = summarizeMode(
    noCache,
    noCache.map(() => 0),
  );
  const cold: TrialResult[] = [];
  const coldBytes: number[] = [];
  const coldDirs: string[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = path.join(workDir, `${engine}-cold-${i}`);
    coldDirs.push(dir);
    cold.push(await runChild({ ...base, mode: 'cold', cacheDir: dir }, options.onPhase));
    coldBytes.push(await treeBytes(dir));
    progress();
  }
  results.cold = summarizeMode(cold, coldBytes);
  const warm: TrialResult[] = [];
  const warmDir = coldDirs[0]!;
  for (let i = 0; i < runs; i++) {
    warm.push(await runChild({ ...base, mode: 'warm', cacheDir: warmDir }, options.onPhase));
    progress();
  }
  const warmBytes = await treeBytes(warmDir);
  results.warm = summarizeMode(
    warm,
    warm.map(() => warmBytes),
  );
  return {
    engine,
    modes: results,
    ratios: {
      warmOverCold: ratio(results.warm.ready.median, results.cold.ready.median),
      warmOverNoCache: ratio(results.warm.ready.median, results['no-cache'].ready.median),
      coldOverNoCache: ratio(results.cold.ready.median, results['no-cache'].ready.median),
    },
  };
}

export async function runColdWarm(options: ColdWarmOptions): Promise<ColdWarmReport> {
  const runs = options.runs ?? 3;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-bench-'));
  const engines: BenchEngine[] = ['ovcache'];
  const skipped: string[] = [];
  if (options.compareOpenVINONode) {
    // Asked for, so never skipped quietly: without it the whole comparison fails, with a code.
    const reason = openvinoNodeUnavailable();
    if (reason) throw new OvcacheError('OVCACHE_OPENVINO_NODE_NOT_FOUND', `bench --compare openvino-node: ${reason}`);
    engines.push('openvino-node');
  }
  const total = engines.length * MODES.length * runs;
  let done = 0;
  try {
    const reports: EngineReport[] = [];
    for (const engine of engines) {
      reports.push(await runEngine(engine, options, workDir, () => options.onTrial?.(++done, total, engine)));
    }
    const runtime = reports[0]!.modes.cold.trials[0]!.runtime;
    return {
      model: path.resolve(options.model),
      device: options.device ?? 'CPU',
      runs,
      runtime,
      simulated: runtime.standIn,
      machine: machineInfo(),
      engines: reports,
      skipped,
      createdAt: new Date().toISOString(),
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export function reportTitle(report: ColdWarmReport): string {
  const what = `Cold vs warm start: ${path.basename(report.model)} on ${report.device}, ${report.runs} runs per mode, OpenVINO ${report.runtime.buildNumber}`;
  return report.simulated
    ? `${what}\nSIMULATED: stand-in runtime (${report.runtime.libraryPath}); compile costs are simulated and the numbers are not OpenVINO's`
    : `${what} (${report.runtime.libraryPath})`;
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');

export function formatColdWarm(report: ColdWarmReport): string {
  const rows: Cell[][] = [];
  for (const engine of report.engines) {
    for (const mode of MODES) {
      const m = engine.modes[mode];
      const hits = m.trials.filter((t) => t.loadedFromCache === true).length;
      rows.push([
        engine.engine,
        mode,
        ms(m.ready.median),
        ms(m.ready.min),
        ms(m.ready.max),
        ms(m.runtimeLoaded.median),
        ms(m.compile.median),
        ms(m.firstInference.median),
        mode === 'no-cache' ? '-' : formatBytes(m.cacheBytes.median),
        `${hits}/${m.trials.length}`,
      ]);
    }
  }
  const table = formatTable(
    ['engine', 'mode', 'ready ms (median)', 'min', 'max', 'runtime loaded', 'compile', 'first infer', 'cache size', 'from cache'],
    rows,
    { title: reportTitle(report), align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] },
  );
  const ratios = report.engines.map(
    (e) =>
      `${e.engine}: warm/cold ${e.ratios.warmOverCold.toFixed(3)}, warm/no-cache ${e.ratios.warmOverNoCache.toFixed(3)}, cold/no-cache ${e.ratios.coldOverNoCache.toFixed(3)} (ratios of median time to ready)`,
  );
  return [
    table,
    '',
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
  const groups = report.engines.flatMap((e) =>
    MODES.map((mode) => {
      const m = e.modes[mode];
      return { label: report.engines.length > 1 ? `${e.engine} ${mode}` : mode, values: [m.runtimeLoaded, m.compile, m.ready] };
    }),
  );
  const heading = `Cold vs warm start: ${path.basename(report.model)} on ${report.device}, OpenVINO ${report.runtime.buildNumber}`;
  const note = report.simulated ? "\nSIMULATED: test stand-in runtime; compile costs are simulated, not OpenVINO's" : '';
  return renderBarChart(`${heading}\n${report.runs} runs per mode; bars: median, whiskers: min to max${note}`, series, groups);
}
