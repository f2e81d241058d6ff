// Weightless entries against the stand-in: chosen from the device's SUPPORTED_PROPERTIES, at
// most a tenth of the weights, and never served once the .bin they map has changed.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest } from '../../lib/cache/entry/manifest';
import { loadOpenVINO, ModelCache, type CompileResult, type Core, type OpenVINO } from '../../lib/index';
import { weightsReference, writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { expectCode, readStubLog } from './helpers';

const WEIGHT_BYTES = 1 << 20;

describe('weightless entries', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let xml: string;
  let bin: string;
  const caches: ModelCache[] = [];
  const results: CompileResult[] = [];
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string | undefined) => {
    if (!(name in saved)) saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  const newCache = (options: Partial<ConstructorParameters<typeof ModelCache>[0]> = {}) => {
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache'), ...options });
    caches.push(cache);
    return cache;
  };
  const compile = async (cache: ModelCache, device: string) => {
    const r = await cache.compile(xml, { device });
    results.push(r);
    return r;
  };
  const entryBytes = (r: CompileResult) =>
    fs
      .readdirSync(r.entryDir as string)
      .reduce((n, f) => (f.endsWith('.blob') ? n + fs.statSync(path.join(r.entryDir as string, f)).size : n), 0);
  const outputOf = async (r: CompileResult, input: Float32Array) => {
    const out = await r.compiled.createInferRequest().infer({ input });
    return (Object.values(out)[0]?.data as Float32Array)[0] as number;
  };

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir();
    ({ xml, bin } = writeWeightsModel(tmp, WEIGHT_BYTES, 'w'));
    setEnv('OV_STUB_DEVICES', 'CPU,GPU');
    setEnv('OV_STUB_LOG', path.join(tmp, 'stub.log'));
    core = ov.createCore();
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

  it("by default ('auto') on a device that lists CACHE_MODE / ENABLE_WEIGHTLESS: at most a tenth of the weights", async () => {
    const r = await compile(newCache(), 'GPU');
    assert.equal(r.hit, false);
    assert.equal(r.parts?.config.ENABLE_WEIGHTLESS, 'YES', 'ENABLE_WEIGHTLESS is preferred when listed');
    assert.ok(entryBytes(r) * 10 <= WEIGHT_BYTES, `entry ${entryBytes(r)} bytes for ${WEIGHT_BYTES} bytes of weights`);
    const read = await readManifest(r.entryDir as string);
    assert.equal(read.status, 'ok');
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(bin)).digest('hex');
    assert.deepEqual(read.status === 'ok' && read.manifest.weightless?.weights.map((w) => [w.sha256, w.size]), [[sha256, WEIGHT_BYTES]]);

    const again = await compile(newCache(), 'GPU');
    assert.equal(again.hit, true);
    const input = Float32Array.from({ length: WEIGHT_BYTES / 4 }, (_, i) => (i % 7) - 3);
    assert.ok(Math.abs((await outputOf(again, input)) - weightsReference(input)) < 1e-3);
  });

  it('false, or a device that lists neither property, writes full blobs; true there fails clearly', async () => {
    const full = await compile(newCache({ weightless: false }), 'GPU');
    assert.ok(entryBytes(full) > WEIGHT_BYTES);
    assert.equal(full.parts?.config.ENABLE_WEIGHTLESS, undefined);
    const cpu = await compile(newCache(), 'CPU');
    assert.ok(entryBytes(cpu) > WEIGHT_BYTES, 'the stand-in CPU lists neither by default');
    await expectCode(
      newCache({ weightless: true }).compile(xml, { device: 'CPU' }),
      'OVCACHE_WEIGHTLESS_UNSUPPORTED',
      /device CPU lists neither/,
    );
    using model = await core.readModel(xml);
    await expectCode(newCache({ weightless: true }).compile(model, { device: 'GPU' }), 'OVCACHE_WEIGHTLESS_UNSUPPORTED', /model object/);
    assert.throws(() => newCache({ weightless: 'yes' as unknown as boolean }), /options\.weightless/);
  });

  it('probes, not versions: a device listing only CACHE_MODE gets CACHE_MODE=OPTIMIZE_SIZE', async () => {
    setEnv('OV_STUB_WEIGHTLESS', 'CPU:CACHE_MODE');
    const r = await compile(newCache({ weightless: true }), 'CPU');
    assert.equal(r.parts?.config.CACHE_MODE, 'OPTIMIZE_SIZE');
    assert.ok(entryBytes(r) * 10 <= WEIGHT_BYTES);
  });

  it("a replaced .bin (same size, .xml untouched) is never served from the old entry, which OpenVINO's own cache serves", async () => {
    // A whole-second mtime, so restoring it below gives back the very same stat.
    const xmlMtime = new Date(1_700_000_000_000);
    fs.utimesSync(xml, xmlMtime, xmlMtime);
    const first = await compile(newCache(), 'GPU');
    const raw = path.join(tmp, 'raw');
    (await core.compileModel(xml, 'GPU', { CACHE_DIR: raw, ENABLE_WEIGHTLESS: true })).dispose();

    const w = new Float32Array(fs.readFileSync(bin).buffer.slice(0));
    fs.writeFileSync(bin, Buffer.from(w.map((x) => -x).buffer));
    fs.utimesSync(xml, xmlMtime, xmlMtime);

    const plain = await core.compileModel(xml, 'GPU', { CACHE_DIR: raw, ENABLE_WEIGHTLESS: true });
    assert.equal(plain.loadedFromCache, true, 'OpenVINO serves the weightless blob with the new .bin');
    plain.dispose();

    const log = path.join(tmp, 'stub.log');
    const importsBefore = readStubLog(log).filter((e) => e.event === 'import').length;
    const second = await compile(newCache(), 'GPU');
    assert.equal(second.hit, false);
    assert.notEqual(second.key, first.key);
    assert.equal(readStubLog(log).filter((e) => e.event === 'import').length, importsBefore, 'the old entry was not loaded');
    const input = Float32Array.from({ length: WEIGHT_BYTES / 4 }, (_, i) => (i % 5) - 2);
    assert.ok(Math.abs((await outputOf(second, input)) + weightsReference(input)) < 1e-3);
  });
});
