// A miss on a ResultCache whose Redis is frozen (SIGSTOP: connections open, no answers) against
// a local-only ResultCache, in the same run (issue 21 item 6; goal: at most 1.2x). The frozen
// cache's first miss finds Redis frozen and pays one redisTimeout (reported apart); after
// that the tier is down and no call waits on Redis. Samples alternate between the two caches
// so that drift hits both alike. Each miss: a lookup, a 4 KB compute, a write.
// Prints a table and writes bench/results/result-redis-frozen.json.
//   node dist/bench/result-redis-frozen.js [--samples 2000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ResultCache } from '../lib/results/result-cache';
import type { ResultValue } from '../lib/results/value';
import { formatTable } from '../lib/format/table';
import { RedisServer, hasRedisServer } from '../test/helpers/redis-server';

const ROOT = path.resolve(__dirname, '..', '..');
const i = process.argv.indexOf('--samples');
const SAMPLES = i >= 0 ? Number(process.argv[i + 1]) : 2000;
const round = (n: number): number => Math.round(n * 1000) / 1000;

function valueOf(n: number): ResultValue {
  const data = new Uint8Array(4096).fill(n & 0xff);
  return { tensors: { out: { data, shape: [4096], elementType: 'u8' } }, meta: { n } };
}

interface Summary {
  median: number;
  min: number;
  max: number;
  p99: number;
  n: number;
}

function summarize(ms: number[]): Summary {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: round(at(0.5)), min: round(s[0] ?? NaN), max: round(s.at(-1) ?? NaN), p99: round(at(0.99)), n: s.length };
}

async function miss(cache: ResultCache, n: number): Promise<number> {
  const started = performance.now();
  const r = await cache.getOrCompute({ model: 'bench-frozen', params: { n } }, () => Promise.resolve(valueOf(n)));
  const ms = performance.now() - started;
  if (r.outcome !== 'miss') throw new Error(`expected a miss for ${n}, got ${r.outcome}`);
  return ms;
}

async function main(): Promise<void> {
  if (!hasRedisServer()) throw new Error('redis-server is not on PATH (scripts/ensure-system-tools.sh)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-bench-frozen-'));
  const server = await RedisServer.start();
  const redisTimeoutMs = 250; // the default
  const local = new ResultCache({ dir: path.join(tmp, 'local-only') });
  const frozen = new ResultCache({ dir: path.join(tmp, 'with-redis'), redis: server.url, redisTimeout: redisTimeoutMs });
  try {
    await miss(frozen, -1); // connected and up
    await miss(local, -1);
    server.pause();
    const firstMs = await miss(frozen, 0);
    if (frozen.stats().redis !== 'down') throw new Error(`expected Redis down after the first frozen miss, got ${frozen.stats().redis}`);
    const a: number[] = [];
    const b: number[] = [];
    for (let n = 1; n <= SAMPLES; n++) {
      a.push(await miss(local, n));
      b.push(await miss(frozen, n));
    }
    const localOnly = summarize(a);
    const redisFrozen = summarize(b);
    const ratio = round(redisFrozen.median / localOnly.median);
    const rows = [
      ['local only', localOnly.median, localOnly.min, localOnly.p99, localOnly.max, localOnly.n],
      ['local + Redis frozen (down)', redisFrozen.median, redisFrozen.min, redisFrozen.p99, redisFrozen.max, redisFrozen.n],
    ];
    console.log(
      `A miss (lookup + 4 KB compute + write), ms; first frozen miss ${round(firstMs)} ms (one redisTimeout of ${redisTimeoutMs} ms)`,
    );
    console.log(formatTable(['cache', 'median', 'min', 'p99', 'max', 'samples'], rows));
    console.log(`median ratio frozen / local-only: ${ratio}x (goal <= 1.2x)`);
    const out = {
      what: 'a ResultCache miss with its Redis frozen by SIGSTOP, against local-only, same run, alternating samples',
      machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
      redisTimeoutMs,
      firstFrozenMissMs: round(firstMs),
      localOnly,
      redisFrozen,
      medianRatio: ratio,
      goal: 1.2,
      at: new Date().toISOString(),
    };
    const outFile = path.join(ROOT, 'bench', 'results', 'result-redis-frozen.json');
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    server.resume();
    await Promise.all([local.close(), frozen.close()]);
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
