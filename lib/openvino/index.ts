export { OpenVINO, loadOpenVINO, loadOpenVINOSync, type LoadOptions } from './openvino';
export { Core, type DeviceInfo } from './core';
export { Model } from './model';
export { CompiledModel } from './compiled-model';
export { InferRequest } from './infer-request';
export type { PortInfo } from './port';
export type { Tensor, TensorInput, TypedArray, ElementType } from './tensor';
export {
  formatPartialShape,
  parseShapeInput,
  isStaticShape,
  type Dimension,
  type PartialShape,
  type ShapeInput,
  type DimensionInput,
} from './shapes';
export {
  canonicalPropertyValue,
  toPropertyPairs,
  KNOWN_PROPERTY_KEYS,
  type CompileConfig,
  type PropertyValue,
  type PerformanceHint,
  type CacheMode,
  type ExecutionModeHint,
  type InferencePrecision,
} from './properties';
