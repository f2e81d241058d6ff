// Cache keys. A key is the sha256 of the canonical JSON of its parts: everything that decides
// what OpenVINO compiles. Two compiles share an entry exactly when all parts are equal.
import crypto from 'node:crypto';

/** Bumped when the meaning of a part changes; old entries then simply stop matching. */
export const KEY_FORMAT = 1;

/** One model file as the key sees it: content digest and size, never its path or mtime. */
export interface FileIdentity {
  /** 'xml' and 'bin' for IR; 'model' for single-file formats (.onnx, ...). */
  role: 'xml' | 'bin' | 'model';
  sha256: string;
  size: number;
}

export interface InputIdentity {
  name: string;
  /** Canonical partial shape, e.g. "[1,3,?,1..10]" (formatPartialShape). */
  shape: string;
  elementType: string;
}

export interface KeyParts {
  format: number;
  /** name is the file's base name without extension: it also names the entry folder. */
  model: { name: string; files: FileIdentity[] };
  /** The inputs OpenVINO compiles for, after any reshape, in the model's order. */
  inputs: InputIdentity[];
  /** The device string as given, and what identifies the hardware behind it. */
  device: { name: string; fullName: string; architecture?: string };
  /** Canonical compile config (sorted keys, OpenVINO spellings), CACHE_DIR excluded. */
  config: Record<string, string>;
  runtime: { buildNumber: string };
}

/** JSON with object keys sorted at every level and no whitespace: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  return `{${fields.join(',')}}`;
}

export function deriveKey(parts: KeyParts): string {
  return crypto.createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

export const SHORT_KEY_LENGTH = 12;

export function shortKey(key: string): string {
  return key.slice(0, SHORT_KEY_LENGTH);
}

export function isKey(text: unknown): text is string {
  return typeof text === 'string' && /^[0-9a-f]{64}$/.test(text);
}

export interface KeyPartChange {
  /** Dotted path of the part, e.g. "inputs.image.shape", "config.PERFORMANCE_HINT", "model.bin.sha256". */
  part: string;
  before: string | undefined;
  after: string | undefined;
}

/** Flattens parts into "path -> text" pairs, naming inputs and files rather than indexing them. */
export function flattenKeyParts(parts: KeyParts): Map<string, string> {
  const out = new Map<string, string>();
  out.set('format', String(parts.format));
  out.set('model.name', parts.model.name);
  for (const f of parts.model.files) {
    out.set(`model.${f.role}.sha256`, f.sha256);
    out.set(`model.${f.role}.size`, String(f.size));
  }
  out.set('inputs.count', String(parts.inputs.length));
  parts.inputs.forEach((input, i) => {
    out.set(`inputs.${input.name}.position`, String(i));
    out.set(`inputs.${input.name}.shape`, input.shape);
    out.set(`inputs.${input.name}.elementType`, input.elementType);
  });
  out.set('device.name', parts.device.name);
  out.set('device.fullName', parts.device.fullName);
  if (parts.device.architecture !== undefined) out.set('device.architecture', parts.device.architecture);
  for (const [k, v] of Object.entries(parts.config)) out.set(`config.${k}`, v);
  out.set('runtime.buildNumber', parts.runtime.buildNumber);
  return out;
}

/** Which parts differ between two keys' parts: the answer to "why did this compile miss?". */
export function diffKeyParts(before: KeyParts, after: KeyParts): KeyPartChange[] {
  const a = flattenKeyParts(before);
  const b = flattenKeyParts(after);
  const names = [...new Set([...a.keys(), ...b.keys()])];
  return names.filter((n) => a.get(n) !== b.get(n)).map((part) => ({ part, before: a.get(part), after: b.get(part) }));
}

/** Human-readable lines, one per part. */
/** A device's identity as one text: FULL_DEVICE_NAME, and DEVICE_ARCHITECTURE in brackets when known. */
export function deviceIdentityText(device: KeyParts['device']): string {
  return device.architecture ? `${device.fullName} [${device.architecture}]` : device.fullName;
}

export function describeKeyParts(parts: KeyParts): string[] {
  const lines = [`model     ${parts.model.name}`];
  for (const f of parts.model.files) lines.push(`  .${f.role.padEnd(5)} sha256 ${f.sha256} (${f.size} bytes)`);
  for (const i of parts.inputs) lines.push(`input     ${i.name} ${i.shape} ${i.elementType}`);
  lines.push(`device    ${parts.device.name}: ${deviceIdentityText(parts.device)}`);
  const config = Object.entries(parts.config);
  lines.push(`config    ${config.length === 0 ? '(none)' : config.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  lines.push(`runtime   OpenVINO ${parts.runtime.buildNumber}`);
  lines.push(`format    ${parts.format}`);
  return lines;
}
