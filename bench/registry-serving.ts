// What serving through the registry costs and gains, in one run against the stand-in:
//  1. the hot path: registry.get() of a loaded model with the files stat'ed on every call
//     (checkFilesInterval 0, the behaviour before the interval existed) and with the default
//     interval of 1 s (goal: median < 10 us); registry.infer() over a bare request.infer();
//  2. the pool: N inferences of OV_STUB_INFER_MS each (SIMULATED cost) on pools of 1, 4 and 8
//     requests, as a speed-up over the pool of 1 (serial); the pool of 8 also in a child with
//     UV_THREADPOOL_SIZE=8 (each running infer holds one libuv thread);
//  3. how fast an aborted queue wait rejects.
// Prints a table and writes bench/results/registry-serving.json.
//   node dist/bench/registry-serving.js [--iterations 20000] [--infer-ms 50] [--requests 32]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalModelCache } from '../lib/cache/model-cache';
import { ModelRegistry } from '../lib/registry/index';
import { summarize, type Summary } from '../lib/bench/stats';
import { formatTable } from '../lib/format/table';
import { writeMlp } from '../scripts/make-fixtures';
import { loadOpenVINO } from '../lib/openvino/openvino';
import { openStandInBench, STAND_IN } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const ITERATIONS = Number(arg('iterations', '20000'));
const INFER_MS = Number(arg('infer-ms', '50'));
const REQUESTS = Number(arg('requests', '32'));
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const us = (s: Summary) => ({ medianUs: round(s.median * 1000, 2), minUs: round(s.min * 1000, 2), maxUs: round(s.max * 1000, 1), n: s.n });

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<Summary> {
  for (let i = 0; i < Math.min(1000, n); i++) await fn(); // warm-up
  const times = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times[i] = performance.now() - t;
  }
  return summarize(times);
}

/** Wall time of `requests` concurrent infers on a pool of `size`. */
async function poolWall(cache: LocalModelCache, xml: string, size: number, requests: number): Promise<number> {
  const registry = new ModelRegistry({ cache, inferRequests: size, models: { m: { model: xml, device: 'CPU' } } });
  await registry.infer('m', new Float32Array(16)); // loaded, one request made
  process.env.OV_STUB_INFER_MS = String(INFER_MS);
  const t = performance.now();
  await Promise.all(Array.from({ length: requests }, (_, i) => registry.infer('m', new Float32Array(16).fill(i))));
  const wall = performance.now() - t;
  delete process.env.OV_STUB_INFER_MS;
  await registry.dispose();
  return wall;
}

