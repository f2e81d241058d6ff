// The contract between the addon (native/) and the TypeScript layer. Everything here is
// what the .node file exports; nothing in it is public API. Values crossing this line are
// already validated by the TypeScript layer: the addon trusts their types and shapes.

/** Element types as the addon names them; the numeric enum differs by OpenVINO release. */
export type NativeElementType =
  | 'dynamic'
  | 'boolean'
  | 'bf16'
  | 'f16'
  | 'f32'
  | 'f64'
  | 'i4'
  | 'i8'
  | 'i16'
  | 'i32'
  | 'i64'
  | 'u1'
  | 'u2'
  | 'u3'
  | 'u4'
  | 'u6'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 'nf4'
  | 'f8e4m3'
  | 'f8e5m2'
  | 'string'
  | 'f4e2m1'
  | 'f8e8m0'
  | 'undefined';

/** One dimension as [min, max]; [-1, -1] is fully dynamic, [n, n] is static. */
export type NativeDimension = [min: number, max: number];

export interface NativePort {
  /** ov_port_get_any_name; "" when the port has no tensor name. */
  name: string;
  /** null when the rank itself is dynamic. */
  shape: NativeDimension[] | null;
  elementType: NativeElementType;
}

export interface NativeTensorIn {
  name: string;
  elementType: NativeElementType;
  shape: number[];
  /** Copied into an OpenVINO tensor on the main thread before the work is queued. */
  data: ArrayBufferView;
}

export interface NativeTensorOut {
  name: string;
  elementType: NativeElementType;
  shape: number[];
  /** A fresh copy of the output tensor's bytes. */
  data: ArrayBuffer;
}

/**
 * Errors thrown or rejected by the addon are plain Errors with these fields; the
 * TypeScript layer turns them into OpenVINOError / OvcacheError.
 */
export interface NativeErrorFields {
  /** 'OV_GENERAL_ERROR', ... for OpenVINO statuses; 'OVCACHE_*' for the addon's own. */
  code: string;
  /** The ov_status_e value, when an OpenVINO call failed. */
  status?: number;
  /** The C function that failed or was missing, e.g. 'ov_core_compile_model'. */
  call?: string;
  /** ov_get_last_err_msg() read right after the failing call, when there was one. */
  ovMessage?: string;
}

export interface NativeInferRequest {
  infer(inputs: NativeTensorIn[]): Promise<NativeTensorOut[]>;
  dispose(): void;
  readonly disposed: boolean;
}

export interface NativeCompiledModel {
  inputs(): NativePort[];
  outputs(): NativePort[];
  /** ov_compiled_model_get_property; the runtime's string form (bools are "YES"/"NO"). */
  getProperty(key: string): string;
  setProperty(key: string, value: string): void;
  exportModel(path: string): Promise<void>;
  createInferRequest(): NativeInferRequest;
  dispose(): void;
  readonly disposed: boolean;
}

export interface NativeModel {
  inputs(): NativePort[];
  outputs(): NativePort[];
  /** ov_model_reshape with every (name, partial shape) pair at once. */
  reshape(names: string[], shapes: NativeDimension[][]): void;
  friendlyName(): string;
  isDynamic(): boolean;
  dispose(): void;
  readonly disposed: boolean;
}

export interface NativeCore {
  /** binPath "" lets OpenVINO find the .bin beside the .xml. */
  readModel(xmlPath: string, binPath: string): Promise<NativeModel>;
  /** props: alternating key, value; even length. */
  compileModel(model: NativeModel, device: string, props: string[]): Promise<NativeCompiledModel>;
  compileModelFromFile(path: string, device: string, props: string[]): Promise<NativeCompiledModel>;
  importModel(data: Uint8Array, device: string): Promise<NativeCompiledModel>;
  /** device null sets a core-wide property. One pair per call, as the C API reads. */
  setProperty(device: string | null, key: string, value: string): void;
  /** device "" reads a core-level property. */
  getProperty(device: string, key: string): string;
  availableDevices(): string[];
  versions(device: string): Array<{ device: string; buildNumber: string; description: string }>;
  dispose(): void;
  readonly disposed: boolean;
}

export interface NativeRuntime {
  readonly libraryPath: string;
  readonly buildNumber: string;
  readonly description: string;
  /** Which ov_element_type_e numbering the addon chose from the version. */
  readonly elementNumbering: 'legacy' | 'modern';
  /** Whether a C symbol resolved; missing ones fail only when called. */
  hasSymbol(name: string): boolean;
  createCore(): NativeCore;
}

export interface NativeBinding {
  /** dlopen()s the library; throws code OVCACHE_RUNTIME_LOAD_FAILED with dlerror() text. */
  loadRuntime(libraryPath: string): NativeRuntime;
  /** Number of live OpenVINO handles this addon instance holds (for leak tests). */
  liveHandles(): number;
}
