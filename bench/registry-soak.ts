// Soak: 10,000 infers through registry.infer() and 200 load/unload cycles in a fresh child
// process (node --expose-gc), sampling RSS after a GC; shows whether memory settles. Reports
// figures, asserts nothing about time. Against the stand-in (SIMULATED inference).
// Prints a table and writes bench/results/registry-soak.json.
//   node dist/bench/registry-soak.js [--infers 10000] [--cycles 200]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LocalModelCache } from '../lib/cache/model-cache';
import { ModelRegistry } from '../lib/registry/index';
import { loadNativeBinding } from '../lib/runtime/binding';
import { loadOpenVINO } from '../lib/openvino/openvino';
import { formatTable } from '../lib/format/table';
import { writeMlp } from '../scripts/make-fixtures';
import { openStandInBench, STAND_IN } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');
const MB = 1024 * 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

interface Sample {
  phase: 'infer' | 'cycle';
  done: number;
  rssMB: number;
  /** V8's heap as reserved (heapTotal) and used, after the GC: RSS growth that is heap growth is no leak. */
  heapTotalMB: number;
  heapUsedMB: number;
  handles: number;
}

interface ChildReport {
  baselineRssMB: number;
  baselineHandles: number;
  samples: Sample[];
  finalHandles: number;
  ms: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const toMB = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
const rssMB = () => toMB(process.memoryUsage.rss());

async function child(dir: string, infers: number, cycles: number): Promise<void> {
  const binding = loadNativeBinding();
  const core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  const cache = new LocalModelCache({ core, dir: path.join(dir, 'cache') });
  const xml = writeMlp(path.join(dir, 'm')).xml;
  const baselineHandles = binding.liveHandles();
  const started = Date.now();
  const registry = new ModelRegistry({ cache, inferRequests: 4, models: { m: { model: xml, device: 'CPU' } } });
  const samples: Sample[] = [];
  const sample = (phase: Sample['phase'], done: number) => {
    gc();
    const m = process.memoryUsage();
    samples.push({
      phase,
      done,
      rssMB: toMB(m.rss),
      heapTotalMB: toMB(m.heapTotal),
      heapUsedMB: toMB(m.heapUsed),
      handles: binding.liveHandles(),
    });
  };
  for (let i = 0; i < 200; i++) await registry.infer('m', new Float32Array(16).fill(i)); // warm-up
  gc();
  const baselineRssMB = rssMB();
  const step = infers / 10;
  for (let done = 0; done < infers; done += step) {
    // 8 callers at once on a pool of 4: the queue is used throughout.
    let next = 0;
    const lane = async () => {
      while (next < step) await registry.infer('m', new Float32Array(16).fill(next++ % 7));
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    sample('infer', done + step);
  }
  for (let i = 1; i <= cycles; i++) {
    await registry.infer('m', new Float32Array(16));
    await registry.unload('m');
    if (i % (cycles / 10) === 0) sample('cycle', i);
  }
  await registry.dispose();
  await cache.dispose();
  const report: ChildReport = { baselineRssMB, baselineHandles, samples, finalHandles: binding.liveHandles(), ms: Date.now() - started };
  core.dispose();
  console.log(JSON.stringify(report));
}

async function main(): Promise<void> {
  const infers = Number(arg('infers', '10000'));
  const cycles = Number(arg('cycles', '200'));
  if (process.argv.includes('--child')) return child(arg('child', ''), infers, cycles);
  const { work, results } = await openStandInBench('soak');
  try {
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', __filename, '--child', work, '--infers', String(infers), '--cycles', String(cycles)],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (run.status !== 0) throw new Error(`soak child failed (${String(run.status)}): ${run.stderr}`);
    const report = JSON.parse(run.stdout.trim().split('\n').pop() as string) as ChildReport;
    const inferSamples = report.samples.filter((s) => s.phase === 'infer');
    const cycleSamples = report.samples.filter((s) => s.phase === 'cycle');
    const half = (list: Sample[]) => list.slice(Math.floor(list.length / 2));
    const spread = (list: Sample[]) =>
      Math.round((Math.max(...list.map((s) => s.rssMB)) - Math.min(...list.map((s) => s.rssMB))) * 10) / 10;
    const last = report.samples[report.samples.length - 1] as Sample;
    const summary = {
      infers,
      cycles,
      seconds: report.ms / 1000,
      baselineRssMB: report.baselineRssMB,
      afterInfersRssMB: inferSamples[inferSamples.length - 1]?.rssMB,
      afterCyclesRssMB: last.rssMB,
      peakRssMB: Math.max(...report.samples.map((s) => s.rssMB)),
      growthMB: Math.round((last.rssMB - report.baselineRssMB) * 10) / 10,
      inferSecondHalfSpreadMB: spread(half(inferSamples)),
      cycleSecondHalfSpreadMB: spread(half(cycleSamples)),
      baselineHandles: report.baselineHandles,
      finalHandles: report.finalHandles,
    };
    Object.assign(results, { soak: summary, samples: report.samples });
    const rows = report.samples.map((s) => [
      s.phase === 'infer' ? `after ${s.done} infers` : `after ${s.done} load/unload cycles`,
      s.rssMB,
      s.heapTotalMB,
      s.heapUsedMB,
      s.handles,
    ]);
    console.log(
      formatTable(
        ['point (child process, after a GC)', 'RSS MB', 'V8 heap MB', 'heap used MB', 'live handles'],
        [['baseline (after 200 warm-up infers)', report.baselineRssMB, '', '', report.baselineHandles], ...rows],
        {
          title: `ovcache registry soak - ${infers} infers (8 callers, pool of 4) then ${cycles} load/unload cycles, ${summary.seconds} s (stand-in, SIMULATED inference)\n`,
          align: ['left', 'right', 'right', 'right', 'right'],
        },
      ),
    );
    console.log(
      `\nRSS ${summary.baselineRssMB} -> ${summary.afterCyclesRssMB} MB (growth ${summary.growthMB} MB, peak ${summary.peakRssMB} MB); ` +
        `second-half spread: infers ${summary.inferSecondHalfSpreadMB} MB, cycles ${summary.cycleSecondHalfSpreadMB} MB; ` +
        `handles ${summary.baselineHandles} -> ${summary.finalHandles}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'registry-soak.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), outFile)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
