// A pool of infer requests on one compiled model, with a queue in front of it. Requests run
// in parallel (each infer is a job on the libuv thread pool); a caller whose signal aborts
// stops waiting at once, and a request that was running goes back to the pool when its
// inference ends.
import { performance } from 'node:perf_hooks';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { RuntimeInferRequest } from '../runtime/runtime-port';
import type { Tensor, TensorInput } from '../openvino/tensor';
import { abortable } from './abort';
import { WaitQueue } from './wait-queue';

export type InferInputs = Record<string, TensorInput> | TensorInput;

export interface PoolRunOptions {
  signal?: AbortSignal | undefined;
  priority?: number | undefined;
}

export interface PoolRun {
  outputs: Record<string, Tensor>;
  queuedMs: number;
  inferMs: number;
}

/** The pool size OpenVINO suggests for this compiled model; 1 when it does not say. */
export function optimalInferRequests(compiled: RuntimeCompiledModel): number {
  try {
    const n = Number(compiled.getProperty('OPTIMAL_NUMBER_OF_INFER_REQUESTS'));
    return Number.isInteger(n) && n >= 1 ? n : 1;
  } catch {
    return 1;
  }
}

export class InferPool {
  private readonly idle: RuntimeInferRequest[] = [];
  private readonly all: RuntimeInferRequest[] = [];
  private readonly queue: WaitQueue<RuntimeInferRequest>;
  private running = 0;
  private onSettled: (() => void) | undefined;

  constructor(
    private readonly compiled: RuntimeCompiledModel,
    readonly size: number,
    maxQueue: number,
    label: string,
  ) {
    this.queue = new WaitQueue(maxQueue, label);
  }

  /** Callers waiting for a request. */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Inferences running now (including those whose caller stopped waiting). */
  get inFlight(): number {
    return this.running;
  }

  /** Requests created so far (at most `size`). */
  get created(): number {
    return this.all.length;
  }

  async run(inputs: InferInputs, options: PoolRunOptions = {}): Promise<PoolRun> {
    const queued = performance.now();
    const request = await this.take(options);
    const started = performance.now();
    this.running++;
    const inference = request.infer(inputs).finally(() => this.give(request));
    inference.catch(() => undefined); // the caller may have stopped waiting
    const outputs = await abortable(inference, options.signal);
    return { outputs, queuedMs: started - queued, inferMs: performance.now() - started };
  }

  /** Resolves once no inference runs; new ones must not be started meanwhile. */
  settled(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.onSettled;
      this.onSettled = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Frees every request. Call after settled(), with nobody queued. */
  dispose(error: unknown): void {
    this.queue.rejectAll(error);
    for (const request of this.all.splice(0)) if (!request.disposed) request.dispose();
    this.idle.length = 0;
  }

  private take(options: PoolRunOptions): Promise<RuntimeInferRequest> {
    options.signal?.throwIfAborted();
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.all.length < this.size) {
      const request = this.compiled.createInferRequest();
      this.all.push(request);
      return Promise.resolve(request);
    }
    return this.queue.wait(options.signal, options.priority ?? 0);
  }

  private give(request: RuntimeInferRequest): void {
    this.running--;
    if (!this.queue.handOff(request)) this.idle.push(request);
    if (this.running === 0 && this.onSettled) {
      const done = this.onSettled;
      this.onSettled = undefined;
      done();
    }
  }
}
