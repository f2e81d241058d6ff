// The same trial through the `openvino-node` package (OpenVINO's own Node binding) with
// OpenVINO's CACHE_DIR, for a side-by-side comparison. Only used when that package is
// installed and its runtime loads; ovcache never depends on it.
import { performance } from 'node:perf_hooks';
import { OvcacheError } from '../errors';
import type { TrialResult, TrialSpec } from './spec';

interface OpenVINONodeCompiled {
  getProperty?(key: string): unknown;
}
interface OpenVINONodeCore {
  compileModel(path: string, device: string, config?: Record<string, string>): Promise<OpenVINONodeCompiled>;
}
interface OpenVINONodeModule {
  addon: { Core: new () => OpenVINONodeCore };
}

/** The installed openvino-node module, or the reason it cannot be used. */
export function resolveOpenVINONode(): { module?: OpenVINONodeModule; reason?: string } {
  let resolved: string;
  try {
    resolved = require.resolve('openvino-node');
  } catch {
    return { reason: 'the openvino-node package is not installed (npm install openvino-node downloads its runtime at install time)' };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { module: require(resolved) as OpenVINONodeModule };
  } catch (error) {
    return { reason: `openvino-node is installed but its runtime does not load: ${(error as Error).message}` };
  }
}

export async function runOpenVINONodeTrial(spec: TrialSpec): Promise<TrialResult> {
  const { module, reason } = resolveOpenVINONode();
  if (!module) throw new OvcacheError('OVCACHE_RUNTIME_NOT_FOUND', `openvino-node comparison unavailable: ${reason}`);
  const runtimeLoadedAt = performance.now();
  const core = new module.addon.Core();
  const started = performance.now();
  const config = { ...spec.config, ...(spec.mode !== 'no-cache' && spec.cacheDir ? { CACHE_DIR: spec.cacheDir } : {}) };
  const compiled = await core.compileModel(spec.model, spec.device, config);
  const compileMs = performance.now() - started;
  let loadedFromCache: boolean | null;
  try {
    const value = compiled.getProperty?.('LOADED_FROM_CACHE');
    loadedFromCache = value === true || value === 'YES' ? true : value === false || value === 'NO' ? false : null;
  } catch {
    loadedFromCache = null;
  }
  return {
    engine: 'openvino-node',
    mode: spec.mode,
    runtimeLoadedAt,
    compileMs,
    firstInferenceMs: null,
    readyAt: performance.now(),
    loadedFromCache,
    runtime: { buildNumber: 'openvino-node', libraryPath: 'openvino-node', standIn: false },
  };
}
