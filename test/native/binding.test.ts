// The raw NativeBinding (native/) against the stand-in runtime: every export, its errors and
// the element-type numbering. Loads the built addon directly, not through lib/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { NativeBinding, NativeCore, NativeErrorFields, NativeRuntime, NativeTensorOut } from '../../lib/runtime/native-binding';
import { fixture, makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

// The built addon, or the one OVCACHE_NATIVE_BINDING names (the sanitizer run injects its own).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as { resolve(root: string): string };
const ADDON = path.resolve(process.env.OVCACHE_NATIVE_BINDING ?? nodeGypBuild.resolve(ROOT));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require(ADDON) as NativeBinding;

type NativeError = Error & NativeErrorFields;

/** Runs fn (sync or async) and returns the error it throws or rejects with. */
async function errorOf(fn: () => unknown): Promise<NativeError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    return error as NativeError;
  }
  return assert.fail('expected an error');
}

/** A node child process running `code` with the addon at hand; returns its stdout. */
export function runChild(code: string, env: Record<string, string> = {}): string {
  const prelude = `const binding = require(${JSON.stringify(ADDON)});\n` + `const STAND_IN = ${JSON.stringify(STAND_IN)};\n`;
  const result = spawnSync(process.execPath, ['-e', prelude + code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `child failed (${String(result.status)}):\n${result.stderr}`);
  return result.stdout;
}

/**
 * A tiny IR written by the test: input `x` f32 [1,4] -> MatMul W [4,3] -> Add b [1,3] ->
 * Relu -> output `y`. Known weights, so outputs can be checked against plain JS.
 */
const W = Float32Array.from([0.5, -1, 2, 1.5, 0.25, -0.5, -2, 1, 0.75, 1, -1.25, 0.5]);
const B = Float32Array.from([0.1, -0.2, 0.3]);

function writeTinyModel(dir: string): string {
  const xml = path.join(dir, 'tiny.xml');
  const bin = Buffer.concat([Buffer.from(W.buffer), Buffer.from(B.buffer)]);
  fs.writeFileSync(path.join(dir, 'tiny.bin'), bin);
  const port = (id: number, names: string | null, dims: number[]): string =>
    `<port id="${id}" precision="FP32"${names ? ` names="${names}"` : ''}>${dims.map((d) => `<dim>${d}</dim>`).join('')}</port>`;
  fs.writeFileSync(
    xml,
    `<?xml version="1.0"?>
<net name="tiny" version="11">
  <layers>
    <layer id="0" name="x" type="Parameter" version="opset1">
      <data shape="1,4" element_type="f32"/>
      <output>${port(0, 'x', [1, 4])}</output>
    </layer>
    <layer id="1" name="W" type="Const" version="opset1">
      <data element_type="f32" shape="4,3" offset="0" size="48"/>
      <output>${port(0, null, [4, 3])}</output>
    </layer>
    <layer id="2" name="matmul" type="MatMul" version="opset1">
      <data transpose_a="false" transpose_b="false"/>
      <input>${port(0, null, [1, 4])}${port(1, null, [4, 3])}</input>
      <output>${port(2, null, [1, 3])}</output>
    </layer>
    <layer id="3" name="b" type="Const" version="opset1">
      <data element_type="f32" shape="1,3" offset="48" size="12"/>
      <output>${port(0, null, [1, 3])}</output>
    </layer>
    <layer id="4" name="add" type="Add" version="opset1">
      <input>${port(0, null, [1, 3])}${port(1, null, [1, 3])}</input>
      <output>${port(2, null, [1, 3])}</output>
    </layer>
    <layer id="5" name="relu" type="Relu" version="opset1">
      <input>${port(0, null, [1, 3])}</input>
      <output>${port(1, 'y', [1, 3])}</output>
    </layer>
    <layer id="6" name="y/sink" type="Result" version="opset1">
      <input>${port(0, null, [1, 3])}</input>
    </layer>
  </layers>
  <edges>
    <edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
    <edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
    <edge from-layer="2" from-port="2" to-layer="4" to-port="0"/>
    <edge from-layer="3" from-port="0" to-layer="4" to-port="1"/>
    <edge from-layer="4" from-port="2" to-layer="5" to-port="0"/>
    <edge from-layer="5" from-port="1" to-layer="6" to-port="0"/>
  </edges>
</net>
`,
  );
  return xml;
}

/** relu(x W + b) for rows of 4. */
function tinyReference(x: Float32Array): number[] {
  const rows = x.length / 4;
  const out: number[] = [];
  for (let r = 0; r < rows; ++r) {
    for (let j = 0; j < 3; ++j) {
      let sum = B[j]!;
      for (let k = 0; k < 4; ++k) sum += x[r * 4 + k]! * W[k * 3 + j]!;
      out.push(Math.max(0, sum));
    }
  }
  return out;
}

function floats(tensor: NativeTensorOut): number[] {
  return Array.from(new Float32Array(tensor.data));
}

function assertClose(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `[${i}] ${v} != ${expected[i]}`));
}

