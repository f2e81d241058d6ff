// The caching policy's options of `new ModelCache()`, checked and defaulted (docs/caching.md,
// "When caching does not pay").
import { OvcacheError } from '../../errors';
import { expectIntegerInRange, invalidArgument } from '../../openvino/validate';

/** 'auto': measure per entry and stop caching what does not pay; 'always': cache every compile. */
export type CachePolicy = 'auto' | 'always';

export interface PolicyOptions {
  /** Default 'auto'. A read-only cache always behaves as 'always' (it loads what is there). */
  policy?: CachePolicy;
  /** With 'auto': compiles faster than this (ms, without the cache) are not cached. Default 0 (off). */
  minCompileMs?: number;
  /** With 'auto': an entry that stopped being cached is loaded from the cache again every Nth call, to measure anew. Default 50. */
  probeEvery?: number;
}

export const POLICY_OPTIONS = ['policy', 'minCompileMs', 'probeEvery'] as const;

export interface ResolvedPolicy {
  mode: CachePolicy;
  minCompileMs: number;
  probeEvery: number;
}

export const DEFAULT_PROBE_EVERY = 50;

export function resolvePolicy(options: PolicyOptions): ResolvedPolicy {
  const { policy, minCompileMs, probeEvery } = options;
  if (policy !== undefined && policy !== 'auto' && policy !== 'always')
    throw invalidArgument('"auto" or "always"', 'options.policy', policy);
  const mode = policy ?? 'auto';
  const min = minCompileMs === undefined ? 0 : expectIntegerInRange(minCompileMs, 'options.minCompileMs', 0);
  if (mode === 'always' && min > 0) {
    throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', 'options.minCompileMs needs policy "auto": policy "always" caches every compile');
  }
  return {
    mode,
    minCompileMs: min,
    probeEvery: probeEvery === undefined ? DEFAULT_PROBE_EVERY : expectIntegerInRange(probeEvery, 'options.probeEvery', 1),
  };
}
