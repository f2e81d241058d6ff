// Issue 27: the first start after an OpenVINO upgrade, for 5 models of different sizes, without
// a rewarm (every model compiles cold) and after `ovcache rewarm` (every model loads), per model
// and in total, and the time the rewarm itself takes. Each build runs in its own process (the
// stand-in reports OV_STUB_VERSION), as after a real upgrade; a "start" is `ovcache warm` of the
// 5 models, which times each compile() through the cache. SIMULATED: compile and import costs
// are the stand-in's (knobs below); reading, hashing and ovcache's work are real.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machineInfo } from '../lib/bench/machine';
import { writeWeightsModel } from '../scripts/make-fixtures';
import { STAND_IN } from './stand-in-bench';

const CLI = path.resolve(__dirname, '..', 'lib', 'cli', 'main.js');
const OLD = '2025.4.0-20398-stub';
const NEW = '2025.4.1-20460-stub';
const SIZES_MB = [2, 8, 16, 32, 64];
const RUNS = 3;
/** A blob holds the weights once; compiles cost 15 ms per MB (the stand-in's default). */
const KNOBS = { OV_STUB_BLOB_FACTOR: '1', OV_STUB_COMPILE_MS_PER_MB: '15' };

interface WarmJson {
  results: Array<{ model: string; status: string; ms: number }>;
  compiled: number;
  cached: number;
  ms: number;
}
interface RewarmJson {
  rewarmed: number;
  failed: number;
  ms: number;
}

function cli<T>(args: string[], build: string): T {
  const r = spawnSync(process.execPath, [CLI, ...args, '--json'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPENVINO_LIB_PATH: STAND_IN, OV_STUB_VERSION: build, ...KNOBS },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`ovcache ${args.join(' ')} (${build}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const stats = (xs: number[]) => ({ medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs) });

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-bench-rewarm-'));
  try {
    const models = SIZES_MB.map((mb) => writeWeightsModel(path.join(work, 'models'), mb << 20, `model-${mb}mb`).xml);
    const manifest = path.join(work, 'start.json');
    fs.writeFileSync(manifest, JSON.stringify({ models: models.map((model) => ({ model, device: 'CPU' })) }));
    const cold: WarmJson[] = [];
    const warm: WarmJson[] = [];
    const rewarms: RewarmJson[] = [];
    for (let run = 0; run < RUNS; run++) {
      const coldDir = path.join(work, `cold-${run}`);
      const warmDir = path.join(work, `warm-${run}`);
      // Both folders filled under the old build; only one is rewarmed under the new one.
      for (const dir of [coldDir, warmDir]) cli<WarmJson>(['warm', manifest, '--dir', dir], OLD);
      const rw = cli<RewarmJson>(['rewarm', '--dir', warmDir], NEW);
      if (rw.rewarmed !== models.length || rw.failed > 0) throw new Error(`rewarm: ${JSON.stringify(rw)}`);
      rewarms.push(rw);
      const c = cli<WarmJson>(['warm', manifest, '--dir', coldDir], NEW);
      const w = cli<WarmJson>(['warm', manifest, '--dir', warmDir], NEW);
      if (c.compiled !== models.length || w.cached !== models.length) throw new Error(`unexpected start: ${c.compiled} / ${w.cached}`);
      cold.push(c);
      warm.push(w);
      for (const dir of [coldDir, warmDir]) fs.rmSync(dir, { recursive: true, force: true });
    }
    const perModel = SIZES_MB.map((mb, i) => ({
      model: `${mb} MB of weights`,
      withoutRewarm: stats(cold.map((r) => (r.results[i] as { ms: number }).ms)),
      afterRewarm: stats(warm.map((r) => (r.results[i] as { ms: number }).ms)),
    }));
    const results = {
      note: 'SIMULATED: measured against the ovcache stand-in runtime; compile and import costs are the stand-in knobs below.',
      knobs: KNOBS,
      builds: { old: OLD, new: NEW },
      runs: RUNS,
      machine: machineInfo(),
      date: new Date().toISOString(),
      perModel,
      total: { withoutRewarm: stats(cold.map((r) => r.ms)), afterRewarm: stats(warm.map((r) => r.ms)) },
      rewarm: stats(rewarms.map((r) => r.ms)),
    };
    const fmt = (s: { medianMs: number; minMs: number; maxMs: number }) =>
      `${s.medianMs.toFixed(0)} ms (${s.minMs.toFixed(0)}-${s.maxMs.toFixed(0)})`;
    console.log(`First start after an upgrade (${OLD} -> ${NEW}), median (min-max) of ${RUNS} runs, SIMULATED`);
    console.log(['MODEL'.padEnd(20), 'WITHOUT REWARM'.padEnd(22), 'AFTER REWARM'].join('  '));
    for (const p of perModel) console.log([p.model.padEnd(20), fmt(p.withoutRewarm).padEnd(22), fmt(p.afterRewarm)].join('  '));
    console.log([`total (5 models)`.padEnd(20), fmt(results.total.withoutRewarm).padEnd(22), fmt(results.total.afterRewarm)].join('  '));
    console.log(`ovcache rewarm itself (5 models): ${fmt(results.rewarm)}`);
    const out = path.resolve(__dirname, '..', '..', 'bench', 'results', 'rewarm.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nWritten ${path.relative(process.cwd(), out)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
