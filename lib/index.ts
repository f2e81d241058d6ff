// ovcache: OpenVINO from Node.js with a model-compilation cache you can trust.
// The public surface, name by name (docs/api.md documents each; api/ovcache.api.md is the
// report `npm run api:check` compares against). Internals are imported by path.

// ---- runtime and OpenVINO objects ----
export { OpenVINO, loadOpenVINO, loadOpenVINOSync, type LoadOptions } from './openvino/openvino';
export type { OpenVINOVersion } from './runtime/version';
export { type FinderOptions } from './runtime/finder';
export { RuntimeNotFoundError } from './runtime/finder-report';
export { type Probe, type ProbeOutcome } from './runtime/probe';
export { Core, type DeviceInfo } from './openvino/core';
export { Model } from './openvino/model';
export { CompiledModel } from './openvino/compiled-model';
export { InferRequest } from './openvino/infer-request';
export type { RuntimeCore, RuntimeModel, RuntimeCompiledModel, RuntimeInferRequest, RuntimeInfo } from './runtime/runtime-port';
export { fromOpenvinoNode, OpenvinoNodeCoreAdapter, type OpenvinoNodeRuntimeInfo } from './adapters/openvino-node/core';
export { loadOpenvinoNode, type LocatedOpenvinoNode } from './adapters/openvino-node/locate';
export { OpenvinoNodeModelAdapter } from './adapters/openvino-node/model';
export { OpenvinoNodeCompiledModelAdapter } from './adapters/openvino-node/compiled-model';
export { OpenvinoNodeInferRequestAdapter } from './adapters/openvino-node/infer-request';
export type {
  OpenvinoNodeAddon,
  OpenvinoNodeCore,
  OpenvinoNodeModel,
  OpenvinoNodeCompiledModel,
  OpenvinoNodeInferRequest,
  OpenvinoNodeTensor,
  OpenvinoNodeOutput,
  OpenvinoNodePartialShape,
  OpenvinoNodeValue,
  OpenvinoNodeElementName,
} from './adapters/openvino-node/addon-types';
export type { PortInfo } from './openvino/port';
export type { Tensor, TensorInput, TypedArray, ElementType } from './openvino/tensor';
export {
  formatPartialShape,
  parseShapeInput,
  isStaticShape,
  type Dimension,
  type PartialShape,
  type ShapeInput,
  type DimensionInput,
} from './openvino/shapes';
export {
  canonicalPropertyValue,
  type CompileConfig,
  type PropertyValue,
  type PerformanceHint,
  type CacheMode,
  type ExecutionModeHint,
  type InferencePrecision,
} from './openvino/properties';

// ---- errors ----
export { OvcacheError, OpenVINOError, isOvcacheError, type OvcacheErrorCode, type OpenVINOErrorCode } from './errors';

// ---- the model cache ----
export { ModelCache } from './model-cache';
export { LocalModelCache } from './cache/model-cache';
export type { CachePorts, EntryTiers, TierFill, TierPlace } from './cache/ports';
export type { EntryRequest } from './cache/entry/usable';
export type {
  CompileResult,
  CompileTimings,
  UncachedReason,
  CacheEvent,
  CacheErrorEvent,
  ModelCacheEvents,
  KeyInfo,
  KeyExplanation,
  SimilarEntry,
  EvictOptions,
  EvictionReport,
} from './cache/compile-types';
export type { ModelCacheOptions } from './model-cache';
export type { LocalCacheOptions, CompileOptions } from './cache/options';
export type { CompileProgress, CompilePhase, CompileProgressListener } from './cache/progress/compile-progress';
export type { WeightlessMode } from './cache/weightless';
export type { DynamicShapesOption, DynamicBounds, GrowthWarningOption } from './cache/dynamic/options';
export type { GrowthEvent, VaryingDim } from './cache/dynamic/growth';
export type { ShapeVariant, EntryCovers } from './cache/dynamic/covers';
export type { CacheStats } from './cache/stats';
export type { BudgetOptions } from './cache/budget/options';
export type { CachePolicy, PolicyOptions } from './cache/policy/options';
export type { PolicyEvent } from './cache/policy/policy';
export type { PolicyView } from './cache/policy/describe';
export type { PolicyDecision } from './cache/policy/store';
export type { EntryTimings } from './cache/policy/timings';
export type { BudgetEvent, BudgetEventBase, BudgetCondition, BudgetUncachedReason, EvictedEntry } from './cache/budget/events';
export type { EvictionReason } from './cache/eviction/plan';
export type { BudgetStatus, CacheUsage } from './cache/budget/status';
export type { VolumeStats, StatfsFunction } from './cache/volume';
export type { KeyParts, KeyPartChange, FileIdentity, InputIdentity } from './cache/key';
export type { EntryManifest, EntrySource, EntryFile } from './cache/entry/manifest';
export { defaultCacheDir, type DefaultDir, type DefaultDirInput } from './cache/default-dir';

