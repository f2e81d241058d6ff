// new ModelCache({ rewarm: 'background' }) (issue 27, item 2). The old entries are made by the
// CLI under another build number (OV_STUB_VERSION, read by each process at load); this process
// runs the stand-in's own build, the "new" one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ModelCache, loadOpenVINO, type OpenVINO } from '../../lib/index';
import { scanCache } from '../../lib/cache/scan';
import { IDLE_MS } from '../../lib/rewarm/background';
import { writeImageWeightsModel } from '../../scripts/make-fixtures';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const OLD = '2025.4.0-20001-stub';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rewarm: background', function () {
  this.timeout(120_000);
  let base: string;
  let dir: string;
  let model: string;
  let runtime: OpenVINO;
  const shapes = (n: number) => ({ image: [1, 3, n, n] });
  const newEntries = async (): Promise<number> =>
    (await scanCache(dir, { currentBuildNumber: runtime.version.buildNumber })).entries.filter((e) => e.state === 'ok').length;

  before(async () => {
    runtime = await loadOpenVINO({ libraryPath: STAND_IN });
  });

  beforeEach(() => {
    base = makeTempDir('ovcache-rewarm-bg-');
    dir = path.join(base, 'cache');
    model = writeImageWeightsModel(path.join(base, 'models'), 4096, 'small').xml;
    const manifest = path.join(base, 'warm.json');
    fs.writeFileSync(manifest, JSON.stringify({ models: [16, 24, 32].map((n) => ({ model, device: 'CPU', shapes: shapes(n) })) }));
    const r = spawnSync(process.execPath, [CLI, 'warm', manifest, '--dir', dir, '--json'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPENVINO_LIB_PATH: STAND_IN, OV_STUB_VERSION: OLD },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { compiled: number }).compiled, 3);
  });

  afterEach(() => removeDir(base));

  it('after a compile met only other-build entries, rewarms the others when idle', async () => {
    const cache = new ModelCache({ runtime, dir, rewarm: 'background' });
    try {
      (await cache.compile(model, { device: 'CPU', shapes: shapes(16) })).compiled.dispose();
      const deadline = Date.now() + 60_000;
      while ((await newEntries()) < 3 && Date.now() < deadline) await sleep(100);
      assert.equal(await newEntries(), 3);
      assert.equal(cache.stats().misses, 3, 'one compile by the service, two by the rewarm');
    } finally {
      await cache.dispose();
    }
    const next = new ModelCache({ runtime, dir });
    try {
      for (const n of [24, 32]) {
        const r = await next.compile(model, { device: 'CPU', shapes: shapes(n) });
        r.compiled.dispose();
        assert.equal(r.hit, true);
      }
    } finally {
      await next.dispose();
    }
  });

  it('is stopped by dispose(): no compile starts after it', async () => {
    const cache = new ModelCache({ runtime, dir, rewarm: 'background' });
    (await cache.compile(model, { device: 'CPU', shapes: shapes(16) })).compiled.dispose();
    await cache.dispose(); // before the idle time has passed
    await sleep(IDLE_MS * 2);
    assert.equal(await newEntries(), 1);
  });

  it('dispose() waits for the background compile in flight: nothing is written after it resolves', async () => {
    const cache = new ModelCache({ runtime, dir, rewarm: 'background' });
    const before = process.env.OV_STUB_COMPILE_MS;
    const entriesState = (): string =>
      fs
        .readdirSync(path.join(dir, 'entries'))
        .sort()
        .map((n) => {
          const m = path.join(dir, 'entries', n, 'ovcache-entry.json');
          return `${n}:${fs.existsSync(m) ? fs.statSync(m).mtimeMs : '-'}`;
        })
        .join(',');
    try {
      (await cache.compile(model, { device: 'CPU', shapes: shapes(16) })).compiled.dispose();
      process.env.OV_STUB_COMPILE_MS = '1500'; // the background compiles are slow
      const deadline = Date.now() + 60_000;
      while (cache.activeCompiles === 0 && Date.now() < deadline) await sleep(20);
      assert.ok(cache.activeCompiles > 0, 'a background compile is running');
    } finally {
      await cache.dispose();
      if (before === undefined) delete process.env.OV_STUB_COMPILE_MS;
      else process.env.OV_STUB_COMPILE_MS = before;
    }
    const atDispose = entriesState();
    await sleep(3000); // longer than the compile that was running
    assert.equal(entriesState(), atDispose);
    assert.equal(await newEntries(), 2, "the service's compile and the one in flight, none after");
  });

  it('is off by default', async () => {
    const cache = new ModelCache({ runtime, dir });
    try {
      (await cache.compile(model, { device: 'CPU', shapes: shapes(16) })).compiled.dispose();
      await sleep(IDLE_MS * 2);
      assert.equal(await newEntries(), 1);
    } finally {
      await cache.dispose();
    }
  });

  it('refuses an unknown rewarm mode', () => {
    assert.throws(() => new ModelCache({ runtime, dir, rewarm: 'now' as 'background' }), { code: 'OVCACHE_INVALID_ARGUMENT' });
  });
});
