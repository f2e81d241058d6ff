// fromOpenvinoNode against the conformance double (openvino-node's published API over the
// stand-in): the same answers as ovcache's own binding, mapped values and coded errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fromOpenvinoNode, loadOpenVINO, OpenVINOError, type Core, type OpenVINO, type OpenvinoNodeCoreAdapter } from '../../lib/index';
import { openvinoNodeErrorCode } from '../../lib/adapters/openvino-node/errors';
import { elementTypeOf, parseOpenVINOShapeText, propertyText } from '../../lib/adapters/openvino-node/values';
import { mlpReference, writeImageModel, writeMlp, writeShapedModel, writeTypedModel } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { createDoubleAddon } from './double/addon';

describe('fromOpenvinoNode over the openvino-node conformance double', () => {
  let ov: OpenVINO;
  let own: Core;
  let core: OpenvinoNodeCoreAdapter;
  let tmp: string;
  let mlp: string;
  let image: string;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    tmp = makeTempDir();
    mlp = writeMlp(tmp).xml;
    image = writeImageModel(tmp).xml;
  });
  beforeEach(() => {
    own = ov.createCore();
    core = fromOpenvinoNode(createDoubleAddon(ov));
  });
  afterEach(() => {
    own.dispose();
    core.dispose();
  });
  after(() => removeDir(tmp));

  it("reports the runtime's build, devices and device properties as ovcache's binding does", () => {
    assert.equal(core.runtime.version.buildNumber, ov.version.buildNumber);
    assert.equal(core.runtime.binding, 'openvino-node');
    assert.equal(core.runtime.isStandIn, true);
    assert.deepEqual(core.availableDevices(), own.availableDevices());
    for (const key of ['FULL_DEVICE_NAME', 'OPTIMIZATION_CAPABILITIES', 'SUPPORTED_PROPERTIES']) {
      assert.equal(core.getProperty('CPU', key), own.getProperty('CPU', key), key);
    }
  });

  it('reads ports with shapes and element types equal to the binding’s, outputs included', async () => {
    for (const file of [mlp, image, writeTypedModel(tmp, 'i32').xml, writeShapedModel(tmp, '4..,16', 'lower').xml]) {
      using mine = await core.readModel(file);
      using theirs = await own.readModel(file);
      assert.deepEqual(mine.inputs, theirs.inputs, file);
      assert.deepEqual(mine.outputs, theirs.outputs, file);
      assert.equal(mine.path, theirs.path);
    }
  });

  it('reshapes with static, dynamic and ranged dimensions, with ovcache’s checks first', async () => {
    using model = await core.readModel(image);
    model.reshape({ image: '1,3,?,16..128' });
    assert.deepEqual(model.inputs[0]?.shape, [1, 3, { min: 0 }, { min: 16, max: 128 }]);
    model.reshape({ image: [1, 3, 64, 48] });
    assert.deepEqual(model.inputs[0]?.shape, [1, 3, 64, 48]);
    await expectCode(() => model.reshape({ nope: [1] }), 'OVCACHE_SHAPE_MISMATCH', /no input named "nope"/);
    await expectCode(() => model.reshape({ image: [1, 3] }), 'OVCACHE_SHAPE_MISMATCH', /rank 4/);
    await expectCode(() => model.reshape({ image: null }), 'OVCACHE_SHAPE_UNSUPPORTED', /dynamic rank/);
  });

  it('compiles from a path and from a model, infers the reference outputs, reads compiled properties as text', async () => {
    const x = new Float32Array(16).map((_, i) => i / 8 - 1);
    using fromPath = await core.compileModel(mlp, 'CPU');
    using model = await core.readModel(mlp);
    using fromModel = await core.compileModel(model, 'CPU');
    using reference = await own.compileModel(mlp, 'CPU');
    for (const compiled of [fromPath, fromModel]) {
      assert.deepEqual(compiled.inputs, reference.inputs);
      assert.deepEqual(compiled.outputs, reference.outputs);
      assert.equal(compiled.loadedFromCache, false);
      assert.equal(compiled.getProperty('OPTIMAL_NUMBER_OF_INFER_REQUESTS'), reference.getProperty('OPTIMAL_NUMBER_OF_INFER_REQUESTS'));
      using request = compiled.createInferRequest();
      const out = await request.infer({ input: x });
      const tensor = Object.values(out)[0]!;
      assert.equal(tensor.elementType, 'f32');
      assert.deepEqual(tensor.shape, [1, 4]);
      Array.from(mlpReference(x)).forEach((v, i) => assert.ok(Math.abs((tensor.data[i] as number) - v) < 1e-5));
    }
  });

  it('reads LOADED_FROM_CACHE (a boolean in openvino-node) as a hit on the second compile with CACHE_DIR', async () => {
    const CACHE_DIR = path.join(tmp, 'ov-cache');
    using first = await core.compileModel(mlp, 'CPU', { CACHE_DIR });
    using second = await core.compileModel(mlp, 'CPU', { CACHE_DIR });
    assert.equal(first.loadedFromCache, false);
    assert.equal(second.loadedFromCache, true);
    assert.equal(second.getProperty('LOADED_FROM_CACHE'), 'YES');
  });

  it('imports what ovcache’s binding exported, bytes or file', async () => {
    const file = path.join(tmp, 'mlp.blob');
    using exported = await own.compileModel(mlp, 'CPU');
    await exported.exportModel(file);
    for (const source of [file, fs.readFileSync(file)]) {
      using imported = await core.importModel(source, 'CPU');
      using request = imported.createInferRequest();
      const out = await request.infer(new Float32Array(16).fill(1));
      assert.deepEqual(Object.values(out)[0]?.shape, [1, 4]);
    }
  });

  it('maps openvino-node’s plain errors to OpenVINOError with a code, its call and OpenVINO’s text', async () => {
    const error = await expectCode(core.compileModel(mlp, 'NPU'), 'OV_GENERAL_ERROR');
    assert.ok(error instanceof OpenVINOError);
    assert.equal(error.call, 'Core.compileModel');
    assert.equal(error.status, -1);
    assert.ok(error.ovMessage && error.message.includes(error.ovMessage), error.message);
    // The double cannot export synchronously: the adapter says so with a code, and writes nothing.
    using compiled = await core.compileModel(mlp, 'CPU');
    const target = path.join(tmp, 'never.blob');
    await expectCode(compiled.exportModel(target), 'OV_NOT_IMPLEMENTED', /exportModelSync/);
    assert.equal(fs.existsSync(target), false);
    assert.equal(openvinoNodeErrorCode('Infer Request is busy'), 'OV_REQUEST_BUSY');
    assert.equal(openvinoNodeErrorCode('Infer request was cancelled'), 'OV_INFER_CANCELLED');
    assert.equal(openvinoNodeErrorCode("'compileModel' method called with incorrect parameters."), 'OV_INVALID_C_PARAM');
    assert.equal(
      openvinoNodeErrorCode('Exception from src/inference/src/cpp/core.cpp:97:\nDevice with "NPU" name is not registered'),
      'OV_GENERAL_ERROR',
    );
  });

  it('refuses what it cannot pass on, with ovcache’s codes, before calling openvino-node', async () => {
    await expectCode(() => fromOpenvinoNode({} as never), 'OVCACHE_INVALID_ARGUMENT', /require\('openvino-node'\)\.addon/);
    await expectCode(core.compileModel(path.join(tmp, 'missing.xml'), 'CPU'), 'OVCACHE_MODEL_NOT_FOUND');
    using foreign = await own.readModel(mlp);
    await expectCode(core.compileModel(foreign, 'CPU'), 'OVCACHE_INVALID_ARGUMENT', /read by this openvino-node core/);
    await expectCode(core.compileModel(mlp, 'CPU', { CACHE_ENCRYPTION_CALLBACKS: 'x' }), 'OVCACHE_PROPERTY_UNSUPPORTED');
    using f16 = await core.compileModel(writeTypedModel(tmp, 'f16').xml, 'CPU');
    using request = f16.createInferRequest();
    await expectCode(request.infer(new Uint16Array(6)), 'OVCACHE_ELEMENT_TYPE_UNSUPPORTED', /openvino-node's Tensor/);
    const model = await core.readModel(mlp);
    model.dispose();
    await expectCode(() => model.inputs, 'OVCACHE_DISPOSED');
    core.dispose();
    await expectCode(() => core.availableDevices(), 'OVCACHE_DISPOSED');
  });

  it('maps OVAny values, PartialShape text and element types, and refuses what it cannot read', async () => {
    assert.equal(propertyText(true, 'K'), 'YES');
    assert.equal(propertyText(false, 'K'), 'NO');
    assert.equal(propertyText(4, 'K'), '4');
    assert.equal(propertyText(['FP32', 'EXPORT_IMPORT'], 'K'), 'FP32 EXPORT_IMPORT');
    await expectCode(() => propertyText({ a: 1 }, 'K'), 'OVCACHE_PROPERTY_UNSUPPORTED', /property K/);
    assert.equal(parseOpenVINOShapeText('[...]'), null);
    assert.deepEqual(parseOpenVINOShapeText('[1,3,?,16..128]'), [1, 3, { min: 0 }, { min: 16, max: 128 }]);
    assert.deepEqual(parseOpenVINOShapeText('[4..,16]'), [{ min: 4 }, 16]);
    await expectCode(() => parseOpenVINOShapeText('[a,b]'), 'OVCACHE_SHAPE_UNSUPPORTED');
    assert.equal(elementTypeOf('f32'), 'f32');
    assert.equal(elementTypeOf(8), 'f32', "the declared enum's order");
    assert.equal(elementTypeOf('boolean'), 'boolean');
    await expectCode(() => elementTypeOf('q7'), 'OVCACHE_ELEMENT_TYPE_UNSUPPORTED');
  });
});
