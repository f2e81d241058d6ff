// The result cache, measured:
//  1. hit and miss latency (p50, p99) of the embedded store at 1,000 and 100,000 entries of
//     4 KB, and of 1 MB values at 100 and 1,000 entries (100,000 x 1 MB would be 100 GB);
//     goals: 4 KB hit p50 < 0.2 ms, and at 100,000 entries no more than 1.5x the 1,000 figure;
//  2. the same on Redis (a redis-server started here on loopback), Redis only (no local tier),
//     with a 10 s call timeout so slow calls are measured rather than cut off; goal: hit p50 < 1 ms;
//  3. set throughput (one at a time, and 64 in flight);
//  4. 8 processes reading and writing one embedded store at once;
//  5. end to end on the stand-in: model load + inference versus the same request answered
//     from the result cache (the stand-in's compile and inference costs are simulated).
// Prints tables and writes bench/results/result-cache.json.
//   node dist/bench/result-cache.js [--samples 2000] [--large 100000] [--no-redis]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ResultCache } from '../lib/results/result-cache';
import type { ResultValue } from '../lib/results/value';
import { formatTable } from '../lib/format/table';
import { RedisServer, hasRedisServer } from '../test/helpers/redis-server';
import { openStandInBench } from './stand-in-bench';
import { writeMlp } from '../scripts/make-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const SAMPLES = Number(arg('samples', '2000'));
const LARGE = Number(arg('large', '100000'));
const KB4 = 4096;
const MB1 = 1 << 20;

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

interface Latency {
  p50: number;
  p99: number;
  n: number;
}

function percentiles(values: number[]): Latency {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: round(at(0.5), 4), p99: round(at(0.99), 4), n: s.length };
}

function valueOf(i: number, size: number): ResultValue {
  const data = new Uint8Array(size);
  data.fill(i & 0xff);
  data[0] = i % 251;
  return { tensors: { out: { data, shape: [size], elementType: 'u8' } }, meta: { i } };
}

const keyOf = (cache: ResultCache, i: number): string => cache.keyFor({ model: 'bench', params: { i } });

/** Fills the cache with count entries of size bytes, 64 writes in flight. */
async function fill(cache: ResultCache, from: number, to: number, size: number, inFlight = size > 65536 ? 8 : 64): Promise<number> {
  const started = performance.now();
  const template = valueOf(0, size);
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const i = next++;
      await cache.set(keyOf(cache, i), { ...template, meta: { i } });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return ((to - from) / (performance.now() - started)) * 1000;
}

async function latency(cache: ResultCache, count: number): Promise<{ hit: Latency; miss: Latency }> {
  const hits: number[] = [];
  const misses: number[] = [];
  const keys = Array.from({ length: SAMPLES }, (_, n) => keyOf(cache, Math.floor(((n * 7919) % SAMPLES) * (count / SAMPLES))));
  const absent = Array.from({ length: SAMPLES }, (_, n) => keyOf(cache, count + 1_000_000 + n));
  for (let n = 0; n < SAMPLES; n++) {
    let t = performance.now();
    const v = await cache.get(keys[n] as string);
    hits.push(performance.now() - t);
    if (!v) throw new Error(`bench: expected a hit for sample ${n}`);
    t = performance.now();
    await cache.get(absent[n] as string);
    misses.push(performance.now() - t);
    if (n % 256 === 0) await cache.flush();
  }
  await cache.flush();
  return { hit: percentiles(hits), miss: percentiles(misses) };
}

async function setThroughput(cache: ResultCache, size: number): Promise<{ sequentialPerSec: number; parallel64PerSec: number }> {
  const n = 500;
  const started = performance.now();
  for (let i = 0; i < n; i++) await cache.set(keyOf(cache, 5_000_000 + i), valueOf(i, size));
  const sequentialPerSec = (n / (performance.now() - started)) * 1000;
  const parallel64PerSec = await fill(cache, 6_000_000, 6_000_000 + 2000, size);
  return { sequentialPerSec: Math.round(sequentialPerSec), parallel64PerSec: Math.round(parallel64PerSec) };
}

type Row = Array<string | number>;

async function tier(label: string, make: (name: string) => ResultCache, rows: Row[], out: Record<string, unknown>): Promise<void> {
  const plans: Array<[number, number, number]> = [
    [KB4, 1000, LARGE],
    [MB1, 100, 1000],
  ];
  for (const [size, small, large] of plans) {
    const cache = make(`${label}-${size}`);
    const sizeText = size === KB4 ? '4 KB' : '1 MB';
    let atSmall: { hit: Latency; miss: Latency };
    let atLarge: { hit: Latency; miss: Latency };
    try {
      await fill(cache, 0, small, size);
      atSmall = await latency(cache, small);
      await fill(cache, small, large, size);
      atLarge = await latency(cache, large);
      if (size === KB4) out[`${label} set throughput 4 KB`] = await setThroughput(cache, size);
    } finally {
      await cache.close();
    }
    for (const [count, l] of [
      [small, atSmall],
      [large, atLarge],
    ] as const) {
      rows.push([label, sizeText, count, l.hit.p50, l.hit.p99, l.miss.p50, l.miss.p99]);
      out[`${label} ${sizeText} ${count}`] = l;
    }
    out[`${label} ${sizeText} hit p50 ratio ${large}/${small}`] = round(atLarge.hit.p50 / atSmall.hit.p50, 2);
  }
}

