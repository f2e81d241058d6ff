// What a result is (output tensors, JSON metadata, references to files) and its stored form:
//
//   "OVR1" | u32 LE header length | header JSON | tensor bytes, back to back
//
// The header holds the entry's facts (model, times, compute cost, file references with the size
// and mtime they had) and each tensor's element type, shape and byte range. A frame whose
// length disagrees with its header is refused as torn, never decoded into a wrong value.
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../errors';
import { canonicalJsonStrict, type JsonValue } from './canonical';
import type { ResultKeyParts } from './key';
import { tensorBytes, tensorFromBytes, toTensor, type Tensor } from './tensors';

export interface ResultValue {
  tensors?: Record<string, Tensor>;
  meta?: JsonValue;
  /** Paths of files the result refers to (an output image...): checked on every hit. */
  files?: string[];
}

/** A referenced file as it was when the result was stored. */
export interface FileRef {
  path: string;
  size: number;
  mtimeMs: number;
  /** Change time when stored: a rewrite with the mtime put back (touch -r) still moves it. Absent in older entries. */
  ctimeMs?: number;
  /** Inode when stored: a replacement by another file changes it. Absent in older entries. */
  ino?: number;
}

export interface EntryFacts {
  model: string;
  createdAt: number;
  /** Epoch ms after which the entry is gone; null: never. */
  expiresAt: number | null;
  /** What producing the value cost: a hit saves this much. */
  computeMs: number;
  files: FileRef[];
  parts: ResultKeyParts | null;
}

interface TensorHeader {
  name: string;
  elementType: string;
  shape: number[];
  offset: number;
  length: number;
}

interface FrameHeader extends EntryFacts {
  meta: JsonValue | null;
  tensors: TensorHeader[];
}

const MAGIC = Buffer.from('OVR1');

/** A checked copy of the caller's value: tensors validated, meta canonical-JSON-safe, files resolved and stat'ed. */
export function checkValue(value: unknown): { tensors: Record<string, Tensor>; meta: JsonValue | null; files: FileRef[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OvcacheError('OVCACHE_RESULT_VALUE_INVALID', 'Expected { tensors?, meta?, files? } for the result value');
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!['tensors', 'meta', 'files'].includes(k)) {
      throw new OvcacheError('OVCACHE_RESULT_VALUE_INVALID', `Unknown field "${k}" in the result value (known: tensors, meta, files)`);
    }
  }
  const tensors: Record<string, Tensor> = {};
  if (v.tensors !== undefined) {
    if (v.tensors === null || typeof v.tensors !== 'object' || Array.isArray(v.tensors)) {
      throw new OvcacheError('OVCACHE_RESULT_VALUE_INVALID', 'Expected an object of named tensors for value.tensors');
    }
    for (const [name, t] of Object.entries(v.tensors)) tensors[name] = toTensor(t, `value.tensors.${name}`, 'OVCACHE_RESULT_VALUE_INVALID');
  }
  let meta: JsonValue | null = null;
  if (v.meta !== undefined) {
    meta = JSON.parse(canonicalJsonStrict(v.meta, 'value.meta', 'OVCACHE_RESULT_VALUE_INVALID')) as JsonValue;
  }
  const files: FileRef[] = [];
  if (v.files !== undefined) {
    if (!Array.isArray(v.files)) throw new OvcacheError('OVCACHE_RESULT_VALUE_INVALID', 'Expected an array of file paths for value.files');
    v.files.forEach((f: unknown, i) => {
      if (typeof f !== 'string' || f.length === 0 || f.includes('\0')) {
        throw new OvcacheError('OVCACHE_RESULT_VALUE_INVALID', `Expected a file path for value.files[${i}] but received ${String(f)}`);
      }
      const full = path.resolve(f);
      let st: fs.Stats;
      try {
        st = fs.statSync(full);
      } catch (error) {
        throw new OvcacheError('OVCACHE_RESULT_VALUE_INVALID', `value.files[${i}] (${full}) cannot be read: ${(error as Error).message}`);
      }
      if (!st.isFile()) throw new OvcacheError('OVCACHE_RESULT_VALUE_INVALID', `value.files[${i}] (${full}) is not a regular file`);
      files.push({ path: full, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
    });
  }
  return { tensors, meta, files };
}

/**
 * Whether every referenced file is still there, readable, with the size, mtime, ctime and inode
 * it had when stored (a rewrite with the mtime put back still moves ctime; a replacement, the inode). Never throws: a file that cannot be stat'ed or read (ENOENT, ENOTDIR, EACCES...) is
 * a changed file, so the entry is a miss and evicted, not an error on every lookup.
 */
export function filesUnchanged(files: readonly FileRef[]): boolean {
  for (const f of files) {
    try {
      const st = fs.statSync(f.path);
      if (!st.isFile() || st.size !== f.size || st.mtimeMs !== f.mtimeMs) return false;
      if ((f.ctimeMs !== undefined && st.ctimeMs !== f.ctimeMs) || (f.ino !== undefined && st.ino !== f.ino)) return false;
      fs.accessSync(f.path, fs.constants.R_OK);
    } catch {
      return false;
    }
  }
  return true;
}

export function encodeFrame(facts: EntryFacts, checked: ReturnType<typeof checkValue>): Buffer {
  const tensors: TensorHeader[] = [];
  const bodies: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(checked.tensors)) {
    const bytes = tensorBytes(t);
    tensors.push({ name, elementType: t.elementType, shape: t.shape, offset, length: bytes.byteLength });
    bodies.push(bytes);
    offset += bytes.byteLength;
  }
  const header: FrameHeader = { ...facts, meta: checked.meta, tensors };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(json.length, 4);
  return Buffer.concat([prefix, json, ...bodies]);
}

export interface DecodedFrame {
  facts: EntryFacts;
  value: ResultValue;
}

function torn(why: string): OvcacheError {
  return new OvcacheError('OVCACHE_RESULT_STORE_FAILED', `A stored result is damaged (${why}); it is treated as a miss`);
}

/** Reads only the header: the entry's facts. */
export function decodeFacts(frame: Uint8Array): EntryFacts {
  return readHeader(frame).header;
}

function readHeader(frame: Uint8Array): { header: FrameHeader; bodyStart: number } {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC)) throw torn('no frame header');
  const length = buf.readUInt32LE(4);
  if (8 + length > buf.length) throw torn('header cut short');
  let header: FrameHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + length)) as FrameHeader;
  } catch {
    throw torn('header is not JSON');
  }
  return { header, bodyStart: 8 + length };
}

export function decodeFrame(frame: Uint8Array): DecodedFrame {
  const { header, bodyStart } = readHeader(frame);
  const bodyLength = header.tensors.reduce((n, t) => n + t.length, 0);
  if (bodyStart + bodyLength !== frame.byteLength) throw torn(`${frame.byteLength} bytes where the header says ${bodyStart + bodyLength}`);
  const value: ResultValue = {};
  if (header.tensors.length > 0) {
    value.tensors = {};
    for (const t of header.tensors) {
      const start = frame.byteOffset + bodyStart + t.offset;
      value.tensors[t.name] = tensorFromBytes(new Uint8Array(frame.buffer, start, t.length), t.elementType, t.shape);
    }
  }
  if (header.meta !== null) value.meta = header.meta;
  if (header.files.length > 0) value.files = header.files.map((f) => f.path);
  const { meta: _meta, tensors: _tensors, ...facts } = header;
  return { facts, value };
}
