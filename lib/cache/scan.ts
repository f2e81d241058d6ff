// A read-only survey of a cache folder: every entry with its manifest, size on disk and
// problems, plus the bytes no entry accounts for. The base of `ovcache ls/du/verify/prune`
// and of ModelCache's usage figures.
//
// Invariants: nothing is written; symlinks are never followed (lstat / Dirent types only;
// links are reported as suspicious); no path is built from manifest content except the model
// paths it names, which are only stat'ed, never read.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TEMP_SUFFIX } from '../fs/atomic-write';
import { treeBytes } from '../fs/dir-size';
import { errnoCode } from '../fs/errno';
import { mapPool } from '../fs/pool';
import {
  cacheLayout,
  CACHEDIR_TAG,
  ENTRIES_DIR,
  FINGERPRINTS_DIR,
  HISTORY_DIR,
  isBlobName,
  LOCKS_DIR,
  RESULTS_DIR,
  TRASH_DIR,
} from './entry/layout';
import { parseManifest, type EntryManifest } from './entry/manifest';
import { deviceIdentityText, type InputIdentity } from './key';
import { coversOf, type EntryCovers } from './dynamic/covers';
import { modelIdentity } from './dynamic/shape-memo';
import type { EntryTimings } from './policy/timings';
import { asyncFolderIo, readFolder, syncFolderIo, type FolderContent } from './scan-folder';
import { ModelFiles, type StaleReason } from './scan-models';

const SLICE = 128;

export type { StaleReason };

/** ok: usable; stale: valid but outdated (runtime or model changed); broken: cannot load at all. */
export type EntryState = 'ok' | 'stale' | 'broken';

export interface ScannedEntry {
  /** Folder name under entries/. */
  name: string;
  dir: string;
  manifest: 'ok' | 'missing' | 'invalid';
  /** Why the manifest is invalid; null otherwise. */
  manifestProblem: string | null;
  key: string | null;
  /** parts.model.name; null without a valid manifest. */
  model: string | null;
  /**
   * What "the same model" means for per-model limits: the model path most recently compiled
   * into the entry, else "<name>@<xml sha256 prefix>", else "?<folder name>".
   */
  modelId: string;
  modelPaths: string[];
  inputs: InputIdentity[];
  /** "image=[1,3,64,64]", inputs joined by " "; "" without a manifest. */
  shapes: string;
  device: string | null;
  /** FULL_DEVICE_NAME [DEVICE_ARCHITECTURE] the entry was compiled for (deviceIdentityText); null without a manifest. */
  deviceIdentity?: string | null;
  buildNumber: string | null;
  /** Regular files under the folder (lstat sizes, manifest included). */
  bytes: number;
  files: number;
  /** Names (relative to the entry) of symlinks found inside: never followed, always suspicious. */
  symlinks: string[];
  hits: number;
  createdAt: string | null;
  lastUsedAt: string | null;
  /** The manifest's lastUsedAt (never atime); the folder's mtime when there is no valid manifest. */
  lastUsedMs: number;
  createdMs: number;
  compileMs: number | null;
  importMs: number | null;
  complete: boolean;
  stale: StaleReason[];
  state: EntryState;
  /** The model's identity (its key parts without the input shapes: dynamic/shape-memo.ts); null without a manifest. */
  identity?: string | null;
  /** The shapes the entry serves; null without a manifest. */
  covers?: EntryCovers | null;
  /** The caching policy's timings from the manifest (policy/timings.ts); null without them. */
  timings?: EntryTimings | null;
  /** Copied from a tier or a bundle: from where, and the key id that signed it (null: accepted unsigned). Null when compiled here. */
  origin?: { from: string; signedBy: string | null } | null;
}

export type StrayKind = 'file' | 'dir' | 'symlink' | 'trash' | 'temp' | 'other';

/** Something in the folder that no entry accounts for. */
export interface StrayItem {
  /** Relative to the cache folder, "/" separated. */
  path: string;
  kind: StrayKind;
  bytes: number;
}

export interface UsageGroup {
  entries: number;
  bytes: number;
  hits: number;
}

export interface CacheScan {
  dir: string;
  exists: boolean;
  scannedAt: string;
  /** The runtime build stale checks compared against; null when none was given. */
  currentBuildNumber: string | null;
  entries: ScannedEntry[];
  totals: UsageGroup & {
    ok: number;
    stale: number;
    broken: number;
    /** CACHEDIR.TAG, fingerprints/, locks/, history/, results/: ovcache's own bookkeeping. */
    metadataBytes: number;
    /** Bytes in strays (outside entries, leftover trash, temp files). */
    unaccountedBytes: number;
    /** Everything under the folder: entries + metadata + unaccounted. */
    folderBytes: number;
  };
  byModel: Array<UsageGroup & { model: string }>;
  byDevice: Array<UsageGroup & { device: string }>;
  strays: StrayItem[];
  /** Conditions that made the scan skip part of the folder (e.g. entries/ is a symlink). */
  warnings: string[];
  durationMs: number;
}

