// recordRegistry(): the state file a serving process writes for the dashboard (at most once per
// minIntervalMs, never creating the cache folder), and how the dashboard reads such files
// (live ones only) and a result store (without creating one).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRegistryView, readResultsView } from '../../lib/dashboard/layers';
import { loadOpenVINO, ModelCache, ModelRegistry, type Core, type OpenVINO } from '../../lib/index';
import { recordRegistry, type RegistryState } from '../../lib/registry/state-recorder';
import { writeMlp } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

describe('registry state for the dashboard', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let dir: string;
  let mlp: string;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-registry-state-');
    dir = path.join(tmp, 'cache');
    mlp = writeMlp(path.join(tmp, 'models')).xml;
    core = ov.createCore();
  });
  afterEach(() => {
    core.dispose();
    removeDir(tmp);
  });

  const stateFiles = () => fs.readdirSync(path.join(dir, 'history')).filter((n) => n.startsWith('registry-'));
  const readState = (): RegistryState => JSON.parse(fs.readFileSync(path.join(dir, 'history', stateFiles()[0]!), 'utf8')) as RegistryState;

  it('rewrites the state at most once per minIntervalMs while inferences run; flush() writes now; close() removes it', async () => {
    const cache = new ModelCache({ core, dir, history: false });
    const registry = new ModelRegistry({ cache });
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose(); // the cache folder exists
    const recorder = recordRegistry(registry, { dir, minIntervalMs: 60_000, heartbeatMs: 3_600_000 });
    await recorder.flush();
    const first = readState();
    assert.equal(first.infers, 0);
    for (let n = 0; n < 20; n++) await registry.infer(mlp, { input: new Float32Array(16) }, { device: 'CPU' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(readState(), first, 'rewritten within minIntervalMs');
    await recorder.flush();
    const now = readState();
    assert.deepEqual([now.infers, now.loaded, now.queued, now.waits.count, now.models.length], [20, 1, 0, 20, 1]);
    assert.deepEqual(
      readRegistryView(dir, Date.now()).processes.map((p) => p.pid),
      [process.pid],
    );
    await recorder.close();
    assert.deepEqual(stateFiles(), []);
    await registry.dispose();
    await cache.dispose();
  });

  it('never creates the cache folder; bad options are refused with OVCACHE_INVALID_ARGUMENT', async () => {
    const registry = new ModelRegistry({ loader: () => Promise.reject(new Error('unused')) });
    const recorder = recordRegistry(registry, { dir });
    await recorder.flush();
    assert.equal(fs.existsSync(dir), false);
    await recorder.close();
    await expectCode(() => recordRegistry(registry, { dir: '' }), 'OVCACHE_INVALID_ARGUMENT', /options\.dir/);
    await expectCode(() => recordRegistry(registry, { dir, minIntervalMs: 1 }), 'OVCACHE_INVALID_ARGUMENT', /options\.minIntervalMs/);
    await expectCode(() => recordRegistry(registry, { dir, heartbeat: 5 } as never), 'OVCACHE_UNKNOWN_OPTION');
  });

  it('the dashboard leaves out a state not refreshed within 3 heartbeats, or whose process is gone, and counts it stopped', () => {
    const history = path.join(dir, 'history');
    fs.mkdirSync(history, { recursive: true });
    const now = Date.now();
    const state = (pid: number, updatedAt: number): RegistryState => ({
      v: 1,
      pid,
      host: os.hostname(),
      startedAt: now - 60_000,
      updatedAt,
      heartbeatMs: 10_000,
      loaded: 1,
      bytes: 0,
      infers: 0,
      resultHits: 0,
      queueFull: 0,
      queued: 0,
      inFlight: 0,
      waits: { count: 0, totalMs: 0, maxMs: 0 },
      models: [],
    });
    const write = (pid: number, s: RegistryState) => fs.writeFileSync(path.join(history, `registry-h-${pid}.json`), JSON.stringify(s));
    write(process.pid, state(process.pid, now - 5_000)); // live
    write(process.ppid, state(process.ppid, now - 31_000)); // more than 3 heartbeats old
    write(2 ** 22 + 1, state(2 ** 22 + 1, now)); // no such process on this host
    fs.writeFileSync(path.join(history, 'registry-h-7.json'), '{"torn'); // not a state: skipped
    const view = readRegistryView(dir, now);
    assert.deepEqual(
      view.processes.map((p) => p.pid),
      [process.pid],
    );
    assert.equal(view.stopped, 2);
  });

  it('reads a folder without a result store as empty, creating nothing', async () => {
    const results = path.join(dir, 'results');
    const view = await readResultsView(results);
    assert.deepEqual([view.exists, view.entries, view.hitRate], [false, 0, null]);
    assert.equal(fs.existsSync(results), false);
  });
});
