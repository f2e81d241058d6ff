// Issue 27 item 3: a fleet rewarms once. Two machines (two local folders) share a folder tier;
// both hold the old build's entries (made by the CLI under another OV_STUB_VERSION); this
// process runs the stand-in's own build, the new one. Each rewarm compile goes through the
// cache's tier path: the lease, then a publish.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { ModelCache, loadOpenVINO, rewarm, type OpenVINO, type RewarmReport } from '../../lib/index';
import { writeImageWeightsModel } from '../../scripts/make-fixtures';
import { resolveFleetOptions } from '../../lib/fleet/fleet-options';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const OLD = '2025.4.0-20001-stub';

describe('rewarm: a fleet', function () {
  this.timeout(120_000);
  let base: string;
  let runtime: OpenVINO;

  before(async () => {
    runtime = await loadOpenVINO({ libraryPath: STAND_IN });
  });

  beforeEach(() => {
    base = makeTempDir('ovcache-rewarm-fleet-');
    const model = writeImageWeightsModel(path.join(base, 'models'), 4096, 'small').xml;
    const manifest = path.join(base, 'warm.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({ models: [16, 24, 32].map((n) => ({ model, device: 'CPU', shapes: { image: [1, 3, n, n] } })) }),
    );
    for (const machine of ['a', 'b']) {
      const r = spawnSync(process.execPath, [CLI, 'warm', manifest, '--dir', path.join(base, machine), '--json'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPENVINO_LIB_PATH: STAND_IN, OV_STUB_VERSION: OLD },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  afterEach(() => removeDir(base));

  it('two machines rewarming at once compile each twin once in total; the other copies it from the tier', async () => {
    const tiers = [{ path: path.join(base, 'shared') }];
    const caches = ['a', 'b'].map((m) => new ModelCache({ runtime, dir: path.join(base, m), tiers, publish: 'sync' }));
    let reports: RewarmReport[];
    try {
      reports = await Promise.all(caches.map((c) => rewarm(c)));
    } finally {
      for (const c of caches) await c.dispose();
    }
    assert.deepEqual(
      reports.map((r) => r.failed),
      [0, 0],
    );
    assert.equal(reports[0]!.rewarmed + reports[1]!.rewarmed, 3, 'each twin compiled on one machine');
    assert.equal(reports[0]!.copied + reports[1]!.copied, 3, 'and copied by the other');
  });

  it("docs/upgrading.md's fleet sample gives tiers in the shape the fleet options take", () => {
    const page = fs.readFileSync(path.join(ROOT, 'docs', 'upgrading.md'), 'utf8');
    const section = page.slice(page.indexOf('## A fleet'));
    const literal = /tiers: (\[.*\])/.exec(section)?.[1];
    assert.ok(literal, 'the fleet sample passes tiers');
    const tiers: unknown = vm.runInNewContext(`(${literal})`); // the sample's own literal
    assert.doesNotThrow(() => resolveFleetOptions({ tiers } as Parameters<typeof resolveFleetOptions>[0]));
  });
});
