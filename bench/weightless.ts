// Weightless entries: cache bytes and warm start of a 64 MB model on the stand-in's GPU, for
// OpenVINO's own CACHE_DIR, ovcache with weightless: false, and ovcache's default ('auto').
// Also the warm start of the same model reshaped (shapes: ...), where OpenVINO hashes every
// weight byte of the model object on each call. Simulated: load times come from the stand-in.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalModelCache } from '../lib/cache/model-cache';
import { writeWeightsModel } from '../scripts/make-fixtures';
import { openStandInBench } from './stand-in-bench';

const WEIGHT_BYTES = 64 << 20;
const RUNS = 5;

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.blob')) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  process.env.OV_STUB_DEVICES = 'CPU,GPU';
  const bench = await openStandInBench('weightless');
  const { xml } = writeWeightsModel(bench.work, WEIGHT_BYTES, 'w64');
  const shapes = { input: [1, WEIGHT_BYTES / 4] };
  const rows: Record<string, unknown>[] = [];

  const time = async (f: () => Promise<{ dispose(): void }>) => {
    const t = performance.now();
    (await f()).dispose();
    return performance.now() - t;
  };
  const raw = path.join(bench.work, 'raw');
  const rawCold = await time(() => bench.core.compileModel(xml, 'GPU', { CACHE_DIR: raw }));
  const rawBytes = folderBytes(raw);
  const rawWarm: number[] = [];
  const rawReshaped: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    rawWarm.push(await time(() => bench.core.compileModel(xml, 'GPU', { CACHE_DIR: raw })));
    rawReshaped.push(
      await time(async () => {
        using model = await bench.core.readModel(xml);
        model.reshape(shapes);
        return bench.core.compileModel(model, 'GPU', { CACHE_DIR: raw });
      }),
    );
  }
  rows.push({
    configuration: "OpenVINO's CACHE_DIR",
    blobBytes: rawBytes,
    coldMs: rawCold,
    warmMs: median(rawWarm),
    warmReshapedMs: median(rawReshaped),
  });

  for (const weightless of [false, 'auto'] as const) {
    const dir = path.join(bench.work, `ovcache-${String(weightless)}`);
    const compileWith = async (s?: typeof shapes) => {
      const cache = new LocalModelCache({ core: bench.core, dir, weightless });
      try {
        return await time(async () => (await cache.compile(xml, { device: 'GPU', shapes: s })).compiled);
      } finally {
        await cache.dispose();
      }
    };
    const cold = await compileWith();
    const bytes = folderBytes(dir);
    await compileWith(shapes);
    const warm: number[] = [];
    const reshaped: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      warm.push(await compileWith());
      reshaped.push(await compileWith(shapes));
    }
    rows.push({
      configuration: `ovcache weightless: ${JSON.stringify(weightless)}`,
      blobBytes: bytes,
      coldMs: cold,
      warmMs: median(warm),
      warmReshapedMs: median(reshaped),
    });
  }

  const base = rows[0]?.blobBytes as number;
  console.log('configuration                   blob bytes (one entry)  vs CACHE_DIR  cold ms  warm ms  warm reshaped ms');
  for (const r of rows) {
    const b = r.blobBytes as number;
    console.log(
      `${String(r.configuration).padEnd(32)}${String(Math.round(b)).padStart(22)}  ${(b / base).toFixed(4).padStart(11)}  ${(r.coldMs as number).toFixed(0).padStart(7)}  ${(r.warmMs as number).toFixed(1).padStart(7)}  ${(r.warmReshapedMs as number).toFixed(1).padStart(16)}`,
    );
  }
  console.log(`(simulated on the stand-in: ${WEIGHT_BYTES >> 20} MB of weights, GPU, median of ${RUNS} warm starts)`);
  bench.results.weightBytes = WEIGHT_BYTES;
  bench.results.rows = rows;
  fs.mkdirSync(path.join(__dirname, '..', '..', 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, '..', '..', 'bench', 'results', 'weightless.json'), `${JSON.stringify(bench.results, null, 2)}\n`);
  bench.core.dispose();
  fs.rmSync(bench.work, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
