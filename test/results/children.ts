// Starts test/results/result-child in separate node processes.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ShareJob, ShareResult, WriterJob } from './result-child';

const CHILD = path.join(__dirname, 'result-child.js');
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

export function runShare(job: Omit<ShareJob, 'mode'>): Promise<ShareResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ mode: 'share', ...job })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ShareResult);
      else reject(new Error(`child exited with ${code ?? signal}: ${err}${out}`));
    });
  });
}

/** What each writer printed on stderr, so a writer that dies or hangs explains itself. */
const writerErrors = new WeakMap<ChildProcess, () => string>();

/** A writer that has opened the store (printed READY); one that cannot within 30 s is a failure, not a hang. */
export function startWriter(job: Omit<WriterJob, 'mode'>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ mode: 'writer', ...job })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    writerErrors.set(child, () => err);
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not open the store within 30 s: ${err}`));
    }, 30_000);
    child.stdout.once('data', () => {
      clearTimeout(deadline);
      resolve(child);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(deadline);
      reject(new Error(`writer exited early (${code ?? signal}): ${err}`));
    });
  });
}

/** Kills a running writer; a writer that already died on its own fails the test with its stderr. */
export const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve, reject) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(new Error(`writer died before it was killed (${child.exitCode ?? child.signalCode}): ${writerErrors.get(child)?.() ?? ''}`));
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
