// The start-up benchmark: ovcache against OpenVINO's own cache (CACHE_DIR alone, through the
// same addon) and no cache, every trial in a fresh child process. Trials are interleaved: each
// round runs every engine's no-cache, cold and warm trial once, the engines' order rotating
// from round to round, so that the machine's drift falls on all of them alike.
//   no-cache:   compile without any cache;
//   cold:       an empty cache folder (compile and write the entry);
//   warm:       the folder this round's cold trial filled (import from the cache);
//   warm-fresh: ovcache only, the same folder with its identity-keyed memos gone, as in a fresh
//               container that keeps the cache volume (spec.ts).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { treeBytes } from '../fs/dir-size';
import { cacheLayout } from '../cache/entry/layout';
import { PROGRESS_PREFIX, RESULT_PREFIX, type BenchEngine, type BenchMode, type TrialResult, type TrialSpec } from './spec';
import type { CompileProgress } from '../cache/progress/compile-progress';
import { ratio, summarize, type Summary } from './stats';
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
  /** The last round's ovcache trials use this folder, kept afterwards (the demo's cache); absent or empty. */
  keepCacheDir?: string;
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
  /** ovcache: cold, warm, warm-fresh; openvino and openvino-node: no-cache, cold, warm. */
  modes: Partial<Record<BenchMode, ModeReport>>;
}

/** One comparison: the ratio of the medians, and the median/min/max of the per-round ratios. */
export interface RatioReport {
  name: string;
  of: string;
  over: string;
  ofMedians: number;
  perRound: Summary;
}

export interface ColdWarmReport {
  model: string;
  device: string;
  runs: number;
  runtime: { buildNumber: string; libraryPath: string; standIn: boolean };
  simulated: boolean;
  machine: MachineInfo;
  engines: EngineReport[];
  ratios: RatioReport[];
  /** The ovcache cache folder kept after the run (keepCacheDir), if any. */
  keptCacheDir?: string;
  skipped: string[];
  createdAt: string;
}

const CHILD = path.join(__dirname, 'child.js');
/** The fingerprint memo's racy window (lib/cache/fingerprint.ts) plus a margin. */
const RACY_WINDOW_MS = 2100;

/** Which modes each engine runs, in the order a round runs them. */
export function modesOf(engine: BenchEngine): BenchMode[] {
  return engine === 'ovcache' ? ['cold', 'warm', 'warm-fresh'] : ['no-cache', 'cold', 'warm'];
}

/** Trials in one round: OpenVINO's own cache and ovcache, and openvino-node's when compared. */
export function trialsPerRound(compareOpenVINONode: boolean): number {
  const engines: BenchEngine[] = compareOpenVINONode ? ['openvino', 'ovcache', 'openvino-node'] : ['openvino', 'ovcache'];
  return engines.reduce((n, e) => n + modesOf(e).length, 0);
}

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

interface Sample {
  trial: TrialResult;
  bytes: number;
}
type Samples = Map<string, Sample[]>;
const slot = (engine: BenchEngine, mode: BenchMode): string => `${engine}/${mode}`;

/** Rotates a list by n places: round i starts with a different engine. */
const rotate = <T>(list: T[], n: number): T[] => list.map((_, i) => list[(i + n) % list.length]!);

