// Writing manifests: a new entry's, the one after a fill, and the throttled updates after
// loads (last-used time, hit count) and after OpenVINO recompiled an entry that looked complete.
// Updates run in the background under the entry's lock (never waiting for it) and are
// tracked, so flush() and dispose() can wait for them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { logger } from '../../log';
import type { KeyParts } from '../key';
import { timingsOf, withWarmLoads, WARM_SAMPLES, type EntryTimings } from '../policy/timings';
import { isBlobName, lockPathOf, type CacheLayout } from './layout';
import { acquireLock, tryAcquireLock } from './lock';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  readManifest,
  writeManifest,
  type EntryFile,
  type EntryManifest,
  type EntrySource,
} from './manifest';

const log = logger('cache');

/** Entries whose last touch time is remembered; a forgotten one is simply touched again. */
const MAX_TOUCHED = 10_000;
/** Sources and model paths kept per manifest. */
const MAX_SOURCES = 16;

export interface ManifestWriterOptions {
  layout: CacheLayout;
  staleLockMs: number;
  /** Last-used time and hit count are written at most this often per entry. */
  touchIntervalMs: number;
  /** Given an entry's timings with new warm loads (the caching policy): returns the timings to write. */
  review?: (key: string, manifest: EntryManifest, timings: EntryTimings) => Promise<EntryTimings>;
}

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

export class ManifestWriter {
  private readonly pendingHits = new Map<string, { hits: number; importMs: number; entryDir: string; warm: number[] }>();
  private readonly lastTouch = new LRUCache<string, number>({ max: MAX_TOUCHED });
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly options: ManifestWriterOptions) {}

  /** Throttled: last-used time, hit count and warm loads (`warmMs`: a load timed alone) go to the manifest at most once per interval. */
  scheduleTouch(key: string, entryDir: string, importMs: number, warmMs?: number): void {
    const pending = this.pendingHits.get(key) ?? { hits: 0, importMs, entryDir, warm: [] };
    pending.hits++;
    pending.importMs = importMs;
    if (warmMs !== undefined) pending.warm = [...pending.warm, warmMs].slice(-WARM_SAMPLES);
    this.pendingHits.set(key, pending);
    const now = Date.now();
    const last = this.lastTouch.get(key);
    if (last !== undefined && now - last < this.options.touchIntervalMs) return;
    this.lastTouch.set(key, now);
    this.track(this.touch(key));
  }

  /** OpenVINO compiled although the entry looked complete (a blob was removed or rejected): record what is there now. */
  scheduleRefresh(key: string, entryDir: string, compileMs: number): void {
    this.track(
      this.underLock(key, 0, async () => {
        const read = await readManifest(entryDir);
        if (read.status !== 'ok') return;
        const files = await listEntryFiles(entryDir);
        // Invariant: `origin` is kept. Files that arrived with the entry (a bundle, a tier) may
        // still lie beside the new blob, so it stays an entry this process did not verify and a
        // signer never vouches for it (lib/trust/vouch.ts).
        await writeManifest(entryDir, {
          ...read.manifest,
          files,
          bytes: sumBytes(files),
          complete: files.some((f) => isBlobName(f.name)),
          compileMs: roundMs(compileMs),
          ...withRecompile(timingsOf(read.manifest.timings), compileMs),
          lastUsedAt: new Date().toISOString(),
        });
      }),
    );
  }

  /** Runs work in the background; its failure is logged, never thrown. */
  track(work: Promise<void>): void {
    const p = work.catch((error: Error) => log('background manifest update failed: %s', error.message));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /**
   * Waits for background updates, then writes the hits still pending, waiting for an entry's
   * lock held by another process (at most staleLockMs: a lock older than that is taken over),
   * so no counted hit is lost at dispose.
   */
  async flush(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    for (const key of [...this.pendingHits.keys()]) await this.touch(key, this.options.staleLockMs);
  }

  private touch(key: string, waitMs = 0): Promise<void> {
    return this.underLock(key, waitMs, async () => {
      const pending = this.pendingHits.get(key);
      if (!pending) return;
      const read = await readManifest(pending.entryDir);
      if (read.status !== 'ok' || read.manifest.key !== key) return;
      this.pendingHits.delete(key);
      const m = read.manifest;
      const added = withWarmLoads(timingsOf(m.timings), pending.warm);
      const timings = added && pending.warm.length > 0 && this.options.review ? await this.options.review(key, m, added) : added;
      await writeManifest(pending.entryDir, {
        ...m,
        hits: m.hits + pending.hits,
        lastUsedAt: new Date().toISOString(),
        importMs: roundMs(pending.importMs),
        ...(timings ? { timings } : {}),
      });
    });
  }

  /** The entry's lock, waited for up to waitMs (0: one attempt; busy means the update waits for the next chance). */
  private async underLock(key: string, waitMs: number, fn: () => Promise<void>): Promise<void> {
    const lockPath = lockPathOf(this.options.layout, key);
    const { staleLockMs } = this.options;
    const lock =
      waitMs > 0
        ? (await acquireLock(lockPath, { timeoutMs: waitMs, staleMs: staleLockMs }).catch(() => ({ lock: null }))).lock
        : await tryAcquireLock(lockPath, staleLockMs).catch(() => null);
    if (!lock) return;
    try {
      await fn();
    } finally {
      await lock.release();
    }
  }
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

/** After OpenVINO recompiled into the entry: that compile is the cold one now (its blob write not measured). */
function withRecompile(t: EntryTimings | undefined, compileMs: number): { timings?: EntryTimings } {
  return t ? { timings: { ...t, coldCompileMs: roundMs(compileMs), blobWriteMs: null } } : {};
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function writer(): EntryManifest['writer'] {
  return { pid: process.pid, hostname: os.hostname() };
}
