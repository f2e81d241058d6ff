// What the compile paths derive from a prepared compile: the outcome of a cached compile, the
// source OpenVINO compiles into the entry, what the manifest and the budget's guard are told.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RuntimeCompiledModel, RuntimeModel } from '../runtime/runtime-port';
import type { CompileConfig } from '../openvino/properties';
import { SizeFactors } from './budget/size-factors';
import type { CompileResult } from './compile-types';
import type { EntrySource } from './entry/manifest';
import type { PreparedCompile } from './key-builder';
import type { KeyParts } from './key';
import type { ResolvedCompileOptions } from './options';
import type { ShapeRoute } from './dynamic/shape-router';

/** A compile's result with what the statistics and the budget need. */
export interface Outcome extends CompileResult {
  savedMs: number;
  /** Bytes this compile added to its entry folder. */
  wroteBytes: number;
  route?: ShapeRoute;
}

/** How a cached compile went, for outcomeOf(). */
export interface Done {
  compiled: RuntimeCompiledModel;
  lockWaitMs: number;
  compileMs: number;
  /** The entry's recorded compile time, to credit the time a hit saved. */
  recordedCompileMs: number | null;
  wroteBytes?: number;
}

export function outcomeOf(prep: PreparedCompile, started: number, d: Done): Outcome {
  const hit = d.compiled.loadedFromCache;
  return {
    compiled: d.compiled,
    hit,
    cached: true,
    key: prep.key,
    parts: prep.parts,
    entryDir: prep.entryDir,
    uncachedReason: null,
    timings: {
      fingerprintMs: prep.fingerprintMs,
      readMs: prep.readMs,
      lockWaitMs: d.lockWaitMs,
      compileMs: d.compileMs,
      totalMs: performance.now() - started,
    },
    savedMs: hit && d.recordedCompileMs !== null ? Math.max(0, d.recordedCompileMs - d.compileMs) : 0,
    wroteBytes: d.wroteBytes ?? 0,
    ...(prep.route ? { route: prep.route } : {}),
    ...(hit ? { warmPath: prep.irSource ? ('reshaped-ir' as const) : ('openvino' as const) } : {}),
  };
}

/** What OpenVINO compiles into the entry: the entry's reshaped IR, else the model object, else the model path. */
export function compiledFrom(prep: PreparedCompile): string | RuntimeModel {
  return prep.irSource?.xml ?? prep.modelObject ?? prep.xml;
}

export function request(prep: PreparedCompile) {
  return { key: prep.key, entryDir: prep.entryDir, source: sourceOf(prep) };
}

export function sourceOf(prep: PreparedCompile): EntrySource {
  if (prep.irSource) return { kind: 'path', ...prep.irSource };
  return prep.modelObject || prep.deferredShapes
    ? { kind: 'model' }
    : { kind: 'path', xml: prep.xml, mtimeNs: prep.xmlMtimeNs, size: prep.xmlSize };
}

export function spaceRequest(prep: PreparedCompile, opts: ResolvedCompileOptions) {
  return {
    key: prep.key,
    model: prep.xml,
    entryName: path.basename(prep.entryDir),
    device: opts.device,
    sizeFactorKey: sizeFactorKey(opts),
    weightBytes: weightBytes(prep.parts),
  };
}

export function withCacheDir(config: CompileConfig | undefined, dir: string): CompileConfig {
  return { ...config, CACHE_DIR: dir };
}

/** Bytes of the model's weights (.bin), or of the model file when there is no .bin. */
export function weightBytes(parts: KeyParts): number {
  const files = parts.model.files;
  const bins = files.filter((f) => f.role === 'bin');
  return (bins.length > 0 ? bins : files).reduce((n, f) => n + f.size, 0);
}

/** Size factors are learned per device and CACHE_MODE (weightless blobs are much smaller). */
export function sizeFactorKey(opts: ResolvedCompileOptions): string {
  const mode = opts.config?.CACHE_MODE;
  return SizeFactors.keyOf(opts.device, mode === undefined ? undefined : String(mode));
}
