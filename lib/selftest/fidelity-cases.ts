// The fidelity cases: element types, every shape form, and the C-layer traps of issue 10, written
// once and run by name against the stand-in configured as each release line
// (test/release-matrix/), against a real OpenVINO (test/real-openvino/) and by `ovcache selftest`
// on each device. Each case throws on a wrong result. The models are those of fixture-models.ts
// (writeAll), written into `fixtures`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { LocalModelCache } from '../cache/model-cache';
import type { PortInfo } from '../openvino/port';
import { formatPartialShape } from '../openvino/shapes';
import { FIXTURE_ELEMENT_TYPES, mlpReference, type FixtureElementType } from './fixture-models';
import type { SelftestCase } from './case';
import { asNumbers, typedInput, typedReference } from './typed-values';

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<{ message: string; ovMessage?: string }> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    assert.equal((error as { code?: string }).code, code, String(error));
    return error as { message: string; ovMessage?: string };
  }
  assert.fail(`expected an error with code ${code}`);
}

function elementCase(et: FixtureElementType): SelftestCase {
  return {
    name: `reads, compiles and infers a ${et} model with the JS reference numbers`,
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      using model = await core.readModel(path.join(fixtures, `typed-${et}.xml`));
      assert.equal(model.inputs[0]?.elementType, et, 'input element type');
      assert.equal(model.outputs[0]?.elementType, et, 'output element type');
      using compiled = await core.compileModel(model, device);
      assert.equal(compiled.inputs[0]?.elementType, et, 'compiled input element type');
      using request = compiled.createInferRequest();
      const out = (await request.infer({ x: typedInput(et) })).y;
      assert.ok(out, 'output "y"');
      assert.equal(out.elementType, et);
      assert.deepEqual(out.shape, [2, 3]);
      assert.deepEqual(asNumbers(et, out.data), typedReference(et));
    },
  };
}

/** Reshapes the MLP's input to `shape`, checks what the model reports, then infers `batch` rows. */
function reshapeCase(label: string, shape: unknown, expected: PortInfo['shape'], batch: number): SelftestCase {
  return {
    name: `reshape with ${label} reads back as expected and infers a batch of ${batch}`,
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      using model = await core.readModel(path.join(fixtures, 'mlp.xml'));
      model.reshape({ input: shape as never });
      assert.deepEqual(model.inputs[0]?.shape, expected);
      using compiled = await core.compileModel(model, device);
      using request = compiled.createInferRequest();
      const input = Float32Array.from({ length: batch * 16 }, (_, i) => Math.sin(i) * 2);
      const out = (await request.infer({ input: { data: input, shape: [batch, 16] } })).output;
      assert.ok(out, 'output "output"');
      assert.deepEqual(out.shape, [batch, 4]);
      const want = mlpReference(input);
      Array.from(out.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-4, `output[${i}]`));
    },
  };
}

/** A model whose input is `shape` in its IR: the shape read back passes back into reshape. */
function roundTripCase(file: string, expected: PortInfo['shape']): SelftestCase {
  return {
    name: `the shape read from ${file} passes back into reshape (as read and as text)`,
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      using model = await core.readModel(path.join(fixtures, file));
      const read = model.inputs[0]!;
      assert.deepEqual(read.shape, expected);
      model.reshape({ [read.name]: read.shape });
      assert.deepEqual(model.inputs[0]?.shape, expected);
      model.reshape({ [read.name]: formatPartialShape(read.shape) });
      assert.deepEqual(model.inputs[0]?.shape, expected);
      using compiled = await core.compileModel(model, device);
      using request = compiled.createInferRequest();
      const out = (
        await request.infer({
          x: { data: Float32Array.from([-1, 2, -3, 4, 5, -6, 7, -8].concat(new Array(8 * 15).fill(1))), shape: [8, 16] },
        })
      ).y;
      assert.deepEqual(out?.shape, [8, 16]);
      assert.deepEqual(Array.from(out.data as Float32Array).slice(0, 8), [0, 2, 0, 4, 5, 0, 7, 0]);
    },
  };
}

