// `npm run demo`: ovcache against OpenVINO's own cache (CACHE_DIR alone) and no cache, cold and
// warm, on a bundled 64 MB model, every start a fresh process. Uses a real OpenVINO when the
// finder finds one; otherwise the project's stand-in, labeled simulated. The last round's cache
// is kept (./.ovcache-demo) so that the CLI can be tried on it next.
//   OVCACHE_DEMO_DIR       the cache folder to keep (default <repository>/.ovcache-demo)
//   OVCACHE_DEMO_RESULTS   where demo.json and demo.svg go (default out/demo/; bench/results/ records
//                          the figures the README quotes: a plain run leaves the clone clean)
//   DEMO_RUNS              interleaved rounds (default 3); OVCACHE_DEMO_MODEL_MB the model's weights (64)
import fs from 'node:fs';
import path from 'node:path';
import { runColdWarm } from '../lib/bench/cold-warm';
import { coldWarmChart, formatColdWarm } from '../lib/bench/cold-warm-format';
import { findRuntimeLibrary } from '../lib/runtime/finder';
import { createProgress } from '../lib/cli/progress';
import { cacheLayout } from '../lib/cache/entry/layout';

const ROOT = path.resolve(__dirname, '..', '..');
const STAND_IN = path.join(ROOT, 'out', 'test-runtime', 'libopenvino_c.so');
const RESULTS = path.resolve(process.env.OVCACHE_DEMO_RESULTS ?? path.join(ROOT, 'out', 'demo'));
const CACHE = path.resolve(process.env.OVCACHE_DEMO_DIR ?? path.join(ROOT, '.ovcache-demo'));

function chooseRuntime(): { libraryPath: string; note: string; standIn: boolean } {
  try {
    const found = findRuntimeLibrary();
    return { libraryPath: found.libraryPath, note: `OpenVINO runtime: ${found.libraryPath} (found via ${found.source})`, standIn: false };
  } catch {
    return {
      libraryPath: STAND_IN,
      standIn: true,
      note:
        'No OpenVINO runtime found here (`npx ovcache doctor` says where it looked), so the demo runs on the\n' +
        "project's TEST STAND-IN runtime: compile and import costs are SIMULATED; ovcache's own work is real.",
    };
  }
}

/** The demo refills only its own folder: absent, empty, or an ovcache cache (it has entries/). */
function emptyDemoCache(): void {
  if (!fs.existsSync(CACHE)) return;
  const names = fs.readdirSync(CACHE);
  if (names.length > 0 && !fs.existsSync(cacheLayout(CACHE).entries))
    throw new Error(`${CACHE} is not empty and not an ovcache cache; set OVCACHE_DEMO_DIR to another folder`);
  fs.rmSync(CACHE, { recursive: true, force: true });
}

const LEGEND = (standIn: boolean): string =>
  [
    'How to read it:',
    "  cache         no cache; OpenVINO CACHE_DIR: OpenVINO's own cache alone; ovcache: this library",
    '  start         cold: an empty cache (compile, then write the entry); warm: the cache a cold start filled;',
    '                warm, fresh container: warm, but the model files are new to the cache (as after a redeploy',
    '                that keeps the cache volume), so ovcache digests the weights again',
    '  ready ms      process start to the first inference done: median of the rounds, then min and max',
    '  from cache    starts that OpenVINO reported as loaded from the cache (LOADED_FROM_CACHE)',
    "  vs CACHE_DIR  ovcache's median over OpenVINO's own cache in the same start (1.00x: the same)",
    'Why cold costs more than no cache: a cold start compiles exactly as without a cache, then also',
    '  exports the compiled blob to disk (ovcache also digests the weights and writes its manifest).',
    standIn
      ? 'Why the entry is bigger than the model: the stand-in writes blobs 3.5x the weights (OV_STUB_BLOB_FACTOR),\n' +
        '  as users reported of real OpenVINO (a 2 GB checkpoint, about 7 GB of cache); on a GPU ovcache keeps\n' +
        '  entries weightless (docs/caching.md, "Keeping the cache small").'
      : 'The entry holds the compiled blob: its size is what the device plugin exports (often larger than the weights).',
  ].join('\n');

/** Relative to the working folder when it is below it, else absolute. */
function shortPath(file: string): string {
  const rel = path.relative(process.cwd(), file) || '.';
  return rel.startsWith('..') ? file : rel;
}

function nextSteps(standIn: boolean): string {
  const dir = shortPath(CACHE);
  return [
    `The demo's cache is kept in ${CACHE} (the last round's ovcache entry; refilled by each demo run).`,
    'Try the CLI on it next:',
    `  npx ovcache ls --dir ${dir}          # the entry: model, device, size, last use`,
    `  npx ovcache du --dir ${dir}          # disk use per model`,
    `  npx ovcache dashboard --dir ${dir}   # the cache in a browser page (Ctrl+C to stop)`,
    ...(standIn
      ? [
          '`ls` finds no OpenVINO on this machine, so it says its stale check was skipped; to check the entry',
          `against the stand-in it was made with, run it with OPENVINO_LIB_PATH=${shortPath(path.dirname(STAND_IN))}`,
        ]
      : []),
  ].join('\n');
}

async function main(): Promise<void> {
  const { writeWeightsModel } = (await import(path.join(__dirname, 'make-fixtures.js'))) as {
    writeWeightsModel: (dir: string, bytes: number, name?: string) => { xml: string; bin: string };
  };
  const runtime = chooseRuntime();
  console.log(runtime.note);
  const megabytes = Number(process.env.OVCACHE_DEMO_MODEL_MB ?? 64);
  const modelDir = path.join(ROOT, 'out', 'fixtures', 'demo');
  fs.mkdirSync(modelDir, { recursive: true });
  const { xml } = writeWeightsModel(modelDir, megabytes * 1024 * 1024, `weights-${megabytes}mb`);
  const runs = Number(process.env.DEMO_RUNS ?? 3);
  emptyDemoCache();
  const progress = createProgress(runs * 6, 'demo');
  const report = await runColdWarm({
    model: xml,
    device: 'CPU',
    runs,
    libraryPath: runtime.libraryPath,
    keepCacheDir: CACHE,
    onTrial: (done, _total, label) => progress.update(done, label),
  }).finally(() => progress.stop());
  console.log(`\n${formatColdWarm(report)}\n\n${LEGEND(runtime.standIn)}`);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'demo.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS, 'demo.svg'), coldWarmChart(report));
  console.log(`\nThe report: ${path.join(RESULTS, 'demo.json')} and demo.svg (a chart)\n\n${nextSteps(runtime.standIn)}`);
}

main().catch((error: unknown) => {
  const e = error as { code?: string; message?: string };
  console.error(`demo failed: ${e.code ? `[${e.code}] ` : ''}${e.message ?? String(error)}`);
  process.exitCode = 1;
});
