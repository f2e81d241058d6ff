// dynamicShapes against the stand-in: after N distinct static sizes of one model, one dynamic
// variant serves the sizes within its ranges (widened, or static outside the user's bounds);
// the memory of sizes survives a restart and another process; outputs keep each call's shape.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readManifest } from '../../lib/cache/entry/manifest';
import {
  loadOpenVINO,
  ModelCache,
  type CompileResult,
  type GrowthEvent,
  type ModelCacheOptions,
  type OpenVINO,
  type RuntimeCore,
} from '../../lib/index';
import { imageReference, writeImageModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';
import { testRuntime } from '../helpers/runtimes';
import { runChild } from './child';
import { expectCode, readStubLog } from './helpers';

const SIX_SIZES = [8, 16, 24, 12, 20, 32];
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface DuModel {
  model: string;
  device: string;
  entries: number;
  dynamic: number;
  varyingDims: string[];
  warning: string | null;
}

describe(`dynamic shapes after repeated sizes${testRuntime().title}`, function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: RuntimeCore;
  let tmp: string;
  let xml: string;
  let dir: string;
  let log: string;
  const caches: ModelCache[] = [];
  const results: CompileResult[] = [];
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string) => {
    if (!(name in saved)) saved[name] = process.env[name];
    process.env[name] = value;
  };
  const newCache = (options: Partial<ModelCacheOptions> = {}) => {
    const cache = new ModelCache({ core, dir, ...options });
    caches.push(cache);
    return cache;
  };
  const compileSize = async (cache: ModelCache, size: number, device = 'CPU') => {
    const r = await cache.compile(xml, { device, shapes: { image: [1, 3, size, size] } });
    results.push(r);
    return r;
  };
  /** Infers a bare array of the size asked and checks the output's shape and numbers against the JS reference. */
  const checkOutputs = async (r: CompileResult, size: number) => {
    const input = Float32Array.from({ length: 3 * size * size }, (_, i) => ((i * 7) % 23) / 4 - 2.5);
    const request = r.compiled.createInferRequest();
    try {
      const out = (await request.infer(input)).output;
      assert.ok(out, 'an output named "output"');
      assert.deepEqual(out.shape, [1, 3, size, size], `output shape for size ${size}`);
      const expected = imageReference(input);
      const got = out.data as Float32Array;
      assert.equal(got.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs((got[i] as number) - (expected[i] as number)) < 1e-5, `value ${i}`);
    } finally {
      request.dispose();
    }
  };
  const entryFolders = () => (fs.existsSync(path.join(dir, 'entries')) ? fs.readdirSync(path.join(dir, 'entries')) : []);
  const compiles = () => readStubLog(log).filter((e) => e.event === 'compile').length;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir();
    ({ xml } = writeImageModel(tmp, 'image'));
    dir = path.join(tmp, 'cache');
    log = path.join(tmp, 'stub.log');
    setEnv('OV_STUB_LOG', log);
    setEnv('OV_STUB_DEVICES', 'CPU,GPU');
    core = testRuntime().createCore(ov);
  });
  afterEach(async () => {
    for (const r of results.splice(0)) r.compiled.dispose();
    for (const c of caches.splice(0)) await c.dispose();
    core.dispose();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
      delete saved[name];
    }
    removeDir(tmp);
  });

  it("'auto': six sizes leave at most N + 1 entries, every output right in numbers and shape", async () => {
    const cache = newCache({ dynamicShapes: 'auto' });
    const variants: string[] = [];
    for (const size of SIX_SIZES) {
      const r = await compileSize(cache, size);
      variants.push(r.variant as string);
      await checkOutputs(r, size);
    }
    assert.deepEqual(variants, ['static', 'static', 'static', 'dynamic', 'dynamic', 'dynamic']);
    // 8, 16, 24 static; 12 makes the variant 8..24; 20 is inside it; 32 widens it to 8..32,
    // whose entry replaces the 8..24 one.
    const names = entryFolders();
    assert.ok(names.length <= 3 + 1, `entries: ${names.join(', ')}`);
    assert.equal(names.length, 4);
    assert.equal(names.filter((n) => n.startsWith('image-1x3x8-32x8-32-CPU-')).length, 1, names.join(', '));
    assert.equal(compiles(), 5, 'three static sizes, the variant, the widened variant');
    const last = results[results.length - 1] as CompileResult;
    assert.deepEqual(
      last.parts?.inputs.map((i) => i.shape),
      ['[1,3,8..32,8..32]'],
    );
    const read = await readManifest(last.entryDir as string);
    assert.equal(read.status, 'ok');
    assert.deepEqual(read.status === 'ok' && read.manifest.covers, {
      variant: 'dynamic',
      inputs: { image: '[1,3,8..32,8..32]' },
      auto: true,
    });
    const explained = await cache.explain(last.key as string);
    assert.ok(
      explained.lines.includes('covers    dynamic: image=[1,3,8..32,8..32] (made by dynamicShapes after repeated sizes)'),
      explained.lines.join('\n'),
    );
    const first = await cache.explain(results[0]?.key as string);
    assert.ok(first.lines.includes('covers    static: image=[1,3,8,8]'), first.lines.join('\n'));
  });

  it("'never' gives one entry per size, and a growth event once, at the threshold, naming the dims", async () => {
    const cache = newCache({ dynamicShapes: 'never' });
    const events: GrowthEvent[] = [];
    cache.on('growth', (e) => events.push(e));
    const compileEvents: string[] = [];
    cache.on('compile', (e) => compileEvents.push(e.variant));
    for (const [i, size] of SIX_SIZES.entries()) {
      const r = await compileSize(cache, size);
      assert.equal(r.variant, 'static');
      await checkOutputs(r, size);
      assert.equal(events.length, i < 4 ? 0 : 1, `after ${i + 1} sizes`);
    }
    assert.equal(entryFolders().length, 6);
    assert.equal(compiles(), 6);
    assert.deepEqual(compileEvents, ['static', 'static', 'static', 'static', 'static', 'static']);
    const e = events[0] as GrowthEvent;
    assert.equal(e.entries, 5);
    assert.equal(e.threshold, 4);
    assert.equal(e.modelName, 'image');
    assert.equal(e.model, xml);
    assert.equal(e.device, 'CPU');
    assert.deepEqual(e.varyingDims, [
      { input: 'image', dim: 2, values: [8, 12, 16, 20, 24] },
      { input: 'image', dim: 3, values: [8, 12, 16, 20, 24] },
    ]);
    assert.equal(e.suggestion, "dynamicShapes: 'auto'");
    assert.match(
      e.message,
      /image on CPU has 5 cache entries \(more than 4\), its sizes differing in image\[2\] \(8, 12, 16, 20, 24\), image\[3\]/,
    );

    // A restart: the crossing is remembered, another size gives no second event.
    const again = newCache({ dynamicShapes: 'never' });
    again.on('growth', (ev) => events.push(ev));
    await compileSize(again, 40);
    assert.equal(events.length, 1);
    // growthWarning: false, or a higher threshold: no event.
    const quiet = newCache({ dynamicShapes: 'never', growthWarning: false, dir: path.join(tmp, 'other') });
    quiet.on('growth', (ev) => events.push(ev));
    for (const size of SIX_SIZES) await compileSize(quiet, size);
    assert.equal(events.length, 1);
  });

  it('a restart (a new ModelCache, then another process) keeps the sizes seen and the variant', async () => {
    const first = newCache({ dynamicShapes: 'auto' });
    for (const size of [8, 16]) await compileSize(first, size);
    // A new cache in this process: it has seen 8 and 16, so 24 is the third static size and 12 the variant.
    const second = newCache({ dynamicShapes: 'auto' });
    assert.equal((await compileSize(second, 24)).variant, 'static');
    assert.equal(compiles(), 3);
    const child = await runChild({
      mode: 'compile',
      dir,
      model: xml,
      device: 'CPU',
      shapes: { image: [1, 3, 12, 12] },
      dynamicShapes: 'auto',
    });
    assert.equal(child.variant, 'dynamic');
    assert.equal(child.hit, false);
    assert.ok(path.basename(child.entryDir as string).startsWith('image-1x3x8-24x8-24-CPU-'), child.entryDir as string);
    // Another process's variant serves this one's sizes within it: a hit, no compile.
    const third = newCache({ dynamicShapes: 'auto' });
    const inside = await compileSize(third, 20);
    assert.equal(inside.variant, 'dynamic');
    assert.equal(inside.hit, true);
    assert.equal(inside.key, child.key);
    await checkOutputs(inside, 20);
    // 16 too: the variant serves every size in its ranges, also those with a static entry.
    // keyFor() says so without compiling or recording anything.
    assert.equal((await third.keyFor(xml, { device: 'CPU', shapes: { image: [1, 3, 16, 16] } })).key, child.key);
    assert.equal((await compileSize(third, 16)).key, child.key);
    assert.equal(compiles(), 4);
  });

  it('bounds: the variant spans the bounds given; a size outside them compiles static', async () => {
    const bounds = { image: { 2: [8, 64] as [number, number], 3: [8, 64] as [number, number] } };
    const cache = newCache({ dynamicShapes: { after: 2, bounds } });
    assert.equal((await compileSize(cache, 8)).variant, 'static');
    assert.equal((await compileSize(cache, 16)).variant, 'static');
    const v = await compileSize(cache, 24);
    assert.equal(v.variant, 'dynamic');
    assert.deepEqual(
      v.parts?.inputs.map((i) => i.shape),
      ['[1,3,8..64,8..64]'],
    );
    const inside = await compileSize(cache, 48);
    assert.equal(inside.key, v.key);
    assert.equal(inside.hit, true);
    await checkOutputs(inside, 48);
    const outside = await compileSize(cache, 72);
    assert.equal(outside.variant, 'static');
    assert.deepEqual(
      outside.parts?.inputs.map((i) => i.shape),
      ['[1,3,72,72]'],
    );
    await checkOutputs(outside, 72);
    assert.equal(entryFolders().length, 4);
    assert.equal(compiles(), 4);
  });

  it("the default: 'auto' on GPU, 'never' on CPU; a Model object is never rerouted", async () => {
    const cache = newCache();
    const gpu: string[] = [];
    const cpu: string[] = [];
    for (const size of [8, 16, 24, 12]) {
      gpu.push((await compileSize(cache, size, 'GPU')).variant as string);
      cpu.push((await compileSize(cache, size, 'CPU')).variant as string);
    }
    assert.deepEqual(gpu, ['static', 'static', 'static', 'dynamic']);
    assert.deepEqual(cpu, ['static', 'static', 'static', 'static']);
    const auto = newCache({ dynamicShapes: 'auto', dir: path.join(tmp, 'objects') });
    for (const size of [8, 16, 24, 12]) {
      using model = await core.readModel(xml);
      const r = await auto.compile(model, { device: 'CPU', shapes: { image: [1, 3, size, size] } });
      results.push(r);
      assert.equal(r.variant, 'static');
    }
  });

  it('`ovcache du` groups the entries per model, with the dims that differ and a warning; `ls` shows what an entry covers', async () => {
    for (const size of SIX_SIZES) await compileSize(newCache({ dynamicShapes: 'never' }), size);
    for (const size of SIX_SIZES) await compileSize(newCache({ dynamicShapes: 'auto' }), size, 'GPU');
    const du = JSON.parse(cli(['du', '--dir', dir, '--json'])) as { entries: number; perModel: DuModel[]; byModel: unknown[] };
    assert.equal(du.entries, 6 + 4);
    assert.equal(du.byModel.length, 1, 'byModel still groups by name, as before');
    const byDevice = Object.fromEntries(du.perModel.map((g) => [g.device, g]));
    assert.equal(byDevice.CPU?.entries, 6);
    assert.equal(byDevice.CPU?.dynamic, 0);
    assert.deepEqual(byDevice.CPU?.varyingDims, ['image[2]', 'image[3]']);
    assert.match(
      byDevice.CPU?.warning ?? '',
      /^image on CPU has 6 entries \(more than 4\), shapes differ in image\[2\], image\[3\]: set dynamicShapes: 'auto'/,
    );
    assert.equal(byDevice.GPU?.entries, 4);
    assert.equal(byDevice.GPU?.dynamic, 1);
    assert.equal(byDevice.GPU?.warning, null);
    const text = cli(['du', '--dir', dir]);
    assert.match(text, /Per model \(same files, device and config\)/);
    assert.match(text, /\nwarning: image on CPU has 6 entries/);
    assert.doesNotMatch(text, /warning: image on GPU/);
    const ls = cli(['ls', '--dir', dir]);
    assert.match(ls, /image=\[1,3,8\.\.32,8\.\.32\] \(dynamic\)/);
    const lsJson = JSON.parse(cli(['ls', '--dir', dir, '--json'])) as { entries: Array<{ covers: { variant: string } | null }> };
    assert.deepEqual(lsJson.entries.map((e) => e.covers?.variant).sort(), [...Array<string>(9).fill('static'), 'dynamic'].sort());
  });

  it('processes updating one memo at once leave a readable memo (a lost count at worst)', async () => {
    const sizes = [8, 12, 16, 20];
    const children = await Promise.all(
      sizes.map((size) =>
        runChild({ mode: 'compile', dir, model: xml, device: 'CPU', shapes: { image: [1, 3, size, size] }, dynamicShapes: 'never' }),
      ),
    );
    assert.deepEqual(
      children.map((c) => c.variant),
      ['static', 'static', 'static', 'static'],
    );
    const memos = fs.readdirSync(path.join(dir, 'fingerprints')).filter((f) => f.startsWith('shapes-'));
    assert.equal(memos.length, 1, 'one memo for the one model');
    const memo = JSON.parse(fs.readFileSync(path.join(dir, 'fingerprints', memos[0] as string), 'utf8')) as {
      format: number;
      seen: unknown[];
      entries: unknown[];
    };
    assert.equal(memo.format, 1);
    assert.ok(memo.seen.length >= 1 && memo.seen.length <= 4, `seen ${memo.seen.length}`);
    assert.ok(memo.entries.length >= 1 && memo.entries.length <= 4, `entries ${memo.entries.length}`);
    assert.equal(entryFolders().length, 4);
    // The next compile in this process reads it and goes on counting.
    const r = await compileSize(newCache({ dynamicShapes: 'never' }), 24);
    assert.equal(r.variant, 'static');
    assert.equal(fs.readdirSync(path.join(dir, 'fingerprints')).filter((f) => f.endsWith('.tmp')).length, 0, 'no temp files left');
  });

  it('the stand-in charges OV_STUB_DYNAMIC_INFER_FACTOR on a model compiled with a dynamic input only', async () => {
    // 10 ms static, 1 s dynamic: the static bound below leaves 990 ms (99x) for a loaded machine
    // (a factor of 10 left 90 ms, and a static infer took longer under load in parallel runs).
    setEnv('OV_STUB_INFER_MS', '10');
    setEnv('OV_STUB_DYNAMIC_INFER_FACTOR', '100');
    const inferMs = async (shape: Array<number | [number, number]>) => {
      using model = await core.readModel(xml);
      model.reshape({ image: shape });
      using compiled = await core.compileModel(model, 'CPU');
      using request = compiled.createInferRequest();
      const t = performance.now();
      await request.infer({ data: new Float32Array(3 * 16 * 16), shape: [1, 3, 16, 16] });
      return performance.now() - t;
    };
    // Lower bounds are certain (the cost is slept).
    const dynamic = await inferMs([1, 3, [8, 32], [8, 32]]);
    assert.ok(dynamic >= 1000, `dynamic: ${dynamic} ms`);
    const fixed = await inferMs([1, 3, 16, 16]);
    assert.ok(fixed >= 10 && fixed < 1000, `static: ${fixed} ms`);
  });

  it('checks its options', async () => {
    await expectCode(() => newCache({ dynamicShapes: 'always' as never }), 'OVCACHE_INVALID_ARGUMENT', /options\.dynamicShapes/);
    await expectCode(() => newCache({ dynamicShapes: { after: 0 } }), 'OVCACHE_INVALID_ARGUMENT', /options\.dynamicShapes\.after/);
    await expectCode(
      () => newCache({ dynamicShapes: { bounds: { image: { 2: [9, 3] } } } }),
      'OVCACHE_INVALID_ARGUMENT',
      /bounds\.image\.2/,
    );
    await expectCode(() => newCache({ dynamicShapes: { afer: 2 } as never }), 'OVCACHE_UNKNOWN_OPTION', /after/);
    await expectCode(() => newCache({ growthWarning: { entries: 0 } }), 'OVCACHE_INVALID_ARGUMENT', /growthWarning\.entries/);
    await expectCode(() => newCache({ growthWarning: true as never }), 'OVCACHE_INVALID_ARGUMENT', /growthWarning/);
  });
});
