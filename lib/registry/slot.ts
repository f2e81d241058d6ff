// One loaded (or loading) model of the registry: its load, the handles that hold it, its idle
// clock and its infer pool. Disposal waits until no handle holds it and no inference runs.
import { OvcacheError } from '../errors';
import { logger } from '../log';
import type { SharedAbort } from '../cache/abort/shared-abort';
import type { InferPool } from './infer-pool';
import { IdleTimer } from './keep-alive';
import type { BytesSource } from './events';
import type { LoadedModel } from './options';

const log = logger('registry');

export interface SlotIdentity {
  id: string;
  model: string;
  name: string | undefined;
  device: string;
}

export class Slot implements SlotIdentity {
  readonly id: string;
  readonly model: string;
  readonly name: string | undefined;
  readonly device: string;
  /** Identity of the model files when loaded ('' when files are not checked). */
  stamp = '';
  fileBytes = 0;
  /** performance.now() of the last check of the model files. */
  checkedAt = 0;
  promise!: Promise<LoadedModel>;
  /** The load's signal: aborts when every caller waiting for the load gave up. */
  loadAbort: SharedAbort | undefined;
  loaded: LoadedModel | undefined;
  bytes = 0;
  bytesSource: BytesSource = 'files';
  /** The device's own memory counter's growth across the load (device-memory.ts), if it has one. */
  runtimeBytes: number | undefined;
  /** No longer in the registry: disposed once no handle holds it. */
  removed = false;
  pinned = false;
  keepAliveMs: number;
  /** Handles (acquire, use, infer, inferBatch) holding it now. */
  holders = 0;
  /** Date.now() when it last became idle; undefined while held. */
  idleSince: number | undefined = Date.now();
  pool: InferPool | undefined;
  /** Ends the cache's hold on the entry (loaded models' entries are never evicted). */
  release: (() => void) | undefined;
  readonly idle = new IdleTimer();
  /** Resolves once the native objects are freed. */
  readonly gone: Promise<void>;
  private markGone!: () => void;
  private disposing = false;

  constructor(identity: SlotIdentity, keepAliveMs: number) {
    this.id = identity.id;
    this.model = identity.model;
    this.name = identity.name;
    this.device = identity.device;
    this.keepAliveMs = keepAliveMs;
    this.gone = new Promise((resolve) => (this.markGone = resolve));
  }

  get label(): string {
    return this.name ?? this.model.split(/[\\/]/).pop() ?? this.model;
  }

  hold(): void {
    this.holders++;
    this.idleSince = undefined;
    this.idle.stop();
  }

  /** Returns whether the slot became idle (no holder left) and is still in the registry. */
  unhold(): boolean {
    this.holders--;
    if (this.holders > 0) return false;
    this.idleSince = Date.now();
    if (this.removed) {
      void this.dispose();
      return false;
    }
    return true;
  }

  /**
   * Frees the infer requests and the compiled model once no handle holds them and no
   * inference runs on them. Call only once the load has settled.
   */
  dispose(): Promise<void> {
    if (this.disposing || this.holders > 0) return this.gone;
    this.disposing = true;
    this.idle.stop();
    const pool = this.pool;
    if (pool && pool.inFlight > 0) void pool.settled().then(() => this.free());
    else this.free();
    return this.gone;
  }

  private free(): void {
    try {
      this.pool?.dispose(new OvcacheError('OVCACHE_DISPOSED', `${this.label} was unloaded`));
      if (this.loaded && !this.loaded.compiled.disposed) this.loaded.compiled.dispose();
    } catch (error) {
      log('disposing %s: %s', this.model, (error as Error).message);
    }
    this.markGone();
  }
}
