// The registry's events and the shapes stats() and list() return.
export type LoadOutcome = 'miss' | 'hit' | 'uncached' | 'reuse';

export interface RegistryLoadEvent {
  /** Registry identity of the model (canonical JSON of path, device, shapes, config). */
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  /** miss: compiled (and cached); hit: loaded from the disk cache; uncached: compiled without it; reuse: already loaded or loading. */
  outcome: LoadOutcome;
  key: string | null;
  ms: number;
  bytes: number;
}

export type UnloadReason = 'lru' | 'memory' | 'unload' | 'clear' | 'dispose' | 'changed' | 'idle';

export interface RegistryUnloadEvent {
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  reason: UnloadReason;
}

/**
 * inferred: ran (no result cache); hit: answered by the result cache, no inference;
 * miss: ran and stored; bypass: ran, not cacheable; error / aborted / queue-full: failed.
 */
export type InferOutcome = 'inferred' | 'hit' | 'miss' | 'bypass' | 'error' | 'aborted' | 'queue-full';

export interface RegistryInferEvent {
  id: string;
  name: string | undefined;
  device: string;
  /** Waiting for a free infer request, ms. */
  queuedMs: number;
  /** The inference itself, ms (0 for a result-cache hit). */
  inferMs: number;
  outcome: InferOutcome;
}

export interface RegistryEvents {
  load: [RegistryLoadEvent];
  unload: [RegistryUnloadEvent];
  infer: [RegistryInferEvent];
}

export interface RegistryModelStats {
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  /** infer() calls waiting for a request. */
  queueDepth: number;
  /** Inferences running. */
  inFlight: number;
  /** Size of the infer pool (0 before the first infer()). */
  inferRequests: number;
  handles: number;
  pinned: boolean;
  /** The model's memory figure, counted against maxBytes, and where it comes from. */
  bytes: number;
  bytesSource: BytesSource;
}

export interface RegistryStats {
  loaded: number;
  /** Sum of the loaded models' memory estimates. */
  bytes: number;
  /** Resident set size of the whole process, now (process.memoryUsage.rss()). */
  rssBytes: number;
  loads: number;
  cacheHits: number;
  cacheMisses: number;
  uncached: number;
  reuses: number;
  unloads: number;
  infers: number;
  resultHits: number;
  queueFull: number;
  aborted: number;
  models: RegistryModelStats[];
}

/** Where a model's memory figure comes from: the runtime's device counter, options.estimateBytes, or the model files' sizes. */
export type BytesSource = 'runtime' | 'estimate' | 'files';

export interface RegistryEntryInfo {
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  key: string | null;
  bytes: number;
  /** Where `bytes` comes from (docs/serving.md "Freeing memory"). */
  bytesSource: BytesSource;
  /** Handles holding it now. */
  handles: number;
  /** @deprecated the same as `handles`. */
  pins: number;
  pinned: boolean;
  /** Keep-alive once idle, ms (Infinity: never unloaded when idle). */
  keepAliveMs: number;
  /** Date.now() when it became idle; undefined while held. */
  idleSince: number | undefined;
  loading: boolean;
}
