// `npm run bench`: every benchmark of the project, each in its own process, one table each,
// JSON under bench/results/. Against the stand-in unless OPENVINO_LIB_PATH names a runtime.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const BENCHES = [
  'cold-warm',
  'cache-overhead',
  'cache-budget',
  'cli-scan',
  'metrics',
  'result-cache',
  'result-redis-frozen',
  'weightless',
  'fleet',
  'trust',
  'registry-serving',
  'registry-soak',
  'dynamic-shapes',
  'compile-abort',
  'growth',
  'policy',
  'rewarm',
];

let failed = 0;
for (const name of BENCHES) {
  const file = path.join(__dirname, `${name}.js`);
  if (!fs.existsSync(file)) {
    console.log(`\n=== ${name}: not built (${path.relative(process.cwd(), file)} missing)`);
    continue;
  }
  console.log(`\n=== ${name}`);
  const result = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`=== ${name} failed with ${result.status ?? result.signal}`);
  }
}
console.log(`\nbench: ${BENCHES.length - failed} of ${BENCHES.length} benchmarks ran; results in bench/results/`);
process.exitCode = failed > 0 ? 1 : 0;
