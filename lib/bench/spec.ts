// What one benchmark trial runs and what it reports. Trials run in fresh child processes
// (lib/bench/child.ts) so that every start pays what a real service start pays.

/**
 * no-cache: compile, no cache at all; cold: an empty cache folder; warm: the folder a cold
 * trial filled; warm-fresh (ovcache only): the same folder after the model files got a new
 * identity, as in a fresh container that keeps the cache volume (every memo keyed by the
 * files' identity misses, so the weights are digested again).
 */
export type BenchMode = 'no-cache' | 'cold' | 'warm' | 'warm-fresh';
/** ovcache; openvino: OpenVINO's own CACHE_DIR alone, through the same addon; openvino-node: its binding's CACHE_DIR. */
export type BenchEngine = 'ovcache' | 'openvino' | 'openvino-node';

export interface TrialSpec {
  engine: BenchEngine;
  mode: BenchMode;
  model: string;
  device: string;
  shapes?: Record<string, string>;
  config?: Record<string, string>;
  /** The cache folder (cold: empty; warm: filled by an earlier trial). Unused for no-cache. */
  cacheDir?: string;
  libraryPath?: string;
  /** Print the compile's phases (PROGRESS_PREFIX lines) while it runs. */
  progress?: boolean;
}

/** Milliseconds; `*At` are measured from the child's process start (performance.timeOrigin). */
export interface TrialResult {
  engine: BenchEngine;
  mode: BenchMode;
  runtimeLoadedAt: number;
  compileMs: number;
  firstInferenceMs: number | null;
  readyAt: number;
  /** What the runtime reported (LOADED_FROM_CACHE); null where it cannot tell. */
  loadedFromCache: boolean | null;
  runtime: { buildNumber: string; libraryPath: string; standIn: boolean };
}

export const RESULT_PREFIX = 'OVCACHE_BENCH_RESULT ';
export const PROGRESS_PREFIX = 'OVCACHE_BENCH_PROGRESS ';
