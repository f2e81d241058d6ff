// The embedded store's writes, run in a worker thread (store-writer-worker.ts) as synchronous LMDB
// transactions. Why: lmdb-js's asynchronous write batches, beside another process's transactions,
// crashed about 1 process in 400 (docs/results.md, "Known defect"), and every write as a
// synchronous transaction did not; on the serving thread a synchronous write would freeze the
// process while another holds LMDB's write lock. So the worker waits for the lock, and the
// serving thread goes on reading.
//
// Invariants: calls run in the order they were made (one worker, one queue); the worker keeps the
// process alive only while a call is pending; a worker that dies fails every pending and later
// call with OVCACHE_RESULT_STORE_FAILED.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { OvcacheError, type OvcacheErrorCode } from '../errors';
import type { LocalStoreOptions } from './store-records';

/** The store's methods that write: the worker runs them on its own LocalStore. */
export type WriteMethod = 'put' | 'addLookups' | 'remove' | 'prune' | 'clear' | 'removeDamaged' | 'close';

export interface WriteRequest {
  id: number;
  method: WriteMethod;
  args: unknown[];
}

export type WriteReply = { id: number; result: unknown } | { id: number; error: { message: string; code?: OvcacheErrorCode } };

export interface WriterData {
  dir: string;
  options: LocalStoreOptions;
}

export class StoreWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  constructor(dir: string, options: LocalStoreOptions) {
    const data: WriterData = { dir, options };
    this.worker = new Worker(path.join(__dirname, 'store-writer-worker.js'), { workerData: data });
    this.worker.unref();
    this.worker.on('message', (reply: WriteReply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in reply)
        call.reject(reply.error.code ? new OvcacheError(reply.error.code, reply.error.message) : new Error(reply.error.message));
      else call.resolve(reply.result);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the result store's writer thread ended (exit code ${code})`)));
  }

  call<T>(method: WriteMethod, args: unknown[]): Promise<T> {
    if (this.dead) return Promise.reject(failed(this.dead));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.ref();
      const request: WriteRequest = { id, method, args };
      this.worker.postMessage(request);
    });
  }

  /** Closes the worker's store after every call made before, then ends the thread. */
  async close(): Promise<void> {
    if (this.dead) return;
    await this.call('close', []);
    this.dead = new Error('closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    for (const call of this.pending.values()) call.reject(failed(error));
    this.pending.clear();
  }
}

function failed(cause: Error): OvcacheError {
  return new OvcacheError('OVCACHE_RESULT_STORE_FAILED', `The result store's writer is gone: ${cause.message}`, { cause });
}
