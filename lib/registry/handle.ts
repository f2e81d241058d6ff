// A hold on a loaded model: while any handle is held, the model is not disposed (unloading
// waits). `await using m = await registry.acquire(name)` releases it at the end of the block.
import { OvcacheError } from '../errors';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { Tensor } from '../openvino/tensor';
import type { InferInputs } from './infer-pool';
import type { RegistryInferOptions } from './options';
import type { InferResult } from './run';
import type { Slot } from './slot';

export type HandleInferOptions = Pick<RegistryInferOptions, 'signal' | 'priority' | 'params' | 'cacheable'>;

/** What a handle asks of its registry. */
export interface HandleOwner {
  inferOn(slot: Slot, inputs: InferInputs, options: HandleInferOptions): Promise<InferResult>;
  releaseSlot(slot: Slot): void;
}

/** A hold on one loaded model of a registry (from registry.acquire()). */
export interface ModelHandle extends Disposable, AsyncDisposable {
  /** The shared compiled model; do not dispose it. */
  readonly compiled: RuntimeCompiledModel;
  readonly name: string | undefined;
  readonly id: string;
  readonly released: boolean;
  /** Runs on the model's infer pool, as registry.infer() does. */
  infer(inputs: InferInputs, options?: HandleInferOptions): Promise<Record<string, Tensor>>;
  /** infer() with what answered it (the result cache or the model) and its queue and inference times. */
  inferWithMeta(inputs: InferInputs, options?: HandleInferOptions): Promise<InferResult>;
  /** Lets the model go; idempotent. */
  release(): void;
}

export class SlotHandle implements ModelHandle {
  private held = true;

  constructor(
    private readonly slot: Slot,
    private readonly owner: HandleOwner,
  ) {}

  /** The shared compiled model; do not dispose it. */
  get compiled(): RuntimeCompiledModel {
    this.check();
    return (this.slot.loaded as { compiled: RuntimeCompiledModel }).compiled;
  }

  get name(): string | undefined {
    return this.slot.name;
  }

  get id(): string {
    return this.slot.id;
  }

  get released(): boolean {
    return !this.held;
  }

  /** Runs on the model's infer pool, as registry.infer() does. */
  async infer(inputs: InferInputs, options: HandleInferOptions = {}): Promise<Record<string, Tensor>> {
    return (await this.inferWithMeta(inputs, options)).outputs;
  }

  /** infer() with what answered it (the result cache or the model) and its queue and inference times. */
  async inferWithMeta(inputs: InferInputs, options: HandleInferOptions = {}): Promise<InferResult> {
    this.check();
    return this.owner.inferOn(this.slot, inputs, options);
  }

  /** Lets the model go; idempotent. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.owner.releaseSlot(this.slot);
  }

  [Symbol.dispose](): void {
    this.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }

  private check(): void {
    if (!this.held) throw new OvcacheError('OVCACHE_DISPOSED', `This handle on ${this.slot.label} has been released`);
  }
}
