// The plain compile: OpenVINO without CACHE_DIR (switched off, refused, the entry unusable, or
// the caching policy found that caching this key does not pay). A leaf: it reads and compiles,
// and the flow builds the outcome (compile-outcome.ts).
import { performance } from 'node:perf_hooks';
import { isRuntimeModel, type RuntimeCore, type RuntimeModel } from '../../runtime/runtime-port';
import type { PlainCompile } from '../compile-outcome';
import type { ResolvedCompileOptions } from '../options';

/**
 * `prepared`: the model was already read (and reshaped) by the key stage, so a model object is
 * compiled as it is; otherwise shapes are applied here.
 */
export async function compilePlain(
  p: { core(): RuntimeCore },
  model: string | RuntimeModel,
  opts: ResolvedCompileOptions,
  prepared: boolean,
): Promise<PlainCompile> {
  opts.waits.progress.phase('compile');
  if (typeof model === 'string' && opts.shapes) {
    const t = performance.now();
    const read = await p.core().readModel(model);
    try {
      read.reshape(opts.shapes);
      const readMs = performance.now() - t;
      const c = performance.now();
      const compiled = await p.core().compileModel(read, opts.device, opts.config);
      return { compiled, readMs, compileMs: performance.now() - c };
    } finally {
      read.dispose();
    }
  }
  if (isRuntimeModel(model) && opts.shapes && !prepared) model.reshape(opts.shapes);
  const c = performance.now();
  const compiled = await p.core().compileModel(model, opts.device, opts.config);
  return { compiled, readMs: 0, compileMs: performance.now() - c };
}
