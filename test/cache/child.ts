// Runs test/cache/fixtures/cache-child in a separate node process.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { STAND_IN } from '../helpers/paths';

export const CHILD = path.join(__dirname, 'fixtures', 'cache-child.js');

export interface ChildResult {
  pid: number;
  hit: boolean;
  cached: boolean;
  key: string | null;
  entryDir: string | null;
  uncachedReason: string | null;
  outputs: number[] | null;
  [field: string]: unknown;
}

/** Starts a child; resolves with its RESULT line, rejects with its stderr on failure. */
export function runChild<T = ChildResult>(job: Record<string, unknown>, env: Record<string, string> = {}): Promise<T> {
  return runChildScript<T>(CHILD, job, env);
}

/** runChild for another child script that prints a RESULT: line the same way. */
export function runChildScript<T>(script: string, job: Record<string, unknown>, env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify({ libraryPath: STAND_IN, ...job })], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as T);
      else reject(new Error(`child exited with ${code}: ${err}${out}`));
    });
  });
}

/** Starts a child that keeps running; resolves once it printed its RESULT line. */
export function startChild(job: Record<string, unknown>): Promise<{ child: ChildProcess; result: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      if (line) resolve({ child, result: JSON.parse(line.slice(7)) as Record<string, unknown> });
    });
    child.on('close', (code) => reject(new Error(`child exited early with ${code}: ${err}`)));
  });
}
