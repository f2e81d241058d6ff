// How fast an aborted cache.compile() rejects: abort() to rejection while another PROCESS
// holds the entry's lock (a child process holding it, as a slow compile would), and while
// another call in this process compiles the same key (single-flight wait). Against the stand-in
// runtime (the compile cost is simulated; the abort path is ovcache's own). Goal: < 50 ms.
// Prints a table and writes bench/results/compile-abort.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalModelCache } from '../lib/cache/model-cache';
import { summarize } from '../lib/bench/stats';
import { formatTable } from '../lib/format/table';
import { writeMlp } from '../scripts/make-fixtures';
import { openStandInBench } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');
const TRIALS = 40;

async function abortLatency(run: (signal: AbortSignal) => Promise<unknown>, waitMs: number): Promise<number> {
  const controller = new AbortController();
  const pending = run(controller.signal).then(
    () => Infinity,
    () => performance.now(),
  );
  await sleep(waitMs);
  const t = performance.now();
  controller.abort();
  return (await pending) - t;
}

async function main(): Promise<void> {
  const { work, core, results } = await openStandInBench('compile-abort');
  try {
    const mlp = writeMlp(work).xml;
    const dir = path.join(work, 'cache');
    const cache = new LocalModelCache({ core, dir });
    const { key } = await cache.keyFor(mlp, { device: 'CPU' });
    const lockPath = path.join(dir, 'locks', `${key}.lock`);
    fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    const lockJs = path.join(ROOT, 'dist', 'lib', 'cache', 'entry', 'lock.js');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(lockJs)}).acquireLock(process.argv[1], { timeoutMs: 0, staleMs: 10000 }).then(() => { console.log('held'); setInterval(() => {}, 1000); })`,
        lockPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const lockWait: number[] = [];
    for (let i = 0; i < TRIALS; i++)
      lockWait.push(await abortLatency((signal) => cache.compile(mlp, { device: 'CPU', signal }), 50 + (i % 5) * 60));
    holder.kill();
    await new Promise((resolve) => holder.once('exit', resolve));

    process.env.OV_STUB_COMPILE_MS = '400';
    const flight: number[] = [];
    for (let i = 0; i < TRIALS / 4; i++) {
      const other = new LocalModelCache({ core, dir: path.join(work, `flight-${i}`) });
      const leader = other.compile(mlp, { device: 'CPU' });
      await sleep(20);
      flight.push(await abortLatency((signal) => other.compile(mlp, { device: 'CPU', signal }), 100));
      (await leader).compiled.dispose();
      await other.dispose();
    }
    await cache.dispose();
    const a = summarize(lockWait);
    const b = summarize(flight);
    results.lockWait = a;
    results.singleFlight = b;
    const ms = (n: number) => n.toFixed(3);
    console.log(
      formatTable(
        ['aborted wait (stand-in runtime)', 'trials', 'median ms', 'max ms', 'goal'],
        [
          ["another process's lock", String(lockWait.length), ms(a.median), ms(a.max), '< 50 ms'],
          ['a single-flight compile in this process', String(flight.length), ms(b.median), ms(b.max), '< 50 ms'],
        ],
      ),
    );
  } finally {
    core.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'compile-abort.json'), `${JSON.stringify(results, null, 2)}\n`);
}

void main();