export async function runColdWarm(options: ColdWarmOptions): Promise<ColdWarmReport> {
  const runs = options.runs ?? 3;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-bench-'));
  const engines: BenchEngine[] = ['openvino', 'ovcache'];
  if (options.compareOpenVINONode) {
    // Asked for, so never skipped quietly: without it the whole comparison fails, with a code.
    const reason = openvinoNodeUnavailable();
    if (reason) throw new OvcacheError('OVCACHE_OPENVINO_NODE_NOT_FOUND', `bench --compare openvino-node: ${reason}`);
    engines.push('openvino-node');
  }
  const total = runs * trialsPerRound(engines.includes('openvino-node'));
  const base: Omit<TrialSpec, 'mode' | 'engine'> = {
    model: path.resolve(options.model),
    device: options.device ?? 'CPU',
    ...(options.shapes ? { shapes: options.shapes } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(options.libraryPath ? { libraryPath: options.libraryPath } : {}),
  };
  if (options.keepCacheDir) assertEmptyFolder(options.keepCacheDir);
  const samples: Samples = new Map();
  let done = 0;
  let freshAt = 0;
  const trial = async (engine: BenchEngine, mode: BenchMode, cacheDir?: string): Promise<void> => {
    const result = await runChild({ ...base, engine, mode, ...(cacheDir ? { cacheDir } : {}) }, options.onPhase);
    const list = samples.get(slot(engine, mode)) ?? [];
    list.push({ trial: result, bytes: cacheDir ? await treeBytes(cacheDir) : 0 });
    samples.set(slot(engine, mode), list);
    options.onTrial?.(++done, total, `${engine} ${mode}`);
  };
  try {
    for (let round = 0; round < runs; round++) {
      const order = rotate(engines, round);
      const dirOf = (engine: BenchEngine): string =>
        engine === 'ovcache' && options.keepCacheDir && round === runs - 1
          ? path.resolve(options.keepCacheDir)
          : path.join(workDir, `${engine}-${round}`);
      const dirs = new Map(order.map((e) => [e, dirOf(e)]));
      for (const engine of order) if (engine !== 'ovcache') await trial(engine, 'no-cache');
      // A cold ovcache trial memoizes the digest only past the racy window of the last re-identified files.
      await sleep(Math.max(0, freshAt + RACY_WINDOW_MS - Date.now()));
      for (const engine of order) await trial(engine, 'cold', dirs.get(engine));
      for (const engine of order) await trial(engine, 'warm', dirs.get(engine));
      const ours = dirs.get('ovcache')!;
      forgetIdentityMemos(ours);
      await trial('ovcache', 'warm-fresh', ours);
      freshAt = Date.now();
    }
    const reports: EngineReport[] = engines.map((engine) => ({
      engine,
      modes: Object.fromEntries(
        modesOf(engine).map((mode) => {
          const list = samples.get(slot(engine, mode)) ?? [];
          return [
            mode,
            summarizeMode(
              list.map((s) => s.trial),
              list.map((s) => s.bytes),
            ),
          ];
        }),
      ),
    }));
    const runtime = samples.get(slot('ovcache', 'cold'))![0]!.trial.runtime;
    return {
      model: path.resolve(options.model),
      device: options.device ?? 'CPU',
      runs,
      runtime,
      simulated: runtime.standIn,
      machine: machineInfo(),
      engines: reports,
      ratios: compareAll(samples, engines),
      ...(options.keepCacheDir ? { keptCacheDir: path.resolve(options.keepCacheDir) } : {}),
      skipped: [],
      createdAt: new Date().toISOString(),
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** A kept cache starts cold like every other: its folder must be absent or empty (nothing of the caller's is lost). */
function assertEmptyFolder(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // absent: the cold trial creates it
  }
  if (names.length > 0)
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `bench: the folder to keep the cache in (${dir}) is not empty; give an empty or new folder`,
    );
}

/**
 * A fresh container keeps the cache volume but its model files have a new identity (inode,
 * ctime): every memo keyed by that identity (the weights' digest, the model's inputs) misses.
 * Removing those memos does the same without touching the model's files.
 */
function forgetIdentityMemos(cacheDir: string): void {
  fs.rmSync(cacheLayout(cacheDir).fingerprints, { recursive: true, force: true });
}

const COMPARISONS: Array<{ name: string; of: [BenchEngine, BenchMode]; over: [BenchEngine, BenchMode] }> = [
  { name: 'cold: ovcache / CACHE_DIR', of: ['ovcache', 'cold'], over: ['openvino', 'cold'] },
  { name: 'warm: ovcache / CACHE_DIR', of: ['ovcache', 'warm'], over: ['openvino', 'warm'] },
  { name: 'warm, fresh container: ovcache / CACHE_DIR warm', of: ['ovcache', 'warm-fresh'], over: ['openvino', 'warm'] },
  { name: 'cold: CACHE_DIR / no cache', of: ['openvino', 'cold'], over: ['openvino', 'no-cache'] },
  { name: 'warm: CACHE_DIR / no cache', of: ['openvino', 'warm'], over: ['openvino', 'no-cache'] },
  { name: 'cold: ovcache / no cache', of: ['ovcache', 'cold'], over: ['openvino', 'no-cache'] },
  { name: 'warm: ovcache / no cache', of: ['ovcache', 'warm'], over: ['openvino', 'no-cache'] },
  { name: 'cold: ovcache / openvino-node CACHE_DIR', of: ['ovcache', 'cold'], over: ['openvino-node', 'cold'] },
  { name: 'warm: ovcache / openvino-node CACHE_DIR', of: ['ovcache', 'warm'], over: ['openvino-node', 'warm'] },
];

/** Ratios of time to ready (first inference done): of the medians, and per round (same round, interleaved). */
function compareAll(samples: Samples, engines: BenchEngine[]): RatioReport[] {
  return COMPARISONS.filter((c) => engines.includes(c.of[0]) && engines.includes(c.over[0])).map((c) => {
    const a = (samples.get(slot(...c.of)) ?? []).map((s) => s.trial.readyAt);
    const b = (samples.get(slot(...c.over)) ?? []).map((s) => s.trial.readyAt);
    return {
      name: c.name,
      of: slot(...c.of),
      over: slot(...c.over),
      ofMedians: ratio(summarize(a).median, summarize(b).median),
      perRound: summarize(a.map((v, i) => ratio(v, b[i] ?? NaN)).filter(Number.isFinite)),
    };
  });
}