async function main(): Promise<void> {
  if (process.argv.includes('--pool-child')) return poolChild();
  const { work, core, results } = await openStandInBench('registry');
  const rows: Array<Array<string | number>> = [];
  try {
    const xml = writeMlp(path.join(work, 'm')).xml;
    const cache = new LocalModelCache({ core, dir: path.join(work, 'cache') });
    const x = new Float32Array(16);

    // ---- 1. hot path ----
    const everyCall = new ModelRegistry({ cache, checkFilesInterval: 0 });
    const interval = new ModelRegistry({ cache });
    const before = await timeEach(ITERATIONS, () => everyCall.get(xml, { device: 'CPU' }));
    const after = await timeEach(ITERATIONS, () => interval.get(xml, { device: 'CPU' }));
    const named = new ModelRegistry({ cache, models: { m: { model: xml, device: 'CPU' } } });
    const byName = await timeEach(ITERATIONS, () => named.get('m'));
    const compiled = await interval.get(xml, { device: 'CPU' });
    const request = compiled.createInferRequest();
    const bare = await timeEach(ITERATIONS / 4, () => request.infer({ input: x }));
    const viaRegistry = await timeEach(ITERATIONS / 4, () => interval.infer(xml, { input: x }, { device: 'CPU' }));
    request.dispose();
    await Promise.all([everyCall.dispose(), interval.dispose(), named.dispose()]);
    results.hotPath = {
      getStatEveryCall: us(before),
      getInterval1s: us(after),
      getByName: us(byName),
      bareInfer: us(bare),
      registryInfer: us(viaRegistry),
      registryInferOverheadUs: round((viaRegistry.median - bare.median) * 1000, 2),
    };
    rows.push(["registry.get, files stat'ed every call (before)", round(before.median * 1000, 2), 'us', '2 stat calls per get', '']);
    rows.push([
      'registry.get, files checked once per 1 s (default)',
      round(after.median * 1000, 2),
      'us',
      `${round(before.median / after.median, 1)}x faster`,
      '< 10 us',
    ]);
    rows.push(['registry.get by name', round(byName.median * 1000, 2), 'us', '', '< 10 us']);
    rows.push(['bare request.infer (stand-in MLP)', round(bare.median * 1000, 2), 'us', 'SIMULATED compute', '']);
    rows.push([
      'registry.infer, same model',
      round(viaRegistry.median * 1000, 2),
      'us',
      `overhead ${round((viaRegistry.median - bare.median) * 1000, 1)} us`,
      '',
    ]);

    // ---- 2. the pool ----
    const walls: Record<string, number> = {};
    for (const size of [1, 4, 8]) walls[`pool${size}`] = round(await poolWall(cache, xml, size, REQUESTS), 1);
    const child = spawnSync(process.execPath, [__filename, '--pool-child', work, xml], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '8' },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`pool child failed: ${child.stderr}`);
    walls.pool8uv8 = round(Number(child.stdout.trim()), 1);
    const serial = walls.pool1 as number;
    results.pool = {
      inferMs: INFER_MS,
      requests: REQUESTS,
      wallMs: walls,
      speedUp: Object.fromEntries(Object.entries(walls).map(([k, v]) => [k, round(serial / v, 2)])),
    };
    const label: Record<string, string> = {
      pool1: 'pool of 1 (serial)',
      pool4: 'pool of 4',
      pool8: 'pool of 8, UV_THREADPOOL_SIZE 4 (default)',
      pool8uv8: 'pool of 8, UV_THREADPOOL_SIZE 8',
    };
    for (const [k, v] of Object.entries(walls))
      rows.push([
        `${REQUESTS} infers of ${INFER_MS} ms, ${label[k]}`,
        v,
        'ms',
        `${round(serial / v, 2)}x serial (SIMULATED cost)`,
        k === 'pool4' ? '> 3x' : '',
      ]);

    // ---- 3. abort latency of a queue wait ----
    const registry = new ModelRegistry({ cache, inferRequests: 1, models: { m: { model: xml, device: 'CPU' } } });
    await registry.infer('m', x);
    process.env.OV_STUB_INFER_MS = '200';
    const running = registry.infer('m', x);
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const controller = new AbortController();
      const waiting = registry.infer('m', x, { signal: controller.signal });
      const t = performance.now();
      controller.abort();
      await waiting.catch(() => undefined);
      latencies.push(performance.now() - t);
    }
    await running;
    delete process.env.OV_STUB_INFER_MS;
    await registry.dispose();
    const abort = summarize(latencies);
    results.abortLatencyMs = { median: round(abort.median, 4), max: round(abort.max, 3), n: abort.n };
    rows.push(['aborted queue wait: abort() to rejection', round(abort.median, 4), 'ms', `max ${round(abort.max, 3)} ms`, '< 50 ms']);
    await cache.dispose();
  } finally {
    core.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'registry-serving.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine as { cpu: string; cpus: number };
  console.log(
    formatTable(['measure (against the stand-in runtime)', 'median', 'unit', 'detail', 'goal'], rows, {
      title: `ovcache registry serving - ${m.cpu}, ${m.cpus} CPUs, node ${process.version}, ${ITERATIONS} iterations\n`,
      align: ['left', 'right', 'left', 'left', 'left'],
    }),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
}

/** The pool of 8 in a process whose libuv pool has 8 threads; prints the wall time. */
async function poolChild(): Promise<void> {
  const [work, xml] = process.argv.slice(process.argv.indexOf('--pool-child') + 1) as [string, string];
  const core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  const cache = new LocalModelCache({ core, dir: path.join(work, 'cache') });
  console.log(await poolWall(cache, xml, 8, REQUESTS));
  await cache.dispose();
  core.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
