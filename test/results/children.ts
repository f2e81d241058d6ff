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
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ShareResult);
      else reject(new Error(`child exited with ${code}: ${err}${out}`));
    });
  });
}

export function startWriter(job: Omit<WriterJob, 'mode'>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ mode: 'writer', ...job })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code, signal) => reject(new Error(`writer exited early (${code ?? signal}): ${err}`)));
  });
}

export const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
