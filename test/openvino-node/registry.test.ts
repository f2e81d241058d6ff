// ModelRegistry and ResultCache on a ModelCache whose core is fromOpenvinoNode (the double).
import assert from 'node:assert/strict';
import path from 'node:path';
import { fromOpenvinoNode, loadOpenVINO, ModelCache, ModelRegistry, ResultCache } from '../../lib/index';
import { mlpReference, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { createDoubleAddon } from './double/addon';

describe('ModelRegistry and ResultCache through fromOpenvinoNode', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => removeDir(tmp));

  it('loads through the cache, infers the reference outputs, and a repeated request is a result-cache hit', async () => {
    const core = fromOpenvinoNode(createDoubleAddon(await loadOpenVINO({ libraryPath: STAND_IN })));
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
    const results = new ResultCache({ dir: path.join(tmp, 'results') });
    const registry = new ModelRegistry({
      cache,
      resultCache: results,
      models: { mlp: { model: writeMlp(path.join(tmp, 'm')).xml, device: 'CPU' } },
    });
    const x = new Float32Array(16).map((_, i) => (i % 5) / 4);
    const first = await registry.infer('mlp', { input: x }, { params: { v: 1 } });
    const second = await registry.infer('mlp', { input: x }, { params: { v: 1 } });
    const expected = Array.from(mlpReference(x));
    for (const out of [first, second]) {
      const data = Array.from(Object.values(out)[0]!.data as Float32Array);
      expected.forEach((v, i) => assert.ok(Math.abs((data[i] as number) - v) < 1e-5));
    }
    assert.equal(results.stats().hits, 1);
    assert.equal(results.stats().misses, 1);
    assert.ok((registry.stats().models[0]?.inferRequests ?? 0) >= 1, 'a pool sized from OPTIMAL_NUMBER_OF_INFER_REQUESTS, read as text');
    assert.equal(cache.stats().misses, 1);
    await registry.dispose();
    await results.close();
    await cache.dispose();
  });
});
