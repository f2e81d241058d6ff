// Where a cache.compile() spends its time (issue 26, "measure first"): cold and warm starts of a
// 64 MB weights model on the stand-in, each a new Core and ModelCache in this process, against a
// bare core.compileModel(path, { CACHE_DIR }) in the same rounds. The phases come from the
// compile's own timings (fingerprint, read, lock wait, compile/import); "ovcache's other work"
// is the rest: the read-back check, the lock, manifest, policy and history writes. Simulated
// compile/import costs are switched off (OV_STUB_COMPILE_MS=0, per MB 0, import 0) so that what
// is left is real work: ovcache's, and the stand-in's blob write and read.
//   node [--cpu-prof --cpu-prof-dir=DIR] dist/bench/compile-profile.js [--rounds 7] [--mb 64]
// Writes bench/results/compile-profile.json.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalModelCache } from '../lib/cache/model-cache';
import { summarize, type Summary } from '../lib/bench/stats';
import { formatTable } from '../lib/format/table';
import { writeWeightsModel } from '../scripts/make-fixtures';
import { openStandInBench } from './stand-in-bench';
import { setTimeout as sleep } from 'node:timers/promises';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const ROUNDS = Number(arg('rounds', '7'));
const MB = Number(arg('mb', '64'));
const PHASES = ['fingerprintMs', 'readMs', 'lockWaitMs', 'compileMs', 'otherMs', 'totalMs', 'bareMs', 'overMs'] as const;
type Phase = (typeof PHASES)[number];

async function main(): Promise<void> {
  Object.assign(process.env, { OV_STUB_COMPILE_MS: '0', OV_STUB_COMPILE_MS_PER_MB: '0', OV_STUB_IMPORT_MS_PER_MB: '0' });
  const bench = await openStandInBench('profile');
  const samples: Record<'cold' | 'warm', Record<Phase, number[]>> = {
    cold: Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>,
    warm: Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>,
  };
  try {
    const { xml, bin } = writeWeightsModel(path.join(bench.work, 'model'), MB << 20, `weights-${MB}mb`);
    const old = new Date(Date.now() - 3600_000);
    for (const f of [xml, bin]) fs.utimesSync(f, old, old);
    await sleep(2100); // past the fingerprint's racy window
    for (let round = 0; round < ROUNDS; round++) {
      const dir = path.join(bench.work, `cache-${round}`);
      const bareDir = path.join(bench.work, `bare-${round}`);
      for (const mode of ['cold', 'warm'] as const) {
        const core = bench.ov.createCore();
        let t = performance.now();
        (await core.compileModel(xml, 'CPU', { CACHE_DIR: bareDir })).dispose();
        const bareMs = performance.now() - t;
        const cache = new LocalModelCache({ core, dir });
        t = performance.now();
        const r = await cache.compile(xml, { device: 'CPU' });
        const totalMs = performance.now() - t;
        r.compiled.dispose();
        await cache.dispose();
        core.dispose();
        if (r.hit !== (mode === 'warm')) throw new Error(`${mode} round ${round}: hit=${r.hit}`);
        const s = samples[mode];
        const { fingerprintMs, readMs, lockWaitMs, compileMs } = r.timings;
        const otherMs = totalMs - fingerprintMs - readMs - lockWaitMs - compileMs;
        const values: Record<Phase, number> = {
          fingerprintMs,
          readMs,
          lockWaitMs,
          compileMs,
          otherMs,
          totalMs,
          bareMs,
          overMs: totalMs - bareMs,
        };
        for (const p of PHASES) s[p].push(values[p]);
      }
    }
    const summary = (mode: 'cold' | 'warm'): Record<Phase, Summary> =>
      Object.fromEntries(PHASES.map((p) => [p, summarize(samples[mode][p])])) as Record<Phase, Summary>;
    const report = { cold: summary('cold'), warm: summary('warm') };
    const f = (s: Summary) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
    console.log(
      formatTable(
        ['phase, ms median (min-max)', 'cold', 'warm'],
        PHASES.map((p) => [p, f(report.cold[p]), f(report.warm[p])]),
        { title: `cache.compile phases, ${MB} MB weights, ${ROUNDS} rounds, simulated compile/import costs off (stand-in)` },
      ),
    );
    Object.assign(bench.results, { rounds: ROUNDS, weightMB: MB, phases: report });
    const out = path.join(__dirname, '..', '..', 'bench', 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'compile-profile.json'), `${JSON.stringify(bench.results, null, 2)}\n`);
  } finally {
    bench.core.dispose();
    fs.rmSync(bench.work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
