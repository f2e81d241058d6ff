// One benchmark trial in a fresh process: load the runtime, compile (with or without the
// cache), run a first inference on zeros, and print the timings as one JSON line.
import { performance } from 'node:perf_hooks';
import { loadOpenVINO } from '../openvino/openvino';
import type { Model } from '../openvino/model';
import type { Core } from '../openvino/core';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import { isStaticShape } from '../openvino/shapes';
// Each trial loads only what its engine needs: ovcache's trials the package entry, as a user
// imports it (`import { ModelCache } from 'ovcache'`, history on by default, as in a service);
// openvino-node's trials the adapter; a CACHE_DIR or no-cache trial neither, as a process using
// OpenVINO alone. What a trial loads beyond the runtime is in its compile time.
import type * as Package from '../index';
import type * as OpenvinoNodeTrial from './openvino-node';
import type { TensorInput, TypedArray } from '../openvino/tensor';
import { PROGRESS_PREFIX, RESULT_PREFIX, type TrialResult, type TrialSpec } from './spec';

const ZERO_ARRAYS: Record<string, (n: number) => TypedArray> = {
  f32: (n) => new Float32Array(n),
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
  i64: (n) => new BigInt64Array(n),
  u8: (n) => new Uint8Array(n),
  i8: (n) => new Int8Array(n),
  f16: (n) => new Uint16Array(n),
};

async function firstInference(compiled: RuntimeCompiledModel): Promise<number | null> {
  const inputs: Record<string, TensorInput> = {};
  for (const port of compiled.inputs) {
    const make = ZERO_ARRAYS[port.elementType];
    if (!make || !isStaticShape(port.shape)) return null;
    inputs[port.name] = make(port.shape.reduce((a, b) => a * b, 1));
  }
  const started = performance.now();
  const request = compiled.createInferRequest();
  await request.infer(inputs);
  request.dispose();
  return performance.now() - started;
}

/** A bare compile: no cache, or OpenVINO's own CACHE_DIR (the path form unless reshaped). */
async function compileBare(core: Core, spec: TrialSpec, cacheDir?: string): Promise<RuntimeCompiledModel> {
  const config = { ...spec.config, ...(cacheDir ? { CACHE_DIR: cacheDir } : {}) };
  if (!spec.shapes) return core.compileModel(spec.model, spec.device, config);
  const model: Model = await core.readModel(spec.model);
  model.reshape(spec.shapes);
  try {
    return await core.compileModel(model, spec.device, config);
  } finally {
    model.dispose();
  }
}

export async function runTrial(spec: TrialSpec): Promise<TrialResult> {
  if (spec.engine === 'openvino-node') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the imports above
    const { runOpenVINONodeTrial } = require('./openvino-node') as typeof OpenvinoNodeTrial;
    return runOpenVINONodeTrial(spec, firstInference);
  }
  const ov = await loadOpenVINO(spec.libraryPath ? { libraryPath: spec.libraryPath } : {});
  const runtimeLoadedAt = performance.now();
  const core = ov.createCore();
  const started = performance.now();
  let compiled: RuntimeCompiledModel;
  let loadedFromCache: boolean | null;
  if (spec.mode === 'no-cache' || spec.engine === 'openvino') {
    compiled = await compileBare(core, spec, spec.mode === 'no-cache' ? undefined : spec.cacheDir);
    loadedFromCache = compiled.loadedFromCache;
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the imports above
    const { ModelCache } = require('../index') as typeof Package;
    const cache = new ModelCache({ core, dir: spec.cacheDir, enabled: true });
    const result = await cache.compile(spec.model, {
      device: spec.device,
      ...(spec.shapes ? { shapes: spec.shapes } : {}),
      ...(spec.config ? { config: spec.config } : {}),
      ...(spec.progress ? { onProgress: (p) => process.stdout.write(`${PROGRESS_PREFIX}${JSON.stringify(p)}\n`) } : {}),
    });
    compiled = result.compiled;
    loadedFromCache = result.hit;
  }
  const compileMs = performance.now() - started;
  const firstInferenceMs = await firstInference(compiled);
  const readyAt = performance.now();
  compiled.dispose();
  core.dispose();
  return {
    engine: spec.engine,
    mode: spec.mode,
    runtimeLoadedAt,
    compileMs,
    firstInferenceMs,
    readyAt,
    loadedFromCache,
    runtime: { buildNumber: ov.version.buildNumber, libraryPath: ov.libraryPath, standIn: ov.isStandIn },
  };
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TrialSpec;
  runTrial(spec).then(
    (result) => process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`),
    (error: unknown) => {
      const e = error as { code?: string; message?: string };
      process.stderr.write(`bench trial failed: ${e.code ? `[${e.code}] ` : ''}${e.message ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
