// Cold vs warm start on a 64 MB weights model, each trial in a fresh process: the figure
// people decide by. Writes bench/results/cold-warm.json and cold-warm.svg.
import fs from 'node:fs';
import path from 'node:path';
import { runColdWarm } from '../lib/bench/cold-warm';
import { coldWarmChart, formatColdWarm } from '../lib/bench/cold-warm-format';
import { writeWeightsModel } from '../scripts/make-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results');

async function main(): Promise<void> {
  const libraryPath = process.env.OPENVINO_LIB_PATH ?? path.join(ROOT, 'out', 'test-runtime', 'libopenvino_c.so');
  const dir = path.join(ROOT, 'out', 'fixtures', 'bench');
  fs.mkdirSync(dir, { recursive: true });
  const { xml } = writeWeightsModel(dir, 64 * 1024 * 1024, 'weights-64mb');
  const report = await runColdWarm({ model: xml, device: 'CPU', runs: Number(process.env.BENCH_RUNS ?? 5), libraryPath });
  console.log(formatColdWarm(report));
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'cold-warm.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS, 'cold-warm.svg'), coldWarmChart(report));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
