// What checking a result blob against its sha256 costs on a hit (issue 21, item 7): ResultCache.get
// of 1 MB values (stored as blob files) with the check off (the old behaviour), on every read,
// and once per process and file identity (the default). Each mode runs in a fresh child process,
// the modes interleaved over several rounds; the table gives the median, min and max of the
// per-round medians. Goal: the default adds at most 10% to a 1 MB hit.
// Prints a table and writes bench/results/result-blob-check.json.
//   node dist/bench/result-blob-check.js [--rounds 5] [--gets 400]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatTable } from '../lib/format/table';
import type { BlobCheck } from '../lib/results/blob-files';
import { ResultCache } from '../lib/results/result-cache';

const ROOT = path.resolve(__dirname, '..', '..');
const MB1 = 1 << 20;
const KEYS = 16;
const MODES: BlobCheck[] = ['off', 'every-read', 'per-identity'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const round = (n: number, digits = 4): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** One trial in this (child) process: the median ms of `gets` 1 MB hits with the given check. */
async function trial(mode: BlobCheck, gets: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-blob-check-'));
  const cache = new ResultCache({ dir: path.join(dir, 'results'), maxEntries: 1000 }, { blobCheck: mode });
  try {
    const keys: string[] = [];
    for (let i = 0; i < KEYS; i++) {
      const key = cache.keyFor({ model: 'bench', params: { i } });
      const data = new Uint8Array(MB1).fill(i);
      await cache.set(key, { tensors: { out: { data, shape: [MB1], elementType: 'u8' } } });
      keys.push(key);
    }
    for (const key of keys) await cache.get(key); // warm: page cache, and the per-identity memo
    const times: number[] = [];
    for (let n = 0; n < gets; n++) {
      const started = performance.now();
      const value = await cache.get(keys[n % KEYS] as string);
      times.push(performance.now() - started);
      if (!value) throw new Error('bench: expected a hit');
    }
    return median(times);
  } finally {
    await cache.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const childMode = arg('child', '');
  const gets = Number(arg('gets', '400'));
  if (childMode) {
    process.stdout.write(`${await trial(childMode as BlobCheck, gets)}\n`);
    return;
  }
  const rounds = Number(arg('rounds', '5'));
  const perMode = new Map<BlobCheck, number[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    for (const mode of MODES) {
      const child = spawnSync(process.execPath, [__filename, '--child', mode, '--gets', String(gets)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`bench child (${mode}) failed: ${child.stderr}`);
      perMode.get(mode)?.push(Number(child.stdout.trim()));
    }
  }
  const base = median(perMode.get('off') ?? []);
  const rows = MODES.map((mode) => {
    const v = perMode.get(mode) ?? [];
    const m = median(v);
    return {
      mode,
      medianMs: round(m),
      minMs: round(Math.min(...v)),
      maxMs: round(Math.max(...v)),
      overheadPct: round(((m - base) / base) * 100, 1),
    };
  });
  process.stdout.write(
    `${formatTable(
      ['CHECK', 'HIT p50 (median)', 'MIN', 'MAX', 'VS OFF'],
      rows.map((r) => [r.mode, `${r.medianMs} ms`, `${r.minMs} ms`, `${r.maxMs} ms`, `${r.overheadPct >= 0 ? '+' : ''}${r.overheadPct}%`]),
      { align: ['left', 'right', 'right', 'right', 'right'] },
    )}\n`,
  );
  process.stdout.write(
    `1 MB hits, ${KEYS} keys, ${gets} gets per trial, ${rounds} rounds, one child per trial; ${os.cpus().length} CPUs\n`,
  );
  const out = path.join(ROOT, 'bench', 'results', 'result-blob-check.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify({ bench: 'result-blob-check', date: new Date().toISOString(), valueBytes: MB1, keys: KEYS, gets, rounds, rows, trials: Object.fromEntries(perMode) }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${path.relative(ROOT, out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
