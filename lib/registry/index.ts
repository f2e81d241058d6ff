// Public surface of the model registry (compiled models kept in memory and served).
export { ModelRegistry } from './registry';
export type { ModelHandle, HandleInferOptions } from './handle';
export type {
  ModelRegistryOptions,
  RegistryGetOptions,
  RegistryInferOptions,
  RegistryBatchOptions,
  BatchProgress,
  RegistryLoader,
  LoadedModel,
  ModelDefinition,
} from './options';
export type { KeepAlive } from './keep-alive';
export type { InferInputs } from './infer-pool';
export type { InferMeta, InferResult } from './run';
export type { ResultCacheLike, ResultCacheParts, ResultCacheValue } from './result-cache';
export type {
  RegistryLoadEvent,
  RegistryUnloadEvent,
  RegistryInferEvent,
  RegistryEvents,
  RegistryStats,
  RegistryModelStats,
  RegistryEntryInfo,
  LoadOutcome,
  UnloadReason,
  InferOutcome,
  BytesSource,
} from './events';
