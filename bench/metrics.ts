// What observability costs on the warm path, in one run against the stand-in runtime:
// interleaved trials of a bare core.compileModel (CACHE_DIR, a hit), cache.compile() on a plain
// ModelCache, on one followed by ovcache/metrics, and on one with a history attached - all on
// one folder and entry, in a new random order each trial. The metrics cost is reported against the
// warm path's own overhead (cache.compile minus the bare compile): goal < 5%.
// Also: the cost of one hit event's listeners alone, and of a scrape.
// Prints a table and writes bench/results/metrics.json.
//   node dist/bench/metrics.js [--trials 3000]
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { LocalModelCache } from '../lib/cache/model-cache';
import type { CacheEvent } from '../lib/cache/compile-types';
import { attachHistory } from '../lib/history/index';
import { createMetrics } from '../lib/metrics/index';
import { summarize } from '../lib/bench/stats';
import { formatTable } from '../lib/format/table';
import { agedMlp, openStandInBench } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');
const i = process.argv.indexOf('--trials');
const TRIALS = i >= 0 ? Number(process.argv[i + 1]) : 3000;
const WARMUP = 200;
const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const { work, core, results } = await openStandInBench('metrics');
  const rows: Array<Array<string | number>> = [];
  try {
    const xml = await agedMlp(path.join(work, 'models'));
    const dir = path.join(work, 'cache');
    const seed = new LocalModelCache({ core, dir });
    const first = await seed.compile(xml, { device: 'CPU' });
    first.compiled.dispose();
    await seed.dispose();
    const entryDir = first.entryDir as string;
    // Three fresh caches on the one entry, alike but for what follows them.
    const plain = new LocalModelCache({ core, dir });
    const observed = new LocalModelCache({ core, dir });
    const register = new Registry();
    createMetrics({ register }).observe(observed);
    const recorded = new LocalModelCache({ core, dir });
    const history = attachHistory(recorded);

    const control = new LocalModelCache({ core, dir }); // a second plain cache: the A/A noise floor
    type Variant = 'bare' | 'plain' | 'control' | 'metrics' | 'history';
    const run: Record<Variant, () => Promise<boolean>> = {
      bare: async () => {
        const c = await core.compileModel(xml, 'CPU', { CACHE_DIR: entryDir });
        const loaded = c.loadedFromCache;
        c.dispose();
        return loaded;
      },
      plain: async () => hit(plain),
      control: async () => hit(control),
      metrics: async () => hit(observed),
      history: async () => hit(recorded),
    };
    async function hit(cache: LocalModelCache): Promise<boolean> {
      const r = await cache.compile(xml, { device: 'CPU' });
      r.compiled.dispose();
      return r.hit;
    }
    const order: Variant[] = ['bare', 'plain', 'control', 'metrics', 'history'];
    const times: Record<Variant, number[]> = { bare: [], plain: [], control: [], metrics: [], history: [] };
    for (let t = 0; t < TRIALS + WARMUP; t++) {
      // A new random order each trial: no variant always follows the same one.
      const shuffled = [...order];
      for (let k = shuffled.length - 1; k > 0; k--) {
        const j = Math.floor(Math.random() * (k + 1));
        [shuffled[k], shuffled[j]] = [shuffled[j] as Variant, shuffled[k] as Variant];
      }
      for (const v of shuffled) {
        const started = performance.now();
        if (!(await run[v]())) throw new Error(`${v}: not a hit`);
        if (t >= WARMUP) times[v].push(performance.now() - started);
      }
    }
    const med = (v: Variant) => summarize(times[v]).median;
    const paired = (a: Variant, b: Variant) => summarize(times[a].map((x, n) => x - (times[b][n] as number))).median;
    const overheadMs = paired('plain', 'bare');
    const metricsMs = paired('metrics', 'plain');
    const historyMs = paired('history', 'plain');
    const noiseMs = paired('control', 'plain');

    // One hit event's metrics listeners alone, without the compile around them.
    const event = {
      model: xml,
      device: 'CPU',
      key: 'k',
      entryDir,
      hit: true,
      cached: true,
      uncachedReason: null,
      timings: { fingerprintMs: 0, readMs: 0, lockWaitMs: 0, compileMs: 0.2, totalMs: 0.3 },
    } as CacheEvent;
    const emitTimes = (cache: LocalModelCache) => {
      const n = 200_000;
      const started = performance.now();
      for (let k = 0; k < n; k++) cache.emit('hit', event);
      return ((performance.now() - started) / n) * 1000;
    };
    emitTimes(observed);
    const listenerUs = emitTimes(observed) - emitTimes(plain);

    const scrapes: number[] = [];
    for (let k = 0; k < 50; k++) {
      const started = performance.now();
      await register.metrics();
      scrapes.push(performance.now() - started);
    }
    await history.close();
    for (const c of [plain, control, observed, recorded]) await c.dispose();

    const ratio = metricsMs / overheadMs;
    results.trials = TRIALS;
    results.medianMs = Object.fromEntries(order.map((v) => [v, round(med(v))]));
    results.warmOverheadMs = round(overheadMs);
    results.metricsCostMs = round(metricsMs);
    results.historyCostMs = round(historyMs);
    results.aaNoiseMs = round(noiseMs);
    results.metricsCostRatio = round(ratio);
    results.historyCostRatio = round(historyMs / overheadMs);
    results.hitListenerUs = round(listenerUs, 3);
    results.scrapeMs = round(summarize(scrapes).median);
    results.listenerCostRatio = round(listenerUs / 1000 / overheadMs, 5);
    results.goal = 'metrics cost < 5% of the warm path overhead';
    rows.push([
      'warm path overhead (cache.compile - bare compile)',
      round(overheadMs, 3),
      'ms',
      `bare ${round(med('bare'), 3)} ms, cache ${round(med('plain'), 3)} ms`,
      '',
    ]);
    rows.push([
      'cost of metrics on a hit (interleaved, paired)',
      round(metricsMs * 1000, 1),
      'µs',
      `${(ratio * 100).toFixed(1)}% of the overhead`,
      '< 5%',
    ]);
    rows.push([
      'A/A: a second plain cache (the noise floor)',
      round(noiseMs * 1000, 1),
      'µs',
      `${((noiseMs / overheadMs) * 100).toFixed(1)}% of the overhead`,
      '',
    ]);
    rows.push([
      'cost of a history on a hit',
      round(historyMs * 1000, 1),
      'µs',
      `${((historyMs / overheadMs) * 100).toFixed(1)}% of the overhead`,
      '',
    ]);
    rows.push([
      'metrics listeners per hit event (no compile)',
      round(listenerUs, 2),
      'µs',
      `${((listenerUs / 1000 / overheadMs) * 100).toFixed(2)}% of the overhead`,
      '',
    ]);
    rows.push(['scrape (register.metrics())', round(summarize(scrapes).median, 3), 'ms', 'usage scanned at most every 30 s', '']);
  } finally {
    core.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'metrics.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine as { cpu: string; cpus: number };
  console.log(
    formatTable(['measure (against the stand-in runtime)', 'median', 'unit', 'detail', 'goal'], rows, {
      title: `ovcache metrics cost - ${m.cpu}, ${m.cpus} CPUs, node ${process.version}, ${TRIALS} interleaved trials\n`,
      align: ['left', 'right', 'left', 'left', 'left'],
    }),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
