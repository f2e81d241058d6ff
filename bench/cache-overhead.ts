// What the cache costs on a warm start, measured in one run against the stand-in runtime:
//  1. cache.compile() over a bare core.compileModel(path, device, { CACHE_DIR }) hitting the
//     same blob, with 1, 1,000 and 10,000 entries in the folder (goal: median overhead < 1 ms);
//  2. fingerprinting a 1 GB file against `sha256sum` on the same file (goal: at least as fast),
//     and the memoized repeat, in memory and from the memo file (goal: < 1 ms);
//  3. a ModelRegistry hit (get() of a loaded model).
// The stand-in's load times are simulated; the overheads measured here are ovcache's own.
// Prints a table and writes bench/results/cache-overhead.json.
//   node dist/bench/cache-overhead.js [--size-mb 1024] [--iterations 300] [--entries 1,1000,10000]
//     [--baseline <dist folder of another build>]   adds the warm overhead against that build, interleaved
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalModelCache } from '../lib/cache/model-cache';
import { ModelRegistry } from '../lib/registry/index';
import { Fingerprinter, sha256File } from '../lib/cache/fingerprint';
import { MANIFEST_FILE, readManifest, type EntryManifest } from '../lib/cache/entry/manifest';
import { summarize, type Summary } from '../lib/bench/stats';
import { formatTable } from '../lib/format/table';
import { compareWithBaseline } from './overhead-baseline';
import { agedMlp, openStandInBench } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const SIZE_MB = Number(arg('size-mb', '1024'));
const ITERATIONS = Number(arg('iterations', '300'));
const ENTRY_COUNTS = arg('entries', '1,1000,10000').split(',').map(Number);
const BASELINE = arg('baseline', '');

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const ms = (s: Summary) => ({ median: round(s.median), min: round(s.min), max: round(s.max), n: s.n });

/** Clones a real entry under made-up keys, so the folder holds `count` entries. */
function populate(entriesDir: string, template: string, count: number, existing: number): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(template, MANIFEST_FILE), 'utf8')) as EntryManifest;
  const blobs = fs.readdirSync(template).filter((f) => f.endsWith('.blob'));
  for (let i = existing; i < count; i++) {
    const key = crypto.createHash('sha256').update(`fake-${i}`).digest('hex');
    const dir = path.join(entriesDir, `fake${i}-1x16-CPU-${key.slice(0, 12)}`);
    fs.mkdirSync(dir, { mode: 0o700 });
    for (const blob of blobs) fs.copyFileSync(path.join(template, blob), path.join(dir, blob));
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, key }));
  }
}

