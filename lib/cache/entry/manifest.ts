// The manifest beside each entry's blobs: what the entry is, where it came from, how it is
// used. Written atomically (temp file + rename); read tolerantly: garbage, a foreign format
// or a half-written file is reported as invalid, never thrown.
import fs from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { writeFileAtomic } from '../../fs/atomic-write';
import { isKey, type FileIdentity, type KeyParts } from '../key';
import { isPlainFileName } from './layout';
import type { EntryTimings } from '../policy/timings';
import type { EntryCovers } from '../dynamic/covers';

export const MANIFEST_FILE = 'ovcache-entry.json';
export const MANIFEST_FORMAT = 1;

/**
 * One way of compiling into this entry that left a blob OpenVINO will load without writing:
 * the path form (OpenVINO checks the .xml's path, mtime and size) or the model-object form.
 */
export type EntrySource = { kind: 'path'; xml: string; mtimeNs: string; size: number } | { kind: 'model' };

export interface EntryFile {
  name: string;
  bytes: number;
}

export interface EntryManifest {
  format: number;
  key: string;
  parts: KeyParts;
  /** Model files compiled into this entry (absolute paths, most recent last). */
  modelPaths: string[];
  sources: EntrySource[];
  /** What OpenVINO wrote (blobs, GPU .cl_cache files), manifest excluded. */
  files: EntryFile[];
  bytes: number;
  createdAt: string;
  lastUsedAt: string;
  hits: number;
  /** Time of the compile that filled the entry, ms; null if the entry was filled by an import. */
  compileMs: number | null;
  /** Time of the most recent load from the entry, ms. */
  importMs: number | null;
  /** True once OpenVINO returned and a blob exists. */
  complete: boolean;
  writer: { pid: number; hostname: string };
  /**
   * Set when the blobs hold no weights: the content identity of the .bin they map. The entry's
   * key holds the same digests, so a changed .bin is another key and never loads these blobs.
   */
  weightless?: { weights: FileIdentity[] };
  /** What the caching policy decides on: cold compile, blob write, recent warm loads (policy/timings.ts). */
  timings?: EntryTimings;
  /** The shapes the entry serves: static, or a dynamic variant's ranges (dynamic/covers.ts). */
  covers?: EntryCovers;
  /**
   * Set when the entry was copied from a tier or a bundle: from where, and the key id that signed
   * it (null when it was accepted unsigned, without trust). Written by the installer, never copied.
   */
  origin?: { from: string; signedBy: string | null };
}

export type ManifestRead = { status: 'ok'; manifest: EntryManifest } | { status: 'missing' } | { status: 'invalid'; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isMsOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
const isDate = (v: unknown): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v));

function checkParts(p: unknown): string | undefined {
  if (!isObject(p)) return 'parts is not an object';
  if (!isObject(p.model) || typeof p.model.name !== 'string' || !Array.isArray(p.model.files)) return 'parts.model is malformed';
  if (!Array.isArray(p.inputs)) return 'parts.inputs is not a list';
  if (!isObject(p.device) || typeof p.device.name !== 'string') return 'parts.device is malformed';
  if (!isObject(p.config) || !Object.values(p.config).every((v) => typeof v === 'string')) return 'parts.config is malformed';
  if (!isObject(p.runtime) || typeof p.runtime.buildNumber !== 'string') return 'parts.runtime is malformed';
  return undefined;
}

function checkSource(s: unknown): boolean {
  if (!isObject(s)) return false;
  if (s.kind === 'model') return true;
  return s.kind === 'path' && typeof s.xml === 'string' && typeof s.mtimeNs === 'string' && isCount(s.size);
}

/** Checks a parsed manifest; returns the reason it is unusable, or undefined when it is fine. */
export function manifestProblem(m: unknown): string | undefined {
  if (!isObject(m)) return 'not a JSON object';
  if (m.format !== MANIFEST_FORMAT) return `unknown format ${JSON.stringify(m.format)}`;
  if (!isKey(m.key)) return 'key is not a sha256 hex digest';
  const parts = checkParts(m.parts);
  if (parts) return parts;
  if (!Array.isArray(m.modelPaths) || !m.modelPaths.every((x) => typeof x === 'string')) return 'modelPaths is malformed';
  if (!Array.isArray(m.sources) || !m.sources.every(checkSource)) return 'sources is malformed';
  if (!Array.isArray(m.files) || !m.files.every((f) => isObject(f) && typeof f.name === 'string' && isCount(f.bytes)))
    return 'files is malformed';
  // A manifest names only files inside its own folder: "../x" or "a/b" would make readers,
  // pack and verify look elsewhere.
  const outside = (m.files as Array<{ name: string }>).find((f) => !isPlainFileName(f.name));
  if (outside) return `files names ${JSON.stringify(outside.name)}, not a plain file name in the entry's folder`;
  if (!isCount(m.bytes) || !isCount(m.hits)) return 'bytes or hits is not a count';
  if (!isDate(m.createdAt) || !isDate(m.lastUsedAt)) return 'createdAt or lastUsedAt is not a date';
  if (!isMsOrNull(m.compileMs) || !isMsOrNull(m.importMs)) return 'compileMs or importMs is malformed';
  if (typeof m.complete !== 'boolean') return 'complete is not a boolean';
  if (!isObject(m.writer)) return 'writer is malformed';
  return undefined;
}

