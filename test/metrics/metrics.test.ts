// ovcache/metrics against the stand-in: a known sequence of compiles, hits, an uncached compile,
// a failure, evictions and registry loads, then the scraped /metrics text, value by value.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { loadOpenVINO, ModelCache, ModelRegistry, scanCache, type Core, type OpenVINO } from '../../lib/index';
import type { VolumeStats } from '../../lib/cache/volume';
import { createMetrics } from '../../lib/metrics/index';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';
import { parseExposition, serveMetrics } from './scrape';

const GB = 1_000_000_000;
const statfs = (): Promise<VolumeStats> => Promise.resolve({ totalBytes: 10 * GB, freeBytes: 5 * GB, availableBytes: 4 * GB });

describe('ovcache/metrics', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let mlp: string;
  let image: string;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-metrics-');
    mlp = writeMlp(path.join(tmp, 'models')).xml;
    image = writeImageModel(path.join(tmp, 'models')).xml;
    core = ov.createCore();
  });
  afterEach(() => {
    core.dispose();
    removeDir(tmp);
  });

  it('after a known sequence, the scraped /metrics text has exactly the expected values', async () => {
    const register = new Registry();
    const metrics = createMetrics({ register, usageIntervalMs: 0 });
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache'), maxBytes: GB, minFreeBytes: GB, statfs });
    metrics.observe(cache);
    const dispose = (r: { compiled: { dispose(): void } }) => r.compiled.dispose();

    dispose(await cache.compile(mlp, { device: 'CPU' })); // miss
    dispose(await cache.compile(mlp, { device: 'CPU' })); // hit
    dispose(await cache.compile(mlp, { device: 'CPU' })); // hit
    dispose(await cache.compile(image, { device: 'CPU', shapes: { image: [1, 3, 16, 16] } })); // miss
    dispose(await cache.compile(mlp, { device: 'CPU', cache: false })); // uncached (call)
    await assert.rejects(cache.compile(mlp, { device: 'NPU' })); // the stand-in has no NPU: an error
    await cache.flush();
    const before = await scanCache(cache.dir, { checkModels: false });
    assert.equal(before.totals.entries, 2);
    const report = await cache.evict({ maxBytes: 1 }); // both entries, by the size rule
    assert.equal(report.removed.length, 2);

    const registry = new ModelRegistry({ cache });
    metrics.observe(registry);
    await registry.get(mlp, { device: 'CPU' }); // miss: compiled again into a new entry
    await registry.get(mlp, { device: 'CPU' }); // reuse
    await cache.flush();
    const after = await scanCache(cache.dir, { checkModels: false });
    const stats = cache.stats();
    const modelBytes = fs.statSync(mlp).size + fs.statSync(mlp.replace(/\.xml$/, '.bin')).size;

    const server = await serveMetrics(register);
    try {
      const response = await fetch(server.url);
      assert.equal(response.headers.get('content-type'), register.contentType);
      const series = parseExposition(await response.text());
      const plain = new Map([...series].filter(([k]) => !/_bucket\{|_sum[{ ]|_sum$/.test(k)));
      assert.deepEqual(Object.fromEntries(plain), {
        'ovcache_compiles_total{outcome="miss",device="CPU"}': 3,
        'ovcache_compiles_total{outcome="hit",device="CPU"}': 2,
        'ovcache_compiles_total{outcome="uncached",device="CPU"}': 1,
        'ovcache_uncached_compiles_total{reason="call",device="CPU"}': 1,
        'ovcache_compile_errors_total{device="NPU"}': 1,
        'ovcache_compile_duration_seconds_count{device="CPU"}': 4,
        'ovcache_load_duration_seconds_count{device="CPU"}': 2,
        'ovcache_evictions_total{reason="size"}': 2,
        'ovcache_evicted_bytes_total{reason="size"}': before.totals.bytes,
        ovcache_time_saved_seconds_total: stats.timeSavedMs / 1000,
        ovcache_written_bytes_total: stats.bytesWritten,
        ovcache_lock_waits_total: 0,
        ovcache_lock_timeouts_total: 0,
        ovcache_cache_bytes: after.totals.bytes,
        ovcache_cache_entries: 1,
        ovcache_cache_max_bytes: GB,
        ovcache_volume_available_bytes: 4 * GB,
        ovcache_cache_free_floor_bytes: GB,
        'ovcache_budget_condition{condition="warn"}': 0,
        'ovcache_budget_condition{condition="exceeded"}': 0,
        'ovcache_budget_condition{condition="low-space"}': 0,
        'ovcache_registry_loads_total{outcome="miss",device="CPU"}': 1,
        'ovcache_registry_loads_total{outcome="reuse",device="CPU"}': 1,
        'ovcache_registry_load_duration_seconds_count{device="CPU"}': 1,
        ovcache_registry_models: 1,
        ovcache_registry_bytes: modelBytes,
        // Nothing inferred through the registry and no ResultCache observed: the gauges are 0.
        ovcache_registry_queue_depth: 0,
        ovcache_result_entries: 0,
        ovcache_result_bytes: 0,
        ovcache_result_time_saved_seconds_total: 0,
      });
      assert.ok(stats.bytesWritten > 0 && stats.timeSavedMs >= 0);
      // Histograms: cumulative buckets ending in +Inf = count, and a positive sum.
      for (const [name, count] of [
        ['ovcache_compile_duration_seconds', 4],
        ['ovcache_load_duration_seconds', 2],
      ] as const) {
        const buckets = [...series].filter(([k]) => k.startsWith(`${name}_bucket{`)).map(([, v]) => v);
        assert.deepEqual(
          [...buckets].sort((a, b) => a - b),
          buckets,
          `${name} buckets are cumulative`,
        );
        assert.equal(series.get(`${name}_bucket{le="+Inf",device="CPU"}`), count);
        assert.ok((series.get(`${name}_sum{device="CPU"}`) ?? 0) > 0);
      }
      // A second scrape counts nothing twice.
      const again = parseExposition(await (await fetch(server.url)).text());
      assert.equal(again.get('ovcache_written_bytes_total'), stats.bytesWritten);
      assert.equal(again.get('ovcache_time_saved_seconds_total'), stats.timeSavedMs / 1000);
    } finally {
      await server.close();
      await registry.dispose();
      await cache.dispose();
    }
  });

  it('budget events set the budget conditions and the disk figures between scans', async () => {
    const register = new Registry();
    const metrics = createMetrics({ register, usageIntervalMs: 3_600_000 });
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache'), maxBytes: 20_000, warnAt: 0.3, statfs });
    metrics.observe(cache);
    const scrape = async () => parseExposition(await register.metrics());
    const first = await scrape(); // the one scan of the hour: an empty folder
    assert.equal(first.get('ovcache_cache_entries'), 0);
    assert.equal(first.get('ovcache_cache_max_bytes'), 20_000);
    const kinds: string[] = [];
    cache.on('budget', (e) => kinds.push(e.kind));
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose(); // above 30% of 20,000 bytes: warn
    await cache.flush();
    assert.deepEqual(kinds, ['warn']);
    let s = await scrape();
    assert.equal(s.get('ovcache_budget_condition{condition="warn"}'), 1);
    assert.equal(s.get('ovcache_cache_entries'), 1, 'from the warn event, without a new scan');
    await cache.evict({ maxBytes: 1 });
    await cache.checkBudget(); // the warning is over
    s = await scrape();
    assert.deepEqual(kinds, ['warn', 'evicted', 'recovered']);
    assert.equal(s.get('ovcache_evictions_total{reason="size"}'), 1);
    assert.equal(s.get('ovcache_cache_entries'), 0);
    assert.equal(s.get('ovcache_budget_condition{condition="warn"}'), 0);
    await cache.dispose();
  });

  it('observe() returns a function that stops following; bad targets and options are coded errors', async () => {
    const register = new Registry();
    const metrics = createMetrics({ register });
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
    const stop = metrics.observe(cache);
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    stop();
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    const s = parseExposition(await register.metrics());
    assert.equal(s.get('ovcache_compiles_total{outcome="miss",device="CPU"}'), 1);
    assert.equal(s.get('ovcache_compiles_total{outcome="hit",device="CPU"}'), undefined);
    await cache.dispose();
    await expectCode(
      () => metrics.observe({} as ModelCache),
      'OVCACHE_INVALID_ARGUMENT',
      /a ModelCache, a ModelRegistry, a ResultCache or a Fleet/,
    );
    await expectCode(() => createMetrics({ register }), 'OVCACHE_INVALID_ARGUMENT', /already registered on this registry/);
    await expectCode(() => createMetrics({ registr: register } as never), 'OVCACHE_UNKNOWN_OPTION');
    await expectCode(() => createMetrics({ register: {} as Registry }), 'OVCACHE_INVALID_ARGUMENT', /prom-client Registry/);
  });

  it('without prom-client, importing ovcache/metrics says how to install it (OVCACHE_PEER_MISSING)', () => {
    // A child whose module resolution cannot find prom-client, as in an app that did not install it.
    const hide = `const M = require('module'); const r = M._resolveFilename;
      M._resolveFilename = function (request, ...rest) {
        if (request === 'prom-client') { const e = new Error("Cannot find module 'prom-client'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
        return r.call(this, request, ...rest);
      };`;
    const probe = `try { require('ovcache/metrics'); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const child = spawnSync(process.execPath, ['-e', `${hide}\n${probe}`], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as { code: string; message: string };
    assert.equal(out.code, 'OVCACHE_PEER_MISSING');
    assert.match(out.message, /npm install prom-client/);
  });

  it('the subpath export loads from CommonJS and ES modules, sharing one instance', () => {
    const script = `import { createMetrics } from 'ovcache/metrics'; import { ModelCache } from 'ovcache';
      const m = await import('ovcache/metrics'); const c = await import('ovcache');
      console.log(typeof createMetrics, m.createMetrics === createMetrics, c.ModelCache === ModelCache);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'function true true');
  });
});
