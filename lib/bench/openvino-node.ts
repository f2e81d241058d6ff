// The same trial through the `openvino-node` package (OpenVINO's own Node binding) with
// OpenVINO's plain CACHE_DIR, for a side-by-side comparison; through ovcache's adapter, so the
// first inference and LOADED_FROM_CACHE are measured as for ovcache. Only used when that
// package is installed and its runtime loads; ovcache never depends on it.
import { performance } from 'node:perf_hooks';
import { fromOpenvinoNode } from '../adapters/openvino-node/core';
import { loadOpenvinoNode } from '../adapters/openvino-node/locate';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { TrialResult, TrialSpec } from './spec';

/** The reason openvino-node cannot be compared, or undefined when it can. */
export function openvinoNodeUnavailable(): string | undefined {
  try {
    loadOpenvinoNode();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export async function runOpenVINONodeTrial(
  spec: TrialSpec,
  firstInference: (compiled: RuntimeCompiledModel) => Promise<number | null>,
): Promise<TrialResult> {
  const found = loadOpenvinoNode();
  const core = fromOpenvinoNode(found.addon);
  const runtimeLoadedAt = performance.now();
  const started = performance.now();
  const config = { ...spec.config, ...(spec.mode !== 'no-cache' && spec.cacheDir ? { CACHE_DIR: spec.cacheDir } : {}) };
  let compiled: RuntimeCompiledModel;
  if (spec.shapes) {
    using model = await core.readModel(spec.model);
    model.reshape(spec.shapes);
    compiled = await core.compileModel(model, spec.device, config);
  } else {
    compiled = await core.compileModel(spec.model, spec.device, config);
  }
  const compileMs = performance.now() - started;
  const loadedFromCache = compiled.loadedFromCache;
  const firstInferenceMs = await firstInference(compiled);
  const readyAt = performance.now();
  compiled.dispose();
  core.dispose();
  return {
    engine: 'openvino-node',
    mode: spec.mode,
    runtimeLoadedAt,
    compileMs,
    firstInferenceMs,
    readyAt,
    loadedFromCache,
    runtime: { buildNumber: core.runtime.version.buildNumber, libraryPath: found.path, standIn: core.runtime.isStandIn },
  };
}
