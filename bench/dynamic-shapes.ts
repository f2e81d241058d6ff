// dynamicShapes on the stand-in's GPU: 12 image sizes of one model, asked for in a mixed
// order, then again after a restart; every size a static entry ('never'), a variant after 3
// sizes ('auto'), or a variant spanning bounds given up front. Per configuration: entries,
// compiles, time to first inference of each pass, and what an inference costs on the compiled
// model that served the call. SIMULATED: compile and inference times are the stand-in's knobs
// (OV_STUB_COMPILE_MS stands for a GPU kernel compile, OV_STUB_DYNAMIC_INFER_FACTOR for the
// cost of a dynamic shape at inference), not a device's.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalModelCache } from '../lib/cache/model-cache';
import type { DynamicShapesOption } from '../lib/cache/dynamic/options';
import { writeImageModel } from '../scripts/make-fixtures';
import { openStandInBench } from './stand-in-bench';

const SIZES = [32, 48, 64, 40, 56, 24, 72, 16, 80, 88, 96, 60];
const COMPILE_MS = 200;
const INFER_MS = 4;
const DYNAMIC_FACTOR = 1.5;
const INFERS = 20;
const RESTARTS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  Object.assign(process.env, {
    OV_STUB_DEVICES: 'CPU,GPU',
    OV_STUB_COMPILE_MS: String(COMPILE_MS),
    OV_STUB_INFER_MS: String(INFER_MS),
    OV_STUB_DYNAMIC_INFER_FACTOR: String(DYNAMIC_FACTOR),
  });
  const bench = await openStandInBench('dynamic-shapes');
  const log = path.join(bench.work, 'stub.log');
  process.env.OV_STUB_LOG = log;
  const { xml } = writeImageModel(bench.work, 'image');
  const compiles = () =>
    fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"event":"compile"')).length;
  const configurations: Array<[string, DynamicShapesOption]> = [
    ["'never'", 'never'],
    ["'auto' (after 3 sizes)", 'auto'],
    ['bounds 16..96 given', { bounds: { image: { 2: [16, 96], 3: [16, 96] } } }],
  ];
  const rows: Record<string, unknown>[] = [];
  for (const [label, dynamicShapes] of configurations) {
    fs.writeFileSync(log, '');
    const dir = path.join(bench.work, `cache-${rows.length}`);
    const pass = async () => {
      const cache = new LocalModelCache({ core: bench.core, dir, dynamicShapes, growthWarning: false });
      const ms: number[] = [];
      const inferMs: { static: number[]; dynamic: number[] } = { static: [], dynamic: [] };
      for (const size of SIZES) {
        const t = performance.now();
        const r = await cache.compile(xml, { device: 'GPU', shapes: { image: [1, 3, size, size] } });
        const request = r.compiled.createInferRequest();
        const input = new Float32Array(3 * size * size).fill(0.5);
        await request.infer(input);
        ms.push(performance.now() - t);
        if (size === 64) {
          for (let i = 0; i < INFERS; i++) {
            const s = performance.now();
            await request.infer(input);
            inferMs[r.variant ?? 'static'].push(performance.now() - s);
          }
        }
        request.dispose();
        r.compiled.dispose();
      }
      await cache.dispose();
      return { ms, inferMs };
    };
    const cold = await pass();
    const coldCompiles = compiles();
    // Restarts: the median of a few passes (the machine is shared, single passes are noisy).
    const restarts = [];
    for (let i = 0; i < RESTARTS; i++) restarts.push(await pass());
    const warm = restarts.sort((a, b) => sum(a.ms) - sum(b.ms))[Math.floor(RESTARTS / 2)] as Awaited<ReturnType<typeof pass>>;
    const entries = fs.readdirSync(path.join(dir, 'entries')).length;
    const infer = [...warm.inferMs.static, ...warm.inferMs.dynamic];
    rows.push({
      configuration: label,
      entries,
      compilesCold: coldCompiles,
      compilesRestart: compiles() - coldCompiles,
      coldTotalMs: sum(cold.ms),
      coldMedianMs: median(cold.ms),
      restartTotalMs: sum(warm.ms),
      restartMedianMs: median(warm.ms),
      inferMedianMs64: median(infer),
      inferVariant64: warm.inferMs.dynamic.length > 0 ? 'dynamic' : 'static',
    });
  }
  console.log(
    'configuration            entries  compiles (cold/restart)  first inference: cold total / median ms  restart total / median ms (median of 5)  infer 64x64 ms',
  );
  for (const r of rows) {
    const f = (n: unknown, d = 0) => (n as number).toFixed(d);
    console.log(
      `${String(r.configuration).padEnd(25)}${String(r.entries).padStart(7)}  ${`${String(r.compilesCold)}/${String(r.compilesRestart)}`.padStart(23)}  ${`${f(r.coldTotalMs)} / ${f(r.coldMedianMs, 1)}`.padStart(39)}  ${`${f(r.restartTotalMs)} / ${f(r.restartMedianMs, 1)}`.padStart(25)}  ${`${f(r.inferMedianMs64, 2)} (${String(r.inferVariant64)})`.padStart(14)}`,
    );
  }
  console.log(
    `(SIMULATED on the stand-in's GPU: ${SIZES.length} sizes, OV_STUB_COMPILE_MS=${COMPILE_MS}, OV_STUB_INFER_MS=${INFER_MS}, OV_STUB_DYNAMIC_INFER_FACTOR=${DYNAMIC_FACTOR}; median of ${INFERS} inferences at 64x64 after a restart)`,
  );
  bench.results.sizes = SIZES;
  bench.results.knobs = { OV_STUB_COMPILE_MS: COMPILE_MS, OV_STUB_INFER_MS: INFER_MS, OV_STUB_DYNAMIC_INFER_FACTOR: DYNAMIC_FACTOR };
  bench.results.simulated = true;
  bench.results.rows = rows;
  const out = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'dynamic-shapes.json'), `${JSON.stringify(bench.results, null, 2)}\n`);
  bench.core.dispose();
  fs.rmSync(bench.work, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
