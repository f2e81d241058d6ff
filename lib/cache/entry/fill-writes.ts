// What a fill does to its entry's folder, under the entry's lock: the manifests it writes (a new
// entry's, the filling one while OpenVINO writes, the filled one), the files OpenVINO left
// there, and whether OpenVINO failed writing them. Whether a write failed is decided by the
// folder and the device, not by OpenVINO's message: OpenVINO left a file it began to write (a
// partial blob on a full disk), the folder takes no write at all (read-only, no permission, no
// space), or a device that exports compiled models (EXPORT_IMPORT) left no blob after a compile
// (OpenVINO >= 2026.2 drops a blob it could not write and returns the compiled model).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isUnwritableError } from '../../fs/errno';
import type { RuntimeCore } from '../../runtime/runtime-port';
import { makeOwnerOnlyDir } from '../cache-dir';
import type { KeyParts } from '../key';
import { roundMs } from '../policy/timings';
import { isBlobName } from './layout';
import { MANIFEST_FILE, MANIFEST_FORMAT, writeManifest, type EntryFile, type EntryManifest, type EntrySource } from './manifest';

/** Sources and model paths kept per manifest. */
const MAX_SOURCES = 16;

/** What a fill found in the entry after OpenVINO returned. */
export interface FillResult {
  xml: string;
  source: EntrySource;
  parts: KeyParts;
  files: EntryFile[];
  hit: boolean;
  compileMs: number;
}

export function newManifest(key: string, parts: KeyParts): EntryManifest {
  const now = new Date().toISOString();
  return {
    format: MANIFEST_FORMAT,
    key,
    parts,
    modelPaths: [],
    sources: [],
    files: [],
    bytes: 0,
    createdAt: now,
    lastUsedAt: now,
    hits: 0,
    compileMs: null,
    importMs: null,
    complete: false,
    writer: writer(),
  };
}

/** The manifest after a fill: what OpenVINO wrote, and this source if it left a blob. */
export function filledManifest(base: EntryManifest, fill: FillResult): EntryManifest {
  const complete = fill.files.some((f) => isBlobName(f.name));
  const ms = roundMs(fill.compileMs);
  return {
    ...base,
    parts: fill.parts,
    modelPaths: [...base.modelPaths.filter((x) => x !== fill.xml), fill.xml].slice(-MAX_SOURCES),
    sources: complete ? addSource(base.sources, fill.source) : base.sources,
    files: fill.files,
    bytes: sumBytes(fill.files),
    lastUsedAt: new Date().toISOString(),
    hits: base.hits + (fill.hit ? 1 : 0),
    compileMs: fill.hit ? base.compileMs : ms,
    importMs: fill.hit ? ms : base.importMs,
    complete,
    writer: writer(),
  };
}

/** The manifest while OpenVINO writes: incomplete, so no process loads it lock-free meanwhile. */
export function fillingManifest(base: EntryManifest): EntryManifest {
  return { ...base, complete: false, writer: writer() };
}

/**
 * Makes the entry's folder (owner-only) and writes its filling manifest: incomplete, so no
 * process loads the entry lock-free while OpenVINO writes. Throws what the file system threw.
 */
export async function startFilling(entryDir: string, base: EntryManifest): Promise<void> {
  makeOwnerOnlyDir(entryDir);
  await writeManifest(entryDir, fillingManifest(base));
}

/** Files OpenVINO wrote into an entry (the manifest and dot files excluded), by name. */
export async function listEntryFiles(dir: string): Promise<EntryFile[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const files: EntryFile[] = [];
  for (const name of names.sort()) {
    if (name === MANIFEST_FILE || name.startsWith('.')) continue;
    try {
      const stat = await fs.promises.stat(path.join(dir, name));
      if (stat.isFile()) files.push({ name, bytes: stat.size });
    } catch {
      // removed meanwhile
    }
  }
  return files;
}

export function sumBytes(files: readonly EntryFile[]): number {
  return files.reduce((n, f) => n + f.bytes, 0);
}

/** Keeps one source per path (the newest), at most MAX_SOURCES. */
function addSource(sources: EntrySource[], source: EntrySource): EntrySource[] {
  const rest = sources.filter((s) => (source.kind === 'model' ? s.kind !== 'model' : !(s.kind === 'path' && s.xml === source.xml)));
  return [...rest, source].slice(-MAX_SOURCES);
}

/**
 * Whether a compile that threw had failed writing into its entry (then it is retried without the
 * cache), decided by the folder, not by OpenVINO's message: a file it began to write (a partial
 * blob on a full disk), or a folder that takes no write at all.
 */
export async function failedWritingInto(entryDir: string, before: readonly EntryFile[]): Promise<boolean> {
  const known = new Map(before.map((f) => [f.name, f.bytes]));
  const after = await listEntryFiles(entryDir);
  if (after.some((f) => known.get(f.name) !== f.bytes)) return true;
  return !(await takesWrites(entryDir));
}

/** Whether the folder takes a new file now (false: read-only, no permission, no space). */
export async function takesWrites(dir: string): Promise<boolean> {
  const probe = path.join(dir, `.ovcache-probe.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  try {
    await fs.promises.writeFile(probe, 'x', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    return !isUnwritableError(error);
  }
  await fs.promises.unlink(probe).catch(() => undefined);
  return true;
}

/**
 * Removes an entry this process could not finish writing (it holds the entry's lock): what
 * OpenVINO wrote and the manifest go together, so no half-written entry stays behind.
 */
export async function discardEntry(entryDir: string): Promise<void> {
  await fs.promises.rm(entryDir, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * After a compile (not a load) that left no blob: true when the blob write failed. OpenVINO
 * writes a blob whenever the device lists EXPORT_IMPORT in OPTIMIZATION_CAPABILITIES (its model
 * caching overview); a device that does not cannot cache, and that is no failure.
 */
export async function blobWriteFailed(core: RuntimeCore, device: string, entryDir: string): Promise<boolean> {
  return deviceExports(core, device) || !(await takesWrites(entryDir));
}

function deviceExports(core: RuntimeCore, device: string): boolean {
  try {
    return core
      .getProperty(device, 'OPTIMIZATION_CAPABILITIES')
      .split(/[\s,]+/)
      .includes('EXPORT_IMPORT');
  } catch {
    return false; // AUTO, HETERO, MULTI and unknown names: not known to export
  }
}

function writer(): EntryManifest['writer'] {
  return { pid: process.pid, hostname: os.hostname() };
}
