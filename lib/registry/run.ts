// One inference through the result cache (when there is one) and the model's pool, reported
// as an 'infer' event; and a batch of them, as many at once as the pool has requests.
import { isOvcacheError } from '../errors';
import type { Tensor } from '../openvino/tensor';
import type { InferOutcome, RegistryInferEvent } from './events';
import type { HandleInferOptions } from './handle';
import type { InferInputs, InferPool } from './infer-pool';
import type { BatchProgress, LoadedModel } from './options';
import type { ResultCacheLike } from './result-cache';
import type { Slot } from './slot';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { TensorInput } from '../openvino/tensor';

export interface InferCounters {
  infers: number;
  resultHits: number;
  queueFull: number;
  aborted: number;
}

export interface InferenceJob {
  slot: Slot;
  pool: InferPool;
  inputs: InferInputs;
  options: HandleInferOptions;
  resultCache: ResultCacheLike | undefined;
  counters: InferCounters;
  emit: (event: RegistryInferEvent) => void;
}

/** What answered one inference and what it cost (registry.inferWithMeta()). */
export interface InferMeta {
  /** 'off': the registry has no result cache; 'bypass': it was not consulted for this call. */
  resultCache: 'hit' | 'miss' | 'bypass' | 'off';
  /** Time waiting for a free infer request, ms (0 when the result cache answered). */
  queuedMs: number;
  /** Time the inference ran, ms (0 when the result cache answered). */
  inferMs: number;
}

export interface InferResult {
  outputs: Record<string, Tensor>;
  meta: InferMeta;
}

export async function runInference(job: InferenceJob): Promise<InferResult> {
  const { slot, pool, inputs, options: o, resultCache, counters } = job;
  let queuedMs = 0;
  let inferMs = 0;
  const meta = (answered: InferMeta['resultCache']): InferMeta => ({ resultCache: answered, queuedMs, inferMs });
  const run = async (signal: AbortSignal | undefined = o.signal) => {
    const r = await pool.run(inputs, signal === o.signal ? o : { ...o, signal });
    queuedMs = r.queuedMs;
    inferMs = r.inferMs;
    return r.outputs;
  };
  let outcome: InferOutcome = 'inferred';
  try {
    if (!resultCache) {
      const outputs = await run();
      return { outputs, meta: meta('off') };
    }
    // The model's identity for the result cache: its compile-cache key, else the registry's id.
    const { compiled, key } = slot.loaded as LoadedModel;
    const parts = { model: key ?? slot.id, inputs: namedInputs(compiled, inputs), ...(o.params === undefined ? {} : { params: o.params }) };
    const options = { ...(o.cacheable === undefined ? {} : { cacheable: o.cacheable }), ...(o.signal ? { signal: o.signal } : {}) };
    // The compute is shared by every caller of this key: it runs under the cache's shared signal
    // (aborted only when all of them gave up), never under this caller's alone.
    const result = await resultCache.getOrCompute(parts, async (shared) => ({ tensors: await run(shared ?? o.signal) }), options);
    outcome = result.outcome;
    if (outcome === 'hit') counters.resultHits++;
    return { outputs: result.value.tensors ?? {}, meta: meta(result.outcome) };
  } catch (error) {
    if (o.signal?.aborted && error === o.signal.reason) {
      outcome = 'aborted';
      counters.aborted++;
    } else if (isOvcacheError(error, 'OVCACHE_QUEUE_FULL')) {
      outcome = 'queue-full';
      counters.queueFull++;
    } else outcome = 'error';
    throw error;
  } finally {
    if (outcome !== 'error' && outcome !== 'aborted' && outcome !== 'queue-full') counters.infers++;
    job.emit({ id: slot.id, name: slot.name, device: slot.device, queuedMs, inferMs, outcome });
  }
}

/** Results in input order; stops taking inputs at the first failure and rejects with it once the others end. */
export async function runBatch<R>(
  width: number,
  inputsList: InferInputs[],
  inferOne: (inputs: InferInputs) => Promise<R>,
  onProgress: ((progress: BatchProgress) => void) | undefined,
): Promise<R[]> {
  const total = inputsList.length;
  const results = new Array<R>(total);
  let next = 0;
  let done = 0;
  let failed = false;
  onProgress?.({ done, total });
  const lane = async (): Promise<void> => {
    while (!failed && next < total) {
      const i = next++;
      try {
        results[i] = await inferOne(inputsList[i] as InferInputs);
      } catch (error) {
        failed = true;
        throw error;
      }
      onProgress?.({ done: ++done, total });
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(width, total) }, lane));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}

/** The inputs by input name, as a result cache keys them (data alone: the model's one input). */
function namedInputs(compiled: RuntimeCompiledModel, inputs: InferInputs): Record<string, TensorInput | Tensor> {
  const single = ArrayBuffer.isView(inputs) || (inputs !== null && typeof inputs === 'object' && 'data' in inputs && 'shape' in inputs);
  if (!single) return inputs;
  const only = compiled.inputs[0];
  return only ? { [only.name]: inputs as TensorInput } : {};
}
