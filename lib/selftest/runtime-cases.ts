// The real-runtime cases (formerly inline in test/real-openvino/real-runtime.test.ts): a runtime
// lists the device, reads, compiles and infers the fixtures with the JS reference numbers,
// reshapes, caches through CACHE_DIR, exports and imports, and maps OpenVINO's errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { mlpReference } from './fixture-models';
import { SelftestSkip, type SelftestCase } from './case';

export const RUNTIME_CASES: readonly SelftestCase[] = [
  {
    name: 'is a supported release and lists the device',
    // eslint-disable-next-line @typescript-eslint/require-await
    async run({ ov, device }) {
      using core = ov.createCore();
      assert.ok(core.availableDevices().includes(device), `${device} is not in ${core.availableDevices().join(', ')}`);
      const info = core.deviceInfo(device);
      return { fullName: info.fullName, canCache: info.canCache };
    },
  },
  {
    name: 'reads the fixture IR',
    async run({ ov, fixtures }) {
      using core = ov.createCore();
      using model = await core.readModel(path.join(fixtures, 'mlp.xml'));
      assert.deepEqual(model.inputs[0]?.shape, [1, 16]);
      assert.equal(model.inputs[0]?.elementType, 'f32');
    },
  },
  {
    name: 'infers the MLP with the same numbers as the JS reference',
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      using compiled = await core.compileModel(path.join(fixtures, 'mlp.xml'), device);
      const input = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
      using request = compiled.createInferRequest();
      const out = Object.values(await request.infer(input))[0];
      assert.ok(out, 'an output');
      const expected = mlpReference(input);
      Array.from(out.data as Float32Array).forEach((v, i) =>
        assert.ok(Math.abs(v - expected[i]!) < 1e-3, `output[${i}] = ${v}, want ${expected[i]}`),
      );
    },
  },
  {
    name: 'reshapes the image model and infers the new shape',
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      using model = await core.readModel(path.join(fixtures, 'image.xml'));
      model.reshape({ image: [1, 3, 20, 12] });
      using compiled = await core.compileModel(model, device);
      using request = compiled.createInferRequest();
      const out = Object.values(await request.infer(new Float32Array(3 * 20 * 12)))[0];
      assert.deepEqual(out?.shape, [1, 3, 20, 12]);
    },
  },
  {
    name: 'reports LOADED_FROM_CACHE false then true with CACHE_DIR',
    async run({ ov, device, fixtures, tmp }) {
      const dir = path.join(tmp, 'cache');
      const model = path.join(fixtures, 'mlp.xml');
      {
        using core = ov.createCore();
        if (!core.deviceInfo(device).canCache) throw new SelftestSkip(`${device} does not list EXPORT_IMPORT: it cannot cache`);
        using first = await core.compileModel(model, device, { CACHE_DIR: dir });
        assert.equal(first.loadedFromCache, false, 'first compile loaded from cache');
      }
      using core = ov.createCore();
      using second = await core.compileModel(model, device, { CACHE_DIR: dir });
      assert.equal(second.loadedFromCache, true, 'second compile did not load from cache');
      assert.ok(
        fs.readdirSync(dir).some((f) => f.endsWith('.blob')),
        'no .blob in CACHE_DIR',
      );
    },
  },
  {
    name: 'exports and imports a compiled model',
    async run({ ov, device, fixtures, tmp }) {
      using core = ov.createCore();
      if (!core.deviceInfo(device).canCache) throw new SelftestSkip(`${device} does not list EXPORT_IMPORT: it cannot export`);
      using compiled = await core.compileModel(path.join(fixtures, 'mlp.xml'), device);
      const file = path.join(tmp, 'mlp.blob');
      await compiled.exportModel(file);
      using imported = await core.importModel(file, device);
      assert.deepEqual(imported.inputs[0]?.shape, [1, 16]);
    },
  },
  {
    name: 'maps a bad property to OpenVINOError with OpenVINO text',
    async run({ ov, device, fixtures }) {
      using core = ov.createCore();
      await assert.rejects(
        core.compileModel(path.join(fixtures, 'mlp.xml'), device, { NOT_A_PROPERTY: 'x' }),
        (e: { code?: string; ovMessage?: string }) => {
          return e.code === 'OV_GENERAL_ERROR' && typeof e.ovMessage === 'string';
        },
      );
    },
  },
];
