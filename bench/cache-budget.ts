// What the disk budget costs, measured in one run against the stand-in runtime (not a timed test):
//  1. the budget check on the warm path: cache.compile() hits with maxBytes + minFreeBytes set
//     against the same hits without a budget (goal: well under 1 ms; a hit reads only the
//     in-memory usage estimate, no folder scan, no statfs);
//  2. an eviction pass through ModelCache removing 5,000 of 10,000 entries (cache.evict()).
// Prints a table and writes bench/results/cache-budget.json.
//   node dist/bench/cache-budget.js [--iterations 2000] [--entries 10000]
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalModelCache } from '../lib/cache/model-cache';
import { MANIFEST_FILE, type EntryManifest } from '../lib/cache/entry/manifest';
import { summarize, type Summary } from '../lib/bench/stats';
import { formatTable } from '../lib/format/table';
import { agedMlp, openStandInBench } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const ITERATIONS = Number(arg('iterations', '2000'));
const ENTRIES = Number(arg('entries', '10000'));
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const ms = (s: Summary) => ({ median: round(s.median), min: round(s.min), max: round(s.max), n: s.n });

/** `count` entries cloned from a real one under made-up keys, last used one second apart (entry 0 oldest). */
function populate(entriesDir: string, template: string, count: number): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(template, MANIFEST_FILE), 'utf8')) as EntryManifest;
  const blobs = fs.readdirSync(template).filter((f) => f.endsWith('.blob'));
  const start = Date.now() - count * 1000 - 60_000;
  for (let i = 0; i < count; i++) {
    const key = crypto.createHash('sha256').update(`fake-${i}`).digest('hex');
    const dir = path.join(entriesDir, `fake${i}-1x16-CPU-${key.slice(0, 12)}`);
    fs.mkdirSync(dir, { mode: 0o700 });
    for (const blob of blobs) fs.copyFileSync(path.join(template, blob), path.join(dir, blob));
    const at = new Date(start + i * 1000).toISOString();
    fs.writeFileSync(
      path.join(dir, MANIFEST_FILE),
      JSON.stringify({ ...manifest, key, modelPaths: [`/models/fake${i}.xml`], createdAt: at, lastUsedAt: at }),
    );
  }
}

async function warmHits(cache: LocalModelCache, xml: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS + 50; i++) {
    const t = performance.now();
    const r = await cache.compile(xml, { device: 'CPU' });
    const elapsed = performance.now() - t;
    if (!r.hit) throw new Error('expected a hit');
    r.compiled.dispose();
    if (i >= 50) times.push(elapsed);
  }
  return times;
}

async function main(): Promise<void> {
  const { work, core, results } = await openStandInBench('budget');
  const rows: Array<Array<string | number>> = [];
  try {
    // ---- 1. the budget check on the warm path ----
    const xml = await agedMlp(path.join(work, 'models'));
    const dir = path.join(work, 'cache');
    const plain = new LocalModelCache({ core, dir });
    const budgeted = new LocalModelCache({ core, dir, maxBytes: '20GB', minFreeBytes: '1GB', maxAge: '30d', maxEntriesPerModel: 8 });
    (await plain.compile(xml, { device: 'CPU' })).compiled.dispose();
    await budgeted.usage(); // the one scan that seeds the in-memory estimate
    // Interleaved rounds so drift hits both alike.
    const without: number[] = [];
    const withBudget: number[] = [];
    for (let round = 0; round < 4; round++) {
      without.push(...(await warmHits(plain, xml)));
      withBudget.push(...(await warmHits(budgeted, xml)));
    }
    const a = summarize(without);
    const b = summarize(withBudget);
    results.warmPath = {
      iterations: without.length,
      withoutBudget: ms(a),
      withBudget: ms(b),
      budgetCheckMedianMs: round(b.median - a.median),
    };
    rows.push(['warm cache.compile, no budget', round(a.median), 'ms', `${without.length} hits`, '']);
    rows.push(['warm cache.compile, with a budget', round(b.median), 'ms', 'maxBytes, minFreeBytes, maxAge, maxEntriesPerModel', '']);
    rows.push(['budget check on the warm path (difference)', round(b.median - a.median), 'ms', 'no scan, no statfs on a hit', '<< 1 ms']);
    await plain.dispose();
    await budgeted.dispose();

    // ---- 2. an eviction pass removing half of ENTRIES ----
    const template = fs.readdirSync(path.join(dir, 'entries')).map((n) => path.join(dir, 'entries', n))[0] as string;
    const evictDir = path.join(work, 'evict');
    fs.mkdirSync(path.join(evictDir, 'entries'), { recursive: true, mode: 0o700 });
    populate(path.join(evictDir, 'entries'), template, ENTRIES);
    const cache = new LocalModelCache({ core, dir: evictDir });
    const before = await cache.usage();
    const half = Math.floor(before.bytes / 2);
    const t = performance.now();
    const report = await cache.evict({ maxBytes: half });
    const evictMs = performance.now() - t;
    const oldestKept = Math.min(
      ...fs.readdirSync(path.join(evictDir, 'entries')).map((n) => Number(/^fake(\d+)-/.exec(n)?.[1] ?? Infinity)),
    );
    const lruOk = report.removed.every((r) => Number(/^fake(\d+)-/.exec(r.name)?.[1]) < oldestKept);
    await cache.dispose();
    results.eviction = {
      entriesBefore: before.entries,
      bytesBefore: before.bytes,
      removed: report.removed.length,
      skipped: report.skipped.length,
      bytesFreed: report.bytesFreed,
      entriesAfter: report.after.entries,
      ms: round(evictMs, 1),
      removedWereLeastRecentlyUsed: lruOk,
    };
    rows.push([
      `cache.evict(): ${report.removed.length} of ${before.entries} entries`,
      round(evictMs, 1),
      'ms',
      `scan + plan + rename/delete; LRU ${lruOk ? 'order kept' : 'ORDER BROKEN'}`,
      '',
    ]);
  } finally {
    core.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'cache-budget.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine as { cpu: string; cpus: number };
  console.log(
    formatTable(['measure (against the stand-in runtime)', 'median', 'unit', 'detail', 'goal'], rows, {
      title: `ovcache disk budget - ${m.cpu}, ${m.cpus} CPUs, node ${process.version}\n`,
      align: ['left', 'right', 'left', 'left', 'left'],
    }),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
