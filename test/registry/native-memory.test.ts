// Unloading frees native memory now, not on GC: the addon's live handle count returns to its
// baseline when a model idles out or is unloaded. In a child process: the count is per addon
// instance, and other suites in this process may still hold handles.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fixture, makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const CHILD = `
const { loadOpenVINO, ModelCache, ModelRegistry } = require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'index.js'))});
const { loadNativeBinding } = require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'runtime', 'binding.js'))});
const awake = setInterval(() => undefined, 1000); // the idle timers are unref'd: keep the child alive
(async () => {
  const binding = loadNativeBinding();
  const core = (await loadOpenVINO({ libraryPath: ${JSON.stringify(STAND_IN)} })).createCore();
  const cache = new ModelCache({ core, dir: process.argv[1] });
  const baseline = binding.liveHandles();
  const registry = new ModelRegistry({
    cache, inferRequests: 2, keepAlive: 50,
    models: { idle: { model: ${JSON.stringify(fixture('mlp.xml'))}, device: 'CPU' },
              kept: { model: ${JSON.stringify(fixture('image.xml'))}, device: 'CPU', pinned: true } },
  });
  const unloaded = new Promise((resolve) => registry.once('unload', resolve));
  await Promise.all([1, 2, 3].map(() => registry.infer('idle', new Float32Array(16))));
  const loadedIdle = binding.liveHandles();
  const event = await unloaded;
  const afterIdle = binding.liveHandles();
  const image = (await registry.get('kept')).inputs[0];
  const withPinned = binding.liveHandles();
  await new Promise((r) => setTimeout(r, 150));
  const pinnedLater = binding.liveHandles();
  const stillThere = registry.has('kept');
  await registry.unload('kept');
  const afterUnload = binding.liveHandles();
  await cache.dispose();
  console.log(JSON.stringify({ baseline, loadedIdle, reason: event.reason, afterIdle, withPinned, pinnedLater, stillThere, afterUnload, image: image.name }));
  core.dispose();
  clearInterval(awake);
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('ModelRegistry native memory', () => {
  it('frees the native handles of a model idle past its keep-alive; a pinned one stays until unload()', function () {
    this.timeout(30_000);
    const dir = makeTempDir();
    try {
      const result = spawnSync(process.execPath, ['-e', CHILD, path.join(dir, 'cache')], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.status, 0, result.stderr);
      const r = JSON.parse(result.stdout) as Record<string, number | string | boolean>;
      assert.ok((r.loadedIdle as number) > (r.baseline as number), 'a compiled model and its requests are live handles');
      assert.equal(r.reason, 'idle');
      assert.equal(r.afterIdle, r.baseline, 'back to the baseline after the idle unload');
      assert.ok((r.withPinned as number) > (r.baseline as number));
      assert.equal(r.pinnedLater, r.withPinned, 'the pinned model stayed past the keep-alive');
      assert.equal(r.stillThere, true);
      assert.equal(r.afterUnload, r.baseline, 'back to the baseline once unload() resolved');
    } finally {
      removeDir(dir);
    }
  });
});
