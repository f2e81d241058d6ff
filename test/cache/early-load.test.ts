// The early load (lib/cache/flow/early-load.ts): a start whose weights' digest is not remembered
// (a fresh container: same files, new identities) loads the entry those weights last made while
// they are hashed, and keeps it only when the digest names that entry. Other weights of the same
// size are the case that must never load a wrong model: the guessed entry is loaded, thrown away
// and left untouched, and the compile is a miss on the new weights' own key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cacheLayout } from '../../lib/cache/entry/layout';
import { readManifest } from '../../lib/cache/entry/manifest';
import { loadOpenVINO, ModelCache, type CompileResult, type OpenVINO } from '../../lib/index';
import { weightAt, writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { readStubLog } from './helpers';

const WEIGHT_BYTES = 1 << 20;
const K = WEIGHT_BYTES / 4;

describe('early load: weights new to the memo are hashed while their entry loads', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let tmp: string;
  let dir: string;
  let xml: string;
  let log: string;
  let savedLog: string | undefined;
  const open: Array<{ dispose(): void | Promise<void> }> = [];

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-early-load-');
    dir = path.join(tmp, 'cache');
    xml = writeWeightsModel(path.join(tmp, 'models'), WEIGHT_BYTES, 'w').xml;
    log = path.join(tmp, 'stub.log');
    savedLog = process.env.OV_STUB_LOG;
    process.env.OV_STUB_LOG = log;
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.dispose();
    if (savedLog === undefined) delete process.env.OV_STUB_LOG;
    else process.env.OV_STUB_LOG = savedLog;
    removeDir(tmp);
  });

  /** A compile by a new ModelCache, as in a new process; its cache is flushed after. */
  async function start(): Promise<CompileResult> {
    const cache = new ModelCache({ runtime: ov, dir });
    const r = await cache.compile(xml, { device: 'CPU' });
    await cache.flush();
    open.unshift(r.compiled, cache);
    return r;
  }
  const output = async (r: CompileResult): Promise<number> => {
    const out = Object.values(await r.compiled.createInferRequest().infer({ input: new Float32Array(K).fill(1) }))[0];
    return (out?.data as Float32Array)[0] as number;
  };
  const sumOfWeights = (scale: number): number => {
    let s = 0;
    for (let i = 0; i < K; i++) s += Math.fround(weightAt(i) * scale);
    return s;
  };
  const hitsOf = async (entryDir: string): Promise<number> => {
    const read = await readManifest(entryDir);
    assert.equal(read.status, 'ok');
    return read.status === 'ok' ? read.manifest.hits : -1;
  };
  const events = (from: number) =>
    readStubLog(log)
      .slice(from)
      .map((e) => e.event);

  it('the same weights with their digest forgotten: one load of the same entry, a hit, the right outputs', async () => {
    const cold = await start();
    assert.equal(cold.cached, true);
    const hits = await hitsOf(cold.entryDir as string);
    fs.rmSync(cacheLayout(dir).fingerprints, { recursive: true, force: true }); // as in a fresh container
    const seen = readStubLog(log).length;

    const warm = await start();
    assert.equal(warm.hit, true);
    assert.equal(warm.key, cold.key);
    assert.ok(warm.timings.fingerprintMs > 0, 'the weights were hashed for the key');
    assert.deepEqual(
      events(seen).filter((e) => e === 'import' || e === 'compile'),
      ['import'],
      'one load, no compile',
    );
    assert.equal(await hitsOf(cold.entryDir as string), hits + 1, 'the load is counted once, on its entry');
    assert.ok(Math.abs((await output(warm)) - sumOfWeights(1)) < 1e-3);
  });

  it('other weights of the same size: the guessed entry is loaded, thrown away and untouched; the compile is a miss with the new weights', async () => {
    const cold = await start();
    const hits = await hitsOf(cold.entryDir as string);
    const weights = new Float32Array(K);
    for (let i = 0; i < K; i++) weights[i] = weightAt(i) * 2;
    const bin = xml.replace(/\.xml$/, '.bin');
    const before = fs.statSync(bin).size;
    fs.writeFileSync(bin, Buffer.from(weights.buffer));
    assert.equal(fs.statSync(bin).size, before, 'the same size: only the digest tells the weights apart');
    const seen = readStubLog(log).length;

    const next = await start();
    assert.equal(next.hit, false);
    assert.notEqual(next.key, cold.key);
    assert.equal(next.cached, true);
    assert.deepEqual(
      events(seen).filter((e) => e === 'import' || e === 'compile'),
      ['import', 'compile'],
      'the guessed entry was loaded early, then the new weights compiled',
    );
    assert.ok(Math.abs((await output(next)) - sumOfWeights(2)) < 1e-3, 'outputs of the new weights, not of the guessed entry');
    assert.equal(await hitsOf(cold.entryDir as string), hits, 'the thrown-away load counts nothing on the guessed entry');
    const again = await start();
    assert.equal(again.hit, true);
    assert.equal(again.key, next.key);
  });

  it('remembered weights take the usual path: one load, no early one', async () => {
    await start();
    const seen = readStubLog(log).length;
    const warm = await start();
    assert.equal(warm.hit, true);
    assert.deepEqual(
      events(seen).filter((e) => e === 'import' || e === 'compile'),
      ['import'],
    );
  });
});