/** One of the 8 processes: 2,000 gets over a shared 1,000-entry store, a set every 10th. */
async function child(dir: string): Promise<void> {
  const cache = new ResultCache({ dir, maxEntries: 100_000 });
  const times: number[] = [];
  const started = performance.now();
  for (let n = 0; n < 2000; n++) {
    const t = performance.now();
    if (n % 10 === 0) await cache.set(keyOf(cache, 10_000 + process.pid * 10 + (n % 100)), valueOf(n, KB4));
    else if (!(await cache.get(keyOf(cache, (n * 37) % 1000)))) throw new Error('child: expected a hit');
    times.push(performance.now() - t);
  }
  const ms = performance.now() - started;
  await cache.close();
  process.stdout.write(`${JSON.stringify({ ...percentiles(times), opsPerSec: Math.round((2000 / ms) * 1000) })}\n`);
}

async function eightProcesses(dir: string): Promise<Record<string, unknown>> {
  const seed = new ResultCache({ dir, maxEntries: 100_000 });
  await fill(seed, 0, 1000, KB4);
  await seed.close();
  const started = performance.now();
  const outputs = await Promise.all(
    Array.from(
      { length: 8 },
      () =>
        new Promise<Latency & { opsPerSec: number }>((resolve, reject) => {
          const c = spawn(process.execPath, [__filename, '--child', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
          let text = '';
          c.stdout.on('data', (d: Buffer) => (text += d.toString()));
          c.on('close', (code) =>
            code === 0 ? resolve(JSON.parse(text) as Latency & { opsPerSec: number }) : reject(new Error(`child ${code}`)),
          );
        }),
    ),
  );
  const wallMs = performance.now() - started;
  return {
    processes: 8,
    opsEach: 2000,
    aggregateOpsPerSec: Math.round((8 * 2000 * 1000) / wallMs),
    p50: round(Math.max(...outputs.map((o) => o.p50)), 4),
    p99: round(Math.max(...outputs.map((o) => o.p99)), 4),
  };
}

async function endToEnd(work: string, core: Awaited<ReturnType<typeof openStandInBench>>['core']): Promise<Record<string, number>> {
  const { xml } = writeMlp(path.join(work, 'e2e-model'));
  const cache = new ResultCache({ dir: path.join(work, 'e2e-results') });
  const input = new Float32Array(16).fill(0.5);
  const request = (): Promise<unknown> =>
    cache.getOrCompute({ model: 'mlp-v1', params: { seed: 1 }, inputs: { input } }, async () => {
      const compiled = await core.compileModel(xml, 'CPU');
      const out = await compiled.createInferRequest().infer({ input });
      compiled.dispose();
      return { tensors: out };
    });
  const cold: number[] = [];
  const warm: number[] = [];
  for (let n = 0; n < 20; n++) {
    await cache.delete(cache.keyFor({ model: 'mlp-v1', params: { seed: 1 }, inputs: { input } }));
    let t = performance.now();
    await request();
    cold.push(performance.now() - t);
    t = performance.now();
    await request();
    warm.push(performance.now() - t);
  }
  await cache.close();
  const c = percentiles(cold).p50;
  const w = percentiles(warm).p50;
  return { loadAndInferMs: c, fromResultCacheMs: w, ratio: round(w / c, 4) };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as string);
  const { work, core, results } = await openStandInBench('results');
  const rows: Row[] = [];
  const latencies: Record<string, unknown> = {};
  let server: RedisServer | undefined;
  try {
    await tier('embedded', (name) => new ResultCache({ dir: path.join(work, name), maxEntries: 10_000_000, ttl: 0 }), rows, latencies);
    if (!process.argv.includes('--no-redis') && hasRedisServer()) {
      server = await RedisServer.start();
      const url = server.url;
      await tier(
        'redis',
        (name) => new ResultCache({ dir: false, redis: url, namespace: `${name}:`, maxEntries: 10_000_000, ttl: 0, redisTimeout: '10s' }),
        rows,
        latencies,
      );
    } else {
      latencies.redis = 'not run: redis-server is not on PATH (or --no-redis)';
    }
    results.latencyMs = latencies;
    results.eightProcesses = await eightProcesses(path.join(work, 'shared'));
    results.endToEnd = await endToEnd(work, core);
  } finally {
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(
    formatTable(['STORE', 'VALUE', 'ENTRIES', 'HIT P50 MS', 'HIT P99 MS', 'MISS P50 MS', 'MISS P99 MS'], rows, {
      title: 'Result cache lookups (get(), one at a time)',
    }),
  );
  console.log('');
  const set4 = (t: string): string => JSON.stringify(latencies[`${t} set throughput 4 KB`] ?? '-');
  console.log(`Set throughput, 4 KB: embedded ${set4('embedded')}, redis ${set4('redis')} (per second)`);
  console.log(`8 processes on one embedded store: ${JSON.stringify(results.eightProcesses)}`);
  console.log(`End to end on the stand-in (simulated costs): ${JSON.stringify(results.endToEnd)}`);
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'result-cache.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
