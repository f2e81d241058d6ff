// fromOpenvinoNode against a REAL openvino-node (`npm run test:openvino`): found beside the
// project or at OVCACHE_OPENVINO_NODE (e.g. an application's node_modules/openvino-node whose
// runtime was downloaded). Without one, every test here is skipped and the run says why.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fromOpenvinoNode, ModelCache, type OpenvinoNodeCoreAdapter } from '../../lib/index';
import { loadOpenvinoNode } from '../../lib/adapters/openvino-node/locate';
import { mlpReference, writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir } from '../helpers/paths';

describe('real openvino-node through fromOpenvinoNode', function () {
  let core: OpenvinoNodeCoreAdapter;
  let tmp: string;
  let skipReason: string | undefined;

  before(function () {
    try {
      core = fromOpenvinoNode(loadOpenvinoNode().addon);
      if (core.runtime.isStandIn) skipReason = 'OVCACHE_OPENVINO_NODE points at the conformance double over the stand-in, not OpenVINO.';
    } catch (error) {
      skipReason = (error as Error).message;
    }
    if (skipReason) {
      console.log(`\n  SKIPPED: the real openvino-node tests. Reason: ${skipReason}\n`);
      this.skip();
    }
    console.log(`\n  Using openvino-node with OpenVINO ${core.runtime.version.buildNumber}\n`);
    tmp = makeTempDir();
  });
  after(() => {
    if (tmp) removeDir(tmp);
    if (skipReason) console.log(`\n  REAL OPENVINO-NODE SUITE SKIPPED: ${skipReason}\n`);
  });

  it('lists CPU and reads its properties as text', () => {
    assert.ok(core.availableDevices().includes('CPU'));
    assert.ok(core.getProperty('CPU', 'FULL_DEVICE_NAME').length > 0);
    assert.match(core.getProperty('CPU', 'OPTIMIZATION_CAPABILITIES'), /EXPORT_IMPORT/);
  });

  it('reads ports with shapes and element types, reshapes, and infers the reference outputs', async () => {
    const files = writeMlp(tmp);
    using model = await core.readModel(files.xml);
    assert.deepEqual(model.inputs, [{ name: 'input', shape: [1, 16], elementType: 'f32' }]);
    using compiled = await core.compileModel(model, 'CPU');
    using request = compiled.createInferRequest();
    const x = new Float32Array(16).map((_, i) => i / 8 - 1);
    const out = Object.values(await request.infer(x))[0]!;
    Array.from(mlpReference(x)).forEach((v, i) => assert.ok(Math.abs((out.data[i] as number) - v) < 1e-4));
    using image = await core.readModel(writeImageModel(tmp).xml);
    image.reshape({ image: '1,3,?,16..128' });
    assert.deepEqual(image.inputs[0]?.shape, [1, 3, { min: 0 }, { min: 16, max: 128 }]);
  });

  it('ModelCache misses then hits (LOADED_FROM_CACHE) through the adapter', async () => {
    const xml = path.join(tmp, 'mlp.xml');
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
    const first = await cache.compile(xml, { device: 'CPU' });
    first.compiled.dispose();
    const second = await cache.compile(xml, { device: 'CPU' });
    second.compiled.dispose();
    assert.equal(first.hit, false);
    assert.equal(second.hit, true);
    await cache.dispose();
  });

  it('exports synchronously (exportModelSync) and imports the bytes', async () => {
    using compiled = await core.compileModel(path.join(tmp, 'mlp.xml'), 'CPU');
    const file = path.join(tmp, 'mlp.blob');
    await compiled.exportModel(file);
    assert.ok(fs.statSync(file).size > 0);
    using imported = await core.importModel(file, 'CPU');
    assert.deepEqual(imported.inputs, compiled.inputs);
  });

  it('maps a failure to OpenVINOError with OpenVINO’s text', async () => {
    await assert.rejects(core.compileModel(path.join(tmp, 'mlp.xml'), 'NO_SUCH_DEVICE'), (e: { code?: string; ovMessage?: string }) => {
      return e.code === 'OV_GENERAL_ERROR' && typeof e.ovMessage === 'string' && e.ovMessage.length > 0;
    });
  });
});
