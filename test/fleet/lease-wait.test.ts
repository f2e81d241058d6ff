// docs/fleet.md: "a process takes a lease, so one machine compiles and the others wait for the
// published entry (bounded; then they compile themselves)". A holder that neither publishes nor
// lets its lease expire must cost a waiter leaseWaitMs, not the lease's ttl.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Fleet, loadOpenVINO, ModelCache, type Core } from '../../lib/index';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

describe('fleet: waiting for another machine’s lease', function () {
  this.timeout(60_000);
  let tmp: string;
  let core: Core;
  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  });
  after(() => core.dispose());
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => removeDir(tmp));

  it('gives up after leaseWaitMs and compiles here, long before the holder’s lease expires', async () => {
    fs.mkdirSync(path.join(tmp, 'models'));
    const mlp = writeMlp(path.join(tmp, 'models')).xml;
    const fleet = new Fleet({ tiers: [{ path: path.join(tmp, 'shared') }], leaseWaitMs: 500, pollMs: 50 });
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache'), fleet });
    const { key } = await cache.keyFor(mlp, { device: 'CPU' });
    const other = await fleet.tiers[0]?.leases()?.tryAcquire(key, 60_000); // another machine, compiling for ever
    assert.ok(other);
    const started = Date.now();
    const result = await cache.compile(mlp, { device: 'CPU' });
    const waited = Date.now() - started;
    result.compiled.dispose();
    assert.equal(result.hit, false);
    assert.equal(result.cached, true, 'compiled here, into the local cache');
    assert.equal(fleet.stats().leaseWaits, 1, 'it did wait for the other machine first');
    assert.ok(waited >= 450, `waited ${waited} ms: at least leaseWaitMs`);
    assert.ok(waited < 20_000, `waited ${waited} ms: bounded by leaseWaitMs (500 ms), not the 60 s lease`);
    await other.release();
    await cache.dispose();
    await fleet.close();
  });
});
