// What infer() needs of a result cache: the getOrCompute of ResultCache (lib/results/), as a
// structural type, so any object with that method fits.
import type { Tensor, TensorInput } from '../openvino/tensor';

export interface ResultCacheParts {
  model: string;
  params?: unknown;
  inputs?: Record<string, TensorInput | Tensor>;
}

export interface ResultCacheValue {
  tensors?: Record<string, Tensor>;
  meta?: unknown;
  files?: string[];
}

export interface ResultCacheLike {
  getOrCompute(
    parts: ResultCacheParts,
    /** signal: aborts when every caller waiting on this compute gave up (undefined: the caller's own applies). */
    compute: (signal?: AbortSignal) => Promise<ResultCacheValue>,
    options?: { cacheable?: boolean; signal?: AbortSignal },
  ): Promise<{ value: ResultCacheValue; outcome: 'hit' | 'miss' | 'bypass'; key: string }>;
}
