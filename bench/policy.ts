// The caching policy over restarts, on two simulated devices: "CPU-like", where importing a
// compiled blob costs about 3x a compile (optimum-intel's finding on Core/Xeon CPUs,
// /work/shared/openvino-facts.md), and "GPU-like", where a compile costs far more than an
// import. Per device, policy 'auto' vs 'always' vs the cache off: K fresh processes, each
// compiling the model once and running one inference; time to first inference (measured in
// the process, from `new ModelCache()` to the inference's end), median and total, and what the
// policy decided at which restart. Configurations run interleaved, restart by restart.
// SIMULATED: compile and import times are the stand-in's knobs, not a device's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalModelCache } from '../lib/cache/model-cache';
import type { CachePolicy } from '../lib/cache/policy/options';
import type { PolicyEvent } from '../lib/cache/policy/policy';
import { loadOpenVINO } from '../lib/openvino/openvino';
import { writeWeightsModel } from '../scripts/make-fixtures';
import { openStandInBench, STAND_IN } from './stand-in-bench';

const RESTARTS = 24;
const WEIGHT_BYTES = 2 << 20;
const DEVICES = [
  // 2 MiB of weights: compile ~80 ms, import of the 7 MiB blob ~245 ms (about 3x).
  { device: 'CPU-like', knobs: { OV_STUB_COMPILE_MS_PER_MB: '40', OV_STUB_IMPORT_MS_PER_MB: '35' } },
  // compile ~600 ms, import ~10 ms.
  { device: 'GPU-like', knobs: { OV_STUB_COMPILE_MS_PER_MB: '300', OV_STUB_IMPORT_MS_PER_MB: '1.5' } },
] as const;
type Mode = CachePolicy | 'off';
const MODES: Mode[] = ['auto', 'always', 'off'];

interface Job {
  dir: string;
  model: string;
  mode: Mode;
}
interface Run {
  ms: number;
  outcome: string;
  events: Array<Pick<PolicyEvent, 'decision' | 'reason' | 'warmMs' | 'compileMs'>>;
}

/** One restart: a fresh process, one compile and one inference. */
async function child(job: Job): Promise<void> {
  const ov = await loadOpenVINO({ libraryPath: STAND_IN });
  const t = performance.now();
  const cache = new LocalModelCache({
    runtime: ov,
    dir: job.dir,
    enabled: job.mode !== 'off',
    ...(job.mode !== 'off' ? { policy: job.mode } : {}),
  });
  const events: Run['events'] = [];
  cache.on('policy', (e) => events.push({ decision: e.decision, reason: e.reason, warmMs: e.warmMs, compileMs: e.compileMs }));
  const r = await cache.compile(job.model, { device: 'CPU' });
  const request = r.compiled.createInferRequest();
  await request.infer(new Float32Array(WEIGHT_BYTES / 4).fill(0.5));
  const ms = performance.now() - t;
  request.dispose();
  r.compiled.dispose();
  await cache.dispose(); // after the measurement: flushes the manifest, where the policy reviews
  const outcome = r.cached ? (r.hit ? 'hit' : 'miss') : (r.uncachedReason ?? 'uncached');
  process.stdout.write(`RESULT:${JSON.stringify({ ms, outcome, events } satisfies Run)}\n`);
}