describe('native binding: loading', () => {
  it('exports loadRuntime and liveHandles only', () => {
    assert.deepEqual(Object.keys(binding).sort(), ['liveHandles', 'loadRuntime']);
  });

  it('fails to load a missing library with OVCACHE_RUNTIME_LOAD_FAILED and the loader text', async () => {
    const missing = path.join(ROOT, 'build', 'no-such-dir', 'libopenvino_c.so');
    const error = await errorOf(() => binding.loadRuntime(missing));
    assert.equal(error.code, 'OVCACHE_RUNTIME_LOAD_FAILED');
    assert.ok(error.message.includes(missing), error.message);
    assert.match(error.message, /No such file|cannot open/);
  });

  it('names the missing symbol when a library is not an OpenVINO C API', async function () {
    const libm = ['/lib/x86_64-linux-gnu/libm.so.6', '/lib/aarch64-linux-gnu/libm.so.6', '/usr/lib64/libm.so.6'].find((p) =>
      fs.existsSync(p),
    );
    if (!libm) this.skip();
    const error = await errorOf(() => binding.loadRuntime(libm));
    assert.equal(error.code, 'OVCACHE_SYMBOL_MISSING');
    assert.equal(error.call, 'ov_get_openvino_version');
    assert.ok(error.message.includes('ov_get_openvino_version'), error.message);
  });
});

