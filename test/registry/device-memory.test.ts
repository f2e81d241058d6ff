// The registry's memory figure: the device's own counter where it has one (the stand-in's GPU
// answers GPU_MEMORY_STATISTICS with its live compiled models' weights), else the file sizes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, ModelCache, ModelRegistry, type Core } from '../../lib/index';
import { parseMemoryFigure } from '../../lib/registry/device-memory';
import { writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

describe('ModelRegistry memory figures', function () {
  this.timeout(60_000);
  let tmp: string;
  let core: Core;
  const saved = process.env.OV_STUB_DEVICES;

  before(async () => {
    process.env.OV_STUB_DEVICES = 'CPU,GPU';
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
    tmp = makeTempDir();
  });
  after(() => {
    core.dispose();
    removeDir(tmp);
    if (saved === undefined) delete process.env.OV_STUB_DEVICES;
    else process.env.OV_STUB_DEVICES = saved;
  });

  it('parses the counters as ov::Any prints them', () => {
    assert.equal(parseMemoryFigure('{cl_mem:100,usm_device:23}'), 123);
    assert.equal(parseMemoryFigure('4096'), 4096);
    assert.equal(parseMemoryFigure(''), 0);
    assert.equal(parseMemoryFigure('n/a'), undefined);
  });

  it('GPU: the growth of GPU_MEMORY_STATISTICS across the load; CPU: the file sizes; stats() says which, beside the RSS', async () => {
    const { xml, bin } = writeWeightsModel(tmp, 1 << 20);
    const weights = fs.statSync(bin).size;
    const files = weights + fs.statSync(xml).size;
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
    const registry = new ModelRegistry({ cache });
    await registry.get(xml, { device: 'GPU' });
    await registry.get(xml, { device: 'CPU' });
    const byDevice = Object.fromEntries(registry.list().map((e) => [e.device, e]));
    assert.equal(byDevice.GPU?.bytesSource, 'runtime');
    assert.equal(byDevice.GPU?.bytes, weights, 'the stand-in counts a GPU model by its weights');
    assert.equal(byDevice.CPU?.bytesSource, 'files');
    assert.equal(byDevice.CPU?.bytes, files);
    const stats = registry.stats();
    assert.equal(stats.bytes, weights + files);
    assert.deepEqual(stats.models.map((m) => [m.device, m.bytesSource]).sort(), [
      ['CPU', 'files'],
      ['GPU', 'runtime'],
    ]);
    assert.ok(stats.rssBytes > 0);
    await registry.dispose();
    assert.equal(parseMemoryFigure(core.getProperty('GPU', 'GPU_MEMORY_STATISTICS')), 0, 'freed on unload');
    await cache.dispose();
  });

  it('estimateBytes gets the runtime figure and wins over it', async () => {
    const { xml } = writeWeightsModel(tmp, 1 << 18, 'small');
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache2') });
    const seen: Array<number | undefined> = [];
    const registry = new ModelRegistry({ cache, estimateBytes: (info) => (seen.push(info.runtimeBytes), 7) });
    await registry.get(xml, { device: 'GPU' });
    assert.deepEqual(seen, [1 << 18]);
    assert.deepEqual(
      registry.list().map((e) => [e.bytes, e.bytesSource]),
      [[7, 'estimate']],
    );
    await registry.dispose();
    await cache.dispose();
  });
});
