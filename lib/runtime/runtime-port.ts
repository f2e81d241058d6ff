// The runtime operations the cache layer (lib/cache, lib/registry, lib/results, lib/fleet)
// depends on, and nothing more. ovcache's own classes (lib/openvino/) implement these
// structurally; `fromOpenvinoNode(addon)` implements them over OpenVINO's own Node binding.
// Values crossing this seam are ovcache's: PortInfo shapes, CompileConfig, property text,
// TypedArray tensors, and OvcacheError / OpenVINOError with codes.
import type { PortInfo } from '../openvino/port';
import type { CompileConfig } from '../openvino/properties';
import type { ShapeInput } from '../openvino/shapes';
import type { Tensor, TensorInput } from '../openvino/tensor';

/** What keys and reports need to know about the runtime behind a core. */
export interface RuntimeInfo {
  /** The build number goes into every cache key (entries of another build are stale). */
  readonly version: { readonly buildNumber: string };
  /** True for the project's test stand-in: its timings are simulated. */
  readonly isStandIn: boolean;
}

/** A model read from a file, before compilation. */
export interface RuntimeModel {
  /** The .xml (or other model file) it was read from. */
  readonly path: string;
  readonly inputs: PortInfo[];
  readonly outputs: PortInfo[];
  readonly disposed: boolean;
  /** New input shapes by input name; wrong names or ranks throw OVCACHE_SHAPE_MISMATCH. */
  reshape(shapes: Record<string, ShapeInput>): void;
  dispose(): void;
  [Symbol.dispose](): void;
}

/** One inference request; infer() runs off the JavaScript thread. */
export interface RuntimeInferRequest {
  readonly disposed: boolean;
  infer(inputs: Record<string, TensorInput> | TensorInput): Promise<Record<string, Tensor>>;
  dispose(): void;
  [Symbol.dispose](): void;
}

/** A model compiled for one device. */
export interface RuntimeCompiledModel {
  readonly device: string;
  readonly inputs: PortInfo[];
  readonly outputs: PortInfo[];
  /** LOADED_FROM_CACHE: true only when the runtime says so. */
  readonly loadedFromCache: boolean;
  readonly disposed: boolean;
  /** A property as text (booleans as YES/NO, lists space-separated), e.g. OPTIMAL_NUMBER_OF_INFER_REQUESTS. */
  getProperty(key: string): string;
  createInferRequest(): RuntimeInferRequest;
  /**
   * The shapes a bare TypedArray takes on dynamic inputs, by input name: the static size a
   * caller asked ModelCache for when a dynamic variant serves it (requests made afterwards).
   */
  setBareInputShapes(shapes: Record<string, number[]>): void;
  /** Writes the compiled model to `file`, importable with RuntimeCore.importModel. */
  exportModel(file: string): Promise<void>;
  dispose(): void;
  [Symbol.dispose](): void;
}

/** The entry point: devices, properties, reading, compiling and importing models. */
export interface RuntimeCore {
  readonly runtime: RuntimeInfo;
  readonly disposed: boolean;
  availableDevices(): string[];
  /** A property of a device as text; device "" reads a core-level one. */
  getProperty(device: string, key: string): string;
  readModel(xmlPath: string, binPath?: string): Promise<RuntimeModel>;
  /** From a path (the runtime reads it, and skips reading on a CACHE_DIR hit) or a model of this core. */
  compileModel(model: RuntimeModel | string, device: string, config?: CompileConfig): Promise<RuntimeCompiledModel>;
  /** Imports what RuntimeCompiledModel.exportModel wrote (bytes or a file path). */
  importModel(source: Uint8Array | string, device: string): Promise<RuntimeCompiledModel>;
  dispose(): void;
}

function isObject(value: unknown): value is Record<string | symbol, unknown> {
  return value !== null && typeof value === 'object';
}

/** Whether `value` is a model object of some runtime (replaces `instanceof Model`, which knows one runtime). */
export function isRuntimeModel(value: unknown): value is RuntimeModel {
  return isObject(value) && typeof value.path === 'string' && typeof value.reshape === 'function' && typeof value.dispose === 'function';
}

/** Whether `value` looks like a RuntimeCore (checked on options, where a wrong object should fail early). */
export function isRuntimeCore(value: unknown): value is RuntimeCore {
  if (!isObject(value) || !isObject(value.runtime) || !isObject(value.runtime.version)) return false;
  const methods = ['availableDevices', 'getProperty', 'readModel', 'compileModel', 'importModel', 'dispose'];
  return typeof value.runtime.version.buildNumber === 'string' && methods.every((m) => typeof value[m] === 'function');
}
