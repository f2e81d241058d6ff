// Shared helpers for the reliability tests: worker processes, the cache folder's state, models.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest } from '../../lib/cache/entry/manifest';
import { ROOT, STAND_IN } from '../helpers/paths';

export const WORKER = path.join(__dirname, 'fixtures', 'worker.js');
export const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

export interface WorkerResult {
  index: number;
  pid: number;
  hit: boolean;
  cached: boolean;
  key: string | null;
  entry: string | null;
  uncachedReason: string | null;
  ms: number;
  lockWaitMs: number;
  startedAt: number;
}

export interface WorkerError {
  index: number;
  pid: number;
  code: string | null;
  message: string;
}

export interface Run {
  child: ChildProcess;
  pid: number;
  results: WorkerResult[];
  errors: WorkerError[];
  /** Entry names this process evicted (budget 'evicted' events). */
  evicted: string[];
  /** Other budget events (warn, exceeded, low-space, recovered, uncached). */
  budget: Array<{ kind: string; usedBytes: number }>;
  stderr: () => string;
  /** Resolves when the process ended: its exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function track(child: ChildProcess): Run {
  let out = '';
  let err = '';
  const run: Run = {
    child,
    pid: child.pid ?? -1,
    results: [],
    errors: [],
    evicted: [],
    budget: [],
    stderr: () => err,
    exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const l = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (l.startsWith('R:')) run.results.push(JSON.parse(l.slice(2)) as WorkerResult);
      else if (l.startsWith('E:')) run.errors.push(JSON.parse(l.slice(2)) as WorkerError);
      else if (l.startsWith('V:')) run.evicted.push(...(JSON.parse(l.slice(2)) as { removed: string[] }).removed);
      else if (l.startsWith('B:')) run.budget.push(JSON.parse(l.slice(2)) as { kind: string; usedBytes: number });
    }
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return run;
}

/** Starts test/reliability/fixtures/worker.js with a job (see there). */
export function startWorker(job: Record<string, unknown>, env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [WORKER, JSON.stringify({ libraryPath: STAND_IN, ...job })], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}

/** Runs `ovcache <args>` (the built CLI). */
export function startCli(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return track(child);
}

export type EntryState = 'complete' | 'incomplete' | 'invalid' | 'missing-manifest' | 'blob-mismatch';

/** The state of every entry folder: complete means the manifest says so and its blobs have their recorded sizes. */
export async function entryStates(dir: string): Promise<Map<string, EntryState>> {
  const entries = path.join(dir, 'entries');
  const out = new Map<string, EntryState>();
  if (!fs.existsSync(entries)) return out;
  for (const name of fs.readdirSync(entries)) {
    const full = path.join(entries, name);
    const read = await readManifest(full);
    if (read.status === 'missing') out.set(name, 'missing-manifest');
    else if (read.status === 'invalid') out.set(name, 'invalid');
    else if (!read.manifest.complete) out.set(name, 'incomplete');
    else {
      const ok = read.manifest.files.every((f) => {
        try {
          return fs.statSync(path.join(full, f.name)).size === f.bytes;
        } catch {
          return false;
        }
      });
      out.set(name, ok ? 'complete' : 'blob-mismatch');
    }
  }
  return out;
}

/** Every regular file, folder and link under dir, with a size: for "nothing was lost" checks. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const s = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)}${s.isDirectory() ? '/' : ` ${s.size}`}`);
      if (s.isDirectory()) walk(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** mulberry32, seeded: a failing run can be replayed from the seed it prints. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Percentile (0..100) of a list of numbers; 0 for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
