// Result keys: the SHA-256 of the canonical JSON of everything that decides an output: the
// model's identity (a ModelCache entry key or the registry's model id, so a new model version
// never answers with old results), the caller's parameters, and each input tensor by digest.
import crypto from 'node:crypto';
import { OvcacheError } from '../errors';
import { expectString } from '../openvino/validate';
import { canonicalJsonStrict } from './canonical';
import { tensorDigest, toTensor, type Tensor, type TensorInput } from './tensors';

/** Bumped when the meaning of a part changes; old entries then simply stop matching. */
export const RESULT_KEY_FORMAT = 1;

export interface ResultParts {
  /** The model's identity: a ModelCache entry key, the registry's model key, a version tag. */
  model: string;
  /** Everything else that decides the output (prompt, steps, seed, scheduler...). JSON only. */
  params?: unknown;
  /** Input tensors by name; they enter the key by content digest. */
  inputs?: Record<string, TensorInput | Tensor>;
}

export interface ResultInputIdentity {
  name: string;
  elementType: string;
  shape: number[];
  sha256: string;
}

/** What a key is the hash of; `explain(key)` returns it. */
export interface ResultKeyParts {
  format: number;
  model: string;
  /** Canonical JSON of params ("null" when none were given). */
  params: string;
  /** Sorted by name. */
  inputs: ResultInputIdentity[];
}

export function isResultKey(text: unknown): text is string {
  return typeof text === 'string' && /^[0-9a-f]{64}$/.test(text);
}

export function expectResultKey(key: unknown, name = 'key'): string {
  if (!isResultKey(key)) {
    const shown = typeof key === 'string' ? JSON.stringify(key.length > 70 ? `${key.slice(0, 67)}...` : key) : String(key);
    throw new OvcacheError(
      'OVCACHE_RESULT_KEY_INVALID',
      `Expected a result key (64 lowercase hex digits, from keyFor) for ${name} but received ${shown}`,
    );
  }
  return key;
}

/** The parts of a key, checked; bad parts throw OVCACHE_RESULT_PARTS_INVALID naming the path. */
export function resultKeyParts(parts: ResultParts): ResultKeyParts {
  if (parts === null || typeof parts !== 'object') {
    throw new OvcacheError('OVCACHE_RESULT_PARTS_INVALID', `Expected { model, params?, inputs? } for parts but received ${String(parts)}`);
  }
  let model: string;
  try {
    model = expectString(parts.model, 'parts.model', 'a non-empty string (the model identity)');
  } catch (error) {
    throw new OvcacheError('OVCACHE_RESULT_PARTS_INVALID', (error as Error).message);
  }
  const params = parts.params === undefined ? 'null' : canonicalJsonStrict(parts.params, 'params', 'OVCACHE_RESULT_PARTS_INVALID');
  const inputs: ResultInputIdentity[] = [];
  if (parts.inputs !== undefined) {
    if (parts.inputs === null || typeof parts.inputs !== 'object' || Array.isArray(parts.inputs)) {
      throw new OvcacheError('OVCACHE_RESULT_PARTS_INVALID', 'Expected an object of named tensors for inputs');
    }
    for (const name of Object.keys(parts.inputs).sort()) {
      const t = toTensor(parts.inputs[name], `inputs.${name}`, 'OVCACHE_RESULT_PARTS_INVALID');
      inputs.push({ name, elementType: t.elementType, shape: t.shape, sha256: tensorDigest(t) });
    }
  }
  return { format: RESULT_KEY_FORMAT, model, params, inputs };
}

/** Fixed-order JSON of the parts (params is already canonical text). */
export function encodeKeyParts(p: ResultKeyParts): string {
  const inputs = p.inputs.map(
    (i) =>
      `{"elementType":${JSON.stringify(i.elementType)},"name":${JSON.stringify(i.name)},"sha256":"${i.sha256}","shape":[${i.shape.join(',')}]}`,
  );
  return `{"format":${p.format},"inputs":[${inputs.join(',')}],"model":${JSON.stringify(p.model)},"params":${p.params}}`;
}

export function keyOfParts(p: ResultKeyParts): string {
  return crypto.createHash('sha256').update(encodeKeyParts(p)).digest('hex');
}

/** Human-readable lines, one per part. */
export function describeResultKeyParts(p: ResultKeyParts): string[] {
  const lines = [`model     ${p.model}`, `params    ${p.params}`];
  for (const i of p.inputs) lines.push(`input     ${i.name} ${i.elementType}[${i.shape.join(',')}] sha256 ${i.sha256}`);
  if (p.inputs.length === 0) lines.push('inputs    (none)');
  lines.push(`format    ${p.format}`);
  return lines;
}