export interface ScanOptions {
  /** Default Date.now(). */
  now?: number;
  /** Entries made by another build are stale ('runtime-version'); without it that check is skipped. */
  currentBuildNumber?: string;
  /** Stat the model files manifests name (one stat per distinct path). Default true. */
  checkModels?: boolean;
  /**
   * How entry folders are read. 'sliced' (default): synchronous calls in slices of 128 entries,
   * yielding to the event loop between slices (a few ms each); on a local disk this is 2-2.5x
   * faster than thread-pool round trips (docs/cli.md). 'pool': concurrent async calls, at most
   * `concurrency` folders at once; better where each call waits on a network or a cold disk.
   */
  io?: 'sliced' | 'pool';
  /** Entry folders in flight for io: 'pool'. Default 64. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

async function lstatOrNull(file: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.lstat(file);
  } catch {
    return null;
  }
}

function blobProblem(m: EntryManifest, sizes: Map<string, number>): boolean {
  const blobs = m.files.filter((f) => isBlobName(f.name));
  if (blobs.length === 0) return true;
  return blobs.some((b) => sizes.get(b.name) !== b.bytes);
}

function modelIdOf(m: EntryManifest): string {
  const last = m.modelPaths[m.modelPaths.length - 1];
  if (last !== undefined) return last;
  const xml = m.parts.model.files.find((f) => f.role !== 'bin');
  return `${m.parts.model.name}@${xml ? xml.sha256.slice(0, 12) : 'unknown'}`;
}

async function scanEntry(
  dir: string,
  name: string,
  content: FolderContent,
  options: ScanOptions,
  models: ModelFiles | undefined,
): Promise<ScannedEntry> {
  const base: ScannedEntry = {
    name,
    dir,
    manifest: 'missing',
    manifestProblem: null,
    key: null,
    model: null,
    modelId: `?${name}`,
    modelPaths: [],
    inputs: [],
    shapes: '',
    device: null,
    buildNumber: null,
    bytes: content.bytes,
    files: content.files,
    symlinks: content.symlinks,
    hits: 0,
    createdAt: null,
    lastUsedAt: null,
    lastUsedMs: 0,
    createdMs: 0,
    compileMs: null,
    importMs: null,
    complete: false,
    stale: [],
    state: 'broken',
  };
  const read = content.manifestError
    ? ({ status: 'invalid', reason: content.manifestError } as const)
    : content.manifestText === null
      ? ({ status: 'missing' } as const)
      : parseManifest(content.manifestText);
  if (read.status !== 'ok') {
    base.manifest = read.status;
    if (read.status === 'invalid') base.manifestProblem = read.reason;
    const stat = await lstatOrNull(dir);
    base.lastUsedMs = base.createdMs = stat ? stat.mtimeMs : 0;
    return base;
  }
  const m = read.manifest;
  const stale: StaleReason[] = [];
  if (options.currentBuildNumber !== undefined && m.parts.runtime.buildNumber !== options.currentBuildNumber) stale.push('runtime-version');
  const modelReason = models ? await models.check(m) : undefined;
  if (modelReason) stale.push(modelReason);
  if (!m.complete) stale.push('incomplete');
  else if (blobProblem(m, content.sizes)) stale.push('blob-missing');
  const broken = !m.complete || stale.includes('blob-missing') || content.symlinks.length > 0;
  return {
    ...base,
    manifest: 'ok',
    key: m.key,
    model: m.parts.model.name,
    modelId: modelIdOf(m),
    modelPaths: m.modelPaths,
    inputs: m.parts.inputs,
    shapes: m.parts.inputs.map((i) => `${i.name}=${i.shape}`).join(' '),
    identity: modelIdentity(m.parts),
    covers: m.covers ?? coversOf(m.parts.inputs, undefined),
    timings: m.timings ?? null,
    origin: m.origin ?? null,
    device: m.parts.device.name,
    deviceIdentity: deviceIdentityText(m.parts.device),
    buildNumber: m.parts.runtime.buildNumber,
    hits: m.hits,
    createdAt: m.createdAt,
    lastUsedAt: m.lastUsedAt,
    lastUsedMs: Date.parse(m.lastUsedAt),
    createdMs: Date.parse(m.createdAt),
    compileMs: m.compileMs,
    importMs: m.importMs,
    complete: m.complete,
    stale,
    state: broken ? 'broken' : stale.length > 0 ? 'stale' : 'ok',
  };
}

function group<K extends string>(
  entries: ScannedEntry[],
  keyOf: (e: ScannedEntry) => string,
  label: K,
): Array<UsageGroup & Record<K, string>> {
  const groups = new Map<string, UsageGroup>();
  for (const e of entries) {
    const k = keyOf(e);
    const g = groups.get(k) ?? { entries: 0, bytes: 0, hits: 0 };
    g.entries++;
    g.bytes += e.bytes;
    g.hits += e.hits;
    groups.set(k, g);
  }
  return [...groups]
    .map(([k, g]) => ({ [label]: k, ...g }) as UsageGroup & Record<K, string>)
    .sort((a, b) => b.bytes - a.bytes || (a[label] < b[label] ? -1 : 1));
}

const METADATA = new Set([CACHEDIR_TAG, FINGERPRINTS_DIR, LOCKS_DIR, HISTORY_DIR, RESULTS_DIR]);

export async function scanCache(dir: string, options: ScanOptions = {}): Promise<CacheScan> {
  const started = performance.now();
  const root = path.resolve(dir);
  const layout = cacheLayout(root);
  const scan: CacheScan = {
    dir: root,
    exists: false,
    scannedAt: new Date(options.now ?? Date.now()).toISOString(),
    currentBuildNumber: options.currentBuildNumber ?? null,
    entries: [],
    totals: { entries: 0, bytes: 0, hits: 0, ok: 0, stale: 0, broken: 0, metadataBytes: 0, unaccountedBytes: 0, folderBytes: 0 },
    byModel: [],
    byDevice: [],
    strays: [],
    warnings: [],
    durationMs: 0,
  };
  let top: fs.Dirent[];
  try {
    top = await fs.promises.readdir(root, { withFileTypes: true });
    scan.exists = true;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') scan.warnings.push(`cannot read ${root}: ${(error as Error).message}`);
    scan.durationMs = performance.now() - started;
    return scan;
  }

  let entryNames: string[] = [];
  for (const item of top) {
    const full = path.join(root, item.name);
    if (item.name === ENTRIES_DIR) {
      if (item.isDirectory()) continue;
      scan.warnings.push(`${full} is ${item.isSymbolicLink() ? 'a symlink' : 'not a folder'}: its entries were not scanned`);
      scan.strays.push({ path: item.name, kind: item.isSymbolicLink() ? 'symlink' : 'other', bytes: (await lstatOrNull(full))?.size ?? 0 });
    } else if (METADATA.has(item.name) && (item.name === CACHEDIR_TAG ? item.isFile() : item.isDirectory())) {
      scan.totals.metadataBytes += item.isDirectory() ? await treeBytes(full) : ((await lstatOrNull(full))?.size ?? 0);
    } else if (item.name === TRASH_DIR && item.isDirectory()) {
      for (const t of await fs.promises.readdir(full).catch(() => [] as string[])) {
        scan.strays.push({ path: `${TRASH_DIR}/${t}`, kind: 'trash', bytes: await treeBytes(path.join(full, t)) });
      }
    } else {
      const kind: StrayKind = item.isSymbolicLink() ? 'symlink' : item.isDirectory() ? 'dir' : item.isFile() ? 'file' : 'other';
      scan.strays.push({ path: item.name, kind, bytes: kind === 'dir' ? await treeBytes(full) : ((await lstatOrNull(full))?.size ?? 0) });
    }
  }

  const entriesItem = top.find((t) => t.name === ENTRIES_DIR);
  if (entriesItem?.isDirectory()) {
    const items = await fs.promises.readdir(layout.entries, { withFileTypes: true }).catch(() => [] as fs.Dirent[]);
    for (const item of items) {
      if (item.isDirectory()) continue;
      const full = path.join(layout.entries, item.name);
      const kind: StrayKind = item.isSymbolicLink()
        ? 'symlink'
        : item.name.endsWith(TEMP_SUFFIX)
          ? 'temp'
          : item.isFile()
            ? 'file'
            : 'other';
      scan.strays.push({ path: `entries/${item.name}`, kind, bytes: (await lstatOrNull(full))?.size ?? 0 });
    }
    entryNames = items
      .filter((i) => i.isDirectory())
      .map((i) => i.name)
      .sort();
  }

  const models = options.checkModels === false ? undefined : new ModelFiles();
  let done = 0;
  if (options.io === 'pool') {
    scan.entries = await mapPool(entryNames, options.concurrency ?? 64, async (name) => {
      const dir = path.join(layout.entries, name);
      const entry = await scanEntry(dir, name, await readFolder(asyncFolderIo, dir), options, models);
      options.onProgress?.(++done, entryNames.length);
      return entry;
    });
  } else {
    for (let i = 0; i < entryNames.length; i += SLICE) {
      const slice = await Promise.all(
        entryNames.slice(i, i + SLICE).map(async (name) => {
          const dir = path.join(layout.entries, name);
          return { name, dir, content: await readFolder(syncFolderIo, dir) };
        }),
      );
      scan.entries.push(...(await Promise.all(slice.map((e) => scanEntry(e.dir, e.name, e.content, options, models)))));
      done += slice.length;
      options.onProgress?.(done, entryNames.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const t = scan.totals;
  for (const e of scan.entries) {
    t.entries++;
    t.bytes += e.bytes;
    t.hits += e.hits;
    t[e.state]++;
  }
  t.unaccountedBytes = scan.strays.reduce((n, s) => n + s.bytes, 0);
  t.folderBytes = t.bytes + t.metadataBytes + t.unaccountedBytes;
  scan.byModel = group(scan.entries, (e) => e.model ?? '(no manifest)', 'model');
  scan.byDevice = group(scan.entries, (e) => e.device ?? '(no manifest)', 'device');
  scan.durationMs = performance.now() - started;
  return scan;
}