// ---- the model registry ----
export {
  ModelRegistry,
  type ModelHandle,
  type ModelRegistryOptions,
  type RegistryGetOptions,
  type RegistryInferOptions,
  type RegistryBatchOptions,
  type BatchProgress,
  type HandleInferOptions,
  type InferInputs,
  type InferMeta,
  type InferResult,
  type KeepAlive,
  type ResultCacheLike,
  type ResultCacheParts,
  type ResultCacheValue,
  type RegistryLoadEvent,
  type RegistryUnloadEvent,
  type RegistryInferEvent,
  type RegistryEvents,
  type RegistryLoader,
  type RegistryStats,
  type RegistryModelStats,
  type RegistryEntryInfo,
  type BytesSource,
  type LoadOutcome,
  type UnloadReason,
  type InferOutcome,
  type LoadedModel,
  type ModelDefinition,
} from './registry/index';
export { recordRegistry, type RegistryRecorder, type RegistryRecorderOptions, type RegistryState } from './registry/state-recorder';

// ---- inspecting a cache folder (what `ovcache ls/du/verify` report) ----
export {
  scanCache,
  type CacheScan,
  type ScannedEntry,
  type ScanOptions,
  type StaleReason,
  type EntryState,
  type StrayItem,
  type StrayKind,
  type UsageGroup,
} from './cache/scan';
export { verifyCache, fixCache, type VerifyReport, type Problem, type ProblemKind, type FixResult, type FixOutcome } from './cache/verify';

// ---- the cache's history (lib/history/): intervals, usage samples and evictions in its folder ----
export {
  attachHistory,
  type ObservedCache,
  readHistory,
  bucketIntervals,
  HISTORY_DIR,
  HISTORY_FORMAT,
  type HistoryOptions,
  type HistoryRecorder,
  type History,
  type HistoryBucket,
  type ReadHistoryOptions,
  type HistoryRecord,
  type HistoryRecordBase,
  type IntervalRecord,
  type UsageRecord,
  type EvictRecord,
} from './history/index';

// ---- result cache (results.md) ----
export {
  ResultCache,
  defaultResultsDir,
  RESULT_KEY_FORMAT,
  type ResultSetOptions,
  type GetOrComputeOptions,
  type ResultCacheInternals,
  type GetOrComputeResult,
  type ResultKeyExplanation,
  type BlobCheck,
  type ResultCacheOptions,
  type ResultParts,
  type ResultKeyParts,
  type ResultInputIdentity,
  type ResultValue,
  type FileRef,
  type JsonValue,
  type ResultCacheEvents,
  type ResultCacheStats,
  type ResultCacheErrorEvent,
  type ResultLookupEvent,
  type ResultEvictEvent,
  type ResultRedisEvent,
  type ResultTier,
  type StoreCounters,
  type StoredEntry,
  type EntryRecord,
} from './results/index';
// ---- the fleet: tiers below the local cache, warm-up manifests (docs/fleet.md) ----
export { Fleet, type FleetEvents, type FleetStats, type TierEvent, type LeaseOutcome } from './fleet/fleet';
export type { FleetOptions, ResolvedFleetOptions, TierOptions } from './fleet/fleet-options';
export type { Tier, TierObject, Lease, LeaseProvider } from './fleet/tier';
export { collectTierGarbage, type TierGcOptions, type TierGcReport, type TierGarbage } from './fleet/tier-gc';
export type { PullTarget } from './fleet/transfer';
export type { FolderTierOptions } from './fleet/folder-tier';
export type { S3TierOptions, S3Location } from './fleet/s3-tier';
export type { RedisCoordinatorOptions } from './fleet/redis-lease';
export type { TrustOptions, ResolvedTrust } from './trust/trust-options';
export type { EntrySignature, TrustRefusal } from './trust/signature';
export { keyIdOf, type PublicKeyInfo, type SigningKeyInfo, type KeyInput } from './trust/keys';
export { readWarmManifest, parseWarmManifest, type WarmManifest, type WarmModel } from './fleet/warm-manifest';
export type { WarmOptions, WarmPublish, WarmReport, WarmResult, WarmStatus } from './fleet/warm';

// ---- upgrading OpenVINO without a cold start (docs/upgrading.md) ----
export { rewarm, type RewarmOptions, type RewarmReport, type RewarmResult, type RewarmSkipped } from './rewarm/rewarm';
export {
  planRewarm,
  type PlanOptions as RewarmPlanOptions,
  type RewarmPlan,
  type RewarmItem,
  type RewarmSkip,
  type RewarmSkipReason,
} from './rewarm/plan';
export { pruneTwinned, type PruneReport as PruneTwinnedReport } from './rewarm/prune-old';

// ---- units ----
export { parseSize, parseDuration, formatBytes, type DurationLimits, type SizeUnits } from './format/units';
