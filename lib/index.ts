// ovcache: OpenVINO from Node.js with a model-compilation cache you can trust.
export * from './openvino/index';
export { OvcacheError, OpenVINOError, isOvcacheError, type OvcacheErrorCode, type OpenVINOErrorCode } from './errors';
export type { OpenVINOVersion } from './runtime/version';
export type { Probe } from './runtime/finder';
export * from './cache/index';
export { parseSize, parseDuration, formatBytes } from './format/units';
// The cache's history (lib/history/): per-interval counters, usage samples and evictions in its folder.
export * from './history/index';
