// Typed OpenVINO properties. Users write a CompileConfig; this file turns it into the
// string key/value pairs the C API takes (every value a `const char*`, facts §2), with one
// canonical spelling per value so that equal configs always produce equal pairs.
import { OvcacheError } from '../errors';
import { describeValue, invalidArgument } from './validate';

export type PerformanceHint = 'LATENCY' | 'THROUGHPUT' | 'CUMULATIVE_THROUGHPUT';
export type CacheMode = 'OPTIMIZE_SPEED' | 'OPTIMIZE_SIZE';
export type ExecutionModeHint = 'PERFORMANCE' | 'ACCURACY';
export type InferencePrecision = 'f32' | 'f16' | 'bf16' | 'i8' | 'u8' | 'dynamic';
export type PropertyValue = string | number | boolean;

/** Properties for compileModel and setProperty; raw OpenVINO keys are accepted too. */
export interface CompileConfig {
  /** Folder where OpenVINO keeps compiled blobs (ModelCache sets this per entry). */
  CACHE_DIR?: string;
  CACHE_MODE?: CacheMode;
  PERFORMANCE_HINT?: PerformanceHint;
  PERFORMANCE_HINT_NUM_REQUESTS?: number;
  INFERENCE_PRECISION_HINT?: InferencePrecision;
  EXECUTION_MODE_HINT?: ExecutionModeHint;
  NUM_STREAMS?: number | 'AUTO' | 'NUMA';
  INFERENCE_NUM_THREADS?: number;
  ENABLE_MMAP?: boolean;
  /** Weightless cache blobs (devices that list it in SUPPORTED_PROPERTIES). */
  ENABLE_WEIGHTLESS?: boolean;
  PERF_COUNT?: boolean;
  LOG_LEVEL?: 'LOG_NONE' | 'LOG_ERROR' | 'LOG_WARNING' | 'LOG_INFO' | 'LOG_DEBUG' | 'LOG_TRACE';
  [rawKey: string]: PropertyValue | undefined;
}

type Kind =
  | { type: 'enum'; values: readonly string[]; lower?: boolean }
  | { type: 'bool' }
  | { type: 'uint'; words?: readonly string[] }
  | { type: 'path' };

/** Keys whose values ovcache knows how to check and canonicalize. */
const KNOWN: Record<string, Kind> = {
  CACHE_DIR: { type: 'path' },
  CACHE_MODE: { type: 'enum', values: ['OPTIMIZE_SPEED', 'OPTIMIZE_SIZE'] },
  PERFORMANCE_HINT: { type: 'enum', values: ['LATENCY', 'THROUGHPUT', 'CUMULATIVE_THROUGHPUT'] },
  PERFORMANCE_HINT_NUM_REQUESTS: { type: 'uint' },
  INFERENCE_PRECISION_HINT: { type: 'enum', values: ['f32', 'f16', 'bf16', 'i8', 'u8', 'dynamic'], lower: true },
  EXECUTION_MODE_HINT: { type: 'enum', values: ['PERFORMANCE', 'ACCURACY'] },
  NUM_STREAMS: { type: 'uint', words: ['AUTO', 'NUMA'] },
  INFERENCE_NUM_THREADS: { type: 'uint' },
  ENABLE_MMAP: { type: 'bool' },
  ENABLE_WEIGHTLESS: { type: 'bool' },
  PERF_COUNT: { type: 'bool' },
  ENABLE_CPU_PINNING: { type: 'bool' },
  ENABLE_HYPER_THREADING: { type: 'bool' },
  LOG_LEVEL: { type: 'enum', values: ['LOG_NONE', 'LOG_ERROR', 'LOG_WARNING', 'LOG_INFO', 'LOG_DEBUG', 'LOG_TRACE'] },
};

export const KNOWN_PROPERTY_KEYS: readonly string[] = Object.keys(KNOWN);

const RAW_KEY = /^[A-Za-z][A-Za-z0-9_.]*$/;

