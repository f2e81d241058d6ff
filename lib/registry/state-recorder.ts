// recordRegistry(registry, { dir }): what a serving process's registry holds, for the dashboard:
// one small JSON file per process in the cache folder's history (<dir>/history/registry-<host>-<pid>.json),
// rewritten (atomically, off the caller's path) at most once per minIntervalMs while loads,
// unloads or inferences happen, and every heartbeatMs while the process lives, so a reader tells
// a live process (updatedAt within 3 heartbeats) from one that stopped. close() removes the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeOwnerOnlyDir } from '../cache/cache-dir';
import { writeFileAtomic } from '../fs/atomic-write';
import { logger } from '../log';
import { expectIntegerInRange, expectPlainObject, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import type { RegistryInferEvent } from './events';
import type { ModelRegistry } from './registry';

const log = logger('registry');

export const REGISTRY_STATE_FORMAT = 1;
/** Beside the history's segments: the cache folder's own bookkeeping. */
export const REGISTRY_STATE_DIR = 'history';
export const REGISTRY_STATE_FILE = /^registry-.+-(\d+)\.json$/;

export interface RegistryState {
  v: 1;
  pid: number;
  host: string;
  startedAt: number;
  /** Epoch ms of this write; a reader counts the process as gone after 3 x heartbeatMs without one. */
  updatedAt: number;
  heartbeatMs: number;
  loaded: number;
  bytes: number;
  infers: number;
  resultHits: number;
  queueFull: number;
  /** infer() calls waiting for a request, over every model, now. */
  queued: number;
  inFlight: number;
  /** Waits for a free infer request since the recorder started. */
  waits: { count: number; totalMs: number; maxMs: number };
  models: Array<{
    model: string;
    name: string | null;
    device: string;
    queueDepth: number;
    inFlight: number;
    inferRequests: number;
    bytes: number;
  }>;
}

export interface RegistryRecorderOptions {
  /** The cache folder (the registry's cache.dir). */
  dir: string;
  /** At most one write per this many ms while things happen. Default 1000. */
  minIntervalMs?: number;
  /** A write at least this often while the process lives. Default 10000. */
  heartbeatMs?: number;
}

export interface RegistryRecorder {
  /** Writes the state now. */
  flush(): Promise<void>;
  /** Stops recording and removes the file. */
  close(): Promise<void>;
}

const OPTIONS = ['dir', 'minIntervalMs', 'heartbeatMs'] as const;

/** Records the registry's state in its cache folder for `ovcache dashboard` (docs/observability.md). */
export function recordRegistry(registry: ModelRegistry, options: RegistryRecorderOptions): RegistryRecorder {
  const o = expectPlainObject(options, 'options') as unknown as RegistryRecorderOptions;
  rejectUnknownOptions(o as unknown as Record<string, unknown>, OPTIONS, 'recordRegistry()');
  if (typeof o.dir !== 'string' || o.dir.trim() === '') throw invalidArgument('a cache folder path', 'options.dir', o.dir);
  const minIntervalMs = o.minIntervalMs === undefined ? 1000 : expectIntegerInRange(o.minIntervalMs, 'options.minIntervalMs', 10);
  const heartbeatMs = o.heartbeatMs === undefined ? 10_000 : expectIntegerInRange(o.heartbeatMs, 'options.heartbeatMs', 100, 3_600_000);
  return new StateRecorder(registry, path.resolve(o.dir), minIntervalMs, heartbeatMs);
}

class StateRecorder implements RegistryRecorder {
  private readonly file: string;
  private readonly startedAt = Date.now();
  private readonly waits = { count: 0, totalMs: 0, maxMs: 0 };
  private lastWriteAt = -Infinity;
  private scheduled: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly onInfer = (e: RegistryInferEvent): void => {
    this.waits.count++;
    this.waits.totalMs += e.queuedMs;
    this.waits.maxMs = Math.max(this.waits.maxMs, e.queuedMs);
    this.soon();
  };
  private readonly onChange = (): void => this.soon();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly dir: string,
    private readonly minIntervalMs: number,
    private readonly heartbeatMs: number,
  ) {
    this.file = path.join(dir, REGISTRY_STATE_DIR, `registry-${os.hostname().replace(/[^\w.-]/g, '_')}-${process.pid}.json`);
    registry.on('infer', this.onInfer);
    registry.on('load', this.onChange);
    registry.on('unload', this.onChange);
    this.heartbeat = setInterval(() => void this.flush(), heartbeatMs).unref();
    this.soon();
  }

  /** A write within minIntervalMs of the last, one at a time. */
  private soon(): void {
    if (this.scheduled || this.closed) return;
    const wait = Math.max(0, this.lastWriteAt + this.minIntervalMs - Date.now());
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      void this.flush();
    }, wait).unref();
  }

  private state(): RegistryState {
    const s = this.registry.stats();
    return {
      v: REGISTRY_STATE_FORMAT,
      pid: process.pid,
      host: os.hostname(),
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      heartbeatMs: this.heartbeatMs,
      loaded: s.loaded,
      bytes: s.bytes,
      infers: s.infers,
      resultHits: s.resultHits,
      queueFull: s.queueFull,
      queued: s.models.reduce((n, m) => n + m.queueDepth, 0),
      inFlight: s.models.reduce((n, m) => n + m.inFlight, 0),
      waits: { count: this.waits.count, totalMs: Math.round(this.waits.totalMs * 10) / 10, maxMs: Math.round(this.waits.maxMs * 10) / 10 },
      models: s.models.map((m) => ({
        model: m.model,
        name: m.name ?? null,
        device: m.device,
        queueDepth: m.queueDepth,
        inFlight: m.inFlight,
        inferRequests: m.inferRequests,
        bytes: m.bytes,
      })),
    };
  }

  flush(): Promise<void> {
    if (this.closed) return this.writing;
    // This write takes the place of a scheduled one: the next comes minIntervalMs after it.
    clearTimeout(this.scheduled);
    this.scheduled = undefined;
    this.lastWriteAt = Date.now();
    this.writing = this.writing.then(async () => {
      // The cache folder is the registry's: never created here (a folder removed gets no state).
      if (!fs.existsSync(this.dir)) return;
      try {
        makeOwnerOnlyDir(path.dirname(this.file));
        await writeFileAtomic(this.file, `${JSON.stringify(this.state())}\n`);
      } catch (error) {
        log('registry state not written (%s): %s', this.file, (error as Error).message);
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.scheduled);
    this.registry.off('infer', this.onInfer);
    this.registry.off('load', this.onChange);
    this.registry.off('unload', this.onChange);
    await this.writing;
    await fs.promises.rm(this.file, { force: true });
  }
}
