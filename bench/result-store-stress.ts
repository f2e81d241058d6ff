// Several processes filling one new embedded result store at once (the results/processes tests,
// scaled up): each round starts P processes on a fresh folder, each sets W values through a
// ResultCache, reads its neighbour's keys, reads its own back, then closes. A process whose
// store reported an error or lost a value, that exits non-zero, is ended by a signal or runs past
// 60 s is counted with what it printed. Why it exists: a CI run
// once saw a result-store child ended by a signal with nothing on stderr, and lmdb-js's
// `transaction()` (not the store's `childTransaction()`), driven the same way from six processes,
// failed commits (MDB_BAD_TXN), crashed (SIGSEGV) and spun in mdb_txn_commit. The store's own
// path ends the same way more rarely: about 1 process in 400 under Node 20 with the machine
// loaded, two processes per round (`--processes 2 --writes 60`; docs/results.md, "Known defect").
// Prints a table and writes bench/results/result-store-stress.json.
//   node dist/bench/result-store-stress.js [--rounds 40] [--processes 6] [--writes 300]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable } from '../lib/format/table';
import { ResultCache } from '../lib/results/result-cache';

const ROOT = path.resolve(__dirname, '..', '..');
const CHILD_LIMIT_MS = 60_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

/**
 * One writer (in a child process): W sets of 200-900 bytes, each followed by a read of the
 * neighbour's key, then a read-back of its own. The result cache keeps serving when its store
 * fails (an 'error' event, a miss), so a store error or a value not read back fails the writer.
 */
async function writer(dir: string, seed: number, writes: number): Promise<void> {
  const cache = new ResultCache({ dir, maxEntries: 100_000 });
  cache.on('error', (e) => {
    process.stderr.write(`store error: ${e.error.message}\n`);
    process.exitCode = 2;
  });
  const value = (i: number) => ({
    tensors: { out: { data: new Uint8Array(200 + (i % 8) * 100).fill(i & 255), shape: [200 + (i % 8) * 100], elementType: 'u8' as const } },
  });
  for (let i = 0; i < writes; i++) {
    await cache.set(cache.keyFor({ model: 'stress', params: { seed, i } }), value(i));
    await cache.get(cache.keyFor({ model: 'stress', params: { seed: seed + 1, i } }));
  }
  let lost = 0;
  for (let i = 0; i < writes; i++) {
    const back = await cache.get(cache.keyFor({ model: 'stress', params: { seed, i } }));
    if (back?.tensors?.out?.data.length !== value(i).tensors.out.data.length) lost++;
  }
  await cache.close();
  if (lost > 0) {
    process.stderr.write(`${lost} of ${writes} values set here were not read back\n`);
    process.exitCode = 2;
  }
}

type Ending = 'ok' | 'failed' | 'crashed' | 'hung';

function runWriter(dir: string, seed: number, writes: number): Promise<{ ending: Ending; detail: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [__filename, '--child', dir, '--seed', String(seed), '--writes', String(writes)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, CHILD_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const firstLine = stderr.split('\n').find((l) => /error|not read back/i.test(l)) ?? stderr.split('\n').find((l) => l.trim()) ?? '';
      if (hung) resolve({ ending: 'hung', detail: `still running after ${CHILD_LIMIT_MS / 1000} s` });
      else if (signal) resolve({ ending: 'crashed', detail: `${signal}${firstLine ? `: ${firstLine}` : ', nothing on stderr'}` });
      else if (code !== 0) resolve({ ending: 'failed', detail: firstLine });
      else resolve({ ending: 'ok', detail: '' });
    });
  });
}

async function main(): Promise<void> {
  const childDir = arg('child', '');
  const writes = Number(arg('writes', '300'));
  if (childDir) {
    await writer(childDir, Number(arg('seed', '0')), writes);
    return;
  }
  const rounds = Number(arg('rounds', '40'));
  const processes = Number(arg('processes', '6'));
  for (const [name, n] of [
    ['rounds', rounds],
    ['processes', processes],
    ['writes', writes],
  ] as const)
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number of at least 1`);
  let current: string | undefined;
  process.once('SIGINT', () => {
    if (current) fs.rmSync(current, { recursive: true, force: true }); // the round's store; its writers die with the terminal's signal
    process.exit(130);
  });
  const counts: Record<Ending, number> = { ok: 0, failed: 0, crashed: 0, hung: 0 };
  const incidents: Array<{ round: number; ending: Ending; detail: string }> = [];
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-store-stress-'));
    current = dir;
    try {
      const ends = await Promise.all(Array.from({ length: processes }, (_, seed) => runWriter(path.join(dir, 'results'), seed, writes)));
      for (const end of ends) {
        counts[end.ending]++;
        if (end.ending !== 'ok') incidents.push({ round, ...end });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (process.stderr.isTTY) process.stderr.write(`\rround ${round + 1}/${rounds}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const total = rounds * processes;
  process.stdout.write(
    `${formatTable(
      ['ENDING', 'PROCESSES', 'SHARE'],
      (Object.keys(counts) as Ending[]).map((e) => [e, String(counts[e]), `${((counts[e] / total) * 100).toFixed(1)}%`]),
      { align: ['left', 'right', 'right'] },
    )}\n`,
  );
  for (const i of incidents) process.stdout.write(`  round ${i.round}: ${i.ending} ${i.detail}\n`);
  process.stdout.write(
    `${rounds} rounds of ${processes} processes filling a new store, ${writes} sets each; ${os.cpus().length} CPUs, Node ${process.version}, ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  const out = path.join(ROOT, 'bench', 'results', 'result-store-stress.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify({ bench: 'result-store-stress', date: new Date().toISOString(), node: process.version, rounds, processes, writes, counts, incidents }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${path.relative(ROOT, out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