export function parseManifest(text: string): ManifestRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { status: 'invalid', reason: `not JSON (${(error as Error).message})` };
  }
  const problem = manifestProblem(json);
  return problem ? { status: 'invalid', reason: problem } : { status: 'ok', manifest: json as EntryManifest };
}

export function manifestPath(entryDir: string): string {
  return path.join(entryDir, MANIFEST_FILE);
}

/** Never throws: a missing file is 'missing', anything unreadable or malformed is 'invalid'. */
export async function readManifest(entryDir: string): Promise<ManifestRead> {
  let text: string;
  try {
    // Non-blocking, and a regular file only: a FIFO or a device planted as the manifest is
    // 'invalid', never a thread of the pool waiting for a writer.
    const handle = await fs.promises.open(manifestPath(entryDir), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) return { status: 'invalid', reason: 'not a regular file' };
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    return unreadable(error);
  }
  return parseManifest(text);
}

/** Larger than this, readManifestNow does not read a manifest (it says 'large'; the lookup reads it with readManifest). */
export const MANIFEST_READ_NOW_BYTES = 1024 * 1024;

/**
 * readManifest, synchronous, for the lock-free lookup of a warm start: a few small syscalls
 * cost ~20 us this way and several times that through the thread pool (the load marker's
 * reasoning, load-marker.ts). The event loop never waits on more than that:
 * - the file is opened non-blocking and must be a regular file (a FIFO or a device planted
 *   as the manifest is 'invalid', never waited on);
 * - a manifest over MANIFEST_READ_NOW_BYTES is 'large': the caller reads it with readManifest.
 * `recent` (optional) keeps what was parsed: the same bytes are not parsed and checked again
 * (the bytes are always read and compared, so a changed file is never taken for the one
 * parsed). The result is shared: read only.
 */
export function readManifestNow(entryDir: string, recent?: RecentManifests): ManifestRead | { status: 'large' } {
  const file = manifestPath(entryDir);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    return unreadable(error);
  }
  let bytes: Buffer;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { status: 'invalid', reason: 'not a regular file' };
    if (stat.size > MANIFEST_READ_NOW_BYTES) return { status: 'large' };
    // One byte more than the size: a file that grew meanwhile is read up to the limit, never past it.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let read = 0;
    for (let n = -1; n !== 0 && read < buffer.length; read += n) n = fs.readSync(fd, buffer, read, buffer.length - read, read);
    if (read > stat.size) return { status: 'large' };
    bytes = buffer.subarray(0, read);
  } catch (error) {
    return unreadable(error);
  } finally {
    fs.closeSync(fd);
  }
  const known = recent?.get(file);
  if (known?.bytes.equals(bytes)) return known.read;
  const parsed = parseManifest(bytes.toString('utf8'));
  if (parsed.status === 'ok') recent?.set(file, { bytes: Buffer.from(bytes), read: parsed });
  return parsed;
}

function unreadable(error: unknown): ManifestRead {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
  return { status: 'invalid', reason: `unreadable (${code ?? (error as Error).message})` };
}

/** Manifests kept by RecentManifests are at most this large (a manifest is a few KB). */
const RECENT_MANIFEST_BYTES = 64 * 1024;

/**
 * What readManifestNow parsed, per manifest file, with the bytes it parsed: only manifests that
 * parsed, of at most 64 KiB, at most `max` of them (16 MiB at worst), the least recently used
 * dropped.
 */
export class RecentManifests {
  private readonly reads: LRUCache<string, RecentManifest>;

  constructor(max = 256) {
    this.reads = new LRUCache({ max });
  }

  get(file: string): RecentManifest | undefined {
    return this.reads.get(file);
  }

  set(file: string, value: RecentManifest): void {
    if (value.bytes.length > RECENT_MANIFEST_BYTES) this.reads.delete(file);
    else this.reads.set(file, value);
  }
}

interface RecentManifest {
  bytes: Buffer;
  read: ManifestRead;
}

export async function writeManifest(entryDir: string, manifest: EntryManifest, options: { fsync?: boolean } = {}): Promise<void> {
  await writeFileAtomic(manifestPath(entryDir), `${JSON.stringify(manifest, null, 2)}\n`, options);
}
