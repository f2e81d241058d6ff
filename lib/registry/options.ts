// The registry's options, the options of get()/acquire()/infer(), and their checks.
import path from 'node:path';
import { OvcacheError } from '../errors';
import { parseDuration } from '../format/units';
import type { LocalModelCache } from '../cache/model-cache';
import type { CompileOptions } from '../cache/options';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { CompileConfig } from '../openvino/properties';
import type { ShapeInput } from '../openvino/shapes';
import { expectIntegerInRange, expectPlainObject, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import { expectSignal } from './abort';
import { DEFAULT_KEEP_ALIVE_MS, parseKeepAlive, type KeepAlive } from './keep-alive';
import type { ResultCacheLike } from './result-cache';

export interface RegistryGetOptions {
  device?: string;
  shapes?: Record<string, ShapeInput>;
  config?: CompileConfig;
  /** false: load without the disk cache (still shared in memory). */
  cache?: boolean;
  /** How long the model stays loaded once idle, from this call on: '5m', ms, 0 (unload when idle), -1 (never). */
  keepAlive?: KeepAlive;
  /** Stops waiting for the load (the load itself goes on and fills the cache). */
  signal?: AbortSignal;
}

/** A named model: get('classifier') loads `model` with these defaults. */
export interface ModelDefinition extends Omit<RegistryGetOptions, 'signal'> {
  model: string;
  /** Never unloaded for the LRU limits or idle time (unload() and unpin() still work). */
  pinned?: boolean;
}

export interface RegistryInferOptions extends RegistryGetOptions {
  /** Higher runs first when requests queue; equal priorities run first come first served. Default 0. */
  priority?: number;
  /** Parameters that change the result (for the result cache's key). */
  params?: unknown;
  /** false: neither read nor write the result cache for this call. */
  cacheable?: boolean;
}

export interface BatchProgress {
  done: number;
  total: number;
}

export interface RegistryBatchOptions extends RegistryInferOptions {
  /** Called after each input is done (and once with done 0 at the start). */
  onProgress?: (progress: BatchProgress) => void;
}

export interface LoadedModel {
  compiled: RuntimeCompiledModel;
  /** Loaded from the disk cache. */
  hit: boolean;
  /** The disk cache was used (false: compiled without it). */
  cached: boolean;
  key: string | null;
}

/** How the registry loads a model; defaults to cache.compile(). Tests inject their own. */
export type RegistryLoader = (model: string, options: CompileOptions) => Promise<LoadedModel>;

export interface ModelRegistryOptions {
  /** The cache loads go through. Give this or `loader`. */
  cache?: LocalModelCache;
  loader?: RegistryLoader;
  /** Most models kept loaded; the least recently used (not pinned) beyond it is unloaded. Default: no limit. */
  maxModels?: number;
  /** Memory budget in bytes for the estimate below. Default: no limit. */
  maxBytes?: number;
  /**
   * Memory estimate of a loaded model. Default: the device's own counter's growth across the
   * load where it has one (GPU, NPU: `runtimeBytes`), else the size of its model files (.xml + .bin).
   */
  estimateBytes?: (info: { model: string; fileBytes: number; runtimeBytes: number | undefined; compiled: RuntimeCompiledModel }) => number;
  /** Named models for get(name). */
  models?: Record<string, ModelDefinition>;
  /** Reload when the model files change on disk. Default true. */
  checkFiles?: boolean;
  /** Check the model files at most this often ('1s', ms; 0: on every call). Default 1 s. */
  checkFilesInterval?: string | number;
  /** How long an idle model stays loaded: '5m', ms, 0 (unload when idle), -1 (never). Default '5m'. */
  keepAlive?: KeepAlive;
  /** Infer requests per loaded model for infer(). Default: the model's OPTIMAL_NUMBER_OF_INFER_REQUESTS. */
  inferRequests?: number;
  /** Most infer() calls waiting per model; one more fails OVCACHE_QUEUE_FULL at once. Default: no limit. */
  maxQueue?: number;
  /** Consulted by infer() (getOrCompute), keyed by the loaded model's cache key, the inputs and `params`. */
  resultCache?: ResultCacheLike;
}

export interface RegistrySettings {
  maxModels: number;
  maxBytes: number;
  estimate: ModelRegistryOptions['estimateBytes'];
  checkFiles: boolean;
  checkFilesIntervalMs: number;
  keepAliveMs: number;
  inferRequests: number | undefined;
  maxQueue: number;
  resultCache: ResultCacheLike | undefined;
}

const OPTIONS = [
  'cache',
  'loader',
  'maxModels',
  'maxBytes',
  'estimateBytes',
  'models',
  'checkFiles',
  'checkFilesInterval',
  'keepAlive',
  'inferRequests',
  'maxQueue',
  'resultCache',
] as const;
export const GET_OPTIONS = ['device', 'shapes', 'config', 'cache', 'keepAlive', 'signal'] as const;
export const INFER_OPTIONS = [...GET_OPTIONS, 'priority', 'params', 'cacheable'] as const;
export const BATCH_OPTIONS = [...INFER_OPTIONS, 'onProgress'] as const;
const DEFINITION_OPTIONS = ['model', 'device', 'shapes', 'config', 'cache', 'keepAlive', 'pinned'] as const;

export const DEFAULT_CHECK_FILES_INTERVAL_MS = 1000;

export function parseRegistryOptions(options: ModelRegistryOptions): RegistrySettings {
  const o = expectPlainObject(options, 'options') as ModelRegistryOptions;
  rejectUnknownOptions(o as Record<string, unknown>, OPTIONS, 'new ModelRegistry()');
  if (o.estimateBytes !== undefined && typeof o.estimateBytes !== 'function')
    throw invalidArgument('a function', 'options.estimateBytes', o.estimateBytes);
  if (o.checkFiles !== undefined && typeof o.checkFiles !== 'boolean')
    throw invalidArgument('a boolean', 'options.checkFiles', o.checkFiles);
  const resultCache = o.resultCache;
  if (resultCache !== undefined && typeof (resultCache as Partial<ResultCacheLike>)?.getOrCompute !== 'function')
    throw invalidArgument('a ResultCache (an object with getOrCompute)', 'options.resultCache', resultCache);
  return {
    maxModels: o.maxModels === undefined ? Infinity : expectIntegerInRange(o.maxModels, 'options.maxModels', 1),
    maxBytes: o.maxBytes === undefined ? Infinity : expectIntegerInRange(o.maxBytes, 'options.maxBytes', 1),
    estimate: o.estimateBytes,
    checkFiles: o.checkFiles ?? true,
    checkFilesIntervalMs:
      o.checkFilesInterval === undefined
        ? DEFAULT_CHECK_FILES_INTERVAL_MS
        : parseDuration(o.checkFilesInterval, 'options.checkFilesInterval'),
    keepAliveMs: o.keepAlive === undefined ? DEFAULT_KEEP_ALIVE_MS : parseKeepAlive(o.keepAlive, 'options.keepAlive'),
    inferRequests: o.inferRequests === undefined ? undefined : expectIntegerInRange(o.inferRequests, 'options.inferRequests', 1, 1024),
    maxQueue: o.maxQueue === undefined ? Infinity : expectIntegerInRange(o.maxQueue, 'options.maxQueue', 0),
    resultCache,
  };
}

export function parseDefinition(name: string, definition: ModelDefinition): ModelDefinition {
  if (typeof name !== 'string' || name === '') throw invalidArgument('a non-empty name', 'name', name);
  const def = expectPlainObject(definition, `models.${name}`) as unknown as ModelDefinition;
  rejectUnknownOptions(def as unknown as Record<string, unknown>, DEFINITION_OPTIONS, `model definition "${name}"`);
  if (typeof def.model !== 'string' || def.model === '') throw invalidArgument('a model path', `models.${name}.model`, def.model);
  if (def.pinned !== undefined && typeof def.pinned !== 'boolean') throw invalidArgument('a boolean', `models.${name}.pinned`, def.pinned);
  if (def.keepAlive !== undefined) parseKeepAlive(def.keepAlive, `models.${name}.keepAlive`);
  return { ...def, model: path.resolve(def.model) };
}

/** Checks the options of one call; returns them typed. */
export function callOptions<T extends RegistryGetOptions>(options: unknown, known: readonly string[], where: string): T {
  const o = expectPlainObject(options, 'options') as T;
  rejectUnknownOptions(o as Record<string, unknown>, known, where);
  expectSignal(o.signal, 'options.signal');
  return o;
}

export function checkInferOptions(o: RegistryInferOptions): void {
  if (o.priority !== undefined && (typeof o.priority !== 'number' || !Number.isFinite(o.priority)))
    throw invalidArgument('a finite number', 'options.priority', o.priority);
  if (o.cacheable !== undefined && typeof o.cacheable !== 'boolean') throw invalidArgument('a boolean', 'options.cacheable', o.cacheable);
}

export function disposedError(): OvcacheError {
  return new OvcacheError('OVCACHE_DISPOSED', 'This ModelRegistry has been disposed');
}
