// Every error ovcache throws is an OvcacheError with a stable string `code`; failures of an
// OpenVINO call are OpenVINOError, which adds the status, the C call and OpenVINO's text.
// Codes are part of the public API: docs/api.md lists them, tests assert them.

export type OvcacheErrorCode =
  | 'OVCACHE_INVALID_ARGUMENT'
  | 'OVCACHE_UNKNOWN_OPTION'
  | 'OVCACHE_RUNTIME_NOT_FOUND'
  | 'OVCACHE_RUNTIME_LOAD_FAILED'
  | 'OVCACHE_RUNTIME_UNSUPPORTED_VERSION'
  | 'OVCACHE_ADDON_NOT_FOUND'
  | 'OVCACHE_SYMBOL_MISSING'
  | 'OVCACHE_DISPOSED'
  | 'OVCACHE_CLOSED'
  | 'OVCACHE_BUSY'
  | 'OVCACHE_INTERNAL'
  | 'OVCACHE_MODEL_NOT_FOUND'
  | 'OVCACHE_MODEL_INVALID'
  | 'OVCACHE_ELEMENT_TYPE_MISMATCH'
  | 'OVCACHE_SHAPE_MISMATCH'
  | 'OVCACHE_SHAPE_UNSUPPORTED'
  | 'OVCACHE_PROPERTY_UNSUPPORTED'
  | 'OVCACHE_WEIGHTLESS_UNSUPPORTED'
  | 'OVCACHE_ELEMENT_TYPE_UNSUPPORTED'
  | 'OVCACHE_CACHE_DIR_INVALID'
  | 'OVCACHE_CACHE_DIR_INSECURE'
  | 'OVCACHE_CACHE_DIR_MISSING'
  | 'OVCACHE_CACHE_READ_ONLY'
  | 'OVCACHE_ENTRY_NOT_FOUND'
  | 'OVCACHE_BAD_SIZE'
  | 'OVCACHE_BAD_DURATION'
  | 'OVCACHE_UNSAFE_PATH'
  | 'OVCACHE_PEER_MISSING'
  | 'OVCACHE_RESULT_KEY_INVALID'
  | 'OVCACHE_RESULT_PARTS_INVALID'
  | 'OVCACHE_RESULT_VALUE_INVALID'
  | 'OVCACHE_RESULT_STORE_FAILED'
  | 'OVCACHE_TIER_UNAVAILABLE'
  | 'OVCACHE_WARM_MANIFEST_INVALID'
  | 'OVCACHE_BUNDLE_INVALID'
  | 'OVCACHE_BUNDLE_UNTRUSTED'
  | 'OVCACHE_TRUST_KEY_INVALID'
  | 'OVCACHE_ENTRY_CONFLICT'
  | 'OVCACHE_QUEUE_FULL'
  | 'OVCACHE_DISK_FULL'
  | 'OVCACHE_OPENVINO_NODE_NOT_FOUND'
  | 'OVCACHE_DEVICE_NOT_FOUND'
  | 'OVCACHE_BENCH_TRIAL_FAILED'
  | OpenVINOErrorCode;

/** One code per ov_status_e value. */
export type OpenVINOErrorCode =
  | 'OV_GENERAL_ERROR'
  | 'OV_NOT_IMPLEMENTED'
  | 'OV_NETWORK_NOT_LOADED'
  | 'OV_PARAMETER_MISMATCH'
  | 'OV_NOT_FOUND'
  | 'OV_OUT_OF_BOUNDS'
  | 'OV_UNEXPECTED'
  | 'OV_REQUEST_BUSY'
  | 'OV_RESULT_NOT_READY'
  | 'OV_NOT_ALLOCATED'
  | 'OV_INFER_NOT_STARTED'
  | 'OV_NETWORK_NOT_READ'
  | 'OV_INFER_CANCELLED'
  | 'OV_INVALID_C_PARAM'
  | 'OV_UNKNOWN_C_ERROR'
  | 'OV_NOT_IMPLEMENT_C_METHOD'
  | 'OV_UNKNOWN_EXCEPTION'
  | 'OV_UNKNOWN_STATUS';

export class OvcacheError extends Error {
  readonly code: OvcacheErrorCode;

  constructor(code: OvcacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OvcacheError';
    this.code = code;
  }
}

export class OpenVINOError extends OvcacheError {
  /** The ov_status_e value the C call returned. */
  readonly status: number;
  /** The C function that failed, e.g. "ov_core_compile_model". */
  readonly call: string;
  /** OpenVINO's own text (ov_get_last_err_msg), when it gave one. */
  readonly ovMessage: string | undefined;

  constructor(fields: { code: OpenVINOErrorCode; status: number; call: string; ovMessage?: string | undefined; message?: string }) {
    const detail = fields.ovMessage ? `: ${fields.ovMessage}` : '';
    super(fields.code, fields.message ?? `${fields.call} failed with ${fields.code} (${fields.status})${detail}`);
    this.name = 'OpenVINOError';
    this.status = fields.status;
    this.call = fields.call;
    this.ovMessage = fields.ovMessage;
  }
}

export function isOvcacheError(error: unknown, code?: OvcacheErrorCode): error is OvcacheError {
  return error instanceof OvcacheError && (code === undefined || error.code === code);
}
