// The outcome of every compile, built here only (compile-flow.ts calls it once per compile).
import { performance } from 'node:perf_hooks';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { CompileResult, CompileTimings, UncachedReason } from './compile-types';
import type { PreparedCompile } from './key-builder';
import type { ShapeRoute } from './dynamic/shape-router';

/** A compile's result with what the statistics and the budget need. */
export interface Outcome extends CompileResult {
  savedMs: number;
  /** Bytes this compile added to its entry folder. */
  wroteBytes: number;
  route?: ShapeRoute;
}

/** How a cached compile went (the load or the fill), for outcomeOf(). */
export interface Done {
  compiled: RuntimeCompiledModel;
  compileMs: number;
  /** The entry's recorded compile time, to credit the time a hit saved. */
  recordedCompileMs: number | null;
  wroteBytes?: number;
  /** The fill compiled but could not keep the entry: the outcome is not cached, for this reason. */
  dropped?: UncachedReason;
}

/** What a plain compile did (flow/plain.ts); readMs is the time it spent reading the model itself. */
export interface PlainCompile {
  compiled: RuntimeCompiledModel;
  readMs: number;
  compileMs: number;
}

/** A compile without the cache, and why. */
export interface PlainDone extends PlainCompile {
  plain: UncachedReason;
}

/** The one place a compile's outcome is built: from a load or a fill, or from a plain compile. */
export function outcomeOf(prep: PreparedCompile | undefined, started: number, lockWaitMs: number, d: Done | PlainDone): Outcome {
  if ('plain' in d) return plainOutcome(prep, started, lockWaitMs, d);
  const cachedPrep = prep as PreparedCompile; // a load or a fill always has its key
  const hit = d.compiled.loadedFromCache;
  const outcome: Outcome = {
    compiled: d.compiled,
    hit,
    cached: true,
    key: cachedPrep.key,
    parts: cachedPrep.parts,
    entryDir: cachedPrep.entryDir,
    uncachedReason: null,
    timings: {
      fingerprintMs: cachedPrep.fingerprintMs,
      readMs: cachedPrep.readMs,
      lockWaitMs,
      compileMs: d.compileMs,
      totalMs: performance.now() - started,
    },
    savedMs: hit && d.recordedCompileMs !== null ? Math.max(0, d.recordedCompileMs - d.compileMs) : 0,
    wroteBytes: d.wroteBytes ?? 0,
    ...(cachedPrep.route ? { route: cachedPrep.route } : {}),
    ...(hit ? { warmPath: cachedPrep.irSource ? ('reshaped-ir' as const) : ('openvino' as const) } : {}),
  };
  return d.dropped ? { ...outcome, cached: false, entryDir: null, uncachedReason: d.dropped } : outcome;
}

function plainOutcome(prep: PreparedCompile | undefined, started: number, lockWaitMs: number, d: PlainDone): Outcome {
  const timings: CompileTimings = {
    fingerprintMs: prep?.fingerprintMs ?? 0,
    readMs: (prep?.readMs ?? 0) + d.readMs,
    lockWaitMs,
    compileMs: d.compileMs,
    totalMs: performance.now() - started,
  };
  return {
    compiled: d.compiled,
    hit: false,
    cached: false,
    key: prep?.key ?? null,
    parts: prep?.parts ?? null,
    entryDir: null,
    uncachedReason: d.plain,
    timings,
    savedMs: 0,
    wroteBytes: 0,
    ...(prep?.route ? { route: prep.route } : {}),
  };
}
