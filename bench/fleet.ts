// The fleet, measured in one run against the stand-in runtime: how long a fresh machine takes
// to be ready with MODELS models when a remote tier has them (copied down and loaded) versus
// compiling them all, as a ratio. Compile and import costs are the stand-in's (simulated,
// OV_STUB_COMPILE_MS per compile); the transfers are real (an S3-compatible server on
// loopback, a shared folder on local disk). Prints a table, writes bench/results/fleet.json.
//   node dist/bench/fleet.js [--models 20] [--compile-ms 500] [--rounds 3]
import fs from 'node:fs';
import path from 'node:path';
import { ModelCache } from '../lib/model-cache';
import { summarize } from '../lib/bench/stats';
import type { TierOptions } from '../lib/fleet/fleet-options';
import type { WarmReport } from '../lib/fleet/warm';
import type { WarmManifest } from '../lib/fleet/warm-manifest';
import { formatTable } from '../lib/format/table';
import { writeWeightsModel } from '../scripts/make-fixtures';
import { startS3 } from '../test/fleet/servers';
import { openStandInBench } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const MODELS = Number(arg('models', '20'));
const COMPILE_MS = Number(arg('compile-ms', '500'));
const ROUNDS = Number(arg('rounds', '3'));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function compilesIn(log: string): number {
  if (!fs.existsSync(log)) return 0;
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"event":"compile"')).length;
}

async function main(): Promise<void> {
  process.env.OV_STUB_COMPILE_MS = String(COMPILE_MS);
  const { work, core, results } = await openStandInBench('fleet');
  process.env.OV_STUB_LOG = path.join(work, 'stub.log');
  const s3 = await startS3(path.join(work, 's3'));
  const rows: Array<Array<string | number>> = [];
  try {
    const models = path.join(work, 'models');
    fs.mkdirSync(models);
    const manifest: WarmManifest = {
      models: Array.from({ length: MODELS }, (_, i) => ({ model: writeWeightsModel(models, 256 * 1024 + i * 4096, `model-${i}`).xml })),
    };
    let machine = 0;
    /** A fresh machine: an empty local folder, its own cache and fleet; returns the time to be ready. */
    const freshMachine = async (tiers: TierOptions[]): Promise<{ report: WarmReport; compiles: number }> => {
      const dir = path.join(work, `machine-${machine++}`);
      const cache = new ModelCache({ core, dir, ...(tiers.length > 0 ? { tiers, publish: 'sync' as const } : {}) });
      const before = compilesIn(process.env.OV_STUB_LOG as string);
      const report = await cache.warm(manifest);
      await cache.dispose();
      if (report.failed > 0) throw new Error(`${report.failed} models failed: ${JSON.stringify(report.results.find((r) => r.error))}`);
      return { report, compiles: compilesIn(process.env.OV_STUB_LOG as string) - before };
    };
    const folder: TierOptions = { path: path.join(work, 'shared') };
    const bucket = s3.tier();
    // Fill both remotes once (a first machine compiles and publishes).
    const seed = await freshMachine([folder, bucket]);
    const times: Record<string, number[]> = { compile: [], s3: [], folder: [] };
    const compiles: Record<string, number[]> = { compile: [], s3: [], folder: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, tiers] of [
        ['compile', []],
        ['s3', [bucket]],
        ['folder', [folder]],
      ] as Array<[string, TierOptions[]]>) {
        const m = await freshMachine(tiers);
        times[name]?.push(m.report.ms);
        compiles[name]?.push(m.compiles);
      }
    }
    const median = (name: string) => summarize(times[name] ?? []).median;
    results.setup = { models: MODELS, simulatedCompileMs: COMPILE_MS, rounds: ROUNDS, seedCompiles: seed.compiles };
    results.freshMachineReadyMs = Object.fromEntries(
      Object.keys(times).map((k) => [k, { median: round(median(k)), runs: times[k]?.map((t) => round(t)) }]),
    );
    results.compilesPerFreshMachine = compiles;
    results.ratio = {
      compileOverS3: round(median('compile') / median('s3'), 2),
      compileOverFolder: round(median('compile') / median('folder'), 2),
    };
    rows.push([
      `${MODELS} models compiled on the machine`,
      round(median('compile')),
      'ms',
      `${compiles.compile?.join('/')} compiles`,
      '1x',
    ]);
    rows.push([
      `${MODELS} models from an S3 tier (loopback)`,
      round(median('s3')),
      'ms',
      `${compiles.s3?.join('/')} compiles`,
      `${round(median('compile') / median('s3'), 1)}x faster`,
    ]);
    rows.push([
      `${MODELS} models from a shared folder tier`,
      round(median('folder')),
      'ms',
      `${compiles.folder?.join('/')} compiles`,
      `${round(median('compile') / median('folder'), 1)}x faster`,
    ]);
  } finally {
    await s3.stop();
    core.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'fleet.json'), `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine as { cpu: string; cpus: number };
  console.log(
    formatTable(['a fresh machine ready with (SIMULATED compile costs)', 'median', 'unit', 'stand-in log', 'vs compiling'], rows, {
      title: `ovcache fleet - ${m.cpu}, ${m.cpus} CPUs, node ${process.version}; stand-in compile ${COMPILE_MS} ms + 15 ms/MB, ${ROUNDS} rounds\n`,
      align: ['left', 'right', 'left', 'left', 'left'],
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
