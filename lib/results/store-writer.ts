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

/** An error sent back: an ovcache code, or a system error's code and errno (ENOSPC, -28). */
export interface WriteError {
  message: string;
  ovcacheCode?: OvcacheErrorCode;
  code?: string;
  errno?: number;
}

export type WriteReply = { id: number; result: unknown } | { id: number; error: WriteError };

export interface WriterData {
  dir: string;
  options: LocalStoreOptions;
}

export class StoreWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(dir: string, options: LocalStoreOptions) {
    const data: WriterData = { dir, options };
    this.worker = new Worker(path.join(__dirname, 'store-writer-worker.js'), { workerData: data });
    this.worker.unref();
    this.worker.on('message', (reply: WriteReply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in reply) call.reject(errorOf(reply.error));
      else call.resolve(reply.result);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the result store's writer thread ended (exit code ${code})`)));
  }

  call<T>(method: WriteMethod, args: unknown[]): Promise<T> {
    if (this.dead) return Promise.reject(failed(this.dead));
    if (this.closing) return Promise.reject(failed(new Error('the store is closing')));
    return this.send(method, args);
  }

  private send<T>(method: WriteMethod, args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.ref();
      const request: WriteRequest = { id, method, args };
      this.worker.postMessage(request);
    });
  }

  /**
   * Closes the worker's store after every call made before, then ends the thread (no transaction
   * is open then: the worker runs each one to its end before it reads the next message). Calls
   * made once closing began are refused; a second close() waits for the first.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    if (this.dead) return;
    try {
      await this.send('close', []);
    } finally {
      this.fail(new Error('the store was closed'));
      await this.worker.terminate();
    }
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    for (const call of this.pending.values()) call.reject(failed(error));
    this.pending.clear();
  }
}

function errorOf(e: WriteError): Error {
  if (e.ovcacheCode) return new OvcacheError(e.ovcacheCode, e.message);
  return Object.assign(new Error(e.message), e.code !== undefined ? { code: e.code } : {}, e.errno !== undefined ? { errno: e.errno } : {});
}

function failed(cause: Error): OvcacheError {
  return new OvcacheError('OVCACHE_RESULT_STORE_FAILED', `The result store's writer is gone: ${cause.message}`, { cause });
}
