import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, OpenVINOError, OvcacheError, type Core, type OpenVINO, type Tensor } from '../../lib/index';
import { mlpReference, writeStringOutputModel } from '../../scripts/make-fixtures';
import { fixture, makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

/** The first output of an inference as plain numbers. */
function firstOutput(outputs: Record<string, Tensor>): number[] {
  const tensor = Object.values(outputs)[0];
  assert.ok(tensor, 'no output');
  return Array.from(tensor.data as Float32Array);
}

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<OvcacheError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    assert.ok(error instanceof OvcacheError, `expected an OvcacheError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected an error with code ${code}`);
}

describe('OpenVINO API against the stand-in runtime', () => {
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    tmp = makeTempDir();
  });
  beforeEach(() => {
    core = ov.createCore();
  });
  afterEach(() => {
    if (!core.disposed) core.dispose();
  });
  after(() => removeDir(tmp));

  it('loads the runtime, names the library and the version', () => {
    assert.equal(ov.libraryPath, STAND_IN);
    assert.equal(ov.source, 'libraryPath option');
    assert.match(ov.version.buildNumber, /^\d{4}\.\d+\.\d+/);
    assert.ok(ov.version.major >= 2024);
    assert.equal(ov.isStandIn, true);
  });

  it('returns the same runtime object for the same library', async () => {
    assert.equal(await loadOpenVINO({ libraryPath: STAND_IN }), ov);
  });

  it('lists devices and their caching capability', () => {
    const devices = core.availableDevices();
    assert.ok(devices.includes('CPU'));
    const cpu = core.deviceInfo('CPU');
    assert.ok(cpu.fullName.length > 0);
    assert.equal(cpu.canCache, true);
  });

  it('reads a model and reports its ports', async () => {
    using model = await core.readModel(fixture('mlp.xml'));
    assert.deepEqual(
      model.inputs.map((p) => [p.name, p.shape, p.elementType]),
      [['input', [1, 16], 'f32']],
    );
    assert.deepEqual(model.outputs[0]?.shape, [1, 4]);
  });

  it('reshapes with static, dynamic and ranged dimensions', async () => {
    using model = await core.readModel(fixture('image.xml'));
    model.reshape({ image: [1, 3, 64, 48] });
    assert.deepEqual(model.inputs[0]?.shape, [1, 3, 64, 48]);
    model.reshape({ image: '1,3,?,16..128' });
    assert.deepEqual(model.inputs[0]?.shape, [1, 3, { min: 0 }, { min: 16, max: 128 }]);
    assert.equal(model.isDynamic, true);
  });

  it('rejects reshape with an unknown input or a wrong rank before calling OpenVINO', async () => {
    using model = await core.readModel(fixture('image.xml'));
    await expectCode(() => model.reshape({ nope: [1, 3, 8, 8] }), 'OVCACHE_SHAPE_MISMATCH');
    await expectCode(() => model.reshape({ image: [1, 3, 8] }), 'OVCACHE_SHAPE_MISMATCH');
    const bad = await expectCode(() => model.reshape({ image: [1, 3, -5, 8] }), 'OVCACHE_INVALID_ARGUMENT');
    assert.match(bad.message, /^Expected a dimension .* for shapes\.image\[2\] but received -5 of type number$/);
  });

  it('compiles from a path and from a model, and infers real numbers', async () => {
    const fromPath = await core.compileModel(fixture('mlp.xml'), 'CPU', { PERFORMANCE_HINT: 'LATENCY' });
    using model = await core.readModel(fixture('mlp.xml'));
    const fromModel = await core.compileModel(model, 'CPU');
    const input = Float32Array.from({ length: 16 }, (_, i) => (i - 8) / 4);
    const a = await fromPath.createInferRequest().infer({ input });
    const b = await fromModel.createInferRequest().infer(input);
    const out = Object.values(a)[0]!;
    assert.deepEqual(out.shape, [1, 4]);
    assert.ok(out.data instanceof Float32Array);
    assert.deepEqual(firstOutput(a), firstOutput(b));
    const expected = mlpReference(input);
    firstOutput(a).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `output[${i}] ${v} vs ${expected[i]}`));
    fromPath.dispose();
    fromModel.dispose();
  });

  it('reports LOADED_FROM_CACHE: a miss, then a hit on a new core', async () => {
    const cacheDir = path.join(tmp, 'cache-hit');
    const first = await core.compileModel(fixture('mlp.xml'), 'CPU', { CACHE_DIR: cacheDir });
    assert.equal(first.loadedFromCache, false);
    assert.ok(fs.readdirSync(cacheDir).some((f) => f.endsWith('.blob')));
    using second = ov.createCore();
    const again = await second.compileModel(fixture('mlp.xml'), 'CPU', { CACHE_DIR: cacheDir });
    assert.equal(again.loadedFromCache, true);
    first.dispose();
    again.dispose();
  });

  it('exports and imports a compiled model', async () => {
    const compiled = await core.compileModel(fixture('mlp.xml'), 'CPU');
    const file = path.join(tmp, 'mlp.exported');
    await compiled.exportModel(file);
    const imported = await core.importModel(file, 'CPU');
    const input = new Float32Array(16).fill(0.5);
    const [x, y] = await Promise.all([compiled.createInferRequest().infer(input), imported.createInferRequest().infer(input)]);
    assert.deepEqual(firstOutput(x), firstOutput(y));
    await expectCode(core.importModel(new Uint8Array([1, 2, 3]), 'CPU'), 'OV_GENERAL_ERROR');
  });

  it('sets and reads core properties, with device "" for core-level ones', () => {
    core.setProperty('CACHE_DIR', path.join(tmp, 'global'));
    assert.equal(core.getProperty('', 'CACHE_DIR'), path.join(tmp, 'global'));
    core.setProperty('CPU', 'PERFORMANCE_HINT', 'throughput');
    assert.equal(core.getProperty('CPU', 'PERFORMANCE_HINT'), 'THROUGHPUT');
  });

  it('gives OpenVINOError with status, call and OpenVINO text for a runtime failure', async () => {
    const error = await expectCode(core.compileModel(fixture('mlp.xml'), 'CPU', { NOT_A_REAL_PROPERTY: 'x' }), 'OV_GENERAL_ERROR');
    assert.ok(error instanceof OpenVINOError);
    assert.equal(error.status, -1);
    assert.equal(error.call, 'ov_core_compile_model_from_file');
    assert.match(error.ovMessage ?? '', /NOT_A_REAL_PROPERTY/);
  });

  it('validates arguments in TypeScript with one message format', async () => {
    const e1 = await expectCode(core.compileModel(fixture('mlp.xml'), 'cpu'), 'OVCACHE_INVALID_ARGUMENT');
    assert.match(e1.message, /^Expected a device name such as "CPU".* for device but received "cpu" of type string$/);
    const e2 = await expectCode(
      core.compileModel(fixture('mlp.xml'), 'CPU', { PERFORMANCE_HINT: 'FAST' as 'LATENCY' }),
      'OVCACHE_INVALID_ARGUMENT',
    );
    assert.equal(
      e2.message,
      'Expected one of "LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT" for config.PERFORMANCE_HINT but received "FAST" of type string',
    );
    await expectCode(core.compileModel(fixture('mlp.xml'), 'CPU', { NUM_STREAMS: -2 }), 'OVCACHE_INVALID_ARGUMENT');
    await expectCode(core.compileModel(path.join(tmp, 'missing.xml'), 'CPU'), 'OVCACHE_MODEL_NOT_FOUND');
    await expectCode(core.compileModel(tmp, 'CPU'), 'OVCACHE_MODEL_INVALID');
    const unknown = await expectCode(loadOpenVINO({ libraryPath: STAND_IN, libaryPath: 'x' } as never), 'OVCACHE_UNKNOWN_OPTION');
    assert.match(unknown.message, /did you mean "libraryPath"\?/);
  });

  it('checks input data against the ports', async () => {
    using compiled = await core.compileModel(fixture('mlp.xml'), 'CPU');
    using request = compiled.createInferRequest();
    await expectCode(request.infer(new Float32Array(15)), 'OVCACHE_SHAPE_MISMATCH');
    await expectCode(request.infer(new Int32Array(16)), 'OVCACHE_ELEMENT_TYPE_MISMATCH');
    await expectCode(request.infer({ wrong: new Float32Array(16) }), 'OVCACHE_SHAPE_MISMATCH');
  });

  it('refuses a string output with OVCACHE_ELEMENT_TYPE_UNSUPPORTED instead of copying its bytes', async () => {
    const { xml } = writeStringOutputModel(tmp);
    using compiled = await core.compileModel(xml, 'CPU');
    assert.equal(compiled.outputs[1]?.elementType, 'string');
    using request = compiled.createInferRequest();
    const error = await expectCode(request.infer({ x: Float32Array.of(-1, 2) }), 'OVCACHE_ELEMENT_TYPE_UNSUPPORTED');
    assert.match(error.message, /Output 'text' has element type string/);
  });

  it('throws OVCACHE_DISPOSED on use after dispose, and dispose is idempotent', async () => {
    const compiled = await core.compileModel(fixture('mlp.xml'), 'CPU');
    compiled.dispose();
    compiled.dispose();
    assert.equal(compiled.disposed, true);
    await expectCode(() => compiled.createInferRequest(), 'OVCACHE_DISPOSED');
    core.dispose();
    await expectCode(() => core.availableDevices(), 'OVCACHE_DISPOSED');
  });

  it('keeps the event loop free while a slow compile runs (real async)', async function () {
    this.timeout(20000);
    // The stand-in reads OV_STUB_COMPILE_MS per compile call.
    const previous = process.env.OV_STUB_COMPILE_MS;
    process.env.OV_STUB_COMPILE_MS = '600';
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 20);
      const started = Date.now();
      const compiled = await core.compileModel(fixture('mlp.xml'), 'CPU');
      clearInterval(timer);
      const elapsed = Date.now() - started;
      compiled.dispose();
      assert.ok(elapsed >= 550, `compile took ${elapsed} ms; the stand-in did not apply OV_STUB_COMPILE_MS`);
      // A blocked loop fires the timer at most once (after the compile); a free one ~30 times. 3, not
      // 10: on a loaded machine a process's timers are late and setInterval does not catch up.
      assert.ok(ticks >= 3, `the timer fired ${ticks} times during a ${elapsed} ms compile`);
    } finally {
      if (previous === undefined) delete process.env.OV_STUB_COMPILE_MS;
      else process.env.OV_STUB_COMPILE_MS = previous;
    }
  });
});
