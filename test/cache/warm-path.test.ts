// The warm path for reshaped models against the stand-in: a fill with `shapes` compiles the
// entry's own reshaped IR in the path form, and a restart loads the entry without reading,
// reshaping or hashing the model; outputs are right; a changed .bin is never served from the
// entry; a missing reshaped IR or a damaged blob falls back without failing; weightless entries
// take the same path; the stand-in's import behaves as upstream's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest, type EntryManifest } from '../../lib/cache/entry/manifest';
import { reshapedIrFolder } from '../../lib/cache/warm/warm-path';
import { loadOpenVINO, ModelCache, type CompileResult, type Core, type ModelCacheOptions, type OpenVINO } from '../../lib/index';
import { IMAGE_BIAS, IMAGE_SCALE, imageReference, writeImageModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { readStubLog, type StubEvent } from './helpers';

const SHAPES = { image: [1, 3, 6, 10] };

function imageInput(): Float32Array {
  return Float32Array.from({ length: 3 * 6 * 10 }, (_, i) => ((i % 17) - 8) / 4);
}

/** The image model's output with other scales (what a replaced .bin holds). */
function scaledReference(scale: readonly number[]) {
  return (x: Float32Array) =>
    x.map((v, i) => {
      const c = Math.floor(i / (x.length / 3));
      return Math.max(0, v * (scale[c] ?? 1) + (IMAGE_BIAS[c] ?? 0));
    });
}

describe('warm path for reshaped models', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let tmp: string;
  let xml: string;
  let bin: string;
  let log: string;
  const open: { dispose(): void | Promise<void> }[] = [];
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string) => {
    if (!(name in saved)) saved[name] = process.env[name];
    process.env[name] = value;
  };
  /** A new Core and ModelCache, as after a restart. */
  const restart = (dir = path.join(tmp, 'cache'), options: Partial<ModelCacheOptions> = {}) => {
    const core: Core = ov.createCore();
    const cache = new ModelCache({ core, dir, ...options });
    open.unshift(cache);
    open.push(core);
    return { cache, core };
  };
  const compile = async (
    options: Parameters<ModelCache['compile']>[1],
    model: Parameters<ModelCache['compile']>[0] = xml,
    dir?: string,
  ) => {
    const r = await restart(dir).cache.compile(model, options);
    open.unshift(r.compiled);
    return r;
  };
  const eventsSince = (mark: number): StubEvent[] => readStubLog(log).slice(mark);
  const mark = () => readStubLog(log).length;
  /** The reshaped IR a compile went through (the manifest's path source) and its weights link. */
  const reshapedOf = async (r: CompileResult) => {
    const source = (await manifestOf(r)).sources.find((x) => x.kind === 'path');
    assert.ok(source?.kind === 'path', 'a path source');
    return { xml: source.xml, link: source.xml.replace(/\.xml$/, '.bin') };
  };
  const manifestOf = async (r: CompileResult): Promise<EntryManifest> => {
    const read = await readManifest(r.entryDir as string);
    assert.equal(read.status, 'ok');
    return (read as { manifest: EntryManifest }).manifest;
  };
  const checkOutputs = async (r: CompileResult, reference: (x: Float32Array) => Float32Array) => {
    const input = imageInput();
    const out = Object.values(await r.compiled.createInferRequest().infer({ image: input }))[0];
    assert.deepEqual(out?.shape, SHAPES.image);
    assert.deepEqual(Array.from(out?.data as Float32Array), Array.from(reference(input)));
  };
  const replaceBin = (scale: readonly number[]) => {
    const times = fs.statSync(xml);
    const replaced = Buffer.from(Float32Array.from([...scale, ...IMAGE_BIAS]).buffer);
    assert.equal(replaced.length, fs.statSync(bin).size, 'same size');
    fs.writeFileSync(bin, replaced);
    fs.utimesSync(xml, times.atime, times.mtime);
  };

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir();
    ({ xml, bin } = writeImageModel(tmp, 'image'));
    log = path.join(tmp, 'stub.log');
    setEnv('OV_STUB_LOG', log);
    setEnv('OV_STUB_DEVICES', 'CPU,GPU');
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.dispose();
    // The reshaped IRs this test's models left in the per-user folder.
    const folder = reshapedIrFolder();
    for (const name of fs.existsSync(folder) ? fs.readdirSync(folder) : []) {
      const file = path.join(folder, name);
      if (name.endsWith('.bin') && fs.readlinkSync(file).startsWith(tmp)) {
        fs.rmSync(file);
        fs.rmSync(file.replace(/\.bin$/, '.xml'), { force: true });
      }
    }
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
      delete saved[name];
    }
    removeDir(tmp);
  });

  for (const device of ['CPU', 'GPU']) {
    const kind = device === 'GPU' ? 'weightless' : 'full';
    it(`${device} (${kind} blobs): a restart with shapes loads the entry without reading the model`, async () => {
      const cold = await compile({ device, shapes: SHAPES });
      assert.equal(cold.hit, false);
      assert.equal(cold.warmPath, undefined);
      assert.equal(cold.parts?.config.ENABLE_WEIGHTLESS, device === 'GPU' ? 'YES' : undefined);
      const entry = cold.entryDir as string;
      const reshaped = await reshapedOf(cold);
      assert.equal(path.dirname(reshaped.xml), reshapedIrFolder());
      assert.equal(fs.readlinkSync(reshaped.link), bin);
      assert.match(fs.readFileSync(reshaped.xml, 'utf8'), /shape="1,3,6,10"/);
      assert.equal((fs.statSync(reshapedIrFolder()).mode & 0o077).toString(8), '0', 'owner-only');
      await checkOutputs(cold, imageReference);

      const since = mark();
      const warm = await compile({ device, shapes: SHAPES });
      assert.equal(warm.hit, true);
      assert.equal(warm.warmPath, 'reshaped-ir');
      assert.equal(warm.key, cold.key);
      const seen = eventsSince(since);
      assert.deepEqual(
        seen.filter((e) => ['read_model', 'compile'].includes(e.event)),
        [],
        'no read, no compile',
      );
      assert.deepEqual(
        seen.filter((e) => e.event === 'import').map((e) => path.dirname(String(e.blob))),
        [entry],
      );
      await checkOutputs(warm, imageReference);
    });

    it(`${device} (${kind} blobs): a .bin replaced with one of the same size (the .xml untouched) is never served from the entry`, async () => {
      const cold = await compile({ device, shapes: SHAPES });
      const scale = IMAGE_SCALE.map((s) => s * 3);
      replaceBin(scale);
      const since = mark();
      const after = await compile({ device, shapes: SHAPES });
      assert.equal(after.hit, false);
      assert.notEqual(after.key, cold.key);
      assert.ok(!eventsSince(since).some((e) => e.event === 'import' && String(e.blob).startsWith(cold.entryDir as string)));
      await checkOutputs(after, scaledReference(scale));
      const again = await compile({ device, shapes: SHAPES });
      assert.equal(again.warmPath, 'reshaped-ir');
      await checkOutputs(again, scaledReference(scale));
    });
  }

  it("a dynamic variant (dynamicShapes) is served on a restart through the warm path, outputs in the call's shape", async () => {
    const options = { dynamicShapes: 'auto' as const };
    const sized = async (n: number) => {
      const { cache } = restart(undefined, options);
      const r = await cache.compile(xml, { device: 'CPU', shapes: { image: [1, 3, n, n] } });
      open.unshift(r.compiled);
      return r;
    };
    for (const n of [8, 16, 24]) assert.equal((await sized(n)).variant, 'static');
    const variant = await sized(12);
    assert.equal(variant.variant, 'dynamic');
    const since = mark();
    const inside = await sized(20);
    assert.equal(inside.variant, 'dynamic');
    assert.equal(inside.key, variant.key);
    assert.equal(inside.hit, true);
    assert.equal(inside.warmPath, 'reshaped-ir');
    assert.deepEqual(
      eventsSince(since).filter((e) => ['read_model', 'compile'].includes(e.event)),
      [],
    );
    const input = Float32Array.from({ length: 3 * 20 * 20 }, (_, i) => ((i % 11) - 5) / 2);
    const out = Object.values(await inside.compiled.createInferRequest().infer({ data: input, shape: [1, 3, 20, 20] }))[0];
    assert.deepEqual(out?.shape, [1, 3, 20, 20]);
    assert.deepEqual(Array.from(out?.data as Float32Array), Array.from(imageReference(input)));
  });

  it('a shape the model cannot take fails as a reshape does, twice, and leaves no entry', async () => {
    const bad = { device: 'CPU', shapes: { image: [1, 4, 6, 10] } };
    await compile({ device: 'CPU', shapes: SHAPES });
    for (let i = 0; i < 2; i++) await assert.rejects(compile(bad), (e: { code?: string }) => e.code === 'OV_GENERAL_ERROR');
    assert.equal(fs.readdirSync(path.join(tmp, 'cache', 'entries')).length, 1);
  });

  it('a missing reshaped IR (a cleaned-up tmp folder) is written again, and the blob still loads', async () => {
    const cold = await compile({ device: 'CPU', shapes: SHAPES });
    const reshaped = await reshapedOf(cold);
    fs.rmSync(reshaped.xml);
    fs.rmSync(reshaped.link);
    const since = mark();
    const next = await compile({ device: 'CPU', shapes: SHAPES });
    assert.equal(next.hit, true);
    assert.equal(next.warmPath, 'reshaped-ir');
    assert.ok(!eventsSince(since).some((e) => e.event === 'compile'), 'the same blob header: no recompile');
    await checkOutputs(next, imageReference);
  });

  it('a damaged blob is recompiled, without failing the call', async () => {
    const cold = await compile({ device: 'CPU', shapes: SHAPES });
    const entry = cold.entryDir as string;
    const blob = fs.readdirSync(entry).find((f) => f.endsWith('.blob')) as string;
    const file = path.join(entry, blob);
    fs.chmodSync(file, 0o644);
    const bytes = fs.readFileSync(file);
    const at = bytes.length - 16;
    bytes.writeUInt8((bytes.readUInt8(at) ^ 0xff) & 0xff, at);
    fs.writeFileSync(file, bytes);
    const next = await compile({ device: 'CPU', shapes: SHAPES });
    assert.equal(next.hit, false);
    await checkOutputs(next, imageReference);
    const again = await compile({ device: 'CPU', shapes: SHAPES });
    assert.equal(again.warmPath, 'reshaped-ir');
  });

  it('an entry copied into another cache folder (as a tier or a bundle does) loads there without a compile', async () => {
    const cold = await compile({ device: 'GPU', shapes: SHAPES });
    const other = path.join(tmp, 'other-machine');
    fs.cpSync(path.join(tmp, 'cache', 'entries'), path.join(other, 'entries'), { recursive: true });
    const since = mark();
    const there = await compile({ device: 'GPU', shapes: SHAPES }, xml, other);
    assert.equal(there.hit, true);
    assert.equal(there.warmPath, 'reshaped-ir');
    assert.equal(there.key, cold.key);
    // A new folder has no memos yet: its first call reads the model to build the key, compiles nothing.
    assert.deepEqual(
      eventsSince(since).filter((e) => e.event === 'compile'),
      [],
    );
    await checkOutputs(there, imageReference);
  });

  it("a Model object passed with shapes, or a compile without shapes, keeps OpenVINO's path", async () => {
    const { core } = restart();
    for (let i = 0; i < 2; i++) {
      const model = await core.readModel(xml);
      open.unshift(model);
      const r = await compile({ device: 'CPU', shapes: SHAPES }, model);
      assert.equal(r.hit, i === 1);
      if (r.hit) assert.equal(r.warmPath, 'openvino');
      assert.ok(!(await manifestOf(r)).sources.some((x) => x.kind === 'path'));
    }
    await compile({ device: 'CPU' });
    const plain = await compile({ device: 'CPU' });
    assert.equal(plain.warmPath, 'openvino');
  });

  it("the stand-in's import as upstream's: no LOADED_FROM_CACHE, and a weightless export is refused", async () => {
    const { core } = restart();
    const full = await core.compileModel(xml, 'CPU');
    open.unshift(full);
    const fullFile = path.join(tmp, 'full.export');
    await full.exportModel(fullFile);
    const imported = await core.importModel(fullFile, 'CPU');
    open.unshift(imported);
    assert.equal(imported.loadedFromCache, false);
    const weightless = await core.compileModel(xml, 'GPU', { ENABLE_WEIGHTLESS: true });
    open.unshift(weightless);
    const file = path.join(tmp, 'weightless.export');
    await weightless.exportModel(file);
    assert.ok(fs.statSync(file).size < fs.statSync(fullFile).size);
    await assert.rejects(core.importModel(file, 'GPU'), /weightless: importing it needs WEIGHTS_PATH/);
  });
});