/**
 * Keys whose value OpenVINO's C layer does not read as a string. GET_PROPERTY_FROM_ARGS_LIST
 * (src/bindings/c/src/common.h) reads CACHE_ENCRYPTION_CALLBACKS as a pointer to a struct of
 * function pointers and calls them later; every other key (ov_property.cpp lists the constants)
 * as a `const char*`. A string passed there would be called as code.
 */
export const POINTER_VALUED_KEYS: readonly string[] = ['CACHE_ENCRYPTION_CALLBACKS'];

function refusePointerValued(key: string): void {
  if (POINTER_VALUED_KEYS.includes(key.toUpperCase())) {
    throw new OvcacheError(
      'OVCACHE_PROPERTY_UNSUPPORTED',
      `Property ${key} takes C function pointers (ov_encryption_callbacks), which ovcache cannot pass to OpenVINO; use CACHE_MODE or leave the cache unencrypted`,
    );
  }
}

/**
 * The one string OpenVINO gets for `key`=`value`. Equivalent spellings give the same
 * string: true/"yes"/"YES" -> "YES", 4/"4" -> "4", "latency" -> "LATENCY".
 */
export function canonicalPropertyValue(key: string, value: PropertyValue): string {
  refusePointerValued(key);
  const kind = KNOWN[key];
  const name = `config.${key}`;
  if (kind === undefined) {
    if (typeof value === 'boolean') return value ? 'YES' : 'NO';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalidArgument('a finite number, a string or a boolean', name, value);
      return String(value);
    }
    if (typeof value !== 'string') throw invalidArgument('a string, number or boolean', name, value);
    return value;
  }
  switch (kind.type) {
    case 'path':
      if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) throw invalidArgument('a folder path', name, value);
      return value;
    case 'bool':
      if (typeof value === 'boolean') return value ? 'YES' : 'NO';
      if (typeof value === 'string' && /^(yes|true|1)$/i.test(value)) return 'YES';
      if (typeof value === 'string' && /^(no|false|0)$/i.test(value)) return 'NO';
      throw invalidArgument('a boolean', name, value);
    case 'uint': {
      if (typeof value === 'string' && kind.words?.includes(value.toUpperCase())) return value.toUpperCase();
      const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return String(n);
      const words = kind.words ? ` or one of ${kind.words.join(', ')}` : '';
      throw invalidArgument(`an integer >= 0${words}`, name, value);
    }
    case 'enum': {
      const text = typeof value === 'string' ? (kind.lower ? value.toLowerCase() : value.toUpperCase()) : undefined;
      if (text !== undefined && kind.values.includes(text)) return text;
      throw invalidArgument(`one of ${kind.values.map((v) => `"${v}"`).join(', ')}`, name, value);
    }
  }
}

/** Checks a property key: known keys, or raw OpenVINO-style keys (letters, digits, _ and .). */
export function checkPropertyKey(key: unknown, name = 'key'): string {
  if (typeof key !== 'string' || !RAW_KEY.test(key)) {
    throw invalidArgument('a property key such as "PERFORMANCE_HINT"', name, key);
  }
  return key;
}

/** CompileConfig -> ["KEY", "value", ...] (even length), keys sorted, undefined values dropped. */
export function toPropertyPairs(config: CompileConfig | undefined): string[] {
  if (config === undefined) return [];
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Expected an object for config but received ${describeValue(config)}`);
  }
  const pairs: string[] = [];
  for (const key of Object.keys(config).sort()) {
    const value = config[key];
    if (value === undefined) continue;
    checkPropertyKey(key, `config key ${JSON.stringify(key)}`);
    pairs.push(key, canonicalPropertyValue(key, value));
  }
  return pairs;
}

/** "YES"/"NO" (and "true"/"false") -> boolean; anything else -> undefined. */
export function parseBoolProperty(text: string): boolean | undefined {
  if (/^(yes|true)$/i.test(text)) return true;
  if (/^(no|false)$/i.test(text)) return false;
  return undefined;
}