describe('native binding against the stand-in', () => {
  let runtime: NativeRuntime;
  let core: NativeCore;
  let tmp: string;
  let tinyXml: string;

  before(() => {
    assert.ok(fs.existsSync(STAND_IN), `the stand-in is missing: ${STAND_IN} (npm run build:test-runtime)`);
    runtime = binding.loadRuntime(STAND_IN);
    tmp = makeTempDir('ovcache-native-');
    tinyXml = writeTinyModel(tmp);
  });
  beforeEach(() => {
    core = runtime.createCore();
  });
  afterEach(() => {
    core.dispose();
  });
  after(() => {
    if (tmp) removeDir(tmp);
  });

  describe('runtime', () => {
    it('reports path, version and the modern numbering for a 2025.4 runtime (renumbered in 2025.1)', () => {
      assert.equal(runtime.libraryPath, STAND_IN);
      assert.match(runtime.buildNumber, /^2025\.4\./);
      assert.equal(typeof runtime.description, 'string');
      assert.equal(runtime.elementNumbering, 'modern');
    });

    it('hasSymbol tells resolved functions from missing ones', () => {
      assert.equal(runtime.hasSymbol('ov_core_create'), true);
      assert.equal(runtime.hasSymbol('ov_core_compile_model'), true);
      assert.equal(runtime.hasSymbol('ov_no_such_function'), false);
    });

    it('chooses the legacy numbering for a 2025.0 runtime and still reads f32 as f32 (child process)', () => {
      const out = runChild(
        `const rt = binding.loadRuntime(STAND_IN);
         const core = rt.createCore();
         core.readModel(${JSON.stringify(tinyXml)}, '').then((m) => {
           console.log(JSON.stringify({ build: rt.buildNumber, numbering: rt.elementNumbering, inputs: m.inputs() }));
         });`,
        { OV_STUB_VERSION: '2025.0.0-17942-stub' },
      );
      const result = JSON.parse(out) as { build: string; numbering: string; inputs: Array<{ elementType: string }> };
      assert.equal(result.build, '2025.0.0-17942-stub');
      assert.equal(result.numbering, 'legacy');
      assert.equal(result.inputs[0]?.elementType, 'f32');
    });

    it('cannot be constructed from JavaScript', () => {
      const Ctor = (runtime as unknown as { constructor: new () => unknown }).constructor;
      assert.throws(() => new Ctor(), TypeError);
      const CoreCtor = (core as unknown as { constructor: new () => unknown }).constructor;
      assert.throws(() => new CoreCtor(), /created by the addon only/);
    });
  });

  describe('core', () => {
    it('create and dispose count live handles', () => {
      const before = binding.liveHandles();
      const other = runtime.createCore();
      assert.equal(binding.liveHandles(), before + 1);
      assert.equal(other.disposed, false);
      other.dispose();
      other.dispose(); // idempotent
      assert.equal(other.disposed, true);
      assert.equal(binding.liveHandles(), before);
    });

    it('lists devices and versions', () => {
      assert.ok(core.availableDevices().includes('CPU'));
      const versions = core.versions('CPU');
      assert.equal(versions[0]?.device, 'CPU');
      assert.equal(versions[0]?.buildNumber, runtime.buildNumber);
    });

    it('sets and reads core-level and device properties', () => {
      const cacheDir = path.join(tmp, 'cache-prop');
      core.setProperty(null, 'CACHE_DIR', cacheDir);
      assert.equal(core.getProperty('', 'CACHE_DIR'), cacheDir);
      core.setProperty('CPU', 'PERFORMANCE_HINT', 'THROUGHPUT');
      assert.equal(core.getProperty('CPU', 'PERFORMANCE_HINT'), 'THROUGHPUT');
      assert.ok(core.getProperty('CPU', 'FULL_DEVICE_NAME').length > 0);
    });

    it('reports an unknown property with code, status, call and ovMessage', async () => {
      const error = await errorOf(() => core.getProperty('', 'NO_SUCH_PROPERTY'));
      assert.equal(error.code, 'OV_GENERAL_ERROR');
      assert.equal(error.status, -1);
      assert.equal(error.call, 'ov_core_get_property');
      assert.match(error.ovMessage ?? '', /NO_SUCH_PROPERTY/);
      assert.match(error.message, /^ov_core_get_property failed with OV_GENERAL_ERROR \(-1\): /);
    });
  });

  describe('models', () => {
    it('reads a model and describes its ports', async () => {
      const model = await core.readModel(tinyXml, '');
      assert.deepEqual(model.inputs(), [
        {
          name: 'x',
          shape: [
            [1, 1],
            [4, 4],
          ],
          elementType: 'f32',
        },
      ]);
      assert.deepEqual(model.outputs(), [
        {
          name: 'y',
          shape: [
            [1, 1],
            [3, 3],
          ],
          elementType: 'f32',
        },
      ]);
      assert.equal(model.friendlyName(), 'tiny');
      assert.equal(model.isDynamic(), false);
      model.dispose();
    });

    it('reads the mlp fixture', async function () {
      if (!fs.existsSync(fixture('mlp.xml'))) this.skip();
      const model = await core.readModel(fixture('mlp.xml'), '');
      const [input] = model.inputs();
      assert.equal(input?.name, 'input');
      assert.deepEqual(input?.shape, [
        [1, 1],
        [16, 16],
      ]);
      assert.equal(input?.elementType, 'f32');
      assert.deepEqual(model.outputs()[0]?.shape, [
        [1, 1],
        [4, 4],
      ]);
      model.dispose();
    });

    it('rejects a missing file with the runtime message', async () => {
      const error = await errorOf(() => core.readModel(path.join(tmp, 'missing.xml'), ''));
      assert.equal(error.code, 'OV_GENERAL_ERROR');
      assert.equal(error.call, 'ov_core_read_model');
      assert.match(error.ovMessage ?? '', /missing\.xml/);
    });

    it('reshapes to static and dynamic dimensions', async () => {
      const model = await core.readModel(tinyXml, '');
      model.reshape(
        ['x'],
        [
          [
            [4, 4],
            [4, 4],
          ],
        ],
      );
      assert.deepEqual(model.inputs()[0]?.shape, [
        [4, 4],
        [4, 4],
      ]);
      assert.deepEqual(model.outputs()[0]?.shape, [
        [4, 4],
        [3, 3],
      ]);
      model.reshape(
        ['x'],
        [
          [
            [-1, -1],
            [4, 4],
          ],
        ],
      );
      assert.deepEqual(model.inputs()[0]?.shape, [
        [-1, -1],
        [4, 4],
      ]);
      assert.equal(model.isDynamic(), true);
      const error = await errorOf(() =>
        model.reshape(
          ['x'],
          [
            [
              [1, 1],
              [5, 5],
            ],
          ],
        ),
      );
      assert.equal(error.code, 'OV_GENERAL_ERROR');
      assert.equal(error.call, 'ov_model_reshape');
      model.dispose();
    });
  });

  describe('compiling', () => {
    it('compiles a model object with properties', async () => {
      const model = await core.readModel(tinyXml, '');
      const compiled = await core.compileModel(model, 'CPU', ['PERFORMANCE_HINT', 'LATENCY', 'NUM_STREAMS', '1']);
      assert.equal(compiled.getProperty('PERFORMANCE_HINT'), 'LATENCY');
      assert.deepEqual(compiled.inputs()[0]?.name, 'x');
      assert.deepEqual(compiled.outputs()[0]?.shape, [
        [1, 1],
        [3, 3],
      ]);
      compiled.dispose();
      model.dispose();
    });

    it('compiles from a file with and without properties', async () => {
      const plain = await core.compileModelFromFile(tinyXml, 'CPU', []);
      assert.equal(plain.getProperty('LOADED_FROM_CACHE'), 'NO');
      plain.dispose();
      const hinted = await core.compileModelFromFile(tinyXml, 'CPU', ['PERFORMANCE_HINT', 'THROUGHPUT']);
      assert.equal(hinted.getProperty('PERFORMANCE_HINT'), 'THROUGHPUT');
      hinted.dispose();
    });

    it('passes 16 pairs and refuses 17 before calling OpenVINO', async () => {
      const sixteen: string[] = [];
      for (let i = 0; i < 16; ++i) sixteen.push('NUM_STREAMS', String((i % 4) + 1));
      const compiled = await core.compileModelFromFile(tinyXml, 'CPU', sixteen);
      compiled.dispose();
      const error = await errorOf(() => core.compileModelFromFile(tinyXml, 'CPU', [...sixteen, 'NUM_STREAMS', '1']));
      assert.equal(error.code, 'OVCACHE_INVALID_ARGUMENT');
      assert.equal(error.call, 'ov_core_compile_model_from_file');
      assert.match(error.message, /at most 16 properties/);
    });

    it('lets the runtime judge an odd property count (INVALID_C_PARAM)', async () => {
      const model = await core.readModel(tinyXml, '');
      const error = await errorOf(() => core.compileModel(model, 'CPU', ['PERFORMANCE_HINT']));
      assert.equal(error.code, 'OV_INVALID_C_PARAM');
      assert.equal(error.status, -14);
      assert.equal(error.call, 'ov_core_compile_model');
      model.dispose();
    });

    it('reports an invalid property value with code, status, call and ovMessage', async () => {
      const error = await errorOf(() => core.compileModelFromFile(tinyXml, 'CPU', ['PERFORMANCE_HINT', 'FASTEST']));
      assert.equal(error.code, 'OV_GENERAL_ERROR');
      assert.equal(error.status, -1);
      assert.equal(error.call, 'ov_core_compile_model_from_file');
      assert.ok((error.ovMessage ?? '').length > 0);
      const device = await errorOf(() => core.compileModelFromFile(tinyXml, 'NPU', []));
      assert.equal(device.call, 'ov_core_compile_model_from_file');
      assert.match(device.code, /^OV_/);
    });

    it('rejects a non-model argument', async () => {
      const error = await errorOf(() => core.compileModel(core as never, 'CPU', []));
      assert.equal(error.code, 'OVCACHE_INVALID_ARGUMENT');
    });

    it('reads LOADED_FROM_CACHE NO, then YES on a second core with the same CACHE_DIR', async () => {
      const cacheDir = path.join(tmp, 'cache-warm');
      core.setProperty(null, 'CACHE_DIR', cacheDir);
      const cold = await core.compileModelFromFile(tinyXml, 'CPU', []);
      assert.equal(cold.getProperty('LOADED_FROM_CACHE'), 'NO');
      cold.dispose();
      assert.ok(
        fs.readdirSync(cacheDir).some((f) => f.endsWith('.blob')),
        'no blob written',
      );
      const second = runtime.createCore();
      second.setProperty(null, 'CACHE_DIR', cacheDir);
      const warm = await second.compileModelFromFile(tinyXml, 'CPU', []);
      assert.equal(warm.getProperty('LOADED_FROM_CACHE'), 'YES');
      warm.dispose();
      second.dispose();
    });

    it('exports and imports a compiled model', async () => {
      const compiled = await core.compileModelFromFile(tinyXml, 'CPU', []);
      const file = path.join(tmp, 'tiny.blob');
      await compiled.exportModel(file);
      compiled.dispose();
      const blob = new Uint8Array(fs.readFileSync(file));
      const imported = await core.importModel(blob, 'CPU');
      blob.fill(0); // the addon owns its copy
      assert.equal(imported.inputs()[0]?.name, 'x');
      const request = imported.createInferRequest();
      const x = Float32Array.from([1, 2, 3, 4]);
      const [y] = await request.infer([{ name: 'x', elementType: 'f32', shape: [1, 4], data: x }]);
      assertClose(floats(y!), tinyReference(x));
      request.dispose();
      imported.dispose();
      const bad = await errorOf(() => core.importModel(new Uint8Array([1, 2, 3]), 'CPU'));
      assert.equal(bad.call, 'ov_core_import_model');
      assert.match(bad.code, /^OV_/);
    });
  });

  describe('inference', () => {
    it('computes relu(xW + b)', async () => {
      const compiled = await core.compileModelFromFile(tinyXml, 'CPU', []);
      const request = compiled.createInferRequest();
      for (const x of [Float32Array.from([1, 2, 3, 4]), Float32Array.from([-1, 0.5, 2, -3])]) {
        const outputs = await request.infer([{ name: 'x', elementType: 'f32', shape: [1, 4], data: x }]);
        assert.equal(outputs.length, 1);
        const [y] = outputs;
        assert.equal(y?.name, 'y');
        assert.equal(y?.elementType, 'f32');
        assert.deepEqual(y?.shape, [1, 3]);
        assert.ok(y?.data instanceof ArrayBuffer);
        assertClose(floats(y), tinyReference(x));
      }
      request.dispose();
      compiled.dispose();
    });

    it('infers a reshaped batch from a subarray view', async () => {
      const model = await core.readModel(tinyXml, '');
      model.reshape(
        ['x'],
        [
          [
            [2, 2],
            [4, 4],
          ],
        ],
      );
      const compiled = await core.compileModel(model, 'CPU', []);
      const request = compiled.createInferRequest();
      const backing = Float32Array.from([9, 9, 1, -2, 3, 0.5, 4, 1, -1, 2, 9]);
      const x = backing.subarray(2, 10);
      const [y] = await request.infer([{ name: 'x', elementType: 'f32', shape: [2, 4], data: x }]);
      assert.deepEqual(y?.shape, [2, 3]);
      assertClose(floats(y), tinyReference(x));
      request.dispose();
      compiled.dispose();
      model.dispose();
    });

    it('runs the mlp fixture', async function () {
      if (!fs.existsSync(fixture('mlp.xml'))) this.skip();
      const compiled = await core.compileModelFromFile(fixture('mlp.xml'), 'CPU', []);
      const request = compiled.createInferRequest();
      const x = new Float32Array(16).map((_, i) => (i - 8) / 8);
      const [y] = await request.infer([{ name: 'input', elementType: 'f32', shape: [1, 16], data: x }]);
      assert.deepEqual(y?.shape, [1, 4]);
      assert.ok(floats(y).every(Number.isFinite));
      request.dispose();
      compiled.dispose();
    });

    it('checks byte lengths and element types', async () => {
      const compiled = await core.compileModelFromFile(tinyXml, 'CPU', []);
      const request = compiled.createInferRequest();
      const short = await errorOf(() => request.infer([{ name: 'x', elementType: 'f32', shape: [1, 4], data: new Float32Array(3) }]));
      assert.equal(short.code, 'OVCACHE_INVALID_ARGUMENT');
      assert.match(short.message, /Expected 16 bytes for input 'x'.* but received 12/);
      const type = await errorOf(() =>
        request.infer([{ name: 'x', elementType: 'f33' as never, shape: [1, 4], data: new Float32Array(4) }]),
      );
      assert.equal(type.code, 'OVCACHE_INVALID_ARGUMENT');
      const wrong = await errorOf(() => request.infer([{ name: 'x', elementType: 'i32', shape: [1, 4], data: new Int32Array(4) }]));
      assert.equal(wrong.call, 'ov_infer_request_set_input_tensor_by_index');
      assert.equal(wrong.code, 'OV_GENERAL_ERROR');
      assert.match(wrong.message, /element type is not corresponding with output element type \(i32 != f32/);
      request.dispose();
      compiled.dispose();
    });

    it('refuses a second infer() while one is running on the same request', async () => {
      const compiled = await core.compileModelFromFile(tinyXml, 'CPU', []);
      const request = compiled.createInferRequest();
      const input = [{ name: 'x', elementType: 'f32' as const, shape: [1, 4], data: new Float32Array(4) }];
      const first = request.infer(input);
      const error = await errorOf(() => request.infer(input));
      assert.equal(error.code, 'OVCACHE_BUSY');
      await first;
      await request.infer(input);
      request.dispose();
      compiled.dispose();
    });
  });

  describe('dispose', () => {
    it('throws OVCACHE_DISPOSED on every object after dispose', async () => {
      const model = await core.readModel(tinyXml, '');
      const compiled = await core.compileModel(model, 'CPU', []);
      const request = compiled.createInferRequest();
      request.dispose();
      compiled.dispose();
      model.dispose();
      const checks: Array<[string, () => unknown]> = [
        ['InferRequest', () => request.infer([])],
        ['CompiledModel', () => compiled.createInferRequest()],
        ['CompiledModel', () => compiled.exportModel(path.join(tmp, 'x.blob'))],
        ['Model', () => model.inputs()],
        ['Model', () => core.compileModel(model, 'CPU', [])],
      ];
      for (const [type, fn] of checks) {
        const error = await errorOf(fn);
        assert.equal(error.code, 'OVCACHE_DISPOSED');
        assert.equal(error.message, `${type} has been disposed`);
      }
      core.dispose();
      const error = await errorOf(() => core.readModel(tinyXml, ''));
      assert.equal(error.code, 'OVCACHE_DISPOSED');
      assert.equal(error.message, 'Core has been disposed');
    });

    it('frees every handle it created', async () => {
      const before = binding.liveHandles();
      const other = runtime.createCore();
      const model = await other.readModel(tinyXml, '');
      const compiled = await other.compileModel(model, 'CPU', []);
      const request = compiled.createInferRequest();
      assert.equal(binding.liveHandles(), before + 4);
      other.dispose(); // children stay usable: OpenVINO keeps what they need
      await request.infer([{ name: 'x', elementType: 'f32', shape: [1, 4], data: new Float32Array(4) }]);
      request.dispose();
      compiled.dispose();
      model.dispose();
      assert.equal(binding.liveHandles(), before);
    });

    it('is safe during an in-flight compile (the free waits for the call)', async () => {
      const before = binding.liveHandles();
      const other = runtime.createCore();
      const model = await other.readModel(tinyXml, '');
      const pending = other.compileModel(model, 'CPU', []);
      model.dispose();
      other.dispose();
      assert.equal(model.disposed, true);
      assert.equal(other.disposed, true);
      assert.equal(binding.liveHandles(), before + 2, 'freed under a running call');
      const compiled = await pending;
      assert.equal(binding.liveHandles(), before + 1, 'deferred frees did not happen');
      compiled.dispose();
      assert.equal(binding.liveHandles(), before);
    });

    it('refuses reshape while the model is being compiled', async () => {
      const model = await core.readModel(tinyXml, '');
      const pending = core.compileModel(model, 'CPU', []);
      const error = await errorOf(() =>
        model.reshape(
          ['x'],
          [
            [
              [2, 2],
              [4, 4],
            ],
          ],
        ),
      );
      assert.equal(error.code, 'OVCACHE_BUSY');
      (await pending).dispose();
      model.dispose();
    });
  });
});
