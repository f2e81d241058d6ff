// Integration tests against a REAL OpenVINO runtime: `npm run test:openvino` with
// OPENVINO_LIB_PATH pointing at libopenvino_c.so (or its folder). Without one, every test
// here is skipped and the run says so, with the reason, at the top and the bottom.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, type OpenVINO } from '../../lib/index';
import { mlpReference, writeAll } from '../../scripts/make-fixtures';
import { FIDELITY_CASES } from '../fidelity/cases';
import { fixture, makeTempDir, removeDir } from '../helpers/paths';

function realRuntimeOrReason(): { ov?: Promise<OpenVINO>; reason?: string } {
  const where = process.env.OPENVINO_LIB_PATH;
  if (!where) return { reason: 'OPENVINO_LIB_PATH is not set. Point it at a real libopenvino_c.so (e.g. from `pip install openvino`).' };
  if (!fs.existsSync(where)) return { reason: `OPENVINO_LIB_PATH=${where} does not exist.` };
  return { ov: loadOpenVINO({ libraryPath: where }) };
}

/** Every test under `suite`, nested suites included. */
function countTests(suite: Mocha.Suite | undefined): number {
  if (!suite) return 0;
  return suite.tests.length + suite.suites.reduce((n, s) => n + countTests(s), 0);
}

describe('real OpenVINO runtime', function () {
  let tests = 0;
  let ov: OpenVINO;
  let tmp: string;
  let skipReason: string | undefined;

  before(async function () {
    tests = countTests(this.test?.parent);
    const found = realRuntimeOrReason();
    skipReason = found.reason;
    if (found.ov) {
      ov = await found.ov;
      if (ov.isStandIn) skipReason = `OPENVINO_LIB_PATH points at the ovcache test stand-in (${ov.libraryPath}), not OpenVINO.`;
    }
    if (skipReason) {
      console.log(`\n  SKIPPED: all ${tests} real-OpenVINO tests. Reason: ${skipReason}\n`);
      this.skip();
    }
    console.log(`\n  Using OpenVINO ${ov.version.buildNumber} from ${ov.libraryPath}\n`);
    tmp = makeTempDir();
    writeAll(path.join(tmp, 'fixtures'));
  });
  after(() => {
    if (tmp) removeDir(tmp);
    if (skipReason) console.log(`\n  REAL OPENVINO SUITE SKIPPED (${tests} tests): ${skipReason}\n`);
  });

  it('is a supported release and lists CPU', () => {
    using core = ov.createCore();
    assert.ok(core.availableDevices().includes('CPU'));
  });

  it('reads the fixture IR written by scripts/make-fixtures', async () => {
    using core = ov.createCore();
    using model = await core.readModel(fixture('mlp.xml'));
    assert.deepEqual(model.inputs[0]?.shape, [1, 16]);
    assert.equal(model.inputs[0]?.elementType, 'f32');
  });

  it('infers the MLP with the same numbers as the JS reference', async () => {
    using core = ov.createCore();
    using compiled = await core.compileModel(fixture('mlp.xml'), 'CPU');
    const input = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
    const out = Object.values(await compiled.createInferRequest().infer(input))[0]!;
    const expected = mlpReference(input);
    Array.from(out.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-3));
  });

  it('reshapes the image model and infers the new shape', async () => {
    using core = ov.createCore();
    using model = await core.readModel(fixture('image.xml'));
    model.reshape({ image: [1, 3, 20, 12] });
    using compiled = await core.compileModel(model, 'CPU');
    const out = Object.values(await compiled.createInferRequest().infer(new Float32Array(3 * 20 * 12)))[0]!;
    assert.deepEqual(out.shape, [1, 3, 20, 12]);
  });

  it('reports LOADED_FROM_CACHE false then true with CACHE_DIR', async () => {
    const dir = path.join(tmp, 'cache');
    {
      using core = ov.createCore();
      using first = await core.compileModel(fixture('mlp.xml'), 'CPU', { CACHE_DIR: dir });
      assert.equal(first.loadedFromCache, false);
    }
    using core = ov.createCore();
    using second = await core.compileModel(fixture('mlp.xml'), 'CPU', { CACHE_DIR: dir });
    assert.equal(second.loadedFromCache, true);
    assert.ok(fs.readdirSync(dir).some((f) => f.endsWith('.blob')));
  });

  it('exports and imports a compiled model', async () => {
    using core = ov.createCore();
    using compiled = await core.compileModel(fixture('mlp.xml'), 'CPU');
    const file = path.join(tmp, 'mlp.blob');
    await compiled.exportModel(file);
    using imported = await core.importModel(file, 'CPU');
    assert.deepEqual(imported.inputs[0]?.shape, [1, 16]);
  });

  it('maps a bad property to OpenVINOError with OpenVINO text', async () => {
    using core = ov.createCore();
    await assert.rejects(
      core.compileModel(fixture('mlp.xml'), 'CPU', { NOT_A_PROPERTY: 'x' }),
      (e: { code?: string; ovMessage?: string }) => {
        return e.code === 'OV_GENERAL_ERROR' && typeof e.ovMessage === 'string';
      },
    );
  });

  // The same cases the release matrix runs against the stand-in (test/fidelity/cases.ts): each
  // element type with reference numbers, each reshape form, and the C-layer traps, by name.
  describe('fidelity cases (the same as the release matrix)', () => {
    for (const c of FIDELITY_CASES) {
      it(c.name, async () => {
        await c.run({ ov, fixtures: path.join(tmp, 'fixtures'), tmp });
      });
    }
  });
});
