// keepAlive -1 (docs/serving.md: "never unload for idle time"): Infinity must never reach a
// timer, where Node would take it as 1 ms and unload the model at once.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelRegistry, type RegistryUnloadEvent } from '../../lib/registry/index';
import { makeTempDir, removeDir } from '../helpers/paths';
import { fake, fakeLoader, writeModelFiles } from './helpers';

describe('ModelRegistry keepAlive -1', () => {
  let tmp: string;
  let files: string[];
  beforeEach(() => {
    tmp = makeTempDir();
    files = writeModelFiles(tmp);
  });
  afterEach(() => removeDir(tmp));

  it('never unloads an idle model, set for the registry, per model or per call', async () => {
    const registry = new ModelRegistry({
      loader: fakeLoader().loader,
      keepAlive: -1,
      models: { named: { model: files[1]!, device: 'CPU', keepAlive: '-1' } },
    });
    const unloads: RegistryUnloadEvent[] = [];
    registry.on('unload', (e) => unloads.push(e));
    const first = fake(await registry.get(files[0]!, { device: 'CPU' }));
    const named = fake(await registry.get('named'));
    const perCall = fake(await registry.get(files[2]!, { device: 'CPU', keepAlive: -1 }));
    await sleep(100); // far past the 1 ms a timer given Infinity would wait
    assert.deepEqual(unloads, []);
    assert.equal(registry.size, 3);
    assert.deepEqual([first.disposed, named.disposed, perCall.disposed], [false, false, false]);
    assert.deepEqual(
      registry.list().map((m) => m.keepAliveMs),
      [Infinity, Infinity, Infinity],
    );
    await registry.dispose();
  });
});
