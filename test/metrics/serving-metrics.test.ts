// ovcache/metrics for serving: registry.infer() through a real ResultCache, then the scraped
// inference, queue and result-cache series, value by value.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Registry } from 'prom-client';
import { loadOpenVINO, ModelCache, ModelRegistry, ResultCache, type Core } from '../../lib/index';
import { createMetrics } from '../../lib/metrics/index';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { parseExposition } from './scrape';

describe('ovcache/metrics: registry inference and the result cache', function () {
  this.timeout(60_000);
  let tmp: string;
  let core: Core;
  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  });
  after(() => core.dispose());
  beforeEach(() => {
    tmp = makeTempDir('ovcache-serving-metrics-');
  });
  afterEach(() => removeDir(tmp));

  it('counts inferences by outcome, queue waits, lookups, entries and evictions exactly', async () => {
    const register = new Registry();
    const metrics = createMetrics({ register });
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
    const results = new ResultCache({ dir: path.join(tmp, 'results'), maxEntries: 2 });
    const registry = new ModelRegistry({
      cache,
      resultCache: results,
      models: { mlp: { model: writeMlp(path.join(tmp, 'm')).xml, device: 'CPU' } },
    });
    metrics.observe(registry);
    metrics.observe(results);
    const x = new Float32Array(16).fill(0.5);
    // 3 distinct params: 3 misses (the third evicts the least recently used, maxEntries 2),
    // then params 3 again (a hit) and one request that is not cacheable (a bypass).
    for (const v of [1, 2, 3, 3]) await registry.infer('mlp', { input: x }, { params: { v } });
    await registry.infer('mlp', { input: x }, { params: { v: 9 }, cacheable: false });
    const s = parseExposition(await register.metrics());
    assert.equal(s.get('ovcache_registry_inferences_total{outcome="miss",device="CPU"}'), 3);
    assert.equal(s.get('ovcache_registry_inferences_total{outcome="hit",device="CPU"}'), 1);
    assert.equal(s.get('ovcache_registry_inferences_total{outcome="bypass",device="CPU"}'), 1);
    assert.equal(s.get('ovcache_registry_queue_wait_seconds_count{device="CPU"}'), 5);
    // Result-cache hits run no inference, so they are not in the inference-time histogram.
    assert.equal(s.get('ovcache_registry_infer_duration_seconds_count{device="CPU"}'), 4);
    assert.equal(s.get('ovcache_registry_queue_depth'), 0);
    assert.equal(s.get('ovcache_result_lookups_total{outcome="miss",tier="local"}'), 3);
    assert.equal(s.get('ovcache_result_lookups_total{outcome="hit",tier="local"}'), 1);
    assert.equal(s.get('ovcache_result_lookups_total{outcome="bypass",tier="local"}'), 1);
    assert.equal(s.get('ovcache_result_evictions_total{reason="count",tier="local"}'), 1);
    assert.equal(s.get('ovcache_result_entries'), 2);
    assert.equal(s.get('ovcache_result_bytes'), results.stats().bytes);
    assert.ok((results.stats().bytes ?? 0) > 0);
    assert.ok((s.get('ovcache_result_time_saved_seconds_total') ?? -1) >= 0);
    await registry.dispose();
    await results.close();
    await cache.dispose();
  });

  it('refuses an object it cannot follow, naming the four kinds', () => {
    const metrics = createMetrics({ register: new Registry() });
    assert.throws(() => metrics.observe({} as never), /a ModelCache, a ModelRegistry, a ResultCache or a Fleet/);
  });
});