function restart(job: Job, knobs: Record<string, string>): Run {
  const r = spawnSync(process.execPath, [__filename, 'child', JSON.stringify(job)], {
    env: { ...process.env, ...knobs },
    encoding: 'utf8',
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT:'));
  if (r.status !== 0 || !line) throw new Error(`restart failed (${r.status}): ${r.stderr}`);
  return JSON.parse(line.slice(7)) as Run;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** "miss, 5 hit, 10 not-worth-it" */
function outcomesText(runs: Run[]): string {
  const parts: Array<[string, number]> = [];
  for (const r of runs) {
    const last = parts.at(-1);
    if (last?.[0] === r.outcome) last[1]++;
    else parts.push([r.outcome, 1]);
  }
  return parts.map(([o, n]) => (n === 1 ? o : `${n} ${o}`)).join(', ');
}

async function main(): Promise<void> {
  const bench = await openStandInBench('policy');
  const { xml } = writeWeightsModel(bench.work, WEIGHT_BYTES, 'model');
  const old = new Date(Date.now() - 3600_000);
  for (const f of [xml, xml.replace(/\.xml$/, '.bin')]) fs.utimesSync(f, old, old);
  await sleep(2100); // past the fingerprint's racy window: restarts reuse the memoized digests
  const rows: Array<Record<string, unknown>> = [];
  for (const { device, knobs } of DEVICES) {
    const runs = new Map<Mode, Run[]>(MODES.map((m) => [m, []]));
    for (let i = 0; i < RESTARTS; i++) {
      // Rotated each restart: no configuration always runs first (or right after another).
      for (const mode of [...MODES.slice(i % 3), ...MODES.slice(0, i % 3)])
        runs.get(mode)!.push(restart({ dir: path.join(bench.work, `${device}-${mode}`), model: xml, mode }, knobs));
    }
    const totals = new Map(MODES.map((m) => [m, sum(runs.get(m)!.map((r) => r.ms))]));
    for (const mode of MODES) {
      const rs = runs.get(mode)!;
      const decidedAt = rs.findIndex((r) => r.events.length > 0);
      rows.push({
        device,
        mode,
        medianMs: median(rs.map((r) => r.ms)),
        totalMs: totals.get(mode),
        lastHalfMedianMs: median(rs.slice(RESTARTS / 2).map((r) => r.ms)),
        decided: decidedAt >= 0 ? { restart: decidedAt + 1, ...rs[decidedAt]!.events[0] } : null,
        outcomes: outcomesText(rs),
        ms: rs.map((r) => Math.round(r.ms * 10) / 10),
      });
    }
  }
  // Compared with the best fixed choice ('always' or off) of the same device.
  const bestFixed = (device: unknown, field: string) =>
    Math.min(...rows.filter((r) => r.device === device && r.mode !== 'auto').map((r) => r[field] as number));
  for (const row of rows) {
    row.vsBestFixedMedian = (row.medianMs as number) / bestFixed(row.device, 'medianMs');
    row.vsBestFixedLastHalf = (row.lastHalfMedianMs as number) / bestFixed(row.device, 'lastHalfMedianMs');
    row.vsBestFixedTotal = (row.totalMs as number) / bestFixed(row.device, 'totalMs');
  }
  const f = (v: unknown, d: number, w: number) => (v as number).toFixed(d).padStart(w);
  console.log(
    `device    policy  median ms (x best fixed)  last ${RESTARTS / 2}: median ms (x)  total ms (x)    policy's decision                              restarts`,
  );
  for (const r of rows) {
    const d = r.decided as { restart: number; reason: string; warmMs: number; compileMs: number } | null;
    const decided = d ? `${d.reason} at restart ${d.restart} (warm ${Math.round(d.warmMs)} vs ${Math.round(d.compileMs)} ms)` : '-';
    console.log(
      `${String(r.device).padEnd(10)}${String(r.mode).padEnd(8)}${f(r.medianMs, 1, 16)} (${f(r.vsBestFixedMedian, 2, 5)})  ${f(r.lastHalfMedianMs, 1, 15)} (${f(r.vsBestFixedLastHalf, 2, 5)})  ${f(r.totalMs, 0, 6)} (${f(r.vsBestFixedTotal, 2, 4)})  ${decided.padEnd(47)}${String(r.outcomes)}`,
    );
  }
  console.log(
    `(SIMULATED on the stand-in: ${RESTARTS} restarts each, a fresh process per restart, ${WEIGHT_BYTES >> 20} MiB of weights; ` +
      DEVICES.map(
        (d) =>
          `${d.device} ${Object.entries(d.knobs)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
      ).join('; ') +
      ')',
  );
  bench.results.simulated = true;
  bench.results.restarts = RESTARTS;
  bench.results.weightBytes = WEIGHT_BYTES;
  bench.results.devices = DEVICES;
  bench.results.rows = rows;
  const out = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'policy.json'), `${JSON.stringify(bench.results, null, 2)}\n`);
  bench.core.dispose();
  fs.rmSync(bench.work, { recursive: true, force: true });
}

const run = process.argv[2] === 'child' ? child(JSON.parse(process.argv[3] ?? '{}') as Job) : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
