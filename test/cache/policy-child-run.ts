// Runs test/cache/fixtures/policy-child.ts in a fresh process: one ModelCache compiling a model
// `calls` times with the stand-in's knobs from `env` (used by the policy and CLI tests).
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { PolicyEvent } from '../../lib/index';
import { STAND_IN } from '../helpers/paths';

const CHILD = path.join(__dirname, 'fixtures', 'policy-child.js');

export interface ChildCall {
  hit: boolean;
  cached: boolean;
  uncachedReason: string | null;
  key: string;
  entryDir: string | null;
}
export interface ChildRun {
  pid: number;
  calls: ChildCall[];
  events: PolicyEvent[];
}

export function runPolicyChild(job: Record<string, unknown>, env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ libraryPath: STAND_IN, ...job })], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ChildRun);
      else reject(new Error(`policy child exited with ${code}: ${err}${out}`));
    });
  });
}

/** How each call went: hit, miss, or the reason it ran without the cache. */
export const outcomes = (run: ChildRun): Array<string | null> =>
  run.calls.map((c) => (c.cached ? (c.hit ? 'hit' : 'miss') : c.uncachedReason));
