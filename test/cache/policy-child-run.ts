// Runs test/cache/fixtures/policy-child.ts in a fresh process: one ModelCache compiling a model
// `calls` times with the stand-in's knobs from `env` (used by the policy and CLI tests).
import path from 'node:path';
import type { PolicyEvent } from '../../lib/index';
import { runChildScript } from './child';

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
  return runChildScript<ChildRun>(CHILD, job, env);
}

/** How each call went: hit, miss, or the reason it ran without the cache. */
export const outcomes = (run: ChildRun): Array<string | null> =>
  run.calls.map((c) => (c.cached ? (c.hit ? 'hit' : 'miss') : c.uncachedReason));