async function main(): Promise<void> {
  const { work, core, results } = await openStandInBench('cache');
  const rows: Array<Array<string | number>> = [];
  try {
    // ---- 1. warm-path overhead ----
    const xml = await agedMlp(path.join(work, 'models'));
    const dir = path.join(work, 'cache');
    const cache = new LocalModelCache({ core, dir });
    const first = await cache.compile(xml, { device: 'CPU' });
    first.compiled.dispose();
    const entryDir = first.entryDir as string;
    const read = await readManifest(entryDir);
    if (read.status !== 'ok' || !read.manifest.complete) throw new Error('the first compile did not leave a complete entry');
    const overhead: Record<string, unknown> = {};
    let existing = 1;
    for (const count of ENTRY_COUNTS) {
      populate(path.join(dir, 'entries'), entryDir, count, existing);
      // The copies' writeback would otherwise run during the timed loop (it doubled some medians).
      execFileSync('sync');
      existing = Math.max(existing, count);
      const bare: number[] = [];
      const cached: number[] = [];
      const diffs: number[] = [];
      const fresh = new LocalModelCache({ core, dir }); // a new instance: nothing remembered but the memo files
      for (let i = 0; i < ITERATIONS + 20; i++) {
        let t = performance.now();
        const b = await core.compileModel(xml, 'CPU', { CACHE_DIR: entryDir });
        const bareMs = performance.now() - t;
        if (!b.loadedFromCache) throw new Error('the bare compile missed');
        b.dispose();
        t = performance.now();
        const r = await fresh.compile(xml, { device: 'CPU' });
        const cacheMs = performance.now() - t;
        if (!r.hit) throw new Error('cache.compile missed');
        r.compiled.dispose();
        if (i < 20) continue; // warm-up
        bare.push(bareMs);
        cached.push(cacheMs);
        diffs.push(cacheMs - bareMs);
      }
      await fresh.flush();
      const entries = fs.readdirSync(path.join(dir, 'entries')).length;
      const o = { entries, bare: ms(summarize(bare)), cache: ms(summarize(cached)), overhead: ms(summarize(diffs)) };
      overhead[String(entries)] = o;
      rows.push([
        `warm cache.compile overhead, ${entries} entries`,
        round(o.overhead.median),
        'ms',
        `bare ${round(o.bare.median)} ms, cache ${round(o.cache.median)} ms`,
        '< 1 ms',
      ]);
    }
    results.warmOverhead = overhead;
    if (BASELINE) {
      const c = await compareWithBaseline(BASELINE, core, xml, work, ITERATIONS);
      results.warmOverheadVsBaseline = { ...c, current: ms(c.current), baselineOverhead: ms(c.baselineOverhead), ratio: round(c.ratio) };
      rows.push([
        'warm overhead, this build / baseline (interleaved, 1 entry)',
        round(c.ratio),
        'x',
        `this ${round(c.current.median)} ms, baseline ${round(c.baselineOverhead.median)} ms`,
        '<= 1',
      ]);
    }

    // ---- 3. registry hit ----
    const registry = new ModelRegistry({ cache });
    await registry.get(xml, { device: 'CPU' });
    const regTimes: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const t = performance.now();
      await registry.get(xml, { device: 'CPU' });
      regTimes.push(performance.now() - t);
    }
    const reg = ms(summarize(regTimes));
    results.registryHit = reg;
    await registry.dispose();
    await cache.dispose();

    // ---- 2. fingerprinting ----
    const big = path.join(work, 'weights.bin');
    await writeBigFile(big, SIZE_MB);
    execFileSync('sha256sum', [big]); // page cache warm for both
    await sleep(2100);
    const sumTimes: number[] = [];
    const oursTimes: number[] = [];
    let agree = true;
    for (let i = 0; i < 3; i++) {
      let t = performance.now();
      const expected = execFileSync('sha256sum', [big], { encoding: 'utf8' }).split(' ')[0];
      sumTimes.push(performance.now() - t);
      t = performance.now();
      const digest = await sha256File(big);
      oursTimes.push(performance.now() - t);
      agree &&= digest === expected;
    }
    const memoDir = path.join(work, 'memo');
    fs.mkdirSync(memoDir);
    const printer = new Fingerprinter({ memoDir });
    let t = performance.now();
    const computed = await printer.fingerprint(big);
    const coldMs = performance.now() - t;
    if (computed.source !== 'computed') throw new Error('expected a computed fingerprint');
    const memoryTimes: number[] = [];
    const diskTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      t = performance.now();
      const m = await printer.fingerprint(big);
      memoryTimes.push(performance.now() - t);
      if (m.source !== 'memory') throw new Error(`expected a memory memo, got ${m.source}`);
      printer.forget();
      t = performance.now();
      const d = await printer.fingerprint(big);
      diskTimes.push(performance.now() - t);
      if (d.source !== 'disk') throw new Error(`expected a disk memo, got ${d.source}`);
    }
    const mb = SIZE_MB;
    const sum = summarize(sumTimes);
    const ours = summarize(oursTimes);
    results.fingerprint = {
      sizeMB: mb,
      digestsAgree: agree,
      sha256sum: { ...ms(sum), MBps: round(mb / (sum.median / 1000), 0) },
      ovcache: { ...ms(ours), MBps: round(mb / (ours.median / 1000), 0) },
      ovcacheFirstWithMemoWrite: round(coldMs),
      memoizedInProcess: ms(summarize(memoryTimes)),
      memoizedFromMemoFile: ms(summarize(diskTimes)),
    };
    rows.push([`sha256sum, ${mb} MB file`, round(sum.median, 1), 'ms', `${round(mb / (sum.median / 1000), 0)} MB/s`, '']);
    rows.push([
      `ovcache fingerprint (sha256), ${mb} MB file`,
      round(ours.median, 1),
      'ms',
      `${round(mb / (ours.median / 1000), 0)} MB/s, digest ${agree ? 'equals' : 'DIFFERS FROM'} sha256sum`,
      '<= sha256sum',
    ]);
    rows.push(['memoized repeat, in process', round(summarize(memoryTimes).median), 'ms', '', '< 1 ms']);
    rows.push(['memoized repeat, from the memo file', round(summarize(diskTimes).median), 'ms', 'new process / cleared memory', '< 1 ms']);
    rows.push([
      'registry hit (get of a loaded model)',
      round(reg.median),
      'ms',
      'files checked at most once a second (checkFilesInterval)',
      '',
    ]);
  } finally {
    core.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'cache-overhead.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine as { cpu: string; cpus: number };
  console.log(
    formatTable(['measure (against the stand-in runtime)', 'median', 'unit', 'detail', 'goal'], rows, {
      title: `ovcache cache overhead - ${m.cpu}, ${m.cpus} CPUs, node ${process.version}, ${ITERATIONS} iterations\n`,
      align: ['left', 'right', 'left', 'left', 'left'],
    }),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
}

async function writeBigFile(file: string, mb: number): Promise<void> {
  const chunk = crypto.randomBytes(1 << 20);
  const handle = await fs.promises.open(file, 'w');
  try {
    for (let i = 0; i < mb; i++) {
      chunk.writeUInt32LE(i, 0); // no two megabytes alike
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
