// Entries copied down from a tier count against the local budget like entries compiled here:
// a machine with a small maxBytes that pulls more than fits evicts the least recently used.
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadOpenVINO, ModelCache, type BudgetEvent, type Core } from '../../lib/index';
import { writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

describe('fleet: the local budget with tiers', function () {
  this.timeout(60_000);
  let tmp: string;
  let core: Core;
  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  });
  after(() => core.dispose());
  beforeEach(() => {
    tmp = makeTempDir('ovcache-fleet-budget-');
  });
  afterEach(() => removeDir(tmp));

  it('evicts to stay under maxBytes while entries come down from a tier', async () => {
    const tier = [{ path: path.join(tmp, 'tier') }];
    const models = ['a', 'b', 'c'].map((name) => writeWeightsModel(path.join(tmp, 'models'), 64 * 1024, name).xml);
    const filler = new ModelCache({ core, dir: path.join(tmp, 'filler'), tiers: tier, publish: 'sync' });
    for (const xml of models) (await filler.compile(xml, { device: 'CPU' })).compiled.dispose();
    const one = (await filler.usage()).bytes / models.length;
    await filler.dispose();

    const maxBytes = Math.floor(2.5 * one);
    const pulled = new ModelCache({ core, dir: path.join(tmp, 'machine'), tiers: tier, maxBytes, lowWatermark: 1 });
    const events: BudgetEvent[] = [];
    pulled.on('budget', (e) => events.push(e));
    for (const xml of models) {
      const r = await pulled.compile(xml, { device: 'CPU' });
      assert.ok(r.hit && r.tier, 'copied down from the tier, not compiled');
      r.compiled.dispose();
    }
    const usage = await pulled.usage();
    assert.ok(usage.bytes <= maxBytes, `${usage.bytes} bytes on disk, maxBytes ${maxBytes}`);
    assert.equal(usage.entries, 2);
    const removed = events.flatMap((e) => (e.kind === 'evicted' ? e.removed : []));
    // The least recently used: the first model pulled.
    const first = await pulled.keyFor(models[0]!, { device: 'CPU' });
    assert.deepEqual(
      removed.map((r) => r.key),
      [first.key],
    );
    await pulled.dispose();
  });
});
