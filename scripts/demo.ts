// `npm run demo`: the cold/warm start comparison on a bundled fixture model. Uses a real
// OpenVINO when the finder finds one; otherwise the project's stand-in, labeled simulated.
import fs from 'node:fs';
import path from 'node:path';
import { runColdWarm } from '../lib/bench/cold-warm';
import { coldWarmChart, formatColdWarm } from '../lib/bench/cold-warm-format';
import { findRuntimeLibrary } from '../lib/runtime/finder';
import { createProgress } from '../lib/cli/progress';

const ROOT = path.resolve(__dirname, '..', '..');
const STAND_IN = path.join(ROOT, 'out', 'test-runtime', 'libopenvino_c.so');
const RESULTS = path.join(ROOT, 'bench', 'results');

function chooseRuntime(): { libraryPath: string; note: string } {
  try {
    const found = findRuntimeLibrary();
    return { libraryPath: found.libraryPath, note: `Using the OpenVINO runtime found via ${found.source}: ${found.libraryPath}` };
  } catch {
    return {
      libraryPath: STAND_IN,
      note:
        'No OpenVINO runtime found on this machine (see `npx ovcache doctor`), so the demo uses the\n' +
        "project's TEST STAND-IN runtime: compile and import costs are simulated, not OpenVINO's.",
    };
  }
}

async function main(): Promise<void> {
  const { writeWeightsModel } = (await import(path.join(__dirname, 'make-fixtures.js'))) as {
    writeWeightsModel: (dir: string, bytes: number, name?: string) => { xml: string; bin: string };
  };
  const runtime = chooseRuntime();
  console.log(runtime.note);
  const modelDir = path.join(ROOT, 'out', 'fixtures', 'demo');
  fs.mkdirSync(modelDir, { recursive: true });
  const { xml } = writeWeightsModel(modelDir, 64 * 1024 * 1024, 'weights-64mb');
  const runs = Number(process.env.DEMO_RUNS ?? 3);
  const progress = createProgress(runs * 3, 'demo');
  const report = await runColdWarm({
    model: xml,
    device: 'CPU',
    runs,
    libraryPath: runtime.libraryPath,
    onTrial: (done) => progress.update(done),
  }).finally(() => progress.stop());
  console.log(`\n${formatColdWarm(report)}`);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'demo.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS, 'demo.svg'), coldWarmChart(report));
  console.log(`\nwrote ${path.relative(ROOT, path.join(RESULTS, 'demo.json'))} and demo.svg`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