export const FIDELITY_CASES: readonly SelftestCase[] = [
  ...FIXTURE_ELEMENT_TYPES.map(elementCase),
  reshapeCase('"?" (fully dynamic)', '?,16', [{ min: 0 }, 16], 3),
  reshapeCase('-1', [-1, 16], [{ min: 0 }, 16], 2),
  reshapeCase('a range 1..8', '1..8,16', [{ min: 1, max: 8 }, 16], 5),
  reshapeCase('a lower bound 4..', [{ min: 4 }, 16], [{ min: 4 }, 16], 6),
  reshapeCase('a static size', [7, 16], [7, 16], 7),
  roundTripCase('dynamic-batch.xml', [{ min: 0 }, 16]),
  roundTripCase('lower-bound.xml', [{ min: 4 }, 16]),
  {
    name: 'reshape to a dynamic rank or a scalar is refused in TypeScript (OVCACHE_SHAPE_UNSUPPORTED)',
    async run({ ov, fixtures }) {
      using core = ov.createCore();
      using model = await core.readModel(path.join(fixtures, 'mlp.xml'));
      const rank = await expectCode(() => model.reshape({ input: null }), 'OVCACHE_SHAPE_UNSUPPORTED');
      assert.match(rank.message, /input "input".*dynamic rank/);
      await expectCode(() => model.reshape({ input: '...' }), 'OVCACHE_SHAPE_UNSUPPORTED');
      const scalar = await expectCode(() => model.reshape({ input: [] }), 'OVCACHE_SHAPE_UNSUPPORTED');
      assert.match(scalar.message, /input "input".*scalar/);
      assert.deepEqual(model.inputs[0]?.shape, [1, 16], 'the model is unchanged');
      using dyn = await core.readModel(path.join(fixtures, 'dynamic-rank.xml'));
      assert.equal(dyn.inputs[0]?.shape, null, 'a dynamic rank reads as null');
      await expectCode(() => dyn.reshape({ x: dyn.inputs[0]!.shape }), 'OVCACHE_SHAPE_UNSUPPORTED');
    },
  },
  {
    name: 'ModelCache compiles a "?,16" reshape of the MLP, then hits, with correct numbers',
    async run({ ov, device, fixtures, tmp }) {
      const cache = new LocalModelCache({ runtime: ov, dir: path.join(tmp, `cache-${process.pid}`) });
      try {
        const first = await cache.compile(path.join(fixtures, 'mlp.xml'), { device, shapes: { input: '?,16' } });
        first.compiled.dispose();
        const second = await cache.compile(path.join(fixtures, 'mlp.xml'), { device, shapes: { input: [-1, 16] } });
        assert.equal(second.hit, true, 'the second compile is a cache hit');
        using compiled = second.compiled;
        using request = compiled.createInferRequest();
        const input = Float32Array.from({ length: 32 }, (_, i) => i / 7);
        const out = (await request.infer({ input: { data: input, shape: [2, 16] } })).output!;
        const want = mlpReference(input);
        Array.from(out.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-4));
      } finally {
        await cache.dispose();
      }
    },
  },
  {
    name: 'ModelCache compiles the i64 model from its path, then hits after a new Core, with the reference numbers',
    async run({ ov, device, fixtures, tmp }) {
      const dir = path.join(tmp, `cache-i64-${process.pid}`);
      const model = path.join(fixtures, 'typed-i64.xml');
      for (const expectHit of [false, true]) {
        const cache = new LocalModelCache({ runtime: ov, dir });
        try {
          const result = await cache.compile(model, { device });
          assert.equal(result.hit, expectHit, `hit on the ${expectHit ? 'second' : 'first'} compile`);
          using compiled = result.compiled;
          using request = compiled.createInferRequest();
          const out = (await request.infer({ x: typedInput('i64') })).y!;
          assert.equal(out.elementType, 'i64');
          assert.deepEqual(asNumbers('i64', out.data), typedReference('i64'));
        } finally {
          await cache.dispose();
        }
      }
    },
  },
  {
    name: 'an exported and re-imported u8 model keeps its element types and numbers',
    async run({ ov, device, fixtures, tmp }) {
      using core = ov.createCore();
      const file = path.join(tmp, `u8-${process.pid}.blob`);
      {
        using compiled = await core.compileModel(path.join(fixtures, 'typed-u8.xml'), device);
        await compiled.exportModel(file);
      }
      using imported = await core.importModel(file, device);
      assert.equal(imported.inputs[0]?.elementType, 'u8');
      assert.equal(imported.outputs[0]?.elementType, 'u8');
      using request = imported.createInferRequest();
      const out = (await request.infer({ x: typedInput('u8') })).y!;
      assert.deepEqual(asNumbers('u8', out.data), typedReference('u8'));
    },
  },
  {
    name: 'IR whose op types are written in other cases ("convert", "MULTIPLY") reads and infers',
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      using compiled = await core.compileModel(path.join(fixtures, 'typed-f32-mixed-case.xml'), device);
      using request = compiled.createInferRequest();
      const out = (await request.infer({ x: typedInput('f32') })).y!;
      assert.deepEqual(asNumbers('f32', out.data), typedReference('f32'));
    },
  },
  {
    name: 'an input without a tensor name is fed by index (key "input0")',
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      using compiled = await core.compileModel(path.join(fixtures, 'unnamed-input.xml'), device);
      assert.equal(compiled.inputs[0]?.name, '');
      using request = compiled.createInferRequest();
      const data = Float32Array.from([-1, 2, -3, 4, 5, -6, 7, -8]);
      assert.deepEqual(Array.from((await request.infer({ input0: data })).y!.data as Float32Array), [0, 2, 0, 4, 5, 0, 7, 0]);
      assert.deepEqual(Array.from((await request.infer(data)).y!.data as Float32Array), [0, 2, 0, 4, 5, 0, 7, 0]);
    },
  },
  {
    name: 'CACHE_ENCRYPTION_CALLBACKS is refused before any native call (OVCACHE_PROPERTY_UNSUPPORTED)',
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      const compile = await expectCode(
        core.compileModel(path.join(fixtures, 'mlp.xml'), device, { CACHE_ENCRYPTION_CALLBACKS: 'x' }),
        'OVCACHE_PROPERTY_UNSUPPORTED',
      );
      assert.match(compile.message, /CACHE_ENCRYPTION_CALLBACKS/);
      await expectCode(() => core.setProperty('CACHE_ENCRYPTION_CALLBACKS', 'x'), 'OVCACHE_PROPERTY_UNSUPPORTED');
      await expectCode(() => core.setProperty(device, 'cache_encryption_callbacks', 'x'), 'OVCACHE_PROPERTY_UNSUPPORTED');
    },
  },
  {
    name: "a failed export into a missing folder carries no earlier failure's OpenVINO text",
    async run({ ov, device, fixtures, tmp }) {
      using core = ov.createCore();
      const earlier = await expectCode(core.compileModel(path.join(fixtures, 'mlp.xml'), 'NO_SUCH_DEVICE'), 'OV_GENERAL_ERROR');
      assert.match(earlier.ovMessage ?? '', /NO_SUCH_DEVICE/, 'the earlier failure has its text');
      using compiled = await core.compileModel(path.join(fixtures, 'mlp.xml'), device);
      const target = path.join(tmp, 'no-such-folder', 'sub', 'model.blob');
      const failed = await expectCode(compiled.exportModel(target), 'OV_GENERAL_ERROR');
      assert.equal(failed.ovMessage, undefined, `stale ovMessage: ${failed.ovMessage}`);
      assert.doesNotMatch(failed.message, /NO_SUCH_DEVICE/);
      assert.match(failed.message, /could not open .*model\.blob/);
    },
  },
];
